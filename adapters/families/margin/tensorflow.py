"""TensorFlow/Keras paths of the margin family (spec.py beside this file).

Keras 3 has none of these losses except, in effect, the multilabel soft margin loss:
keras.losses.BinaryCrossentropy(from_logits=True) averages over the last axis, which is exactly
its (1/C) sum over the classes. Keras CategoricalHinge is another loss (see PROBED); the others
are composed from tf.nn primitives. tf.nn.relu differentiates max(0, z) as 0 at z = 0, the
canonical choice at the hinge's kink; tf.reduce_max shares a tied maximum's gradient equally, the
canonical choice for the multiclass perceptron and hinge losses. Keras's sparse_plus is the binary
sparsemax loss's function; keras.ops.sparsemax is not used: it computes a wrong threshold (see
PROBED), so the multiclass sparsemax loss is composed from tf.sort and tf.cumsum.
"""
from __future__ import annotations

import numpy as np

from adapters.tensorflow import KERAS_REDUCTION, SEEN_ON, adapter, keras, path, reduce, tf  # noqa: F401


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


@path("soft_margin_loss", "tf.nn.softplus", kind="composed", params=["reduction"],
      call="reduce(tf.nn.softplus(-target * input), reduction)")
def soft_margin_softplus(input, target, *, reduction):
    return reduce(tf.nn.softplus(-target * input), reduction)


@path("soft_margin_loss", "tf.nn.sigmoid_cross_entropy_with_logits", kind="composed",
      unsupported_when=SIGNS_ONLY,
      params=["reduction"],
      call="reduce(tf.nn.sigmoid_cross_entropy_with_logits(labels=(1 + target) / 2, "
           "logits=input), reduction)  [y = -1, 1 as labels 0, 1]")
def soft_margin_sigmoid_ce(input, target, *, reduction):
    return reduce(tf.nn.sigmoid_cross_entropy_with_logits(labels=(1 + target) / 2,
                                                             logits=input), reduction)


# ---------------------------------------------------------------- multilabel_soft_margin_loss

@path("multilabel_soft_margin_loss", "keras.losses.BinaryCrossentropy(from_logits=True)",
      params=["reduction"],
      call="keras.losses.BinaryCrossentropy(from_logits=True, reduction=..., "
           "dtype=input.dtype.name)(target, input)  [the mean over the last axis is the 1/C]")
def multilabel_soft_margin_keras(input, target, *, reduction):
    return keras.losses.BinaryCrossentropy(
        from_logits=True, reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(target,
        input)


@path("multilabel_soft_margin_loss", "keras.losses.binary_crossentropy", kind="composed",
      params=["reduction"],
      call="reduce(keras.losses.binary_crossentropy(target, input, from_logits=True), reduction)")
def multilabel_soft_margin_keras_fn(input, target, *, reduction):
    return reduce(keras.losses.binary_crossentropy(target, input, from_logits=True), reduction)


# Keras averages over `axis`: on the transposed input, classes first ((C, N)), axis=0 is the
# mean over the classes again (1-D input (C,) is its own transpose)
@path("multilabel_soft_margin_loss",
      "keras.losses.BinaryCrossentropy(from_logits=True, axis=0)(transposed)", kind="composed",
      params=["reduction"],
      call="keras.losses.BinaryCrossentropy(from_logits=True, axis=0, reduction=..., "
           "dtype=input.dtype.name)(tf.transpose(target), tf.transpose(input))")
def multilabel_soft_margin_keras_axis0(input, target, *, reduction):
    return keras.losses.BinaryCrossentropy(
        from_logits=True, axis=0, reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(tf.transpose(target), tf.transpose(input))


@path("multilabel_soft_margin_loss", "keras.losses.binary_crossentropy(axis=0)(transposed)",
      kind="composed", params=["reduction"],
      call="reduce(keras.losses.binary_crossentropy(tf.transpose(target), tf.transpose(input), "
           "from_logits=True, axis=0), reduction)")
def multilabel_soft_margin_keras_fn_axis0(input, target, *, reduction):
    return reduce(keras.losses.binary_crossentropy(tf.transpose(target), tf.transpose(input),
                                                   from_logits=True, axis=0), reduction)


@path("multilabel_soft_margin_loss", "tf.nn.sigmoid_cross_entropy_with_logits", kind="composed",
      params=["weight", "reduction"],
      call="reduce(tf.reduce_mean(weight * tf.nn.sigmoid_cross_entropy_with_logits(target, "
           "input), axis=-1), reduction)")
def multilabel_soft_margin_tf(input, target, *, weight, reduction):
    per_class = tf.nn.sigmoid_cross_entropy_with_logits(target, input)
    if weight is not None:
        per_class = weight * per_class
    return reduce(tf.reduce_mean(per_class, axis=-1), reduction)


# ---------------------------------------------------------------- multi_margin_loss

@path("multi_margin_loss", "tf.nn.relu", kind="composed",
      params=["p", "margin", "weight", "reduction"],
      call="z = margin - tf.gather(input, target, batch_dims=1)[:, None] + input; "
           "reduce(tf.gather(weight, target) * tf.reduce_sum(tf.nn.relu(z)**p * (1 - "
           "tf.one_hot(target, C)), -1) / C reshaped to target.shape, reduction)")
def multi_margin_tf(input, target, *, p, margin, weight, reduction):
    x, y = _rows(input), tf.reshape(target, [-1])
    c = x.shape[-1]
    x_y = tf.gather(x, y, batch_dims=1)[:, None]
    hinge = tf.nn.relu(margin - x_y + x)
    hinge = hinge if p == 1 else tf.square(hinge)
    others = 1 - tf.one_hot(y, c, dtype=x.dtype)
    losses = tf.reduce_sum(hinge * others, axis=-1) / c
    if weight is not None:
        losses = tf.gather(weight, y) * losses
    return reduce(tf.reshape(losses, target.shape), reduction)   # () or (1,) for one sample


# ---------------------------------------------------------------- multilabel_margin_loss

def target_set(target, c, dtype):
    """1 where a class is listed before the first -1 of its row, else 0: (N, C)."""
    listed = tf.math.cumprod(tf.cast(target >= 0, dtype), axis=-1)   # entries before the first -1
    one_hot = tf.one_hot(tf.where(target >= 0, target, 0), c, dtype=dtype) * listed[..., None]
    return tf.reduce_max(one_hot, axis=-2)


@path("multilabel_margin_loss", "tf.nn.relu", kind="composed", params=["reduction"],
      call="t = classes listed before the first -1 (0/1, (N, C)); reduce(tf.reduce_sum(t[:, :, "
           "None] * (1 - t)[:, None, :] * tf.nn.relu(1 - input[:, :, None] + input[:, None, :]), "
           "[1, 2]) / C, reduction)")
def multilabel_margin_tf(input, target, *, reduction):
    x, y = _rows(input), _rows(target)
    c = x.shape[-1]
    t = target_set(y, c, x.dtype)
    pairs = t[:, :, None] * (1 - t)[:, None, :]               # j a target, i not
    hinge = tf.nn.relu(1 - x[:, :, None] + x[:, None, :])    # [n, j, i] = 1 - x[j] + x[i]
    losses = tf.reduce_sum(pairs * hinge, axis=[1, 2]) / c
    return reduce(_unrow(losses, input), reduction)



# ---------------------------------------------------------------- perceptron, hinge, sparsemax

def _target_score(input, target):
    """x[y] per row: (N, C), (N,) -> (N,); (C,), () -> ()."""
    return tf.gather(input, target, batch_dims=target.shape.rank)


@path("perceptron_loss", "tf.nn.relu", kind="composed", params=["reduction"],
      call="reduce(tf.nn.relu(-target * input), reduction)")
def perceptron_relu(input, target, *, reduction):
    return reduce(tf.nn.relu(-target * input), reduction)


@path("multiclass_perceptron_loss", "tf.reduce_max", kind="composed", params=["reduction"],
      call="reduce(tf.reduce_max(input, -1) - tf.gather(input, target, batch_dims=1), reduction)")
def multiclass_perceptron_tf(input, target, *, reduction):
    return reduce(tf.reduce_max(input, axis=-1) - _target_score(input, target), reduction)


@path("multiclass_hinge_loss", "tf.reduce_max", kind="composed", params=["reduction"],
      call="reduce(tf.reduce_max(input + 1 - tf.one_hot(target, C, dtype=input.dtype), -1) - "
           "tf.gather(input, target, batch_dims=1), reduction)")
def multiclass_hinge_tf(input, target, *, reduction):
    augmented = input + 1 - tf.one_hot(target, input.shape[-1], dtype=input.dtype)
    return reduce(tf.reduce_max(augmented, axis=-1) - _target_score(input, target), reduction)


@path("sparsemax_loss", "keras.ops.sparse_plus", kind="composed", params=["reduction"],
      call="reduce(keras.ops.sparse_plus(tf.where(target == 1, -input, input)), reduction)")
def sparsemax_keras(input, target, *, reduction):
    return reduce(keras.ops.sparse_plus(tf.where(target == 1, -input, input)), reduction)


def sparsemax(x):
    """The projection of each row of x (N, C) onto the simplex (Martins and Astudillo 2016,
    Algorithm 1): sort descending, k = the largest k with 1 + k u_k > sum_{j <= k} u_j (at least
    1), tau = (sum_{j <= k} u_j - 1) / k, relu(x - tau); on x - max(x), so that the 1 is not
    rounded away next to large scores."""
    x = x - tf.stop_gradient(tf.reduce_max(x, axis=-1, keepdims=True))
    u = tf.sort(x, axis=-1, direction="DESCENDING")
    partial = tf.cumsum(u, axis=-1)
    k = tf.range(1, x.shape[-1] + 1)
    k_x = tf.reduce_max(tf.where(1 + tf.cast(k, x.dtype) * u > partial, k, 1), axis=-1)
    tau = (tf.gather(partial, k_x - 1, batch_dims=1) - 1) / tf.cast(k_x, x.dtype)
    return tf.nn.relu(x - tau[:, None])


@path("multiclass_sparsemax_loss", "tf.sort-tf.cumsum", kind="composed", params=["reduction"],
      call="z = x - tf.stop_gradient(tf.reduce_max(x, -1)); p = tf.nn.relu(z - tau), tau from "
           "tf.sort(z, direction='DESCENDING') and tf.cumsum "
           "(Martins and Astudillo 2016, Algorithm 1); reduce(tf.reduce_sum(p * (x - x[y]), -1) "
           "+ (1 - tf.reduce_sum(p * p, -1)) / 2, reduction)  [x = input as (N, C); p under "
           "tf.stop_gradient]")
def multiclass_sparsemax_tf(input, target, *, reduction):
    x, y = _rows(input), tf.reshape(target, [-1])
    p = tf.stop_gradient(sparsemax(x))   # the gradient p - e_y (Proposition 2), without the
    x_y = tf.gather(x, y, batch_dims=1)[:, None]   # cancelling terms (x - x[y]) dp through p
    losses = tf.reduce_sum(p * (x - x_y), axis=-1) + (1 - tf.reduce_sum(p * p, axis=-1)) / 2
    return reduce(_unrow(losses, input), reduction)

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "keras.ops.sparsemax (and keras.activations.sparsemax) in Keras 3.15.1 compute the threshold "
    "from the sum of the cumulative sums over the support, (sum_{j <= k} cumsum_j - 1) / k, "
    "instead of (cumsum_k - 1) / k: right only when the support has one class. [[.1, .2, .4, "
    ".8], [.5, 0., 0., 0.]] gives [[0., 0., 0., 0.], [.25, 0., 0., 0.]] where sparsemax is "
    "[[0., .0667, .2667, .6667], [.625, .125, .125, .125]]. A Keras bug "
    "(https://github.com/keras-team/keras/issues/23425, fixed by keras-team/keras#23469 after "
    "3.15.1), so no path is built on it: the multiclass_sparsemax_loss path is composed from "
    "tf.sort and tf.cumsum",
    "keras.ops.sparse_plus(x) = tf.where(x <= -1, 0, tf.where(x < 1, (x + 1)^2 / 4, x)): equal "
    "to jax.nn.sparse_plus, gradient 0 at -1 and 1 at 1 (continuous)",
    "tf.reduce_max shares the gradient of a tied maximum equally: [[1., 3., 3., 0.]] gives "
    "[[0., .5, .5, 0.]], the canonical choice of the multiclass perceptron and hinge losses",
    "keras.losses.BinaryCrossentropy(from_logits=True) on (N, C) logits returns the mean over "
    "the last axis for reduction='none': [0.30475556, 6666.8977] for x = [[.5, -1., 2.], [1e4, "
    "-1e4, 0.]], y = [[1., 0., 1.], [0., 1., .5]], exactly multilabel_soft_margin_loss; "
    "'sum_over_batch_size' divides by N; 1-D input gives the scalar 0.30475556",
    "keras.losses.BinaryCrossentropy takes no class weight: sample_weight of shape (N, C) raises "
    "'Incompatible shapes: [2] vs. [2,3]' (it multiplies the per-sample losses); a (C,) "
    "sample_weight would be read per sample when N == C. The weighted path is composed",
    "keras.losses.CategoricalHinge is not multi_margin_loss: max(0, 1 + max((1 - t) x) - sum t x) "
    "on one-hot t: the max over the other classes (not the sum / C), no margin, p or weight, and "
    "(1 - t) x puts a 0 in place of x[y], so neg is at least 0: x = [-3., -2., -1.] with y = 2 "
    "gives 2.0 (max(0, 0 + 1 + 1)), where multi_margin_loss gives 0 (every 1 - x[y] + x[i] <= 0)",
    "tf.nn.relu(z) has gradient 0 at z = 0 (the canonical hinge kink); tf.maximum(z, 0.) gives 1 "
    "there (its gradient goes to the first argument on a tie)",
    "tf.nn.softplus(1e4) = 1e4 and tf.nn.sigmoid_cross_entropy_with_logits computes max(x, 0) - "
    "x z + log1p(exp(-|x|)): no overflow at +-1e4, and the gradient at x = 0 is sigmoid(0) - z",
)
