"""Planted bug: MONAI's DiceLoss(squared_pred=True) ported as its name reads, squaring the
prediction only: the denominator sum p^2 + sum t instead of sum p^2 + sum t^2 (V-Net's, and
MONAI's `ground_o = torch.sum(target ** 2)`). Hard 0/1 targets hide it (t^2 = t): only soft
targets show it."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_dice_loss/squared-soft-targets-3d-mean-float64')
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_monai_squared_pred_prediction_only", TorchBackend())


@bug.path("soft_dice_loss", "dice", kind="composed",
          params=["smooth", "sum_over", "squared", "reduction"],
          call="1 - (2 sum p t + s) / (sum p^2 + sum t + s) over the spatial axes")
def dice(input, target, *, smooth, sum_over, squared, reduction):
    dims = tuple(range(2, input.ndim))
    if sum_over == "batch_and_spatial":
        dims = (0, *dims)
    pred = input * input if squared else input
    loss = 1 - (2 * (input * target).sum(dims) + smooth) / (pred.sum(dims) + target.sum(dims)
                                                             + smooth)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
