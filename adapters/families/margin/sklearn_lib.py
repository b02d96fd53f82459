"""scikit-learn paths of the margin family (spec.py beside this file): sklearn.metrics.hinge_loss
with 2-D decision values, the Crammer-Singer multi-class hinge (multiclass_hinge_loss). Values only
(adapters/sklearn_lib.py).
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


@path("multiclass_hinge_loss", "hinge_loss(labels=range(C))", ndims=[2],
      params=["reduction", "sample_weight"], dtypes=DTYPES, notes=DTYPE_NOTES,
      conventions=[WEIGHTED],
      unsupported_when={
          "reduction='none' or 'sum': hinge_loss returns the (weighted) average":
              lambda p, e, i: p["reduction"] in ("none", "sum"),
          "sample weights other than one per sample, shape (N,), or all 0": per_sample_weights,
          "C = 2 classes: with two labels hinge_loss takes the binary form, 1-D decision values "
          "(ValueError 'y should be a 1d array')": lambda p, e, i: i["input"].shape[1] <= 2},
      call="sklearn.metrics.hinge_loss(target, input, labels=range(C), "
           "sample_weight=sample_weight)")
def multiclass_hinge(input, target, *, reduction, sample_weight):
    return metrics.hinge_loss(target, input, labels=np.arange(input.shape[1]),
                              sample_weight=weights(sample_weight))


adapter.saw(WEIGHTED, path="multiclass_hinge_loss/hinge_loss(labels=range(C))",
            case="multiclass_hinge_loss/per-sample-mean/none",
            call="sklearn.metrics.hinge_loss(target, input, labels=range(C), sample_weight=[0.5, "
                 "2., 0.]) on case per-sample-mean",
            seen="0.6 = sum(w l) / sum(w); canonical 'mean' (/ N) 0.5", versions=SEEN_ON,
            link="https://scikit-learn.org/stable/modules/generated/sklearn.metrics.hinge_loss.html")
