"""JAX/optax paths of the focal_dice family (spec.py beside this file).

optax 0.2.8 has optax.sigmoid_focal_loss (also optax.losses.sigmoid_focal_loss) and
optax.losses.dice_loss (with binary_dice_loss and multiclass_generalized_dice_loss); dice_loss's
alpha and beta make it the Tversky loss too. optax has no categorical focal loss: its path is
composed from jax.nn. Every optax loss returns unreduced values; every path reduces explicitly and
is `composed`.
"""
from __future__ import annotations

import numpy as np

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

from .spec import dice_axes

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


# ---------------------------------------------------------------- soft_dice_loss
# Declared first: the benchmarks measure it (optax.losses.dice_loss cannot be jitted).
@path("soft_dice_loss", "jnp.sum", kind="composed", params=["smooth", "sum_over", "reduction"],
      call="axes = {'spatial': (2, ..), 'batch_and_spatial': (0, 2, ..), 'all': all}[sum_over]; "
           "reduce(1 - (2 * jnp.sum(input * target, axes) + smooth) / (jnp.sum(input, axes) + "
           "jnp.sum(target, axes) + smooth), reduction)")
def dice_jnp(input, target, *, smooth, sum_over, reduction):
    axes = dice_axes(input.ndim, sum_over)      # () sums over nothing in jnp
    inter = jnp.sum(input * target, axis=axes)
    total = jnp.sum(input, axis=axes) + jnp.sum(target, axis=axes)
    return reduce(1 - (2 * inter + smooth) / (total + smooth), reduction)


# optax.losses.dice_loss takes classes last. With apply_softmax=False it checks in Python that the
# predictions sum to 1 over the classes (a ValueError otherwise, and a TracerBoolConversionError
# under jax.jit): so this path is eager only, runs float64 and float32 (float16/bfloat16 rounding
# breaks its rtol=1e-5 check), and every Dice case's input sums to 1 over axis 1.

def _optax_axes(ndim, sum_over):
    """dice_axes for the channels-last layout (N, d1..dk, C)."""
    return {"spatial": tuple(range(1, ndim - 1)), "batch_and_spatial": tuple(range(ndim - 1)),
            "all": tuple(range(ndim))}[sum_over]


def dice_optax(input, target, *, smooth, sum_over, reduction):
    p, t = jnp.moveaxis(input, 1, -1), jnp.moveaxis(target, 1, -1)
    losses = optax.losses.dice_loss(p, t, smooth=smooth, apply_softmax=False,
                                       reduction="none", axis=_optax_axes(input.ndim, sum_over))
    return reduce(losses, reduction)


def _not_distributions(params, encoding, inputs) -> bool:
    x = inputs.get("input")
    return x is not None and not np.allclose(np.sum(x, axis=1), 1.0, rtol=1e-5, atol=0.0)


adapter.path("soft_dice_loss", "optax.losses.dice_loss", kind="composed",
             params=["smooth", "sum_over", "reduction"], dtypes=["float64", "float32"],
             unsupported_when={"an input that does not sum to 1 over the classes with "
                               "apply_softmax=False (ValueError)": _not_distributions},
             notes="dice_loss checks that the input sums to 1 over the classes with rtol 1e-5, "
                   "which float16 and bfloat16 rounding fails (ValueError)",
             conventions=["optax_dice_smooth_doubled"],
             call="reduce(optax.losses.dice_loss(moveaxis(input, 1, -1), moveaxis(target, 1, -1), "
                  "smooth=smooth, apply_softmax=False, reduction='none', axis=the sum_over axes in "
                  "channels-last order), reduction)  "
                  "[eager: not jit-able with apply_softmax=False]")(
    dice_optax)


# ---------------------------------------------------------------- categorical_focal_crossentropy
# optax has no categorical focal loss (optax.sigmoid_focal_loss is the binary one): composed from
# jax.nn.log_softmax, written so that every gradient is the definition's (see the torch path).

@path("categorical_focal_crossentropy", "jax.nn.log_softmax", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "ignore_index", "reduction"],
      call="logp = jax.nn.log_softmax(input, axis=1 if input.ndim > 1 else 0); t = the one_hot/"
           "probs target, or jax.nn.one_hot(index target, C, axis=1) with 0 rows for "
           "ignore_index; t = (1 - eps) t + eps / C on kept rows; q = -jnp.expm1(logp); f = q ** "
           "gamma held constant where q is 0 or 1 (jnp.where); l = -alpha * jnp.sum(t * f * "
           "jnp.where(t > 0, logp, 0), axis); 'mean' divides by the kept rows")
def cfc_jax(input, target, *, alpha, gamma, label_smoothing, ignore_index, reduction):
    axis = 1 if input.ndim > 1 else 0
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


# ---------------------------------------------------------------- tversky

@path("tversky", "jnp.sum", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "reduction"],
      call="axes = {'spatial': (2, ..), 'batch_and_spatial': (0, 2, ..), 'all': all}[sum_over]; "
           "tp, fp, fn = (jnp.sum(a, axes) for a in (input * target, input * (1 - target), "
           "(1 - input) * target)); reduce(1 - (tp + smooth) / (tp + alpha * fp + beta * fn + "
           "smooth), reduction)")
def tversky_jnp(input, target, *, alpha, beta, smooth, sum_over, reduction):
    axes = dice_axes(input.ndim, sum_over)      # () sums over nothing in jnp
    tp = jnp.sum(input * target, axis=axes)
    fp = jnp.sum(input * (1 - target), axis=axes)
    fn = jnp.sum((1 - input) * target, axis=axes)
    return reduce(1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth), reduction)


# optax.losses.dice_loss with alpha and beta is the Tversky loss, smoothed as canonical; eager only
# and only on inputs that sum to 1 over the classes, as its Dice path (see above).
def tversky_optax(input, target, *, alpha, beta, smooth, sum_over, reduction):
    p, t = jnp.moveaxis(input, 1, -1), jnp.moveaxis(target, 1, -1)
    losses = optax.losses.dice_loss(p, t, smooth=smooth, alpha=alpha, beta=beta,
                                    apply_softmax=False, reduction="none",
                                    axis=_optax_axes(input.ndim, sum_over))
    return reduce(losses, reduction)


adapter.path("tversky", "optax.losses.dice_loss", kind="composed",
             params=["alpha", "beta", "smooth", "sum_over", "reduction"],
             dtypes=["float64", "float32"],
             unsupported_when={"an input that does not sum to 1 over the classes with "
                               "apply_softmax=False (ValueError)": _not_distributions},
             notes="dice_loss checks that the input sums to 1 over the classes with rtol 1e-5, "
                   "which float16 and bfloat16 rounding fails (ValueError)",
             call="reduce(optax.losses.dice_loss(moveaxis(input, 1, -1), moveaxis(target, 1, -1), "
                  "smooth=smooth, alpha=alpha, beta=beta, apply_softmax=False, reduction='none', "
                  "axis=the sum_over axes in channels-last order), reduction)  "
                  "[eager: not jit-able with apply_softmax=False]")(
    tversky_optax)


# ---------------------------------------------------------------- generalized_dice
# optax.losses.multiclass_generalized_dice_loss is another loss: the mean over the classes of
# per-class Dice losses weighted by 1 / (T_c^2 + 1e-7) normalised to mean 1 (PROBED), not Sudre
# et al.'s ratio of weighted sums. Composed from jnp.

@path("generalized_dice", "jnp.sum", kind="composed",
      params=["weight_type", "smooth", "sum_over", "reduction"],
      call="axes = (2, ..), with 0 first for sum_over='batch_and_spatial'; I, P, T = "
           "jnp.sum(input * target, axes), jnp.sum(input, axes), jnp.sum(target, axes); w = "
           "{1 / T**2, 1 / T, 1}[weight_type], inf replaced by the largest finite w of the "
           "sample; l = 1 - (2 jnp.sum(w I, -1) + smooth) / (jnp.sum(w (P + T), -1) + smooth); "
           "reduce(l, reduction)")
def gdl_jnp(input, target, *, weight_type, smooth, sum_over, reduction):
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

@path("jaccard", "jnp.sum", kind="composed", params=["smooth", "sum_over", "reduction"],
      call="axes = {'spatial': (2, ..), 'batch_and_spatial': (0, 2, ..), 'all': all}[sum_over]; "
           "I = jnp.sum(input * target, axes); U = jnp.sum(input, axes) + jnp.sum(target, axes) - "
           "I; reduce(1 - (I + smooth) / (U + smooth), reduction)")
def jaccard_jnp(input, target, *, smooth, sum_over, reduction):
    axes = dice_axes(input.ndim, sum_over)      # () sums over nothing in jnp
    inter = jnp.sum(input * target, axis=axes)
    union = jnp.sum(input, axis=axes) + jnp.sum(target, axis=axes) - inter
    return reduce(1 - (inter + smooth) / (union + smooth), reduction)


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
