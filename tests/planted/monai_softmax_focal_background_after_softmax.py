"""Planted bug: MONAI FocalLoss(use_softmax=True, include_background=False) ported as the
softmax over all C classes with class 0's terms dropped afterwards, where MONAI slices channel 0
off the logits before the softmax (monai_softmax_focal_background_dropped_before_softmax): each
position's probabilities keep class 0's share, so every kept class looks less likely and costs
more (a position of class 0 still contributes 0)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'categorical_focal_crossentropy/spatial-mean/one_hot-float32')
from adapters.monai_lib import MonaiBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_monai_softmax_focal_background_after_softmax", MonaiBackend())


@bug.path("categorical_focal_crossentropy", "FocalLoss(use_softmax=True, include_background=False)",
          ndims=[2, 3, 4, 5], encodings=["one_hot", "probs"],
          params=["alpha", "gamma", "reduction"], dtypes=["float32"],
          conventions=["monai_softmax_focal_map_per_class",
                       "monai_focal_sum_averages_spatial_axes",
                       "monai_softmax_focal_background_dropped_before_softmax"],
          call="-alpha (1 - p)^gamma log p t with log p = log_softmax(input, 1)[:, 1:], "
               "t = target[:, 1:], reduced as MONAI's map")
def focal(input, target, *, alpha, gamma, reduction):
    import torch
    log_p = torch.log_softmax(input, 1)[:, 1:]
    loss = -alpha * (1 - log_p.exp()) ** gamma * log_p * target[:, 1:]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    return loss.mean(dim=list(range(2, loss.ndim))).sum() if loss.ndim > 2 else loss.mean()
