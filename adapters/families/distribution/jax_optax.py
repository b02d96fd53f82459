"""JAX paths of the distribution family (spec.py beside this file): kl_div,
generalized_kl_divergence.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import WEIGHTED_MEAN, is_mask
from adapters.jax_optax import (
    OPTAX_DOC,
    SEEN_ON,
    adapter,
    jnp,
    optax,
    path,
    reduce,
)

# ---------------------------------------------------------------- kl_div
# optax's KL divergences return one value per example (summed over the last axis); 'mean' divides
# the total by the number of elements and 'batchmean' by input.shape[0], as PyTorch does.

KL_NAN = "kl_div_zero_target_on_infinite_log_ratio_is_nan"
KL_PER_EXAMPLE = ["optax_kl_divergence_sums_over_last_axis", KL_NAN]


def kl_reduce(losses, reduction, input):
    """PyTorch's kl_div reductions on per-element or per-example losses."""
    if reduction == "batchmean":    # N, 1 for a 0-d input (one element)
        return jnp.sum(losses) / (input.shape[0] if input.ndim else 1)
    return reduce(losses, reduction, divisor=input.size)


# optax's default axis=-1, seen with a 0-d input (optax 0.2.8, jax 0.10.2)
OPTAX_REFUSES_0D = {
    "0-d input: optax sums the divergence over axis=-1, which a 0-d array lacks (ValueError "
    "'axis -1 is out of bounds for array of dimension 0')":
        lambda params, encoding, inputs: np.ndim(inputs["input"]) == 0}


def _optax_kl(input, target, log_target):
    losses = optax.losses
    fn = losses.kl_divergence_with_log_targets if log_target else losses.kl_divergence
    return fn(input, target)


# Per-example output does not have the canonical 'none' shape: the paths that take every
# reduction are declared for 1-D input (a scalar) and 2-D input (one value per row, (N,)), where
# the gradient check draws its cotangent in that shape; the other runs reduction='mean' at any
# rank.
@path("kl_div", "optax.kl_divergence", kind="composed", params=["log_target"], conventions=[KL_NAN],
      unsupported_when=OPTAX_REFUSES_0D,
      call="jnp.sum((optax.losses.kl_divergence_with_log_targets if log_target "
           "else optax.losses.kl_divergence)(input, target)) / input.size  [reduction='mean' only]")
def kl_optax(input, target, *, log_target):
    return kl_reduce(_optax_kl(input, target, log_target), "mean", input)


@path("kl_div", "optax.kl_divergence(1-D)", kind="composed", params=["reduction", "log_target"],
      conventions=KL_PER_EXAMPLE, ndims=[1],
      call="kl_reduce((optax.losses.kl_divergence_with_log_targets if log_target "
           "else optax.losses.kl_divergence)(input, target), reduction, input)  [1-D input; a "
           "scalar per example]")
def kl_optax_1d(input, target, *, reduction, log_target):
    return kl_reduce(_optax_kl(input, target, log_target), reduction, input)


@path("kl_div", "optax.kl_divergence(2-D)", kind="composed", params=["reduction", "log_target"],
      conventions=KL_PER_EXAMPLE, ndims=[2],
      call="kl_reduce((optax.kl_divergence_with_log_targets if log_target else "
           "optax.kl_divergence)(input, target), reduction, input)  [2-D input; one value per "
           "row]")
def kl_optax_2d(input, target, *, reduction, log_target):
    return kl_reduce(_optax_kl(input, target, log_target), reduction, input)


# optax's axis= names the axes each KL sums over: () sums over none, so the output is the
# canonical elementwise loss at any rank (every reduction, 'none' included); a tuple of every axis
# but the batch axis sums each example whole, whose total is the canonical one ('none' differs)
def _optax_kl_axis(input, target, log_target, axis):
    losses = optax.losses
    fn = losses.kl_divergence_with_log_targets if log_target else losses.kl_divergence
    return fn(input, target, axis=axis)


@path("kl_div", "optax.kl_divergence(axis=())", kind="composed",
      params=["reduction", "log_target"], conventions=[KL_NAN],
      call="kl_reduce(optax.losses.kl_divergence(input, target, axis=()), reduction, input)  "
           "[optax.losses.kl_divergence_with_log_targets(input, target, axis=()) when "
           "log_target]")
def kl_optax_elementwise(input, target, *, reduction, log_target):
    return kl_reduce(_optax_kl_axis(input, target, log_target, ()), reduction, input)


@path("kl_div", "optax.kl_divergence(axis=(1, ..))", kind="composed",
      params=["reduction", "log_target"], conventions=[KL_NAN],
      unsupported_when={"reduction='none': the output is one sum per example, (N,), not the "
                        "elementwise loss": lambda p, e, i: p["reduction"] == "none",
                        "1-D input, which has no axis but the batch axis":
                        lambda p, e, i: i["input"].ndim < 2},
      call="kl_reduce(optax.losses.kl_divergence(input, target, axis=tuple(range(1, "
           "input.ndim))), reduction, input)  [optax.losses.kl_divergence_with_log_targets("
           "input, target, axis=tuple(range(1, input.ndim))) when log_target; each example "
           "summed whole; reduction 'sum', 'mean' or 'batchmean']")
def kl_optax_per_example(input, target, *, reduction, log_target):
    per_example = _optax_kl_axis(input, target, log_target, tuple(range(1, input.ndim)))
    return kl_reduce(per_example, reduction, input)


@path("kl_div", "jax.scipy.special.xlogy", kind="composed", params=["reduction", "log_target"],
      conventions=[KL_NAN],
      call="kl_reduce(exp(target) * (target - input) if log_target else "
           "xlogy(target, target) - target * input, reduction, input)")
def kl_jnp(input, target, *, reduction, log_target):
    if log_target:
        elements = jnp.exp(target) * (target - input)
    else:
        from jax.scipy.special import xlogy
        elements = xlogy(target, target) - target * input
    return kl_reduce(elements, reduction, input)


# ---------------------------------------------------------------- optax's where=
# optax's KL divergences take where=, the elements to include in their sum over `axis`; with
# axis=() that sum is over no axis, so the result keeps the canonical elementwise shape and a
# mask of any leading shape (sample weights of 0 and 1) leaves elements out: their loss and
# gradient are 0. 'weighted_mean' is jnp.mean(losses, where=mask), the mean over the kept ones.

WHERE_ONLY = {"sample weights other than 0 and 1 (where= is a mask), or none":
              lambda params, encoding, inputs: not is_mask(params["sample_weight"])}


def _where(sample_weight, input):
    w = jnp.reshape(sample_weight, sample_weight.shape + (1,) * (input.ndim - sample_weight.ndim))
    return jnp.broadcast_to(w > 0, input.shape)


def where_reduce(losses, mask, reduction, input):
    if reduction == WEIGHTED_MEAN:
        return jnp.mean(losses, where=mask)
    return kl_reduce(losses, reduction, input)


@path("kl_div", "optax.kl_divergence(where=)", kind="composed",
      params=["reduction", "log_target", "sample_weight"], conventions=[KL_NAN],
      unsupported_when=WHERE_ONLY,
      call="mask = sample_weight > 0 (broadcast to input.shape); losses = "
           "optax.losses.kl_divergence_with_log_targets(input, target, axis=(), where=mask) if "
           "log_target else optax.losses.kl_divergence(input, target, axis=(), where=mask); "
           "kl_reduce(losses, reduction, input), or jnp.mean(losses, where=mask) for "
           "'weighted_mean'")
def kl_optax_where(input, target, *, reduction, log_target, sample_weight):
    mask = _where(sample_weight, input)
    fn = (optax.losses.kl_divergence_with_log_targets if log_target
          else optax.losses.kl_divergence)
    return where_reduce(fn(input, target, axis=(), where=mask), mask, reduction, input)


@path("generalized_kl_divergence", "optax.generalized_kl_divergence(where=)", kind="composed",
      params=["reduction", "sample_weight"], conventions=[KL_NAN], unsupported_when=WHERE_ONLY,
      call="mask = sample_weight > 0 (broadcast to input.shape); losses = "
           "optax.losses.generalized_kl_divergence(input, target, axis=(), where=mask); "
           "kl_reduce(losses, reduction, input), or jnp.mean(losses, where=mask) for "
           "'weighted_mean'")
def generalized_kl_optax_where(input, target, *, reduction, sample_weight):
    mask = _where(sample_weight, input)
    losses = optax.losses.generalized_kl_divergence(input, target, axis=(), where=mask)
    return where_reduce(losses, mask, reduction, input)


# ---------------------------------------------------------------- generalized_kl_divergence
# optax.losses.generalized_kl_divergence(log_predictions, targets, axis=-1, where=None) =
# kl_divergence(log_predictions, targets) + sum(exp(log_predictions) - targets), both summed over
# `axis`. With axis=() jnp.sum sums over no axis: the elements, canonical at every rank.

@path("generalized_kl_divergence", "optax.generalized_kl_divergence(axis=())", kind="composed",
      params=["reduction"], conventions=[KL_NAN],
      call="kl_reduce(optax.losses.generalized_kl_divergence(input, target, axis=()), reduction, "
           "input)")
def generalized_kl_optax_elements(input, target, *, reduction):
    return kl_reduce(optax.losses.generalized_kl_divergence(input, target, axis=()), reduction,
                     input)


@path("generalized_kl_divergence", "optax.generalized_kl_divergence", kind="composed",
      conventions=[KL_NAN], unsupported_when=OPTAX_REFUSES_0D,
      call="jnp.sum(optax.losses.generalized_kl_divergence(input, target)) / input.size  "
           "[reduction='mean' only]")
def generalized_kl_optax(input, target):
    return kl_reduce(optax.losses.generalized_kl_divergence(input, target), "mean", input)


@path("generalized_kl_divergence", "optax.generalized_kl_divergence(1-D)", kind="composed",
      params=["reduction"], conventions=KL_PER_EXAMPLE, ndims=[1],
      call="kl_reduce(optax.losses.generalized_kl_divergence(input, target), reduction, input)  "
           "[1-D input; a scalar per example]")
def generalized_kl_optax_1d(input, target, *, reduction):
    return kl_reduce(optax.losses.generalized_kl_divergence(input, target), reduction, input)


for jit in ("", "+jit"):
    adapter.saw("optax_kl_divergence_sums_over_last_axis",
                path="kl_div/optax.kl_divergence(1-D)" + jit,
                case="kl_div/vector-none/none",
                call="optax.kl_divergence(log_softmax(x), softmax(y)) on (5,) arrays, "
                     "reduction='none'" + (" under jax.jit" if jit else ""),
                seen="a scalar, the sum of the canonical (5,) elements (on (4, 5) arrays: shape "
                     "(4,), the per-row sums); "
                     "optax.losses.kl_divergence_with_log_targets likewise",
                versions=SEEN_ON, link=OPTAX_DOC + " (kl_divergence: 'Returns: Kullback-Leibler "
                "divergence ... with shape [...]', the last axis summed)")

    adapter.saw("optax_kl_divergence_sums_over_last_axis",
                path="kl_div/optax.kl_divergence(2-D)" + jit, case="kl_div/batch-none/none",
                call="optax.kl_divergence(log_softmax(x), softmax(y)) on (4, 5) arrays, "
                     "reduction='none'" + (" under jax.jit" if jit else ""),
                seen="[0.12704332159968765, 1.4376718887537538, 0.39234849794308, "
                     "1.3794921128476174]: shape (4,), the sums of the rows of the canonical "
                     "(4, 5) elements; gradient -t times the row's cotangent",
                versions=SEEN_ON, link=OPTAX_DOC + " (kl_divergence: the last axis summed)")
    for p, case in (("kl_div/optax.kl_divergence", "kl_div/zero-target-neg-inf-input-mean/none"),
                    ("kl_div/optax.kl_divergence(1-D)",
                     "kl_div/vector-zero-target-neg-inf-input/none"),
                    ("kl_div/optax.kl_divergence(2-D)", "kl_div/zero-target-neg-inf-input/none"),
                    ("kl_div/jax.scipy.special.xlogy", "kl_div/zero-target-neg-inf-input/none")):
        adapter.saw(KL_NAN, path=p + jit, case=case,
                    call=p.split("/", 1)[1] + " on input [[-inf, log .25, log .75], [log .5, log "
                                              ".5, "
                         "-inf]] and target [[0, .25, .75], [.5, .5, 0]]"
                         + (" under jax.jit" if jit else ""),
                    seen="optax.kl_divergence: [nan, nan] (per-row sums); xlogy(t, t) - t * x: "
                         "[[nan, 0, 0], [0, 0, nan]] (canonical 0); gradient -t, finite",
                    versions=SEEN_ON, link=OPTAX_DOC + " (kl_divergence; not the -inf input)")

    adapter.saw("optax_kl_divergence_sums_over_last_axis",
                path="generalized_kl_divergence/optax.generalized_kl_divergence(1-D)" + jit,
                case="generalized_kl_divergence/vector-none/none",
                call="optax.losses.generalized_kl_divergence(x, t) on (5,) arrays, "
                     "reduction='none'" + (" under jax.jit" if jit else ""),
                seen="a scalar, the sum of the canonical (5,) elements (on (2, 3) arrays: shape "
                     "(2,), the per-row sums, e.g. [0.29453489, 0.51587805] for x = log [[0.2, "
                     "0.5, 1.5], [1, 2, 0.1]], t = [[0, 0.5, 1], [2, 2, 0.3]])",
                versions=SEEN_ON, link=OPTAX_DOC + " (generalized_kl_divergence: 'Returns: "
                "Generalized Kullback-Leibler divergence ... with shape [...]', axis=-1)")
    for p in ("optax.generalized_kl_divergence(axis=())", "optax.generalized_kl_divergence",
              "optax.generalized_kl_divergence(1-D)"):
        case = {"optax.generalized_kl_divergence": "zero-target-neg-inf-input-mean",
                "optax.generalized_kl_divergence(1-D)": "vector-zero-target-neg-inf-input"}.get(
            p, "zero-target-neg-inf-input")
        adapter.saw(KL_NAN, path=f"generalized_kl_divergence/{p}{jit}",
                    case=f"generalized_kl_divergence/{case}/none",
                    call=p + " (optax.losses, input log q, target t) with a target of 0 at an "
                         "input of -inf" + (" under jax.jit" if jit else ""),
                    seen="optax.losses.generalized_kl_divergence(jnp.array([-jnp.inf, 0.]), "
                         "jnp.array([0., 1.]), axis=()) = [nan, 0.] (canonical [0, 0]: t (log t "
                         "- x) = 0 at t = 0); gradient [0., 0.]",
                    versions=SEEN_ON, link=OPTAX_DOC + " (generalized_kl_divergence: targets "
                    "'Expected to be strictly positive'; kl_divergence computes t * (where(t == "
                    "0, 0, log t) - x))")

# Seen, but no convention (no canonical difference reaches a checked value):
