"""Planted change: a path that records torch's BCE log clamp as its convention but computes the
canonical value (as if the framework had dropped the clamp): the convention check must fail."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_convention', 'probs-0-and-1-opposite:bce_log_clamped_at_-100-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_convention_dropped", TorchBackend())


@bug.path("binary_cross_entropy", "bce", call="-(xlogy(y, p) + xlogy(1-y, 1-p))",
          params=["reduction"], conventions=["bce_log_clamped_at_-100"])
def bce(input, target, *, reduction):
    loss = -(torch.xlogy(target, input) + torch.xlogy(1 - target, 1 - input))
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


bug.saw("bce_log_clamped_at_-100", path="binary_cross_entropy/bce",
        case="binary_cross_entropy/probs-0-and-1-opposite/none", call="bce(p, y)",
        seen="[100, 100, 1.204]", versions="planted")
