"""JAX paths of the classification family (spec.py beside this file): softmax, log_softmax,
cross_entropy, nll_loss, binary_cross_entropy(_with_logits), poly_loss_cross_entropy,
categorical_generalized_cross_entropy, linear_cross_entropy, jsd_cross_entropy (composed).
"""
from __future__ import annotations

import math

from adapters.definitions import WEIGHTED_MEAN, is_mask
from adapters.jax_optax import (  # _jitted: the "+jit" twin of a path declared on its own
    EAGER_CHECKED,
    EAGER_FLOAT64,
    OPTAX_DOC,
    SEEN_ON,
    _jitted,
    adapter,
    class_axis,
    jax,
    jnp,
    optax,
    path,
    reduce,
)


def class_loss(logp, target, weight, ignore_index, label_smoothing, reduction, axis=1):
    """-sum_c w_c ((1 - eps) t_c + eps / C) logp_c over the class axis `axis` (1 by default), t
    the target distribution (one-hot for index targets, 0 on ignored ones); 'mean' divides by
    sum w_c t_c."""
    axis = axis % logp.ndim if logp.ndim > 1 else 0
    logp = jnp.moveaxis(logp, axis, -1)
    c = logp.shape[-1]
    if jnp.issubdtype(target.dtype, jnp.integer):
        kept = (target != ignore_index)[..., None]
        t = jax.nn.one_hot(jnp.where(target != ignore_index, target, 0), c, dtype=logp.dtype) * kept
    else:
        kept, t = 1.0, jnp.moveaxis(target, axis, -1)
    w = jnp.ones(c, logp.dtype) if weight is None else weight
    coef = w * ((1 - label_smoothing) * t + label_smoothing / c * kept)
    losses = -jnp.sum(jnp.where(coef != 0, coef * logp, 0), axis=-1)   # 0 log 0 = 0
    return reduce(losses, reduction, jnp.sum(w * t))




# ---------------------------------------------------------------- softmax, log_softmax

@path("softmax", "jax.nn.softmax", call="jax.nn.softmax(input, axis=dim)", params=["dim"],
      tuple_params=["dim"])
def softmax(input, *, dim):
    return jax.nn.softmax(input, axis=dim)


@path("log_softmax", "jax.nn.log_softmax", call="jax.nn.log_softmax(input, axis=dim)",
      params=["dim"], tuple_params=["dim"])
def log_softmax(input, *, dim):
    return jax.nn.log_softmax(input, axis=dim)


# ---------------------------------------------------------------- cross_entropy

@path("cross_entropy", "optax.softmax_cross_entropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "axis", "reduction"],
      tuple_params=["axis"], conventions=["probs_zero_target_on_neg_inf_logit_is_nan"],
      call="reduce(optax.softmax_cross_entropy(input, optax.smooth_labels(target, label_smoothing, "
           "axis=axis if input.ndim > 1 else -1), axis=axis if input.ndim > 1 else -1), "
           "reduction)")
def ce_optax(input, target, *, label_smoothing, axis, reduction):
    labels = optax.smooth_labels(target, label_smoothing, axis=class_axis(input, axis))
    return reduce(optax.softmax_cross_entropy(input, labels, axis=class_axis(input, axis)),
                  reduction, jnp.sum(target))


# safe_softmax_cross_entropy has no axis= (its classes are the last axis): the class axis, or a
# tuple's axes in the order given flattened into one, is moved last
def joint_classes_last(a, axis):
    """The class axes `axis` (one, or a tuple taken jointly) moved last in the order given and
    flattened into one; 1-D arrays as they are."""
    if a.ndim <= 1:
        return a
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    k = a.ndim - len(axes)
    moved = jnp.moveaxis(a, axes, tuple(range(k, a.ndim)))
    # the classes' number written out: -1 cannot be inferred for an empty batch
    return moved.reshape(moved.shape[:k] + (math.prod(moved.shape[k:]),))


@path("cross_entropy", "optax.safe_softmax_cross_entropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "axis", "reduction"],
      tuple_params=["axis"],
      call="reduce(optax.safe_softmax_cross_entropy(moveaxis(input, axis, -1), "
           "optax.smooth_labels(moveaxis(target, axis, -1), label_smoothing)), reduction)  [a "
           "tuple axis: its axes moved last in the order given and flattened into one]")
def ce_optax_safe(input, target, *, label_smoothing, axis, reduction):
    x, y = joint_classes_last(input, axis), joint_classes_last(target, axis)
    return reduce(optax.safe_softmax_cross_entropy(x, optax.smooth_labels(y, label_smoothing)),
                  reduction, jnp.sum(target))


@path("cross_entropy", "optax.softmax_cross_entropy_with_integer_labels", kind="composed",
      encodings=["index"], params=["ignore_index", "axis", "reduction"], tuple_params=["axis"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      known_failures={"value:extreme-logits/index-float32": (
          "optax computes logsumexp(x) - x[y] in float32, which cancels at logits of 1e4 (float32 "
          "spacing there is 9.8e-4): seen [20000.0, 0.693359375, 0.3134765625], reference "
          "[20000.0, 0.6931471806, 0.3132616875], |error| 2.1e-4 > 1.04e-5 allowed; the gradient "
          "(softmax - one_hot) is within tolerance; jax 0.10.2, optax 0.2.8, eager and jit"),
          "gradient:extreme-logits/index-float32": (
              "the gradient check of a compiled path also compares the value its jitted "
              "value-and-gradient step returns: the same cancellation, seen [20000.0, "
              "0.693359375, 0.3134765625]; the gradient itself is within tolerance")},
      call="kept = target != ignore_index; reduce(optax.softmax_cross_entropy_with_integer_labels("
           "input, jnp.where(kept, target, 0), axis=axis if input.ndim > 1 else -1, where=kept), "
           "reduction, divisor=kept.sum())")
def ce_optax_int(input, target, *, ignore_index, axis, reduction):
    kept = target != ignore_index
    losses = optax.softmax_cross_entropy_with_integer_labels(
        input, jnp.where(kept, target, 0), axis=class_axis(input, axis), where=kept)
    return reduce(losses, reduction, jnp.sum(kept))


@path("cross_entropy", "jax.nn.log_softmax+class_loss", kind="composed",
      params=["weight", "ignore_index", "label_smoothing", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(jax.nn.log_softmax(input, axis=axis if input.ndim > 1 else -1), target, "
           "weight, "
           "ignore_index, label_smoothing, reduction, axis)  [class_loss: "
           "adapters/families/classification/jax_optax.py]")
def ce_composed(input, target, *, weight, ignore_index, label_smoothing, axis, reduction):
    logp = jax.nn.log_softmax(input, axis=class_axis(input, axis))
    return class_loss(logp, target, weight, ignore_index, label_smoothing, reduction, axis)


# jax.nn.log_softmax takes a tuple of axes (one softmax over the joint classes); class_loss reads
# one class axis, so the log-probabilities are flattened for it as the target is
@path("cross_entropy", "jax.nn.log_softmax(joint axes)+class_loss", kind="composed",
      params=["weight", "ignore_index", "label_smoothing", "axis", "reduction"],
      tuple_params=["axis"], conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(joint_classes_last(jax.nn.log_softmax(input, axis=axis if input.ndim > 1 "
           "else -1), axis), target if index targets else joint_classes_last(target, axis), "
           "weight, ignore_index, label_smoothing, reduction, -1)  [joint_classes_last: the "
           "class axis, or a tuple's axes in the order given flattened into one, moved last; "
           "adapters/families/classification/jax_optax.py]")
def ce_composed_joint(input, target, *, weight, ignore_index, label_smoothing, axis, reduction):
    logp = joint_classes_last(jax.nn.log_softmax(input, axis=class_axis(input, axis)), axis)
    if not jnp.issubdtype(target.dtype, jnp.integer):
        target = joint_classes_last(target, axis)
    return class_loss(logp, target, weight, ignore_index, label_smoothing, reduction, -1)


# ---------------------------------------------------------------- nll_loss

@path("nll_loss", "class_loss", kind="composed",
      params=["weight", "ignore_index", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(input, target, weight, ignore_index, 0.0, reduction, axis)  "
           "[class_loss: adapters/families/classification/jax_optax.py]")
def nll_composed(input, target, *, weight, ignore_index, axis, reduction):
    return class_loss(input, target, weight, ignore_index, 0.0, reduction, axis)


# ---------------------------------------------------------------- binary cross-entropy

@path("binary_cross_entropy", "jnp.log", kind="composed", params=["weight", "reduction"],
      call="reduce(-weight * (jnp.where(target > 0, target * jnp.log(input), 0) + "
           "jnp.where(target < 1, (1 - target) * jnp.log1p(-input), 0)), reduction)")
def bce_composed(input, target, *, weight, reduction):
    # 0 log 0 = 0, also in the gradient: the log sees 1 where its coefficient is 0
    log_p = jnp.log(jnp.where(target > 0, input, 1))
    log_q = jnp.log1p(-jnp.where(target < 1, input, 0))
    losses = -(target * log_p + (1 - target) * log_q)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "optax.sigmoid_binary_cross_entropy", kind="composed",
      params=["weight", "reduction"],
      call="reduce(weight * optax.sigmoid_binary_cross_entropy(input, target), reduction)")
def bcel_optax(input, target, *, weight, reduction):
    losses = optax.sigmoid_binary_cross_entropy(input, target)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "jax.nn.log_sigmoid", kind="composed",
      params=["weight", "pos_weight", "reduction"],
      call="reduce(-weight * (pos_weight * target * jax.nn.log_sigmoid(input) + (1 - target) * "
           "jax.nn.log_sigmoid(-input)), reduction)")
def bcel_composed(input, target, *, weight, pos_weight, reduction):
    pos = target if pos_weight is None else pos_weight * target
    losses = -(pos * jax.nn.log_sigmoid(input) + (1 - target) * jax.nn.log_sigmoid(-input))
    return reduce(losses if weight is None else weight * losses, reduction)


# Binary label smoothing, y (1 - eps) + eps / 2: optax.smooth_labels is for one-hot labels and
# spreads alpha over the size of `axis` (the last by default), so on a binary target itself it
# would give eps / C (eps for a trailing axis of 1). Stacked as the two classes [y, 1 - y] on a new
# last axis it gives the binary smoothing; the first of the two is the smoothed y.
def smooth_binary(target, label_smoothing):
    two = jnp.stack([target, 1 - target], axis=-1)
    return optax.smooth_labels(two, label_smoothing)[..., 0]


SMOOTH_CALL = ("optax.smooth_labels(jnp.stack([target, 1 - target], -1), label_smoothing)"
               "[..., 0]")


@path("binary_cross_entropy", "optax.smooth_labels+jnp.log", kind="composed",
      params=["weight", "label_smoothing", "reduction"],
      call="smoothed = " + SMOOTH_CALL + "; reduce(-weight * (smoothed * jnp.log(input) + "
           "(1 - smoothed) * jnp.log1p(-input)), reduction)  [0 log 0 = 0 as in path jnp.log]")
def bce_smoothed(input, target, *, weight, label_smoothing, reduction):
    return bce_composed(input, smooth_binary(target, label_smoothing), weight=weight,
                        reduction=reduction)


@path("binary_cross_entropy_with_logits", "optax.smooth_labels+sigmoid_binary_cross_entropy",
      kind="composed", params=["weight", "label_smoothing", "reduction"],
      call="reduce(weight * optax.sigmoid_binary_cross_entropy(input, " + SMOOTH_CALL + "), "
           "reduction)")
def bcel_smoothed(input, target, *, weight, label_smoothing, reduction):
    return bcel_optax(input, smooth_binary(target, label_smoothing), weight=weight,
                      reduction=reduction)




# ---------------------------------------------------------------- optax's where=
# `where` of the batch's shape leaves samples out: their loss is 0 (and their gradient), and
# jnp.mean(loss, where=mask) averages over the kept ones: sample weights of 0 and 1, reduced
# 'mean' by loss.mean() and 'weighted_mean' by the mean over where.

def _not_a_mask(params, encoding, inputs) -> bool:
    return not is_mask(params["sample_weight"])


WHERE_ONLY = {"sample weights other than 0 and 1 (where= is a mask), or none": _not_a_mask}


def _where_reduce(losses, mask, reduction):
    if reduction == WEIGHTED_MEAN:
        return jnp.mean(losses, where=mask)
    return reduce(losses, reduction)


def _mask(sample_weight, shape):
    w = jnp.reshape(sample_weight, sample_weight.shape + (1,) * (len(shape) - sample_weight.ndim))
    return jnp.broadcast_to(w > 0, shape)


@path("cross_entropy", "optax.softmax_cross_entropy_with_integer_labels(where=)",
      kind="composed", encodings=["index"], params=["reduction", "sample_weight"],
      unsupported_when=WHERE_ONLY,
      call="mask = sample_weight > 0 (broadcast to target.shape); losses = "
           "optax.softmax_cross_entropy_with_integer_labels(input, target, "
           "axis=1 if input.ndim > 1 else -1, where=mask); losses.sum(), losses.mean(), or "
           "jnp.mean(losses, where=mask) for 'weighted_mean'")
def ce_optax_int_where(input, target, *, reduction, sample_weight):
    mask = _mask(sample_weight, target.shape)
    losses = optax.softmax_cross_entropy_with_integer_labels(
        input, target, axis=class_axis(input), where=jnp.expand_dims(mask, class_axis(input)))
    return _where_reduce(losses, mask, reduction)


@path("cross_entropy", "optax.softmax_cross_entropy(where=)", kind="composed",
      encodings=["one_hot", "probs"], params=["reduction", "sample_weight"],
      unsupported_when=WHERE_ONLY,
      call="mask = sample_weight > 0 (broadcast to the loss's shape); losses = "
           "optax.softmax_cross_entropy(input, target, axis=1 if input.ndim > 1 else -1, "
           "where=mask); losses.sum(), losses.mean(), or jnp.mean(losses, where=mask) for "
           "'weighted_mean'")
def ce_optax_where(input, target, *, reduction, sample_weight):
    axis = class_axis(input)
    shape = input.shape[:axis] + input.shape[axis + 1:] if input.ndim > 1 else ()
    mask = _mask(sample_weight, shape)
    losses = optax.softmax_cross_entropy(input, target, axis=axis,
                                         where=jnp.expand_dims(mask, axis))
    return _where_reduce(losses, mask, reduction)


# ---------------------------------------------------------------- poly_loss_cross_entropy

POLY_OPTAX_CALL = ("optax.losses.poly_loss_cross_entropy(input, target, epsilon=epsilon, "
                   "axis=axis if input.ndim > 1 else -1)")


@path("poly_loss_cross_entropy", "optax.poly_loss_cross_entropy", kind="composed",
      encodings=["one_hot", "probs"], params=["epsilon", "axis", "reduction"],
      tuple_params=["axis"],
      conventions=["probs_zero_target_on_neg_inf_logit_is_nan", "optax_poly_term_sums_labels"],
      call=f"reduce({POLY_OPTAX_CALL}, reduction)")
def poly_optax(input, target, *, epsilon, axis, reduction):
    return reduce(optax.losses.poly_loss_cross_entropy(input, target, epsilon=epsilon,
                                                       axis=class_axis(input, axis)), reduction)


POLY_INDEX = "optax.poly_loss_cross_entropy(one_hot, where)"
POLY_INDEX_CALL = ("kept = target != ignore_index; axis = axis if input.ndim > 1 else -1; "
                   "reduce(optax.losses.poly_loss_cross_entropy(input, moveaxis(jax.nn.one_hot("
                   "jnp.where(kept, target, 0), C), -1, axis), epsilon=epsilon, axis=axis, "
                   "where=expand_dims(kept, axis)), reduction, divisor=kept.sum())")


def poly_optax_index(input, target, *, epsilon, ignore_index, reduction, axis=1):
    axis = class_axis(input, axis)
    kept = target != ignore_index
    labels = jnp.moveaxis(jax.nn.one_hot(jnp.where(kept, target, 0), input.shape[axis],
                                         dtype=input.dtype), -1, axis)
    losses = optax.losses.poly_loss_cross_entropy(input, labels, epsilon=epsilon, axis=axis,
                                                  where=jnp.expand_dims(kept, axis))
    return reduce(losses, reduction, jnp.sum(kept))


# Declared without `path`: the eager call and its jax.jit twin differ. Eagerly, the one-hot
# labels' 0 times a -inf log-probability is nan, as optax.softmax_cross_entropy gives on one-hot
# input. Under jax.jit, for (C,) and (N, C) input XLA folds sum(one_hot(y) * log_softmax(x)) into
# a select of the target's entry, so the same call gives the canonical value; for spatial input
# (N, C, d1..dk) the one-hot is moved to axis 1, the fold does not happen and the nan is back
# (found by fuzzing: input [[[0.], [-inf]]], target [[0]] gives nan under jit, 0 eagerly for
# (1, 2) input). So the jit twin is declared twice, by input rank.
_POLY_INDEX_KW = dict(kind="composed", encodings=["index"],
                      params=["epsilon", "ignore_index", "reduction"])
_NAN = "probs_zero_target_on_neg_inf_logit_is_nan"
# the eager path takes the class axis; the jit twins keep the default: where XLA folds the
# one-hot product depends on where the one-hot lies (see above), so they stay on axis 1
adapter.path("poly_loss_cross_entropy", POLY_INDEX, call=POLY_INDEX_CALL,
             checked_dtypes=EAGER_CHECKED, notes=EAGER_FLOAT64,
             conventions=[_NAN, "all_ignored_mean_gradient_is_zero"],
             **{**_POLY_INDEX_KW, "params": ["epsilon", "ignore_index", "axis", "reduction"]})(
    poly_optax_index)
adapter.path("poly_loss_cross_entropy", POLY_INDEX + "+jit", call=f"jax.jit({POLY_INDEX_CALL})",
             ndims=[1, 2], conventions=["all_ignored_mean_gradient_is_zero"],
             **_POLY_INDEX_KW)(_jitted(poly_optax_index))
adapter.path("poly_loss_cross_entropy", POLY_INDEX + "[spatial]+jit", ndims=[3, 4, 5, 6],
             call=f"jax.jit({POLY_INDEX_CALL})  [spatial input (N, C, d1..dk)]",
             conventions=[_NAN, "all_ignored_mean_gradient_is_zero"],
             **_POLY_INDEX_KW)(_jitted(poly_optax_index))


# ---------------------------------------------------------------- generalized cross-entropy

@path("categorical_generalized_cross_entropy", "jnp.power", kind="composed",
      params=["q", "ignore_index", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="t = one-hot of the kept targets (0 on ignored ones) moved to the class axis, or "
           "target; reduce(jnp.sum(jnp.where(t > 0, t * (1 - jnp.power(jnp.where(t > 0, input, "
           "1), q)) / q, 0), axis=axis if input.ndim > 1 else 0), reduction, divisor=count of "
           "kept targets)")
def gce_composed(input, target, *, q, ignore_index, axis, reduction):
    axis = axis % input.ndim if input.ndim > 1 else 0
    if jnp.issubdtype(target.dtype, jnp.integer):
        kept = target != ignore_index
        t = jnp.moveaxis(jax.nn.one_hot(jnp.where(kept, target, 0), input.shape[axis],
                                        dtype=input.dtype) * kept[..., None], -1, axis)
        divisor = jnp.sum(kept)
    else:
        t, divisor = target, None
    present = t > 0                   # a class with no target mass has no term (0 * inf)
    base = jnp.where(present, input, 1)
    losses = jnp.sum(jnp.where(present, t * (1 - jnp.power(base, q)) / q, 0), axis=axis)
    return reduce(losses, reduction, divisor)


# ---------------------------------------------------------------- jsd_cross_entropy
# AugMix's loss: neither JAX nor optax has a Jensen-Shannon loss (optax has kl_divergence, whose
# 0 x -inf at a probability of 0 is nan). The divergence is written with 0 log 0 = 0, the mixture
# unclamped.

@path("jsd_cross_entropy", "jax.nn.log_softmax+class_loss", kind="composed",
      params=["num_splits", "alpha", "label_smoothing", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="B = N // num_splits; logp = jax.nn.log_softmax(input, 1).reshape(num_splits, B, C); "
           "p = jnp.exp(logp); m = p.mean(0); r = jnp.where(p > 0, logp - jnp.log(jnp.where(m > "
           "0, m, 1)), 0); js = (p * r).sum(-1).mean(0); ce = -sum_c ((1 - eps) t_c + eps / C) "
           "logp_0,c over the clean split, t the one-hot of target[:B] (0 on ignored) or "
           "target[:B]; kept = target[:B] != ignore_index; losses = jnp.where(kept, ce + alpha * "
           "js, 0); reduce(losses, reduction, divisor=kept.sum())")
def jsd_jax(input, target, *, num_splits, alpha, label_smoothing, ignore_index, reduction):
    b = input.shape[0] // num_splits
    logp = jax.nn.log_softmax(input, axis=1)
    split = logp.reshape(num_splits, b, -1)
    p = jnp.exp(split)
    m = p.mean(axis=0)
    r = jnp.where(p > 0, split - jnp.log(jnp.where(m > 0, m, 1)), 0)
    js = (p * r).sum(axis=-1).mean(axis=0)
    clean = target[:b]
    ce = class_loss(logp[:b], clean, None, ignore_index, label_smoothing, "none")
    integer = jnp.issubdtype(clean.dtype, jnp.integer)
    kept = clean != ignore_index if integer else jnp.ones(b, dtype=bool)
    return reduce(jnp.where(kept, ce + alpha * js, 0), reduction, kept.sum())


# ---------------------------------------------------------------- linear_cross_entropy

def linear_logits(input, linear_weight, linear_bias):
    """z = input linear_weight^T + linear_bias: (N, C, d1..dk), or (C,) for unbatched input."""
    z = jnp.tensordot(input, linear_weight, axes=[[-1], [-1]])
    return z if linear_bias is None else z + linear_bias


@path("linear_cross_entropy", "jnp.tensordot+optax.softmax_cross_entropy_with_integer_labels",
      kind="composed", encodings=["none"], params=["linear_bias", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="z = jnp.tensordot(input, linear_weight, axes=[[-1], [-1]]) + linear_bias; kept = "
           "target != ignore_index; reduce(optax.softmax_cross_entropy_with_integer_labels(z, "
           "jnp.where(kept, target, 0), axis=1 if z.ndim > 1 else -1, where=kept), reduction, "
           "divisor=kept.sum())")
def lce_optax_int(input, linear_weight, target, *, linear_bias, ignore_index, reduction):
    z = linear_logits(input, linear_weight, linear_bias)
    kept = target != ignore_index
    losses = optax.softmax_cross_entropy_with_integer_labels(
        z, jnp.where(kept, target, 0), axis=class_axis(z), where=kept)
    return reduce(losses, reduction, jnp.sum(kept))


@path("linear_cross_entropy", "jnp.tensordot+class_loss", kind="composed", encodings=["none"],
      params=["weight", "linear_bias", "ignore_index", "label_smoothing", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(jax.nn.log_softmax(jnp.tensordot(input, linear_weight, axes=[[-1], [-1]]) "
           "+ linear_bias, axis=1 if input.ndim > 1 else -1), target, weight, ignore_index, "
           "label_smoothing, reduction)  [class_loss: adapters/families/classification/"
           "jax_optax.py]")
def lce_composed(input, linear_weight, target, *, weight, linear_bias, ignore_index,
                 label_smoothing, reduction):
    z = linear_logits(input, linear_weight, linear_bias)
    return class_loss(jax.nn.log_softmax(z, axis=class_axis(z)), target, weight, ignore_index,
                      label_smoothing, reduction)


# ---------------------------------------------------------------- evidence of the conventions

for jit in ("", "+jit"):
    adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan",
                path="cross_entropy/optax.softmax_cross_entropy" + jit,
                case="cross_entropy/neg-inf-logits/one_hot",
                call="optax.softmax_cross_entropy([[-inf, 1., .5], [2., -inf, -inf], [0., 0., "
                     "-inf]], "
                     "one_hot([1, 0, 2]), axis=1)" + (" under jax.jit" if jit else ""),
                seen="[nan, nan, inf] (-(labels * log_softmax).sum(): 0 * -inf); canonical "
                     "[0.4740769842, 0, inf]; gradient finite, as canonical. "
                     "optax.safe_softmax_cross_entropy gives the canonical values",
                versions=SEEN_ON, link=OPTAX_DOC + " (safe_softmax_cross_entropy: 'handles "
                "labels*logsoftmax(logits) as 0 when logits=-inf and labels=0')")
    for p in ("cross_entropy/optax.softmax_cross_entropy_with_integer_labels",
              "cross_entropy/jax.nn.log_softmax+class_loss", "nll_loss/class_loss"):
        loss = p.split("/")[0]
        adapter.saw("all_ignored_mean_gradient_is_zero", path=p + jit,
                    case=f"{loss}/all-ignored-mean/index",
                    call=p.split("/", 1)[1] + " (this module's composition) with every target "
                         "-100, reduction='mean'" + (", under jax.jit" if jit else ""),
                    seen="value nan (0 / 0), gradient all 0: jnp.where (where= in optax) masks "
                         "every element before the sum; canonical gradient nan", versions=SEEN_ON)


PROBED = (
    "optax losses return one loss per example and take no reduction argument: "
    "optax.softmax_cross_entropy_with_integer_labels([[0.1, 0.5, -0.2], [1., 2., 3.]], [1, 2]) "
    "gives [0.77330004, 0.40760596]; softmax_cross_entropy and sigmoid_binary_cross_entropy "
    "likewise; every path here reduces explicitly (" + OPTAX_DOC + ")",
    "optax.smooth_labels(labels, alpha) = (1 - alpha) labels + alpha / C = canonical",
)


# poly_loss_cross_entropy, categorical_generalized_cross_entropy, linear_cross_entropy
adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan",
            path="poly_loss_cross_entropy/" + POLY_INDEX,
            case="poly_loss_cross_entropy/neg-inf-logits/index",
            call="this module's poly_optax_index (eager) on logits [[-inf, 1., .5], [2., -inf, "
                 "-inf], [0., 0., -inf]], targets [1, 0, 2], reduction='none'",
            seen="[nan, nan, inf]; the same function under jax.jit gives the canonical "
                 "[1.2291583218, 0, inf] (XLA folds sum(one_hot(y) * log_softmax(x)) into a "
                 "select); gradient finite and canonical in both", versions=SEEN_ON)
adapter.saw(_NAN, path="poly_loss_cross_entropy/" + POLY_INDEX + "[spatial]+jit",
            case="poly_loss_cross_entropy/neg-inf-logits-spatial/index",
            call="jax.jit of this module's poly_optax_index on logits [[[0., 1.], [-inf, .5], [1., "
                 "-inf]]] (N, C, H) = (1, 3, 2), targets [[0, 1]], reduction='none'",
            seen="[[nan, nan]]; canonical [[2.7753788368, 2.2189956477]]; (C,) and (N, C) logits "
                 "give the canonical values under jax.jit (found by fuzzing: "
                 "[[[0.], [-inf]]], [[0]] gave nan, the reference 0)", versions=SEEN_ON)
for jit in ("", "+jit"):
    adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan",
                path="poly_loss_cross_entropy/optax.poly_loss_cross_entropy" + jit,
                case="poly_loss_cross_entropy/neg-inf-logits/one_hot",
                call=POLY_OPTAX_CALL + " with one-hot targets of classes [1, 0, 2] on logits "
                     "[[-inf, 1., .5], [2., -inf, -inf], [0., 0., -inf]]"
                     + (" under jax.jit" if jit else ""),
                seen="[nan, nan, inf] (softmax_cross_entropy's labels * log_softmax: 0 * -inf); "
                     "canonical [1.2291583218, 0, inf]", versions=SEEN_ON, link=OPTAX_DOC)
    adapter.saw("optax_poly_term_sums_labels",
                path="poly_loss_cross_entropy/optax.poly_loss_cross_entropy" + jit,
                case="poly_loss_cross_entropy/probs-unnormalised-none/probs",
                call=POLY_OPTAX_CALL + ", x, t of case probs-unnormalised-none (rows of t "
                     "summing to more than 1)" + (" under jax.jit" if jit else ""),
                seen="[8.3295549922, 7.3371381098, 8.549649421]; canonical [4.7444152679, "
                     "6.0569627441, 4.55931266]: the difference is 2 (sum(t) - 1) per row; "
                     "gradient as canonical",
                versions=SEEN_ON, link="optax/losses/_classification.py poly_loss_cross_entropy: "
                "one_minus_pt = jnp.sum(labels * (1 - p), axis=axis, where=where); the paper's "
                "code computes 1 - reduce_sum(labels * softmax) (https://arxiv.org/pdf/2204.12511"
                ".pdf page 10)")
    for p in ("poly_loss_cross_entropy/" + POLY_INDEX,
              "categorical_generalized_cross_entropy/jnp.power",
              "linear_cross_entropy/jnp.tensordot+optax.softmax_cross_entropy_with_integer_labels",
              "linear_cross_entropy/jnp.tensordot+class_loss"):
        loss = p.split("/")[0]
        adapter.saw("all_ignored_mean_gradient_is_zero", path=p + jit,
                    case=f"{loss}/all-ignored-mean/" + ("none" if loss == "linear_cross_entropy"
                                                        else "index"),
                    call=p.split("/", 1)[1] + " (this module's composition) with every target "
                         "-100, reduction='mean'" + (", under jax.jit" if jit else ""),
                    seen="value nan (0 / 0), every gradient 0: jnp.where (where= in optax) masks "
                         "every element before the sum; canonical gradient nan", versions=SEEN_ON)

PROBED = PROBED + (
    "optax.losses.poly_loss_cross_entropy(logits, labels, *, epsilon=2.0, axis=-1, where=None) "
    "takes probability labels only and no reduction; index targets are one-hot encoded, "
    "ignore_index becomes where=",
    "optax 0.2.8 and jax have no generalized cross-entropy nor a fused linear cross-entropy: "
    "composed from jnp.power, and from jnp.tensordot with optax's integer-label cross-entropy or "
    "this module's class_loss",
)
