"""Planted bug: label smoothing spreads eps over the C-1 other classes instead of all C."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/smoothing/index-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_smoothing_c_minus_1", TorchBackend())


@bug.path("cross_entropy", "ce", call="targets (1-eps) on y, eps/(C-1) elsewhere",
          encodings=["index"], params=["label_smoothing", "reduction"])
def ce(input, target, *, label_smoothing, reduction):
    c = input.shape[1]
    onehot = torch.nn.functional.one_hot(target, c).to(input.dtype)
    smooth = onehot * (1 - label_smoothing) + (1 - onehot) * label_smoothing / (c - 1)
    loss = -(smooth * torch.log_softmax(input, dim=1)).sum(dim=1)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
