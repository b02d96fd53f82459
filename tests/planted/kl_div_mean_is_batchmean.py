"""Planted bug: kl_div with reduction='mean' implemented as 'batchmean' (the sum divided by
input.shape[0] instead of by the number of elements): the mathematical KL per sample, but not
PyTorch's (or the canonical) 'mean'."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'kl_div/batch-mean-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_kl_div_mean_is_batchmean", TorchBackend())


@bug.path("kl_div", "kl_div", call="xlogy(t, t) - t * x, 'mean' = sum / input.shape[0]",
          params=["reduction", "log_target"])
def kl_div(input, target, *, reduction, log_target):
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = torch.xlogy(target, target) - target * input
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / input.shape[0]   # the bug: 'mean' and 'batchmean' alike
