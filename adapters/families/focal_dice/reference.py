"""Reference values and gradients of the focal_dice family (see spec.py beside this file), in
float64 NumPy.

PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see adapters/reference.py.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import KERAS_EPSILON
from adapters.numerics import sigmoid, softplus

from .spec import dice_axes

PARTS = {}


# ---------------------------------------------------------------- sigmoid_focal_loss

def _alpha_t(y, alpha, conv):
    if alpha < 0 and "focal_negative_alpha_not_ignored" not in conv:
        return np.ones_like(y)
    return alpha * y + (1 - alpha) * (1 - y)


def _sigmoid_focal_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    alpha, gamma = float(p["alpha"]), float(p["gamma"])
    s, s_neg = sigmoid(x), sigmoid(-x)
    ce = y * softplus(-x) + (1 - y) * softplus(x)
    q = y * s_neg + (1 - y) * s               # 1 - p_t without cancellation
    a = _alpha_t(y, alpha, conv)
    factor = np.power(q, gamma)               # 0^0 = 1: gamma = 0 is the weighted BCE
    elements = a * factor * ce
    # d q / dx = (1 - 2y) s (1 - s); gamma q^(gamma-1) s (1 - s) = gamma q^gamma (s (1-s) / q),
    # and s (1 - s) / q <= 1, so the first term goes to 0 with q: its limit where q is 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(q > 0, s * s_neg / np.where(q > 0, q, 1.0), 0.0)
    first = gamma * factor * ratio * (1 - 2 * y) * ce if gamma > 0 else np.zeros_like(x)
    local = a * (first + factor * (s - y))
    # the frameworks' pow(1 - p_t, gamma) sees 1 - p_t computed by subtraction
    pow_zero = (1 - (s * y + (1 - s) * (1 - y))) == 0
    if "focal_pow_grad_nan_where_p_t_is_1" in conv and 0 < gamma < 1:
        local = np.where(pow_zero, np.nan, local)
    if "keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0" in conv and gamma == 0:
        local = np.where(pow_zero, np.nan, local)

    def vjp(u):
        return {"input": local * u}
    return elements, vjp, x.size


PARTS["sigmoid_focal_loss"] = _sigmoid_focal_loss


# ---------------------------------------------------------------- soft_dice_loss

def _soft_dice_loss(inputs, p, conv):
    x, t = inputs["input"], inputs["target"]
    axes = dice_axes(x.ndim, p["sum_over"])
    smooth = float(p["smooth"])
    num_smooth = den_smooth = smooth
    if "optax_dice_smooth_doubled" in conv:
        num_smooth = den_smooth = 2 * smooth
    if "keras_dice_epsilon_in_denominator_only" in conv:
        num_smooth, den_smooth = 0.0, KERAS_EPSILON
    inter = np.sum(x * t, axis=axes, keepdims=True)
    den = np.sum(x, axis=axes, keepdims=True) + np.sum(t, axis=axes, keepdims=True) + den_smooth
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = (2 * inter + num_smooth) / den      # 0/0 = nan only when smooth is 0
        local = (dice - 2 * t) / den               # d(1 - dice)/dp, laid out like the input
    squeeze = (lambda a: np.squeeze(a, axis=axes)) if axes else (lambda a: a)
    elements = squeeze(1 - dice)

    def vjp(u):
        return {"input": local * np.expand_dims(u, axes) if axes else local * u}
    return elements, vjp, elements.size


PARTS["soft_dice_loss"] = _soft_dice_loss


# Central differences (h = 1e-4) cannot follow the Dice at an empty mask: there l = 1 - s / (P + s)
# with s = smooth = 1e-6 changes on the scale s, 100 times smaller than h (and P < 0 on one side).
_FD_EMPTY_MASK = ("at the empty mask (sample 0, class 1: P = T = 0) the loss 1 - s / (P + s) has "
                  "curvature on the scale s = smooth = 1e-6, far below the step h = 1e-4, and P < "
                  "0 "
                  "on one side: differences give -44.75 (mean) and -416.0 (none, seeded cotangent) "
                  "per entry where the analytic gradient is 1.667e5 = 1 / s / 6 and 1.549e6; every "
                  "other entry agrees")
KNOWN_FAILURES = {
    "soft_dice_loss": {"gradient:empty-mask-none-float64": _FD_EMPTY_MASK,
                       "gradient:empty-mask-mean-float64": _FD_EMPTY_MASK},
}
