"""segmentation_models_pytorch paths of the classification family (spec.py beside this file):
smp.losses 0.6.0 SoftBCEWithLogitsLoss (binary_cross_entropy_with_logits) and
SoftCrossEntropyLoss (cross_entropy).

SoftBCEWithLogitsLoss smooths the target as y (1 - f) + (1 - y) f with f = smooth_factor, the
canonical (Keras's) binary smoothing y (1 - eps) + eps / 2 with f = eps / 2, then calls
F.binary_cross_entropy_with_logits(weight, pos_weight), so torch's conventions hold.
SoftCrossEntropyLoss is log_softmax over `dim` and fairseq's label_smoothed_nll_loss:
(1 - eps) nll + eps / C sum_c (-log p_c), canonical label smoothing on index targets.
"""
from __future__ import annotations

import numpy as np

from adapters.smp_lib import SEEN_ON, SMP_DOCS, adapter, losses, path  # noqa: F401

# ---------------------------------------------------------------- binary_cross_entropy_with_logits
# ignore_index (default -100) zeroes the loss where the target equals it (then 'mean' divides by
# every element): targets in [0, 1] never equal -100, so the default changes nothing here.

@path("binary_cross_entropy_with_logits", "smp.losses.SoftBCEWithLogitsLoss",
      params=["weight", "pos_weight", "label_smoothing", "reduction"],
      call="smp.losses.SoftBCEWithLogitsLoss(weight=weight, pos_weight=pos_weight, "
           "smooth_factor=label_smoothing / 2, reduction=reduction)(input, target)")
def bce_logits_smp(input, target, *, weight, pos_weight, label_smoothing, reduction):
    return losses.SoftBCEWithLogitsLoss(weight=weight, pos_weight=pos_weight,
                                        smooth_factor=label_smoothing / 2,
                                        reduction=reduction)(input, target)


# ---------------------------------------------------------------- cross_entropy
# With ignore_index set, label_smoothed_nll_loss zeroes the ignored targets' terms but 'mean'
# still divides by every target, and 'none' keeps the class axis (N, 1, d1..dk); with
# ignore_index=None it is canonical. The path passes None and refuses cases holding an ignored
# target (that difference is left, with this reason).

def _holds_ignored(params, encoding, inputs) -> bool:
    return bool(np.any(np.asarray(inputs["target"]) == params["ignore_index"]))


@path("cross_entropy", "smp.losses.SoftCrossEntropyLoss",
      params=["label_smoothing", "reduction"], encodings=["index"], ndims=[2, 3, 4, 5],
      conventions=["smp_smoothing_term_nan_at_neg_inf_logit"],
      unsupported_when={"a target equal to ignore_index (smp's 'mean' then divides by every "
                        "target, ignored ones included, and 'none' keeps a class axis of 1: "
                        "not written as a convention yet)": _holds_ignored},
      call="smp.losses.SoftCrossEntropyLoss(smooth_factor=label_smoothing, ignore_index=None, "
           "dim=1, reduction=reduction)(input, target)")
def ce_smp(input, target, *, label_smoothing, reduction):
    return losses.SoftCrossEntropyLoss(smooth_factor=label_smoothing, ignore_index=None, dim=1,
                                       reduction=reduction)(input, target)


# ---------------------------------------------------------------- evidence

adapter.saw("smp_smoothing_term_nan_at_neg_inf_logit",
            path="cross_entropy/smp.losses.SoftCrossEntropyLoss",
            case="cross_entropy/neg-inf-logits/index",
            call="smp.losses.SoftCrossEntropyLoss(smooth_factor=0.0, ignore_index=None, dim=1, "
                 "reduction='none')(x, y) on the case's (3, 3) float64 logits, each row holding "
                 "a -inf",
            seen="[nan, nan, nan]; F.cross_entropy(x, y, reduction='none') gives [0.4741, 0, inf] "
                 "(canonical)", versions=SEEN_ON,
            link=SMP_DOCS + " (segmentation_models_pytorch/losses/_functional.py "
                 "label_smoothed_nll_loss: 'loss = (1.0 - epsilon) * nll_loss + eps_i * "
                 "smooth_loss', 0.6.0)")
