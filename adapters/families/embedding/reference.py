"""Reference values and gradients of the embedding family (see spec.py beside this file), in
float64 NumPy.

PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see adapters/reference.py.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import KERAS_EPSILON

PARTS = {}

# ATen Loss.cpp cosine_embedding_loss: EPSILON = 1e-12, a float (seen: 9.999999960041972e-13 fits
# torch's float64 result exactly, 1e-12 is off by 6e-11)
TORCH_COSINE_EPS = float(np.float32(1e-12))
# paddle/nn/functional/loss.py cosine_embedding_loss: square(x).sum(-1) + 10e-12
PADDLE_COSINE_EPS = 10e-12


def hinge(z, conv):
    """max(0, z) and its slope: 1 where z > 0, 0 where z < 0, and at exactly z = 0 the slope the
    conventions say (canonically 0)."""
    if "hinge_kink_grad_active" in conv:
        slope = (z >= 0).astype(np.float64)
    elif "hinge_kink_grad_half" in conv:
        slope = np.where(z == 0, 0.5, (z > 0).astype(np.float64))
    else:
        slope = (z > 0).astype(np.float64)
    return np.maximum(z, 0.0), slope


# ---------------------------------------------------------------- margin_ranking_loss

def _margin_ranking_loss(inputs, p, conv):
    x1, x2, y = inputs["input1"], inputs["input2"], inputs["target"]
    elements, slope = hinge(-y * (x1 - x2) + p["margin"], conv)

    def vjp(u):
        return {"input1": -y * slope * u, "input2": y * slope * u}
    return elements, vjp, x1.size


# ---------------------------------------------------------------- hinge_embedding_loss

def _hinge_embedding_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    as_distance, as_hinge = (y != -1).astype(np.float64), (y != 1).astype(np.float64)
    if "paddle_hinge_embedding_other_targets_give_0" in conv:
        as_distance, as_hinge = (y == 1).astype(np.float64), (y == -1).astype(np.float64)
    h, slope = hinge(p["margin"] - x, conv)
    elements = as_distance * x + as_hinge * h
    if "paddle_hinge_embedding_0d_output_has_shape_1" in conv and x.ndim == 0:
        elements = elements.reshape(1)

    def vjp(u):
        return {"input": (as_distance - as_hinge * slope) * np.reshape(u, x.shape)}
    return elements, vjp, x.size


# ---------------------------------------------------------------- triplet_margin_loss

def _p_norm(w, p, conv=()):
    """||w||_p over the last axis and its derivative: |w|^(p-1) sign(w) / ||w||^(p-1), 0 at
    w = 0 (or as the conventions say)."""
    a = np.abs(w)
    root = 1.0 / p
    if "paddle_p_norm_root_in_float32" in conv:
        root = float(np.float32(1.0) / np.float32(p))
    d = np.sum(a ** p, axis=-1) ** root
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.sign(w) * a ** (p - 1) / d[..., None] ** (p - 1)
    if "paddle_p_norm_grad_nan_at_0" in conv and p != 1:
        return d, np.where(d[..., None] > 0, g, np.nan)
    return d, np.where(d[..., None] > 0, g, 0.0)


def _power_sum_root(w, p, eps):
    """optax's distance (sum_i w_i^p + eps)^(1/p), no absolute value, and its derivative
    w^(p-1) (sum + eps)^(1/p - 1), computed as written: nan (0 * inf) where the sum is 0."""
    s = np.sum(w ** p, axis=-1) + eps
    with np.errstate(divide="ignore", invalid="ignore"):
        return s ** (1.0 / p), w ** (p - 1) * s[..., None] ** (1.0 / p - 1)


def _triplet_margin_loss(inputs, p, conv):
    # the feature axis moved last; the gradients moved back below
    a, pos, neg = (np.moveaxis(inputs[k], p["axis"], -1)
                   for k in ("anchor", "positive", "negative"))
    if "paddle_triplet_layer_drops_distance_function" in conv:
        p = {**p, "p": 2.0, "eps": 1e-6}    # paddle.nn.PairwiseDistance(2)'s defaults
    if "optax_triplet_eps_added_to_power_sum" in conv:
        def dist(u, v):
            return _power_sum_root(u - v, p["p"], p["eps"])
    else:
        def dist(u, v):
            return _p_norm(u - v + p["eps"], p["p"], conv)
    d_ap, g_ap = dist(a, pos)
    d_an, g_an = dist(a, neg)
    # weight of d(a, n) in the negative distance: 1 without swap; with swap 1 or 0 for the
    # smaller, 1/2 at a tie (or 1 under tf_minimum_tie_grad_to_first)
    w_an = np.ones_like(d_an)
    g_pn = np.zeros_like(g_an)
    d_neg = d_an
    if p["swap"]:
        d_pn, g_pn = dist(pos, neg)
        d_neg = np.minimum(d_an, d_pn)
        tie = 1.0 if "tf_minimum_tie_grad_to_first" in conv else 0.5
        w_an = np.where(d_an < d_pn, 1.0, np.where(d_an > d_pn, 0.0, tie))
    if "triplet_margin_added_first" in conv:
        elements, slope = hinge(p["margin"] + d_ap - d_neg, conv)
    else:   # the difference first: exact when the distances are within a factor 2 (Sterbenz),
        # so the margin counts however large they are
        elements, slope = hinge((d_ap - d_neg) + p["margin"], conv)

    def vjp(u):
        s = (slope * u)[..., None]
        wa, wp = w_an[..., None], 1.0 - w_an[..., None]
        grads = {"anchor": s * (g_ap - wa * g_an),
                 "positive": s * (-g_ap - wp * g_pn),
                 "negative": s * (wa * g_an + wp * g_pn)}
        return {k: np.moveaxis(g, -1, p["axis"]) for k, g in grads.items()}
    return elements, vjp, elements.size


# ---------------------------------------------------------------- cosine_embedding_loss

def _inverse_norm(x, conv):
    """1 / ||x|| over the last axis as the convention computes it, and whether it depends on x
    (False where Keras floors the norm)."""
    q = np.sum(x * x, axis=-1)
    with np.errstate(divide="ignore"):
        if "torch_cosine_eps_in_squared_norms" in conv:
            return 1.0 / np.sqrt(q + TORCH_COSINE_EPS), np.ones(q.shape, dtype=bool)
        if "paddle_cosine_eps_in_squared_norms" in conv:
            return 1.0 / np.sqrt(q + PADDLE_COSINE_EPS), np.ones(q.shape, dtype=bool)
        r = 1.0 / np.sqrt(q)
        if "keras_cosine_norm_floored_at_epsilon" in conv:
            return np.minimum(r, 1.0 / KERAS_EPSILON), r <= 1.0 / KERAS_EPSILON
    return r, np.ones(q.shape, dtype=bool)


def _cosine_embedding_loss(inputs, p, conv):
    x1, x2, y = inputs["input1"], inputs["input2"], inputs["target"]
    r1, live1 = _inverse_norm(x1, conv)
    r2, live2 = _inverse_norm(x2, conv)
    with np.errstate(invalid="ignore"):
        c = np.sum(x1 * x2, axis=-1) * r1 * r2          # 0 * inf = nan for a zero vector
    similar, dissimilar = (y == 1).astype(np.float64), (y == -1).astype(np.float64)
    h, slope = hinge(c - p["margin"], conv)
    elements = similar * (1.0 - c) + dissimilar * h

    def vjp(u):
        dc = ((-similar + dissimilar * slope) * u)[..., None]
        cc, s1, s2 = c[..., None], r1[..., None], r2[..., None]
        with np.errstate(invalid="ignore"):
            # d c / d x1 = r1 r2 x2 - c r1^2 x1 (the second term only where the norm is live)
            g1 = s1 * s2 * x2 - cc * s1 * s1 * x1 * live1[..., None]
            g2 = s1 * s2 * x1 - cc * s2 * s2 * x2 * live2[..., None]
        return {"input1": dc * g1, "input2": dc * g2}
    return elements, vjp, elements.size


# ---------------------------------------------------------------- cosine_similarity

def _floored_norm(x, axis, eps, conv):
    """||x|| over `axis` (kept), the floored norm b the convention divides by, and the share of
    the norm's gradient that reaches x: 1 where the norm is live, 0 where it is floored, 1/2 at
    a tie of the max (canonically)."""
    q = np.sum(x * x, axis=axis, keepdims=True)
    n = np.sqrt(q)
    if "keras_cosine_norm_floored_at_epsilon" in conv:
        # x * minimum(rsqrt(q), 1 / 1e-7): tf.minimum gives a tie to rsqrt (x <= y)
        with np.errstate(divide="ignore"):
            r = 1.0 / n
        inv = np.minimum(r, 1.0 / KERAS_EPSILON)
        with np.errstate(divide="ignore"):
            return n, 1.0 / inv, (r <= 1.0 / KERAS_EPSILON).astype(np.float64)
    if "optax_cosine_epsilon_bounds_squared_norm" in conv:
        # sqrt(clip(q, epsilon)): jnp.clip's maximum splits a tie evenly
        share = np.where(q > eps, 1.0, np.where(q == eps, 0.5, 0.0))
        return n, np.sqrt(np.maximum(q, eps)), share
    if "torch_cosine_similarity_clamp_passes_gradient" in conv:
        return n, np.maximum(n, eps), np.ones_like(n)
    return n, np.maximum(n, eps), np.where(n > eps, 1.0, np.where(n == eps, 0.5, 0.0))


def _cosine_product_floored(x, y, axis, eps):
    """paddle_cosine_similarity_product_floored: c = <x, y> / sqrt(max(q_x q_y, eps^2)) and its
    gradients, the norms' terms only where the product is not floored (clip passes a tie)."""
    qx = np.sum(x * x, axis=axis, keepdims=True)
    qy = np.sum(y * y, axis=axis, keepdims=True)
    live = qx * qy >= eps * eps
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.maximum(qx * qy, eps * eps))
        c = np.sum(x * y, axis=axis, keepdims=True) / d
        dx = y / d - np.where(live, c * x / qx, 0.0)
        dy = x / d - np.where(live, c * y / qy, 0.0)
    return c, dx, dy


def _cosine_similarity(inputs, p, conv):
    x, y, axis, eps = inputs["input"], inputs["target"], p["axis"], float(p["eps"])
    if isinstance(axis, (tuple, list)):     # joint axes: NumPy's sums, squeeze and expand take them
        axis = tuple(a % x.ndim for a in axis)
    if "paddle_cosine_similarity_product_floored" in conv:
        c, dx, dy = _cosine_product_floored(x, y, axis, eps)
    else:
        nx, bx, wx = _floored_norm(x, axis, eps, conv)
        ny, by, wy = _floored_norm(y, axis, eps, conv)
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.sum(x * y, axis=axis, keepdims=True) / (bx * by)   # 0 / 0 = nan at eps = 0
            # d b(x) / dx = share x / ||x||, 0 at x = 0 (the norm's gradient there, torch's too)
            ux = np.where(nx > 0, x / nx, 0.0) * wx
            uy = np.where(ny > 0, y / ny, 0.0) * wy
            dx = y / (bx * by) - c * ux / bx
            dy = x / (bx * by) - c * uy / by
    offset = 1.0 if "optax_cosine_distance_is_1_minus_cosine" in conv else 0.0
    elements = offset - np.squeeze(c, axis=axis)

    def vjp(u):
        v = -np.expand_dims(np.asarray(u, dtype=np.float64), axis)
        with np.errstate(invalid="ignore"):
            return {"input": v * dx, "target": v * dy}
    return elements, vjp, elements.size


# ---------------------------------------------------------------- circle

def _logsumexp_masked(z, mask):
    """logsumexp over the last axis of the entries where mask is true (-inf for none), and the
    softmax weights of those entries (0 elsewhere, and for an empty row)."""
    zm = np.where(mask, z, -np.inf)
    top = np.max(zm, axis=-1, keepdims=True)
    finite_top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        e = np.where(mask, np.exp(zm - finite_top), 0.0)
        total = np.sum(e, axis=-1, keepdims=True)
        lse = np.log(total) + finite_top
        weights = np.where(total > 0, e / total, 0.0)
    return lse[..., 0], weights


def _circle(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    gamma, m = float(p["gamma"]), float(p["margin"])
    n = x.shape[0]
    s = x @ x.T
    live = np.ones_like(s)
    if "keras_circle_distance_clamped_at_0" in conv:
        # max(1 - s, 0): the gradient passes at the tie s = 1
        live = (s <= 1.0).astype(np.float64)
        s = np.minimum(s, 1.0)
    same = y[:, None] == y[None, :]
    pos = same & ~np.eye(n, dtype=bool) if p["remove_diagonal"] else same
    neg = ~same
    a_p, slope_p = hinge(1.0 + m - s, conv)
    a_n, slope_n = hinge(s + m, conv)
    with np.errstate(invalid="ignore", over="ignore"):
        z_p = -gamma * a_p * (s - (1.0 - m))
        z_n = gamma * a_n * (s - m)
        dz_p = -gamma * (-slope_p * (s - (1.0 - m)) + a_p)     # d z_p / d s
        dz_n = gamma * (slope_n * (s - m) + a_n)
    lse_p, w_p = _logsumexp_masked(z_p, pos)
    lse_n, w_n = _logsumexp_masked(z_n, neg)
    t = lse_p + lse_n                        # -inf where an anchor has no positive or negative
    elements = np.logaddexp(0.0, t)          # softplus, exact for large |t|
    with np.errstate(over="ignore", invalid="ignore"):
        sigma = np.where(t == -np.inf, 0.0, np.exp(-np.logaddexp(0.0, -t)))   # sigmoid(t)
    divisor = float(n)
    if "keras_circle_mean_over_positive_losses" in conv:
        positive = int(np.sum(elements > 0))
        divisor = float(positive) if positive else np.inf     # divide_no_nan: 0

    def vjp(u):
        with np.errstate(invalid="ignore"):
            g = (np.asarray(u, dtype=np.float64) * sigma)[:, None] * (
                np.where(pos, w_p * dz_p, 0.0) + np.where(neg, w_n * dz_n, 0.0)) * live
            return {"input": (g + g.T) @ x}
    return elements, vjp, divisor


# ---------------------------------------------------------------- Keras's hinge losses

def keras_labels(y, conv):
    """Keras's conversion: 0/1 labels (every value of the tensor 0 or 1) become -1/1."""
    if "optax_hinge_targets_not_converted" in conv:
        return y
    return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y


def _hinge_loss(inputs, p, conv):
    x, t = inputs["input"], keras_labels(inputs["target"], conv)
    y = inputs["target"]
    if "sklearn_hinge_single_label_is_negative" in conv and y.size and np.all(y == y.flat[0]):
        t = -np.ones_like(t)          # LabelBinarizer(neg_label=-1) of one label value
    elements, slope = hinge(1.0 - t * x, conv)
    return elements, (lambda u: {"input": -t * slope * u}), x.size


def _squared_hinge(inputs, p, conv):
    x, t = inputs["input"], keras_labels(inputs["target"], conv)
    h = np.maximum(1.0 - t * x, 0.0)
    return h * h, (lambda u: {"input": -2.0 * t * h * u}), x.size


def _categorical_hinge(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    masked = (1.0 - y) * x
    neg = np.max(masked, axis=-1)
    argmax = masked == neg[..., None]
    share = argmax / np.sum(argmax, axis=-1, keepdims=True)     # ties split equally
    elements, slope = hinge(neg - np.sum(y * x, axis=-1) + 1.0, conv)

    def vjp(u):
        return {"input": (slope * u)[..., None] * ((1.0 - y) * share - y)}
    return elements, vjp, elements.size


PARTS.update({
    "margin_ranking_loss": _margin_ranking_loss,
    "hinge_embedding_loss": _hinge_embedding_loss,
    "triplet_margin_loss": _triplet_margin_loss,
    "cosine_embedding_loss": _cosine_embedding_loss,
    "hinge": _hinge_loss,
    "squared_hinge": _squared_hinge,
    "categorical_hinge": _categorical_hinge,
    "cosine_similarity": _cosine_similarity,
    "circle": _circle,
})


# ---------------------------------------------------------------- known failures of the reference
# Central differences (h = 1e-4) straddle an exact kink of max(0, z): they return the mean of the
# two one-sided slopes, half the active one, where the definition takes the slope 0 (the cases
# exist to pin that choice; the frameworks' gradient checks compare the analytic value).

def _straddle(seen: str) -> str:
    return ("central differences straddle the kink z = 0 of max(0, z) and give half the active "
            f"slope (seen {seen}); the definition's slope there is 0")


KNOWN_FAILURES = {
    "margin_ranking_loss": {
        "gradient:at-kink-float64": _straddle("input1[0]: 0 analytic vs 0.0574103286 = v / 2 by "
                                              "differences"),
        "gradient:at-kink-margin-float64": _straddle("input1[0]: 0 analytic vs -0.5 by "
                                                     "differences (reduction='sum', v = 1)"),
    },
    "hinge_embedding_loss": {
        "gradient:at-kink-float64": _straddle("input[1]: 0 analytic vs -0.7746626440 = -v / 2"),
    },
    "triplet_margin_loss": {
        "gradient:at-kink-float64": _straddle("anchor[0, 1]: 0 analytic vs -0.0574120807"),
        "gradient:margin-beside-huge-distances-float64": (
            "a difference step of h = 2^-14 does not move a distance of 1e17 (its ulp is 16): "
            "the quotient is 0 where the analytic derivative is -v (seen positive[0, 0]: "
            "0.1148206573 analytic vs 0 by differences)"),
    },
    "cosine_embedding_loss": {
        "gradient:at-kink-float64": _straddle("input1[0, 1]: 0 analytic vs -0.0574103285"),
        "gradient:parallel-tiny-vectors-float64": (
            "a difference step of h = 2^-14 on a vector of norm 8.2e-76 is no longer a small "
            "step: the quotient measures a different direction (seen input1[0, 0]: 0 analytic "
            "vs 665.11 by differences)"),
    },
    "hinge": {
        "gradient:at-kink-binary-float64": _straddle("input[1]: 0 analytic vs 0.7746626440"),
        "gradient:at-kink-pm1-float64": _straddle("input[2]: 0 analytic vs 0.4843413947"),
        "gradient:at-kink-2d-none-float64": _straddle("input[0, 1]: 0 analytic vs "
                                                      "0.7746626440"),
    },
    "categorical_hinge": {
        "gradient:at-kink-float64": _straddle("input[1, 0]: 0 analytic vs -0.7746626440"),
    },
    "cosine_similarity": {
        "gradient:tiny-and-zero-vectors-eps-float64": (
            "a difference step of h = 2^-14 on vectors of norm 5e-9 (eps = 1e-8) crosses the "
            "floor of the norm and changes the direction: the quotient is not the derivative "
            "(seen input[0, 0]: 1.148e7 analytic vs 1881.2 by differences)"),
        "gradient:one-element-tiny-vectors-float64": (
            "a difference step of h = 2^-14 on a target of 1e-15 changes its sign: the "
            "quotient measures the jump of c from 1 to -1 (seen target[0, 0, 0]: 0 analytic vs "
            "1881.2 by differences)"),
        "gradient:large-magnitude-float64": (
            "a difference step of h = 2^-14 on a vector of norm 2.7e-15 is no longer a small "
            "step (seen input[1, 2]: -5.04e14 analytic vs -20352.6 by differences); the row of "
            "norm 2.3e15 has no usable quotient either (nan: the step is below its ulp)"),
    },
    "circle": {
        "gradient:at-kink-float64": _straddle("input[2, 0]: 0 analytic vs -1.0421832e-05 by "
                                              "differences, s_02 = -margin"),
    },
    "squared_hinge": {
        "gradient:at-kink-float64": (
            "central differences straddle the kink of the second derivative of max(0, z)^2 at "
            "z = 0: (h^2 - 0) / 2h = h / 2 per unit slope (seen input[2]: 0 analytic vs "
            "2.956e-05 by differences, h = 2^-14); the analytic slope 2 max(0, z) = 0 is exact"),
    },
}
