"""TensorFlow/Keras paths of the margin family (spec.py beside this file).

Keras 3 has none of these losses except, in effect, the multilabel soft margin loss:
keras.losses.BinaryCrossentropy(from_logits=True) averages over the last axis, which is exactly
its (1/C) sum over the classes. Keras CategoricalHinge is another loss (see PROBED); the others
are composed from tf.nn primitives. tf.nn.relu differentiates max(0, z) as 0 at z = 0, the
canonical choice at the hinge's kink.
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
           "tf.one_hot(target, C)), -1) / C, reduction)")
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
    return reduce(_unrow(losses, input), reduction)


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


# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
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
