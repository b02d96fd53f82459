"""Reference values and gradients of the classification family (see spec.py beside this file),
in float64 NumPy.

PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see adapters/reference.py.
A class loss's element depends on its own row of classes only, so each part computes `local`,
d elements / d input laid out like the input, and the vjp scales it by the upstream gradient.
Index targets arrive as integers, one-hot and probability targets as floats.
softmax and log_softmax have no reduction: adapters/reference.py computes them directly.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import KERAS_EPSILON, class_axes, class_axis
from adapters.families.classification.spec import PADDLE_CLIP, PADDLE_LOGIT_FLOOR
from adapters.numerics import input_vjp, log_softmax, sigmoid, softplus

from .spec import TIMM_TARGET_THRESHOLD

PARTS = {}


def _class_last(a, axis):
    return np.moveaxis(a, axis, -1)


def _encoding(y) -> str:
    """'index' for integer targets; one_hot and probs targets share every formula."""
    return "index" if np.issubdtype(y.dtype, np.integer) else "probs"


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
        if "paddle_ce_mean_counts_ignored_targets" in conv:
            # a negative ignore_index without class weights: the mean of every element; else a
            # zero divisor becomes 1 (paddle divides by d + (d == 0))
            negative = p["ignore_index"] < 0 and p["weight"] is None
            divisor = y.size if negative else (divisor or 1.0)
    elif "paddle_soft_label_weight_per_sample" in conv:
        target = (1 - eps) * y + eps / c
        # each sample's weight (1 without class weights)
        s = np.ones(target.shape[:-1]) if p["weight"] is None else np.sum(w * target, axis=-1)
        with np.errstate(invalid="ignore"):
            elements = -s * np.sum(np.where(target > 0, target * logp, 0.0), axis=-1)
        d = -s[..., None] * target
        divisor = y.size // c if p["weight"] is None else np.sum(s)
        divisor = divisor or 1.0     # paddle divides by (d + (d == 0))
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


# sklearn.metrics.log_loss clips to the machine epsilon of the probabilities' dtype
SKLEARN_EPS = {"sklearn_log_loss_probs_clipped_to_float64_eps": float(np.finfo(np.float64).eps),
               "sklearn_log_loss_probs_clipped_to_float32_eps": float(np.finfo(np.float32).eps)}


def _sklearn_eps(conv):
    clipped = conv & set(SKLEARN_EPS)
    return SKLEARN_EPS[min(clipped)] if clipped else None


# timm and smp add eps * (the sum or mean of -log p_c) whatever eps is
SMOOTHING_TERM_NAN = {"timm_smoothing_term_nan_at_neg_inf_logit",
                      "smp_smoothing_term_nan_at_neg_inf_logit"}


def _cross_entropy(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    encoding, axis = _encoding(y), class_axis(x, p.get("axis", 1))
    if "transformers_loss_kwargs_ignored" in conv:
        p = {**p, "weight": None, "label_smoothing": 0.0}
    if "transformers_qa_positions_clamped_ignore_index_is_c" in conv and encoding == "index":
        c = x.shape[axis]
        y, p = np.clip(y, 0, c), {**p, "ignore_index": c}
    if _sklearn_eps(conv) is not None:    # log_loss(y, softmax(x))
        return _keras_probs(x, y, p, encoding, conv, True, True, p["label_smoothing"],
                            _sklearn_eps(conv))
    if "keras_label_smoothing_over_last_axis_size" in conv and encoding != "index":
        eps = p["label_smoothing"]
        if "paddle_label_smoothing_in_float32" in conv:
            keep, spread = _paddle_coefficients(eps, x.shape[-1])
            y = keep * y + spread
        else:
            y = (1 - eps) * y + eps / x.shape[-1]
        p = {**p, "label_smoothing": 0.0}
    if "keras_softmax_probs_clipped_to_epsilon" in conv:
        return _keras_probs(x, y, p, encoding, conv, True, True, p["label_smoothing"])
    if "keras_sparse_probs_clipped_then_normalised" in conv:
        return _keras_sparse_probs(x, y, p, encoding, conv)
    y = y if encoding == "index" else _class_last(y, axis)
    keeps_axis = "paddle_soft_label_none_keeps_class_axis" in conv and (
        encoding != "index" or p["label_smoothing"])
    if "paddle_label_smoothing_in_float32" in conv and p["label_smoothing"]:
        y, encoding = _paddle_smoothed(y, x.shape[axis], p), "probs"
        p = {**p, "label_smoothing": 0.0}
    floor = PADDLE_LOGIT_FLOOR if PADDLE_CLIP in conv else None
    logp = _class_last(log_softmax(x, axis, floor), axis)
    elements, d_logp, divisor = _class_parts(logp, y, p, encoding, conv, p["label_smoothing"])
    # d(log_softmax)^T: dl/dx_j = dl/dlogp_j - softmax_j * sum_c dl/dlogp_c
    local = d_logp - np.exp(logp) * np.sum(d_logp, axis=-1, keepdims=True)
    if "tf_softmax_ce_grad_assumes_labels_sum_to_1" in conv and encoding != "index":
        # softmax - t: these fused kernels take no class weight; paddle multiplies it by each
        # sample's weight afterwards
        scale = 1.0
        if "paddle_soft_label_weight_per_sample" in conv and p["weight"] is not None:
            scale = np.sum(np.asarray(p["weight"], dtype=np.float64) * y, axis=-1, keepdims=True)
        local = d_logp + np.exp(logp) * scale
    if conv & SMOOTHING_TERM_NAN and not p["label_smoothing"]:
        # smoothing * mean_c(-log p_c) = 0 * inf, added to the row's loss (not to its gradient)
        elements = np.where(np.any(logp == -np.inf, axis=-1), np.nan, elements)
    vjp = input_vjp(np.moveaxis(local, -1, axis), axis)
    if keeps_axis:      # the elements keep a class axis of size 1
        return np.expand_dims(elements, axis), lambda u: vjp(np.squeeze(u, axis)), divisor
    return elements, vjp, divisor


def _paddle_smoothed(y, c, p):
    """paddle's smoothed target (class axis last): (1 - eps) t + eps / C with both coefficients
    rounded to float32, an index target smoothed as a float32 one-hot."""
    keep, spread = _paddle_coefficients(p["label_smoothing"], c)
    if np.issubdtype(y.dtype, np.integer):
        one_hot = np.eye(c, dtype=np.float32)[y]
        return (np.float32(keep) * one_hot + np.float32(spread)).astype(np.float64)
    return keep * y + spread


def _paddle_coefficients(eps, c):
    """1 - eps and eps / c in float32, as paddle's label_smooth kernel computes them."""
    eps = np.float32(eps)
    return float(np.float32(1) - eps), float(eps / np.float32(c))


def _nll_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    encoding, axis = _encoding(y), class_axis(x, p.get("axis", 1))
    rescale = "keras_probs_rescaled_to_sum_1" in conv
    if _sklearn_eps(conv) is not None:    # log_loss(y, exp(x)): clipped, not rescaled
        return _keras_probs(x, y, p, encoding, conv, False, True, 0.0, _sklearn_eps(conv))
    if rescale or "keras_nll_probs_clipped_to_epsilon" in conv:
        return _keras_probs(x, y, p, encoding, conv, rescale,
                            "keras_nll_probs_clipped_to_epsilon" in conv, 0.0)
    y = y if encoding == "index" else _class_last(y, axis)
    elements, d, divisor = _class_parts(_class_last(x, axis), y, p, encoding, conv, 0.0)
    return elements, input_vjp(np.moveaxis(d, -1, axis), axis), divisor


def _keras_probs(x, y, p, encoding, conv, rescale, clip, smoothing, eps=KERAS_EPSILON):
    """Class losses on probabilities the Keras way: q = exp(x) (divided by its sum over the
    classes when `rescale`, that is x -> log_softmax(x)), clipped to [eps, 1 - eps] when `clip`,
    then -sum w t log q. The gradient is 0 through a clipped probability. (scikit-learn's
    log_loss is the same with its own eps.)"""
    axis = class_axis(x, p.get("axis", 1))
    y = y if encoding == "index" else _class_last(y, axis)
    logp = _class_last(log_softmax(x, axis) if rescale else x, axis)
    q = np.exp(logp)
    inside = np.ones(q.shape, dtype=bool)
    if clip:
        inside = (q >= eps) & (q <= 1 - eps)
        logp_used = np.log(np.clip(q, eps, 1 - eps))
    else:
        logp_used = logp
    elements, d, divisor = _class_parts(logp_used, y, p, encoding, conv, smoothing)
    d = d * inside                       # d log(clip(q)) / d logp: 1 inside, 0 where clipped
    if rescale:                          # back through log_softmax
        d = d - q * np.sum(d, axis=-1, keepdims=True)
    return elements, input_vjp(np.moveaxis(d, -1, axis), axis), divisor


def _keras_sparse_probs(x, y, p, encoding, conv):
    """SparseCategoricalCrossentropy(from_logits=False) on p = softmax(x): q = clip(p, eps,
    1 - eps), then cross-entropy on the logits z = log q, l = -log(q_y / sum_c q_c). The
    gradient is 0 through a clipped probability."""
    axis = class_axis(x, p.get("axis", 1))
    y = y if encoding == "index" else _class_last(y, axis)
    prob = np.exp(_class_last(log_softmax(x, axis), axis))
    inside = (prob >= KERAS_EPSILON) & (prob <= 1 - KERAS_EPSILON)
    logq = log_softmax(np.log(np.clip(prob, KERAS_EPSILON, 1 - KERAS_EPSILON)), -1)
    elements, d, divisor = _class_parts(logq, y, p, encoding, conv, p["label_smoothing"])
    dz = d - np.exp(logq) * np.sum(d, axis=-1, keepdims=True)   # back through log_softmax(z)
    # z = log(clip(p)): dz/dp = inside / p; then back through p = softmax(x)
    dz = dz * inside
    local = dz - prob * np.sum(dz, axis=-1, keepdims=True)
    return elements, input_vjp(np.moveaxis(local, -1, axis), axis), divisor


def over_joint_axes(part):
    """`part` (written for one class axis) for a tuple `axis` too: the joint class axes moved last
    in the order given and flattened into one (an index target is already a flat index into
    them), the part run with axis=-1, its gradient laid back on the input's own axes."""
    def run(inputs, p, conv):
        if not isinstance(p.get("axis", 1), (tuple, list)):
            return part(inputs, p, conv)
        x = inputs["input"]
        axes = class_axes(x, p["axis"])
        last = tuple(range(x.ndim - len(axes), x.ndim))
        moved = np.moveaxis(x, axes, last).shape

        def flat(a):
            return np.moveaxis(a, axes, last).reshape(moved[:x.ndim - len(axes)] + (-1,))
        joint = {**inputs, "input": flat(x)}
        if not np.issubdtype(inputs["target"].dtype, np.integer):
            joint["target"] = flat(inputs["target"])
        elements, vjp, divisor = part(joint, {**p, "axis": -1}, conv)

        def laid_back(upstream):
            return {n: np.moveaxis(g.reshape(moved), last, axes) for n, g in vjp(upstream).items()}
        return elements, laid_back, divisor
    return run


PARTS["cross_entropy"] = over_joint_axes(_cross_entropy)
PARTS["nll_loss"] = _nll_loss


# ---------------------------------------------------------------- binary losses

def _weight(p, name, shape):
    return np.ones(shape) if p[name] is None else np.broadcast_to(
        np.asarray(p[name], dtype=np.float64), shape)



def _bfloat16(v: float) -> float:
    """v rounded to bfloat16 (float32's upper 16 bits, to nearest even), without a framework."""
    bits = int(np.array(v, dtype=np.float32).view(np.uint32))
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return float(np.array(bits, dtype=np.uint32).view(np.float32))


# Keras clips probabilities to [1e-7, 1 - 1e-7] in the computation dtype: the bounds it uses
KERAS_BCE_BOUNDS = {
    "keras_bce_probs_clipped_to_epsilon": (KERAS_EPSILON, 1 - KERAS_EPSILON),
    "keras_bce_probs_clipped_to_float32_epsilon": (float(np.float32(KERAS_EPSILON)),
                                                   float(np.float32(1 - KERAS_EPSILON))),
    "keras_bce_probs_clipped_to_float16_epsilon": (float(np.float16(KERAS_EPSILON)),
                                                   float(np.float16(1 - KERAS_EPSILON))),
    "keras_bce_probs_clipped_to_bfloat16_epsilon": (_bfloat16(KERAS_EPSILON),
                                                    _bfloat16(1 - KERAS_EPSILON)),
    # sklearn.metrics.log_loss on [1 - p, p]: clipped to [eps, 1 - eps] of their dtype
    **{name: (eps, 1 - eps) for name, eps in SKLEARN_EPS.items()},
}

def _smoothed(y, p):
    """The binary target with label smoothing: y (1 - eps) + eps / 2 (Keras's definition)."""
    eps = p.get("label_smoothing", 0.0)
    return y * (1 - eps) + 0.5 * eps if eps else y


def _binary_cross_entropy(inputs, p, conv):
    x, y = inputs["input"], _smoothed(inputs["target"], p)
    w = _weight(p, "weight", x.shape)
    clipped = conv & set(KERAS_BCE_BOUNDS)
    if clipped:
        lo, hi = KERAS_BCE_BOUNDS[min(clipped)]
        q = np.clip(x, lo, hi)
        inside = (x >= lo) & (x <= hi)
        elements = -w * (y * np.log(q) + (1 - y) * np.log1p(-q))
        return elements, input_vjp(w * (-y / q + (1 - y) / (1 - q)) * inside), x.size
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p, log_q = np.log(x), np.log1p(-x)
        if "bce_log_clamped_at_-100" in conv:
            log_p, log_q = np.maximum(log_p, -100.0), np.maximum(log_q, -100.0)
        # 0 log 0 = 0: a term whose coefficient is 0 is absent, also from the gradient
        elements = -w * (np.where(y > 0, y * log_p, 0.0) + np.where(y < 1, (1 - y) * log_q, 0.0))
        if "bce_grad_denominator_clamped_at_1e-12" in conv:
            local = w * (x - y) / np.maximum(x * (1 - x), float(np.float32(1e-12)))
        elif "paddle_bce_grad_denominator_clamped_at_float64_1e-12" in conv:
            local = w * (x - y) / np.maximum(x * (1 - x), 1e-12)
        else:
            local = w * (np.where(y > 0, -y / x, 0.0) + np.where(y < 1, (1 - y) / (1 - x), 0.0))
    return elements, input_vjp(local), x.size


def _binary_cross_entropy_with_logits(inputs, p, conv):
    x, y = inputs["input"], _smoothed(inputs["target"], p)
    if "timm_bce_index_smoothing_over_classes" in conv:
        eps = p.get("label_smoothing", 0.0)
        y = inputs["target"] * (1 - eps) + eps / x.shape[-1]
    if "timm_bce_targets_binarised_at_threshold" in conv:
        y = (y > TIMM_TARGET_THRESHOLD).astype(x.dtype)
    w = _weight(p, "weight", x.shape)
    pw = _weight(p, "pos_weight", x.shape)
    # log sigmoid(x) = -softplus(-x), log(1 - sigmoid(x)) = -softplus(x); logaddexp never overflows
    elements = w * (pw * y * softplus(-x) + (1 - y) * softplus(x))
    sig = sigmoid(x)
    local = w * (-pw * y * (1 - sig) + (1 - y) * sig)
    if "paddle_bce_logits_grad_at_0_off_by_1" in conv and p["pos_weight"] is None:
        local = np.where(x == 0, w * (-0.5 - y), local)
    if "tf_weighted_logits_grad_at_0" in conv:
        local = np.where(x == 0, w * (1 - y), local)
    if "timm_bce_sum_classes_mean_over_rows" in conv:
        return elements, input_vjp(local), x.size // x.shape[-1] if x.ndim else 1
    return elements, input_vjp(local), x.size


PARTS["binary_cross_entropy"] = _binary_cross_entropy
PARTS["binary_cross_entropy_with_logits"] = _binary_cross_entropy_with_logits


# ---------------------------------------------------------------- Poly-1, generalized CE

def _class_distribution(y, p, c):
    """The target distribution t (class axis last) and the kept mask of each element: one-hot of
    the kept index targets (0 on ignored ones), or the one-hot/probability targets as given."""
    if _encoding(y) == "index":
        kept = y != p["ignore_index"]
        return np.eye(c)[np.where(kept, y, 0)] * kept[..., None], kept
    return y, np.ones(y.shape[:-1], dtype=bool)


def _poly_loss_cross_entropy(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    axis = class_axis(x, p.get("axis", 1))
    logp = _class_last(log_softmax(x, axis), axis)
    c = logp.shape[-1]
    t, kept = _class_distribution(y if _encoding(y) == "index" else _class_last(y, axis), p, c)
    q = np.exp(logp)
    with np.errstate(invalid="ignore"):
        if "probs_zero_target_on_neg_inf_logit_is_nan" in conv:
            ce = -np.sum(t * logp, axis=-1)                  # 0 * -inf = nan, as computed
        else:
            ce = -np.sum(np.where(t > 0, t * logp, 0.0), axis=-1)    # 0 log 0 = 0
    p_t = np.sum(t * q, axis=-1)
    total = np.sum(t, axis=-1)
    eps = float(p["epsilon"])
    if "optax_poly_term_sums_labels" in conv:
        poly = total - p_t               # sum_c t_c (1 - p_c)
    else:
        poly = np.where(kept, 1.0 - p_t, 0.0)
    elements = np.where(kept, ce + eps * poly, 0.0)
    # d ce / dx = p sum(t) - t; d P_t / dx = p (t - P_t)
    local = q * total[..., None] - t - eps * q * (t - p_t[..., None])
    if "tf_softmax_ce_grad_assumes_labels_sum_to_1" in conv:     # the fused kernel: p - t
        local = local + q * (1.0 - total[..., None])
    local = local * kept[..., None]
    divisor = kept.sum()
    return elements, input_vjp(np.moveaxis(local, -1, axis), axis), divisor


def _categorical_generalized_cross_entropy(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    axis = class_axis(x, p.get("axis", 1))
    probs = _class_last(x, axis)
    c = probs.shape[-1]
    t, kept = _class_distribution(y if _encoding(y) == "index" else _class_last(y, axis), p, c)
    q = float(p["q"])
    present = t > 0                      # a class with t_c = 0 has no term, nor gradient
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(present, probs, 1.0)
        elements = np.sum(np.where(present, t * (1.0 - base ** q) / q, 0.0), axis=-1)
        local = np.where(present, -t * base ** (q - 1.0), 0.0)
        if "keras_gce_grad_nan_beside_zero_probability" in conv:
            # Keras picks p_y as sum_c p_c one_hot_c: d/dp_c = one_hot_c * (-p_y^(q-1)), and
            # 0 * -inf = nan on the other classes of a row where p_y = 0 (q < 1)
            zero_p_y = np.any(present & (probs == 0), axis=-1) & (q < 1)
            local = np.where(zero_p_y[..., None] & ~present, np.nan, local)
    return elements, input_vjp(np.moveaxis(local, -1, axis), axis), kept.sum()


PARTS["poly_loss_cross_entropy"] = over_joint_axes(_poly_loss_cross_entropy)
PARTS["categorical_generalized_cross_entropy"] = _categorical_generalized_cross_entropy


# ---------------------------------------------------------------- jsd_cross_entropy

# timm_jsd_mixture_clamped_at_1e-7: torch.clamp(M, 1e-7, 1) before the log (timm/loss/jsd.py)
TIMM_JSD_MIXTURE_FLOOR = 1e-7


def _jsd_cross_entropy(inputs, p, conv):
    """Elements (B,): cross_entropy on the clean split plus alpha times the mean over splits of
    KL(p_s || M); the gradient of each term through its split's softmax."""
    x, y = inputs["input"], inputs["target"]
    s, alpha = int(p["num_splits"]), float(p["alpha"])
    b = x.shape[0] // s
    logp = log_softmax(x, 1).reshape(s, b, -1)             # (S, B, C)
    q = np.exp(logp)
    encoding = _encoding(y)
    clean_y = y[:b]
    ce_p = {**p, "weight": None}
    ce, d_logp, _ = _class_parts(logp[0], clean_y, ce_p, encoding, conv, p["label_smoothing"])
    kept = clean_y != p["ignore_index"] if encoding == "index" else np.ones(b, dtype=bool)
    m = q.mean(axis=0)                                     # (B, C)
    positive = q > 0                                       # 0 log 0 = 0: no term, no gradient
    with np.errstate(divide="ignore", invalid="ignore"):
        log_m = np.log(m)
        if "timm_jsd_mixture_clamped_at_1e-7" in conv:
            clamped = m < TIMM_JSD_MIXTURE_FLOOR
            log_m = np.log(np.maximum(m, TIMM_JSD_MIXTURE_FLOOR))
        r = np.where(positive, logp - log_m, 0.0)          # log(p_s / M) where p_s > 0
        kl = np.sum(np.where(positive, q * r, 0.0), axis=-1)   # (S, B)
        # d JS / d p_s,c = (log p - log M) / S (+ 1 / S where the clamp cut M's gradient)
        g = r if "timm_jsd_mixture_clamped_at_1e-7" not in conv else r + clamped
        d_js = np.where(positive, q * (g - np.sum(q * g, axis=-1, keepdims=True)), 0.0) / s
        if "timm_jsd_grad_nan_at_zero_probability" in conv:
            # F.kl_div's target gradient log p + 1 - log M is -inf at p = 0: nan on that row
            d_js = np.where(np.any(~positive, axis=-1, keepdims=True), np.nan, d_js)
    js = kl.mean(axis=0)
    elements = np.where(kept, ce + alpha * js, 0.0)
    d_ce = d_logp - q[0] * np.sum(d_logp, axis=-1, keepdims=True)
    local = alpha * d_js
    local[0] = local[0] + d_ce
    local = np.where(kept[None, :, None], local, 0.0)    # a left-out example: no gradient

    def vjp(upstream):
        return {"input": (local * np.asarray(upstream)[None, :, None]).reshape(x.shape)}
    return elements, vjp, kept.sum()


PARTS["jsd_cross_entropy"] = _jsd_cross_entropy


# ---------------------------------------------------------------- linear_cross_entropy

def _linear_cross_entropy(inputs, p, conv):
    """cross_entropy of z = x W^T + b (classes on axis 1, or 0 unbatched), backpropagated
    through the product to both x and W."""
    x, w, y = inputs["input"], inputs["linear_weight"], inputs["target"]
    z = np.tensordot(x, w, axes=([-1], [-1]))          # (N, C, d..) or (C,)
    if p["linear_bias"] is not None:
        z = z + np.asarray(p["linear_bias"], dtype=np.float64)
    ce_p = {**p, "linear_bias": None}
    elements, ce_vjp, divisor = _cross_entropy({"input": z, "target": y}, ce_p, conv)
    all_ignored = ("all_ignored_mean_gradient_is_zero" in conv and y.size
                   and bool(np.all(y == p["ignore_index"])))
    lead = x.ndim - 1                                  # 1 batch axis, or none

    def vjp(upstream):
        g = ce_vjp(upstream)["input"]                  # dl/dz, shaped like z
        if all_ignored:                                # torch's gradient of a mean over nothing
            g = np.zeros_like(g)
        dz_axes = list(range(lead, g.ndim))            # C, d1..dk
        dx = np.tensordot(g, w, axes=(dz_axes, list(range(w.ndim - 1))))
        dw = np.tensordot(g, x, axes=(list(range(lead)), list(range(lead))))
        return {"input": dx, "linear_weight": dw}
    return elements, vjp, divisor


PARTS["linear_cross_entropy"] = _linear_cross_entropy
