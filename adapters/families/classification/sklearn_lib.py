"""scikit-learn paths of the classification family (spec.py beside this file):
sklearn.metrics.log_loss as cross_entropy (on softmax(input)), nll_loss (on exp(input)) and
binary_cross_entropy (1-D probabilities of the positive class). Values only
(adapters/sklearn_lib.py).

log_loss takes class labels and probabilities of shape (N, C) (or (N,) for two classes), always
averages or sums (normalize=True / False) and takes per-sample weights (N,): reduction='none',
spatial inputs, class weights, ignored targets and label smoothing have no counterpart.
labels=range(C) is always passed, so a batch that lacks a class is scored against every class.
"""
from __future__ import annotations

import numpy as np

from adapters.sklearn_lib import (
    DOCS,
    DTYPE_NOTES,
    DTYPES,
    SEEN_ON,
    WEIGHTED,
    adapter,
    averaged,
    metrics,
    path,
    per_sample_weights,
    special,
    weights,
)

CLIPPED = {"float64": "sklearn_log_loss_probs_clipped_to_float64_eps",
           "float32": "sklearn_log_loss_probs_clipped_to_float32_eps"}
REFUSES = {
    "reduction='none': log_loss returns a float (normalize=True averages, False sums)":
        lambda p, e, i: p["reduction"] == "none",
    "sample weights other than one per sample, shape (N,), or all 0": per_sample_weights,
    "targets equal to ignore_index: log_loss has none, such a label is not in labels=range(C)":
        lambda p, e, i: bool(np.any(i["target"] == p["ignore_index"])),
    "a single class, C = 1 (ValueError 'The labels array needs to contain at least two "
    "labels'; found by fuzzing)": lambda p, e, i: i["input"].shape[1] < 2,
}
LOG_LOSS = ("sklearn.metrics.log_loss(target, {probs}, labels=range(C), "
            "normalize=reduction != 'sum', sample_weight=sample_weight)")


def _log_loss(target, probs, sample_weight, reduction):
    sample_weight = weights(sample_weight)
    return metrics.log_loss(target, probs, labels=np.arange(probs.shape[1]),
                            normalize=averaged(reduction), sample_weight=sample_weight)


for _d in DTYPES:
    _suffix = "" if _d == "float64" else f"({_d})"

    @path("cross_entropy", f"log_loss(softmax){_suffix}", kind="composed", encodings=["index"],
          ndims=[2], params=["reduction", "sample_weight"], dtypes=[_d], notes=DTYPE_NOTES,
          conventions=[CLIPPED[_d], WEIGHTED], unsupported_when=REFUSES,
          call=LOG_LOSS.format(probs="scipy.special.softmax(input, axis=1)") + f"  [{_d}]")
    def cross_entropy(input, target, *, reduction, sample_weight):
        return _log_loss(target, special.softmax(input, axis=1), sample_weight, reduction)

    @path("nll_loss", f"log_loss(exp){_suffix}", kind="composed", encodings=["index"],
          ndims=[2], params=["reduction", "sample_weight"], dtypes=[_d], notes=DTYPE_NOTES,
          conventions=[CLIPPED[_d], WEIGHTED],
          unsupported_when={**REFUSES, "log-probabilities above 0: log_loss raises ValueError "
                                       "'y_prob contains values greater than 1'":
                            lambda p, e, i: bool(np.any(i["input"] > 0))},
          call=LOG_LOSS.format(probs="numpy.exp(input)") + f"  [{_d}]")
    def nll_loss(input, target, *, reduction, sample_weight):
        return _log_loss(target, np.exp(input), sample_weight, reduction)

    @path("binary_cross_entropy", f"log_loss{_suffix}", ndims=[1],
          params=["reduction", "sample_weight"], dtypes=[_d], notes=DTYPE_NOTES,
          conventions=[CLIPPED[_d], WEIGHTED],
          unsupported_when={
              "reduction='none': log_loss returns a float":
                  lambda p, e, i: p["reduction"] == "none",
              "sample weights other than one per sample, shape (N,), or all 0": per_sample_weights,
              "targets other than the labels 0 and 1 (log_loss takes labels, not probabilities)":
                  lambda p, e, i: not np.all((i["target"] == 0) | (i["target"] == 1))},
          call="sklearn.metrics.log_loss(target, input, labels=[0, 1], normalize=reduction != "
               f"'sum', sample_weight=sample_weight)  [{_d}; input: P(class 1)]")
    def binary_cross_entropy(input, target, *, reduction, sample_weight):
        return metrics.log_loss(target.astype(np.int64), input, labels=[0, 1],
                                normalize=averaged(reduction),
                                sample_weight=weights(sample_weight))


# ---------------------------------------------------------------- evidence of the conventions

_CLIP_SEEN = {  # path suffix -> (float64 or float32 value seen, the value without the clip)
    "": ("14.024635358994177", "28.676750895955124"),
    "(float32)": ("7.324212551116943", "28.676750895955124"),
}
for _d, _suffix in (("float64", ""), ("float32", "(float32)")):
    _seen, _canonical = _CLIP_SEEN[_suffix]
    for _loss, _name, _case, _probs in (
            ("cross_entropy", "log_loss(softmax)", "saturated-logits-mean", "softmax(x, axis=1)"),
            ("nll_loss", "log_loss(exp)", "saturated-log-probs-mean", "exp(x)")):
        adapter.saw(CLIPPED[_d], path=f"{_loss}/{_name}{_suffix}", case=f"{_loss}/{_case}/index",
                    call=f"sklearn.metrics.log_loss([2, 0, 1], {_probs}, labels=range(3)) with x "
                         f"of case {_case} ({_d}; row 0's target probability exp(-80))",
                    seen=f"{_seen}: row 0 costs -log(eps) = "
                         + ("36.04365338911715" if _d == "float64" else "15.942385")
                         + f" instead of 80; canonical {_canonical}", versions=SEEN_ON,
                    link=DOCS.format("log_loss") + " (y_proba is clipped to [eps, 1 - eps], eps "
                                                   "the dtype's machine epsilon)")
    adapter.saw(CLIPPED[_d], path=f"binary_cross_entropy/log_loss{_suffix}",
                case="binary_cross_entropy/probs-0-and-1-labels-mean/none",
                call=f"sklearn.metrics.log_loss([1, 0, 1, 1, 0], [0., 1., 0.3, 1., 0.], "
                     f"labels=[0, 1])  [{_d}]",
                seen=("14.65825591651205" if _d == "float64" else "6.617748260498047")
                + "; canonical inf (p = 0 against label 1)", versions=SEEN_ON,
                link=DOCS.format("log_loss"))

_WEIGHTED_SEEN = {   # path -> (case, value seen, canonical 'mean')
    "cross_entropy/log_loss(softmax)": ("mask-mean", "1.711512416420763", "1.2836343123155722"),
    "nll_loss/log_loss(exp)": ("per-sample-weights-mean", "0.6764186672321373",
                               "0.5918663338281202"),
    "binary_cross_entropy/log_loss": ("per-sample-weights-mean", "0.19693639843224503",
                                      "0.1723193486282144"),
}
for _path, (_case, _seen, _canonical) in _WEIGHTED_SEEN.items():
    for _suffix in ("", "(float32)"):
        _loss = _path.split("/")[0]
        adapter.saw(WEIGHTED, path=_path + _suffix,
                    case=f"{_loss}/{_case}/" + ("none" if _loss == "binary_cross_entropy"
                                                else "index"),
                    call=f"{_path.split('/')[1]} (this module's call) with sample_weight= of "
                         f"case {_case}, normalize=True  [{'float32' if _suffix else 'float64'}]",
                    seen=f"{_seen} (in float64) = sum(w l) / sum(w); canonical 'mean' (sum(w l) "
                         f"/ N) {_canonical}", versions=SEEN_ON,
                    link=DOCS.format("log_loss") + " (normalize=True: the weighted average)")
