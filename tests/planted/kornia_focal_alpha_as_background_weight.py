"""Planted bug: the canonical focal alpha (one factor on every class) passed as kornia's own
alpha, which weighs class 0 (the background) by 1 - alpha and every other class by alpha: at
alpha = 0.25 the samples of class 0 cost three times what they should."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'categorical_focal_crossentropy/spatial-mean/index-float64')
import kornia.losses
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_kornia_focal_alpha_background", TorchBackend())


@bug.path("categorical_focal_crossentropy", "focal_loss", encodings=["index"], ndims=[2, 3, 4],
          params=["alpha", "gamma", "ignore_index", "reduction"],
          conventions=["kornia_focal_map_per_class",
                       "kornia_focal_grad_nan_where_target_logit_is_neg_inf"],
          call="kornia.losses.focal_loss(input, target, alpha=alpha, gamma=gamma, "
               "reduction=reduction, ignore_index=ignore_index)")
def focal(input, target, *, alpha, gamma, ignore_index, reduction):
    return kornia.losses.focal_loss(input, target, alpha=alpha, gamma=gamma, reduction=reduction,
                                    ignore_index=ignore_index)
