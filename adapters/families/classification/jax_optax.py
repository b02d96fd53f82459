"""JAX paths of the classification family (spec.py beside this file): softmax, log_softmax,
cross_entropy, nll_loss, binary_cross_entropy(_with_logits).
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import WEIGHTED_MEAN
from adapters.jax_optax import (
    OPTAX_DOC,
    SEEN_ON,
    adapter,
    class_axis,
    jax,
    jnp,
    optax,
    path,
    reduce,
)


def class_loss(logp, target, weight, ignore_index, label_smoothing, reduction):
    """-sum_c w_c ((1 - eps) t_c + eps / C) logp_c over the class axis, t the target distribution
    (one-hot for index targets, 0 on ignored ones); 'mean' divides by sum w_c t_c."""
    axis = 1 if logp.ndim > 1 else 0
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

@path("softmax", "jax.nn.softmax", call="jax.nn.softmax(input, axis=dim)", params=["dim"])
def softmax(input, *, dim):
    return jax.nn.softmax(input, axis=dim)


@path("log_softmax", "jax.nn.log_softmax", call="jax.nn.log_softmax(input, axis=dim)",
      params=["dim"])
def log_softmax(input, *, dim):
    return jax.nn.log_softmax(input, axis=dim)


# ---------------------------------------------------------------- cross_entropy

@path("cross_entropy", "optax.softmax_cross_entropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      conventions=["probs_zero_target_on_neg_inf_logit_is_nan"],
      call="reduce(optax.softmax_cross_entropy(input, optax.smooth_labels(target, label_smoothing, "
           "axis=1 if input.ndim > 1 else -1), axis=1 if input.ndim > 1 else -1), reduction)")
def ce_optax(input, target, *, label_smoothing, reduction):
    labels = optax.smooth_labels(target, label_smoothing, axis=class_axis(input))
    return reduce(optax.softmax_cross_entropy(input, labels, axis=class_axis(input)), reduction,
                  jnp.sum(target))


@path("cross_entropy", "optax.safe_softmax_cross_entropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      call="reduce(optax.safe_softmax_cross_entropy(moveaxis(input, 1, -1), "
           "optax.smooth_labels(moveaxis(target, 1, -1), label_smoothing)), reduction)")
def ce_optax_safe(input, target, *, label_smoothing, reduction):
    x, y = jnp.moveaxis(input, class_axis(input), -1), jnp.moveaxis(target, class_axis(input), -1)
    return reduce(optax.safe_softmax_cross_entropy(x, optax.smooth_labels(y, label_smoothing)),
                  reduction, jnp.sum(target))


@path("cross_entropy", "optax.softmax_cross_entropy_with_integer_labels", kind="composed",
      encodings=["index"], params=["ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      known_failures={"value:extreme-logits/index-float32": (
          "optax computes logsumexp(x) - x[y] in float32, which cancels at logits of 1e4 (float32 "
          "spacing there is 9.8e-4): seen [20000.0, 0.693359375, 0.3134765625], reference "
          "[20000.0, 0.6931471806, 0.3132616875], |error| 2.1e-4 > 1.04e-5 allowed; the gradient "
          "(softmax - one_hot) is within tolerance; jax 0.10.2, optax 0.2.8, eager and jit")},
      call="kept = target != ignore_index; reduce(optax.softmax_cross_entropy_with_integer_labels("
           "input, jnp.where(kept, target, 0), axis=1 if input.ndim > 1 else -1, where=kept), "
           "reduction, divisor=kept.sum())")
def ce_optax_int(input, target, *, ignore_index, reduction):
    kept = target != ignore_index
    losses = optax.softmax_cross_entropy_with_integer_labels(
        input, jnp.where(kept, target, 0), axis=class_axis(input), where=kept)
    return reduce(losses, reduction, jnp.sum(kept))


@path("cross_entropy", "jax.nn.log_softmax+class_loss", kind="composed",
      params=["weight", "ignore_index", "label_smoothing", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(jax.nn.log_softmax(input, axis=1 if input.ndim > 1 else -1), target, "
           "weight, "
           "ignore_index, label_smoothing, reduction)  [class_loss: "
           "adapters/families/classification/jax_optax.py]")
def ce_composed(input, target, *, weight, ignore_index, label_smoothing, reduction):
    logp = jax.nn.log_softmax(input, axis=class_axis(input))
    return class_loss(logp, target, weight, ignore_index, label_smoothing, reduction)


# ---------------------------------------------------------------- nll_loss

@path("nll_loss", "class_loss", kind="composed", params=["weight", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(input, target, weight, ignore_index, 0.0, reduction)  "
           "[class_loss: adapters/families/classification/jax_optax.py]")
def nll_composed(input, target, *, weight, ignore_index, reduction):
    return class_loss(input, target, weight, ignore_index, 0.0, reduction)


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

def _binary_weights(params, encoding, inputs) -> bool:
    w = params["sample_weight"]
    return w is None or not bool(np.all((np.asarray(w) == 0) | (np.asarray(w) == 1)))


WHERE_ONLY = {"sample weights other than 0 and 1 (where= is a mask), or none": _binary_weights}


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

