"""scikit-learn paths of the embedding family (spec.py beside this file): sklearn.metrics.hinge_loss
with 1-D decision values, the binary hinge (Keras's `hinge`). Values only
(adapters/sklearn_lib.py). Its multi-class form (2-D decision values) is the margin family's
multiclass_hinge_loss.
"""
from __future__ import annotations

import numpy as np

from adapters.sklearn_lib import (
    DTYPE_NOTES,
    DTYPES,
    SEEN_ON,
    WEIGHTED,
    adapter,
    metrics,
    path,
    per_sample_weights,
    weights,
)


def not_two_labels(params, encoding, inputs) -> bool:
    """hinge_loss binarises y_true with LabelBinarizer(neg_label=-1): labels 0/1 or -1/1 map as
    Keras's conversion does; other values (real targets, 0 with -1) are other labels."""
    y = inputs["target"]
    return not (np.all((y == 0) | (y == 1)) or np.all((y == -1) | (y == 1)))


@path("hinge", "hinge_loss", ndims=[1], params=["reduction", "sample_weight"], dtypes=DTYPES,
      notes=DTYPE_NOTES, conventions=["sklearn_hinge_single_label_is_negative", WEIGHTED],
      unsupported_when={
          "reduction='none' or 'sum': hinge_loss returns the (weighted) average":
              lambda p, e, i: p["reduction"] in ("none", "sum"),
          "sample weights other than one per sample, shape (N,), or all 0": per_sample_weights,
          "targets other than the labels 0/1 or -1/1 (hinge_loss takes labels)": not_two_labels},
      call="sklearn.metrics.hinge_loss(target, input, sample_weight=sample_weight)")
def hinge(input, target, *, reduction, sample_weight):
    return metrics.hinge_loss(target.astype(np.int64), input,
                              sample_weight=weights(sample_weight))


adapter.saw("sklearn_hinge_single_label_is_negative", path="hinge/hinge_loss",
            case="hinge/single-label-mean/none",
            call="sklearn.metrics.hinge_loss([1, 1, 1, 1], [0.5, -0.3, 2.0, 0.1])",
            seen="1.5750000000000002 = mean(max(0, 1 + x)); with the labels read as +1 "
                 "(Keras's 2 y - 1) 0.675", versions=SEEN_ON,
            link="https://scikit-learn.org/stable/modules/generated/sklearn.metrics.hinge_loss.html")
adapter.saw(WEIGHTED, path="hinge/hinge_loss", case="hinge/per-sample-weights-mean/none",
            call="sklearn.metrics.hinge_loss([1, 0, 1, 0], [0.5, -0.3, 2.0, 0.1], "
                 "sample_weight=[1., 2., 0.5, 0.])",
            seen="0.5428571428571428 = sum(w l) / sum(w); canonical 'mean' 0.475",
            versions=SEEN_ON)
