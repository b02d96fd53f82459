"""TensorFlow/Keras paths of the regression family (spec.py beside this file): l1, mse,
smooth_l1, huber.
"""
from __future__ import annotations

from adapters.tensorflow import (
    KERAS_REDUCTION,
    SEEN_ON,
    adapter,
    keras,
    path,
    reduce,
    tf,
)

saw = adapter.saw

# ---------------------------------------------------------------- l1, mse, smooth_l1, huber
# keras.losses.MeanAbsoluteError, MeanSquaredError and Huber (and their functions) average the
# elementwise loss over the last axis: keras_bce_mean_over_last_axis. The "[..., None]" paths add a
# last axis of size 1, so that mean changes nothing and the result is canonical.

MEAN_LAST = ["keras_bce_mean_over_last_axis"]
KERAS_REGRESSION = {"l1_loss": ("MeanAbsoluteError", "mean_absolute_error"),
                    "mse_loss": ("MeanSquaredError", "mean_squared_error"),
                    "huber_loss": ("Huber", "huber")}


def _keras_regression(loss, input, target, reduction="mean", elementwise=False, **kw):
    cls = getattr(keras.losses, KERAS_REGRESSION[loss][0])
    if elementwise:
        input, target = input[..., None], target[..., None]
    return cls(reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name, **kw)(target, input)


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
    path(loss, f"keras.losses.{cls}", params=params,
         call=f"keras.losses.{cls}({kwargs} dtype=input.dtype.name)(target, input)")(
        lambda input, target, **kw: _keras_regression(loss, input, target, **kw))
    path(loss, f"keras.losses.{cls}(1-D)", params=[*params, "reduction"], conventions=MEAN_LAST,
         ndims=[1], call=f"keras.losses.{cls}({kwargs} reduction=..., dtype=input.dtype.name)"
                         "(target, input)  [1-D input]")(
        lambda input, target, **kw: _keras_regression(loss, input, target, **kw))
    path(loss, f"keras.losses.{cls}[..., None]", kind="composed", params=[*params, "reduction"],
         call=f"keras.losses.{cls}({kwargs} reduction=..., dtype=input.dtype.name)"
              "(target[..., None], input[..., None])")(
        lambda input, target, **kw: _keras_regression(loss, input, target, elementwise=True, **kw))
    path(loss, f"keras.losses.{fn}[..., None]", kind="composed", params=[*params, "reduction"],
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

