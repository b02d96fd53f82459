"""TensorFlow/Keras paths of the focal_dice family (spec.py beside this file).

Keras 3 has every loss of the family: keras.losses.BinaryFocalCrossentropy /
binary_focal_crossentropy, keras.losses.Dice / dice, keras.losses.CategoricalFocalCrossentropy /
categorical_focal_crossentropy and keras.losses.Tversky / tversky. tf.nn has none; the tf paths
are composed here.
"""
from __future__ import annotations

import numpy as np

from adapters.families.classification.tensorflow import keras_negative_tuple_axes, over_joint_axes
from adapters.tensorflow import (  # noqa: F401
    KERAS_REDUCTION,
    KERAS_WEIGHTED,
    KERAS_WEIGHTED_DOC,
    SEEN_ON,
    adapter,
    class_axis,
    keras,
    keras_sample_weight,
    keras_weighted_twin,
    path,
    reduce,
    tf,
)

from .spec import (
    classes_first,
    denominator_terms,
    dice_axes,
    lovasz_sets,
    weigh_dice_classes,
    without_ignore_index,
)

KERAS_LOSSES_DOC = "https://keras.io/api/losses/"

# ---------------------------------------------------------------- sigmoid_focal_loss
# Keras applies the class weights only with apply_class_balancing=True; the paths pass it with
# alpha as given, the direct translation of torchvision's alpha (PROBED: alpha < 0 is not "off").
# from_logits=True: Keras takes sigmoid(x) and its binary_crossentropy recovers the logits kept on
# that tensor (`_keras_logits`), so the cross-entropy is the stable one (no clipping; PROBED).
FOCAL_NAN = ["focal_pow_grad_nan_where_p_t_is_1", "keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0",
             "focal_negative_alpha_not_ignored"]
FOCAL_CLASS_CALL = ("keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha, "
                    "gamma=gamma, from_logits=True, label_smoothing=label_smoothing, "
                    "reduction={'mean': 'sum_over_batch_size'}.get(reduction, reduction), "
                    "dtype=input.dtype.name)")


def _focal_class(alpha, gamma, label_smoothing, reduction, dtype, axis=-1):
    return keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True,
        label_smoothing=label_smoothing, reduction=KERAS_REDUCTION[reduction], axis=axis,
        dtype=dtype)


@path("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy[..., None]", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "reduction"], conventions=FOCAL_NAN,
      call=FOCAL_CLASS_CALL + "(target[..., None], input[..., None])")
def focal_keras_elementwise(input, target, *, alpha, gamma, label_smoothing, reduction):
    focal = _focal_class(alpha, gamma, label_smoothing, reduction, input.dtype.name)
    return focal(target[..., None], input[..., None])


@path("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy[..., None](sample_weight=)",
      kind="composed", params=["alpha", "gamma", "label_smoothing", "reduction", "sample_weight"],
      conventions=[*FOCAL_NAN, *KERAS_WEIGHTED],
      unsupported_when=keras_weighted_twin("keras.losses.BinaryFocalCrossentropy[..., None]",
                                           "sigmoid_focal_loss", [*FOCAL_NAN, *KERAS_WEIGHTED]),
      call=FOCAL_CLASS_CALL + "(target[..., None], input[..., None], "
                              "sample_weight=keras_sample_weight(sample_weight, input.ndim))")
def focal_keras_weighted(input, target, *, alpha, gamma, label_smoothing, reduction,
                         sample_weight):
    focal = _focal_class(alpha, gamma, label_smoothing, reduction, input.dtype.name)
    return focal(target[..., None], input[..., None],
                 sample_weight=keras_sample_weight(sample_weight, input.shape.rank))


# Keras averages over `axis`: axis=0 on a new leading axis of size 1 is the elementwise loss; had
# Keras averaged over the last axis instead, 'none' would have the wrong shape and values
@path("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy(axis=0)[None]", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "reduction"], conventions=FOCAL_NAN,
      call=FOCAL_CLASS_CALL.replace("dtype=", "axis=0, dtype=") + "(target[None], input[None])")
def focal_keras_axis0(input, target, *, alpha, gamma, label_smoothing, reduction):
    focal = _focal_class(alpha, gamma, label_smoothing, reduction, input.dtype.name, axis=0)
    return focal(target[None], input[None])


@path("sigmoid_focal_loss", "keras.losses.binary_focal_crossentropy(axis=0)[None]",
      kind="composed", params=["alpha", "gamma", "label_smoothing", "reduction"],
      conventions=FOCAL_NAN,
      call="reduce(keras.losses.binary_focal_crossentropy(target[None], input[None], "
           "apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True, "
           "label_smoothing=label_smoothing, axis=0), reduction)")
def focal_keras_fn_axis0(input, target, *, alpha, gamma, label_smoothing, reduction):
    losses = keras.losses.binary_focal_crossentropy(
        target[None], input[None], apply_class_balancing=True, alpha=alpha, gamma=gamma,
        from_logits=True, label_smoothing=label_smoothing, axis=0)
    return reduce(losses, reduction)


# On 1-D input every reduction shows Keras's mean over the last axis (a scalar for 'none').
@path("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy(1-D)", ndims=[1],
      params=["alpha", "gamma", "label_smoothing", "reduction"],
      conventions=[*FOCAL_NAN, "keras_bce_mean_over_last_axis"],
      call=FOCAL_CLASS_CALL + "(target, input)  [1-D input]")
def focal_keras_1d(input, target, *, alpha, gamma, label_smoothing, reduction):
    return _focal_class(alpha, gamma, label_smoothing, reduction, input.dtype.name)(target, input)


@path("sigmoid_focal_loss", "keras.losses.binary_focal_crossentropy[..., None]", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "reduction"], conventions=FOCAL_NAN,
      call="reduce(keras.losses.binary_focal_crossentropy(target[..., None], input[..., None], "
           "apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True, "
           "label_smoothing=label_smoothing), reduction)")
def focal_keras_fn(input, target, *, alpha, gamma, label_smoothing, reduction):
    losses = keras.losses.binary_focal_crossentropy(
        target[..., None], input[..., None], apply_class_balancing=True, alpha=alpha,
        gamma=gamma, from_logits=True, label_smoothing=label_smoothing)
    return reduce(losses, reduction)


# 1 - p_t in log space, as a TF user would write a stable focal loss: canonical everywhere. Keras
# has neither the reduced nor the normalised focal loss: both composed here.
@path("sigmoid_focal_loss", "tf.nn.sigmoid_cross_entropy_with_logits+log-space", kind="composed",
      params=["alpha", "gamma", "normalized", "reduced_threshold", "reduction"],
      call="log_q = tf.reduce_logsumexp(tf.stack([tf.math.log(target) + "
           "tf.math.log_sigmoid(-input), "
           "tf.math.log1p(-target) + tf.math.log_sigmoid(input)]), axis=0); "
           "f = tf.exp(gamma * log_q); if reduced_threshold is not None: f = tf.where("
           "-tf.math.expm1(log_q) < reduced_threshold, 1, tf.exp(gamma * (log_q - "
           "log(reduced_threshold)))); l = alpha_t * f * "
           "tf.nn.sigmoid_cross_entropy_with_logits(target, input) "
           "(alpha_t = 1 if alpha < 0); if normalized: l = l / tf.reduce_sum(f); "
           "reduce(l, reduction)")
def focal_tf(input, target, *, alpha, gamma, normalized, reduced_threshold, reduction):
    log_q = tf.reduce_logsumexp(tf.stack([tf.math.log(target) + tf.math.log_sigmoid(-input),
                                          tf.math.log1p(-target) + tf.math.log_sigmoid(input)]),
                                axis=0)
    factor = tf.exp(gamma * log_q)
    if reduced_threshold is not None:      # 1 below the threshold: p_t = 1 - exp(log_q)
        factor = tf.where(-tf.math.expm1(log_q) < reduced_threshold, tf.ones_like(factor),
                          tf.exp(gamma * (log_q - float(np.log(reduced_threshold)))))
    losses = factor * tf.nn.sigmoid_cross_entropy_with_logits(target, input)
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    if normalized:
        losses = losses / tf.reduce_sum(factor)
    return reduce(losses, reduction)


# ---- pos_weight (kornia's binary_focal_loss_with_logits(pos_weight=)): the cross-entropy with
# pos_weight composed from tf.math.log_sigmoid (tf.nn.weighted_cross_entropy_with_logits
# differentiates its |x| at 0 as 0: tf_weighted_logits_grad_at_0), inside the log-space focal loss
POS_WEIGHT_ONLY = {"cases without pos_weight (it is "
                   "tf.nn.sigmoid_cross_entropy_with_logits+log-space then)":
                   lambda p, e, i: p["pos_weight"] is None}


@path("sigmoid_focal_loss", "tf.math.log_sigmoid+log-space(pos_weight=)", kind="composed",
      params=["alpha", "gamma", "pos_weight", "reduction"], unsupported_when=POS_WEIGHT_ONLY,
      call="log_q = tf.reduce_logsumexp(tf.stack([tf.math.log(target) + "
           "tf.math.log_sigmoid(-input), tf.math.log1p(-target) + tf.math.log_sigmoid(input)]), "
           "axis=0); ce = -(pos_weight * target * tf.math.log_sigmoid(input) + (1 - target) * "
           "tf.math.log_sigmoid(-input)); l = alpha_t * tf.exp(gamma * log_q) * ce (alpha_t = 1 "
           "if alpha < 0); reduce(l, reduction)")
def focal_tf_pos_weight(input, target, *, alpha, gamma, pos_weight, reduction):
    log_q = tf.reduce_logsumexp(tf.stack([tf.math.log(target) + tf.math.log_sigmoid(-input),
                                          tf.math.log1p(-target) + tf.math.log_sigmoid(input)]),
                                axis=0)
    ce = -(pos_weight * target * tf.math.log_sigmoid(input)
           + (1 - target) * tf.math.log_sigmoid(-input))
    losses = tf.exp(gamma * log_q) * ce
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    return reduce(losses, reduction)


# keras.losses.BinaryFocalCrossentropy with its defaults, apply_class_balancing=False (no alpha
# weighting: canonical alpha < 0, torchvision's 'no weighting') and from_logits=False (it takes
# probabilities: sigmoid(input) made outside Keras, whose cross-entropy term Keras clips like
# BinaryCrossentropy, in the computation dtype). Eager: inside tf.function Keras finds the Sigmoid
# op and uses the logits instead. One path per dtype, each declaring the bounds it clips at; none
# for float16 and bfloat16, where tf.sigmoid itself rounds to 1 from |x| of about 8 (float16) or
# 3 (bfloat16) on, so the clipping sees a probability the float64 reference of the rounded logit
# does not have (and 1 is not clipped there: an infinite loss).
BFCE_DEFAULT_CLIP = {"float64": "keras_bce_probs_clipped_to_epsilon",
                     "float32": "keras_bce_probs_clipped_to_float32_epsilon"}


def _alpha_weights(params, encoding, inputs) -> bool:
    return params["alpha"] >= 0


def focal_keras_defaults(input, target, *, alpha, gamma, reduction):
    probs = tf.sigmoid(input)
    return keras.losses.BinaryFocalCrossentropy(
        gamma=gamma, reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(
        target[..., None], probs[..., None])


for _dtype, _clip in BFCE_DEFAULT_CLIP.items():
    path("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy(defaults)[..., None]"
         + ("" if _dtype == "float64" else f"-{_dtype}"), kind="composed",
         params=["alpha", "gamma", "reduction"], dtypes=[_dtype],
         conventions=[_clip, "focal_pow_grad_nan_where_p_t_is_1",
                      "keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0"],
         unsupported_when={"alpha >= 0: apply_class_balancing=False (the default) weighs no "
                           "class, which is canonical alpha < 0 only": _alpha_weights},
         call="keras.losses.BinaryFocalCrossentropy(gamma=gamma, reduction={'mean': "
              "'sum_over_batch_size'}.get(reduction, reduction), dtype=input.dtype.name)("
              "target[..., None], tf.sigmoid(input)[..., None])  [apply_class_balancing=False, "
              "from_logits=False: the defaults; eager]")(focal_keras_defaults)


# ---------------------------------------------------------------- soft_dice_loss
# keras.losses.Dice has no smoothing parameter (keras_dice_epsilon_in_denominator_only); its
# `axis` picks the summed axes, None (the default) meaning all of them, which is sum_over='all'.

def _keras_axis(input, sum_over, axis):
    return None if sum_over == "all" else dice_axes(input.ndim, sum_over, axis)


@path("soft_dice_loss", "keras.losses.Dice", params=["sum_over", "axis", "reduction"],
      conventions=["keras_dice_epsilon_in_denominator_only"],
      call="keras.losses.Dice(axis=dice_axes(input.ndim, sum_over, axis) "
           "or None for 'all'  [dice_axes: adapters/families/focal_dice/spec.py], "
           "reduction={'mean': 'sum_over_batch_size'}.get(reduction, "
           "reduction), dtype=input.dtype.name)(target, input)")
def dice_keras(input, target, *, sum_over, axis, reduction):
    return keras.losses.Dice(axis=_keras_axis(input, sum_over, axis),
                                reduction=KERAS_REDUCTION[reduction],
                                dtype=input.dtype.name)(target, input)


# Keras's output has the axes not summed: (N, C) for sum_over='spatial', (C,) for
# 'batch_and_spatial', (N,) for 'classes_and_spatial', a scalar for 'all' (which Keras returns
# unreduced, times its weight)
@path("soft_dice_loss", "keras.losses.Dice(sample_weight=)",
      params=["sum_over", "axis", "reduction", "sample_weight"],
      conventions=["keras_dice_epsilon_in_denominator_only", *KERAS_WEIGHTED],
      unsupported_when=keras_weighted_twin(
          "keras.losses.Dice", "soft_dice_loss",
          ["keras_dice_epsilon_in_denominator_only", *KERAS_WEIGHTED]),
      call="keras.losses.Dice(axis=..., reduction=..., dtype=input.dtype.name)(target, input, "
           "sample_weight=keras_sample_weight(sample_weight, input.ndim - len(axis)))  [axis as "
           "keras.losses.Dice's, all axes for None]")
def dice_keras_weighted(input, target, *, sum_over, axis, reduction, sample_weight):
    return keras.losses.Dice(axis=_keras_axis(input, sum_over, axis),
                             reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(
        target, input, sample_weight=keras_sample_weight(
            sample_weight, input.shape.rank - len(dice_axes(input.shape.rank, sum_over, axis))))


# class_weights as Keras's sample_weight on the per-class output ((C,) or (N, C)): its default
# 'sum_over_batch_size' divides the weighted sum by the count, as the canonical mean does; class
# 0 dropped by slicing the inputs (Keras has no option for it); classes on axis 1 only
@path("soft_dice_loss", "keras.losses.Dice(sample_weight=class_weights)", kind="composed",
      params=["sum_over", "class_weights", "ignore_background", "reduction"],
      conventions=["keras_dice_epsilon_in_denominator_only"],
      unsupported_when={"sum_over='all' or 'classes_and_spatial' (one Dice over every class: "
                        "no class terms)":
                        lambda p, e, i: p["sum_over"] in ("all", "classes_and_spatial")},
      call="k = 1 if ignore_background and C > 1 else 0; keras.losses.Dice(axis=..., "
           "reduction=..., dtype=input.dtype.name)(target[:, k:], input[:, k:], "
           "sample_weight=broadcast_to(class_weights[k:], the (N, C - k) or (C - k,) output))")
def dice_keras_class_weights(input, target, *, sum_over, class_weights, ignore_background,
                             reduction):
    k = 1 if ignore_background and input.shape[1] > 1 else 0
    p, t = input[:, k:], target[:, k:]
    shape = (p.shape[1],) if sum_over == "batch_and_spatial" else tuple(p.shape[:2])
    weights = None if class_weights is None else tf.broadcast_to(class_weights[k:], shape)
    return keras.losses.Dice(axis=_keras_axis(p, sum_over, 1),
                             reduction=KERAS_REDUCTION[reduction],
                             dtype=input.dtype.name)(t, p, sample_weight=weights)


@path("soft_dice_loss", "keras.losses.dice", kind="composed",
      params=["sum_over", "axis", "reduction"],
      conventions=["keras_dice_epsilon_in_denominator_only"],
      call="reduce(keras.losses.dice(target, input, axis=dice_axes(input.ndim, sum_over, "
           "axis) or None for 'all'), reduction)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]")
def dice_keras_fn(input, target, *, sum_over, axis, reduction):
    return reduce(keras.losses.dice(target, input, axis=_keras_axis(input, sum_over, axis)),
                  reduction)


@path("soft_dice_loss", "tf.reduce_sum", kind="composed",
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "reduction"],
      call="axes = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; sq = a * a if squared else a; "
           "l = 1 - (2 * tf.reduce_sum(input * target, axes) + smooth) / (tf.reduce_sum("
           "sq(input), axes) + tf.reduce_sum(sq(target), axes) + smooth); l = weigh_dice_classes("
           "l, class_weights, ignore_background, classes first) [spec.py: l * class_weights per "
           "class, class 0 dropped with ignore_background]; reduce(l, reduction)")
def dice_tf(input, target, *, smooth, sum_over, axis, class_weights, ignore_background,
            squared, reduction):
    axes = list(dice_axes(input.ndim, sum_over, axis))   # [] sums over nothing in TF
    sq = denominator_terms(squared)
    inter = tf.reduce_sum(input * target, axis=axes)
    total = tf.reduce_sum(sq(input), axis=axes) + tf.reduce_sum(sq(target), axis=axes)
    losses = 1 - (2 * inter + smooth) / (total + smooth)
    return reduce(weigh_dice_classes(losses, class_weights, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


# ---------------------------------------------------------------- categorical_focal_crossentropy
# Keras takes one-hot or probability targets (no index targets, no ignore_index) and a scalar
# alpha (or a list of C factors: not this loss). With from_logits=True it applies ops.softmax
# itself; with from_logits=False (its default) it takes probabilities: both are then divided by
# their sum over `axis` and clipped to [1e-7, 1 - 1e-7] (keras_focal_probs_clipped_to_epsilon).

# A tuple axis (several class axes at once) reaches Keras as given: keras/src/losses/losses.py
# categorical_focal_crossentropy takes ops.softmax and ops.sum over `axis`, which take a tuple,
# but reads label smoothing's num_classes from y_true's last axis
# (keras_label_smoothing_over_last_axis_size: the last axis of the input as given, not the joint
# classes), and ops.softmax's tuple branch refuses a negative axis (KERAS_NEGATIVE_AXES).

CFC_CONVENTIONS = ["keras_focal_probs_clipped_to_epsilon",
                   "keras_label_smoothing_over_last_axis_size"]
CFC_KERAS_PARAMS = ["alpha", "gamma", "label_smoothing", "axis", "reduction"]
KERAS_NEGATIVE_AXES = keras_negative_tuple_axes(
    "axis", ", which categorical_focal_crossentropy calls,")


def keras_class_axis(input, axis):
    """Keras's axis=: a tuple as given, one axis as class_axis (0 for 1-D input)."""
    return tuple(axis) if isinstance(axis, (tuple, list)) else class_axis(input, axis)


def loss_rank(input, axis):
    """The rank of the unreduced loss: the input's without its class axes."""
    return input.shape.rank - (len(axis) if isinstance(axis, (tuple, list)) else 1)


def _cfc_class(alpha, gamma, label_smoothing, axis, reduction, input, from_logits):
    return keras.losses.CategoricalFocalCrossentropy(
        alpha=alpha, gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
        axis=keras_class_axis(input, axis), reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)


@path("categorical_focal_crossentropy", "keras.losses.CategoricalFocalCrossentropy",
      encodings=["one_hot", "probs"], params=CFC_KERAS_PARAMS, conventions=CFC_CONVENTIONS,
      tuple_params=["axis"], unsupported_when=KERAS_NEGATIVE_AXES,
      call="keras.losses.CategoricalFocalCrossentropy(alpha=alpha, gamma=gamma, from_logits=True, "
           "label_smoothing=label_smoothing, axis=axis if input.ndim > 1 else -1, "
           "reduction={'mean': 'sum_over_batch_size'}.get(reduction, reduction), "
           "dtype=input.dtype.name)(target, input)")
def cfc_keras(input, target, *, alpha, gamma, label_smoothing, axis, reduction):
    return _cfc_class(alpha, gamma, label_smoothing, axis, reduction, input, True)(target, input)


@path("categorical_focal_crossentropy", "keras.losses.CategoricalFocalCrossentropy(sample_weight=)",
      encodings=["one_hot", "probs"], params=[*CFC_KERAS_PARAMS, "sample_weight"],
      conventions=[*CFC_CONVENTIONS, *KERAS_WEIGHTED], tuple_params=["axis"],
      unsupported_when={**keras_weighted_twin("keras.losses.CategoricalFocalCrossentropy",
                                              "categorical_focal_crossentropy",
                                              [*CFC_CONVENTIONS, *KERAS_WEIGHTED]),
                        **KERAS_NEGATIVE_AXES},
      call="keras.losses.CategoricalFocalCrossentropy(alpha=alpha, gamma=gamma, from_logits=True, "
           "label_smoothing=label_smoothing, axis=axis if input.ndim > 1 else -1, reduction=..., "
           "dtype=input.dtype.name)(target, input, sample_weight=keras_sample_weight("
           "sample_weight, input.ndim - len(axis) for a tuple, else 1))")
def cfc_keras_weighted(input, target, *, alpha, gamma, label_smoothing, axis, reduction,
                       sample_weight):
    return _cfc_class(alpha, gamma, label_smoothing, axis, reduction, input, True)(
        target, input, sample_weight=keras_sample_weight(sample_weight, loss_rank(input, axis)))


@path("categorical_focal_crossentropy", "keras.losses.categorical_focal_crossentropy",
      kind="composed", encodings=["one_hot", "probs"], params=CFC_KERAS_PARAMS,
      conventions=CFC_CONVENTIONS, tuple_params=["axis"], unsupported_when=KERAS_NEGATIVE_AXES,
      call="reduce(keras.losses.categorical_focal_crossentropy(target, input, alpha=alpha, "
           "gamma=gamma, from_logits=True, label_smoothing=label_smoothing, axis=axis if "
           "input.ndim > 1 else -1), reduction)")
def cfc_keras_fn(input, target, *, alpha, gamma, label_smoothing, axis, reduction):
    return reduce(keras.losses.categorical_focal_crossentropy(
        target, input, alpha=alpha, gamma=gamma, from_logits=True,
        label_smoothing=label_smoothing, axis=keras_class_axis(input, axis)), reduction)


@path("categorical_focal_crossentropy", "keras.losses.CategoricalFocalCrossentropy(tf.nn.softmax)",
      kind="composed", encodings=["one_hot", "probs"], params=CFC_KERAS_PARAMS,
      conventions=CFC_CONVENTIONS, tuple_params=["axis"], unsupported_when=KERAS_NEGATIVE_AXES,
      call="keras.losses.CategoricalFocalCrossentropy(alpha=alpha, gamma=gamma, "
           "label_smoothing=label_smoothing, axis=axis if input.ndim > 1 else -1, reduction=..., "
           "dtype=input.dtype.name)(target, tf.nn.softmax(input, axis=axis if input.ndim > 1 else "
           "-1))  [from_logits=False, the default; a tuple axis: keras.ops.softmax(input, "
           "axis=axis), as tf.nn.softmax takes one axis]")
def cfc_keras_probs(input, target, *, alpha, gamma, label_smoothing, axis, reduction):
    probs = keras.ops.softmax(input, axis=tuple(axis)) if isinstance(axis, (tuple, list)) \
        else tf.nn.softmax(input, axis=class_axis(input, axis))
    return _cfc_class(alpha, gamma, label_smoothing, axis, reduction, input, False)(target, probs)


# The definition in tf ops, for index targets too (what Keras cannot take): canonical.
@path("categorical_focal_crossentropy", "tf.nn.log_softmax", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "ignore_index", "axis", "reduction"],
      call="logp = tf.nn.log_softmax(input, axis=axis if input.ndim > 1 else -1); t = the one_hot/"
           "probs target, or tf.one_hot(index target, C, axis=axis) with 0 rows for ignore_index; "
           "t = (1 - eps) t + eps / C on kept rows; q = -tf.math.expm1(logp); f = q ** gamma "
           "held constant where q is 0 or 1 (tf.where); l = -alpha * tf.reduce_sum(t * f * "
           "tf.where(t > 0, logp, 0), axis); 'mean' divides by the kept rows")
def cfc_tf(input, target, *, alpha, gamma, label_smoothing, ignore_index, axis, reduction):
    axis = axis % input.ndim if input.ndim > 1 else 0   # tf.one_hot's axis counts the output's
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


# tf.one_hot and tf.nn.log_softmax take one class axis: several at once (a tuple axis) are moved
# last in the order given and flattened into one, as for cross_entropy
# (families/classification/tensorflow.py); an index target is then a flat index into them
@path("categorical_focal_crossentropy", "tf.nn.log_softmax(transpose+reshape)", kind="composed",
      params=["alpha", "gamma", "label_smoothing", "ignore_index", "axis", "reduction"],
      tuple_params=["axis"],
      call="x = tf.reshape(tf.transpose(input, [the other axes] + list(axis)), [their sizes] + "
           "[C]), the same for one-hot or probability targets (axis: one class axis, or a tuple "
           "taken jointly; an index target as it is, a flat index); then the tf.nn.log_softmax "
           "path's computation on x with axis=-1")
def cfc_tf_joint(input, target, *, axis, **params):
    return over_joint_axes(cfc_tf)(input, target, axis=axis, **params)


# ---------------------------------------------------------------- tversky
# keras.losses.Tversky / tversky: no smoothing argument (1e-7 in the denominator only), and its
# alpha multiplies the false negatives (keras_tversky_alpha_weighs_false_negatives): the paths pass
# the canonical alpha and beta as Keras's alpha and beta, as a user reading the docstring would.
# axis as keras.losses.Dice's: None for sum_over='all'.

TVERSKY_KERAS = ["keras_tversky_alpha_weighs_false_negatives",
                 "keras_tversky_epsilon_in_denominator_only"]


@path("tversky", "keras.losses.Tversky", params=["alpha", "beta", "sum_over", "axis", "reduction"],
      conventions=TVERSKY_KERAS,
      call="keras.losses.Tversky(alpha=alpha, beta=beta, axis=dice_axes("
           "input.ndim, sum_over, axis) or None for 'all'  [dice_axes: "
           "adapters/families/focal_dice/spec.py], reduction={'mean': "
           "'sum_over_batch_size'}.get(reduction, reduction), dtype=input.dtype.name)(target, "
           "input)")
def tversky_keras(input, target, *, alpha, beta, sum_over, axis, reduction):
    return keras.losses.Tversky(alpha=alpha, beta=beta, axis=_keras_axis(input, sum_over, axis),
                                reduction=KERAS_REDUCTION[reduction],
                                dtype=input.dtype.name)(target, input)


@path("tversky", "keras.losses.tversky", kind="composed",
      params=["alpha", "beta", "sum_over", "axis", "reduction"], conventions=TVERSKY_KERAS,
      call="reduce(keras.losses.tversky(target, input, alpha=alpha, beta=beta, "
           "axis=dice_axes(input.ndim, sum_over, axis) or None for 'all'), reduction)  "
           "[dice_axes: adapters/families/focal_dice/spec.py]")
def tversky_keras_fn(input, target, *, alpha, beta, sum_over, axis, reduction):
    return reduce(keras.losses.tversky(target, input, alpha=alpha, beta=beta,
                                       axis=_keras_axis(input, sum_over, axis)), reduction)


@path("tversky", "keras.losses.Tversky(sample_weight=)",
      params=["alpha", "beta", "sum_over", "axis", "reduction", "sample_weight"],
      conventions=[*TVERSKY_KERAS, *KERAS_WEIGHTED],
      unsupported_when=keras_weighted_twin("keras.losses.Tversky", "tversky",
                                           [*TVERSKY_KERAS, *KERAS_WEIGHTED]),
      call="keras.losses.Tversky(alpha=alpha, beta=beta, axis=..., reduction=..., "
           "dtype=input.dtype.name)(target, input, sample_weight=keras_sample_weight("
           "sample_weight, input.ndim - len(axis)))  [axis as keras.losses.Tversky's, all axes for "
           "None]")
def tversky_keras_weighted(input, target, *, alpha, beta, sum_over, axis, reduction, sample_weight):
    return keras.losses.Tversky(alpha=alpha, beta=beta, axis=_keras_axis(input, sum_over, axis),
                                reduction=KERAS_REDUCTION[reduction],
                                dtype=input.dtype.name)(
        target, input, sample_weight=keras_sample_weight(
            sample_weight, input.shape.rank - len(dice_axes(input.shape.rank, sum_over, axis))))


# Keras's alpha and beta swapped: the canonical Tversky index but for its 1e-7 smoothing.
@path("tversky", "keras.losses.Tversky(alpha=beta, beta=alpha)",
      params=["alpha", "beta", "sum_over", "axis", "reduction"],
      conventions=["keras_tversky_epsilon_in_denominator_only"],
      call="keras.losses.Tversky(alpha=beta, beta=alpha, axis=..., reduction=..., "
           "dtype=input.dtype.name)(target, input)")
def tversky_keras_swapped(input, target, *, alpha, beta, sum_over, axis, reduction):
    return keras.losses.Tversky(alpha=beta, beta=alpha, axis=_keras_axis(input, sum_over, axis),
                                reduction=KERAS_REDUCTION[reduction],
                                dtype=input.dtype.name)(target, input)


@path("tversky", "tf.reduce_sum", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "axis", "ignore_background", "reduction"],
      call="axes = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; "
           "tp, fp, fn = (tf.reduce_sum(a, axes) for a in (input * target, input * (1 - target), "
           "(1 - input) * target)); l = 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + "
           "smooth); l = weigh_dice_classes(l, None, ignore_background, classes first) [spec.py: "
           "class 0 dropped]; reduce(l, reduction)")
def tversky_tf(input, target, *, alpha, beta, smooth, sum_over, axis, ignore_background,
               reduction):
    axes = list(dice_axes(input.ndim, sum_over, axis))   # [] sums over nothing in TF
    tp = tf.reduce_sum(input * target, axis=axes)
    fp = tf.reduce_sum(input * (1 - target), axis=axes)
    fn = tf.reduce_sum((1 - input) * target, axis=axes)
    losses = 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)
    return reduce(weigh_dice_classes(losses, None, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


# ---------------------------------------------------------------- generalized_dice
# Keras has no generalised Dice loss: composed from tf ops.

@path("generalized_dice", "tf.reduce_sum", kind="composed",
      params=["weight_type", "smooth", "sum_over", "axis", "ignore_background", "reduction"],
      call="input, target = (tf.experimental.numpy.moveaxis(a, axis, 1) for a in (input, "
           "target)); input, target = input[:, 1:], target[:, 1:] if ignore_background and "
           "C > 1; axes = (2, ..), with 0 first for sum_over='batch_and_spatial'; I, P, T = "
           "tf.reduce_sum(input * target, axes), tf.reduce_sum(input, axes), "
           "tf.reduce_sum(target, axes); w = {1 / T**2, 1 / T, 1}[weight_type], inf replaced by "
           "the largest finite w of the sample; l = 1 - (2 tf.reduce_sum(w I, -1) + smooth) / "
           "(tf.reduce_sum(w (P + T), -1) + smooth); reduce(l, reduction)")
def gdl_tf(input, target, *, weight_type, smooth, sum_over, axis, ignore_background,
           reduction):
    move = tf.experimental.numpy.moveaxis        # the classes to 1, the batch then at 0
    input, target = move(input, axis, 1), move(target, axis, 1)
    if ignore_background and input.shape[1] > 1:
        input, target = input[:, 1:], target[:, 1:]
    axes = list(range(2, input.ndim))
    if sum_over == "batch_and_spatial":
        axes = [0, *axes]
    inter = tf.reduce_sum(input * target, axis=axes)
    volume = tf.reduce_sum(target, axis=axes)
    w = {"square": lambda: 1 / volume ** 2, "simple": lambda: 1 / volume,
         "uniform": lambda: tf.ones_like(volume)}[weight_type]()
    infinite = tf.math.is_inf(w)
    finite = tf.where(infinite, tf.zeros_like(w), w)
    w = tf.where(infinite, tf.reduce_max(finite, axis=-1, keepdims=True), finite)
    total = tf.reduce_sum(w * (tf.reduce_sum(input, axis=axes) + volume), axis=-1)
    return reduce(1 - (2 * tf.reduce_sum(w * inter, axis=-1) + smooth) / (total + smooth),
                  reduction)


# ---------------------------------------------------------------- jaccard
# Keras has no Jaccard loss (keras.losses.Tversky(alpha=1, beta=1) is one, with Tversky's
# 1e-7-in-the-denominator smoothing): composed from tf ops.

@path("jaccard", "tf.reduce_sum", kind="composed",
      params=["smooth", "sum_over", "axis", "squared", "reduction"],
      call="axes = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; sq = a * a if squared else a; "
           "I = tf.reduce_sum(input * target, axes); U = tf.reduce_sum(sq(input), axes) + "
           "tf.reduce_sum(sq(target), axes) - I; reduce(1 - (I + smooth) / (U + smooth), "
           "reduction)")
def jaccard_tf(input, target, *, smooth, sum_over, axis, squared, reduction):
    axes = list(dice_axes(input.ndim, sum_over, axis))   # [] sums over nothing in TF
    sq = denominator_terms(squared)
    inter = tf.reduce_sum(input * target, axis=axes)
    union = tf.reduce_sum(sq(input), axis=axes) + tf.reduce_sum(sq(target), axis=axes) - inter
    return reduce(1 - (inter + smooth) / (union + smooth), reduction)


# ---------------------------------------------------------------- lovasz_hinge, lovasz_softmax
# Keras and tf.nn have no Lovasz loss: composed as the torch paths, with tf.argsort(direction=
# 'DESCENDING', stable=True) (tied errors keep their order, the canonical gradient) and
# tf.math.cumsum; an ignored pixel sorts last with weight 0.

def lovasz_weights(labels, kept):
    """w of the labels and kept flags sorted by descending error (last axis): J_k - J_(k-1)."""
    total = tf.reduce_sum(labels, axis=-1, keepdims=True)
    inter = total - tf.math.cumsum(labels, axis=-1)
    union = total + tf.math.cumsum((1 - labels) * kept, axis=-1)
    jac = 1 - inter / tf.where(union > 0, union, tf.ones_like(union))
    return (jac - tf.concat([tf.zeros_like(jac[..., :1]), jac[..., :-1]], axis=-1)) * kept


def lovasz_sorted(errors, labels, kept, floor):
    """errors, labels and kept flags (sets on the last axis) sorted by descending error, the
    ignored pixels (key `floor`) last."""
    key = tf.where(kept > 0, errors, tf.fill(tf.shape(errors), tf.cast(floor, errors.dtype)))
    order = tf.argsort(key, axis=-1, direction="DESCENDING", stable=True)
    batch = len(errors.shape) - 1
    return tuple(tf.gather(a, order, batch_dims=batch) for a in (errors, labels, kept))


@path("lovasz_hinge", "tf.argsort", kind="composed",
      params=["per_image", "ignore_index", "reduction"],
      call="as torch's lovasz_hinge path, with tf.argsort(where(kept, m, -inf), "
           "direction='DESCENDING', stable=True), tf.gather(batch_dims=1), tf.math.cumsum and "
           "tf.nn.relu")
def lovasz_hinge_tf(input, target, *, per_image, ignore_index, reduction):
    shape = lovasz_sets(input.shape, per_image)
    kept = tf.cast(target != ignore_index, input.dtype)
    signs = tf.where(kept > 0, 2 * target - 1, tf.zeros_like(target))
    m, g, k = lovasz_sorted(tf.reshape(1 - input * signs, shape),
                            tf.reshape(target * kept, shape), tf.reshape(kept, shape), -np.inf)
    losses = tf.reduce_sum(tf.nn.relu(m) * lovasz_weights(g, k), axis=-1)
    return reduce(losses if per_image else losses[0], reduction)


@path("lovasz_softmax", "tf.argsort", kind="composed",
      params=["classes", "per_image", "ignore_index", "class_weights", "reduction"],
      call="as torch's lovasz_softmax path, with tf.nn.softmax(input, axis=1), tf.one_hot, "
           "tf.argsort(where(kept, |fg - p|, -1), direction='DESCENDING', stable=True), "
           "tf.gather(batch_dims=2) and tf.math.cumsum")
def lovasz_softmax_tf(input, target, *, classes, per_image, ignore_index, class_weights,
                      reduction):
    c = input.shape[1]
    prob = tf.experimental.numpy.moveaxis(tf.nn.softmax(input, axis=1), 1, -1)
    if target.dtype.is_integer:
        kept = target != ignore_index
        fg = tf.one_hot(tf.where(kept, target, tf.zeros_like(target)), c, dtype=input.dtype)
        fg = fg * tf.cast(kept, input.dtype)[..., None]
    else:
        fg = tf.experimental.numpy.moveaxis(target, 1, -1)
        kept = tf.ones(fg.shape[:-1], dtype=tf.bool)
    groups, size = lovasz_sets(kept.shape, per_image)

    def sets(a):       # (N, d1..dk, C) -> (sets, C, pixels)
        return tf.transpose(tf.reshape(a, (groups, size, c)), (0, 2, 1))
    k = sets(tf.broadcast_to(tf.cast(kept, input.dtype)[..., None], fg.shape))
    fg = sets(fg)
    m, g, k = lovasz_sorted(tf.abs(fg - sets(prob)), fg, k, -1.0)
    per_class = tf.reduce_sum(m * lovasz_weights(g, k), axis=-1)     # (sets, C)
    if class_weights is not None:
        per_class = per_class * class_weights
    if classes == "present":
        present = tf.cast(tf.reduce_sum(fg, axis=-1) > 0, input.dtype)
        losses = tf.reduce_sum(per_class * present, axis=-1) / tf.maximum(
            tf.reduce_sum(present, axis=-1), 1)
    else:
        losses = tf.reduce_mean(per_class, axis=-1)
    return reduce(losses if per_image else losses[0], reduction)


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

BFCE_DEFAULTS = "sigmoid_focal_loss/keras.losses.BinaryFocalCrossentropy(defaults)[..., None]"
_CONFIDENT = "input [[20., -20., 40., -40.], [.5, -1., 17., -17.]], target [[0., 1., 1., 0.], " \
             "[1., 0., 0., 1.]]"
saw("keras_bce_probs_clipped_to_epsilon", path=BFCE_DEFAULTS,
    case="sigmoid_focal_loss/confident-alpha-negative-none/none",
    call="keras.losses.BinaryFocalCrossentropy(gamma=2.0, reduction=None, dtype='float64')("
         f"target[..., None], tf.sigmoid(input)[..., None]) on {_CONFIDENT}",
    seen="[[16.118095585, 16.1180955845, 0, 0], [0.0675734905, 0.0226580575, 16.1180943169, "
         "16.1180943164]], gradient [[6.64e-08, -6.64e-08, 0, 0], [-0.1379369974, 0.0525811300, "
         "1.33e-06, -1.33e-06]] (only the focal factor's part; the clipped cross-entropy passes "
         "none); canonical (no weighting) [[19.99999992, 19.99999992, 7.67e-53, 7.67e-53], "
         "[0.0675734905, 0.0226580575, 16.999998634, 16.999998634]], gradient [[1.0000000763, "
         "-1.0000000763, -1.5e-52, 2.3e-52], [-0.1379369974, 0.0525811300, 1.0000012834, "
         "-1.0000012834]]", versions=SEEN_ON,
    link="keras/src/losses/losses.py binary_focal_crossentropy: bce = ops.binary_crossentropy("
         "target=y_true, output=y_pred, from_logits=False); keras/src/backend/tensorflow/nn.py "
         "binary_crossentropy: clip_by_value(output, epsilon, 1 - epsilon); " + KERAS_FOCAL_DOC)
saw("keras_bce_probs_clipped_to_float32_epsilon", path=BFCE_DEFAULTS + "-float32",
    case="sigmoid_focal_loss/confident-alpha-negative-none/none",
    call="the same call on float32 arrays (dtype='float32')",
    seen="[[15.9423847198, 16.1180953979, 0, 0], [0.0675734803, 0.0226580538, 15.9423847198, "
         "16.1180934906]]: sigmoid(20) and sigmoid(17) round above float32(1 - 1e-7) = "
         "0.99999988, so y = 0 there costs -log(1.19e-7) = 15.942, and y = 1 at -20, -17 costs "
         "-log(float32(1e-7)) = 16.118", versions=SEEN_ON)
for _pow, _case, _gamma, _seen in (
        ("focal_pow_grad_nan_where_p_t_is_1", "saturated-alpha-negative-gamma-0.5-none", "0.5",
         "gradient / cotangent [[nan, nan, -0.1130827403, 0.3226365329], [-0.3226365329, "
         "0.0604552668, 0.7760618315, -0.4760856585]], canonical row 0 [-4.38e-27, 1.31e-26, "
         "-0.1130827403, 0.3226365329]; values canonical but 0 where canonical is 8.76e-27"),
        ("keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0", "saturated-alpha-negative-gamma-0-mean",
         "0.0", "value 0.4103630407 (canonical 0.4103630157: the clipped 1e-7 at x = +-40); "
         "gradient [[nan, nan, -0.0228031905, 0.0471925836], [-0.0471925836, 0.0149003653, "
         "0.0913823223, -0.0625]], canonical row 0 [0, 5.3e-19, -0.0228031905, 0.0471925836]")):
    saw(_pow, path=BFCE_DEFAULTS, case=f"sigmoid_focal_loss/{_case}/none",
        call=f"tape.gradient of keras.losses.BinaryFocalCrossentropy(gamma={_gamma}, dtype="
             "'float64')(target[..., None], tf.sigmoid(input)[..., None]) on input [[40., -40., "
             "1.5, -.5], [.5, -2., 1., 0.]], target [[1., 0., 1., 0.], [1., 0., 0., 1.]]",
        seen=_seen + " (tf.sigmoid(+-40) is exactly 1 or 0 in float64, so 1 - p_t is 0)",
        versions=SEEN_ON, link=KERAS_FOCAL_DOC + " (focal_factor = ops.power(1.0 - p_t, gamma))")

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

KERAS_CFC_DOC = ("https://keras.io/api/losses/probabilistic_losses/"
                 "#categoricalfocalcrossentropy-class")
KERAS_TVERSKY_DOC = "https://www.tensorflow.org/api_docs/python/tf/keras/losses/Tversky"
_CFC_PATHS = ("categorical_focal_crossentropy/keras.losses.CategoricalFocalCrossentropy",
              "categorical_focal_crossentropy/keras.losses.categorical_focal_crossentropy",
              "categorical_focal_crossentropy/"
              "keras.losses.CategoricalFocalCrossentropy(tf.nn.softmax)")
for p in _CFC_PATHS:
    saw("keras_focal_probs_clipped_to_epsilon", path=p,
        case="categorical_focal_crossentropy/extreme-logits-none/one_hot",
        call=f"{p.split('/')[1]} with alpha=0.25, gamma=2.0, reduction='none', float64, on logits "
             "[[1e4, -1e4, 0.], [30., 0., -30.], [-1e4, 1e4, 1e4]] and one-hot targets of "
             "classes [1, 2, 0]",
        seen="[4.0295231068, 4.0295231068, 4.0295231068] = 0.25 (1 - 1e-7)^2 (-log 1e-7) each, "
             "gradient 0 everywhere; canonical [5000, 15, 5000.1732867951] with gradient [[0.25, "
             "-0.25, 0], [0.25, 0, -0.25], [-0.25, 0.125, 0.125]] (cotangent 1)",
        versions=SEEN_ON,
        link="keras/src/losses/losses.py categorical_focal_crossentropy: output = y_pred / "
             "ops.sum(y_pred, axis=axis, keepdims=True); output = ops.clip(output, "
             "backend.epsilon(), 1.0 - backend.epsilon()) (" + KERAS_CFC_DOC + " does not "
             "mention the clipping)")
    saw("keras_label_smoothing_over_last_axis_size", path=p,
        case="categorical_focal_crossentropy/spatial-smoothing-none/one_hot",
        call=f"{p.split('/')[1]} with axis=1, label_smoothing=0.2, reduction='none', float64, on "
             "(N, C, d) = (2, 3, 4) logits (the case's)",
        seen="[[0.2237806201, 0.1736206587, 0.5387282962, 0.0419690751], [0.0536702704, "
             "0.4448268901, 0.0613783033, 0.2818372348]] = the formula with eps / 4 (the last "
             "axis); eps / C = eps / 3 gives [[0.2348293281, 0.2314942057, 0.5658836229, "
             "0.0517390506], [0.067874677, 0.4577089375, 0.0788372949, 0.3034846544]]",
        versions=SEEN_ON,
        link="keras/src/losses/losses.py categorical_focal_crossentropy: num_classes = "
             "ops.cast(ops.shape(y_true)[-1], y_pred.dtype), whatever `axis` is; "
             + KERAS_CFC_DOC + " ('use 0.1 / num_classes for non-target labels')")

    # with joint class axes y_true's last axis is one of them, not the C joint classes
    saw("keras_label_smoothing_over_last_axis_size", path=p,
        case="categorical_focal_crossentropy/joint-smoothing-sum/one_hot",
        call=f"{p.split('/')[1]} with axis=(1, 2), label_smoothing=0.2, reduction='none', "
             "float64, on the case's (N, H, W) = (2, 2, 3) logits and one-hot targets over the 6 "
             "joint classes (flat classes 2 and 5)",
        seen="[1.416475299, 1.6963474104] (summed by the case: 3.1128227094) = the formula with "
             "eps / 3 (y_true.shape[-1], the last of the joint axes); eps / 6 over the joint "
             "classes (canonical) gives [1.2369585122, 1.5275491629]",
        versions=SEEN_ON,
        link="keras/src/losses/losses.py categorical_focal_crossentropy: num_classes = "
             "ops.cast(ops.shape(y_true)[-1], y_pred.dtype), then ops.softmax(y_pred, "
             "axis=axis) and ops.sum(..., axis=axis) over the whole tuple; " + KERAS_CFC_DOC)

_TVERSKY_SWAP = ("tversky/keras.losses.Tversky", "tversky/keras.losses.tversky")
for p in _TVERSKY_SWAP:
    saw("keras_tversky_alpha_weighs_false_negatives", path=p,
        case="tversky/alpha-0.3-beta-0.7-none/none",
        call=f"{p.split('/')[1]} with alpha=0.3, beta=0.7, axis=(2, 3), reduction='none', "
             "float64, on the case's (2, 3, 4, 4) probabilities and targets",
        seen="[[0.3955893715, 0.5951454002, 0.45275819], [0.6448745311, 0.6473592244, "
             "0.4793096433]] = 1 - I / (I + 0.7 FP + 0.3 FN + 1e-7); with alpha on the false "
             "positives (canonical, and Keras's docstring) [[0.4834071744, 0.6395733167, "
             "0.5066650938], [0.6425732695, 0.6974843001, 0.4096274035]], which "
             "keras.losses.Tversky(alpha=0.7, beta=0.3) gives. Also keras.losses.tversky([[1., "
             "1., 0., 0.]], [[.5, .25, .75, 0.]], alpha=0.7, beta=0.3) = 0.5945946 = 1 - I / (I "
             "+ 0.3 FP + 0.7 FN) with I = 0.75, FP = 0.75, FN = 1.25",
        versions=SEEN_ON,
        link="keras/src/losses/losses.py tversky: inputs = y_true; targets = y_pred; fp = "
             "ops.sum((1 - targets) * inputs); fn = ops.sum(targets * (1 - inputs)); "
             + KERAS_TVERSKY_DOC + " ('alpha: The coefficient controlling incidence of false "
             "positives')")
for p in (*_TVERSKY_SWAP, "tversky/keras.losses.Tversky(alpha=beta, beta=alpha)"):
    saw("keras_tversky_epsilon_in_denominator_only", path=p,
        case="tversky/empty-mask-smooth-1-none/none",
        call=f"{p.split('/')[1]} (canonical alpha=0.3, beta=0.7) with axis=(2,), "
             "reduction='none', float64, on (2, 3, 3) probabilities (sample 0, class 1: input "
             "and target all 0)",
        seen=("[[0.1566265467, 1.0, 0.4594595179], [1.0, 0.2207792613, 0.7058823875]]"
              if "alpha=beta" in p else
              "[[0.1954023358, 1.0, 0.3939394674], [1.0, 0.1780822368, 0.6153846746]]")
             + ": 1 on the empty mask and no smoothing elsewhere; canonical (smooth 1) "
             "[[0.1056910569, 0.0, 0.2207792208], [0.1836734694, 0.1452991453, "
             "0.3243243243]]",
        versions=SEEN_ON,
        link="keras/src/losses/losses.py tversky: ops.divide(intersection, intersection + fp "
             "* alpha + fn * beta + backend.epsilon()); " + KERAS_TVERSKY_DOC + " (no "
             "smoothing argument)")

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
    "keras.losses.CategoricalFocalCrossentropy(from_logits=True) applies ops.softmax but, unlike "
    "CategoricalCrossentropy, never recovers the logits (no _keras_logits, no Softmax-op lookup, "
    "eager or in tf.function): it always clips (keras_focal_probs_clipped_to_epsilon); its "
    "y_pred / sum(y_pred) rescaling leaves softmax output and its gradient unchanged",
    "keras.losses.CategoricalFocalCrossentropy's alpha may be a list of C factors, one per class "
    "(broadcast over the last axis): no canonical parameter (alpha is a scalar here); "
    "sample_weight is not covered by this suite",
    "keras.losses.Tversky's default axis=None sums over every axis including the batch "
    "(sum_over='all'), so its 'sum_over_batch_size' of that one value is the value",
    "keras.losses.Tversky(alpha=0.5, beta=0.5) is 1 - 2 I / (P + T + 2e-7): not keras.losses.Dice "
    "(1 - 2 I / (P + T + 1e-7)); both differ from the smoothed canonical losses",
)


# Keras's own sample_weight=: per-sample weights on a wider output, 'mean_with_sample_weight'
for _loss, _path, _shape, _seen in (
        ("sigmoid_focal_loss", "keras.losses.BinaryFocalCrossentropy[..., None](sample_weight=)",
         "(4, 5)", "0.8098119089073545 = sum(w l) / sum(w) (w = [.5, 2, 0, 1.5]); canonical "
         "0.16196238 = sum(w l) / 20, the weights broadcast over the 5 columns"),
        ("soft_dice_loss", "keras.losses.Dice(sample_weight=)", "(4, 3)",
         "1.9714593422274134 = sum(w l) / 4 over the (4, 3) per-class losses; canonical "
         "0.65715311 = sum(w l) / 12"),
        ("tversky", "keras.losses.Tversky(sample_weight=)", "(2, 3, 4, 4)",
         "1.7203154115021015 = sum(w l) / 2.5 over the (2, 3) per-class losses (w = [.5, 2]); "
         "canonical 0.57343847 = sum(w l) / 7.5"),):
    saw("keras_weighted_mean_divides_by_given_weights", path=f"{_loss}/{_path}",
        case=f"{_loss}/per-sample-weighted_mean/none",
        call=_path.replace("(sample_weight=)", "") + f" with reduction='mean_with_sample_weight', "
             f"sample_weight=keras_sample_weight(w, rank) for per-sample w on {_shape} inputs",
        seen=_seen, versions=SEEN_ON, link=KERAS_WEIGHTED_DOC)


# ---------------------------------------------------------------- evidence: Keras masks

# the masked twins of the Keras classes' weighted paths (adapters/tensorflow.py
# derive_keras_mask_paths, which records these once it has declared them): the convention
# keras_masked_mean_divides_by_kept_count, the Keras versions SEEN_ON
KERAS_MASK_EVIDENCE = [
    dict(
        path="sigmoid_focal_loss/keras.losses.BinaryFocalCrossentropy[..., None](masked input, "
             "sample_weight=)",
        case="sigmoid_focal_loss/per-sample-mean/none",
        call="keras.losses.BinaryFocalCrossentropy[..., None](sample_weight=) (this module's "
             "call) with reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , "
             "0. , 1.5], dtype float64, on the inputs of case per-sample-mean; its y_pred "
             "carrying keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to "
             "the (4, 5) unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.21594984237529458 = sum(w l) / 15, the kept elements of the 20 (reference "
             "0.2159498424); without the mask the reference gives 0.1619623818 = sum(w l) / 20 "
             "and keras.losses.BinaryFocalCrossentropy[..., None](sample_weight=) gives "
             "0.1619623818",
    ),
    dict(
        path="soft_dice_loss/keras.losses.Dice(masked input, sample_weight=)",
        case="soft_dice_loss/per-sample-mean/none",
        call="keras.losses.Dice(sample_weight=) (this module's call) with reduction='mean' (Keras "
             "'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], dtype float64, on the "
             "inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.8762041521010725 = sum(w l) / 9, the kept elements of the 12 (reference "
             "0.8762041521); without the mask the reference gives 0.6571531141 = sum(w l) / 12 "
             "and keras.losses.Dice(sample_weight=) gives 0.6571531141",
    ),
    dict(
        path="categorical_focal_crossentropy/keras.losses.CategoricalFocalCrossentropy(masked "
             "input, sample_weight=)",
        case="categorical_focal_crossentropy/per-sample-mean/one_hot",
        call="keras.losses.CategoricalFocalCrossentropy(sample_weight=) (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.2948544554314093 = sum(w l) / 3, the kept elements of the 4 (reference "
             "0.2948544554); without the mask the reference gives 0.2211408416 = sum(w l) / 4 and "
             "keras.losses.CategoricalFocalCrossentropy(sample_weight=) gives 0.2211408416",
    ),
    dict(
        path="tversky/keras.losses.Tversky(masked input, sample_weight=)",
        case="tversky/per-sample-zero-mean/none",
        call="keras.losses.Tversky(sample_weight=) (this module's call) with reduction='mean' "
             "(Keras 'sum_over_batch_size'), sample_weight=[0., 2.], dtype float64, on the inputs "
             "of case per-sample-zero-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (2, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="1.176480347934319 = sum(w l) / 3, the kept elements of the 6 (reference "
             "1.176480348); without the mask the reference gives 0.588240174 = sum(w l) / 6 and "
             "keras.losses.Tversky(sample_weight=) gives 0.588240174",
    ),
]


# ---------------------------------------------------------------- ignore_index (soft_dice_loss,
# jaccard, tversky)
# Keras's Dice and Tversky have no ignore_index (nor a mask that leaves the sums: a Keras mask
# weighs the per-sample outputs): Keras's classes and the tf paths above, given the input and
# target with the ignored elements set to 0 (they leave every sum; no gradient reaches them)

def drop_ignored(input, target, ignore_index):
    if ignore_index is None:             # nothing ignored: the base path's call
        return input, target
    kept = tf.not_equal(target, tf.cast(ignore_index, target.dtype))
    return (tf.where(kept, input, tf.zeros_like(input)),
            tf.where(kept, target, tf.zeros_like(target)))


IGNORE_CALL = ("kept = target != ignore_index; input, target = tf.where(kept, input, 0), "
               "tf.where(kept, target, 0); ")


@path("soft_dice_loss", "keras.losses.Dice(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("soft_dice_loss/keras.losses.Dice"),
      params=["sum_over", "axis", "ignore_index", "reduction"],
      conventions=["keras_dice_epsilon_in_denominator_only"],
      call=IGNORE_CALL + "keras.losses.Dice(axis=dice_axes(input.ndim, sum_over, axis) or None "
           "for 'all', reduction={'mean': 'sum_over_batch_size'}.get(reduction, reduction), "
           "dtype=input.dtype.name)(target, input)")
def dice_keras_ignore(input, target, *, ignore_index, **params):
    return dice_keras(*drop_ignored(input, target, ignore_index), **params)


@path("tversky", "keras.losses.Tversky(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("tversky/keras.losses.Tversky"),
      params=["alpha", "beta", "sum_over", "axis", "ignore_index", "reduction"],
      conventions=TVERSKY_KERAS,
      call=IGNORE_CALL + "keras.losses.Tversky(alpha=alpha, beta=beta, axis=dice_axes("
           "input.ndim, sum_over, axis) or None for 'all', reduction={'mean': "
           "'sum_over_batch_size'}.get(reduction, reduction), dtype=input.dtype.name)(target, "
           "input)")
def tversky_keras_ignore(input, target, *, ignore_index, **params):
    return tversky_keras(*drop_ignored(input, target, ignore_index), **params)


@path("soft_dice_loss", "tf.reduce_sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("soft_dice_loss/tf.reduce_sum"),
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "ignore_index", "reduction"],
      call=IGNORE_CALL + "then soft_dice_loss/tf.reduce_sum's call")
def dice_tf_ignore(input, target, *, ignore_index, **params):
    return dice_tf(*drop_ignored(input, target, ignore_index), **params)


@path("jaccard", "tf.reduce_sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("jaccard/tf.reduce_sum"),
      params=["smooth", "sum_over", "axis", "squared", "ignore_index", "reduction"],
      call=IGNORE_CALL + "then jaccard/tf.reduce_sum's call")
def jaccard_tf_ignore(input, target, *, ignore_index, **params):
    return jaccard_tf(*drop_ignored(input, target, ignore_index), **params)


@path("tversky", "tf.reduce_sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("tversky/tf.reduce_sum"),
      params=["alpha", "beta", "smooth", "sum_over", "axis", "ignore_background", "ignore_index",
              "reduction"],
      call=IGNORE_CALL + "then tversky/tf.reduce_sum's call")
def tversky_tf_ignore(input, target, *, ignore_index, **params):
    return tversky_tf(*drop_ignored(input, target, ignore_index), **params)


# ---------------------------------------------------------------- Dice-family variants
# log_loss, the focal Tversky gamma, and class_weights and ignore_background on jaccard and
# tversky (spec.py's Dice-family variants): composed from tf ops as the plain paths (Keras's Dice
# and Tversky take none of them), refused where every variant is at its default

from .spec import VARIANTS_REFUSED, overlap_loss, uses_variants  # noqa: E402

VARIANTS_ONLY = {VARIANTS_REFUSED: lambda p, e, i: not uses_variants(p)}
_VARIANT_TAIL = ("; l = overlap_loss(index, log_loss, gamma, tf.math.log) [spec.py: -log(index) "
                 "or 1 - index, ** gamma]; l = weigh_dice_classes(l, class_weights, "
                 "ignore_background, classes first); reduce(l, reduction)")


def _variant_reduce(index, input, axis, log_loss, gamma, class_weights, ignore_background,
                    reduction):
    losses = overlap_loss(index, log_loss, gamma, tf.math.log)
    return reduce(weigh_dice_classes(losses, class_weights, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


@path("soft_dice_loss", "tf.reduce_sum(log_loss)", kind="composed",
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "log_loss", "reduction"], unsupported_when=VARIANTS_ONLY,
      call="axes = dice_axes(input.ndim, sum_over, axis); sq = a * a if squared else a; "
           "index = (2 * tf.reduce_sum(input * target, axes) + smooth) / (tf.reduce_sum("
           "sq(input), axes) + tf.reduce_sum(sq(target), axes) + smooth)"
           + _VARIANT_TAIL.replace("gamma, ", "1, "))
def dice_tf_variants(input, target, *, smooth, sum_over, axis, class_weights, ignore_background,
                     squared, log_loss, reduction):
    axes = list(dice_axes(input.ndim, sum_over, axis))   # [] sums over nothing in TF
    sq = denominator_terms(squared)
    index = (2 * tf.reduce_sum(input * target, axis=axes) + smooth) / (
        tf.reduce_sum(sq(input), axis=axes) + tf.reduce_sum(sq(target), axis=axes) + smooth)
    return _variant_reduce(index, input, axis, log_loss, 1.0, class_weights, ignore_background,
                           reduction)


@path("jaccard", "tf.reduce_sum(class_weights, log_loss)", kind="composed",
      params=["smooth", "sum_over", "axis", "squared", "class_weights", "ignore_background",
              "log_loss", "reduction"], unsupported_when=VARIANTS_ONLY,
      call="axes = dice_axes(input.ndim, sum_over, axis); sq = a * a if squared else a; "
           "I = tf.reduce_sum(input * target, axes); U = tf.reduce_sum(sq(input), axes) + "
           "tf.reduce_sum(sq(target), axes) - I; index = (I + smooth) / (U + smooth)"
           + _VARIANT_TAIL.replace("gamma, ", "1, "))
def jaccard_tf_variants(input, target, *, smooth, sum_over, axis, squared, class_weights,
                        ignore_background, log_loss, reduction):
    axes = list(dice_axes(input.ndim, sum_over, axis))
    sq = denominator_terms(squared)
    inter = tf.reduce_sum(input * target, axis=axes)
    union = tf.reduce_sum(sq(input), axis=axes) + tf.reduce_sum(sq(target), axis=axes) - inter
    return _variant_reduce((inter + smooth) / (union + smooth), input, axis, log_loss, 1.0,
                           class_weights, ignore_background, reduction)


@path("tversky", "tf.reduce_sum(gamma, class_weights, log_loss)", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "axis", "class_weights",
              "ignore_background", "gamma", "log_loss", "reduction"],
      unsupported_when=VARIANTS_ONLY,
      call="axes = dice_axes(input.ndim, sum_over, axis); tp, fp, fn = (tf.reduce_sum(a, axes) "
           "for a in (input * target, input * (1 - target), (1 - input) * target)); index = "
           "(tp + smooth) / (tp + alpha * fp + beta * fn + smooth)" + _VARIANT_TAIL)
def tversky_tf_variants(input, target, *, alpha, beta, smooth, sum_over, axis, class_weights,
                        ignore_background, gamma, log_loss, reduction):
    axes = list(dice_axes(input.ndim, sum_over, axis))
    tp = tf.reduce_sum(input * target, axis=axes)
    fp = tf.reduce_sum(input * (1 - target), axis=axes)
    fn = tf.reduce_sum((1 - input) * target, axis=axes)
    return _variant_reduce((tp + smooth) / (tp + alpha * fp + beta * fn + smooth), input, axis,
                           log_loss, gamma, class_weights, ignore_background, reduction)
