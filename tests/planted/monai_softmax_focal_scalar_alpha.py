"""Planted bug: the canonical categorical focal alpha (one factor on every class) passed as
MONAI FocalLoss(use_softmax=True)'s scalar alpha, which weighs class 0 (the background) by
1 - alpha and every other class by alpha: at alpha = 0.25 the voxels of class 0 cost three times
what they should (the right call passes alpha=[alpha] * C)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'categorical_focal_crossentropy/spatial-mean/one_hot-float32')
from adapters.monai_lib import MonaiBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_monai_softmax_focal_scalar_alpha", MonaiBackend())


@bug.path("categorical_focal_crossentropy", "FocalLoss(use_softmax=True)", ndims=[2, 3, 4, 5],
          encodings=["one_hot", "probs"], params=["alpha", "gamma", "reduction"],
          dtypes=["float32"],
          conventions=["monai_softmax_focal_map_per_class",
                       "monai_focal_sum_averages_spatial_axes"],
          call="monai.losses.FocalLoss(use_softmax=True, gamma=gamma, alpha=alpha, "
               "reduction=reduction)(input, target)")
def focal(input, target, *, alpha, gamma, reduction):
    from monai.losses import FocalLoss
    return FocalLoss(use_softmax=True, gamma=gamma, alpha=alpha, reduction=reduction)(input,
                                                                                     target)
