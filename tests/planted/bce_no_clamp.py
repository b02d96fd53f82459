"""Planted bug: binary cross-entropy written as -(y log p + (1-y) log(1-p)) with no clamp and
no 0 log 0 = 0 rule: p = 0 with y = 0 gives 0 * -inf = nan."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'binary_cross_entropy/probs-0-and-1-matching-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_bce_no_clamp", TorchBackend())


@bug.path("binary_cross_entropy", "bce", call="-(y log p + (1-y) log(1-p))", params=["reduction"])
def bce(input, target, *, reduction):
    loss = -(target * torch.log(input) + (1 - target) * torch.log(1 - input))
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
