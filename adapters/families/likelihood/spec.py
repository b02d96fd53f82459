"""Canonical losses of the likelihood family, and the conventions that concern them only.

Negative log-likelihood regression losses, element by element like the regression family:

    poisson_nll_loss   input (any shape, at least 1-D): the rate, or its log (log_input);
                       target of the input's shape: counts >= 0 (need not be integers)
    gaussian_nll_loss  input: the mean; target: the input's shape, or the input's shape with one
                       dimension 1; var: the input's shape, input.shape[:-1] (one variance per
                       row), or the input's shape with one dimension 1 (homoscedastic)

'mean' divides by the number of elements of the unreduced loss (the input's shape).
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import (
    REDUCTION,
    Convention,
    Loss,
    Param,
    SpecError,
    check_at_least_1d,
    check_same_shape,
    check_value_domain,
    is_bool,
    is_number,
    largest_magnitude,
)


def _positive(v) -> bool:
    return is_number(v) and 0 < v < np.inf


LOG_INPUT = Param(name="log_input", default=True, domain="a bool: the input is the log of the "
                                                         "Poisson rate", check=is_bool)
POISSON_FULL = Param(name="full", default=False, domain="a bool: add the Stirling term where "
                                                        "target > 1", check=is_bool)
POISSON_EPS = Param(name="eps", default=1e-8, domain="a finite number > 0, added to the rate "
                                                     "inside the log when "
                                 "log_input is false", check=_positive)
GAUSSIAN_FULL = Param(name="full", default=False, domain="a bool: add the constant 0.5 log(2 pi)",
                      check=is_bool)
GAUSSIAN_EPS = Param(name="eps", default=1e-6, domain="a finite number > 0: var is clamped from "
                                                      "below at eps",
                     check=_positive)


def _one_dim_is_1(shape, like) -> bool:
    """Same rank as `like`, equal to it except in exactly one dimension, where it is 1."""
    if len(shape) != len(like):
        return False
    differ = [(a, b) for a, b in zip(shape, like, strict=True) if a != b]
    return len(differ) == 1 and differ[0][0] == 1


def _check_poisson(inputs, params):
    x, y = inputs["input"], inputs["target"]
    check_at_least_1d("input", x)
    check_same_shape(y, x)
    check_value_domain("inputs.target", not y.size or bool(np.all(y >= 0)),
                       "Poisson counts must be >= 0")
    if not params["log_input"] and x.size and not np.all(x >= 0):
        raise SpecError("inputs.input", "with log_input false the input is a rate and must be >= 0")


def var_layout(var_shape, input_shape) -> str:
    """How var lines up with the input (PyTorch's rules, in its order): 'same', 'per_row'
    (input.shape[:-1], unsqueezed at the end) or 'one_dim_1'; '' when it fits none."""
    var_shape, input_shape = tuple(var_shape), tuple(input_shape)
    if var_shape == input_shape:
        return "same"
    if var_shape == input_shape[:-1]:
        return "per_row"
    if _one_dim_is_1(var_shape, input_shape):
        return "one_dim_1"
    return ""


def _check_gaussian(inputs, params):
    x, t, v = inputs["input"], inputs["target"], inputs["var"]
    check_at_least_1d("input", x)
    if t.shape != x.shape and not _one_dim_is_1(t.shape, x.shape):
        raise SpecError("inputs.target", f"shape {t.shape} must be the input's {x.shape}, or "
                                         "that with one dimension 1")
    if not var_layout(v.shape, x.shape):
        raise SpecError("inputs.var", f"shape {v.shape} fits none of: the input's {x.shape}; "
                                      f"{x.shape[:-1]} (one variance per row); the input's with "
                                      "one dimension 1")
    if v.size and not np.all(v >= 0):
        raise SpecError("inputs.var", "variances must be >= 0 (torch raises 'var has negative "
                                      "entry/entries')")


_ELEMENTS = "the number of elements (of the input)"

LOSSES: list[Loss] = []

def _rate_times_target(inputs) -> float:
    """y log(rate + eps): the rate rounded near 1 (an ulp of 1) times the target y."""
    return largest_magnitude(inputs["target"])


LOSSES.append(Loss(
    name="poisson_nll_loss", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"log_input": LOG_INPUT, "full": POISSON_FULL, "eps": POISSON_EPS,
            "reduction": REDUCTION},
    mean_divisor=_ELEMENTS,
    doc="Target y >= 0 (counts). log_input: l = exp(x) - y x (x the log-rate); otherwise "
    "l = x - y log(x + eps) (x >= 0 the rate). full adds the Stirling approximation of log(y!), "
    "y log y - y + 0.5 log(2 pi y), only where y > 1 (0 is added where y <= 1, so y = 1 adds 0, "
    "not the -0.0811 the formula gives; the term jumps there), as PyTorch documents. Gradient "
    "(input only; the target is data): exp(x) - y, or 1 - y / (x + eps); the Stirling term does "
    "not depend on the input. Not differentiated with respect to the target: torch's target "
    "gradient with full=True is nan at y = 0 (0 log 0).",
    check=_check_poisson, values={"target": "nonneg"}, cancels=_rate_times_target))

LOSSES.append(Loss(
    name="gaussian_nll_loss", inputs=("input", "target", "var"),
    differentiable=("input", "target", "var"), target="other",
    params={"full": GAUSSIAN_FULL, "eps": GAUSSIAN_EPS, "reduction": REDUCTION},
    mean_divisor=_ELEMENTS,
    doc="v = max(var, eps) (var broadcast to the input: one per row when var has the shape "
    "input.shape[:-1]), d = input - target; l = 0.5 (log v + d^2 / v), plus 0.5 log(2 pi) when "
    "full. Gradients: d / v (input), -d / v (target, summed over a broadcast dimension), "
    "0.5 (1 / v - d^2 / v^2) where var >= eps and 0 where var < eps (the clamp is constant "
    "there), summed over broadcast dimensions (var). At var == eps exactly the derivative of the "
    "unclamped branch is taken (var = eps is a valid variance; torch.clamp and tf.maximum do the "
    "same). The target is differentiable: it is a real-valued sample and every framework "
    "differentiates it.",
    check=_check_gaussian,
    layouts=({"input": "D", "target": "D", "var": "D"},
             {"input": "N D", "target": "N D", "var": "N D"},
             {"input": "N D", "target": "N D", "var": "N"},
             {"input": "N D", "target": "N D", "var": "N 1"},
             {"input": "N D", "target": "N 1", "var": "1 D"}),
    values={"var": "nonneg"}))

# Keras averages the Poisson loss over the last axis like its other losses.
EXTENDS = {"keras_bce_mean_over_last_axis": ("poisson_nll_loss",)}

# ... and their Keras classes take sample_weight= as Keras's cross-entropies do (classification's
# spec)
_KERAS_WEIGHTED = ("poisson_nll_loss",)
EXTENDS["keras_weighted_mean_divides_by_given_weights"] = _KERAS_WEIGHTED
EXTENDS["keras_mean_of_nothing_is_0"] = _KERAS_WEIGHTED
# ... and a Keras mask on y_pred divides its default mean by the kept count
EXTENDS["keras_masked_mean_divides_by_kept_count"] = _KERAS_WEIGHTED

CONVENTIONS = [
    Convention(name="torch_gaussian_nll_var_clamp_passes_gradient", losses=("gaussian_nll_loss",),
               description="var is clamped at eps on a clone under torch.no_grad, so autograd "
                           "treats the "
               "clamp as the identity: where var < eps the gradient with respect to var is "
               "0.5 (1 / eps - d^2 / eps^2) (the unclamped derivative at the clamped value) "
               "instead of 0; values are canonical"),
    Convention(name="paddle_gaussian_nll_var_not_differentiated", losses=("gaussian_nll_loss",),
               description="paddle.nn.functional.gaussian_nll_loss clamps the variance at "
                           "epsilon with clip_ under paddle.no_grad on a clone, and that cuts "
                           "the variance out of the graph: the gradient with respect to var is 0 "
                           "everywhere (paddle.grad without allow_unused raises 'does not appear "
                           "in the backward graph'); input and target gradients and the values "
                           "are right"),
    Convention(name="jax_maximum_grad_at_tie_is_half", losses=("gaussian_nll_loss",),
               description="jnp.maximum (and jnp.clip) split the gradient evenly between equal "
                           "arguments, so "
               "where var == eps exactly, max(var, eps) passes half the gradient to var: "
               "0.25 (1 / eps - d^2 / eps^2) instead of 0.5 (1 / eps - d^2 / eps^2); values are "
               "canonical"),
    Convention(name="keras_poisson_log_rate_plus_epsilon", losses=("poisson_nll_loss",),
               description="keras.losses.Poisson computes l = r - y log(r + 1e-7) on the rate r "
               "(keras.config.epsilon(); it takes no eps argument): with log_input=False eps is "
               "1e-7 whatever is asked (1e-8 by default); fed r = exp(input) for log_input=True, "
               "log(exp(x) + 1e-7) replaces x, different where exp(x) is not >> 1e-7 (x = -20, "
               "y = 1: 16.098 instead of 20.000) and with gradient exp(x) (1 - y / (exp(x) + "
               "1e-7))"),
]
