"""Planted bug: the weighted mean divides by N instead of the summed weights of the targets."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/weight-mean/index-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_weighted_mean_by_n", TorchBackend())


@bug.path("cross_entropy", "ce", call="sum(w[y] * nll) / N", encodings=["index"],
          params=["weight", "reduction"], ndims=[2])
def ce(input, target, *, weight, reduction):
    nll = -torch.log_softmax(input, dim=1).gather(1, target[:, None])[:, 0]
    w = torch.ones_like(nll) if weight is None else weight[target]
    loss = w * nll
    return {"none": loss, "sum": loss.sum(), "mean": loss.sum() / len(loss)}[reduction]
