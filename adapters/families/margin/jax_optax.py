"""JAX/optax paths of the margin family (spec.py beside this file).

optax has none of these losses; optax.sigmoid_binary_cross_entropy gives the soft-margin and
multilabel soft-margin losses once the labels are mapped and the classes averaged, and
optax.multiclass_hinge_loss is another loss (see PROBED). The hinge losses use jax.nn.relu, whose
gradient at 0 is 0 (the canonical choice at the kink); jnp.maximum(z, 0.) would give 0.5 there.
"""
from __future__ import annotations

import numpy as np

from adapters.jax_optax import SEEN_ON, adapter, jax, jnp, optax, path, reduce  # noqa: F401


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
           "-1) / C, reduction)")
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
    return reduce(_unrow(losses, input), reduction)


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


# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "optax.multiclass_hinge_loss(scores, labels) = max_i(x_i + 1 - [i == y]) - x_y = max(0, "
    "max_{i != y} (1 + x_i - x_y)): the Crammer-Singer hinge, a max over the other classes where "
    "multi_margin_loss sums them and divides by C; no margin, p or weight. x = [[.1, .2, .4, .8], "
    "[1., -.5, .5, 2.]], y = [3, 0] gives [0.6, 2.], multi_margin_loss [0.325, 0.625]. They agree "
    "up to the factor 2 only for C = 2: multi_margin_loss = multiclass_hinge_loss / 2",
    "optax.hinge_loss(x, y) = max(0, 1 - y x) with y in {-1, 1} is the hinge that soft_margin_loss "
    "smooths (softplus(-y x)); optax.sigmoid_binary_cross_entropy(x, (1 + y) / 2) is exactly "
    "soft_margin_loss, element by element",
    "jax.nn.relu has gradient 0 at 0; jnp.maximum(z, 0.) splits a tie and gives 0.5",
    "jax.nn.softplus(1e4) = 1e4 (jnp.logaddexp(x, 0)), gradient 1; optax.sigmoid_binary_cross_"
    "entropy uses jax.nn.log_sigmoid on both sides: finite at +-1e4",
)
