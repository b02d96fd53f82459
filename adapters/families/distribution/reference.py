"""Reference values and gradients of the distribution family (see spec.py beside this file), in
float64 NumPy.

PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see adapters/reference.py.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import KERAS_EPSILON
from adapters.numerics import input_vjp

PARTS = {}


def _kl_div(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    if "keras_kl_divergence_clipped_to_epsilon" in conv:    # probabilities t and q = exp(x)
        t, q = np.clip(y, KERAS_EPSILON, 1.0), np.exp(x)
        inside = (q >= KERAS_EPSILON) & (q <= 1.0)
        elements = t * (np.log(t) - np.log(np.clip(q, KERAS_EPSILON, 1.0)))
        return _kl_rows(elements, -t * inside, x, conv)
    as_computed = "kl_div_zero_target_on_infinite_log_ratio_is_nan" in conv or (
        "paddle_kl_div_log_target_neg_inf_is_nan" in conv and p["log_target"])
    with np.errstate(divide="ignore", invalid="ignore"):
        if p["log_target"]:
            q = np.exp(y)
            raw = q * (y - x)                   # 0 * inf = nan where y = -inf (and x = -inf)
            elements, local = raw if as_computed else np.where(q > 0, raw, 0.0), -q
        else:
            log_y = np.log(np.where(y > 0, y, 1.0))
            raw = np.where(y > 0, y * log_y, 0.0) - y * x   # 0 * -inf = nan at y = 0, x = -inf
            elements = raw if as_computed else np.where(y > 0, y * (log_y - x), 0.0)
            local = -y
    return _kl_rows(elements, local, x, conv)


def _kl_rows(elements, local, x, conv):
    divisor = x.size
    if conv & {"optax_kl_divergence_sums_over_last_axis", "keras_kl_divergence_mean_per_row"}:
        elements = elements.sum(axis=-1)     # optax: the divisors stay x.size and x.shape[0]
        vjp = input_vjp(local, -1)
    else:
        vjp = input_vjp(local)
    if "keras_kl_divergence_mean_per_row" in conv:
        divisor = x.size // x.shape[-1]      # sum_over_batch_size: the number of rows
    return elements, vjp, divisor


def _generalized_kl_divergence(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    as_computed = "kl_div_zero_target_on_infinite_log_ratio_is_nan" in conv
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = np.exp(x)
        log_y = np.log(np.where(y > 0, y, 1.0))
        raw = np.where(y > 0, y * log_y, 0.0) - y * x    # 0 * -inf = nan at y = 0, x = -inf
        divergence = raw if as_computed else np.where(y > 0, y * (log_y - x), 0.0)
        elements = divergence + q - y
    return _kl_rows(elements, q - y, x, conv)


PARTS["kl_div"] = _kl_div
PARTS["generalized_kl_divergence"] = _generalized_kl_divergence
