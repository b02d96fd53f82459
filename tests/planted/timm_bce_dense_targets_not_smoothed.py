"""Planted bug: timm's BinaryCrossEntropy(smoothing=eps) on dense (N, C) targets without
smooth_dense=True: timm assumes dense targets were softened upstream (mixup) and leaves them as
they are, so the label smoothing asked for is silently not applied."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'binary_cross_entropy_with_logits/smoothing-mean-float64')
from adapters.registry import declare_adapter
from adapters.timm_lib import TimmBackend, loss

bug = declare_adapter("bug_timm_bce_dense_not_smoothed", TimmBackend())


@bug.path("binary_cross_entropy_with_logits", "BinaryCrossEntropy", ndims=[1, 2, 3, 4],
          params=["weight", "pos_weight", "label_smoothing", "reduction"],
          unsupported_when={"label_smoothing = 1": lambda p, e, i: p["label_smoothing"] >= 1},
          call="timm.loss.BinaryCrossEntropy(smoothing=label_smoothing, weight=weight, "
               "pos_weight=pos_weight, reduction=reduction)(input, target)")
def bce(input, target, *, weight, pos_weight, label_smoothing, reduction):
    return loss.BinaryCrossEntropy(smoothing=label_smoothing, weight=weight,
                                   pos_weight=pos_weight, reduction=reduction)(input, target)
