"""Planted bug: a CTC loss whose reduction='mean' averages the per-sequence losses over the batch
without first dividing each by its target length (what Keras' 'sum_over_batch_size' does), so
batches with targets longer than 1 give a larger mean."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'ctc_loss/random-normalised-mean-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_ctc_mean_not_divided", TorchBackend())


@bug.path("ctc_loss", "ctc", call="F.ctc_loss(..., reduction='none').mean()",
          params=["blank", "reduction", "zero_infinity"],
          conventions=["torch_ctc_grad_is_logits_grad"], dtypes=["float64", "float32"], ndims=[3])
def ctc(log_probs, targets, input_lengths, target_lengths, *, blank, reduction, zero_infinity):
    losses = torch.nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths,
                                          blank=blank, reduction="none",
                                          zero_infinity=zero_infinity)
    return {"none": losses, "sum": losses.sum(), "mean": losses.mean()}[reduction]
