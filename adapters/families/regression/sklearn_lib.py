"""scikit-learn paths of the regression family (spec.py beside this file): mean_squared_error,
mean_absolute_error, mean_tweedie_deviance(power=0) (the squared error),
mean_absolute_percentage_error and mean_squared_log_error. Values only (adapters/sklearn_lib.py).

The metrics take (y_true, y_pred): the canonical target first, then the input. They take 1-D or
2-D arrays ((N,) or (N, outputs)) and per-sample weights (N,), and return one average:
multioutput='uniform_average' (the default) averages the per-output (weighted) means, which
for equal weights per output is the mean over every element, and with per-sample weights the
mean weighted by them broadcast over the outputs. No sum and no unreduced output
(multioutput='raw_values' gives one mean per output column, not per element).
"""
from __future__ import annotations

from adapters.sklearn_lib import (
    DOCS,
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

REFUSES = {
    "reduction='none' or 'sum': the metrics return one average (multioutput='raw_values' is "
    "one mean per output column)": lambda p, e, i: p["reduction"] in ("none", "sum"),
    "sample weights other than one per sample, shape (N,), or all 0": per_sample_weights,
}
CALL = "sklearn.metrics.{}(target, input, {}sample_weight=sample_weight)"
COMMON = dict(ndims=[1, 2], params=["reduction", "sample_weight"], dtypes=DTYPES,
              notes=DTYPE_NOTES, unsupported_when=REFUSES)


@path("mse_loss", "mean_squared_error", conventions=[WEIGHTED], **COMMON,
      call=CALL.format("mean_squared_error", ""))
def mse(input, target, *, reduction, sample_weight):
    return metrics.mean_squared_error(target, input, sample_weight=weights(sample_weight))


@path("mse_loss", "mean_tweedie_deviance(power=0)", conventions=[WEIGHTED],
      **{**COMMON, "ndims": [1]},   # 2-D: ValueError 'Multioutput not supported in ...'
      call=CALL.format("mean_tweedie_deviance", "power=0, "))
def tweedie_0(input, target, *, reduction, sample_weight):
    # the Tweedie deviance of power 0 is the squared error (sklearn's docstring: "power=0:
    # Normal distribution, output corresponds to mean_squared_error"); it takes 1-D arrays only
    return metrics.mean_tweedie_deviance(target, input, power=0,
                                         sample_weight=weights(sample_weight))


@path("l1_loss", "mean_absolute_error", conventions=[WEIGHTED], **COMMON,
      call=CALL.format("mean_absolute_error", ""))
def mae(input, target, *, reduction, sample_weight):
    return metrics.mean_absolute_error(target, input, sample_weight=weights(sample_weight))


@path("mean_absolute_percentage_error", "mean_absolute_percentage_error",
      conventions=["sklearn_mape_is_a_fraction", "sklearn_mape_denominator_floored_at_float64_eps",
                   WEIGHTED], **COMMON,
      call=CALL.format("mean_absolute_percentage_error", ""))
def mape(input, target, *, reduction, sample_weight):
    return metrics.mean_absolute_percentage_error(target, input,
                                                  sample_weight=weights(sample_weight))


@path("mean_squared_logarithmic_error", "mean_squared_log_error", conventions=[WEIGHTED],
      **COMMON, call=CALL.format("mean_squared_log_error", ""))
def msle(input, target, *, reduction, sample_weight):
    return metrics.mean_squared_log_error(target, input, sample_weight=weights(sample_weight))


# ---------------------------------------------------------------- evidence of the conventions

for _loss, _path, _case, _seen, _canonical in (
        ("mse_loss", "mean_squared_error", "per-sample-weights-mean", "0.6488225374569837",
         "0.5677197202748607"),
        ("mse_loss", "mean_tweedie_deviance(power=0)", "per-sample-weights-1d-mean",
         "1.4378059827988208", "1.8691477776384668"),
        ("l1_loss", "mean_absolute_error", "per-sample-weights-mean", "0.7426956508498866",
         "0.6498586944936507"),
        ("mean_absolute_percentage_error", "mean_absolute_percentage_error",
         "per-sample-weights-mean", "0.48782826531498236 (a fraction)",
         "0.42684973215060956 (as a fraction)"),
        ("mean_squared_logarithmic_error", "mean_squared_log_error", "per-sample-weights-mean",
         "0.09725483108073137", "0.08509797719563994")):
    adapter.saw(WEIGHTED, path=f"{_loss}/{_path}", case=f"{_loss}/{_case}/none",
                call=f"sklearn.metrics.{_path.split('(')[0]}(target, input, "
                     f"sample_weight=[1., 2., 0.5, 0.{', 3.' if '1d' in _case else ''}]) on "
                     f"case {_case}",
                seen=f"{_seen} = sum(w l) / sum of the broadcast weights; canonical 'mean' (/ "
                     f"number of elements) {_canonical}", versions=SEEN_ON,
                link=DOCS.format(_path.split("(")[0]))
adapter.saw("sklearn_mape_is_a_fraction",
            path="mean_absolute_percentage_error/mean_absolute_percentage_error",
            case="mean_absolute_percentage_error/batch-mean/none",
            call="sklearn.metrics.mean_absolute_percentage_error(target, input) on case batch-mean",
            seen="0.8351661678709253; canonical (a percentage) 83.51661678709254",
            versions=SEEN_ON, link=DOCS.format("mean_absolute_percentage_error")
            + " ('the output is not a percentage in the range [0, 100]')")
adapter.saw("sklearn_mape_denominator_floored_at_float64_eps",
            path="mean_absolute_percentage_error/mean_absolute_percentage_error",
            case="mean_absolute_percentage_error/zero-target-mean/none",
            call="sklearn.metrics.mean_absolute_percentage_error([0., 0., 1e-8, 2.], "
                 "[0.5, 0., 1., 2.])",
            seen="562949978421311.8 = (0.5 / 2.220446049250313e-16 + 0 + 0.99999999 / 1e-8 + 0) "
                 "/ 4; canonical nan (0 / 0 where input = target = 0; inf at 0.5 / 0)",
            versions=SEEN_ON, link=DOCS.format("mean_absolute_percentage_error")
            + " (epsilon 'an arbitrary small yet strictly positive number to avoid undefined "
              "results when y is zero')")
