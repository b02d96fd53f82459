"""Planted bug: ignored targets are zeroed but still counted in the mean's divisor."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'nll_loss/ignore-mean/index-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_ignored_in_divisor", TorchBackend())


@bug.path("nll_loss", "nll", call="sum(kept nll) / N", encodings=["index"],
          params=["ignore_index", "reduction"])
def nll(input, target, *, ignore_index, reduction):
    kept = target != ignore_index
    safe = torch.where(kept, target, 0)
    loss = -input.gather(1, safe[:, None])[:, 0] * kept
    return {"none": loss, "sum": loss.sum(), "mean": loss.sum() / len(loss)}[reduction]
