"""JAX/optax paths of the focal_dice family (spec.py beside this file).

optax 0.2.8 has optax.sigmoid_focal_loss (also optax.losses.sigmoid_focal_loss) and
optax.losses.dice_loss (with binary_dice_loss and multiclass_generalized_dice_loss); dice_loss's
alpha and beta make it the Tversky loss too. optax has no categorical focal loss: its path is
composed from jax.nn. Every optax loss returns unreduced values; every path reduces explicitly and
is `composed`.
"""
from __future__ import annotations

import numpy as np

from adapters.families.classification.jax_optax import joint_classes_last
from adapters.jax_optax import (  # noqa: F401
    OPTAX_DOC,
    SEEN_ON,
    adapter,
    jax,
    jnp,
    optax,
    path,
    reduce,
)

from .spec import (
    classes_first,
    denominator_terms,
    dice_axes,
    lovasz_sets,
    weigh_dice_classes,
    without_ignore_index,
)

# ---------------------------------------------------------------- sigmoid_focal_loss
# optax's alpha defaults to None (no weighting) where torchvision's is 0.25; the path passes
# alpha as given, so a negative alpha weighs the classes (focal_negative_alpha_not_ignored).

# optax has no label smoothing on the focal loss: Keras's binary smoothing is applied first
@path("sigmoid_focal_loss", "optax.sigmoid_focal_loss", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "reduction"],
      conventions=["focal_negative_alpha_not_ignored"],
      call="reduce(optax.sigmoid_focal_loss(input, target * (1 - label_smoothing) + 0.5 * "
           "label_smoothing, alpha=alpha, gamma=gamma), reduction)")
def focal_optax(input, target, *, alpha, gamma, label_smoothing, reduction):
    target = target * (1 - label_smoothing) + 0.5 * label_smoothing
    return reduce(optax.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma), reduction)


@path("sigmoid_focal_loss", "optax.sigmoid_focal_loss(alpha=None if alpha < 0)", kind="composed",
      params=["alpha", "gamma", "reduction"],
      call="reduce(optax.sigmoid_focal_loss(input, target, alpha=None if alpha < 0 else alpha, "
           "gamma=gamma), reduction)")
def focal_optax_none(input, target, *, alpha, gamma, reduction):
    losses = optax.sigmoid_focal_loss(input, target, alpha=None if alpha < 0 else alpha,
                                         gamma=gamma)
    return reduce(losses, reduction)


# optax.sigmoid_focal_loss has neither the reduced nor the normalised focal loss: composed from
# jax.nn with 1 - p_t in log space (a finite gradient where it underflows), as the torch and TF
# log-space paths
@path("sigmoid_focal_loss", "jax.nn.log_sigmoid+log-space", kind="composed",
      params=["alpha", "gamma", "normalized", "reduced_threshold", "reduction"],
      call="log_q = jnp.logaddexp(jnp.log(target) + jax.nn.log_sigmoid(-input), "
           "jnp.log1p(-target) + jax.nn.log_sigmoid(input)); f = jnp.exp(gamma * log_q); if "
           "reduced_threshold is not None: f = jnp.where(-jnp.expm1(log_q) < reduced_threshold, "
           "1, jnp.exp(gamma * (log_q - log(reduced_threshold)))); l = alpha_t * f * "
           "optax.sigmoid_binary_cross_entropy(input, target) (alpha_t = 1 if alpha < 0); if "
           "normalized: l = l / jnp.sum(f); reduce(l, reduction)")
def focal_jax(input, target, *, alpha, gamma, normalized, reduced_threshold, reduction):
    log_q = jnp.logaddexp(jnp.log(target) + jax.nn.log_sigmoid(-input),
                          jnp.log1p(-target) + jax.nn.log_sigmoid(input))
    factor = jnp.exp(gamma * log_q)
    if reduced_threshold is not None:      # 1 below the threshold: p_t = 1 - exp(log_q)
        factor = jnp.where(-jnp.expm1(log_q) < reduced_threshold, 1.0,
                           jnp.exp(gamma * (log_q - float(np.log(reduced_threshold)))))
    losses = factor * optax.sigmoid_binary_cross_entropy(input, target)
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    if normalized:
        losses = losses / jnp.sum(factor)
    return reduce(losses, reduction)


# ---- pos_weight (kornia's binary_focal_loss_with_logits(pos_weight=)): optax's
# sigmoid_binary_cross_entropy has no pos_weight, so the cross-entropy is composed from
# jax.nn.log_sigmoid, inside the log-space focal loss
POS_WEIGHT_ONLY = {"cases without pos_weight (it is jax.nn.log_sigmoid+log-space then)":
                   lambda p, e, i: p["pos_weight"] is None}


@path("sigmoid_focal_loss", "jax.nn.log_sigmoid+log-space(pos_weight=)", kind="composed",
      params=["alpha", "gamma", "pos_weight", "reduction"], unsupported_when=POS_WEIGHT_ONLY,
      call="log_q = jnp.logaddexp(jnp.log(target) + jax.nn.log_sigmoid(-input), "
           "jnp.log1p(-target) + jax.nn.log_sigmoid(input)); ce = -(pos_weight * target * "
           "jax.nn.log_sigmoid(input) + (1 - target) * jax.nn.log_sigmoid(-input)); l = alpha_t "
           "* jnp.exp(gamma * log_q) * ce (alpha_t = 1 if alpha < 0); reduce(l, reduction)")
def focal_jax_pos_weight(input, target, *, alpha, gamma, pos_weight, reduction):
    log_q = jnp.logaddexp(jnp.log(target) + jax.nn.log_sigmoid(-input),
                          jnp.log1p(-target) + jax.nn.log_sigmoid(input))
    ce = -(pos_weight * target * jax.nn.log_sigmoid(input)
           + (1 - target) * jax.nn.log_sigmoid(-input))
    losses = jnp.exp(gamma * log_q) * ce
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    return reduce(losses, reduction)


# ---------------------------------------------------------------- soft_dice_loss
# Declared first: the benchmarks measure it (optax.losses.dice_loss cannot be jitted).
@path("soft_dice_loss", "jnp.sum", kind="composed",
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "reduction"],
      call="axes = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; sq = a * a if squared else a; "
           "l = 1 - (2 * jnp.sum(input * target, axes) + smooth) / (jnp.sum(sq(input), axes) + "
           "jnp.sum(sq(target), axes) + smooth); l = weigh_dice_classes(l, class_weights, "
           "ignore_background, classes first) [spec.py: l * class_weights per class, class 0 "
           "dropped with ignore_background]; reduce(l, reduction)")
def dice_jnp(input, target, *, smooth, sum_over, axis, class_weights, ignore_background,
             squared, reduction):
    axes = dice_axes(input.ndim, sum_over, axis)      # () sums over nothing in jnp
    sq = denominator_terms(squared)
    inter = jnp.sum(input * target, axis=axes)
    total = jnp.sum(sq(input), axis=axes) + jnp.sum(sq(target), axis=axes)
    losses = 1 - (2 * inter + smooth) / (total + smooth)
    return reduce(weigh_dice_classes(losses, class_weights, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


# optax.losses.dice_loss takes classes last. With apply_softmax=False it checks in Python that the
# predictions sum to 1 over the classes (a ValueError otherwise, and a TracerBoolConversionError
# under jax.jit): so this path is eager only, runs float64 and float32 (float16/bfloat16 rounding
# breaks its rtol=1e-5 check), and every Dice case's input sums to 1 over its class axis. Its
# `axis` names the summed axes (a tuple, as Keras's Dice), never the classes: the paths move the
# canonical class axis last and pass the summed axes of that layout.

def _optax_axes(ndim, sum_over):
    """dice_axes for the channels-last layout (N, d1..dk, C)."""
    return {"spatial": tuple(range(1, ndim - 1)), "batch_and_spatial": tuple(range(ndim - 1)),
            "classes_and_spatial": tuple(range(1, ndim)), "all": tuple(range(ndim))}[sum_over]


def _optax_dice(input, target, sum_over, axis, **kwargs):
    c = axis % input.ndim
    p, t = jnp.moveaxis(input, c, -1), jnp.moveaxis(target, c, -1)
    losses = optax.losses.dice_loss(p, t, apply_softmax=False, reduction="none",
                                    axis=_optax_axes(input.ndim, sum_over), **kwargs)
    # optax keeps the classes last, (N, C); canonical keeps the input's order, (C, N) when the
    # classes come first
    return jnp.moveaxis(losses, -1, 0) if c == 0 and losses.ndim == 2 else losses


def dice_optax(input, target, *, smooth, sum_over, axis, class_weights, ignore_background,
               reduction):
    return reduce(_optax_dice(input, target, sum_over, axis, smooth=smooth,
                              class_weights=class_weights, ignore_background=ignore_background),
                  reduction)


def _not_distributions(params, encoding, inputs) -> bool:
    x = inputs.get("input")
    return x is not None and not np.allclose(np.sum(x, axis=params["axis"]), 1.0, rtol=1e-5,
                                             atol=0.0)


adapter.path("soft_dice_loss", "optax.losses.dice_loss", kind="composed",
             params=["smooth", "sum_over", "axis", "class_weights", "ignore_background",
                     "reduction"], dtypes=["float64", "float32"],
             unsupported_when={"an input that does not sum to 1 over the classes with "
                               "apply_softmax=False (ValueError)": _not_distributions},
             notes="dice_loss checks that the input sums to 1 over the classes with rtol 1e-5, "
                   "which float16 and bfloat16 rounding fails (ValueError)",
             conventions=["optax_dice_smooth_doubled"],
             call="reduce(optax.losses.dice_loss(moveaxis(input, axis, -1), moveaxis(target, axis, "
                  "-1), smooth=smooth, apply_softmax=False, class_weights=class_weights, "
                  "ignore_background=ignore_background, reduction='none', axis=the sum_over axes "
                  "in channels-last order) with the class axis moved back first for "
                  "classes-first input, reduction)  "
                  "[eager: not jit-able with apply_softmax=False]")(
    dice_optax)


# ---------------------------------------------------------------- categorical_focal_crossentropy
# optax has no categorical focal loss (optax.sigmoid_focal_loss is the binary one): composed from
# jax.nn.log_softmax, written so that every gradient is the definition's (see the torch path).

@path("categorical_focal_crossentropy", "jax.nn.log_softmax", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "ignore_index", "axis", "reduction"],
      call="logp = jax.nn.log_softmax(input, axis=axis if input.ndim > 1 else 0); t = the one_hot/"
           "probs target, or jax.nn.one_hot(index target, C, axis=axis) with 0 rows for "
           "ignore_index; t = (1 - eps) t + eps / C on kept rows; q = -jnp.expm1(logp); f = q ** "
           "gamma held constant where q is 0 or 1 (jnp.where); l = -alpha * jnp.sum(t * f * "
           "jnp.where(t > 0, logp, 0), axis); 'mean' divides by the kept rows")
def cfc_jax(input, target, *, alpha, gamma, label_smoothing, ignore_index, axis, reduction):
    axis = axis % input.ndim if input.ndim > 1 else 0   # one_hot's axis counts the output's axes
    c = input.shape[axis]
    if jnp.issubdtype(target.dtype, jnp.integer):
        kept = target != ignore_index
        t = jax.nn.one_hot(jnp.where(kept, target, 0), c, axis=axis, dtype=input.dtype)
        t = t * jnp.expand_dims(kept, axis).astype(input.dtype)
    else:
        kept = jnp.ones(jnp.sum(target, axis=axis).shape, dtype=bool)
        t = target
    if label_smoothing:
        t = jnp.where(jnp.expand_dims(kept, axis), (1 - label_smoothing) * t + label_smoothing / c,
                      0.0)
    logp = jax.nn.log_softmax(input, axis=axis)
    q = -jnp.expm1(logp)
    ok = (q > 0) & (logp > -jnp.inf)
    f = jnp.where(ok, jnp.where(ok, q, 1.0) ** gamma, jnp.where(q > 0, 1.0, 0.0 ** gamma))
    losses = -alpha * jnp.sum(t * f * jnp.where(t > 0, logp, 0.0), axis=axis)
    if reduction == "mean":
        return jnp.sum(losses) / jnp.sum(kept)
    return reduce(losses, reduction)


# jax.nn.one_hot and jnp.sum take one class axis here: several at once (a tuple axis) are moved
# last in the order given and flattened into one (as optax's cross-entropies do with a tuple,
# families/classification/jax_optax.py); an index target is then a flat index into them
@path("categorical_focal_crossentropy", "jax.nn.log_softmax(moveaxis+flatten)", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "ignore_index", "axis", "reduction"],
      tuple_params=["axis"],
      call="x = jnp.moveaxis(input, axis, range(input.ndim - len(axis), input.ndim)), its last "
           "len(axis) axes reshaped into one, the same for one-hot or probability targets (axis: "
           "one class axis, or a tuple taken jointly; an index target as it is, a flat index); "
           "then the jax.nn.log_softmax path's computation on x with axis=-1")
def cfc_jax_joint(input, target, *, axis, **params):
    if not jnp.issubdtype(target.dtype, jnp.integer):
        target = joint_classes_last(target, axis)
    return cfc_jax(joint_classes_last(input, axis), target, axis=-1, **params)


# ---------------------------------------------------------------- tversky

@path("tversky", "jnp.sum", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "axis", "ignore_background", "reduction"],
      call="axes = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; "
           "tp, fp, fn = (jnp.sum(a, axes) for a in (input * target, input * (1 - target), "
           "(1 - input) * target)); l = 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + "
           "smooth); l = weigh_dice_classes(l, None, ignore_background, classes first) [spec.py: "
           "class 0 dropped]; reduce(l, reduction)")
def tversky_jnp(input, target, *, alpha, beta, smooth, sum_over, axis, ignore_background,
                reduction):
    axes = dice_axes(input.ndim, sum_over, axis)      # () sums over nothing in jnp
    tp = jnp.sum(input * target, axis=axes)
    fp = jnp.sum(input * (1 - target), axis=axes)
    fn = jnp.sum((1 - input) * target, axis=axes)
    losses = 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)
    return reduce(weigh_dice_classes(losses, None, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


# optax.losses.dice_loss with alpha and beta is the Tversky loss, smoothed as canonical; eager only
# and only on inputs that sum to 1 over the classes, as its Dice path (see above). Its
# ignore_background drops class 0's loss as canonical's does.
def tversky_optax(input, target, *, alpha, beta, smooth, sum_over, axis, ignore_background,
                  reduction):
    return reduce(_optax_dice(input, target, sum_over, axis, smooth=smooth, alpha=alpha,
                              beta=beta, ignore_background=ignore_background), reduction)


adapter.path("tversky", "optax.losses.dice_loss", kind="composed",
             params=["alpha", "beta", "smooth", "sum_over", "axis", "ignore_background",
                     "reduction"],
             dtypes=["float64", "float32"],
             unsupported_when={"an input that does not sum to 1 over the classes with "
                               "apply_softmax=False (ValueError)": _not_distributions},
             notes="dice_loss checks that the input sums to 1 over the classes with rtol 1e-5, "
                   "which float16 and bfloat16 rounding fails (ValueError)",
             call="reduce(optax.losses.dice_loss(moveaxis(input, axis, -1), moveaxis(target, axis, "
                  "-1), "
                  "smooth=smooth, alpha=alpha, beta=beta, ignore_background=ignore_background, "
                  "apply_softmax=False, reduction='none', "
                  "axis=the sum_over axes in channels-last order) with the class axis moved back "
                  "first for classes-first input, reduction)  "
                  "[eager: not jit-able with apply_softmax=False]")(
    tversky_optax)


# ---------------------------------------------------------------- generalized_dice
# optax.losses.multiclass_generalized_dice_loss is another loss: the mean over the classes of
# per-class Dice losses weighted by 1 / (T_c^2 + 1e-7) normalised to mean 1 (PROBED), not Sudre
# et al.'s ratio of weighted sums. Composed from jnp.

@path("generalized_dice", "jnp.sum", kind="composed",
      params=["weight_type", "smooth", "sum_over", "axis", "ignore_background", "reduction"],
      call="input, target = jnp.moveaxis(input, axis, 1), jnp.moveaxis(target, axis, 1); "
           "input, target = input[:, 1:], target[:, 1:] if ignore_background and C > 1; "
           "axes = (2, ..), with 0 first for sum_over='batch_and_spatial'; I, P, T = "
           "jnp.sum(input * target, axes), jnp.sum(input, axes), jnp.sum(target, axes); w = "
           "{1 / T**2, 1 / T, 1}[weight_type], inf replaced by the largest finite w of the "
           "sample; l = 1 - (2 jnp.sum(w I, -1) + smooth) / (jnp.sum(w (P + T), -1) + smooth); "
           "reduce(l, reduction)")
def gdl_jnp(input, target, *, weight_type, smooth, sum_over, axis, ignore_background,
            reduction):
    input, target = jnp.moveaxis(input, axis, 1), jnp.moveaxis(target, axis, 1)  # batch at 0
    if ignore_background and input.shape[1] > 1:
        input, target = input[:, 1:], target[:, 1:]
    axes = tuple(range(2, input.ndim))
    if sum_over == "batch_and_spatial":
        axes = (0, *axes)
    inter, volume = jnp.sum(input * target, axis=axes), jnp.sum(target, axis=axes)
    w = {"square": lambda: 1 / volume ** 2, "simple": lambda: 1 / volume,
         "uniform": lambda: jnp.ones_like(volume)}[weight_type]()
    infinite = jnp.isinf(w)
    finite = jnp.where(infinite, 0.0, w)
    w = jnp.where(infinite, jnp.max(finite, axis=-1, keepdims=True), finite)
    total = jnp.sum(w * (jnp.sum(input, axis=axes) + volume), axis=-1)
    return reduce(1 - (2 * jnp.sum(w * inter, axis=-1) + smooth) / (total + smooth), reduction)


# ---------------------------------------------------------------- jaccard
# optax has no Jaccard loss (optax.losses.dice_loss(alpha=1, beta=1) is the Tversky index at
# alpha = beta = 1, eager only): composed from jnp.

@path("jaccard", "jnp.sum", kind="composed",
      params=["smooth", "sum_over", "axis", "squared", "reduction"],
      call="axes = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; sq = a * a if squared else a; "
           "I = jnp.sum(input * target, axes); U = jnp.sum(sq(input), axes) + jnp.sum(sq(target), "
           "axes) - I; reduce(1 - (I + smooth) / (U + smooth), reduction)")
def jaccard_jnp(input, target, *, smooth, sum_over, axis, squared, reduction):
    axes = dice_axes(input.ndim, sum_over, axis)      # () sums over nothing in jnp
    sq = denominator_terms(squared)
    inter = jnp.sum(input * target, axis=axes)
    union = jnp.sum(sq(input), axis=axes) + jnp.sum(sq(target), axis=axes) - inter
    return reduce(1 - (inter + smooth) / (union + smooth), reduction)


# ---------------------------------------------------------------- lovasz_hinge, lovasz_softmax
# optax has no Lovasz loss: composed as the torch paths, with jnp.argsort(descending=True,
# stable=True) (tied errors keep their order, the canonical gradient) and jnp.cumsum; an ignored
# pixel sorts last with weight 0. jnp.abs's derivative at 0 is 1 (PROBED), so |d| is written
# d * jnp.sign(d), whose derivative there is sign(0) = 0 as the definition's.

def lovasz_weights(labels, kept):
    """w of the labels and kept flags sorted by descending error (last axis): J_k - J_(k-1)."""
    total = jnp.sum(labels, axis=-1, keepdims=True)
    inter = total - jnp.cumsum(labels, axis=-1)
    union = total + jnp.cumsum((1 - labels) * kept, axis=-1)
    jac = 1 - inter / jnp.where(union > 0, union, 1.0)
    return jnp.diff(jac, axis=-1, prepend=jnp.zeros_like(jac[..., :1])) * kept


def lovasz_sorted(errors, labels, kept, floor):
    """errors, labels and kept flags (sets on the last axis) sorted by descending error, the
    ignored pixels (key `floor`) last."""
    order = jnp.argsort(jnp.where(kept > 0, errors, floor), axis=-1, descending=True,
                        stable=True)
    return tuple(jnp.take_along_axis(a, order, axis=-1) for a in (errors, labels, kept))


@path("lovasz_hinge", "jnp.argsort", kind="composed",
      params=["per_image", "ignore_index", "reduction"],
      call="as torch's lovasz_hinge path, with jnp.argsort(where(kept, m, -inf), "
           "descending=True, stable=True), jnp.take_along_axis, jnp.cumsum and jax.nn.relu")
def lovasz_hinge_jax(input, target, *, per_image, ignore_index, reduction):
    shape = lovasz_sets(input.shape, per_image)
    kept = (target != ignore_index).astype(input.dtype)
    signs = jnp.where(kept > 0, 2 * target - 1, 0.0)
    m, g, k = lovasz_sorted((1 - input * signs).reshape(shape), (target * kept).reshape(shape),
                            kept.reshape(shape), -jnp.inf)
    losses = jnp.sum(jax.nn.relu(m) * lovasz_weights(g, k), axis=-1)
    return reduce(losses if per_image else losses[0], reduction)


@path("lovasz_softmax", "jnp.argsort", kind="composed",
      params=["classes", "per_image", "ignore_index", "class_weights", "reduction"],
      call="as torch's lovasz_softmax path, with jax.nn.softmax(input, axis=1), jax.nn.one_hot, "
           "d = fg - p, m = d * jnp.sign(d), jnp.argsort(where(kept, m, -1), descending=True, "
           "stable=True), jnp.take_along_axis and jnp.cumsum")
def lovasz_softmax_jax(input, target, *, classes, per_image, ignore_index, class_weights,
                       reduction):
    c = input.shape[1]
    prob = jnp.moveaxis(jax.nn.softmax(input, axis=1), 1, -1)
    if jnp.issubdtype(target.dtype, jnp.integer):
        kept = target != ignore_index
        fg = jax.nn.one_hot(jnp.where(kept, target, 0), c, dtype=input.dtype)
        fg = fg * kept[..., None].astype(input.dtype)
    else:
        fg = jnp.moveaxis(target, 1, -1)
        kept = jnp.ones(fg.shape[:-1], dtype=bool)
    groups, size = lovasz_sets(kept.shape, per_image)

    def sets(a):       # (N, d1..dk, C) -> (sets, C, pixels)
        return jnp.swapaxes(a.reshape(groups, size, c), 1, 2)
    k = sets(jnp.broadcast_to(kept[..., None].astype(input.dtype), fg.shape))
    fg = sets(fg)
    d = fg - sets(prob)
    m, g, k = lovasz_sorted(d * jnp.sign(d), fg, k, -1.0)
    per_class = jnp.sum(m * lovasz_weights(g, k), axis=-1)          # (sets, C)
    if class_weights is not None:
        per_class = per_class * class_weights
    if classes == "present":
        present = (jnp.sum(fg, axis=-1) > 0).astype(input.dtype)
        losses = jnp.sum(per_class * present, axis=-1) / jnp.maximum(jnp.sum(present, axis=-1), 1)
    else:
        losses = jnp.mean(per_class, axis=-1)
    return reduce(losses if per_image else losses[0], reduction)


# ---------------------------------------------------------------- evidence

for jit in ("", "+jit"):
    adapter.saw("focal_negative_alpha_not_ignored",
                path="sigmoid_focal_loss/optax.sigmoid_focal_loss" + jit,
                case="sigmoid_focal_loss/alpha-negative-none/none",
                call="optax.sigmoid_focal_loss([[-1.5, .25, 2., -.5], [3., -2.5, .75, 1.25]], "
                     "[[0., 1., 1., 0.], [1., 0., 0., 1.]], alpha=-1.0, gamma=2.0)"
                     + (" under jax.jit" if jit else ""),
                seen="[[0.0134056939, -0.1104014913, -0.0018035628, 0.1351469810], "
                     "[-0.0001092833, 0.0009079362, 1.0488401406, -0.0124945114]] (positives times "
                     "-1, negatives times 2); canonical (no weighting) [[0.0067028469, "
                     "0.1104014913, 0.0018035628, 0.0675734905], [0.0001092833, 0.0004539681, "
                     "0.5244200703, 0.0124945114]]",
                versions=SEEN_ON,
                link=OPTAX_DOC + " (sigmoid_focal_loss: 'alpha: (optional) Weighting factor in "
                     "range (0, 1) ... Default None (no weighting)')")

adapter.saw("optax_dice_smooth_doubled", path="soft_dice_loss/optax.losses.dice_loss",
            case="soft_dice_loss/smooth-1-none/none",
            call="optax.losses.dice_loss(moveaxis(p, 1, -1), moveaxis(t, 1, -1), smooth=1.0, "
                 "apply_softmax=False, reduction='none') on the case's (2, 3, 4, 4) arrays",
            seen="[[0.691808963, 0.7679521197, 0.7497589482], [0.7596097078, 0.4212922414, "
                 "0.5610603631]] = canonical with smooth 2; canonical (smooth 1) [[0.7952219144, "
                 "0.8687476444, 0.8360242232], [0.8633843112, 0.4713308615, 0.638332307]]",
            versions=SEEN_ON,
            link=OPTAX_DOC + " (dice_loss: dice_c = 1 - (intersection_c + smooth) / "
                 "(intersection_c + alpha (P_c - intersection_c) + beta (T_c - intersection_c) + "
                 "smooth), alpha = beta = 0.5 'equivalent to the standard Dice coefficient')")

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "jax.grad(jnp.abs)(0.0) is 1.0 (torch's and TensorFlow's abs give 0 there): a Lovasz-Softmax "
    "composed with jnp.abs(fg - p) would pass the Lovasz weight of an exact error 0 (p = 0 at a "
    "-inf logit, p = 1 at a saturated one); the path writes |d| as d * jnp.sign(d)",
    "optax.sigmoid_focal_loss computes (1 - p_t)^gamma as exp(gamma * logsumexp([log_sigmoid(x), "
    "log_sigmoid(-x)], b=[1 - y, y])): finite and canonical gradients where 1 - p_t underflows, "
    "for gamma = 0.5 and 0 too (at x = 40, y = 1: value 2.19e-27, gradient -1.09e-27), eager and "
    "under jax.jit",
    "optax.sigmoid_focal_loss's alpha defaults to None (no weighting), torchvision's to 0.25: "
    "every path passes alpha",
    "optax.losses.dice_loss(apply_softmax=False) raises ValueError unless the predictions sum to 1 "
    "over the last axis (jnp.allclose, rtol=1e-5): (2, 4, 3) softmax output halved gives 'When "
    "apply_softmax=False, predictions must be valid probability distributions that sum to 1 along "
    "the class axis. Found sum range: [0.500000, 0.500000]'; under jax.jit the same check raises "
    "TracerBoolConversionError, so its path is eager only",
    "optax.losses.dice_loss's default axis sums over axes 1..ndim-2 (the spatial axes, channels "
    "last): per sample and class, canonical sum_over='spatial'; on (N, C) input it sums over "
    "nothing (each element its own Dice); reduction 'mean' (its default) averages over the "
    "classes, "
    "one value per sample; apply_softmax=True applies sigmoid when the last axis has size 1",
    "optax.losses.binary_dice_loss and multiclass_generalized_dice_loss (Sudre et al. 2017: class "
    "weights 1 / (T_c^2 + 1e-7)) wrap dice_loss with apply_softmax / sigmoid on logits: no path "
    "here, as the canonical loss takes probabilities; multiclass_generalized_dice_loss is besides "
    "the mean of per-class Dice losses weighted by those weights normalised to mean 1 (global "
    "class volumes over batch and space), not Sudre et al.'s ratio of weighted sums "
    "(canonical generalized_dice)",
)


# ---------------------------------------------------------------- ignore_index (soft_dice_loss,
# jaccard, tversky)
# optax.losses.dice_loss has no ignore_index (nor a mask): the jnp paths above, given the input and
# target with the ignored elements set to 0 (they leave every sum; no gradient reaches them)

def drop_ignored(input, target, ignore_index):
    if ignore_index is None:             # nothing ignored: the base path's call
        return input, target
    kept = target != ignore_index
    return jnp.where(kept, input, 0), jnp.where(kept, target, 0)


IGNORE_CALL = ("kept = target != ignore_index; input, target = jnp.where(kept, input, 0), "
               "jnp.where(kept, target, 0); ")


@path("soft_dice_loss", "jnp.sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("soft_dice_loss/jnp.sum"),
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "ignore_index", "reduction"],
      call=IGNORE_CALL + "then soft_dice_loss/jnp.sum's call")
def dice_jnp_ignore(input, target, *, ignore_index, **params):
    return dice_jnp(*drop_ignored(input, target, ignore_index), **params)


@path("jaccard", "jnp.sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("jaccard/jnp.sum"),
      params=["smooth", "sum_over", "axis", "squared", "ignore_index", "reduction"],
      call=IGNORE_CALL + "then jaccard/jnp.sum's call")
def jaccard_jnp_ignore(input, target, *, ignore_index, **params):
    return jaccard_jnp(*drop_ignored(input, target, ignore_index), **params)


@path("tversky", "jnp.sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("tversky/jnp.sum"),
      params=["alpha", "beta", "smooth", "sum_over", "axis", "ignore_background", "ignore_index",
              "reduction"],
      call=IGNORE_CALL + "then tversky/jnp.sum's call")
def tversky_jnp_ignore(input, target, *, ignore_index, **params):
    return tversky_jnp(*drop_ignored(input, target, ignore_index), **params)


# ---------------------------------------------------------------- Dice-family variants
# log_loss, the focal Tversky gamma, and class_weights and ignore_background on jaccard and
# tversky (spec.py's Dice-family variants): composed from jnp as the plain paths (optax's
# dice_loss has class_weights and ignore_background, no log_loss or gamma), refused where every
# variant is at its default

from .spec import VARIANTS_REFUSED, overlap_loss, uses_variants  # noqa: E402

VARIANTS_ONLY = {VARIANTS_REFUSED: lambda p, e, i: not uses_variants(p)}
_VARIANT_TAIL = ("; l = overlap_loss(index, log_loss, gamma, jnp.log) [spec.py: -log(index) or "
                 "1 - index, ** gamma]; l = weigh_dice_classes(l, class_weights, "
                 "ignore_background, classes first); reduce(l, reduction)")


def _variant_reduce(index, input, axis, log_loss, gamma, class_weights, ignore_background,
                    reduction):
    losses = overlap_loss(index, log_loss, gamma, jnp.log)
    return reduce(weigh_dice_classes(losses, class_weights, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


@path("soft_dice_loss", "jnp.sum(log_loss)", kind="composed",
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "log_loss", "reduction"], unsupported_when=VARIANTS_ONLY,
      call="axes = dice_axes(input.ndim, sum_over, axis); sq = a * a if squared else a; "
           "index = (2 * jnp.sum(input * target, axes) + smooth) / (jnp.sum(sq(input), axes) + "
           "jnp.sum(sq(target), axes) + smooth)" + _VARIANT_TAIL.replace("gamma, ", "1, "))
def dice_jnp_variants(input, target, *, smooth, sum_over, axis, class_weights, ignore_background,
                      squared, log_loss, reduction):
    axes = dice_axes(input.ndim, sum_over, axis)      # () sums over nothing in jnp
    sq = denominator_terms(squared)
    index = (2 * jnp.sum(input * target, axis=axes) + smooth) / (
        jnp.sum(sq(input), axis=axes) + jnp.sum(sq(target), axis=axes) + smooth)
    return _variant_reduce(index, input, axis, log_loss, 1.0, class_weights, ignore_background,
                           reduction)


@path("jaccard", "jnp.sum(class_weights, log_loss)", kind="composed",
      params=["smooth", "sum_over", "axis", "squared", "class_weights", "ignore_background",
              "log_loss", "reduction"], unsupported_when=VARIANTS_ONLY,
      call="axes = dice_axes(input.ndim, sum_over, axis); sq = a * a if squared else a; "
           "I = jnp.sum(input * target, axes); U = jnp.sum(sq(input), axes) + jnp.sum("
           "sq(target), axes) - I; index = (I + smooth) / (U + smooth)"
           + _VARIANT_TAIL.replace("gamma, ", "1, "))
def jaccard_jnp_variants(input, target, *, smooth, sum_over, axis, squared, class_weights,
                         ignore_background, log_loss, reduction):
    axes = dice_axes(input.ndim, sum_over, axis)
    sq = denominator_terms(squared)
    inter = jnp.sum(input * target, axis=axes)
    union = jnp.sum(sq(input), axis=axes) + jnp.sum(sq(target), axis=axes) - inter
    return _variant_reduce((inter + smooth) / (union + smooth), input, axis, log_loss, 1.0,
                           class_weights, ignore_background, reduction)


@path("tversky", "jnp.sum(gamma, class_weights, log_loss)", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "axis", "class_weights",
              "ignore_background", "gamma", "log_loss", "reduction"],
      unsupported_when=VARIANTS_ONLY,
      call="axes = dice_axes(input.ndim, sum_over, axis); tp, fp, fn = (jnp.sum(a, axes) for a "
           "in (input * target, input * (1 - target), (1 - input) * target)); index = (tp + "
           "smooth) / (tp + alpha * fp + beta * fn + smooth)" + _VARIANT_TAIL)
def tversky_jnp_variants(input, target, *, alpha, beta, smooth, sum_over, axis, class_weights,
                         ignore_background, gamma, log_loss, reduction):
    axes = dice_axes(input.ndim, sum_over, axis)
    tp = jnp.sum(input * target, axis=axes)
    fp = jnp.sum(input * (1 - target), axis=axes)
    fn = jnp.sum((1 - input) * target, axis=axes)
    return _variant_reduce((tp + smooth) / (tp + alpha * fp + beta * fn + smooth), input, axis,
                           log_loss, gamma, class_weights, ignore_background, reduction)


# optax.losses.dice_loss(class_weights=) with alpha and beta: the Tversky loss's class weights,
# weighed before ignore_background drops class 0, averaged by the count (as canonical); the
# cases without class weights are optax.losses.dice_loss's above
def tversky_optax_weighted(input, target, *, alpha, beta, smooth, sum_over, axis, class_weights,
                           ignore_background, reduction):
    return reduce(_optax_dice(input, target, sum_over, axis, smooth=smooth, alpha=alpha,
                              beta=beta, class_weights=class_weights,
                              ignore_background=ignore_background), reduction)


adapter.path("tversky", "optax.losses.dice_loss(class_weights=)", kind="composed",
             params=["alpha", "beta", "smooth", "sum_over", "axis", "class_weights",
                     "ignore_background", "reduction"],
             dtypes=["float64", "float32"],
             unsupported_when={"an input that does not sum to 1 over the classes with "
                               "apply_softmax=False (ValueError)": _not_distributions,
                               "no class_weights (optax.losses.dice_loss checks those)":
                                   lambda p, e, i: p["class_weights"] is None},
             notes="dice_loss checks that the input sums to 1 over the classes with rtol 1e-5, "
                   "which float16 and bfloat16 rounding fails (ValueError)",
             call="reduce(optax.losses.dice_loss(moveaxis(input, axis, -1), moveaxis(target, axis, "
                  "-1), smooth=smooth, alpha=alpha, beta=beta, class_weights=class_weights, "
                  "ignore_background=ignore_background, apply_softmax=False, reduction='none', "
                  "axis=the sum_over axes in channels-last order) with the class axis moved back "
                  "first for classes-first input, reduction)  "
                  "[eager: not jit-able with apply_softmax=False]")(
    tversky_optax_weighted)
