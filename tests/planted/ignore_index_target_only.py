"""Planted bug: a Dice loss whose ignore_index zeroes the target at the ignored pixels but keeps
their probabilities in P (a mask applied to y_true alone, as a port of smp's masking that drops
its `y_pred = y_pred * mask` line): each ignored pixel still counts as a false positive."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_dice_loss/hand-ignore-index-none-float64')
from adapters.pytorch import TorchBackend, torch
from adapters.registry import declare_adapter

bug = declare_adapter("bug_ignore_index_target_only", TorchBackend())


@bug.path("soft_dice_loss", "soft_dice_loss", kind="composed",
          params=["smooth", "ignore_index", "reduction"],
          call="t = where(target == ignore_index, 0, target); 1 - (2 sum p t + s) / (sum p + "
               "sum t + s) over the spatial axes")
def dice(input, target, *, smooth, ignore_index, reduction):
    if ignore_index is not None:
        target = torch.where(target == ignore_index, torch.zeros_like(target), target)
    dims = tuple(range(2, input.ndim))
    inter, total = (input * target).sum(dims), input.sum(dims) + target.sum(dims)
    loss = 1 - (2 * inter + smooth) / (total + smooth)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
