"""Planted bug: log-softmax as log(exp(x) / sum(exp(x))), without subtracting the maximum."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/extreme-logits/index-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_no_logsumexp", TorchBackend())


@bug.path("cross_entropy", "ce", call="-log(exp(x_y) / sum(exp(x)))", encodings=["index"],
          params=["reduction"], ndims=[2])
def ce(input, target, *, reduction):
    e = torch.exp(input)
    loss = -torch.log(e.gather(1, target[:, None])[:, 0] / e.sum(dim=1))
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
