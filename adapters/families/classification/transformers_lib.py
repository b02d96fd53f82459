"""Hugging Face transformers paths of the classification family (spec.py beside this file): the
language-model and token losses of transformers.loss.loss_utils as cross_entropy.

How a case becomes a language model's input. A canonical case holds logits (N, C, d1..dk) (or
(N, C), or (C,)) and index targets (N, d1..dk); the LM losses take logits (batch, seq, vocab)
and labels (batch, seq). `tokens` puts the classes last and the positions in a row: (N, C) is
one sequence of N tokens, (N, C, d1..dk) is N sequences of d1...dk tokens, (C,) one token. The
vocabulary is C. Each canonical (logits, target) pair is one prediction of the LM loss:
- ForMaskedLMLoss and ForTokenClassification score position t against label t: the tokens as
  they are;
- ForCausalLMLoss scores position t against label t + 1 (it pads the labels with ignore_index at
  the end and drops the first): the path appends one position of logits (zeros: the last
  position predicts nothing) and puts one label before the targets (ignore_index: position 0 is
  no one's next token), so its pairs are the canonical pairs. With shift_labels= given, it shifts
  nothing: the targets are the shifted labels.
So the canonical value is what the LM loss gives, and a loss that shifts the wrong way (or not at
all) fails the value checks.

Reductions: the losses return a mean over the kept tokens (num_items_in_batch=None) or their sum
divided by num_items_in_batch; reduction='sum' passes num_items_in_batch=1, and the
`(num_items_in_batch=kept)` paths pass the kept count, as the Trainer does for one batch. There
is no reduction='none'.
"""
from __future__ import annotations

import types

from adapters.pytorch import torch
from adapters.transformers_lib import SEEN_ON, SOURCE, adapter, loss_utils, path

CE_CONVENTIONS = ["all_ignored_mean_gradient_is_zero"]    # F.cross_entropy's, as torch's path
NO_NONE = {"reduction='none': transformers' losses return a mean, or a sum divided by "
           "num_items_in_batch": lambda p, e, i: p["reduction"] == "none"}
UPCAST = ("ForCausalLMLoss, ForMaskedLMLoss and ForTokenClassification call logits.float(): "
          "float64 logits are computed in float32 and the loss is float32 (the "
          "'(float64 logits)' paths assert it); float16 and bfloat16 are upcast to float32")
LOW = ("float32", "float16", "bfloat16")


def num_items(reduction):
    """num_items_in_batch for a canonical reduction: None averages over the kept tokens, 1 sums."""
    return 1 if reduction == "sum" else None


def tokens(input, target):
    """(batch, seq, vocab) logits and (batch, seq) labels of a canonical case (module docstring)."""
    if input.dim() == 1:
        return input.reshape(1, 1, -1), target.reshape(1, 1)
    if input.dim() == 2:
        return input.unsqueeze(0), target.unsqueeze(0)
    # contiguous, as a model's output is: the losses call .view(-1, vocab_size), which raises
    # RuntimeError "view size is not compatible with input tensor's size and stride" on the
    # classes-last view of channels-first logits
    c = input.shape[1]
    return (input.movedim(1, -1).reshape(input.shape[0], -1, c).contiguous(),
            target.reshape(target.shape[0], -1))


def causal(input, target, ignore_index):
    """The LM inputs whose next-token pairs are the canonical pairs (module docstring)."""
    logits, labels = tokens(input, target)
    b, _, c = logits.shape
    logits = torch.cat([logits, logits.new_zeros(b, 1, c)], dim=1)
    labels = torch.cat([labels.new_full((b, 1), ignore_index), labels], dim=1)
    return logits, labels


# ---------------------------------------------------------------- fixed_cross_entropy

@path("cross_entropy", "fixed_cross_entropy", encodings=["index"],
      params=["ignore_index", "reduction"], conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      call="transformers.loss.loss_utils.fixed_cross_entropy(input, target, "
           "num_items_in_batch=1 if reduction == 'sum' else None, ignore_index=ignore_index)")
def fixed(input, target, *, ignore_index, reduction):
    return loss_utils.fixed_cross_entropy(input, target, num_items(reduction), ignore_index)


@path("cross_entropy", "fixed_cross_entropy(**kwargs)", encodings=["index"],
      params=["weight", "label_smoothing", "ignore_index", "reduction"],
      conventions=[*CE_CONVENTIONS, "transformers_loss_kwargs_ignored"], unsupported_when=NO_NONE,
      call="transformers.loss.loss_utils.fixed_cross_entropy(input, target, "
           "num_items_in_batch=1 if reduction == 'sum' else None, ignore_index=ignore_index, "
           "weight=weight, label_smoothing=label_smoothing)")
def fixed_kwargs(input, target, *, weight, label_smoothing, ignore_index, reduction):
    return loss_utils.fixed_cross_entropy(input, target, num_items(reduction), ignore_index,
                                          weight=weight, label_smoothing=label_smoothing)


# ---------------------------------------------------------------- the LM losses

@path("cross_entropy", "ForCausalLMLoss", kind="composed", encodings=["index"],
      params=["ignore_index", "reduction"], conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      dtypes=LOW, notes=UPCAST,
      call="transformers.loss.loss_utils.ForCausalLMLoss(cat([logits, zeros(B, 1, C)], 1), "
           "cat([full((B, 1), ignore_index), labels], 1), vocab_size=C, "
           "num_items_in_batch=1 if reduction == 'sum' else None, ignore_index=ignore_index)  "
           "[logits, labels = tokens(input, target): (B, T, C), (B, T)]")
def causal_lm(input, target, *, ignore_index, reduction):
    logits, labels = causal(input, target, ignore_index)
    return loss_utils.ForCausalLMLoss(logits, labels, vocab_size=logits.shape[-1],
                                      num_items_in_batch=num_items(reduction),
                                      ignore_index=ignore_index)


@path("cross_entropy", "ForCausalLMLoss(shift_labels=)", kind="composed", encodings=["index"],
      params=["ignore_index", "reduction"], conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      dtypes=LOW, notes=UPCAST,
      call="transformers.loss.loss_utils.ForCausalLMLoss(logits, None, vocab_size=C, "
           "num_items_in_batch=1 if reduction == 'sum' else None, ignore_index=ignore_index, "
           "shift_labels=labels)  [logits, labels = tokens(input, target)]")
def causal_lm_shifted(input, target, *, ignore_index, reduction):
    logits, labels = tokens(input, target)
    return loss_utils.ForCausalLMLoss(logits, None, vocab_size=logits.shape[-1],
                                      num_items_in_batch=num_items(reduction),
                                      ignore_index=ignore_index, shift_labels=labels)


@path("cross_entropy", "ForCausalLMLoss(num_items_in_batch=kept)", kind="composed",
      encodings=["index"], params=["ignore_index", "reduction"], dtypes=LOW, notes=UPCAST,
      conventions=CE_CONVENTIONS,   # all ignored: (0 / 0).backward() gives 0, as the mean does
      unsupported_when={**NO_NONE, "reduction='sum' (this path passes the kept count)":
                        lambda p, e, i: p["reduction"] == "sum"},
      call="transformers.loss.loss_utils.ForCausalLMLoss(cat([logits, zeros(B, 1, C)], 1), "
           "cat([full((B, 1), ignore_index), labels], 1), vocab_size=C, "
           "num_items_in_batch=(labels != ignore_index).sum(), ignore_index=ignore_index)  "
           "[the Trainer's count for one batch]")
def causal_lm_counted(input, target, *, ignore_index, reduction):
    logits, labels = causal(input, target, ignore_index)
    return loss_utils.ForCausalLMLoss(logits, labels, vocab_size=logits.shape[-1],
                                      num_items_in_batch=(labels != ignore_index).sum(),
                                      ignore_index=ignore_index)


@path("cross_entropy", "ForMaskedLMLoss", kind="composed", encodings=["index"],
      params=["ignore_index", "reduction"], conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      dtypes=LOW, notes=UPCAST,
      call="transformers.loss.loss_utils.ForMaskedLMLoss(logits, labels, vocab_size=C, "
           "num_items_in_batch=1 if reduction == 'sum' else None, ignore_index=ignore_index)  "
           "[logits, labels = tokens(input, target)]")
def masked_lm(input, target, *, ignore_index, reduction):
    logits, labels = tokens(input, target)
    return loss_utils.ForMaskedLMLoss(logits, labels, vocab_size=logits.shape[-1],
                                      num_items_in_batch=num_items(reduction),
                                      ignore_index=ignore_index)


@path("cross_entropy", "ForTokenClassification", kind="composed", encodings=["index"],
      params=["ignore_index", "reduction"], conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      dtypes=LOW, notes=UPCAST,
      call="transformers.loss.loss_utils.ForTokenClassification(logits, labels, "
           "config=SimpleNamespace(num_labels=C), ignore_index=ignore_index, "
           "num_items_in_batch=1 if reduction == 'sum' else None)  "
           "[logits, labels = tokens(input, target)]")
def token_classification(input, target, *, ignore_index, reduction):
    logits, labels = tokens(input, target)
    return loss_utils.ForTokenClassification(
        logits, labels, types.SimpleNamespace(num_labels=logits.shape[-1]),
        ignore_index=ignore_index, num_items_in_batch=num_items(reduction))


# ForSequenceClassificationLoss (also ForImageClassification, ForAudioClassification,
# ForVideoClassification in LOSS_MAPPING): config.problem_type picks the loss; with it None the
# labels' dtype does (integer: single-label, else multi-label) and the choice is written into
# the config. The paths set problem_type, so each call is the loss it names.
def sequence_config(num_labels, problem_type):
    return types.SimpleNamespace(num_labels=num_labels, problem_type=problem_type)


@path("cross_entropy", "ForSequenceClassificationLoss(single_label_classification)",
      kind="composed", encodings=["index"], ndims=[2], params=["ignore_index", "reduction"],
      conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      call="transformers.loss.loss_utils.ForSequenceClassificationLoss(target, input, "
           "config=SimpleNamespace(num_labels=C, problem_type='single_label_classification'), "
           "ignore_index=ignore_index, num_items_in_batch=1 if reduction == 'sum' else None)")
def sequence_single_label(input, target, *, ignore_index, reduction):
    return loss_utils.ForSequenceClassificationLoss(
        target, input, sequence_config(input.shape[1], "single_label_classification"),
        ignore_index=ignore_index, num_items_in_batch=num_items(reduction))


@path("binary_cross_entropy_with_logits",
      "ForSequenceClassificationLoss(multi_label_classification)", kind="composed",
      ndims=[1, 2, 3, 4, 5],   # input.shape[-1] is the number of labels: no 0-d input
      params=["reduction"], unsupported_when={
          "reduction other than 'mean': BCEWithLogitsLoss() is called with its default":
          lambda p, e, i: p["reduction"] != "mean"},
      call="transformers.loss.loss_utils.ForSequenceClassificationLoss(target, input, "
           "config=SimpleNamespace(num_labels=input.shape[-1], "
           "problem_type='multi_label_classification'))  [torch.nn.BCEWithLogitsLoss()]")
def sequence_multi_label(input, target, *, reduction):
    return loss_utils.ForSequenceClassificationLoss(
        target, input, sequence_config(input.shape[-1], "multi_label_classification"))


# ---------------------------------------------------------------- ForQuestionAnsweringLoss
# start_logits and end_logits (N, L) score the L positions of a sequence (the classes: C = L);
# start_positions and end_positions (N,) are the answer's. Positions are clamped to [0, L] and
# position L is ignored (ignore_index=L, fixed); the loss is the mean of the two heads' losses.
# The paths give the case to both heads (the same tensor: its gradient is the two halves'
# sum), so the value is the canonical one and a loss that adds the heads, or drops one's
# gradient, fails. Positions (N, 1) are squeezed first, as the models' (N,) are not.
QA = ("transformers.loss.loss_utils.ForQuestionAnsweringLoss(input, input, {t}, {t}, "
      "num_items_in_batch=1 if reduction == 'sum' else None)")


def question_answering(input, positions, reduction):
    return loss_utils.ForQuestionAnsweringLoss(input, input, positions, positions,
                                               num_items_in_batch=num_items(reduction))


@path("cross_entropy", "ForQuestionAnsweringLoss", kind="composed", encodings=["index"],
      ndims=[2], params=["ignore_index", "reduction"], unsupported_when=NO_NONE,
      conventions=["transformers_qa_positions_clamped_ignore_index_is_c"],
      call=QA.format(t="target") + "  [ignore_index is not passed: it is C]")
def qa(input, target, *, ignore_index, reduction):
    return question_answering(input, target, reduction)


@path("cross_entropy", "ForQuestionAnsweringLoss(ignored at C)", kind="composed",
      encodings=["index"], ndims=[2], params=["ignore_index", "reduction"],
      unsupported_when=NO_NONE, conventions=CE_CONVENTIONS,
      call=QA.format(t="where(target == ignore_index, C, target)")
      + "  [the ignored targets moved to C, the position it ignores]")
def qa_ignored_at_c(input, target, *, ignore_index, reduction):
    moved = torch.where(target == ignore_index, input.shape[1], target)
    return question_answering(input, moved, reduction)


# ---------------------------------------------------------------- float64 logits
# logits.float() is a downcast for float64 logits: these paths run at float32, on the check's
# float32 values handed over as a user's float64 tensor (exactly representable), and the value
# check asserts that the loss comes back float32 (checks_dtype), at float32's tolerance.
F64 = "(float64 logits)"


@path("cross_entropy", f"ForCausalLMLoss{F64}", kind="composed", encodings=["index"],
      params=["ignore_index", "reduction"], conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      dtypes=["float32"], checks_dtype=True,
      call="transformers.loss.loss_utils.ForCausalLMLoss(logits.double(), labels, ...) as "
           "ForCausalLMLoss  [returns float32: logits.float()]")
def causal_lm_float64(input, target, *, ignore_index, reduction):
    return causal_lm(input.double(), target, ignore_index=ignore_index, reduction=reduction)


@path("cross_entropy", f"ForMaskedLMLoss{F64}", kind="composed", encodings=["index"],
      params=["ignore_index", "reduction"], conventions=CE_CONVENTIONS, unsupported_when=NO_NONE,
      dtypes=["float32"], checks_dtype=True,
      call="transformers.loss.loss_utils.ForMaskedLMLoss(logits.double(), labels, ...) as "
           "ForMaskedLMLoss  [returns float32: logits.float()]")
def masked_lm_float64(input, target, *, ignore_index, reduction):
    return masked_lm(input.double(), target, ignore_index=ignore_index, reduction=reduction)


# ---------------------------------------------------------------- evidence of the conventions

adapter.saw("transformers_loss_kwargs_ignored", path="cross_entropy/fixed_cross_entropy(**kwargs)",
            case="cross_entropy/smoothing/index",
            call="fixed_cross_entropy(x, y, label_smoothing=0.1) with x, y of case smoothing "
                 "(4, 5), float64",
            seen="1.6624207093338423, the same as fixed_cross_entropy(x, y); "
                 "F.cross_entropy(x, y, label_smoothing=0.1) gives 1.6695856582001556",
            versions=SEEN_ON, link=SOURCE + " (fixed_cross_entropy passes only ignore_index and "
                                            "reduction to F.cross_entropy; **kwargs are dropped)")
adapter.saw("transformers_loss_kwargs_ignored", path="cross_entropy/fixed_cross_entropy(**kwargs)",
            case="cross_entropy/weight-mean/index",
            call="fixed_cross_entropy(x, y, weight=tensor([0.5, 2., 1., 0., 3.])) with x, y of "
                 "case weight-mean",
            seen="1.6624207093338423 (unweighted); F.cross_entropy(x, y, weight=w) gives "
                 "1.6228834704887518", versions=SEEN_ON, link=SOURCE)
for _p in ("fixed_cross_entropy", "ForCausalLMLoss", "ForCausalLMLoss(num_items_in_batch=kept)",
           "ForMaskedLMLoss", "ForTokenClassification"):
    adapter.saw("all_ignored_mean_gradient_is_zero", path=f"cross_entropy/{_p}",
                case="cross_entropy/all-ignored-mean/index",
                call=f"{_p} (this module's call) with every target -100, reduction='mean'",
                seen="value nan, every gradient 0.0 (fixed_cross_entropy(x, tensor([-100, -100, "
                     "-100])): x.grad [0.0, 0.0, 0.0, 0.0] on row 0; with num_items_in_batch=0 "
                     "the sum 0 / 0 is nan and the gradient 0 too)", versions=SEEN_ON)
QA_SOURCE = SOURCE + " (ForQuestionAnsweringLoss: positions.clamp(0, ignored_index), " \
                     "ignored_index = start_logits.size(1))"
adapter.saw("transformers_qa_positions_clamped_ignore_index_is_c",
            path="cross_entropy/ForQuestionAnsweringLoss",
            case="cross_entropy/ignore-default/index",
            call="ForQuestionAnsweringLoss(x, x, y, y) with x (5, 4), y = [1, -100, 3, -100, 0] of "
                 "case ignore-default, float64",
            seen="2.4617634113620883 = F.cross_entropy(x, y.clamp(0, 4), ignore_index=4) (the "
                 "-100 targets scored as class 0); F.cross_entropy(x, y) gives 3.294492562317951",
            versions=SEEN_ON, link=QA_SOURCE)
adapter.saw("transformers_qa_positions_clamped_ignore_index_is_c",
            path="cross_entropy/ForQuestionAnsweringLoss",
            case="cross_entropy/ignore-valid-class/index",
            call="ForQuestionAnsweringLoss(x, x, y, y) with y = [1, 2, 3, 2, 0] of case "
                 "ignore-valid-class (ignore_index=2), float64",
            seen="2.9300034053802038 (class 2 scored); F.cross_entropy(x, y, ignore_index=2) "
                 "gives 3.294492562317951", versions=SEEN_ON, link=QA_SOURCE)
adapter.saw("all_ignored_mean_gradient_is_zero",
            path="cross_entropy/ForQuestionAnsweringLoss(ignored at C)",
            case="cross_entropy/all-ignored-mean/index",
            call="ForQuestionAnsweringLoss(x, x, p, p) with every position p = C (the targets -100 "
                 "moved there), reduction='mean'",
            seen="value nan, every gradient 0.0 (both heads are fixed_cross_entropy's mean over "
                 "nothing)", versions=SEEN_ON)

PROBED = (
    "ForMaskedLMLoss(x.double(), ...) and ForCausalLMLoss on float64 logits return float32 "
    "(1.6624207496643066 on case batch-mean, F.cross_entropy in float64 1.6624207093338423): "
    "logits.float() downcasts; fixed_cross_entropy keeps float64; float16 logits give a float32 "
    "loss (the '(float64 logits)' paths assert the float32 result: checks_dtype)",
    "ForMaskedLMLoss on non-contiguous logits (channels-first logits moved classes-last) raises "
    "RuntimeError 'view size is not compatible with input tensor's size and stride': the losses "
    "call .view(-1, vocab_size); the paths pass contiguous logits, as a model's output is",
)
