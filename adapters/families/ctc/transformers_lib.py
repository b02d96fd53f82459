"""Hugging Face transformers paths of the ctc family (spec.py beside this file): ForCTCLoss
(transformers/loss/loss_ctc.py, LOSS_MAPPING["ForCTC"]), the loss of the *ForCTC speech models
(wav2vec2, wav2vec2_bert, wav2vec2_conformer, hubert, data2vec_audio, sew, sew_d, unispeech,
unispeech_sat, wavlm, lasr, parakeet, omniasr_ctc, granite_speech5), which call it through
self.loss_function with blank_token_id=config.pad_token_id.

ForCTCLoss takes batch-first logits (N, T, C) and padded labels (N, S): it counts each row's
target length itself (labels that are neither ignore_index nor the blank), normalises with
log_softmax(logits, dim=-1, dtype=torch.float32) and calls torch.nn.functional.ctc_loss on the
time-major transpose. The path transposes the canonical (T, N, C) log_probs, writes ignore_index
(-100, the default) into each row's padding past target_lengths[n], and reads unbatched input as
a batch of one.
"""
from __future__ import annotations

from adapters.pytorch import torch
from adapters.transformers_lib import SEEN_ON, adapter, loss_utils, path

CTC_SOURCE = ("https://github.com/huggingface/transformers/blob/v5.24.0/src/transformers/loss/"
              "loss_ctc.py")
CONVENTIONS = ["ctc_input_normalised_with_log_softmax", "torch_ctc_grad_nan_at_zero_probability"]
LOW = ["float32", "float16", "bfloat16"]
FLOAT32 = ("ForCTCLoss calls log_softmax(logits, dtype=torch.float32): the loss is computed and "
           "returned in float32 for every input dtype (float16 and bfloat16 run, where torch's "
           "ctc_loss on CPU refuses them); float64 is not run, as the LM losses' float64")


@path("ctc_loss", "ForCTCLoss", kind="composed", params=["blank", "reduction", "zero_infinity"],
      conventions=CONVENTIONS, dtypes=LOW, notes=FLOAT32,
      call="transformers.loss.loss_ctc.ForCTCLoss(log_probs.transpose(0, 1), "
           "where(arange(S) < target_lengths[:, None], targets, -100), input_lengths, "
           "blank_token_id=blank, reduction=reduction, zero_infinity=zero_infinity)  "
           "[unbatched: a batch of one]")
def ctc(log_probs, targets, input_lengths, target_lengths, *, blank, reduction, zero_infinity):
    single = log_probs.ndim == 2
    if single:
        log_probs, targets = log_probs[:, None], targets[None]
        input_lengths, target_lengths = input_lengths.reshape(1), target_lengths.reshape(1)
    kept = torch.arange(targets.shape[-1], device=targets.device) < target_lengths[:, None]
    labels = torch.where(kept, targets, -100)
    loss = loss_utils.ForCTCLoss(log_probs.transpose(0, 1), labels, input_lengths,
                                 blank_token_id=blank, reduction=reduction,
                                 zero_infinity=zero_infinity)
    return loss[0] if single and reduction == "none" else loss


# ---------------------------------------------------------------- evidence

adapter.saw("ctc_input_normalised_with_log_softmax", path="ctc_loss/ForCTCLoss",
            case="ctc_loss/random-unnormalised-none/none",
            call="ForCTCLoss(x.transpose(0, 1), labels, input_lengths, blank_token_id=0, "
                 "reduction='none') on x of case random-unnormalised-none (unnormalised), float32",
            seen="[3.6393571, 6.0958242, 4.5155964, 4.2578282] = F.ctc_loss(x.log_softmax(-1), "
                 "...); F.ctc_loss(x, ...) gives [-6.4657326, -2.4080672, -3.7528861, 0.5228111]",
            versions=SEEN_ON, link=CTC_SOURCE + " (nn.functional.log_softmax(logits, dim=-1, "
                                                "dtype=torch.float32))")
adapter.saw("torch_ctc_grad_nan_at_zero_probability", path="ctc_loss/ForCTCLoss",
            case="ctc_loss/zero-probability-class-none/none",
            call="torch.autograd.grad(ForCTCLoss(x.transpose(0, 1), [[1], [2]], [2, 3], "
                 "blank_token_id=0, reduction='none').sum(), x) on x of case "
                 "zero-probability-class-none (x[1, 0, 2] = x[2, 0, 1] = -inf), float32",
            seen="losses [0.43078288, 0.91879392] (canonical); gradient of sequence 0: frame 0 "
                 "[-0.1153846, -0.1346154, 0.25], frame 1 (a used frame holding the -inf) "
                 "[nan, nan, nan], frame 2 (unused) [0., 0., 0.]", versions=SEEN_ON)
