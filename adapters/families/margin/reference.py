"""Reference values and gradients of the margin family (see spec.py beside this file), in
float64 NumPy.

PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see adapters/reference.py.
The hinge max(0, z) counts as active only where z > 0: its gradient at z = 0 is 0.
"""
from __future__ import annotations

import numpy as np

from adapters.numerics import input_vjp, sigmoid, softplus

PARTS = {}


# ---------------------------------------------------------------- soft_margin_loss

# convention -> the dtype whose exp overflows (torch's log1p(exp(z)) in that dtype)
_TORCH_EXP_DTYPE = {"torch_soft_margin_exp_overflows": np.float64,
                    "torch_soft_margin_exp_overflows_float32": np.float32,
                    "torch_soft_margin_exp_overflows_float16": np.float16}
TORCH_SOFTPLUS_THRESHOLD = 20.0   # torch.nn.functional.softplus(threshold=20)


def _exp_overflows(z, dtype):
    with np.errstate(over="ignore"):
        return ~np.isfinite(np.exp(z.astype(dtype)))


def _soft_margin_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    z = -y * x
    elements = softplus(z)
    d = -y * sigmoid(z)
    if "torch_softplus_linear_above_20" in conv:
        linear = z > TORCH_SOFTPLUS_THRESHOLD
        elements, d = np.where(linear, z, elements), np.where(linear, -y, d)
    for name, dtype in _TORCH_EXP_DTYPE.items():
        if name in conv:
            over = _exp_overflows(z, dtype)
            elements, d = np.where(over, np.inf, elements), np.where(over, np.nan, d)
    return elements, lambda u: {"input": d * u}, x.size


PARTS["soft_margin_loss"] = _soft_margin_loss


# ---------------------------------------------------------------- multilabel_soft_margin_loss

def _rows(a):
    """(C,) -> (1, C); (N, C) unchanged. Per-sample results are reshaped back by `_unrow`."""
    return a[None] if a.ndim == 1 else a


def _unrow(elements, x):
    return elements[0] if x.ndim == 1 else elements


def _class_weight(p, c):
    return np.ones(c) if p["weight"] is None else np.asarray(p["weight"], dtype=np.float64)


def _multilabel_soft_margin_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    c = x.shape[-1]
    w = _class_weight(p, c)
    per_class = w * (y * softplus(-x) + (1 - y) * softplus(x))
    elements = per_class.sum(axis=-1) / c
    d = w * (sigmoid(x) - y) / c

    def vjp(u):
        return {"input": d * np.expand_dims(u, -1)}
    return elements, vjp, elements.size


PARTS["multilabel_soft_margin_loss"] = _multilabel_soft_margin_loss


# ---------------------------------------------------------------- multi_margin_loss

def _multi_margin_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    xs, ys = _rows(x), np.atleast_1d(y)
    n, c = xs.shape
    power, margin = int(p["p"]), float(p["margin"])
    w_y = _class_weight(p, c)[ys]
    x_y = np.take_along_axis(xs, ys[:, None], axis=1)
    z = margin - x_y + xs
    others = np.arange(c)[None, :] != ys[:, None]
    # the gradient at z = 0 is 0 (or the whole slope, hinge_kink_grad_active)
    active = others & ((z >= 0) if "hinge_kink_grad_active" in conv else (z > 0))
    hinge = np.where(active, z, 0.0)
    elements = w_y * np.sum(hinge ** power, axis=1) / c
    if "paddle_multi_margin_subtracts_margin_term" in conv:
        subtracted = float(np.float32(margin ** power) / np.float32(c))
        elements = elements + w_y * (max(margin, 0.0) ** power / c - subtracted)
    d = w_y[:, None] * power * np.where(active, hinge ** (power - 1), 0.0) / c   # d l / d x_i
    d_y = -np.sum(d, axis=1)

    def vjp(u):
        g = d * np.reshape(u, (n, 1))
        np.put_along_axis(g, ys[:, None], (d_y * np.reshape(u, (n,)))[:, None], axis=1)
        return {"input": g.reshape(x.shape)}
    return elements.reshape(y.shape), vjp, n     # (N,), or () / (1,) for one sample


PARTS["multi_margin_loss"] = _multi_margin_loss


# ---------------------------------------------------------------- multilabel_margin_loss

def _target_counts(ys, c):
    """How often each class is listed before the first -1 of its row: (N, C)."""
    listed = np.cumprod(ys >= 0, axis=1).astype(bool)   # entries before the first -1
    counts = np.zeros(ys.shape[:1] + (c,))
    rows = np.nonzero(listed)
    np.add.at(counts, (rows[0], ys[rows]), 1.0)
    return counts


def _multilabel_margin_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    xs, ys = _rows(x), _rows(y)
    n, c = xs.shape
    counts = _target_counts(ys, c)
    is_target = counts > 0
    # each target j weighs once (the set T), or as often as listed under the torch convention
    mult = counts if "torch_multilabel_margin_duplicate_targets_counted" in conv \
        else is_target.astype(np.float64)
    z = 1.0 - xs[:, :, None] + xs[:, None, :]          # z[n, j, i] = 1 - x[j] + x[i]
    pair = mult[:, :, None] * ~is_target[:, None, :]    # j in T, i not in T
    # the gradient at z = 0 is 0 (or half of it, hinge_kink_grad_half)
    kink = 0.5 if "hinge_kink_grad_half" in conv else 0.0
    active = pair * np.where(z > 0, 1.0, np.where(z == 0, kink, 0.0))
    elements = np.sum(np.where(active > 0, active * z, 0.0), axis=(1, 2)) / c
    d = (np.sum(active, axis=1) - np.sum(active, axis=2)) / c   # +1/C to x[i], -1/C to x[j]

    def vjp(u):
        return {"input": (d * np.reshape(u, (n, 1))).reshape(x.shape)}
    return _unrow(elements, x), vjp, n


PARTS["multilabel_margin_loss"] = _multilabel_margin_loss



# ---------------------------------------------------------------- perceptron_loss

def _perceptron_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    z = -y * x
    if "hinge_kink_grad_half" in conv:       # jnp.maximum(0, z) splits the tie at z = 0
        slope = np.where(z == 0, 0.5, (z > 0).astype(np.float64))
    else:                                    # canonical: inactive at exactly z = 0
        slope = (z > 0).astype(np.float64)
    return np.maximum(z, 0.0), input_vjp(-y * slope), x.size


PARTS["perceptron_loss"] = _perceptron_loss


# ---------------------------------------------------------------- the max over the classes

def _one_hot(ys, c):
    return (np.arange(c)[None, :] == ys[:, None]).astype(np.float64)


def _max_minus_target(scores, xs, ys):
    """max_k scores[k] - x[y] per row, and its gradient with respect to x: 1/m to each of the m
    classes attaining the max (ties share it equally), minus 1 at the target. `scores` differs
    from x by constants only, so d scores / d x is the identity."""
    top = np.max(scores, axis=1, keepdims=True)
    tied = (scores == top).astype(np.float64)
    e_y = _one_hot(ys, xs.shape[1])
    elements = top[:, 0] - np.sum(xs * e_y, axis=1)
    return elements, tied / np.sum(tied, axis=1, keepdims=True) - e_y


def _multiclass_perceptron_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    xs, ys = _rows(x), np.atleast_1d(y)
    elements, local = _max_minus_target(xs, xs, ys)
    return _unrow(elements, x), input_vjp(local.reshape(x.shape), -1), xs.shape[0]


PARTS["multiclass_perceptron_loss"] = _multiclass_perceptron_loss


def _multiclass_hinge_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    xs, ys = _rows(x), np.atleast_1d(y)
    augmented = xs + 1.0 - _one_hot(ys, xs.shape[1])     # x[k] + 1[k != y]
    elements, local = _max_minus_target(augmented, xs, ys)
    return _unrow(elements, x), input_vjp(local.reshape(x.shape), -1), xs.shape[0]


PARTS["multiclass_hinge_loss"] = _multiclass_hinge_loss


# ---------------------------------------------------------------- sparsemax_loss

def _sparsemax_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    sign = 1.0 - 2.0 * y                 # z = -x for y = 1, x for y = 0
    z = sign * x
    with np.errstate(over="ignore"):     # the unused branch (z + 1)^2 / 4 may overflow
        elements = np.where(z <= -1.0, 0.0, np.where(z >= 1.0, z, (z + 1.0) ** 2 / 4.0))
    sparse_sigmoid = np.clip((z + 1.0) / 2.0, 0.0, 1.0)    # d sparse_plus / dz, continuous
    return elements, input_vjp(sign * sparse_sigmoid), x.size


PARTS["sparsemax_loss"] = _sparsemax_loss


# ---------------------------------------------------------------- multiclass_sparsemax_loss

def sparsemax(xs):
    """Row-wise Euclidean projection onto the probability simplex, (N, C) -> (N, C): Martins and
    Astudillo, 'From Softmax to Sparsemax', ICML 2016, Algorithm 1. Sort each row descending
    (u), k(x) = max{k in 1..C : 1 + k u_k > sum_{j <= k} u_j}, tau = (sum_{j <= k(x)} u_j - 1) /
    k(x), p = max(x - tau, 0). Also returns tau.

    Computed on x - max(x) (sparsemax(x + c) = sparsemax(x), tau moves by c): at scores of 1e30,
    (sum u - 1) / k on x itself rounds the 1 away and tau to x (p = 0 for a single class, found
    by fuzzing); the shifted scores keep it."""
    n, c = xs.shape
    top = np.max(xs, axis=1, keepdims=True)
    z = xs - top
    u = -np.sort(-z, axis=1)
    partial = np.cumsum(u, axis=1)
    k = np.arange(1, c + 1)
    k_x = np.max(np.where(1.0 + k * u > partial, k, 1), axis=1)   # k = 1 always qualifies
    tau = (partial[np.arange(n), k_x - 1] - 1.0) / k_x
    return np.maximum(z - tau[:, None], 0.0), tau + top[:, 0]


def _multiclass_sparsemax_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    xs, ys = _rows(x), np.atleast_1d(y)
    prob, _ = sparsemax(xs)
    x_y = np.take_along_axis(xs, ys[:, None], axis=1)
    # -x[y] + (1/2) sum_{j in S} (x_j^2 - tau^2) + 1/2 (Martins and Astudillo, eq. 18), written
    # as p . (x - x[y]) + (1 - ||p||^2) / 2 (equal, as sum_S p_j (x_j - tau) = ||p||^2 and sum p =
    # 1), which subtracts scores before squaring anything: no overflow at scores of 1e200
    elements = np.sum(prob * (xs - x_y), axis=1) + 0.5 * (1.0 - np.sum(prob * prob, axis=1))
    local = prob - _one_hot(ys, xs.shape[1])        # Proposition 2: sparsemax(x) - e_y
    return _unrow(elements, x), input_vjp(local.reshape(x.shape), -1), xs.shape[0]


PARTS["multiclass_sparsemax_loss"] = _multiclass_sparsemax_loss

# Central differences (h = 2^-14, checks.finite_difference) straddling an exact kink of max(0, z)
# return the mean of the two one-sided slopes, where the analytic gradient takes the inactive side
# (0), as torch, tf.nn.relu and jax.nn.relu do. The at-kink cases exist to pin that choice.
_HALF_SLOPE = ("central differences straddle the exact kink z = 0 of max(0, z) and give half the "
               "active slope (seen {seen} by differences where the analytic gradient is 0, the "
               "inactive side that torch, tf.nn.relu and jax.nn.relu take)")
_THREE_WAY = ("at a maximum attained by three classes, central differences move one class at a "
              "time and see the one-sided slopes 1 and 0 averaged: 1/2 to each tied class (seen "
              "[-0.5, 0.5, 0.5] for row 0, cotangent 1), where the canonical gradient shares the "
              "tie equally, 1/3 each ([-2/3, 1/3, 1/3], as jnp.max, tf.reduce_max and torch.amax)")
KNOWN_FAILURES = {
    "multi_margin_loss": {
        "gradient:at-kink-float64": _HALF_SLOPE.format(
            seen="0.1936657 for x[1, 0] and -0.0143526 for x[0, 1]"),
        "gradient:at-kink-p2-float64": (
            "max(0, z)^2 has the continuous gradient 0 at z = 0, but central differences give "
            "(h^2 / 2h) / C = 2^-15 / 4 = 7.63e-6 there (seen 7.62939453e-06 for x[0, 1]), above "
            "the finite-difference atol 1e-7"),
    },
    "multilabel_margin_loss": {
        "gradient:at-kink-float64": _HALF_SLOPE.format(
            seen="0.2582209 for x[1, 2] and -0.0191368 for x[0, 1]"),
    },
    "multiclass_perceptron_loss": {"gradient:three-way-tie-float64": _THREE_WAY},
    "multiclass_hinge_loss": {"gradient:three-way-tie-float64": _THREE_WAY},
    "sparsemax_loss": {
        "gradient:at-boundaries-float64": (
            "sparse_plus is continuously differentiable but piecewise quadratic: central "
            "differences straddling z = -1 or 1 are off by about h / 8 = 7.6e-6 times the "
            "cotangent (seen -7.39e-06 for x[2] and -8.76e-07 for x[0] where the gradient is 0), "
            "above the finite-difference atol 1e-7"),
    },
    "multiclass_sparsemax_loss": {
        "gradient:support-edge-float64": (
            "the loss is continuously differentiable but piecewise quadratic: central "
            "differences straddling the edge of the support (x_j = tau) are off by O(h) (seen "
            "0.11481949 for x[0, 2] where the gradient p - e_y gives 0.11482066, 1.17e-6 apart), "
            "above the finite-difference atol 1e-7"),
    },
    "perceptron_loss": {
        "gradient:at-kink-float64": _HALF_SLOPE.format(
            seen="0.0574103 for x[0], -0.7746626 for x[1] and -0.709321 for x[4]"),
    },
}
