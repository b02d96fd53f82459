"""The oracle: NumPy float64 values and analytic gradients of every canonical loss.

Written from the definitions in `spec.py`, never by calling a framework. Each loss is split in
three parts so the reductions are written once:
  elements  the unreduced loss, shape S (the target's shape for class losses),
  local     d elements[s] / d input, laid out like the input (row s holds the derivative of
            element s: a class loss's element depends on its own row of classes only),
  divisor   what reduction='mean' divides by.
`evaluate` reduces, and turns a cotangent of the output into the gradient (a vector-Jacobian
product), so a gradient check works the same for reduced and unreduced outputs.

A convention (see spec.CONVENTIONS) changes the formulas exactly as the named implementation does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .numerics import log_softmax, sigmoid, softplus
from .spec import CONVENTIONS, LOSSES, class_axis


@dataclass
class Result:
    value: np.ndarray
    # gradient with respect to each differentiable input (spec order), for the given cotangent
    grads: dict[str, np.ndarray] | None = None

    @property
    def grad(self) -> np.ndarray | None:
        """The gradient with respect to the first differentiable input."""
        return None if self.grads is None else next(iter(self.grads.values()))


def evaluate(loss: str, inputs: dict, params: dict, encoding: str = "none",
             conventions=(), cotangent=None) -> Result:
    """Value (and, given a cotangent of the output's shape, the gradients) in float64."""
    unknown = set(conventions) - set(CONVENTIONS)
    if unknown:
        raise ValueError(f"unknown conventions {sorted(unknown)}")
    spec = LOSSES[loss]
    p = {**spec.defaults(), **params}
    if spec.target is None:
        return _activation(loss, np.asarray(inputs["input"], dtype=np.float64), p["dim"], cotangent)
    conv = frozenset(conventions)
    if loss in _PARTS:
        x = np.asarray(inputs["input"], dtype=np.float64)
        y = np.asarray(inputs["target"])
        y = y.astype(np.int64) if encoding == "index" else y.astype(np.float64)
        elements, local, divisor = _PARTS[loss](x, y, p, encoding, conv)
        vjp = _local_vjp(spec, x, local)
    else:   # a family module's parts: every input by name, a vjp for each differentiable one
        arrays = {n: np.asarray(inputs[n], dtype=np.int64 if n in spec.integer_inputs
                                else np.float64) for n in spec.inputs}
        elements, vjp, divisor = FAMILY_PARTS[loss](arrays, p, conv)
    first = np.shape(inputs[spec.primary])
    elements, vjp, divisor = _keras_reductions(first, elements, vjp, divisor, conv)
    with np.errstate(invalid="ignore", divide="ignore"):
        # what the elements are divided by before summing; 'batchmean' (kl_div) divides by N.
        # A divisor may be an array (one per element, CTC's 'mean' divides by target lengths).
        scale = {"none": None, "sum": 1.0, "mean": divisor,
                 "batchmean": first[0] if first else 1}[p["reduction"]]
        if scale is None:
            value = elements
        else:
            value = elements.sum() / scale if np.ndim(scale) == 0 else (elements / scale).sum()
        grads = None
        if cotangent is not None:
            v = np.asarray(cotangent, dtype=np.float64)
            upstream = v if scale is None else np.broadcast_to(v / scale, elements.shape)
            grads = vjp(upstream)
            if ("all_ignored_mean_gradient_is_zero" in conv and p["reduction"] == "mean"
                    and divisor == 0):
                grads = {n: np.zeros_like(g) for n, g in grads.items()}
    return Result(np.asarray(value, dtype=np.float64), grads)


def _local_vjp(spec, x, local):
    """The vector-Jacobian product of a two-input loss whose element s depends on input row s
    only: `local` holds d elements / d input laid out like the input."""
    def vjp(upstream):
        if spec.target == "class":
            upstream = np.expand_dims(upstream, class_axis(x))
        elif upstream.ndim < x.ndim:    # summed over the last axis (kl_div conventions)
            upstream = np.expand_dims(upstream, -1)
        return {"input": local * upstream}
    return vjp


# ---------------------------------------------------------------- activations

def _activation(loss, x, dim, cotangent) -> Result:
    logp = log_softmax(x, dim)
    s = np.exp(logp)
    value = s if loss == "softmax" else logp
    grad = None
    if cotangent is not None:
        v = np.asarray(cotangent, dtype=np.float64)
        if loss == "softmax":      # J = diag(s) - s s^T
            grad = s * (v - np.sum(v * s, axis=dim, keepdims=True))
        else:                      # J = I - 1 s^T
            grad = v - s * np.sum(v, axis=dim, keepdims=True)
    return Result(value, None if grad is None else {"input": grad})


# ---------------------------------------------------------------- class losses

def _class_last(a, axis):
    return np.moveaxis(a, axis, -1)


def _class_parts(logp, y, p, encoding, conv, smoothing):
    """Shared by cross_entropy (logp = log_softmax(x)) and nll_loss (logp = x).

    Returns elements, d elements / d logp (class axis last) and the mean divisor."""
    c = logp.shape[-1]
    w = np.ones(c) if p["weight"] is None else np.asarray(p["weight"], dtype=np.float64)
    eps = smoothing
    if encoding == "index":
        kept = y != p["ignore_index"]
        safe = np.where(kept, y, 0)
        onehot = np.eye(c)[safe]
        w_y = w[safe] * kept
        logp_y = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
        # where() rather than a product: an ignored row may hold -inf and 0 * inf is nan
        nll = np.where(kept, -w_y * logp_y, 0.0)
        dnll = -w_y[..., None] * onehot
        if eps:
            smooth = np.where(kept, -np.sum(w * np.where(w > 0, logp, 0.0), axis=-1), 0.0)
            elements = (1 - eps) * nll + eps / c * smooth
            d = (1 - eps) * dnll - eps / c * w * kept[..., None]
        else:
            elements, d = nll, dnll
        divisor = w_y.sum()
    else:
        target = (1 - eps) * y + eps / c
        coef = w * target
        with np.errstate(invalid="ignore"):
            if "probs_zero_target_on_neg_inf_logit_is_nan" in conv:
                elements = -np.sum(coef * logp, axis=-1)    # 0 * -inf = nan, as computed
            else:
                elements = -np.sum(np.where(coef > 0, coef * logp, 0.0), axis=-1)
        d = -coef
        if "probs_weighted_mean_divides_by_count" in conv:
            divisor = y.size // c
        else:
            divisor = np.sum(w * y)
    return elements, d, divisor


def _cross_entropy(x, y, p, encoding, conv):
    if "keras_label_smoothing_over_last_axis_size" in conv and encoding != "index":
        eps = p["label_smoothing"]
        y = (1 - eps) * y + eps / x.shape[-1]
        p = {**p, "label_smoothing": 0.0}
    if "keras_softmax_probs_clipped_to_epsilon" in conv:
        return _keras_probs(x, y, p, encoding, conv, True, True, p["label_smoothing"])
    axis = class_axis(x)
    y = y if encoding == "index" else _class_last(y, axis)
    logp = _class_last(log_softmax(x, axis), axis)
    elements, d_logp, divisor = _class_parts(logp, y, p, encoding, conv, p["label_smoothing"])
    # d(log_softmax)^T: dl/dx_j = dl/dlogp_j - softmax_j * sum_c dl/dlogp_c
    local = d_logp - np.exp(logp) * np.sum(d_logp, axis=-1, keepdims=True)
    if "tf_softmax_ce_grad_assumes_labels_sum_to_1" in conv and encoding != "index":
        local = d_logp + np.exp(logp)    # softmax - t: these fused kernels take no class weight
    return elements, np.moveaxis(local, -1, axis), divisor


def _nll_loss(x, y, p, encoding, conv):
    rescale, clip = "keras_probs_rescaled_to_sum_1" in conv, "keras_nll_probs_clipped_to_epsilon" in conv
    if rescale or clip:
        return _keras_probs(x, y, p, encoding, conv, rescale, clip, 0.0)
    axis = class_axis(x)
    y = y if encoding == "index" else _class_last(y, axis)
    elements, d, divisor = _class_parts(_class_last(x, axis), y, p, encoding, conv, 0.0)
    return elements, np.moveaxis(d, -1, axis), divisor


# ---------------------------------------------------------------- binary losses

def _weight(p, name, shape):
    return np.ones(shape) if p[name] is None else np.broadcast_to(
        np.asarray(p[name], dtype=np.float64), shape)


def _binary_cross_entropy(x, y, p, encoding, conv):
    w = _weight(p, "weight", x.shape)
    if conv & {"keras_bce_probs_clipped_to_epsilon", "keras_bce_probs_clipped_to_float32_epsilon"}:
        lo, hi = KERAS_EPSILON, 1 - KERAS_EPSILON
        if "keras_bce_probs_clipped_to_float32_epsilon" in conv:
            lo, hi = float(np.float32(lo)), float(np.float32(hi))
        q = np.clip(x, lo, hi)
        inside = (x >= lo) & (x <= hi)
        elements = -w * (y * np.log(q) + (1 - y) * np.log1p(-q))
        return elements, w * (-y / q + (1 - y) / (1 - q)) * inside, x.size
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p, log_q = np.log(x), np.log1p(-x)
        if "bce_log_clamped_at_-100" in conv:
            log_p, log_q = np.maximum(log_p, -100.0), np.maximum(log_q, -100.0)
        # 0 log 0 = 0: a term whose coefficient is 0 is absent, also from the gradient
        elements = -w * (np.where(y > 0, y * log_p, 0.0) + np.where(y < 1, (1 - y) * log_q, 0.0))
        if "bce_grad_denominator_clamped_at_1e-12" in conv:
            local = w * (x - y) / np.maximum(x * (1 - x), float(np.float32(1e-12)))
        else:
            local = w * (np.where(y > 0, -y / x, 0.0) + np.where(y < 1, (1 - y) / (1 - x), 0.0))
    return elements, local, x.size


def _binary_cross_entropy_with_logits(x, y, p, encoding, conv):
    w = _weight(p, "weight", x.shape)
    pw = _weight(p, "pos_weight", x.shape)
    # log sigmoid(x) = -softplus(-x), log(1 - sigmoid(x)) = -softplus(x); logaddexp never overflows
    elements = w * (pw * y * softplus(-x) + (1 - y) * softplus(x))
    sig = sigmoid(x)
    local = w * (-pw * y * (1 - sig) + (1 - y) * sig)
    if "tf_weighted_logits_grad_at_0" in conv:
        local = np.where(x == 0, w * (1 - y), local)
    return elements, local, x.size


# ---------------------------------------------------------------- regression losses
# d = x - y. np.sign(0) = 0: the gradient of |d| at d = 0 is 0 (spec.py, regression family).

def _abs_grad(d, conv):
    if "jax_abs_grad_at_0_is_1" in conv:
        return np.where(d >= 0, 1.0, -1.0)
    return np.sign(d)


def _l1_loss(x, y, p, encoding, conv):
    d = x - y
    return np.abs(d), _abs_grad(d, conv), x.size


def _mse_loss(x, y, p, encoding, conv):
    d = x - y
    return d * d, 2.0 * d, x.size


def _smooth_l1_loss(x, y, p, encoding, conv):
    d, beta = x - y, float(p["beta"])
    a = np.abs(d)
    if beta == 0:                        # the L1 loss
        return a, _abs_grad(d, conv), x.size
    inner = a < beta
    elements = np.where(inner, 0.5 * d * d / beta, a - 0.5 * beta)
    return elements, np.where(inner, d / beta, np.sign(d)), x.size


def _huber_loss(x, y, p, encoding, conv):
    d, delta = x - y, float(p["delta"])
    a = np.abs(d)
    inner = a <= delta
    elements = np.where(inner, 0.5 * d * d, delta * (a - 0.5 * delta))
    return elements, np.where(inner, d, delta * np.sign(d)), x.size


def _kl_div(x, y, p, encoding, conv):
    if "keras_kl_divergence_clipped_to_epsilon" in conv:    # probabilities t and q = exp(x)
        t, q = np.clip(y, KERAS_EPSILON, 1.0), np.exp(x)
        inside = (q >= KERAS_EPSILON) & (q <= 1.0)
        elements = t * (np.log(t) - np.log(np.clip(q, KERAS_EPSILON, 1.0)))
        return _kl_rows(elements, -t * inside, x, conv)
    as_computed = "kl_div_zero_target_on_infinite_log_ratio_is_nan" in conv
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
    if "keras_kl_divergence_mean_per_row" in conv:
        divisor = x.size // x.shape[-1]      # sum_over_batch_size: the number of rows
    return elements, local, divisor


# ---------------------------------------------------------------- Keras conventions

KERAS_EPSILON = 1e-7   # keras.config.epsilon()


def _keras_probs(x, y, p, encoding, conv, rescale, clip, smoothing):
    """Class losses on probabilities the Keras way: q = exp(x) (divided by its sum over the
    classes when `rescale`, that is x -> log_softmax(x)), clipped to [eps, 1 - eps] when `clip`,
    then -sum w t log q. The gradient is 0 through a clipped probability."""
    axis = class_axis(x)
    y = y if encoding == "index" else _class_last(y, axis)
    logp = _class_last(log_softmax(x, axis) if rescale else x, axis)
    q = np.exp(logp)
    inside = np.ones(q.shape, dtype=bool)
    if clip:
        inside = (q >= KERAS_EPSILON) & (q <= 1 - KERAS_EPSILON)
        logp_used = np.log(np.clip(q, KERAS_EPSILON, 1 - KERAS_EPSILON))
    else:
        logp_used = logp
    elements, d, divisor = _class_parts(logp_used, y, p, encoding, conv, smoothing)
    d = d * inside                       # d log(clip(q)) / d logp: 1 inside, 0 where clipped
    if rescale:                          # back through log_softmax
        d = d - q * np.sum(d, axis=-1, keepdims=True)
    return elements, np.moveaxis(d, -1, axis), divisor


def _keras_reductions(shape, elements, vjp, divisor, conv):
    if "keras_bce_mean_over_last_axis" in conv:
        k, full = shape[-1], elements.shape
        elements, divisor = elements.mean(axis=-1), divisor / k
        vjp = (lambda inner: lambda u: inner(np.broadcast_to(np.expand_dims(u, -1) / k, full)))(vjp)
    if "keras_scalar_loss_is_not_reduced" in conv and elements.ndim == 0:
        divisor = 1.0
    if "keras_mean_of_nothing_is_0" in conv and np.ndim(divisor) == 0 and divisor == 0:
        divisor = np.inf                 # 0 / inf = 0, and the gradient v / inf = 0
    return elements, vjp, divisor


_PARTS = {
    "cross_entropy": _cross_entropy,
    "nll_loss": _nll_loss,
    "binary_cross_entropy": _binary_cross_entropy,
    "binary_cross_entropy_with_logits": _binary_cross_entropy_with_logits,
    "l1_loss": _l1_loss,
    "mse_loss": _mse_loss,
    "smooth_l1_loss": _smooth_l1_loss,
    "huber_loss": _huber_loss,
    "kl_div": _kl_div,
}


# Family modules: FAMILY_PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor), with
# inputs every input by name (float64, or int64 for spec integer_inputs) and vjp(upstream) a dict
# of gradients for each differentiable input, upstream shaped like elements.
FAMILY_PARTS = {}
from . import (reference_ctc, reference_embedding, reference_focal_dice,  # noqa: E402
               reference_likelihood, reference_margin)

for _family in (reference_embedding, reference_margin, reference_likelihood,
                reference_focal_dice, reference_ctc):
    FAMILY_PARTS.update(_family.PARTS)


def supports(loss: str) -> bool:
    """Whether the oracle can compute `loss` (every loss of spec.LOSSES should)."""
    return loss in _PARTS or loss in FAMILY_PARTS or loss in ("softmax", "log_softmax")
