"""TensorFlow/Keras paths of the focal_dice family (spec.py beside this file).

Keras 3 has every loss of the family: keras.losses.BinaryFocalCrossentropy /
binary_focal_crossentropy, keras.losses.Dice / dice, keras.losses.CategoricalFocalCrossentropy /
categorical_focal_crossentropy and keras.losses.Tversky / tversky. tf.nn has none; the tf paths
are composed here.
"""
from __future__ import annotations

import numpy as np

from adapters.tensorflow import (  # noqa: F401
    KERAS_REDUCTION,
    SEEN_ON,
    adapter,
    class_axis,
    keras,
    path,
    reduce,
    tf,
)

from .spec import dice_axes

KERAS_LOSSES_DOC = "https://keras.io/api/losses/"

# ---------------------------------------------------------------- sigmoid_focal_loss
# Keras applies the class weights only with apply_class_balancing=True; the paths pass it with
# alpha as given, the direct translation of torchvision's alpha (PROBED: alpha < 0 is not "off").
# from_logits=True: Keras takes sigmoid(x) and its binary_crossentropy recovers the logits kept on
# that tensor (`_keras_logits`), so the cross-entropy is the stable one (no clipping; PROBED).
FOCAL_NAN = ["focal_pow_grad_nan_where_p_t_is_1", "keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0",
             "focal_negative_alpha_not_ignored"]
FOCAL_CLASS_CALL = ("keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha, "
                    "gamma=gamma, from_logits=True, reduction={'mean': 'sum_over_batch_size'}.get("
                    "reduction, reduction), dtype=input.dtype.name)")


def _focal_class(alpha, gamma, reduction, dtype):
    return keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True,
        reduction=KERAS_REDUCTION[reduction], dtype=dtype)


@path("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy[..., None]", kind="composed",
      params=["alpha", "gamma", "reduction"], conventions=FOCAL_NAN,
      call=FOCAL_CLASS_CALL + "(target[..., None], input[..., None])")
def focal_keras_elementwise(input, target, *, alpha, gamma, reduction):
    focal = _focal_class(alpha, gamma, reduction, input.dtype.name)
    return focal(target[..., None], input[..., None])


# On 1-D input every reduction shows Keras's mean over the last axis (a scalar for 'none').
@path("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy(1-D)", ndims=[1],
      params=["alpha", "gamma", "reduction"],
      conventions=[*FOCAL_NAN, "keras_bce_mean_over_last_axis"],
      call=FOCAL_CLASS_CALL + "(target, input)  [1-D input]")
def focal_keras_1d(input, target, *, alpha, gamma, reduction):
    return _focal_class(alpha, gamma, reduction, input.dtype.name)(target, input)


@path("sigmoid_focal_loss", "keras.losses.binary_focal_crossentropy[..., None]", kind="composed",
      params=["alpha", "gamma", "reduction"], conventions=FOCAL_NAN,
      call="reduce(keras.losses.binary_focal_crossentropy(target[..., None], input[..., None], "
           "apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True), reduction)")
def focal_keras_fn(input, target, *, alpha, gamma, reduction):
    losses = keras.losses.binary_focal_crossentropy(
        target[..., None], input[..., None], apply_class_balancing=True, alpha=alpha,
        gamma=gamma, from_logits=True)
    return reduce(losses, reduction)


# 1 - p_t in log space, as a TF user would write a stable focal loss: canonical everywhere.
@path("sigmoid_focal_loss", "tf.nn.sigmoid_cross_entropy_with_logits+log-space", kind="composed",
      params=["alpha", "gamma", "reduction"],
      call="log_q = tf.reduce_logsumexp(tf.stack([tf.math.log(target) + "
           "tf.math.log_sigmoid(-input), "
           "tf.math.log1p(-target) + tf.math.log_sigmoid(input)]), axis=0); l = alpha_t * "
           "tf.exp(gamma * log_q) * tf.nn.sigmoid_cross_entropy_with_logits(target, input) "
           "(alpha_t = 1 if alpha < 0); reduce(l, reduction)")
def focal_tf(input, target, *, alpha, gamma, reduction):
    log_q = tf.reduce_logsumexp(tf.stack([tf.math.log(target) + tf.math.log_sigmoid(-input),
                                          tf.math.log1p(-target) + tf.math.log_sigmoid(input)]),
                                axis=0)
    losses = tf.exp(gamma * log_q) * tf.nn.sigmoid_cross_entropy_with_logits(target, input)
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    return reduce(losses, reduction)


# ---------------------------------------------------------------- soft_dice_loss
# keras.losses.Dice has no smoothing parameter (keras_dice_epsilon_in_denominator_only); its
# `axis` picks the summed axes, None (the default) meaning all of them, which is sum_over='all'.

def _keras_axis(input, sum_over):
    return None if sum_over == "all" else dice_axes(input.ndim, sum_over)


@path("soft_dice_loss", "keras.losses.Dice", params=["sum_over", "reduction"],
      conventions=["keras_dice_epsilon_in_denominator_only"],
      call="keras.losses.Dice(axis={'spatial': (2, .., ndim-1), 'batch_and_spatial': (0, 2, ..), "
           "'all': None}[sum_over], reduction={'mean': 'sum_over_batch_size'}.get(reduction, "
           "reduction), dtype=input.dtype.name)(target, input)")
def dice_keras(input, target, *, sum_over, reduction):
    return keras.losses.Dice(axis=_keras_axis(input, sum_over),
                                reduction=KERAS_REDUCTION[reduction],
                                dtype=input.dtype.name)(target, input)


@path("soft_dice_loss", "keras.losses.dice", kind="composed", params=["sum_over", "reduction"],
      conventions=["keras_dice_epsilon_in_denominator_only"],
      call="reduce(keras.losses.dice(target, input, axis={'spatial': (2, ..), 'batch_and_spatial': "
           "(0, 2, ..), 'all': None}[sum_over]), reduction)")
def dice_keras_fn(input, target, *, sum_over, reduction):
    return reduce(keras.losses.dice(target, input, axis=_keras_axis(input, sum_over)), reduction)


@path("soft_dice_loss", "tf.reduce_sum", kind="composed",
      params=["smooth", "sum_over", "reduction"],
      call="axes = {'spatial': (2, ..), 'batch_and_spatial': (0, 2, ..), 'all': all}[sum_over]; "
           "reduce(1 - (2 * tf.reduce_sum(input * target, axes) + smooth) / (tf.reduce_sum(input, "
           "axes) + tf.reduce_sum(target, axes) + smooth), reduction)")
def dice_tf(input, target, *, smooth, sum_over, reduction):
    axes = list(dice_axes(input.ndim, sum_over))   # [] sums over nothing in TF
    inter = tf.reduce_sum(input * target, axis=axes)
    total = tf.reduce_sum(input, axis=axes) + tf.reduce_sum(target, axis=axes)
    return reduce(1 - (2 * inter + smooth) / (total + smooth), reduction)


# ---------------------------------------------------------------- categorical_focal_crossentropy
# Keras takes one-hot or probability targets (no index targets, no ignore_index) and a scalar
# alpha (or a list of C factors: not this loss). With from_logits=True it applies ops.softmax
# itself; with from_logits=False (its default) it takes probabilities: both are then divided by
# their sum over `axis` and clipped to [1e-7, 1 - 1e-7] (keras_focal_probs_clipped_to_epsilon).

CFC_CONVENTIONS = ["keras_focal_probs_clipped_to_epsilon",
                   "keras_label_smoothing_over_last_axis_size"]
CFC_KERAS_PARAMS = ["alpha", "gamma", "label_smoothing", "reduction"]


def _cfc_class(alpha, gamma, label_smoothing, reduction, input, from_logits):
    return keras.losses.CategoricalFocalCrossentropy(
        alpha=alpha, gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
        axis=class_axis(input), reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)


@path("categorical_focal_crossentropy", "keras.losses.CategoricalFocalCrossentropy",
      encodings=["one_hot", "probs"], params=CFC_KERAS_PARAMS, conventions=CFC_CONVENTIONS,
      call="keras.losses.CategoricalFocalCrossentropy(alpha=alpha, gamma=gamma, from_logits=True, "
           "label_smoothing=label_smoothing, axis=1 if input.ndim > 1 else -1, reduction={'mean': "
           "'sum_over_batch_size'}.get(reduction, reduction), dtype=input.dtype.name)(target, "
           "input)")
def cfc_keras(input, target, *, alpha, gamma, label_smoothing, reduction):
    return _cfc_class(alpha, gamma, label_smoothing, reduction, input, True)(target, input)


@path("categorical_focal_crossentropy", "keras.losses.categorical_focal_crossentropy",
      kind="composed", encodings=["one_hot", "probs"], params=CFC_KERAS_PARAMS,
      conventions=CFC_CONVENTIONS,
      call="reduce(keras.losses.categorical_focal_crossentropy(target, input, alpha=alpha, "
           "gamma=gamma, from_logits=True, label_smoothing=label_smoothing, axis=1 if input.ndim "
           "> 1 else -1), reduction)")
def cfc_keras_fn(input, target, *, alpha, gamma, label_smoothing, reduction):
    return reduce(keras.losses.categorical_focal_crossentropy(
        target, input, alpha=alpha, gamma=gamma, from_logits=True,
        label_smoothing=label_smoothing, axis=class_axis(input)), reduction)


@path("categorical_focal_crossentropy", "keras.losses.CategoricalFocalCrossentropy(tf.nn.softmax)",
      kind="composed", encodings=["one_hot", "probs"], params=CFC_KERAS_PARAMS,
      conventions=CFC_CONVENTIONS,
      call="keras.losses.CategoricalFocalCrossentropy(alpha=alpha, gamma=gamma, "
           "label_smoothing=label_smoothing, axis=1 if input.ndim > 1 else -1, reduction=..., "
           "dtype=input.dtype.name)(target, tf.nn.softmax(input, axis=1 if input.ndim > 1 else "
           "-1))  [from_logits=False, the default]")
def cfc_keras_probs(input, target, *, alpha, gamma, label_smoothing, reduction):
    probs = tf.nn.softmax(input, axis=class_axis(input))
    return _cfc_class(alpha, gamma, label_smoothing, reduction, input, False)(target, probs)


# The definition in tf ops, for index targets too (what Keras cannot take): canonical.
@path("categorical_focal_crossentropy", "tf.nn.log_softmax", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "ignore_index", "reduction"],
      call="logp = tf.nn.log_softmax(input, axis=1 if input.ndim > 1 else -1); t = the one_hot/"
           "probs target, or tf.one_hot(index target, C, axis=1) with 0 rows for ignore_index; "
           "t = (1 - eps) t + eps / C on kept rows; q = -tf.math.expm1(logp); f = q ** gamma "
           "held constant where q is 0 or 1 (tf.where); l = -alpha * tf.reduce_sum(t * f * "
           "tf.where(t > 0, logp, 0), axis); 'mean' divides by the kept rows")
def cfc_tf(input, target, *, alpha, gamma, label_smoothing, ignore_index, reduction):
    axis = 1 if input.ndim > 1 else 0
    c = input.shape[axis]
    if target.dtype == tf.int64:
        kept = tf.not_equal(target, ignore_index)
        t = tf.one_hot(tf.where(kept, target, 0), c, axis=axis, dtype=input.dtype)
        t = t * tf.cast(tf.expand_dims(kept, axis), input.dtype)
    else:
        kept = tf.ones(tf.shape(tf.reduce_sum(target, axis=axis)), dtype=tf.bool)
        t = target
    if label_smoothing:
        t = tf.where(tf.expand_dims(kept, axis), (1 - label_smoothing) * t + label_smoothing / c,
                     tf.zeros_like(t))
    logp = tf.nn.log_softmax(input, axis=axis)
    q = -tf.math.expm1(logp)
    ok = (q > 0) & (logp > -np.inf)
    f = tf.where(ok, tf.pow(tf.where(ok, q, tf.ones_like(q)), gamma),
                 tf.where(q > 0, tf.ones_like(q), tf.fill(tf.shape(q), tf.cast(0.0 ** gamma,
                                                                                 q.dtype))))
    losses = -alpha * tf.reduce_sum(t * f * tf.where(t > 0, logp, tf.zeros_like(logp)), axis=axis)
    if reduction == "mean":
        return tf.reduce_sum(losses) / tf.reduce_sum(tf.cast(kept, losses.dtype))
    return reduce(losses, reduction)


# ---------------------------------------------------------------- tversky
# keras.losses.Tversky / tversky: no smoothing argument (1e-7 in the denominator only), and its
# alpha multiplies the false negatives (keras_tversky_alpha_weighs_false_negatives): the paths pass
# the canonical alpha and beta as Keras's alpha and beta, as a user reading the docstring would.
# axis as keras.losses.Dice's: None for sum_over='all'.

TVERSKY_KERAS = ["keras_tversky_alpha_weighs_false_negatives",
                 "keras_tversky_epsilon_in_denominator_only"]


@path("tversky", "keras.losses.Tversky", params=["alpha", "beta", "sum_over", "reduction"],
      conventions=TVERSKY_KERAS,
      call="keras.losses.Tversky(alpha=alpha, beta=beta, axis={'spatial': (2, .., ndim-1), "
           "'batch_and_spatial': (0, 2, ..), 'all': None}[sum_over], reduction={'mean': "
           "'sum_over_batch_size'}.get(reduction, reduction), dtype=input.dtype.name)(target, "
           "input)")
def tversky_keras(input, target, *, alpha, beta, sum_over, reduction):
    return keras.losses.Tversky(alpha=alpha, beta=beta, axis=_keras_axis(input, sum_over),
                                reduction=KERAS_REDUCTION[reduction],
                                dtype=input.dtype.name)(target, input)


@path("tversky", "keras.losses.tversky", kind="composed",
      params=["alpha", "beta", "sum_over", "reduction"], conventions=TVERSKY_KERAS,
      call="reduce(keras.losses.tversky(target, input, alpha=alpha, beta=beta, axis={'spatial': "
           "(2, ..), 'batch_and_spatial': (0, 2, ..), 'all': None}[sum_over]), reduction)")
def tversky_keras_fn(input, target, *, alpha, beta, sum_over, reduction):
    return reduce(keras.losses.tversky(target, input, alpha=alpha, beta=beta,
                                       axis=_keras_axis(input, sum_over)), reduction)


# Keras's alpha and beta swapped: the canonical Tversky index but for its 1e-7 smoothing.
@path("tversky", "keras.losses.Tversky(alpha=beta, beta=alpha)",
      params=["alpha", "beta", "sum_over", "reduction"],
      conventions=["keras_tversky_epsilon_in_denominator_only"],
      call="keras.losses.Tversky(alpha=beta, beta=alpha, axis=..., reduction=..., "
           "dtype=input.dtype.name)(target, input)")
def tversky_keras_swapped(input, target, *, alpha, beta, sum_over, reduction):
    return keras.losses.Tversky(alpha=beta, beta=alpha, axis=_keras_axis(input, sum_over),
                                reduction=KERAS_REDUCTION[reduction],
                                dtype=input.dtype.name)(target, input)


@path("tversky", "tf.reduce_sum", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "reduction"],
      call="axes = {'spatial': (2, ..), 'batch_and_spatial': (0, 2, ..), 'all': all}[sum_over]; "
           "tp, fp, fn = (tf.reduce_sum(a, axes) for a in (input * target, input * (1 - target), "
           "(1 - input) * target)); reduce(1 - (tp + smooth) / (tp + alpha * fp + beta * fn + "
           "smooth), reduction)")
def tversky_tf(input, target, *, alpha, beta, smooth, sum_over, reduction):
    axes = list(dice_axes(input.ndim, sum_over))   # [] sums over nothing in TF
    tp = tf.reduce_sum(input * target, axis=axes)
    fp = tf.reduce_sum(input * (1 - target), axis=axes)
    fn = tf.reduce_sum((1 - input) * target, axis=axes)
    return reduce(1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth), reduction)


# ---------------------------------------------------------------- evidence

saw = adapter.saw
KERAS_FOCAL_DOC = "https://keras.io/api/losses/probabilistic_losses/#binaryfocalcrossentropy-class"
KERAS_DICE_DOC = "https://keras.io/api/losses/"
_FOCAL_PATHS = ("sigmoid_focal_loss/keras.losses.BinaryFocalCrossentropy[..., None]",
                "sigmoid_focal_loss/keras.losses.binary_focal_crossentropy[..., None]")
_SATURATED = ("input [[40., -40., 1e4, -1e4], [.5, -2., 1., 0.]], target [[1., 0., 1., 0.], "
              "[1., 0., 0., 1.]]")

for p in _FOCAL_PATHS:
    saw("focal_pow_grad_nan_where_p_t_is_1", path=p,
        case="sigmoid_focal_loss/saturated-gamma-0.5-none/none",
        call=f"tape.gradient of {p.split('/')[1]} with gamma=0.5, alpha=0.25, on {_SATURATED}",
        seen="gradient / cotangent [[nan, nan, nan, nan], [-0.0806591332, 0.0453414501, "
             "0.5820463736, -0.1190214146]] (canonical row 0: -1.09e-27, 9.85e-27, 0, 0); values "
             "canonical", versions=SEEN_ON,
        link=KERAS_FOCAL_DOC + " (focal_factor = (1 - output) ** gamma; the nan: no public "
             "documentation found)")
    saw("keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0", path=p,
        case="sigmoid_focal_loss/saturated-gamma-0-none/none",
        call=f"tape.gradient of {p.split('/')[1]} with gamma=0.0, alpha=0.25, on {_SATURATED}",
        seen="gradient / cotangent [[nan, nan, nan, nan], [-0.0943851672, 0.0894021915, "
             "0.548293934, -0.125]] (canonical row 0: 0, 3.19e-18, 0, 0); values canonical "
             "[[1.06e-18, 3.19e-18, 0, 0], [0.1185192461, 0.0951960083, 0.9849462656, "
             "0.1732867951]]; tf.pow's gradient at (0, 0) is 0 * 0^-1",
        versions=SEEN_ON, link="no public documentation found")
    saw("focal_negative_alpha_not_ignored", path=p,
        case="sigmoid_focal_loss/alpha-negative-none/none",
        call=f"{p.split('/')[1]} with alpha=-1.0, gamma=2.0 on input [[-1.5, .25, 2., -.5], "
             "[3., -2.5, .75, 1.25]], target [[0., 1., 1., 0.], [1., 0., 0., 1.]]",
        seen="[[0.0134056939, -0.1104014913, -0.0018035628, 0.1351469810], [-0.0001092833, "
             "0.0009079362, 1.0488401406, -0.0124945114]]: positives times -1, negatives times 2; "
             "canonical (unweighted) [[0.0067028469, 0.1104014913, 0.0018035628, 0.0675734905], "
             "[0.0001092833, 0.0004539681, 0.5244200703, 0.0124945114]]",
        versions=SEEN_ON,
        link=KERAS_FOCAL_DOC + " ('weight = alpha for class 1 ... 1 - alpha for class 0', alpha "
             "'a float in the range of [0, 1]'; nothing about negative values)")

saw("keras_bce_mean_over_last_axis",
    path="sigmoid_focal_loss/keras.losses.BinaryFocalCrossentropy(1-D)",
    case="sigmoid_focal_loss/vector-none/none",
    call="keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=.25, gamma=2., "
         "from_logits=True, reduction=None, dtype='float64')([1., 1., 0., 0., 0., 1.], "
         "[1.5, -.5, 0., 2.5, -3., .25])",
    seen="0.3175881028 (a scalar: the mean of the canonical [0.0016757117, 0.0943529002, "
         "0.1299650964, 1.6518525732, 0.0000819625, 0.0276003728])",
    versions=SEEN_ON, link=KERAS_FOCAL_DOC + " (binary_focal_crossentropy: 'axis: The axis along "
    "which the mean is computed. Defaults to -1')")

for p in ("soft_dice_loss/keras.losses.Dice", "soft_dice_loss/keras.losses.dice"):
    saw("keras_dice_epsilon_in_denominator_only", path=p,
        case="soft_dice_loss/empty-mask-none/none",
        call=f"{p.split('/')[1]} on (2, 3, 3) probabilities with axis=(2,) (sample 0, class 1: "
             "input and target all 0; sample 1, class 0: target all 0), float64",
        seen="[[0.1764706076, 1.0, 0.4285714612], [1.0, 0.2000000213, 0.6666666889]]; canonical "
             "(smooth 1e-6) [[0.1764705467, 0.0, 0.4285711837], [0.9999986667, 0.1999999467, "
             "0.6666662222]]; gradient 0 on the empty mask (canonical 1 / smooth = 1e6 times the "
             "cotangent)",
        versions=SEEN_ON,
        link=KERAS_DICE_DOC + " (Dice: 'loss = 1 - (2 * sum(y_true * y_pred)) / (sum(y_true) + "
             "sum(y_pred))'; the + backend.epsilon() in the denominator: "
             "keras/src/losses/losses.py "
             "dice, no public documentation)")

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "keras.losses.BinaryFocalCrossentropy(from_logits=True) on the TensorFlow backend: "
    "ops.sigmoid keeps the logits on its output (`_keras_logits`) and ops.binary_crossentropy uses "
    "them (tf.nn.sigmoid_cross_entropy_with_logits), so nothing is clipped: logits [40, -40, 1e4, "
    "-1e4, .5, 20] against [0, 1, 0, 1, 1, 0] give [30, 10, 7500, 2500, 0.0168933726, "
    "14.9999999] = canonical, eager and under tf.function, float64 and float32",
    "BinaryFocalCrossentropy's defaults differ from torchvision's: apply_class_balancing=False (no "
    "alpha weighting at all), from_logits=False; its label_smoothing squeezes targets toward 0.5 "
    "(no canonical parameter)",
    "keras.losses.Dice(axis=()) on (N, C) input sums over nothing: each element its own Dice "
    "(as canonical sum_over='spatial' with no spatial axis); tf.reduce_sum(axis=[]) likewise",
    "keras.losses.Dice: reduction 'sum_over_batch_size' divides by the number of Dice values "
    "(N * C for axis=(2, ..)) = the canonical mean",
)
