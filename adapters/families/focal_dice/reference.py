"""Reference values and gradients of the focal_dice family (see spec.py beside this file), in
float64 NumPy.

PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see adapters/reference.py.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import KERAS_EPSILON, class_axis, weights_over
from adapters.families.classification.reference import KERAS_BCE_BOUNDS, over_joint_axes
from adapters.numerics import input_vjp, log_softmax, sigmoid, softplus

from .spec import dice_axes, lovasz_sets

PARTS = {}


def class_axis_anywhere(part):
    """A Dice-family part (written for (N, C, d1..dk)) for a class axis params.axis anywhere: the
    input and target laid out (N, C, d1..dk) (the batch is the first other axis), the part run,
    and its gradient laid back out; unreduced values of two axes or more come back with the batch
    and class axes in the input's order ((C, ..) for classes-first input)."""
    def run(inputs, p, conv):
        c = class_axis(inputs["input"], p.get("axis", 1))
        if c == 1:
            return part(inputs, p, conv)
        order = (1, 0) if c == 0 else (0, c)           # (batch, class) axes
        moved = {k: np.moveaxis(v, order, (0, 1)) for k, v in inputs.items()}
        elements, vjp, divisor = part(moved, p, conv)
        swap = c == 0 and np.ndim(elements) >= 2

        def back(u):
            grads = vjp(np.swapaxes(u, 0, 1) if swap else u)
            return {k: np.moveaxis(g, (0, 1), order) for k, g in grads.items()}
        return (np.swapaxes(elements, 0, 1) if swap else elements), back, divisor
    return run


# ---------------------------------------------------------------- sigmoid_focal_loss

KEPT_PIXELS = "monai_focal_ignore_divides_by_kept_pixels"


def _monai_kept_pixels(kept, p):
    """What MONAI's FocalLoss(ignore_index=) 'sum' divides an element by (KEPT_PIXELS; 1 for
    the other reductions): the kept pixels of its sample, of the whole batch on input without
    spatial axes (torch's sum(dim=[]) is over every axis). `kept` (N, 1, d1..dk) is True where a
    pixel is kept; a count of 0 divides nothing but zeros (MONAI clamps it to eps)."""
    if p["reduction"] != "sum":
        return 1
    count = kept.sum(axis=tuple(range(2, kept.ndim)), keepdims=True) if kept.ndim > 2 \
        else kept.sum()
    return np.where(count == 0, 1, count)


def _alpha_t(y, alpha, conv):
    if alpha < 0 and "focal_negative_alpha_not_ignored" not in conv:
        return np.ones_like(y)
    return alpha * y + (1 - alpha) * (1 - y)


def _sigmoid_focal_loss(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    eps = float(p.get("label_smoothing", 0.0))
    y = y * (1 - eps) + eps / 2 if eps else y     # Keras's binary smoothing, in every term
    alpha, gamma = float(p["alpha"]), float(p["gamma"])
    if "paddle_focal_gamma_in_float32" in conv:
        gamma = float(np.float32(gamma))
    pos_weight = p.get("pos_weight")
    if "kornia_binary_focal_soft_target_terms_split" in conv:
        return _kornia_binary_focal(x, y, alpha, gamma, pos_weight)
    s, s_neg = sigmoid(x), sigmoid(-x)
    ce = y * softplus(-x) + (1 - y) * softplus(x)
    dce = s - y
    if pos_weight is not None:      # torch's BCE with pos_weight (spec.py FOCAL_POS_WEIGHT_DOC)
        w = np.asarray(pos_weight, dtype=np.float64)
        ce = w * y * softplus(-x) + (1 - y) * softplus(x)
        dce = (1 - y) * s - w * y * s_neg
    clipped = conv & set(KERAS_BCE_BOUNDS)
    if clipped:     # Keras's cross-entropy term on probabilities p = sigmoid(x), clipped
        lo, hi = KERAS_BCE_BOUNDS[min(clipped)]
        pc = np.clip(s, lo, hi)
        ce = -(y * np.log(pc) + (1 - y) * np.log1p(-pc))
        dce = ((s >= lo) & (s <= hi)) * (-y / pc + (1 - y) / (1 - pc)) * s * s_neg
    if "paddle_bce_logits_grad_at_0_off_by_1" in conv:
        dce = dce - (x == 0)                  # paddle's kernel: -1/2 - y at x = 0, not 1/2 - y
    q = y * s_neg + (1 - y) * s               # 1 - p_t without cancellation
    if "smp_focal_p_t_is_exp_of_minus_ce" in conv:
        q = -np.expm1(-ce)                    # 1 - exp(-ce): 1 - p_t for a hard target only
    a = _alpha_t(y, alpha, conv)
    factor = np.power(q, gamma)               # 0^0 = 1: gamma = 0 is the weighted BCE
    if "monai_focal_factor_of_hard_target" in conv:
        # 1 - p_t where y is 0 or 1 only, its power in log space (q^gamma stays finite where q
        # underflows, as MONAI's exp(gamma logsigmoid(z)))
        z = x * (1 - 2 * y)
        q, factor = sigmoid(z), np.exp(-gamma * softplus(-z))
    # d q / dx = (1 - 2y) s (1 - s); gamma q^(gamma-1) s (1 - s) = gamma q^gamma (s (1-s) / q),
    # and s (1 - s) / q <= 1, so the first term goes to 0 with q: its limit where q is 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(q > 0, s * s_neg / np.where(q > 0, q, 1.0), 0.0)
    if "monai_focal_factor_of_hard_target" in conv:
        ratio = sigmoid(-z)                   # d log sigmoid(z) / dz = 1 - sigmoid(z)
    slope = 1 - 2 * y                         # d(1 - p_t)/dx = (1 - 2y) s (1 - s)
    if "smp_focal_p_t_is_exp_of_minus_ce" in conv:
        # d(1 - exp(-ce))/dx = exp(-ce) (s - y); ratio * slope carries it over q
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(q > 0, np.exp(-ce) / np.where(q > 0, q, 1.0), 0.0)
        slope = dce
    dfactor = gamma * factor * ratio * slope if gamma > 0 else np.zeros_like(x)
    factor, dfactor = _reduced_factor(factor, dfactor, q, gamma, p.get("reduced_threshold"))
    elements = a * factor * ce
    local = a * (dfactor * ce + factor * dce)
    # the frameworks' pow(1 - p_t, gamma) sees 1 - p_t computed by subtraction
    pow_zero = (1 - (s * y + (1 - s) * (1 - y))) == 0
    if "focal_pow_grad_nan_where_p_t_is_1" in conv and 0 < gamma < 1:
        local = np.where(pow_zero, np.nan, local)
    if "keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0" in conv and gamma == 0:
        local = np.where(pow_zero, np.nan, local)

    # MONAI's own 'sum' (a sample-weighted path reduces itself: the canonical sum)
    if "monai_focal_sum_averages_spatial_axes" in conv and p["reduction"] == "sum" \
            and p.get("sample_weight") is None:
        spatial = int(np.prod(x.shape[2:])) if x.ndim > 2 else x.size   # mean(dim=[]): all
        elements, local = elements / spatial, local / spatial
    if KEPT_PIXELS in conv:       # the mask is the sample weights' (constant along axis 1)
        kept = weights_over(p["sample_weight"], x.shape)[:, :1] != 0
        scale = 1 / x.shape[1] if p["reduction"] == "weighted_mean" \
            else _monai_kept_pixels(kept, p)
        lost = ~kept & ~np.isfinite(x)        # input * mask: inf * 0 = nan
        elements = np.where(lost, np.nan, elements / scale)
        local = np.where(lost, np.nan, local / scale)

    if p.get("normalized"):       # a nan of pow's derivative in `local` stays where it is
        elements, vjp = _normalized_focal(elements, local, factor, dfactor, conv)
        return elements, vjp, x.size

    def vjp(u):
        return {"input": local * u}
    return elements, vjp, x.size


def _reduced_factor(factor, dfactor, q, gamma, threshold):
    """The reduced focal loss's factor (arXiv:1903.01347) and its derivative: 1 (slope 0) where
    p_t = 1 - q < threshold, (q / threshold)^gamma elsewhere; unchanged without a threshold."""
    if threshold is None:
        return factor, dfactor
    scale = float(threshold) ** gamma
    below = (1 - q) < threshold
    return np.where(below, 1.0, factor / scale), np.where(below, 0.0, dfactor / scale)


def _normalized_focal(g, dg, f, df, conv):
    """The normalised focal loss (arXiv:1909.07829): g / P with P = sum f, and its vjp,
    d(g_i / P)/dx_k = [i = k] dg_k / P - g_i df_k / P^2 (g = alpha_t f ce elementwise, dg its
    derivative, f the focal factors, df theirs). smp clamps P at 1e-6, where no gradient flows
    through it (smp_focal_normalizer_clamped_to_eps)."""
    total, d_total = np.sum(f), df
    if "smp_focal_normalizer_clamped_to_eps" in conv and total < SMP_FOCAL_EPS:
        total, d_total = SMP_FOCAL_EPS, np.zeros_like(df)
    with np.errstate(invalid="ignore", divide="ignore"):
        elements = g / total

    def vjp(u):
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"input": dg * u / total - np.sum(u * g) * d_total / total ** 2}
    return elements, vjp


SMP_FOCAL_EPS = 1e-6   # focal_loss_with_logits's eps, the least normaliser


def _kornia_binary_focal(x, y, alpha, gamma, pos_weight=None):
    """alpha y s(-x)^gamma softplus(-x) + (1 - alpha)(1 - y) s(x)^gamma softplus(x), s = sigmoid
    (alpha < 0: no weighting), the positive term times pos_weight. d/dx [s(-x)^gamma
    softplus(-x)] = -s(-x)^gamma (gamma s(x) softplus(-x) + s(-x)) and d/dx [s(x)^gamma
    softplus(x)] = s(x)^gamma (gamma s(-x) softplus(x) + s(x)): no power below 0, so no singular
    point."""
    a_pos, a_neg = (alpha, 1 - alpha) if alpha >= 0 else (1.0, 1.0)
    if pos_weight is not None:
        a_pos = a_pos * np.asarray(pos_weight, dtype=np.float64)
    s, s_neg, sp_neg, sp = sigmoid(x), sigmoid(-x), softplus(-x), softplus(x)
    f_pos, f_neg = np.power(s_neg, gamma), np.power(s, gamma)
    elements = a_pos * y * f_pos * sp_neg + a_neg * (1 - y) * f_neg * sp
    local = (-a_pos * y * f_pos * (gamma * s * sp_neg + s_neg)
             + a_neg * (1 - y) * f_neg * (gamma * s_neg * sp + s))

    def vjp(u):
        return {"input": local * u}
    return elements, vjp, x.size


PARTS["sigmoid_focal_loss"] = _sigmoid_focal_loss


def monai_none_shape(elements, vjp, ndim, conv, kept=0):
    """MONAI's 'none' shape (monai_none_keeps_broadcast_shape): a size-1 axis appended per
    spatial axis, and `kept` more (generalized_dice keeps its summed class axis)."""
    if "monai_none_keeps_broadcast_shape" not in conv:
        return elements, vjp
    shape = np.shape(elements)
    return (np.reshape(elements, shape + (1,) * (ndim - 2 + kept)),
            lambda u: vjp(np.reshape(u, shape)))


# ---------------------------------------------------------------- smp's soft_tversky_score

SMP_EPS = 1e-7     # smp.losses' default eps, the least denominator
SMP = {"smp_overlap_from_l1_distance", "smp_denominator_clamped_to_eps",
       "smp_absent_classes_count_zero"}


def _smp_tversky(x, t, axes, alpha, beta, smooth, conv, p=None):
    """1 - the Tversky index as segmentation_models_pytorch computes it, under the smp
    conventions in `conv` (each off: canonical)."""
    total_p = np.sum(x, axis=axes, keepdims=True)
    total_t = np.sum(t, axis=axes, keepdims=True)
    if "smp_overlap_from_l1_distance" in conv:
        inter = (total_p + total_t - np.sum(np.abs(x - t), axis=axes, keepdims=True)) / 2
        d_inter = (1 - np.sign(x - t)) / 2           # torch's d|z|/dz is 0 at z = 0
    else:
        inter, d_inter = np.sum(x * t, axis=axes, keepdims=True), t
    den = inter + alpha * (total_p - inter) + beta * (total_t - inter) + smooth
    d_den = (1 - alpha - beta) * d_inter + alpha
    if "smp_denominator_clamped_to_eps" in conv:
        d_den = d_den * (den >= SMP_EPS)
        den = np.maximum(den, SMP_EPS)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = (inter + smooth) / den
        local = (index * d_den - d_inter) / den         # d(1 - index)/dp
    losses, local = index_to_loss(index, local, p or {}, conv)
    if "smp_absent_classes_count_zero" in conv:
        present = (total_t > 0).astype(float)            # a product, as torch's loss *= mask
        losses, local = losses * present, local * present
    squeeze = (lambda a: np.squeeze(a, axis=axes)) if axes else (lambda a: a)
    elements = squeeze(losses)

    def vjp(u):
        return {"input": local * np.expand_dims(u, axes) if axes else local * u}
    return elements, vjp, elements.size


# ---------------------------------------------------------------- Dice-family variants
# log_loss and gamma on an overlap index (spec.py's Dice-family variants), and smp's ways

def index_to_loss(index, local, p, conv):
    """The loss of an overlap index and its gradient: 1 - index, or -log(index) with log_loss
    (smp clamps the index at 1e-7: smp_log_loss_index_clamped_to_eps), then each value raised to
    gamma (smp raises the mean instead: smp_focal_tversky_power_of_mean). `local` is d(1 -
    index)/dp, laid out like the input; `index` keeps the summed axes."""
    losses = 1 - index
    with np.errstate(invalid="ignore", divide="ignore"):
        if p.get("log_loss"):       # d(-log s)/dp = -(ds/dp) / s = local / s
            s = index
            if "smp_log_loss_index_clamped_to_eps" in conv:
                s = np.maximum(index, SMP_EPS)
                local = np.where(index < SMP_EPS, 0.0, local)
            losses, local = -np.log(s), local / s
        gamma = float(p.get("gamma", 1.0))
        if gamma != 1 and "smp_focal_tversky_power_of_mean" not in conv:
            local = gamma * np.power(losses, gamma - 1) * local
            losses = np.power(losses, gamma)
    return losses, local


def smp_overlap(x, t, axes, alpha, beta, smooth, p, conv):
    """smp's JaccardLoss and TverskyLoss: the per-class losses, their classes and class weights
    (divided by the weights' sum), and gamma on their mean."""
    elements, vjp, divisor = _smp_tversky(x, t, axes, alpha, beta, smooth, conv, p)
    if p.get("class_weights") is not None or p.get("ignore_background"):
        elements, vjp, divisor = dice_class_terms(elements, vjp, p, conv)
    gamma = float(p.get("gamma", 1.0))
    if gamma == 1 or "smp_focal_tversky_power_of_mean" not in conv:
        return elements, vjp, divisor
    mean = elements.sum() / divisor        # smp: aggregate_loss(loss) ** gamma, one value

    def back(u):
        return vjp(np.broadcast_to(u * gamma * mean ** (gamma - 1) / divisor, elements.shape))
    return np.asarray(mean ** gamma), back, 1.0


# ---------------------------------------------------------------- soft_dice_loss

# a softmax over the classes of the log-probabilities the path passes (kornia's losses take
# logits; MONAI's softmax=True)
SOFTMAX_OF_LOG = "dice_softmax_of_log_input"


def _kornia_input(x, conv):
    """kornia's softmax of log p (MONAI's softmax=True given log p): p / sum_c p, and the map of
    a gradient g with respect to it back to p: (g - sum_c g q) / S, classes on axis 1."""
    if SOFTMAX_OF_LOG not in conv:
        return x, lambda g: g
    total = np.sum(x, axis=1, keepdims=True)
    q = x / total
    return q, lambda g: (g - np.sum(g * q, axis=1, keepdims=True)) / total


def _kornia_present_weights(t, axes, conv):
    """1 / (classes present in the sample's target) for a present class, 0 for an absent one
    (kornia_mean_over_present_classes, sum_over='spatial'), and the divisor N; else None."""
    if "kornia_mean_over_present_classes" not in conv:
        return None, None
    present = (np.sum(t, axis=axes) > 0) if axes else t > 0
    count = np.maximum(present.sum(axis=1, keepdims=True), 1)
    return present / count, t.shape[0]


# kornia's dice_loss(average='macro', weight=w): each sample's weighted mean over the weights of
# its present classes (kornia_dice_weighted_mean_over_present_weights)
KORNIA_WEIGHTED = "kornia_dice_weighted_mean_over_present_weights"


def _kornia_weighted_present(t, axes, class_weights):
    """The (N, C) factors w_c [T_c > 0] / sum_c w_c [T_c > 0] of the per-class losses, and the
    (N, C) constant a sample of zero weight sum costs (1, spread over its C entries, no
    gradient)."""
    present = (np.sum(t, axis=axes) > 0) if axes else t > 0
    w = np.asarray(class_weights, dtype=np.float64)[None, :] * present
    total = w.sum(axis=1, keepdims=True)
    empty = total == 0
    factors = np.where(empty, 0.0, w / np.where(empty, 1.0, total))
    return factors, np.where(empty, 1.0 / w.shape[1], 0.0)


def dice_class_terms(elements, vjp, p, conv=frozenset()):
    """class_weights and ignore_background on the per-class losses (N, C) or (C,), classes on
    their axis 1 or 0 (one Dice per class: sum_over is not 'all'): each weighted, class 0
    dropped (kept when it is the only class); the divisor is the count left (smp: the kept
    classes' weights summed, smp_class_weighted_mean_over_weights)."""
    weights, background = p.get("class_weights"), p.get("ignore_background", False)
    if weights is None and not background:
        return elements, vjp, np.size(elements)
    axis = 0 if p["sum_over"] == "batch_and_spatial" else 1
    c = elements.shape[axis]
    first = 1 if background and c > 1 else 0
    w = np.ones(c) if weights is None else np.asarray(weights, dtype=np.float64)
    if "monai_dice_weight_ignored_for_one_class" in conv and c - first == 1:
        w = np.ones(c)
    w = np.reshape(w, (c,) + (1,) * (elements.ndim - axis - 1))
    kept = [slice(None)] * elements.ndim
    kept[axis] = slice(first, None)
    kept = tuple(kept)
    out = (elements * w)[kept]

    def weighted_vjp(u):
        full = np.zeros(elements.shape)
        full[kept] = u
        return vjp(full * w)
    divisor = out.size
    if "smp_class_weighted_mean_over_weights" in conv and weights is not None:
        # smp: (loss * w).sum() / w.sum() over the classes kept
        divisor = out.size // (c - first) * float(np.sum(np.asarray(weights, float)[first:]))
    return out, weighted_vjp, divisor


def overlap_totals(x, t, axes, squared):
    """P + T over `axes` (kept), and its derivative in p: sums of p and t, or of their squares
    with `squared` (V-Net's denominator, MONAI's squared_pred=True)."""
    if squared:
        return (np.sum(x * x, axis=axes, keepdims=True)
                + np.sum(t * t, axis=axes, keepdims=True)), 2 * x
    return np.sum(x, axis=axes, keepdims=True) + np.sum(t, axis=axes, keepdims=True), 1.0


def monai_target_norm_shift(t, axes, squared, conv):
    """What monai_onehot_target_norm_in_float32 adds to sum t^2 (0 otherwise): MONAI's
    float32 one-hot target gives |t|_2 rounded to float32, squared in float32, in place of
    sum t^2. Its I = (P + T - |p - t|^2) / 2 moves by half of it; it does not depend on p."""
    if not (squared and "monai_onehot_target_norm_in_float32" in conv):
        return 0.0
    exact = np.sum(t * t, axis=axes, keepdims=True)
    rounded = np.square(np.sqrt(exact.astype(np.float32)))     # float32 sqrt, then pow 2
    return rounded.astype(np.float64) - exact


def _soft_dice_loss(inputs, p, conv):
    x, t = inputs["input"], inputs["target"]
    x, back = _kornia_input(x, conv)
    axes = dice_axes(x.ndim, p["sum_over"])
    smooth = float(p["smooth"])
    if conv & SMP or "smp_dice_smooth_doubled" in conv:
        # the Tversky index at 1/2, 1/2 is the Dice with smooth doubled (smp_dice_smooth_doubled)
        s = smooth if "smp_dice_smooth_doubled" in conv else smooth / 2
        elements, vjp, divisor = _smp_tversky(x, t, axes, 0.5, 0.5, s, conv, p)
        if p.get("class_weights") is not None or p.get("ignore_background"):
            return dice_class_terms(elements, vjp, p, conv)
        return elements, vjp, divisor
    num_smooth = den_smooth = smooth
    if "optax_dice_smooth_doubled" in conv:
        num_smooth = den_smooth = 2 * smooth
    if "keras_dice_epsilon_in_denominator_only" in conv:
        num_smooth, den_smooth = 0.0, KERAS_EPSILON
    if conv & {"kornia_eps_in_denominator_only", "paddle_dice_epsilon_in_denominator_only"}:
        num_smooth = 0.0
    shift = monai_target_norm_shift(t, axes, p.get("squared", False), conv)
    inter = np.sum(x * t, axis=axes, keepdims=True) + shift / 2
    total, d_total = overlap_totals(x, t, axes, p.get("squared", False))
    den = total + shift + den_smooth
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = (2 * inter + num_smooth) / den      # 0/0 = nan only when smooth is 0
        local = (dice * d_total - 2 * t) / den     # d(1 - dice)/dp, laid out like the input
    if "kornia_eps_in_denominator_only" in conv:   # kornia: Dice 0 where P + T = 0
        empty = (den - den_smooth) == 0
        dice, local = np.where(empty, 0.0, dice), np.where(empty, 0.0, local)
    squeeze = (lambda a: np.squeeze(a, axis=axes)) if axes else (lambda a: a)
    losses, local = index_to_loss(dice, local, p, conv)
    elements = squeeze(losses)
    weights, divisor = _kornia_present_weights(t, axes, conv)
    if KORNIA_WEIGHTED in conv and p.get("class_weights") is not None:
        weights, cost = _kornia_weighted_present(t, axes, p["class_weights"])
        elements, divisor = elements * weights + cost, t.shape[0]
        p = {**p, "class_weights": None}      # applied: not again by dice_class_terms
    elif weights is not None:
        elements = elements * weights
    else:
        divisor, weights = elements.size, 1.0

    def vjp(u):
        u = u * weights
        return {"input": back(local * np.expand_dims(u, axes) if axes else local * u)}
    if p.get("class_weights") is not None or p.get("ignore_background"):
        elements, vjp, counted = dice_class_terms(elements, vjp, p, conv)
        # kornia's present classes already averaged each sample: its divisor stays N
        divisor = divisor if "kornia_mean_over_present_classes" in conv else counted
    elements, vjp = monai_none_shape(elements, vjp, x.ndim, conv)
    return elements, vjp, divisor


PARTS["soft_dice_loss"] = class_axis_anywhere(_soft_dice_loss)


# ---------------------------------------------------------------- categorical_focal_crossentropy

def _monai_sum_scale(x, p, conv):
    """The divisor of MONAI FocalLoss's own 'sum' (monai_focal_sum_averages_spatial_axes): the
    spatial size, every element on input without spatial axes (torch's mean(dim=[])); 1 for other
    reductions and for a sample-weighted path, which reduces itself."""
    if "monai_focal_sum_averages_spatial_axes" in conv and p["reduction"] == "sum" \
            and p.get("sample_weight") is None:
        return int(np.prod(x.shape[2:])) if x.ndim > 2 else x.size
    return 1


def _focal_targets(x, y, p, conv):
    """The smoothed targets t (class axis last), the kept rows and the mean divisor."""
    axis = class_axis(x, p.get("axis", 1))
    c = x.shape[axis]
    if np.issubdtype(y.dtype, np.integer):                  # index targets
        kept = y != p["ignore_index"]
        t = np.eye(c)[np.where(kept, y, 0)] * kept[..., None]
        divisor = int(kept.sum())
    else:
        t = np.moveaxis(y, axis, -1)
        kept = np.ones(t.shape[:-1], dtype=bool)
        divisor = t.size // c if c else 0
    eps = float(p["label_smoothing"])
    if eps:
        # Keras divides by the last axis of y_true, the class axis only when it is last (with
        # joint axes, the last axis of the input as given: _over_joint_class_axes)
        k = p.get(LAST_AXIS_SIZE, x.shape[-1]) \
            if "keras_label_smoothing_over_last_axis_size" in conv else c
        t = np.where(kept[..., None], (1 - eps) * t + eps / k, 0.0)
    return t, divisor


def _categorical_focal_crossentropy(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    axis = class_axis(x, p.get("axis", 1))
    alpha, gamma = float(p["alpha"]), float(p["gamma"])
    t, divisor = _focal_targets(x, y, p, conv)
    if "monai_softmax_focal_scalar_alpha_weighs_background" in conv:
        # MONAI's scalar alpha: 1 - alpha on class 0, alpha on the others (class axis last)
        alpha = np.array([1 - alpha] + [alpha] * (x.shape[axis] - 1))
    logp = np.moveaxis(log_softmax(x, axis), axis, -1)
    prob = np.exp(logp)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if "keras_focal_probs_clipped_to_epsilon" in conv:
            lo, hi = KERAS_EPSILON, 1 - KERAS_EPSILON
            inside = (prob >= lo) & (prob <= hi)
            pc = np.clip(prob, lo, hi)
            qc, log_pc = 1 - pc, np.log(pc)
            terms = -alpha * t * qc ** gamma * log_pc
            # dl/dp (0 where clipped), times p: dl/dlog p
            g = inside * -alpha * t * (-gamma * qc ** (gamma - 1) * log_pc + qc ** gamma / pc)
            h = g * prob
        else:
            q = -np.expm1(logp)                           # 1 - p without cancellation
            factor = q ** gamma                           # 0^0 = 1
            terms = np.where(t > 0, -alpha * t * factor * logp, 0.0)     # 0 log 0 = 0
            # gamma q^(gamma-1) p log p, written where it is well-conditioned: q^(gamma-1) p log p
            # with p log p -> 0 at p = 0 when q >= 1/2, and q^gamma p (log p / q) with
            # log p / q -> -1 at q = 0 when p > 1/2
            p_log_p = np.where(prob > 0, prob * logp, 0.0)
            ratio = np.where(q > 0, logp / np.where(q > 0, q, 1.0), -1.0)
            slope = np.where(q >= 0.5, q ** (gamma - 1) * p_log_p, factor * prob * ratio)
            h = np.where(t > 0, -alpha * t * (factor - gamma * slope), 0.0)
    if "kornia_focal_grad_nan_where_target_logit_is_neg_inf" in conv and gamma > 0:
        # 0 * inf in the focal factor's derivative, then through log_softmax to the whole row
        h = np.where(np.any((t > 0) & (logp == -np.inf), axis=-1, keepdims=True), np.nan, h)
    if "monai_softmax_focal_nan_where_a_logit_is_neg_inf" in conv:
        # MONAI multiplies log p = -inf by t = 0 (nan), and its backward meets 0 * inf too; a
        # row of -inf logits has log p = nan in every class, t = 0 or not
        neg_inf = logp == -np.inf
        terms = np.where((neg_inf & (t == 0)) | np.isnan(logp), np.nan, terms)
        h = np.where(np.any(neg_inf | np.isnan(logp), axis=-1, keepdims=True), np.nan, h)
    if "focal_pow_grad_nan_where_p_t_is_1" in conv and 0 < gamma < 1:
        # pow's derivative gamma 0^(gamma - 1) = inf at a class of p = 1, times 0: the row's
        h = np.where(np.any(-np.expm1(logp) == 0, axis=-1, keepdims=True), np.nan, h)
    if conv & {"kornia_focal_map_per_class", "monai_softmax_focal_map_per_class"}:
        # each class's term where kornia (MONAI) puts it; term c depends on log p_c alone, so an
        # upstream u_c scales h_c
        scale, map_divisor = _monai_sum_scale(x, p, conv), terms.size
        if KEPT_PIXELS in conv:   # index targets, class axis 1: the kept pixels count instead
            kept = y != p["ignore_index"]
            scale = _monai_kept_pixels(kept[:, None], p)
            map_divisor = divisor or np.inf          # 'mean' over no pixel: 0 / eps = 0
            # input * mask: an infinite logit of an ignored pixel is nan, and softmax spreads it
            lost = (~kept & ~np.all(np.isfinite(np.moveaxis(x, axis, -1)), axis=-1))[..., None]
            terms, h = np.where(lost, np.nan, terms), np.where(lost, np.nan, h)
        elements = np.moveaxis(terms, -1, axis) / scale

        def vjp(u):
            hu = h * np.moveaxis(u, axis, -1) / scale
            return {"input": np.moveaxis(hu - prob * hu.sum(axis=-1, keepdims=True), -1, axis)}
        return elements, vjp, map_divisor
    elements = terms.sum(axis=-1)
    local = h - prob * h.sum(axis=-1, keepdims=True)      # back through log_softmax
    return elements, input_vjp(np.moveaxis(local, -1, axis), axis), divisor


def _monai_focal_without_background(part):
    """MONAI's FocalLoss(use_softmax=True, include_background=False)
    (monai_softmax_focal_background_dropped_before_softmax): the part run on x[:, 1:] and
    t[:, 1:] (one-hot or probability targets, class axis 1), channel 0's gradient 0."""
    name = "monai_softmax_focal_background_dropped_before_softmax"

    def run(inputs, p, conv):
        x = inputs["input"]
        if name not in conv or x.shape[1] < 2:
            return part(inputs, p, conv)
        elements, vjp, divisor = part({k: v[:, 1:] for k, v in inputs.items()}, p, conv - {name})

        def back(u):
            return {"input": np.concatenate([np.zeros_like(x[:, :1]), vjp(u)["input"]], axis=1)}
        return elements, back, divisor
    return run


# the size of the last axis of the input as given, which the flattening of joint axes hides from
# the part (keras_label_smoothing_over_last_axis_size reads it)
LAST_AXIS_SIZE = "last axis size"


def _over_joint_class_axes(part):
    """`part` for a tuple `axis` too (classification's over_joint_axes: the joint class axes
    flattened last), told the input's own last axis size for Keras's smoothing divisor."""
    joint = over_joint_axes(part)

    def run(inputs, p, conv):
        if isinstance(p.get("axis", 1), (tuple, list)):
            p = {**p, LAST_AXIS_SIZE: np.shape(inputs["input"])[-1]}
        return joint(inputs, p, conv)
    return run


PARTS["categorical_focal_crossentropy"] = _monai_focal_without_background(
    _over_joint_class_axes(_categorical_focal_crossentropy))


# ---------------------------------------------------------------- tversky

def _tversky(inputs, p, conv):
    x, t = inputs["input"], inputs["target"]
    x, back = _kornia_input(x, conv)
    axes = dice_axes(x.ndim, p["sum_over"])
    alpha, beta, smooth = float(p["alpha"]), float(p["beta"]), float(p["smooth"])
    if conv & SMP:
        return smp_overlap(x, t, axes, alpha, beta, smooth, p, conv)
    num_smooth = den_smooth = smooth
    if "keras_tversky_alpha_weighs_false_negatives" in conv:
        alpha, beta = beta, alpha
    if "keras_tversky_epsilon_in_denominator_only" in conv:
        num_smooth, den_smooth = 0.0, KERAS_EPSILON
    if "kornia_eps_in_denominator_only" in conv:
        num_smooth = 0.0
    inter = np.sum(x * t, axis=axes, keepdims=True)
    fp = np.sum(x * (1 - t), axis=axes, keepdims=True)
    fn = np.sum((1 - x) * t, axis=axes, keepdims=True)
    den = inter + alpha * fp + beta * fn + den_smooth
    with np.errstate(invalid="ignore", divide="ignore"):
        index = (inter + num_smooth) / den           # 0/0 = nan only when smooth is 0
        # d(1 - index)/dp: dI/dp = t, dFP/dp = 1 - t, dFN/dp = -t
        local = (index * (t + alpha * (1 - t) - beta * t) - t) / den
    if "kornia_eps_in_denominator_only" in conv:   # kornia: index 0 where the sums are 0
        empty = (den - den_smooth) == 0
        index, local = np.where(empty, 0.0, index), np.where(empty, 0.0, local)
    squeeze = (lambda a: np.squeeze(a, axis=axes)) if axes else (lambda a: a)
    losses, local = index_to_loss(index, local, p, conv)
    elements = squeeze(losses)
    weights, divisor = _kornia_present_weights(t, axes, conv)
    if weights is not None:
        elements = elements * weights
    else:
        divisor, weights = elements.size, 1.0

    def vjp(u):
        u = u * weights
        return {"input": back(local * np.expand_dims(u, axes) if axes else local * u)}
    if p.get("ignore_background") or p.get("class_weights") is not None:
        elements, vjp, divisor = dice_class_terms(elements, vjp, p, conv)
    return elements, vjp, divisor


PARTS["tversky"] = class_axis_anywhere(_tversky)


# ---------------------------------------------------------------- generalized_dice

def gdl_weights(volumes, weight_type, class_axis, conv=frozenset()):
    """w_c from the class volumes T_c: an absent class (T_c = 0) takes the largest finite weight
    along the class axis (0 when none is finite)."""
    if "monai_gdl_weights_in_float32" in conv:
        volumes = volumes.astype(np.float32)     # 1 / (T T) rounded in float32, as MONAI's
    with np.errstate(divide="ignore", over="ignore"):
        w = {"square": lambda v: 1.0 / v ** 2, "simple": lambda v: 1.0 / v,
             "uniform": np.ones_like}[weight_type](volumes)
    infinite = np.isinf(w)
    finite = np.where(infinite, 0.0, w)
    return np.where(infinite, finite.max(axis=class_axis, keepdims=True),
                    finite).astype(np.float64)


def per_value(a, ndim):
    """An (N,) or () array of one value per sample (or one in all) against (N, C, d1..dk)."""
    return np.reshape(a, (-1,) + (1,) * (ndim - 1))


def _generalized_dice(inputs, p, conv):
    x, t = inputs["input"], inputs["target"]
    x, back = _kornia_input(x, conv)
    if p.get("ignore_background") and x.shape[1] > 1:    # class 0 out, before the sums
        x, t, full_back = x[:, 1:], t[:, 1:], back

        def back(g):
            return full_back(np.concatenate([np.zeros_like(g[:, :1]), g], axis=1))
    batch = p["sum_over"] == "batch_and_spatial"
    axes = tuple(range(2, x.ndim))
    if batch:
        axes = (0, *axes)
    smooth = float(p["smooth"])
    inter = np.sum(x * t, axis=axes)                   # (N, C), or (C,) with the batch summed
    volume = np.sum(t, axis=axes)
    w = gdl_weights(volume, p["weight_type"], -1, conv)
    den = np.sum(w * (np.sum(x, axis=axes) + volume), axis=-1) + smooth
    with np.errstate(invalid="ignore", divide="ignore"):
        g = (2 * np.sum(w * inter, axis=-1) + smooth) / den
        # dl/dp = w_c (G - 2 t) / Den, laid out like the input; per sample, or one for all
        lead = (1, x.shape[1]) if batch else x.shape[:2]
        scale = (w / den[..., None]).reshape(lead + (1,) * (x.ndim - 2))
        local = scale * (per_value(g, x.ndim) - 2 * t)
    elements = 1 - g

    def vjp(u):
        return {"input": back(local * per_value(u, x.ndim))}
    elements, vjp = monai_none_shape(elements, vjp, x.ndim, conv, kept=1)
    return elements, vjp, elements.size


PARTS["generalized_dice"] = class_axis_anywhere(_generalized_dice)


# ---------------------------------------------------------------- jaccard

def _jaccard(inputs, p, conv):
    x, t = inputs["input"], inputs["target"]
    axes = dice_axes(x.ndim, p["sum_over"])
    smooth = float(p["smooth"])
    if conv & SMP:
        return smp_overlap(x, t, axes, 1.0, 1.0, smooth, p, conv)
    num_smooth = den_smooth = smooth
    if "monai_jaccard_smooth_halved" in conv:
        num_smooth = den_smooth = smooth / 2
    shift = monai_target_norm_shift(t, axes, p.get("squared", False), conv)
    inter = np.sum(x * t, axis=axes, keepdims=True) + shift / 2
    total, d_total = overlap_totals(x, t, axes, p.get("squared", False))
    union = total + shift - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        index = (inter + num_smooth) / (union + den_smooth)     # 0/0 = nan only when smooth is 0
        local = (index * (d_total - t) - t) / (union + den_smooth)   # d(1 - J)/dp
    squeeze = (lambda a: np.squeeze(a, axis=axes)) if axes else (lambda a: a)
    losses, local = index_to_loss(index, local, p, conv)
    elements = squeeze(losses)

    def vjp(u):
        return {"input": local * np.expand_dims(u, axes) if axes else local * u}
    divisor = elements.size
    if p.get("ignore_background") or p.get("class_weights") is not None:
        elements, vjp, divisor = dice_class_terms(elements, vjp, p, conv)
    elements, vjp = monai_none_shape(elements, vjp, x.ndim, conv)
    return elements, vjp, divisor


PARTS["jaccard"] = class_axis_anywhere(_jaccard)


# ---------------------------------------------------------------- lovasz_hinge, lovasz_softmax

def lovasz_weights(g):
    """w_k = J_k - J_(k-1) for foreground labels g (0 or 1) sorted by descending error: the
    gradient of the Lovasz extension of the Jaccard loss (Berman et al. 2018, Alg. 1). J_k is
    the Jaccard loss when the first k pixels are mispredicted; U_k >= 1 for a non-empty set."""
    total = g.sum()
    inter = total - np.cumsum(g)
    union = total + np.cumsum(1 - g)
    return np.diff(1 - inter / union, prepend=0.0)


def descending(m):
    """The canonical order of the errors: descending, tied errors in their flattened order."""
    return np.argsort(-m, kind="stable")


def _lovasz_extension(m, g, hinge):
    """The value at errors m (one set, 1-D) of the Lovasz extension of the Jaccard loss of
    labels g, through relu (hinge) or as is, and its derivative with respect to m."""
    if not m.size:
        return 0.0, np.zeros_like(m)     # no kept pixel: 0 (Berman's 'only void pixels')
    order = descending(m)
    w = lovasz_weights(g[order])
    sorted_m = m[order]
    f, df = (np.maximum(sorted_m, 0.0), sorted_m > 0) if hinge else (sorted_m, 1.0)
    grad = np.empty_like(m)
    grad[order] = w * df                 # relu'(0) = 0: the frameworks' choice
    return float(np.dot(f, w)), grad


def _per_set_vjp(local, groups, per_image, shape):
    """The vjp of one value per set (shape (N,) or ()): each set's upstream times its rows."""
    def vjp(u):
        u = np.reshape(u, (groups,) + (1,) * (local.ndim - 1))
        return {"input": np.reshape(local * u, shape)}
    return vjp


def _lovasz_hinge(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    z, dz = x, np.ones_like(x)
    if "smp_lovasz_from_logits_ignored" in conv:     # probabilities taken as logits
        z, dz = sigmoid(x), sigmoid(x) * sigmoid(-x)
    kept = y != p["ignore_index"]
    s = np.where(kept, 2 * y - 1, 0.0)
    m = 1 - z * s
    groups, size = lovasz_sets(x.shape, p["per_image"])
    values, dm = [], np.zeros((groups, size))
    for r, (mr, yr, kr) in enumerate(zip(m.reshape(groups, size), y.reshape(groups, size),
                                         kept.reshape(groups, size), strict=True)):
        value, grad = _lovasz_extension(mr[kr], yr[kr], hinge=True)
        values.append(value)
        dm[r][kr] = grad
    local = dm * (-s * dz).reshape(groups, size)
    elements = np.array(values) if p["per_image"] else np.array(values[0] if values else 0.0)
    return elements, _per_set_vjp(local, groups, p["per_image"], x.shape), elements.size


PARTS["lovasz_hinge"] = _lovasz_hinge


def _softmax_vjp(prob, g):
    """g back through p = softmax over axis 1: p (g - sum_c g p)."""
    return prob * (g - np.sum(g * prob, axis=1, keepdims=True))


def _lovasz_softmax(inputs, p, conv):
    x, y = inputs["input"], inputs["target"]
    c = x.shape[1]
    probs = [np.exp(log_softmax(x, 1))]
    if "smp_lovasz_from_logits_ignored" in conv:     # softmax of the probabilities
        probs.append(np.exp(log_softmax(probs[0], 1)))
    prob = probs[-1]
    if np.issubdtype(y.dtype, np.integer):
        kept = y != p["ignore_index"]
        fg = np.moveaxis(np.eye(c)[np.where(kept, y, 0)] * kept[..., None], -1, 1)
    else:
        kept, fg = np.ones(y.sum(axis=1).shape, dtype=bool), y
    groups, size = lovasz_sets(kept.shape, p["per_image"])
    channels_last = np.moveaxis(prob, 1, -1).shape
    pm = np.moveaxis(prob, 1, -1).reshape(groups, size, c)
    fm = np.moveaxis(fg, 1, -1).reshape(groups, size, c)
    km = kept.reshape(groups, size)
    values, dp = [], np.zeros((groups, size, c))
    weights = np.ones(c) if p.get("class_weights") is None else np.asarray(p["class_weights"],
                                                                          dtype=np.float64)
    for r in range(groups):
        pr, fr = pm[r][km[r]], fm[r][km[r]]
        used = [k for k in range(c) if p["classes"] == "all" or fr[:, k].sum() > 0]
        grad, total = np.zeros_like(pr), 0.0
        for k in used:
            value, dm = _lovasz_extension(np.abs(fr[:, k] - pr[:, k]), fr[:, k], hinge=False)
            total += weights[k] * value / len(used)
            grad[:, k] = weights[k] * dm * np.sign(pr[:, k] - fr[:, k]) / len(used)  # |.|'(0)=0
        values.append(total)
        dp[r][km[r]] = grad
    elements = np.array(values) if p["per_image"] else np.array(values[0] if values else 0.0)

    def vjp(u):
        g = dp * np.reshape(u, (groups, 1, 1))
        g = np.moveaxis(g.reshape(channels_last), -1, 1)
        for prob_i in reversed(probs):
            g = _softmax_vjp(prob_i, g)
        return {"input": g}
    return elements, vjp, elements.size


PARTS["lovasz_softmax"] = _lovasz_softmax


# torch.sort(descending=True) without stable=True keeps tied elements in their order in a row of
# up to 16 elements (an insertion sort; seen on torch 2.13.0 CPU, 20 draws of each length 1..199),
# not beyond: a library that sorts so (smp, kornia) breaks ties its own way in larger sets
TORCH_SORT_KEEPS_TIES_UP_TO = 16


def lovasz_errors(loss, inputs, params, encoding):
    """The canonical errors of each set of a Lovasz loss, kept pixels only: a list of 1-D
    arrays (one per set, and per class used for lovasz_softmax)."""
    x = np.asarray(inputs["input"], dtype=np.float64)
    y = np.asarray(inputs["target"])
    found = []
    if loss == "lovasz_hinge":
        groups, size = lovasz_sets(x.shape, params["per_image"])
        kept = (y != params["ignore_index"]).reshape(groups, size)
        m = (1 - x * (2 * y - 1)).reshape(groups, size)
        return [mr[kr] for mr, kr in zip(m, kept, strict=True)]
    c = x.shape[1]
    prob = np.exp(log_softmax(x, 1))
    if encoding == "index":
        kept = y != params["ignore_index"]
        fg = np.moveaxis(np.eye(c)[np.where(kept, y, 0)], -1, 1)
    else:
        kept, fg = np.ones(y.sum(axis=1).shape, dtype=bool), y
    groups, size = lovasz_sets(kept.shape, params["per_image"])
    pm = np.moveaxis(prob, 1, -1).reshape(groups, size, c)
    fm = np.moveaxis(fg, 1, -1).reshape(groups, size, c)
    for pr, fr, kr in zip(pm, fm, kept.reshape(groups, size), strict=True):
        found += [np.abs(fr[kr, k] - pr[kr, k]) for k in range(c)]
    return found


def unstable_ties(loss):
    """An unsupported_when test (params, encoding, inputs): whether a set of `loss` holds tied
    positive errors beyond TORCH_SORT_KEEPS_TIES_UP_TO pixels, where the gradient of a path
    sorting with torch.sort's default depends on its tie order."""
    return lambda params, encoding, inputs: "input" in inputs and _ties(loss, params, encoding,
                                                                        inputs)


def _ties(loss, params, encoding, inputs) -> bool:
    for m in lovasz_errors(loss, inputs, params, encoding):
        positive = m[m > 0]
        if m.size > TORCH_SORT_KEEPS_TIES_UP_TO and np.unique(positive).size < positive.size:
            return True
    return False


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


# ---------------------------------------------------------------- ignore_index (soft_dice_loss,
# jaccard, tversky)

def ignoring_elements(part):
    """A Dice-family part with params.ignore_index: the target elements equal to it and their
    inputs set to 0 before the part (they leave every sum), and no gradient to those inputs. A
    softmax of the input (dice_softmax_of_log_input) is taken first, over every pixel, as
    kornia's and MONAI's softmax=True mask after it."""
    def run(inputs, p, conv):
        k = p.get("ignore_index")
        if k is None:
            return part(inputs, p, conv)
        x, t = inputs["input"], inputs["target"]
        kept = t != k
        prob, back = x, (lambda g: g)
        if SOFTMAX_OF_LOG in conv:
            axis = class_axis(x, p.get("axis", 1))
            total = np.sum(x, axis=axis, keepdims=True)
            prob = x / total

            def back(g):
                return (g - np.sum(g * prob, axis=axis, keepdims=True)) / total
            conv = conv - {SOFTMAX_OF_LOG}
        t = np.where(kept, t, 0.0)
        elements, vjp, divisor = part({**inputs, "input": np.where(kept, prob, 0.0), "target": t},
                                      p, conv)
        if "kornia_all_ignored_sample_counts_1" in conv:
            # no class present in a sample (every pixel ignored): kornia's loss 1 for it, shared
            # by its C per-class values (classes on axis 1), no gradient
            empty = np.sum(t.reshape(t.shape[0], -1), axis=1) == 0
            elements = np.where(empty[:, None], 1.0 / elements.shape[1], elements)

        def masked_vjp(u):
            grads = vjp(u)
            return {**grads, "input": back(np.where(kept, grads["input"], 0.0))}
        return elements, masked_vjp, divisor
    return run


for _name in ("soft_dice_loss", "jaccard", "tversky"):
    PARTS[_name] = ignoring_elements(PARTS[_name])
