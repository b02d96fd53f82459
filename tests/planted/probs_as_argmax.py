"""Planted bug: probability targets reduced to their argmax, as if they were class indices."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/probs-soft/probs-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_probs_as_argmax", TorchBackend())


@bug.path("cross_entropy", "ce", call="F.cross_entropy(x, y.argmax(1))",
          encodings=["index", "one_hot", "probs"], params=["reduction"], ndims=[2])
def ce(input, target, *, reduction):
    if target.is_floating_point():
        target = target.argmax(dim=1)
    return torch.nn.functional.cross_entropy(input, target, reduction=reduction)
