"""TensorFlow/Keras paths of the regression family (spec.py beside this file): l1, mse,
smooth_l1, huber, log_cosh, mean_absolute_percentage_error, mean_squared_logarithmic_error.
"""
from __future__ import annotations

import math

from adapters.tensorflow import (
    KERAS_REDUCTION,
    KERAS_REFUSES_0D,
    SEEN_ON,
    adapter,
    keras,
    keras_sample_weight,
    path,
    reduce,
    tf,
)

saw = adapter.saw

# ---------------------------------------------------------------- l1, mse, smooth_l1, huber, ...
# keras.losses.MeanAbsoluteError, MeanSquaredError, Huber, LogCosh, MeanAbsolutePercentageError and
# MeanSquaredLogarithmicError (and their functions) average the elementwise loss over the last
# axis: keras_bce_mean_over_last_axis. The "[..., None]" paths add a last axis of size 1, so that
# mean changes nothing and the result is canonical.

MEAN_LAST = ["keras_bce_mean_over_last_axis"]
# Keras's own sample_weight: 'mean_with_sample_weight' divides by the weights' sum as given
KERAS_WEIGHTED = ["keras_weighted_mean_divides_by_given_weights", "keras_mean_of_nothing_is_0"]
KERAS_REGRESSION = {"l1_loss": ("MeanAbsoluteError", "mean_absolute_error"),
                    "mse_loss": ("MeanSquaredError", "mean_squared_error"),
                    "huber_loss": ("Huber", "huber"),
                    "log_cosh": ("LogCosh", "log_cosh"),
                    "mean_absolute_percentage_error": ("MeanAbsolutePercentageError",
                                                       "mean_absolute_percentage_error"),
                    "mean_squared_logarithmic_error": ("MeanSquaredLogarithmicError",
                                                       "mean_squared_logarithmic_error")}
# what each loss's Keras function does beyond the mean over the last axis (every path of the loss)
KERAS_OWN = {"log_cosh": ["keras_log_cosh_subtracts_float32_log2"],
             "mean_absolute_percentage_error": ["keras_mape_denominator_floored_at_epsilon"],
             "mean_squared_logarithmic_error": ["keras_msle_clips_inputs_at_epsilon"]}


def _keras_regression(loss, input, target, reduction="mean", elementwise=False,
                      sample_weight=None, **kw):
    cls = getattr(keras.losses, KERAS_REGRESSION[loss][0])
    weight = keras_sample_weight(sample_weight, input.shape.rank)   # over the elements
    if elementwise:
        input, target = input[..., None], target[..., None]
    return cls(reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name, **kw)(
        target, input, sample_weight=weight)


def _keras_regression_fn(loss, input, target, reduction, **kw):
    fn = getattr(keras.losses, KERAS_REGRESSION[loss][1])
    return reduce(fn(target[..., None], input[..., None], **kw), reduction)


# As for the binary losses: the plain class takes the default reduction ('mean', unchanged by the
# mean over the last axis) on any input; with 'none' on 2-D or wider input its output has the shape
# input.shape[:-1], and conformance/checks.py evaluates the canonical gradient too (for the failure
# message), which needs a cotangent of the canonical shape. On 1-D input every reduction works (the
# output is a scalar) and shows the convention: the "(1-D)" paths.
def _declare_keras_regression(loss, cls, fn, params):
    kwargs = " ".join(f"{p}={p}," for p in params)
    own = KERAS_OWN.get(loss, [])
    path(loss, f"keras.losses.{cls}", params=params, conventions=own,
         unsupported_when=KERAS_REFUSES_0D,
         call=f"keras.losses.{cls}({kwargs} dtype=input.dtype.name)(target, input)")(
        lambda input, target, **kw: _keras_regression(loss, input, target, **kw))
    path(loss, f"keras.losses.{cls}(1-D)", params=[*params, "reduction"],
         conventions=MEAN_LAST + own, ndims=[1],
         call=f"keras.losses.{cls}({kwargs} reduction=..., dtype=input.dtype.name)"
              "(target, input)  [1-D input]")(
        lambda input, target, **kw: _keras_regression(loss, input, target, **kw))
    path(loss, f"keras.losses.{cls}[..., None]", kind="composed",
         params=[*params, "reduction", "sample_weight"], conventions=own + KERAS_WEIGHTED,
         call=f"keras.losses.{cls}({kwargs} reduction=..., dtype=input.dtype.name)"
              "(target[..., None], input[..., None], "
              "sample_weight=keras_sample_weight(sample_weight, input.ndim))")(
        lambda input, target, **kw: _keras_regression(loss, input, target, elementwise=True, **kw))
    path(loss, f"keras.losses.{fn}[..., None]", kind="composed", params=[*params, "reduction"],
         conventions=own,
         call=f"reduce(keras.losses.{fn}(target[..., None], input[..., None]"
              f"{''.join(f', {p}={p}' for p in params)}), reduction)")(
        lambda input, target, **kw: _keras_regression_fn(loss, input, target, **kw))


for _loss, (_cls, _fn) in KERAS_REGRESSION.items():
    _declare_keras_regression(_loss, _cls, _fn, ["delta"] if _loss == "huber_loss" else [])


@path("smooth_l1_loss", "keras.losses.Huber(delta=beta)[..., None].div(beta)", kind="composed",
      params=["beta", "reduction"],
      call="keras.losses.Huber(delta=beta, reduction=..., dtype=input.dtype.name)("
           "target[..., None], input[..., None]) / beta; beta = 0: reduce(tf.abs(input - target))")
def smooth_l1_keras_huber(input, target, *, beta, reduction):
    if beta == 0:
        return reduce(tf.abs(input - target), reduction)
    return _keras_regression("huber_loss", input, target, reduction, True, delta=beta) / beta


@path("l1_loss", "tf.abs", kind="composed", params=["reduction"],
      call="reduce(tf.abs(input - target), reduction)")
def l1_tf(input, target, *, reduction):
    return reduce(tf.abs(input - target), reduction)


@path("mse_loss", "tf.math.squared_difference", kind="composed", params=["reduction"],
      call="reduce(tf.math.squared_difference(input, target), reduction)")
def mse_tf(input, target, *, reduction):
    return reduce(tf.math.squared_difference(input, target), reduction)


@path("smooth_l1_loss", "tf.where", kind="composed", params=["beta", "reduction"],
      call="d = tf.abs(input - target); reduce(tf.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * "
           "beta) "
           "if beta > 0 else d, reduction)")
def smooth_l1_tf(input, target, *, beta, reduction):
    d = tf.abs(input - target)
    if beta == 0:
        return reduce(d, reduction)
    return reduce(tf.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


@path("huber_loss", "tf.where", kind="composed", params=["delta", "reduction"],
      call="d = tf.abs(input - target); reduce(tf.where(d <= delta, 0.5 * d**2, "
           "delta * (d - 0.5 * delta)), reduction)")
def huber_tf(input, target, *, delta, reduction):
    d = tf.abs(input - target)
    return reduce(tf.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


@path("log_cosh", "tf.nn.softplus", kind="composed", params=["reduction"],
      call="d = input - target; reduce(d + tf.nn.softplus(-2 * d) - math.log(2), reduction)")
def log_cosh_tf(input, target, *, reduction):
    d = input - target
    return reduce(d + tf.nn.softplus(-2.0 * d) - math.log(2.0), reduction)


@path("mean_absolute_percentage_error", "tf.abs", kind="composed", params=["reduction"],
      call="reduce(100 * tf.abs(input - target) / tf.abs(target), reduction)")
def mape_tf(input, target, *, reduction):
    return reduce(100.0 * tf.abs(input - target) / tf.abs(target), reduction)


@path("mean_squared_logarithmic_error", "tf.math.log1p", kind="composed", params=["reduction"],
      call="reduce(tf.square(tf.math.log1p(input) - tf.math.log1p(target)), reduction)")
def msle_tf(input, target, *, reduction):
    return reduce(tf.square(tf.math.log1p(input) - tf.math.log1p(target)), reduction)


KERAS_REGRESSION_DOC = "https://keras.io/api/losses/regression_losses/"
for p, case, call, seen in (
        ("l1_loss/keras.losses.MeanAbsoluteError(1-D)", "l1_loss/at-zero/none",
         "keras.losses.MeanAbsoluteError(reduction='none', dtype='float64')("
         "[0.5, -1., 1., 0.25, 3.], [0.5, -1., 2.25, 0., 3.])",
         "0.3 (a scalar, the mean over the last axis); canonical [0, 0, 1.25, 0.25, 0]"),
        ("mse_loss/keras.losses.MeanSquaredError(1-D)", "mse_loss/at-zero/none",
         "keras.losses.MeanSquaredError(reduction='none', dtype='float64')("
         "[0.5, -1., 1., 0.25, 3.], [0.5, -1., 2.25, 0., 3.])",
         "0.325 (a scalar); canonical [0, 0, 1.5625, 0.0625, 0]"),
        ("huber_loss/keras.losses.Huber(1-D)", "huber_loss/at-kink-delta-64/none",
         "keras.losses.Huber(delta=64., reduction='sum', dtype='float64')("
         "[0.5, 0.5, 10., 0.], [64.5, -63.5, 10., 40.])",
         "1224.0 = 4896 / 4, the canonical sum divided by input.shape[-1]")):
    saw("keras_bce_mean_over_last_axis", path=p, case=case, call=call, seen=seen,
        versions=SEEN_ON, link=KERAS_REGRESSION_DOC + " (mean_absolute_error: "
        "'loss = mean(abs(y_true - y_pred), axis=-1)'; likewise mean_squared_error, huber)")


# log_cosh, mean_absolute_percentage_error and mean_squared_logarithmic_error: what each Keras
# function does beyond the mean over the last axis, seen on every path that calls it (the plain
# class, which takes the default reduction only, on a case of reduction='mean')
KERAS_SOURCE = "keras/src/losses/losses.py (Keras 3.15.1) "
KERAS_OWN_EVIDENCE = {   # convention: (case, the plain class's case, call, seen, link)
    "keras_log_cosh_subtracts_float32_log2": (
        "log_cosh/small-differences/none", "log_cosh/batch-mean/none",
        "keras.losses.LogCosh(reduction='none', dtype='float64')(target[..., None], "
        "input[..., None]) with input [0., 1e-8, 1e-4, -1e-3, .5], target 0",
        "[-1.9046543e-09, -1.9046542e-09, 3.0953456e-09, 4.9809526e-07, 0.12011450505] "
        "(canonical [0, 5e-17, 5.0e-09, 4.9999992e-07, 0.12011450695]: each 1.9046543e-9 = "
        "float32(log 2) - log 2 low); gradient tanh(d) as canonical; LogCosh(dtype='float64')("
        "zeros((1, 1)), zeros((1, 1))) = -1.904654323148236e-09",
        KERAS_SOURCE + "log_cosh: 'log2 = ops.convert_to_tensor(ops.log(2.0), "
        "dtype=y_pred.dtype)', 'x + ops.softplus(x * -2.0) - log2' (ops.log(2.0) is float32)"),
    "keras_mape_denominator_floored_at_epsilon": (
        "mean_absolute_percentage_error/zero-target/none",
        "mean_absolute_percentage_error/tiny-target-mean/none",
        "keras.losses.MeanAbsolutePercentageError(reduction='none', dtype='float64')("
        "target[..., None], input[..., None]) with input [.5, 0., 1., 2.], target [0., 0., 1e-8, "
        "2.]",
        "[5e8, 0, 9.9999999e8, 0] (canonical [inf, nan, 9.9999999e9, 0]); gradient [1e9, -0, "
        "1e9, -0] (canonical [inf, nan, 1e10, 0])",
        KERAS_SOURCE + "mean_absolute_percentage_error: 'Division by zero is prevented by "
        "dividing by maximum(y_true, epsilon)'; the code divides by ops.maximum(ops.abs(y_true), "
        "epsilon); https://keras.io/api/losses/regression_losses/"),
    "keras_msle_clips_inputs_at_epsilon": (
        "mean_squared_logarithmic_error/negative-in-domain/none",
        "mean_squared_logarithmic_error/negative-in-domain-mean/none",
        "keras.losses.MeanSquaredLogarithmicError(reduction='none', dtype='float64')("
        "target[..., None], input[..., None]) with input [-.5, -.9, .25, 1.], target [.5, -.25, "
        "-.75, 1.]",
        "[0.1644018728, 0, 0.0497929999, 0] (canonical [1.2069489608, 4.0598341822, "
        "2.590290394, 0]); gradient [0, 0, 0.3570295221, 0] (canonical [-4.394, -40.298, 2.575, "
        "0]); on zero-values (input [0, 0, 1, 2, 1e-9], target [0, 3, 0, 2, 1]) the gradient is "
        "[0, 0, 0.6931470806, 0, 0], canonical [0, -2.7726, 0.6931, 0, -1.3863]",
        KERAS_SOURCE + "mean_squared_logarithmic_error: 'Negative values and 0 values will be "
        "replaced with keras.backend.epsilon()'; ops.log(ops.maximum(y_pred, epsilon) + 1.0); "
        "https://keras.io/api/losses/regression_losses/"),
}
for _loss, _convs in KERAS_OWN.items():
    _cls, _fn = KERAS_REGRESSION[_loss]
    for _conv in _convs:
        _case, _plain_case, _call, _seen, _link = KERAS_OWN_EVIDENCE[_conv]
        for _name in (_cls, f"{_cls}(1-D)", f"{_cls}[..., None]", f"{_fn}[..., None]"):
            saw(_conv, path=f"{_loss}/keras.losses.{_name}",
                case=_plain_case if _name == _cls else _case, call=_call, seen=_seen,
                versions=SEEN_ON, link=_link)


# ---------------------------------------------------------------- evidence: Keras masks

# the masked twins of the Keras classes' weighted paths (adapters/tensorflow.py
# derive_keras_mask_paths, which records these once it has declared them): the convention
# keras_masked_mean_divides_by_kept_count, the Keras versions SEEN_ON
KERAS_MASK_EVIDENCE = [
    dict(
        path="l1_loss/keras.losses.MeanAbsoluteError[..., None](masked input, sample_weight=)",
        case="l1_loss/per-sample-mean/none",
        call="keras.losses.MeanAbsoluteError[..., None] (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="2.274780519737939 = sum(w l) / 9, the kept elements of the 12 (reference "
             "2.27478052); without the mask the reference gives 1.70608539 = sum(w l) / 12 and "
             "keras.losses.MeanAbsoluteError[..., None] gives 1.70608539",
    ),
    dict(
        path="mse_loss/keras.losses.MeanSquaredError[..., None](masked input, sample_weight=)",
        case="mse_loss/per-sample-mean/none",
        call="keras.losses.MeanSquaredError[..., None] (this module's call) with reduction='mean' "
             "(Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], dtype float64, "
             "on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="4.751490038100827 = sum(w l) / 9, the kept elements of the 12 (reference "
             "4.751490038); without the mask the reference gives 3.563617529 = sum(w l) / 12 and "
             "keras.losses.MeanSquaredError[..., None] gives 3.563617529",
    ),
    dict(
        path="huber_loss/keras.losses.Huber[..., None](masked input, sample_weight=)",
        case="huber_loss/per-sample-mean/none",
        call="keras.losses.Huber[..., None] (this module's call) with reduction='mean' (Keras "
             "'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], dtype float64, on the "
             "inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="1.671070602405436 = sum(w l) / 9, the kept elements of the 12 (reference "
             "1.671070602); without the mask the reference gives 1.253302952 = sum(w l) / 12 and "
             "keras.losses.Huber[..., None] gives 1.253302952",
    ),
    dict(
        path="log_cosh/keras.losses.LogCosh[..., None](masked input, sample_weight=)",
        case="log_cosh/per-sample-mean/none",
        call="keras.losses.LogCosh[..., None] (this module's call) with reduction='mean' (Keras "
             "'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], dtype float64, on the "
             "inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.34119591677711353 = sum(w l) / 9, the kept elements of the 12 (reference "
             "0.3411959168); without the mask the reference gives 0.2558969376 = sum(w l) / 12 "
             "and keras.losses.LogCosh[..., None] gives 0.2558969376",
    ),
    dict(
        path="mean_absolute_percentage_error/keras.losses.MeanAbsolutePercentageError[..., "
             "None](masked input, sample_weight=)",
        case="mean_absolute_percentage_error/per-sample-mean/none",
        call="keras.losses.MeanAbsolutePercentageError[..., None] (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="128.1478793590129 = sum(w l) / 9, the kept elements of the 12 (reference "
             "128.1478794); without the mask the reference gives 96.11090952 = sum(w l) / 12 and "
             "keras.losses.MeanAbsolutePercentageError[..., None] gives 96.11090952",
    ),
    dict(
        path="mean_squared_logarithmic_error/keras.losses.MeanSquaredLogarithmicError[..., "
             "None](masked input, sample_weight=)",
        case="mean_squared_logarithmic_error/per-sample-mean/none",
        call="keras.losses.MeanSquaredLogarithmicError[..., None] (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.30585869896879964 = sum(w l) / 9, the kept elements of the 12 (reference "
             "0.305858699); without the mask the reference gives 0.2293940242 = sum(w l) / 12 and "
             "keras.losses.MeanSquaredLogarithmicError[..., None] gives 0.2293940242",
    ),
]
