"""Planted bug: class weights applied after the reduction, to the already averaged loss."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/weight-mean/index-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_weight_after_reduction", TorchBackend())


@bug.path("cross_entropy", "ce", call="F.cross_entropy(x, y) * weight[y].mean()",
          encodings=["index"], params=["weight", "reduction"])
def ce(input, target, *, weight, reduction):
    loss = torch.nn.functional.cross_entropy(input, target, reduction=reduction)
    return loss if weight is None else loss * weight[target].mean()
