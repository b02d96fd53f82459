"""JAX/optax paths of the margin family (spec.py beside this file).

optax has none of torch's margin losses; optax.sigmoid_binary_cross_entropy gives the soft-margin
and multilabel soft-margin losses once the labels are mapped and the classes averaged. The hinge
losses use jax.nn.relu, whose gradient at 0 is 0 (the canonical choice at the kink);
jnp.maximum(z, 0.) would give 0.5 there, as optax.losses.perceptron_loss does
(hinge_kink_grad_half). optax's own perceptron, multiclass hinge and sparsemax losses are native
paths; they return one value per element (binary) or per row (multiclass), reduced here.
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


def _rows(a):
    """(C,) -> (1, C); the per-sample result is read back with `_unrow`."""
    return a[None] if a.ndim == 1 else a


def _unrow(losses, input):
    return losses[0] if input.ndim == 1 else losses


# ---------------------------------------------------------------- soft_margin_loss

def _not_signs(params, encoding, inputs) -> bool:
    return not bool(np.all(np.isin(inputs["target"], (-1.0, 1.0))))


# a logistic loss of labels (1 + y) / 2: the soft margin loss only for targets y = +-1
SIGNS_ONLY = {"targets other than +-1 (extended domain): the labels (1 + y) / 2 give "
              "log(1 + exp(-x)) - x (1 + y) / 2, not log(1 + exp(-y x))": _not_signs}


@path("soft_margin_loss", "jax.nn.softplus", kind="composed", params=["reduction"],
      call="reduce(jax.nn.softplus(-target * input), reduction)")
def soft_margin_softplus(input, target, *, reduction):
    return reduce(jax.nn.softplus(-target * input), reduction)


@path("soft_margin_loss", "optax.sigmoid_binary_cross_entropy", kind="composed",
      unsupported_when=SIGNS_ONLY,
      params=["reduction"],
      call="reduce(optax.sigmoid_binary_cross_entropy(input, (1 + target) / 2), reduction)  "
           "[y = -1, 1 as labels 0, 1]")
def soft_margin_optax(input, target, *, reduction):
    return reduce(optax.sigmoid_binary_cross_entropy(input, (1 + target) / 2), reduction)


# ---------------------------------------------------------------- multilabel_soft_margin_loss

@path("multilabel_soft_margin_loss", "optax.sigmoid_binary_cross_entropy", kind="composed",
      params=["weight", "reduction"],
      call="reduce(jnp.mean(weight * optax.sigmoid_binary_cross_entropy(input, target), "
           "axis=-1), reduction)")
def multilabel_soft_margin_optax(input, target, *, weight, reduction):
    per_class = optax.sigmoid_binary_cross_entropy(input, target)
    if weight is not None:
        per_class = weight * per_class
    return reduce(jnp.mean(per_class, axis=-1), reduction)


# ---------------------------------------------------------------- multi_margin_loss

@path("multi_margin_loss", "jax.nn.relu", kind="composed",
      params=["p", "margin", "weight", "reduction"],
      call="z = margin - jnp.take_along_axis(input, target[:, None], 1) + input; "
           "reduce(weight[target] * jnp.sum(jax.nn.relu(z)**p * (1 - jax.nn.one_hot(target, C)), "
           "-1) / C reshaped to target.shape, reduction)")
def multi_margin_jax(input, target, *, p, margin, weight, reduction):
    x, y = _rows(input), jnp.reshape(target, (-1,))
    c = x.shape[-1]
    x_y = jnp.take_along_axis(x, y[:, None], axis=1)
    hinge = jax.nn.relu(margin - x_y + x)
    hinge = hinge if p == 1 else jnp.square(hinge)
    others = 1 - jax.nn.one_hot(y, c, dtype=x.dtype)
    losses = jnp.sum(hinge * others, axis=-1) / c
    if weight is not None:
        losses = weight[y] * losses
    return reduce(jnp.reshape(losses, target.shape), reduction)   # () or (1,) for one sample


# ---------------------------------------------------------------- multilabel_margin_loss

def target_set(target, c, dtype):
    """1 where a class is listed before the first -1 of its row, else 0: (N, C)."""
    listed = jnp.cumprod(target >= 0, axis=-1).astype(dtype)   # entries before the first -1
    one_hot = jax.nn.one_hot(jnp.where(target >= 0, target, 0), c, dtype=dtype) * listed[..., None]
    return jnp.max(one_hot, axis=-2)


@path("multilabel_margin_loss", "jax.nn.relu", kind="composed", params=["reduction"],
      call="t = classes listed before the first -1 (0/1, (N, C)); reduce(jnp.sum(t[:, :, None] * "
           "(1 - t)[:, None, :] * jax.nn.relu(1 - input[:, :, None] + input[:, None, :]), "
           "(1, 2)) / C, reduction)")
def multilabel_margin_jax(input, target, *, reduction):
    x, y = _rows(input), _rows(target)
    c = x.shape[-1]
    t = target_set(y, c, x.dtype)
    pairs = t[:, :, None] * (1 - t)[:, None, :]                 # j a target, i not
    hinge = jax.nn.relu(1 - x[:, :, None] + x[:, None, :])     # [n, j, i] = 1 - x[j] + x[i]
    losses = jnp.sum(pairs * hinge, axis=(1, 2)) / c
    return reduce(_unrow(losses, input), reduction)



# ---------------------------------------------------------------- perceptron, hinge, sparsemax

HALF = ["hinge_kink_grad_half"]


@path("perceptron_loss", "optax.losses.perceptron_loss", params=["reduction"], conventions=HALF,
      call="reduce(optax.losses.perceptron_loss(input, target), reduction)")
def perceptron_optax(input, target, *, reduction):
    return reduce(optax.losses.perceptron_loss(input, target), reduction)


@path("multiclass_perceptron_loss", "optax.losses.multiclass_perceptron_loss",
      params=["reduction"],
      call="reduce(optax.losses.multiclass_perceptron_loss(input, target), reduction)")
def multiclass_perceptron_optax(input, target, *, reduction):
    return reduce(optax.losses.multiclass_perceptron_loss(input, target), reduction)


@path("multiclass_hinge_loss", "optax.losses.multiclass_hinge_loss", params=["reduction"],
      call="reduce(optax.losses.multiclass_hinge_loss(input, target), reduction)")
def multiclass_hinge_optax(input, target, *, reduction):
    return reduce(optax.losses.multiclass_hinge_loss(input, target), reduction)


@path("sparsemax_loss", "optax.losses.sparsemax_loss", params=["reduction"],
      call="reduce(optax.losses.sparsemax_loss(input, target), reduction)")
def sparsemax_optax(input, target, *, reduction):
    return reduce(optax.losses.sparsemax_loss(input, target), reduction)


# projection_simplex's custom_jvp returns a float64 primal and a tangent of the input's dtype
# under jax_enable_x64 (1 / count_nonzero(...) is float64): jax raises TypeError for any gradient
# of float32, float16 or bfloat16 scores (see PROBED)
X64_TANGENT = ("float64 only: under jax_enable_x64 (which this suite needs) jax.grad raises "
               "TypeError for float32, float16 and bfloat16 scores ('Custom JVP rule must produce "
               "primal and tangent outputs with corresponding shapes and dtypes. Expected "
               "float64[4] (tangent type of float64[4]) but got float32[4]', "
               "optax.projections.projection_simplex); also, it takes (N, C) input only")


@path("multiclass_sparsemax_loss", "optax.losses.multiclass_sparsemax_loss", params=["reduction"],
      ndims=[2], dtypes=["float64"], notes=X64_TANGENT,
      call="reduce(optax.losses.multiclass_sparsemax_loss(input, target), reduction)")
def multiclass_sparsemax_optax(input, target, *, reduction):
    return reduce(optax.losses.multiclass_sparsemax_loss(input, target), reduction)


def sparsemax(x):
    """The projection of each row of x (N, C) onto the simplex (Martins and Astudillo 2016,
    Algorithm 1): sort descending, k = the largest k with 1 + k u_k > sum_{j <= k} u_j (at least
    1), tau = (sum_{j <= k} u_j - 1) / k, relu(x - tau); on x - max(x), so that the 1 is not
    rounded away next to large scores."""
    x = x - jax.lax.stop_gradient(jnp.max(x, axis=-1, keepdims=True))
    u = -jnp.sort(-x, axis=-1)
    partial = jnp.cumsum(u, axis=-1)
    k = jnp.arange(1, x.shape[-1] + 1)
    k_x = jnp.max(jnp.where(1 + k.astype(x.dtype) * u > partial, k, 1), axis=-1, keepdims=True)
    tau = (jnp.take_along_axis(partial, k_x - 1, axis=-1) - 1) / k_x.astype(x.dtype)
    return jax.nn.relu(x - tau)


@path("multiclass_sparsemax_loss", "jnp.sort-jnp.cumsum", kind="composed", params=["reduction"],
      call="z = x - jax.lax.stop_gradient(jnp.max(x, -1)); p = jax.nn.relu(z - tau), tau from "
           "-jnp.sort(-z) and jnp.cumsum (Martins and "
           "Astudillo 2016, Algorithm 1); reduce(jnp.sum(p * (x - x[y]), -1) + (1 - jnp.sum(p * "
           "p, -1)) / 2, reduction)  [x = input as (N, C); p under jax.lax.stop_gradient]")
def multiclass_sparsemax_jnp(input, target, *, reduction):
    x, y = _rows(input), jnp.reshape(target, (-1,))
    p = jax.lax.stop_gradient(sparsemax(x))   # the gradient p - e_y (Proposition 2), without
    x_y = jnp.take_along_axis(x, y[:, None], axis=1)   # the cancelling (x - x[y]) dp through p
    losses = jnp.sum(p * (x - x_y), axis=-1) + 0.5 * (1 - jnp.sum(p * p, axis=-1))
    return reduce(_unrow(losses, input), reduction)


_JNP_MAXIMUM = ("jax/_src/lax/lax.py max jvp (_balanced_eq: half to each argument at a tie); "
                "optax/losses/_classification.py perceptron_loss: jnp.maximum(0, "
                "-predictor_outputs * targets) (no public documentation of the tie); "
                + OPTAX_DOC)
for jit in ("", "+jit"):
    adapter.saw("hinge_kink_grad_half", path="perceptron_loss/optax.losses.perceptron_loss" + jit,
                case="perceptron_loss/at-kink/none",
                call="optax.losses.perceptron_loss(input, target) on input [0., -0., 0.5, -2., "
                     "0.], target [1., 1., -1., -1., -1.], then the gradient of the sum"
                     + (" under jax.jit" if jit else ""),
                seen="values [0., 0., 0.5, 0., 0.]; gradient [-0.5, -0.5, 1., 0., 0.5] (half of "
                     "-y at each x = 0, also at -0.); canonical and jax.nn.relu(-target * input) "
                     "[0., 0., 1., 0., 0.]",
                versions=SEEN_ON, link=_JNP_MAXIMUM)

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "optax.multiclass_hinge_loss(scores, labels) = max_i(x_i + 1 - [i == y]) - x_y = max(0, "
    "max_{i != y} (1 + x_i - x_y)): the Crammer-Singer hinge (multiclass_hinge_loss here), a max "
    "over the other classes where multi_margin_loss sums them and divides by C; no margin, p or "
    "weight. x = [[.1, .2, .4, .8], [1., -.5, .5, 2.]], y = [3, 0] gives [0.6, 2.], "
    "multi_margin_loss [0.325, 0.625]. They agree up to the factor 2 only for C = 2: "
    "multi_margin_loss = multiclass_hinge_loss / 2",
    "optax.losses.multiclass_perceptron_loss and multiclass_hinge_loss at ties of the max: "
    "jnp.max shares the gradient equally (the canonical choice): x = [[1., 3., 3., 0.]], y = [0] "
    "gives the gradient [-1., .5, .5, 0.] for both; multiclass_hinge_loss at its kink x = [[1., "
    "0., 0.]], y = [0] (augmented [1., 1., 1.]) gives 0 and [-2/3, 1/3, 1/3]",
    "optax.losses.multiclass_sparsemax_loss and optax.projections.projection_simplex under "
    "jax_enable_x64: float32 scores give a float64 value (1 / jnp.count_nonzero(...) is float64), "
    "and jax.grad raises TypeError ('Custom JVP rule must produce primal and tangent outputs with "
    "corresponding shapes and dtypes. Expected float64[4] (tangent type of float64[4]) but got "
    "float32[4]'), also for float16 and bfloat16: the native path runs float64 only, the "
    "composed jnp.sort path every dtype. Without x64 the projection stays float32",
    "optax.losses.multiclass_sparsemax_loss: the gradient is sparsemax(x) - e_y, also at the edge "
    "of the support: x = [[1., 0., -1.]], y = [1] (tau = 0 = x[1]) gives the value 1. and the "
    "gradient [1., -1., 0.]; its projection's custom_jvp uses the support p > 0",
    "optax.losses.multiclass_hinge_loss and multiclass_perceptron_loss take any leading shape "
    "(jax.nn.one_hot on the last axis); multiclass_sparsemax_loss only (N, C) (jax.vmap). An "
    "out-of-range label raises nothing: the hinge and perceptron losses get an all-zero one_hot "
    "row, so -x[y] is dropped (x = [[.1, .2, .4, .8]] with label 4 or -1: hinge 1.8, perceptron "
    "0.8); the sparsemax loss indexes scores[label], which JAX clamps (label 4 reads class 3: "
    "0.0933)",
    "optax.losses.multiclass_hinge_loss under jax_enable_x64 returns float64 for float16, "
    "bfloat16 and float32 scores: jax.nn.one_hot's default dtype is float64 there, and x + 1 - "
    "one_hot promotes",
    "optax.losses.sparsemax_loss(x, y) = jax.nn.sparse_plus(jnp.where(y, -x, x)): any non-zero "
    "label counts as 1 (0.5 labels give the y = 1 loss: 1.0 at x = -1, where the Fenchel-Young "
    "loss of a 0.5 target differs); the canonical domain is {0, 1}, where it is exact",
    "optax.hinge_loss(x, y) = max(0, 1 - y x) with y in {-1, 1} is the hinge that soft_margin_loss "
    "smooths (softplus(-y x)); optax.sigmoid_binary_cross_entropy(x, (1 + y) / 2) is exactly "
    "soft_margin_loss, element by element",
    "jax.nn.relu has gradient 0 at 0; jnp.maximum(z, 0.) splits a tie and gives 0.5",
    "jax.nn.softplus(1e4) = 1e4 (jnp.logaddexp(x, 0)), gradient 1; optax.sigmoid_binary_cross_"
    "entropy uses jax.nn.log_sigmoid on both sides: finite at +-1e4",
)
