"""Canonical losses of the regression family, and the conventions that concern them.

Target kind "same": input any shape, at least 1-D; target the input's shape, any real values.
d = input - target element by element; 'mean' divides by the number of elements.

The gradient with respect to the input is written with sign(0) = 0, so at d = 0 the gradient of
|d| is 0 (torch.sign, tf.sign, jnp.sign all give 0 there). smooth_l1 and huber have continuous
first derivatives at |d| = beta and |d| = delta (both sides give sign(d) and delta sign(d)), so
those points need no choice.
"""
from __future__ import annotations

import math

import numpy as np

from adapters.definitions import (
    REDUCTION,
    Convention,
    Loss,
    Param,
    SpecError,
    is_number,
    largest_magnitude,
)

BETA = Param(name="beta", default=1.0, domain="a number >= 0 (0 gives the L1 loss)",
             check=lambda v: is_number(v) and v >= 0 and np.isfinite(v))
DELTA = Param(name="delta", default=1.0,
              domain="a number > 0 (torch.nn.HuberLoss rejects 0: the loss would vanish)",
              check=lambda v: is_number(v) and v > 0 and np.isfinite(v))

_ELEMENTS = "the number of elements"


def _check_log1p_domain(inputs, params):
    """log(1 + v) is defined for v > -1 only (both inputs of the squared logarithmic error)."""
    for name in ("input", "target"):
        v = inputs[name]
        if v.size and not np.all(v > -1):
            raise SpecError(f"inputs.{name}", "values must be > -1 (log(1 + v) is undefined at "
                                              "-1 and below)")


def _log1p_magnitude(inputs):
    """The logarithms log(1 + input) and log(1 + target) that the definition subtracts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return largest_magnitude(*(np.log1p(np.asarray(inputs[n], dtype=np.float64))
                                   for n in ("input", "target")))

LOSSES = [
    Loss(name="l1_loss", inputs=("input", "target"), differentiable=("input",), target="same",
         params={"reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = |d|, d = input - target. Gradient: sign(d), 0 at d = 0."),
    Loss(name="mse_loss", inputs=("input", "target"), differentiable=("input",), target="same",
         params={"reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = d^2, d = input - target (no factor 1/2). Gradient: 2 d."),
    Loss(name="smooth_l1_loss", inputs=("input", "target"), differentiable=("input",),
         target="same", params={"beta": BETA, "reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = 0.5 d^2 / beta if |d| < beta, else |d| - 0.5 beta; d = input - target. beta = "
             "0 is the L1 loss |d|. Gradient: d / beta if |d| < beta, else sign(d) (0 at d = 0 "
             "when beta = 0); continuous at |d| = beta. smooth_l1(beta) = huber(delta=beta) / "
             "beta for beta > 0."),
    Loss(name="huber_loss", inputs=("input", "target"), differentiable=("input",),
         target="same", params={"delta": DELTA, "reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = 0.5 d^2 if |d| <= delta, else delta (|d| - 0.5 delta); d = input - target. "
             "Gradient: d if |d| <= delta, else delta sign(d); continuous at |d| = delta."),
    Loss(name="log_cosh", inputs=("input", "target"), differentiable=("input",), target="same",
         params={"reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = log(cosh(d)), d = input - target: about d^2 / 2 for small |d| and |d| - log 2 "
             "for large |d| (cosh overflows float64 beyond |d| = 710, float32 beyond 89: a "
             "stable form is |d| - log 2 + log1p(exp(-2 |d|)), or logaddexp(d, -d) - log 2). "
             "Gradient: tanh(d), 0 at d = 0, +-1 at large |d|. Always >= 0, 0 only at d = 0.",
         # the stable forms subtract log 2 from about log 2 + d^2 / 2
         cancels=lambda inputs: math.log(2.0)),
    Loss(name="mean_absolute_percentage_error", inputs=("input", "target"),
         differentiable=("input",), target="same", params={"reduction": REDUCTION},
         mean_divisor=_ELEMENTS,
         doc="l = 100 |d| / |target|, d = input - target (a percentage of the target; Keras's "
             "mean_absolute_percentage_error with input as y_pred, target as y_true). At "
             "target = 0 it is undefined: |d| / 0 = inf, and 0 / 0 = nan where input = target "
             "= 0 too (Keras floors the denominator instead: its convention). Gradient: "
             "100 sign(d) / |target| (0 at d = 0, sign(0) = 0)."),
    Loss(name="mean_squared_logarithmic_error", inputs=("input", "target"),
         differentiable=("input",), target="same", params={"reduction": REDUCTION},
         mean_divisor=_ELEMENTS,
         doc="l = (log(1 + input) - log(1 + target))^2 (log1p), for input and target > -1. "
             "Gradient: 2 (log(1 + input) - log(1 + target)) / (1 + input).",
         check=_check_log1p_domain, values={"input": "nonneg", "target": "nonneg"},
         cancels=_log1p_magnitude),
]

CONVENTIONS = [
    Convention(name="sklearn_mape_is_a_fraction", losses=("mean_absolute_percentage_error",),
               description="sklearn.metrics.mean_absolute_percentage_error returns |d| / |target| "
                           "without the factor 100: 0.25 where the percentage is 25 (its "
                           "docstring: 'not in the [0, 100] range')"),
    Convention(name="sklearn_mape_denominator_floored_at_float64_eps",
               losses=("mean_absolute_percentage_error",),
               description="the denominator is max(|target|, np.finfo(float64).eps = 2.22e-16): "
                           "finite (|d| / 2.22e-16) where the definition is inf at target 0, "
                           "and 0 where input = target = 0 (the definition's 0/0 is nan)"),
    # JAX: seen by families/regression/jax_optax.py
    Convention(name="jax_abs_grad_at_0_is_1",
               losses=("l1_loss", "smooth_l1_loss", "mean_absolute_percentage_error"),
               description="jnp.abs (lax.abs) differentiates |d| as select(d >= 0, 1, -1), so at "
                           "d = input - target = 0 (also -0.0) the gradient of |d| is +1 instead "
                           "of sign(0) = 0: l1_loss, and smooth_l1_loss with beta = 0, get +1 "
                           "times the upstream gradient there (the values are right); "
                           "mean_absolute_percentage_error, 100 |d| / |target|, gets 100 / "
                           "|target| there"),
    # Keras: seen by families/regression/tensorflow.py
    Convention(name="keras_log_cosh_subtracts_float32_log2", losses=("log_cosh",),
               description="keras.losses.log_cosh computes d + softplus(-2 d) - log 2 with log 2 "
                           "taken as ops.log(2.0), a float32 tensor, cast to the computation "
                           "dtype: it subtracts float32(log 2) = 0.6931471824645996 instead of "
                           "0.6931471805599453, so in float64 every element is 1.9e-9 low "
                           "(-1.9e-9 at d = 0, where log cosh is 0); gradients as canonical; "
                           "in float32 and narrower that is the dtype's own rounding"),
    Convention(name="keras_mape_denominator_floored_at_epsilon",
               losses=("mean_absolute_percentage_error",),
               description="keras.losses.mean_absolute_percentage_error divides by "
                           "maximum(|target|, 1e-7) (keras.config.epsilon(), in the computation "
                           "dtype): where |target| < 1e-7 it gives 100 |d| / 1e-7 = 1e9 |d| "
                           "(finite, 0 where input = target = 0) instead of 100 |d| / |target| "
                           "(inf or nan at target = 0), and the gradient 1e9 sign(d)"),
    Convention(name="keras_msle_clips_inputs_at_epsilon",
               losses=("mean_squared_logarithmic_error",),
               description="keras.losses.mean_squared_logarithmic_error takes log(maximum(v, "
                           "1e-7) + 1) of input and target (epsilon as a float32 tensor, "
                           "float32(1e-7) = 1.0000000116860974e-7): values below 1e-7, 0 and "
                           "negative ones in (-1, 0) included, count as 1e-7, and the gradient "
                           "with respect to such an input is 0 (canonical 2 (log1p(input) - "
                           "log1p(target)) / (1 + input))"),
]

# Keras's MeanAbsoluteError, MeanSquaredError, Huber, LogCosh, MeanAbsolutePercentageError and
# MeanSquaredLogarithmicError average over the last axis like its BCE
EXTENDS = {"keras_bce_mean_over_last_axis": ("l1_loss", "mse_loss", "huber_loss",
                                             "smooth_l1_loss", "log_cosh",
                                             "mean_absolute_percentage_error",
                                             "mean_squared_logarithmic_error")}
# ... and their classes take sample weights as Keras's binary ones do (classification's spec)
_KERAS_CLASSES = ("l1_loss", "mse_loss", "huber_loss", "log_cosh", "mean_absolute_percentage_error",
                  "mean_squared_logarithmic_error")
EXTENDS["keras_weighted_mean_divides_by_given_weights"] = _KERAS_CLASSES
EXTENDS["keras_mean_of_nothing_is_0"] = _KERAS_CLASSES
# ... and a Keras mask on y_pred divides their default mean by the kept count
EXTENDS["keras_masked_mean_divides_by_kept_count"] = _KERAS_CLASSES
# sklearn.metrics' regression metrics average with np.average(weights=sample_weight)
EXTENDS["sklearn_average_divides_by_sample_weight_sum"] = (
    "l1_loss", "mse_loss", "mean_absolute_percentage_error", "mean_squared_logarithmic_error")
