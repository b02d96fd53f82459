"""Planted bug: probability targets reduced to their argmax, as if they were class indices."""
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_probs_as_argmax", TorchBackend())


@bug.path("cross_entropy", "ce", call="F.cross_entropy(x, y.argmax(1))",
          encodings=["index", "one_hot", "probs"], params=["reduction"])
def ce(input, target, *, reduction):
    if target.is_floating_point():
        target = target.argmax(dim=1)
    return torch.nn.functional.cross_entropy(input, target, reduction=reduction)
