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

from adapters.definitions import is_mask, weights_over
from adapters.pytorch import torch, weights_like
from adapters.smp_lib import SEEN_ON, SMP_DOCS, adapter, losses, path  # noqa: F401

# ---------------------------------------------------------------- binary_cross_entropy_with_logits
# ignore_index (default -100) zeroes the loss where the target equals it (then 'mean' divides by
# every element): targets in [0, 1] never equal -100, so the default changes nothing here; the
# (ignore_index=) path below checks it as sample weights.

@path("binary_cross_entropy_with_logits", "smp.losses.SoftBCEWithLogitsLoss",
      params=["weight", "pos_weight", "label_smoothing", "reduction"],
      call="smp.losses.SoftBCEWithLogitsLoss(weight=weight, pos_weight=pos_weight, "
           "smooth_factor=label_smoothing / 2, reduction=reduction)(input, target)")
def bce_logits_smp(input, target, *, weight, pos_weight, label_smoothing, reduction):
    return losses.SoftBCEWithLogitsLoss(weight=weight, pos_weight=pos_weight,
                                        smooth_factor=label_smoothing / 2,
                                        reduction=reduction)(input, target)


# ignore_index=k zeroes the loss where the target is k (loss *= target != k) and 'mean' still
# divides by every element: the canonical sample weights as a 0/1 mask, with 'none', 'sum' or
# 'mean' ('weighted_mean' would divide by the kept count). The path writes k = -1, which no
# target in [0, 1] is, where the mask is 0.

def _not_a_mask(params, encoding, inputs) -> bool:
    full = weights_over(params["sample_weight"], np.shape(inputs["input"]))
    return full is None or not is_mask(full)


IGNORED = -1.0
MASK_REFUSES = {
    "cases without sample weights (the path is smp.losses.SoftBCEWithLogitsLoss then)":
        lambda p, e, i: p["sample_weight"] is None,
    "sample weights other than a 0/1 mask (smp's ignore_index keeps or drops an element)":
        _not_a_mask,
    "reduction='weighted_mean' (smp's 'mean' divides by every element, the ignored ones "
    "included)": lambda p, e, i: p["reduction"] == "weighted_mean"}


@path("binary_cross_entropy_with_logits", "smp.losses.SoftBCEWithLogitsLoss(ignore_index=)",
      kind="composed", params=["weight", "pos_weight", "label_smoothing", "sample_weight",
                               "reduction"],
      unsupported_when=MASK_REFUSES,
      call="smp.losses.SoftBCEWithLogitsLoss(weight=weight, pos_weight=pos_weight, "
           "smooth_factor=label_smoothing / 2, ignore_index=-1, reduction=reduction)(input, "
           "torch.where(sample_weight == 0, -1, target))")
def bce_logits_smp_ignore(input, target, *, weight, pos_weight, label_smoothing, sample_weight,
                          reduction):
    kept = weights_like(sample_weight, input) != 0
    return losses.SoftBCEWithLogitsLoss(weight=weight, pos_weight=pos_weight,
                                        smooth_factor=label_smoothing / 2,
                                        ignore_index=int(IGNORED), reduction=reduction)(
        input, torch.where(kept, target, IGNORED))


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
