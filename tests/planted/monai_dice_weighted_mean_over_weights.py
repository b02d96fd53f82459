"""Planted bug: MONAI DiceLoss's class weights read as a weighted average, the weighted losses
divided by the weights' sum instead of their count (torch.mean): with weights [2, 1] on two
losses of 0.5 this gives 0.5 where MONAI and optax give 0.75, and any weights whose mean is not 1
rescale the loss."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_dice_loss/hand-weights-2-1-mean-float64')
from adapters.monai_lib import MonaiBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_monai_dice_weighted_mean_over_weights", MonaiBackend())


@bug.path("soft_dice_loss", "DiceLoss(weight)", params=["smooth", "sum_over", "class_weights",
                                                         "reduction"], ndims=[3, 4, 5],
          call="DiceLoss(weight=w, reduction='none')(p, t).sum() / (N * w.sum())")
def dice(input, target, *, smooth, sum_over, class_weights, reduction):
    from monai.losses import DiceLoss
    w = class_weights
    loss = DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=sum_over == "batch_and_spatial",
                    weight=w, reduction="none")(input, target)
    loss = loss.reshape(loss.shape[:1] if sum_over == "batch_and_spatial" else loss.shape[:2])
    if reduction != "mean" or w is None:
        return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
    return loss.sum() / (w.sum() * (loss.numel() // w.numel()))
