"""TensorFlow/Keras paths of the classification family (spec.py beside this file): softmax,
log_softmax, cross_entropy, nll_loss, binary_cross_entropy(_with_logits), poly_loss_cross_entropy,
categorical_generalized_cross_entropy, linear_cross_entropy, jsd_cross_entropy (composed).
"""
from __future__ import annotations

import math

from adapters.definitions import WEIGHTED_MEAN, class_axes, is_mask
from adapters.tensorflow import (
    KERAS_REDUCTION,
    KERAS_REFUSES_0D,
    SEEN_ON,
    adapter,
    class_axis,
    classes_last,
    keras,
    keras_sample_weight,
    keras_weighted_twin,
    path,
    reduce,
    tf,
)


def class_loss(logp, target, weight, ignore_index, label_smoothing, reduction, axis=1):
    """-sum_c w_c ((1 - eps) t_c + eps / C) logp_c over the class axis `axis` (1 by default), t
    the target distribution (one-hot for index targets, 0 on ignored ones); 'mean' divides by
    sum w_c t_c, PyTorch's weighted mean."""
    logp = classes_last(logp, axis)
    c = logp.shape[-1]
    if target.dtype.is_integer:
        kept = tf.cast(target != ignore_index, logp.dtype)[..., None]
        t = tf.one_hot(tf.where(target != ignore_index, target, 0), c, dtype=logp.dtype) * kept
    else:
        kept, t = 1.0, classes_last(target, axis)
    w = tf.ones([c], logp.dtype) if weight is None else weight
    coef = w * ((1 - label_smoothing) * t + label_smoothing / c * kept)
    losses = -tf.reduce_sum(tf.where(coef != 0, coef * logp, 0), axis=-1)  # 0 log 0 = 0
    return reduce(losses, reduction, tf.reduce_sum(w * t))


# ---------------------------------------------------------------- softmax, log_softmax

# keras.ops.softmax and log_softmax (keras 3.15.1, keras/src/ops/nn.py) keep the axes `v not in
# axis` for v in range(ndim): a negative axis in the tuple is kept as well as moved, and the
# transpose that follows fails
def keras_negative_tuple_axes(param: str, where: str = "") -> dict:
    """unsupported_when of a Keras path whose `param` may be a tuple of axes that reaches
    keras.ops.softmax (`where`: how it gets there)."""
    return {
        f"a tuple {param} with a negative axis (keras.ops.softmax's tuple branch{where} compares "
        "them with range(ndim) and raises ValueError '`axes` must be a valid permutation of the "
        "input dimensions (no duplicates). Received: axes=[0, 2, 1, 2] for input of rank 3' for "
        "axis=(1, -1); keras 3.15.1)":
            lambda params, encoding, inputs: isinstance(params[param], tuple)
            and any(a < 0 for a in params[param])}


KERAS_NEGATIVE_DIMS = keras_negative_tuple_axes("dim")


@path("softmax", "tf.nn.softmax", call="tf.nn.softmax(input, axis=dim)", params=["dim"])
def softmax_tf(input, *, dim):
    return tf.nn.softmax(input, axis=dim)


@path("softmax", "keras.ops.softmax", call="keras.ops.softmax(input, axis=dim)", params=["dim"],
      tuple_params=["dim"], unsupported_when=KERAS_NEGATIVE_DIMS)
def softmax_keras(input, *, dim):
    return keras.ops.softmax(input, axis=dim)


@path("log_softmax", "tf.nn.log_softmax", call="tf.nn.log_softmax(input, axis=dim)",
      params=["dim"])
def log_softmax_tf(input, *, dim):
    return tf.nn.log_softmax(input, axis=dim)


@path("log_softmax", "keras.ops.log_softmax", call="keras.ops.log_softmax(input, axis=dim)",
      params=["dim"], tuple_params=["dim"], unsupported_when=KERAS_NEGATIVE_DIMS)
def log_softmax_keras(input, *, dim):
    return keras.ops.log_softmax(input, axis=dim)


# tf.nn's axis= is one axis: a softmax over several at once (jax.nn.softmax(axis=(1, 2))) moves
# them last, flattens them, and lays the result back; keras.ops.softmax and log_softmax take a
# tuple themselves (their own transpose, reshape and transpose back)
def over_joint_dims(fn):
    """fn(x, axis=-1) on the axes `dim` (one, or a tuple taken jointly) moved last in the order
    given and flattened into one, the result laid back on the input's axes."""
    def run(input, *, dim):
        dims = [d % input.ndim for d in (dim if isinstance(dim, tuple) else (dim,))]
        order = [i for i in range(input.ndim) if i not in dims] + dims
        moved = tf.transpose(input, order)
        k = input.ndim - len(dims)
        out = fn(tf.reshape(moved, [*moved.shape[:k], math.prod(moved.shape[k:])]), axis=-1)
        return tf.transpose(tf.reshape(out, moved.shape),
                            sorted(range(input.ndim), key=order.__getitem__))
    run.__name__ = f"{fn.__name__}_over_joint_dims"
    return run


JOINT_DIMS_CALL = ("order = [the other axes] + list(dim); x = tf.transpose(input, order); "
                   "tf.transpose(tf.reshape({fn}(tf.reshape(x, [their sizes] + [-1]), axis=-1), "
                   "x.shape), argsort(order))  [dim: one axis, or a tuple taken jointly]")


def _softmax_tf_joint(x, axis):
    return tf.nn.softmax(x, axis=axis)


def _log_softmax_tf_joint(x, axis):
    return tf.nn.log_softmax(x, axis=axis)


path("softmax", "tf.nn.softmax(transpose+reshape)", kind="composed", params=["dim"],
     tuple_params=["dim"], call=JOINT_DIMS_CALL.format(fn="tf.nn.softmax"))(
    over_joint_dims(_softmax_tf_joint))
path("log_softmax", "tf.nn.log_softmax(transpose+reshape)", kind="composed", params=["dim"],
     tuple_params=["dim"], call=JOINT_DIMS_CALL.format(fn="tf.nn.log_softmax"))(
    over_joint_dims(_log_softmax_tf_joint))


# ---------------------------------------------------------------- cross_entropy

# Keras and tf.nn divide a mean over probability targets by the count, like torch
PROBS_COUNT = "probs_weighted_mean_divides_by_count"
# paths ending in the fused tf.nn.softmax_cross_entropy_with_logits kernel
FUSED = [PROBS_COUNT, "tf_softmax_ce_grad_assumes_labels_sum_to_1",
         "probs_zero_target_on_neg_inf_logit_is_nan"]


# Keras's sample weights: its reduction 'mean_with_sample_weight' divides by the sum of the weights
# as given, not broadcast over the output's other axes; a scalar loss it leaves unreduced
KERAS_WEIGHTED = ["keras_weighted_mean_divides_by_given_weights", "keras_mean_of_nothing_is_0",
                  "keras_scalar_loss_is_not_reduced"]


# found by the axis cases: tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=-2) on
# (2, 3, 4, 2) logits raises InvalidArgumentError "Requires start <= limit when delta > 0: 0/-2
# [Op:Range]" (it moves the axis last with range(axis)); axis=2 works. Keras's from_logits=True
# calls it, so keras.losses.(C|c)ategorical(_c|C)rossentropy refuse it too (TF 2.21.0, keras 3.15.1)
NEGATIVE_AXIS_REFUSED = {
    "a negative class axis other than -1 (tf.nn.softmax_cross_entropy_with_logits, which "
    "from_logits=True calls, raises InvalidArgumentError 'Requires start <= limit when delta > 0: "
    "0/-2 [Op:Range]'; the same axis counted from the start works)":
        lambda params, encoding, inputs: inputs["input"].ndim > 1 and params["axis"] < -1}


@path("cross_entropy", "keras.losses.CategoricalCrossentropy", encodings=["one_hot", "probs"],
      params=["label_smoothing", "axis", "reduction", "sample_weight"],
      unsupported_when=NEGATIVE_AXIS_REFUSED,
      conventions=[*FUSED, "keras_label_smoothing_over_last_axis_size", *KERAS_WEIGHTED],
      call="keras.losses.CategoricalCrossentropy(from_logits=True, "
           "label_smoothing=label_smoothing, "
           "axis=axis if input.ndim > 1 else -1, reduction={'mean': 'sum_over_batch_size', "
           "'weighted_mean': 'mean_with_sample_weight'}.get(reduction, reduction), "
           "dtype=input.dtype.name)(target, input, sample_weight=keras_sample_weight("
           "sample_weight, input.ndim - 1))")
def ce_keras_categorical(input, target, *, label_smoothing, axis, reduction, sample_weight):
    return keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=label_smoothing, axis=class_axis(input, axis),
        reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(
        target, input, sample_weight=keras_sample_weight(sample_weight, input.ndim - 1))


def _not_a_mask_or_mean(params, encoding, inputs) -> bool:
    return params["reduction"] == "mean" or not is_mask(params["sample_weight"])


# A Keras mask on y_pred (what keras.layers.Masking or Embedding(mask_zero=True) attach): the
# masked positions' loss is 0, and the default reduction divides by the kept count
# (loss.py apply_mask), which is the canonical 'weighted_mean' of 0/1 sample weights
@path("cross_entropy", "keras.losses.CategoricalCrossentropy(masked input)",
      encodings=["one_hot", "probs"], params=["reduction", "sample_weight"],
      conventions=FUSED,
      unsupported_when={"sample weights other than 0 and 1 (a mask), none, or reduction='mean' "
                        "(with a mask Keras's default divides by the kept count: 'weighted_mean')":
                        _not_a_mask_or_mean},
      call="keras.src.backend.set_keras_mask(input, sample_weight > 0); "
           "keras.losses.CategoricalCrossentropy(from_logits=True, axis=1 if input.ndim > 1 "
           "else -1, reduction={'weighted_mean': 'sum_over_batch_size'}.get(reduction, "
           "reduction), dtype=input.dtype.name)(target, input)  [the mask a Masking layer "
           "attaches]")
def ce_keras_categorical_masked(input, target, *, reduction, sample_weight):
    from keras.src import backend  # Keras's own setter of the mask layers attach
    axis = class_axis(input)
    out_shape = input.shape[:axis] + input.shape[axis + 1:] if input.shape.rank > 1 else []
    mask = tf.broadcast_to(keras_sample_weight(sample_weight, len(out_shape)) > 0, out_shape)
    input = tf.identity(input)      # a tensor of its own to carry the mask
    backend.set_keras_mask(input, mask)
    keras_reduction = "sum_over_batch_size" if reduction == WEIGHTED_MEAN else reduction
    return keras.losses.CategoricalCrossentropy(
        from_logits=True, axis=axis, reduction=keras_reduction, dtype=input.dtype.name)(
        target, input)


# A Keras mask on y_pred together with sample_weight: the twin
# "keras.losses.CategoricalCrossentropy(masked input, sample_weight=)" of the path above, derived
# with every Keras class's (adapters/tensorflow.py derive_keras_mask_paths; evidence below)


@path("cross_entropy", "keras.losses.categorical_crossentropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "axis", "reduction"],
      conventions=[*FUSED, "keras_label_smoothing_over_last_axis_size"],
      unsupported_when=NEGATIVE_AXIS_REFUSED,
      call="reduce(keras.losses.categorical_crossentropy(target, input, from_logits=True, "
           "label_smoothing=label_smoothing, axis=axis if input.ndim > 1 else -1), reduction)")
def ce_keras_categorical_fn(input, target, *, label_smoothing, axis, reduction):
    losses = keras.losses.categorical_crossentropy(
        target, input, from_logits=True, label_smoothing=label_smoothing,
        axis=class_axis(input, axis))
    return reduce(losses, reduction)


@path("cross_entropy", "keras.losses.CategoricalCrossentropy(tf.nn.softmax)",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      conventions=[PROBS_COUNT, "keras_softmax_probs_clipped_to_epsilon",
                   "keras_label_smoothing_over_last_axis_size"],
      call="keras.losses.CategoricalCrossentropy(axis=1 if input.ndim > 1 else -1, "
           "label_smoothing=label_smoothing, "
           "reduction=..., dtype=input.dtype.name)(target, tf.nn.softmax(input, axis=1 if "
           "input.ndim > 1 else -1))"
           "  [from_logits=False, the default; eager]")
def ce_keras_categorical_probs(input, target, *, label_smoothing, reduction):
    probs = tf.nn.softmax(input, axis=class_axis(input))
    return keras.losses.CategoricalCrossentropy(
        label_smoothing=label_smoothing, axis=class_axis(input),
        reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(target, probs)


@path("cross_entropy", "keras.losses.CategoricalCrossentropy(keras.ops.softmax)",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      conventions=[*FUSED, "keras_label_smoothing_over_last_axis_size"],
      call="keras.losses.CategoricalCrossentropy(axis=1 if input.ndim > 1 else -1, "
           "label_smoothing=label_smoothing, "
           "reduction=..., dtype=input.dtype.name)(target, keras.ops.softmax(input, axis=1 if "
           "input.ndim > 1 "
           "else -1))  [from_logits=False; Keras recovers the logits kept on the softmax output]")
def ce_keras_categorical_keras_softmax(input, target, *, label_smoothing, reduction):
    probs = keras.ops.softmax(input, axis=class_axis(input))
    return keras.losses.CategoricalCrossentropy(
        label_smoothing=label_smoothing, axis=class_axis(input),
        reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(target, probs)


def _one_class_not_2d(params, encoding, inputs) -> bool:
    """One class (C = 1, the class axes' sizes' product) and not (N, C) once the class axes are
    last and flattened into one (classes_last, joint_classes_last): the class axis is the case's
    `axis`, whichever it is (a 'C N H' layout has it first)."""
    x = inputs["input"]
    axes = class_axes(x, params["axis"])
    return x.ndim - len(axes) + 1 != 2 and math.prod(x.shape[a] for a in axes) == 1


def _weights_and_class_weights(params, encoding, inputs) -> bool:
    return params["sample_weight"] is not None and params["weight"] is not None


@path("cross_entropy", "keras.losses.SparseCategoricalCrossentropy", kind="composed",
      encodings=["index"], params=["weight", "ignore_index", "axis", "reduction", "sample_weight"],
      unsupported_when={"C = 1, unbatched or with spatial axes (the class axis `axis`, moved "
                        "last): the class's call (LossFunctionWrapper.call) squeezes y_pred's "
                        "class axis of size 1 to the target's rank (squeeze_or_expand_to_same_"
                        "rank); then (C,) raises IndexError 'tuple index out of range', (N, H, 1) "
                        "with ignore_class raises InvalidArgumentError (SelectV2 'condition [3,2,"
                        "1], then [3,2], and else [] must be broadcastable' for (3, 2, 1), or "
                        "Reshape), and (N, 1, 1) returns shape (N,) for (N, 1)": _one_class_not_2d,
                        "sample weights with class weights: Keras has one sample_weight, into "
                        "which this path folds the class weights (so its mean would divide by "
                        "their product)": _weights_and_class_weights},
      # ignore_class always set: Keras multiplies the weights by its mask, so they are broadcast
      # over the output, and 'mean_with_sample_weight' divides by the kept targets' weights
      conventions=["keras_mean_of_nothing_is_0", "keras_scalar_loss_is_not_reduced",
                   "keras_weighted_mean_drops_masked_weights"],
      call="keras.losses.SparseCategoricalCrossentropy(from_logits=True, "
           "ignore_class=ignore_index, "
           "reduction='mean_with_sample_weight' if weight is not None and reduction == 'mean' else "
           "..., dtype=input.dtype.name)(target, classes_last(input, axis), sample_weight=None if "
           "weight "
           "is None else tf.gather(weight, tf.where(target != ignore_index, target, 0)))  "
           "[with sample weights: sample_weight=keras_sample_weight(sample_weight, target.ndim)]")
def ce_keras_sparse(input, target, *, weight, ignore_index, axis, reduction, sample_weight):
    keras_reduction = KERAS_REDUCTION[reduction]
    sample_weight = keras_sample_weight(sample_weight, target.shape.rank)
    if weight is not None:
        sample_weight = tf.gather(weight, tf.where(target != ignore_index, target, 0))
        keras_reduction = "mean_with_sample_weight" if reduction == "mean" else keras_reduction
    return keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=ignore_index, reduction=keras_reduction,
        dtype=input.dtype.name)(target, classes_last(input, axis), sample_weight=sample_weight)


@path("cross_entropy", "keras.losses.SparseCategoricalCrossentropy(tf.nn.softmax)",
      encodings=["index"], params=["ignore_index", "reduction"],
      unsupported_when={"C = 1, unbatched or with spatial axes: as for "
                        "keras.losses.SparseCategoricalCrossentropy": _one_class_not_2d},
      conventions=["keras_sparse_probs_clipped_then_normalised", "keras_mean_of_nothing_is_0"],
      call="keras.losses.SparseCategoricalCrossentropy(ignore_class=ignore_index, "
           "reduction=..., dtype=input.dtype.name)(target, classes_last(tf.nn.softmax(input, "
           "axis=1 if input.ndim > 1 else -1)))  [from_logits=False, the default; eager]")
def ce_keras_sparse_probs(input, target, *, ignore_index, reduction):
    probs = classes_last(tf.nn.softmax(input, axis=class_axis(input)))
    return keras.losses.SparseCategoricalCrossentropy(
        ignore_class=ignore_index, reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(target, probs)


@path("cross_entropy", "keras.losses.sparse_categorical_crossentropy", kind="composed",
      encodings=["index"], params=["ignore_index", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="reduce(keras.losses.sparse_categorical_crossentropy(target, classes_last(input, "
           "axis), from_logits=True, ignore_class=ignore_index), reduction, "
           "divisor=count(target != ignore_index))")
def ce_keras_sparse_fn(input, target, *, ignore_index, axis, reduction):
    losses = keras.losses.sparse_categorical_crossentropy(
        target, classes_last(input, axis), from_logits=True, ignore_class=ignore_index)
    return reduce(losses, reduction, tf.reduce_sum(tf.cast(target != ignore_index, input.dtype)))


@path("cross_entropy", "tf.nn.softmax_cross_entropy_with_logits", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "axis", "reduction"],
      conventions=FUSED, unsupported_when=NEGATIVE_AXIS_REFUSED,
      call="reduce(tf.nn.softmax_cross_entropy_with_logits((1 - label_smoothing) * target + "
           "label_smoothing / C, input, axis=axis if input.ndim > 1 else -1), reduction)")
def ce_tf_softmax(input, target, *, label_smoothing, axis, reduction):
    axis = class_axis(input, axis)
    labels = (1 - label_smoothing) * target + label_smoothing / input.shape[axis]
    return reduce(tf.nn.softmax_cross_entropy_with_logits(labels, input, axis=axis), reduction)


@path("cross_entropy", "tf.nn.sparse_softmax_cross_entropy_with_logits", kind="composed",
      encodings=["index"], params=["ignore_index", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="kept = target != ignore_index; reduce(tf.where(kept, "
           "tf.nn.sparse_softmax_cross_entropy_with_logits(tf.where(kept, target, 0), "
           "classes_last(input, axis)), 0), reduction, divisor=count(kept))")
def ce_tf_sparse(input, target, *, ignore_index, axis, reduction):
    kept = target != ignore_index
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.where(kept, target, 0),
                                                            classes_last(input, axis))
    return reduce(tf.where(kept, losses, 0), reduction, tf.reduce_sum(tf.cast(kept, input.dtype)))


@path("cross_entropy", "tf.nn.log_softmax+class_loss", kind="composed",
      params=["weight", "ignore_index", "label_smoothing", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(tf.nn.log_softmax(input, axis=axis if input.ndim > 1 else -1), target, "
           "weight, ignore_index, label_smoothing, reduction, axis)  [class_loss: "
           "adapters/families/classification/tensorflow.py]")
def ce_composed(input, target, *, weight, ignore_index, label_smoothing, axis, reduction):
    logp = tf.nn.log_softmax(input, axis=class_axis(input, axis))
    return class_loss(logp, target, weight, ignore_index, label_smoothing, reduction, axis)


# Neither tf.nn nor Keras takes a tuple of class axes (optax's axis=(2, 3), one softmax over the
# joint classes; Keras's categorical_crossentropy documents axis as an int): a user moves those
# axes last, in the order given, flattens them into one class axis and calls the one-axis loss
# on it; a target index is then a flat index into them
def joint_classes_last(a, axis):
    """The class axes `axis` (one, or a tuple taken jointly) moved last in the order given and
    flattened into one; 1-D arrays as they are."""
    if a.ndim <= 1:
        return a
    axes = [i % a.ndim for i in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    rest = [i for i in range(a.ndim) if i not in axes]
    moved = tf.transpose(a, rest + axes)
    # the classes' number written out: -1 cannot be inferred for an empty batch
    return tf.reshape(moved, [*moved.shape[:len(rest)], math.prod(moved.shape[len(rest):])])


def over_joint_axes(fn):
    """A path `fn` taking one class axis, run on the joint class axes flattened into the last
    (an index target, a flat index into them, as it is)."""
    def run(input, target, *, axis, **params):
        if target.dtype.is_floating:
            target = joint_classes_last(target, axis)
        return fn(joint_classes_last(input, axis), target, axis=-1, **params)
    run.__name__ = f"{fn.__name__}_over_joint_axes"
    return run


JOINT_CALL = ("input = tf.reshape(tf.transpose(input, [the other axes] + list(axis)), "
              "[their sizes] + [-1]), the same for one-hot or probability targets (axis: one "
              "class axis, or a tuple taken jointly); then {call} with axis=-1")

path("cross_entropy", "tf.nn.log_softmax+class_loss(flatten)", kind="composed",
     params=["weight", "ignore_index", "label_smoothing", "axis", "reduction"],
     tuple_params=["axis"], conventions=["all_ignored_mean_gradient_is_zero"],
     call=JOINT_CALL.format(call="class_loss(tf.nn.log_softmax(input, axis=-1), target, weight, "
                                 "ignore_index, label_smoothing, reduction, -1)  [class_loss: "
                                 "adapters/families/classification/tensorflow.py]"))(
    over_joint_axes(ce_composed))

path("cross_entropy", "keras.losses.CategoricalCrossentropy(flatten)", kind="composed",
     encodings=["one_hot", "probs"], params=["label_smoothing", "axis", "reduction",
                                             "sample_weight"],
     tuple_params=["axis"], conventions=[*FUSED, *KERAS_WEIGHTED],
     call=JOINT_CALL.format(call="keras.losses.CategoricalCrossentropy(from_logits=True, "
                                 "label_smoothing=label_smoothing, axis=-1, reduction=..., "
                                 "dtype=input.dtype.name)(target, input, sample_weight="
                                 "keras_sample_weight(sample_weight, input.ndim - 1))"))(
    over_joint_axes(ce_keras_categorical))

path("cross_entropy", "keras.losses.SparseCategoricalCrossentropy(flatten)", kind="composed",
     encodings=["index"], params=["weight", "ignore_index", "axis", "reduction", "sample_weight"],
     tuple_params=["axis"],
     unsupported_when={"C = 1, unbatched or with spatial axes: as for "
                       "keras.losses.SparseCategoricalCrossentropy": _one_class_not_2d,
                       "sample weights with class weights: as for "
                       "keras.losses.SparseCategoricalCrossentropy": _weights_and_class_weights},
     conventions=["keras_mean_of_nothing_is_0", "keras_scalar_loss_is_not_reduced",
                  "keras_weighted_mean_drops_masked_weights"],
     call=JOINT_CALL.format(call="keras.losses.SparseCategoricalCrossentropy(from_logits=True, "
                                 "ignore_class=ignore_index, reduction='mean_with_sample_weight' "
                                 "if weight is not None and reduction == 'mean' else ..., "
                                 "dtype=input.dtype.name)(target, input, sample_weight=None if "
                                 "weight is None else tf.gather(weight, tf.where(target != "
                                 "ignore_index, target, 0)))  [with sample weights: "
                                 "sample_weight=keras_sample_weight(sample_weight, "
                                 "target.ndim)]"))(
    over_joint_axes(ce_keras_sparse))


# ---------------------------------------------------------------- nll_loss

@path("nll_loss", "class_loss", kind="composed",
      params=["weight", "ignore_index", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(input, target, weight, ignore_index, 0.0, reduction, axis)  "
           "[class_loss: adapters/families/classification/tensorflow.py]")
def nll_composed(input, target, *, weight, ignore_index, axis, reduction):
    return class_loss(input, target, weight, ignore_index, 0.0, reduction, axis)


@path("nll_loss", "keras.losses.CategoricalCrossentropy(exp)", kind="composed",
      encodings=["one_hot", "probs"], params=["reduction"],
      conventions=["keras_probs_rescaled_to_sum_1", "keras_nll_probs_clipped_to_epsilon"],
      call="keras.losses.CategoricalCrossentropy(axis=1 if input.ndim > 1 else -1, reduction=..., "
           "dtype=input.dtype.name)(target, tf.exp(input - max(input over the class axis)))  "
           "[from_logits=False, the default; Keras rescales each row to sum 1, so the shift only "
           "keeps exp from overflowing]")
def nll_keras_categorical(input, target, *, reduction):
    axis = class_axis(input)
    top = tf.reduce_max(input, axis=axis, keepdims=True)
    top = tf.where(tf.math.is_finite(top), top, tf.zeros_like(top))   # a row of -inf stays 0/0
    return keras.losses.CategoricalCrossentropy(
        axis=axis, reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(target, tf.exp(input - top))


# ---------------------------------------------------------------- binary cross-entropy

def _sample_weight(weight, input, sample_weight=None):
    """BCE's elementwise weight and the sample weights, as Keras's one sample_weight."""
    w = keras_sample_weight(sample_weight, input.shape.rank)
    if weight is None:
        return w
    weight = tf.broadcast_to(weight, input.shape)
    return weight if w is None else weight * w


def _weighted_mean_with_weight(params, encoding, inputs) -> bool:
    return params["reduction"] == WEIGHTED_MEAN and params["weight"] is not None


# Keras has one sample_weight: these paths fold BCE's weight into it, so under
# 'mean_with_sample_weight' it would enter the divisor too
ONE_SAMPLE_WEIGHT = {"reduction='weighted_mean' with weight: Keras has one sample_weight, into "
                     "which the path folds BCE's weight, and 'mean_with_sample_weight' divides "
                     "by its sum": _weighted_mean_with_weight}


# The plain Keras binary paths take the default reduction only: under 'mean' the mean over the
# last axis changes nothing, so they do not declare it (PROBED), and they stay the canonical
# recipe. The "(reduction=...)" paths take every reduction and declare it: with 'none' their
# output has the shape input.shape[:-1], in which conformance/checks.py draws the cotangent.
@path("binary_cross_entropy", "keras.losses.BinaryCrossentropy", dtypes=["float64"],
      params=["label_smoothing"], conventions=["keras_bce_probs_clipped_to_epsilon"],
      unsupported_when=KERAS_REFUSES_0D,
      call="keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing, "
           "dtype=input.dtype.name)(target, input)")
def bce_keras(input, target, *, label_smoothing):
    return keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing,
                                           dtype=input.dtype.name)(target, input)


# Every reduction: the unreduced loss averaged over the last axis (keras_bce_mean_over_last_axis;
# the gradient check draws its cotangent in that shape)
@path("binary_cross_entropy", "keras.losses.BinaryCrossentropy(reduction=...)",
      dtypes=["float64"], params=["label_smoothing", "reduction"],
      conventions=["keras_bce_probs_clipped_to_epsilon", "keras_bce_mean_over_last_axis"],
      unsupported_when=KERAS_REFUSES_0D,
      call="keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing, reduction=..., "
           "dtype=input.dtype.name)(target, input)")
def bce_keras_reduced(input, target, *, label_smoothing, reduction):
    return keras.losses.BinaryCrossentropy(
        label_smoothing=label_smoothing, reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(target, input)


# Keras clips in the computation dtype: 1 - 1e-7 is 0.9999999 in float64, 0.99999988 in float32
# and 1 in float16 and bfloat16 (no clipping at 1). One path per dtype below float64, so that each
# declares exactly the bounds it has.
KERAS_BCE_LOW = {"float32": "keras_bce_probs_clipped_to_float32_epsilon",
                 "float16": "keras_bce_probs_clipped_to_float16_epsilon",
                 "bfloat16": "keras_bce_probs_clipped_to_bfloat16_epsilon"}


def bce_keras_low(input, target, *, label_smoothing=0.0):
    return keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing,
                                           dtype=input.dtype.name)(target, input)


BCE_ELEMENTWISE_CALL = ("keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing, "
                        "reduction=..., dtype=input.dtype.name)("
                        "target[..., None], input[..., None], "
                        "sample_weight=tf.broadcast_to(weight, input.shape) * "
                        "keras_sample_weight(sample_weight, input.ndim))")
BCE_WEIGHTED = ["keras_mean_of_nothing_is_0", "keras_weighted_mean_divides_by_given_weights"]


@path("binary_cross_entropy", "keras.losses.BinaryCrossentropy[..., None]", kind="composed",
      params=["weight", "label_smoothing", "reduction", "sample_weight"], dtypes=["float64"],
      unsupported_when=ONE_SAMPLE_WEIGHT,
      conventions=["keras_bce_probs_clipped_to_epsilon", *BCE_WEIGHTED],
      call=BCE_ELEMENTWISE_CALL)
def bce_keras_elementwise(input, target, *, weight, reduction, sample_weight,
                          label_smoothing=0.0):
    return keras.losses.BinaryCrossentropy(
        label_smoothing=label_smoothing, reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(
        target[..., None], input[..., None],
        sample_weight=_sample_weight(weight, input, sample_weight))


# label_smoothing in float32 only: in float16 and bfloat16 a small eps rounds away (1 - 1e-12 is
# 1, 5e-13 underflows to 0), so y = 1 stays 1 and p = 1 (not clipped there) gives 0 * log(0) =
# nan where the smoothed definition has inf (found by fuzzing: eps = 1e-12, p = y = 1), a
# precision finding that these float16-only paths cannot re-run in float64 to confirm
for _dtype, _conv in KERAS_BCE_LOW.items():
    _smoothing = ["label_smoothing"] if _dtype == "float32" else []
    path("binary_cross_entropy", f"keras.losses.BinaryCrossentropy-{_dtype}", dtypes=[_dtype],
         params=_smoothing, conventions=[_conv], unsupported_when=KERAS_REFUSES_0D,
         call="keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing, "
              "dtype=input.dtype.name)(target, input)")(bce_keras_low)
    path("binary_cross_entropy", f"keras.losses.BinaryCrossentropy-{_dtype}[..., None]",
         kind="composed", params=["weight", *_smoothing, "reduction", "sample_weight"],
         dtypes=[_dtype],
         conventions=[_conv, *BCE_WEIGHTED], unsupported_when=ONE_SAMPLE_WEIGHT,
         call=BCE_ELEMENTWISE_CALL)(bce_keras_elementwise)


@path("binary_cross_entropy", "tf.math.xlogy", kind="composed", params=["weight", "reduction"],
      call="reduce(-weight * (tf.math.xlogy(target, input) + tf.math.xlog1py(1 - target, -input)), "
           "reduction)")
def bce_composed(input, target, *, weight, reduction):
    losses = -(tf.math.xlogy(target, input) + tf.math.xlog1py(1 - target, -input))
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "keras.losses.BinaryCrossentropy(from_logits=True)",
      params=["label_smoothing"], unsupported_when=KERAS_REFUSES_0D,
      call="keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=label_smoothing, "
           "dtype=input.dtype.name)(target, input)")
def bcel_keras(input, target, *, label_smoothing):
    return keras.losses.BinaryCrossentropy(
        from_logits=True, label_smoothing=label_smoothing, dtype=input.dtype.name)(target, input)


@path("binary_cross_entropy_with_logits",
      "keras.losses.BinaryCrossentropy(from_logits=True, reduction=...)",
      params=["label_smoothing", "reduction"], conventions=["keras_bce_mean_over_last_axis"],
      unsupported_when=KERAS_REFUSES_0D,
      call="keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=label_smoothing, "
           "reduction=..., dtype=input.dtype.name)(target, input)")
def bcel_keras_reduced(input, target, *, label_smoothing, reduction):
    return keras.losses.BinaryCrossentropy(
        from_logits=True, label_smoothing=label_smoothing, reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(target, input)


@path("binary_cross_entropy_with_logits",
      "keras.losses.BinaryCrossentropy(from_logits=True)[..., None]", kind="composed",
      params=["weight", "label_smoothing", "reduction", "sample_weight"],
      conventions=BCE_WEIGHTED, unsupported_when=ONE_SAMPLE_WEIGHT,
      call="keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=label_smoothing, "
           "reduction=..., dtype=input.dtype.name)"
           "(target[..., None], input[..., None], sample_weight=tf.broadcast_to(weight, "
           "input.shape) * keras_sample_weight(sample_weight, input.ndim))")
def bcel_keras_elementwise(input, target, *, weight, label_smoothing, reduction, sample_weight):
    return keras.losses.BinaryCrossentropy(
        from_logits=True, label_smoothing=label_smoothing, reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(
        target[..., None], input[..., None],
        sample_weight=_sample_weight(weight, input, sample_weight))


@path("binary_cross_entropy_with_logits", "keras.losses.binary_crossentropy[..., None]",
      kind="composed", params=["weight", "label_smoothing", "reduction"],
      call="reduce(weight * keras.losses.binary_crossentropy(target[..., None], input[..., None], "
           "from_logits=True, label_smoothing=label_smoothing), reduction)")
def bcel_keras_fn(input, target, *, weight, label_smoothing, reduction):
    losses = keras.losses.binary_crossentropy(target[..., None], input[..., None],
                                                 from_logits=True, label_smoothing=label_smoothing)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "tf.nn.sigmoid_cross_entropy_with_logits",
      kind="composed", params=["weight", "reduction"],
      call="reduce(weight * tf.nn.sigmoid_cross_entropy_with_logits(target, input), reduction)")
def bcel_tf(input, target, *, weight, reduction):
    losses = tf.nn.sigmoid_cross_entropy_with_logits(target, input)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "tf.nn.weighted_cross_entropy_with_logits",
      kind="composed", params=["weight", "pos_weight", "reduction"],
      conventions=["tf_weighted_logits_grad_at_0"],
      call="reduce(weight * tf.nn.weighted_cross_entropy_with_logits(target, input, "
           "pos_weight=1.0 if pos_weight is None else pos_weight), reduction)")
def bcel_tf_weighted(input, target, *, weight, pos_weight, reduction):
    losses = tf.nn.weighted_cross_entropy_with_logits(
        target, input, pos_weight=1.0 if pos_weight is None else pos_weight)
    return reduce(losses if weight is None else weight * losses, reduction)




# ---------------------------------------------------------------- Keras's dtype= on float64 inputs
# A Keras Loss created with dtype='float32' (or 'float16') casts y_true and y_pred to that dtype,
# computes in it and returns it, whatever the inputs' dtype (keras/src/losses/loss.py
# Loss.__call__: convert_to_tensor(..., dtype=self.dtype)). These paths run at the check's dtype
# d: the suite's arrays hold values of dtype d, which the path hands to Keras as float64 tensors
# (a user's float64 data, exactly representable in d), to a loss declared with dtype=d. The value
# check asserts that the result has dtype d (checks_dtype) and compares it at d's tolerance; the
# gradient flows back through the cast. Where d changes Keras's constants (the clip bounds of
# binary_cross_entropy), the float32/float16 conventions show that it computed in d.
KERAS_DECLARED = ("float32", "float16")
DECLARED = "(float64 inputs)"


def _float64(a):
    return a if a.dtype.is_integer else tf.cast(a, tf.float64)


def _declared(make):
    """A path calling make(d, input, **params)(float64 target, float64 input), d the check's
    dtype (the dtype of the arrays the suite passes)."""
    def declared(input, target, **params):
        return make(input.dtype.name, input, **params)(_float64(target), _float64(input))
    return declared


# binary_cross_entropy: float32 only. In float16 Keras's gradient of y log(p) is y / p, which
# overflows to inf for p < 1 / 65504 and gives 0 * inf = nan where y = 0 (fuzzing found p =
# 1.8e-6, y = 0: gradient nan, canonical 1). The fuzzer classes such a float16 failure as a
# precision finding only by re-running the path in float64, which a dtype='float16' path does not
# have; float16 on float16 inputs is the path keras.losses.BinaryCrossentropy-float16.
path("binary_cross_entropy", f"keras.losses.BinaryCrossentropy(dtype=float32){DECLARED}",
     dtypes=["float32"], params=["label_smoothing"], conventions=[KERAS_BCE_LOW["float32"]],
     checks_dtype=True, unsupported_when=KERAS_REFUSES_0D,
     call="keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing, dtype='float32')("
          "tf.cast(target, 'float64'), tf.cast(input, 'float64'))  [returns float32]")(
    _declared(lambda d, x, label_smoothing: keras.losses.BinaryCrossentropy(
        label_smoothing=label_smoothing, dtype=d)))
for _d in KERAS_DECLARED:
    path("binary_cross_entropy_with_logits",
         f"keras.losses.BinaryCrossentropy(from_logits=True, dtype={_d}){DECLARED}",
         dtypes=[_d], params=["label_smoothing"], checks_dtype=True,
         unsupported_when=KERAS_REFUSES_0D,
         call="keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=label_smoothing, "
              f"dtype='{_d}')(tf.cast(target, 'float64'), tf.cast(input, 'float64'))  "
              f"[returns {_d}]")(
        _declared(lambda d, x, label_smoothing: keras.losses.BinaryCrossentropy(
            from_logits=True, label_smoothing=label_smoothing, dtype=d)))
    path("cross_entropy",
         f"keras.losses.CategoricalCrossentropy(from_logits=True, dtype={_d}){DECLARED}",
         encodings=["one_hot", "probs"], dtypes=[_d], checks_dtype=True,
         params=["label_smoothing", "reduction"],
         conventions=[*FUSED, "keras_label_smoothing_over_last_axis_size"],
         call="keras.losses.CategoricalCrossentropy(from_logits=True, "
              "label_smoothing=label_smoothing, axis=1 if input.ndim > 1 else -1, "
              f"reduction=..., dtype='{_d}')(tf.cast(target, 'float64'), "
              f"tf.cast(input, 'float64'))  [returns {_d}]")(
        _declared(lambda d, x, label_smoothing, reduction: keras.losses.CategoricalCrossentropy(
            from_logits=True, label_smoothing=label_smoothing, axis=class_axis(x),
            reduction=KERAS_REDUCTION[reduction], dtype=d)))


# ---------------------------------------------------------------- poly_loss_cross_entropy

def _distribution(input, target, ignore_index, axis):
    """The kept mask of each element and the classes-last target: one-hot of the kept index
    targets (0 on ignored ones), or the one-hot/probability targets with their class axis
    `axis` moved last."""
    if target.dtype.is_integer:
        kept = target != ignore_index
        t = tf.one_hot(tf.where(kept, target, 0), input.shape[class_axis(input, axis)],
                       dtype=input.dtype) * tf.cast(kept, input.dtype)[..., None]
        return kept, t
    t = classes_last(target, axis)
    return tf.ones(t.shape[:-1], dtype=tf.bool), t


def _reduce_kept(losses, kept, reduction):
    return reduce(losses, reduction, tf.reduce_sum(tf.cast(kept, losses.dtype)))


@path("poly_loss_cross_entropy", "keras.losses.categorical_crossentropy+softmax", kind="composed",
      params=["epsilon", "ignore_index", "axis", "reduction"],
      conventions=["probs_zero_target_on_neg_inf_logit_is_nan",
                   "tf_softmax_ce_grad_assumes_labels_sum_to_1",
                   "all_ignored_mean_gradient_is_zero"],
      call="kept, t = mask and classes-last one-hot of target (ignore_index), or "
           "classes_last(target, axis); x = classes_last(input, axis); losses = tf.where(kept, "
           "keras.losses.categorical_crossentropy(t, x, from_logits=True) + epsilon * (1 - "
           "tf.reduce_sum(t * keras.ops.softmax(x), -1)), 0); reduce(losses, reduction, "
           "divisor=count(kept))  [the paper's poly1_cross_entropy, with Keras]")
def poly_keras(input, target, *, epsilon, ignore_index, axis, reduction):
    kept, t = _distribution(input, target, ignore_index, axis)
    x = classes_last(input, axis)
    ce = keras.losses.categorical_crossentropy(t, x, from_logits=True)
    p_t = tf.reduce_sum(t * keras.ops.softmax(x, axis=-1), axis=-1)
    return _reduce_kept(tf.where(kept, ce + epsilon * (1 - p_t), 0), kept, reduction)


path("poly_loss_cross_entropy", "keras.losses.categorical_crossentropy+softmax(flatten)",
     kind="composed", params=["epsilon", "ignore_index", "axis", "reduction"],
     tuple_params=["axis"],
     conventions=["probs_zero_target_on_neg_inf_logit_is_nan",
                  "tf_softmax_ce_grad_assumes_labels_sum_to_1",
                  "all_ignored_mean_gradient_is_zero"],
     call=JOINT_CALL.format(call="losses = tf.where(kept, "
                                 "keras.losses.categorical_crossentropy(t, input, "
                                 "from_logits=True) + epsilon * (1 - tf.reduce_sum(t * "
                                 "keras.ops.softmax(input), -1)), 0); reduce(losses, reduction, "
                                 "divisor=count(kept))  [kept, t: the kept mask and the one-hot "
                                 "of index targets (ignore_index), or the target itself]"))(
    over_joint_axes(poly_keras))


# ---------------------------------------------------------------- generalized cross-entropy

GCE = "categorical_generalized_cross_entropy"
GCE_NAN = "keras_gce_grad_nan_beside_zero_probability"


def _has_ignored(params, encoding, inputs) -> bool:
    return bool((inputs["target"] == params["ignore_index"]).any())


GCE_KERAS_REFUSES = {
    "q = 1 (ValueError: q must be in the interval (0, 1))":
    lambda params, encoding, inputs: params["q"] >= 1,
    "a target equal to ignore_index: Keras has no ignore_index (one_hot of -100 is a row "
    "of zeros, p_y = 0, a loss of 1/q)": _has_ignored,
    "C = 1: LossFunctionWrapper.call squeezes y_pred (N, 1) to the targets' rank "
    "(squeeze_or_expand_to_same_rank), and the (N,) losses come back broadcast to (N, N)":
    lambda params, encoding, inputs: inputs["input"].shape[-1] == 1}


@path(GCE, "keras.losses.CategoricalGeneralizedCrossEntropy", encodings=["index"], ndims=[2],
      params=["q", "reduction"], conventions=[GCE_NAN], unsupported_when=GCE_KERAS_REFUSES,
      call="keras.losses.CategoricalGeneralizedCrossEntropy(q=q, reduction={'mean': "
           "'sum_over_batch_size'}.get(reduction, reduction), dtype=input.dtype.name)(target, "
           "input)")
def gce_keras(input, target, *, q, reduction):
    return keras.losses.CategoricalGeneralizedCrossEntropy(
        q=q, reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(target, input)


@path(GCE, "keras.losses.CategoricalGeneralizedCrossEntropy(sample_weight=)", encodings=["index"],
      ndims=[2], params=["q", "reduction", "sample_weight"],
      conventions=[GCE_NAN, "keras_weighted_mean_divides_by_given_weights",
                   "keras_mean_of_nothing_is_0"],
      unsupported_when={
          **GCE_KERAS_REFUSES,
          **keras_weighted_twin("keras.losses.CategoricalGeneralizedCrossEntropy", GCE,
                                [GCE_NAN, "keras_weighted_mean_divides_by_given_weights",
                                 "keras_mean_of_nothing_is_0"])},
      call="keras.losses.CategoricalGeneralizedCrossEntropy(q=q, reduction=..., "
           "dtype=input.dtype.name)(target, input, sample_weight=sample_weight)  [(N,) losses]")
def gce_keras_weighted(input, target, *, q, reduction, sample_weight):
    return keras.losses.CategoricalGeneralizedCrossEntropy(
        q=q, reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(
        target, input, sample_weight=keras_sample_weight(sample_weight, 1))


@path(GCE, "keras.losses.categorical_generalized_cross_entropy", kind="composed",
      encodings=["index"], params=["q", "ignore_index", "axis", "reduction"],
      conventions=[GCE_NAN, "all_ignored_mean_gradient_is_zero"],
      call="kept = target != ignore_index; reduce(tf.where(kept, "
           "keras.losses.categorical_generalized_cross_entropy(tf.where(kept, target, 0), "
           "tf.where(kept[..., None], classes_last(input, axis), 1), q=q), 0), reduction, "
           "divisor=count(kept))  [an ignored row is given probabilities of 1: no gradient]")
def gce_keras_fn(input, target, *, q, ignore_index, axis, reduction):
    kept, x = target != ignore_index, classes_last(input, axis)   # Keras's classes are last
    probs = tf.where(kept[..., None], x, tf.ones_like(x))
    losses = keras.losses.categorical_generalized_cross_entropy(
        tf.where(kept, target, tf.zeros_like(target)), probs, q=q)
    return _reduce_kept(tf.where(kept, losses, 0), kept, reduction)


# ---------------------------------------------------------------- jsd_cross_entropy
# AugMix's loss: neither TensorFlow nor Keras has a Jensen-Shannon loss. The divergence is written
# with 0 log 0 = 0 (tf.where, so no -inf reaches the gradient), the mixture unclamped.

@path("jsd_cross_entropy", "tf.nn.log_softmax+class_loss", kind="composed",
      params=["num_splits", "alpha", "label_smoothing", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="B = N // num_splits; logp = tf.reshape(tf.nn.log_softmax(input, 1), [num_splits, B, "
           "C]); p = tf.exp(logp); m = tf.reduce_mean(p, 0); r = tf.where(p > 0, logp - "
           "tf.math.log(tf.where(m > 0, m, 1)), 0); js = tf.reduce_mean(tf.reduce_sum(p * r, -1), "
           "0); ce = -sum_c ((1 - eps) t_c + eps / C) logp_0,c over the clean split, t the one-hot "
           "of target[:B] (0 on ignored) or target[:B]; kept = target[:B] != ignore_index; losses "
           "= tf.where(kept, ce + alpha * js, 0); reduce(losses, reduction, divisor=count(kept))")
def jsd_tf(input, target, *, num_splits, alpha, label_smoothing, ignore_index, reduction):
    b = input.shape[0] // num_splits
    logp = tf.nn.log_softmax(input, axis=1)
    split = tf.reshape(logp, [num_splits, b, -1])
    p = tf.exp(split)
    m = tf.reduce_mean(p, axis=0)
    r = tf.where(p > 0, split - tf.math.log(tf.where(m > 0, m, tf.ones_like(m))), 0)
    js = tf.reduce_mean(tf.reduce_sum(p * r, axis=-1), axis=0)
    clean = target[:b]
    ce = class_loss(logp[:b], clean, None, ignore_index, label_smoothing, "none")
    kept = clean != ignore_index if clean.dtype.is_integer else tf.ones([b], dtype=tf.bool)
    return _reduce_kept(tf.where(kept, ce + alpha * js, 0), kept, reduction)


# ---------------------------------------------------------------- linear_cross_entropy

def linear_logits(input, linear_weight, linear_bias):
    """z = input linear_weight^T + linear_bias: (N, C, d1..dk), or (C,) for unbatched input."""
    z = tf.tensordot(input, linear_weight, axes=[[-1], [-1]])
    return z if linear_bias is None else z + linear_bias


@path("linear_cross_entropy", "tf.tensordot+keras.losses.sparse_categorical_crossentropy",
      kind="composed", encodings=["none"], params=["linear_bias", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="z = tf.tensordot(input, linear_weight, axes=[[-1], [-1]]) + linear_bias; "
           "reduce(keras.losses.sparse_categorical_crossentropy(target, classes_last(z), "
           "from_logits=True, ignore_class=ignore_index), reduction, divisor=count(target != "
           "ignore_index))")
def lce_keras_sparse(input, linear_weight, target, *, linear_bias, ignore_index, reduction):
    z = linear_logits(input, linear_weight, linear_bias)
    losses = keras.losses.sparse_categorical_crossentropy(
        target, classes_last(z), from_logits=True, ignore_class=ignore_index)
    return reduce(losses, reduction, tf.reduce_sum(tf.cast(target != ignore_index, z.dtype)))


@path("linear_cross_entropy", "tf.tensordot+class_loss", kind="composed", encodings=["none"],
      params=["weight", "linear_bias", "ignore_index", "label_smoothing", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(tf.nn.log_softmax(tf.tensordot(input, linear_weight, axes=[[-1], [-1]]) + "
           "linear_bias, axis=1 if input.ndim > 1 else -1), target, weight, ignore_index, "
           "label_smoothing, reduction)  [class_loss: adapters/families/classification/"
           "tensorflow.py]")
def lce_composed(input, linear_weight, target, *, weight, linear_bias, ignore_index,
                 label_smoothing, reduction):
    z = linear_logits(input, linear_weight, linear_bias)
    return class_loss(tf.nn.log_softmax(z, axis=class_axis(z)), target, weight, ignore_index,
                      label_smoothing, reduction)


# ---------------------------------------------------------------- evidence of the conventions

KERAS_NN = "keras/src/backend/tensorflow/nn.py categorical_crossentropy"
KERAS_CCE_DOC = "https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class"
TF_SOFTMAX_CE_DOC = ("https://www.tensorflow.org/api_docs/python/tf/nn/"
                     "softmax_cross_entropy_with_logits")
saw = adapter.saw
CCE, CCE_FN = "cross_entropy/keras.losses.CategoricalCrossentropy", \
    "cross_entropy/keras.losses.categorical_crossentropy"
CCE_TF_SOFTMAX = "cross_entropy/keras.losses.CategoricalCrossentropy(tf.nn.softmax)"
CCE_KERAS_SOFTMAX = "cross_entropy/keras.losses.CategoricalCrossentropy(keras.ops.softmax)"
TF_SOFTMAX_CE = "cross_entropy/tf.nn.softmax_cross_entropy_with_logits"

# probs_weighted_mean_divides_by_count: targets whose rows sum to 2.42..3.52 (tfjax case)
for p in (CCE, CCE_FN, CCE_TF_SOFTMAX, CCE_KERAS_SOFTMAX, TF_SOFTMAX_CE):
    saw(PROBS_COUNT, path=p, case="cross_entropy/probs-unnormalised-mean/probs",
        call=p.split("/", 1)[1] + " with reduction='mean' (this "
             "module's call for the path), x, y of case probs-unnormalised-mean",
        seen="5.49375617440392 = sum / N (N = 4); canonical 1.864199796 = sum / sum(y) (13.79)",
        versions=SEEN_ON, link=KERAS_CCE_DOC + " (reduction 'sum_over_batch_size': the sum "
                                              "divided by the number of elements)")

saw("tf_softmax_ce_grad_assumes_labels_sum_to_1", path=CCE,
    case="cross_entropy/spatial-3d-smoothing/one_hot",
    call="tape.gradient of keras.losses.CategoricalCrossentropy(from_logits=True, axis=1, "
         "label_smoothing=eps, reduction='sum', dtype='float64')(one_hot, x): the smoothed "
         "labels sum to 1 over the last axis (size 4), not over the 3 classes",
    seen="gradient [-0.0029568407, -0.0191179893, 0.0401548535, ...] = softmax - labels; "
         "canonical softmax * sum(labels) - labels [-0.0006046827, -0.0175738888, "
         "0.0446625961, ...]; the value 11.897678165101897 is exact for those labels",
    versions=SEEN_ON, link=TF_SOFTMAX_CE_DOC + " ('each row of labels[i] must be a valid "
                                               "probability distribution')")
saw("tf_softmax_ce_grad_assumes_labels_sum_to_1", path=CCE_KERAS_SOFTMAX,
    case="cross_entropy/spatial-3d-smoothing/one_hot",
    call="as for keras.losses.CategoricalCrossentropy: Keras takes the logits kept on the "
         "keras.ops.softmax output (_keras_logits) and calls the fused kernel",
    seen="gradient [-0.0029568407, -0.0191179893, 0.0401548535, ...], the fused kernel's",
    versions=SEEN_ON, link=TF_SOFTMAX_CE_DOC)
for p in (CCE_FN, TF_SOFTMAX_CE):
    saw("tf_softmax_ce_grad_assumes_labels_sum_to_1", path=p,
        case="cross_entropy/probs-unnormalised-mean/probs",
        call=p.split("/", 1)[1] + " then the mean, x, y of case probs-unnormalised-mean "
             "(rows of y sum to 2.42..3.52)",
        seen="gradient [-0.2166324934, -0.168424597, 0.0006943122, ...] = (softmax - y) / N; "
             "canonical (softmax * sum(y) - y) / N [-0.1613410614, -0.1089604425, 0.0819379699, "
             "...]; the value 5.49375617440392 is exact", versions=SEEN_ON, link=TF_SOFTMAX_CE_DOC)

saw("probs_zero_target_on_neg_inf_logit_is_nan", path=CCE,
    case="cross_entropy/neg-inf-logits-kept/one_hot",
    call="keras.losses.CategoricalCrossentropy(from_logits=True, axis=1, dtype='float64')("
         "[[0., 1., 0.], [1., 0., 0.]], [[-inf, 1., .5], [2., -inf, -inf]])",
    seen="nan (0 * -inf in the fused kernel); canonical 0.2370384921; gradient finite, "
         "as canonical", versions=SEEN_ON)
for p in (CCE_FN, CCE_KERAS_SOFTMAX, TF_SOFTMAX_CE):
    saw("probs_zero_target_on_neg_inf_logit_is_nan", path=p,
        case="cross_entropy/neg-inf-logits/one_hot",
        call=p.split("/", 1)[1] + " on logits [[-inf, 1., .5], [2., -inf, -inf], [0., 0., -inf]] "
             "and one-hot targets of classes [1, 0, 2], reduction='none'",
        seen="[nan, nan, inf]; canonical [0.4740769842, 0, inf]; gradient finite, as canonical",
        versions=SEEN_ON)

for p in (CCE, CCE_TF_SOFTMAX, CCE_KERAS_SOFTMAX):
    saw("keras_label_smoothing_over_last_axis_size", path=p,
        case="cross_entropy/spatial-3d-smoothing/one_hot",
        call=p.split("/", 1)[1] + " with axis=1, label_smoothing=eps on (N, C=3, ..., 4) input",
        seen="11.897678165101897 = the canonical formula with eps / 4 (the last axis); eps / C "
             "gives 11.3349366067",
        versions=SEEN_ON, link="keras/src/losses/losses.py categorical_crossentropy: "
        "num_classes = ops.shape(y_true)[-1]; " + KERAS_CCE_DOC + " says 'label_smoothing / "
        "num_classes' (the last-axis size: no public doc found)")

saw("keras_softmax_probs_clipped_to_epsilon", path=CCE_TF_SOFTMAX,
    case="cross_entropy/extreme-logits/one_hot",
    call="keras.losses.CategoricalCrossentropy(axis=1, reduction='none', dtype='float64')("
         "one_hot([1, 2, 0]), tf.nn.softmax([[1e4, -1e4, 0.], [-1e4, 1e4, 1e4], "
         "[1e4, 9999., -1e4]], axis=1))  [from_logits=False, eager]",
    seen="[16.118095651, 0.6931471806, 0.3132616875]: row 0 is -log(1e-7), canonical 2e4; the "
         "gradient of row 0 is 0 (canonical [-0.1148, 0.1148, 0]). keras.ops.softmax instead "
         "keeps the logits (_keras_logits), and inside tf.function Keras finds the Softmax op: "
         "both give the canonical value", versions=SEEN_ON,
    link=KERAS_NN + ": output / reduce_sum(output), clip_by_value(output, epsilon, "
         "1 - epsilon), keras.config.epsilon() = 1e-07 (no public doc found)")

saw("keras_scalar_loss_is_not_reduced",
    path="cross_entropy/keras.losses.SparseCategoricalCrossentropy",
    case="cross_entropy/unbatched-weight-mean/index",
    call="keras.losses.SparseCategoricalCrossentropy(from_logits=True, "
         "reduction='mean_with_sample_weight', dtype='float64')(2, [0.3, -1.2, 2.0, 0.5], "
         "sample_weight=3.0)",
    seen="1.107597922107055 = 3 * 0.36919930736901835; canonical 0.36919930736901835 (the "
         "weight of one element cancels in a weighted mean)", versions=SEEN_ON)
saw("keras_mean_of_nothing_is_0", path="cross_entropy/keras.losses.SparseCategoricalCrossentropy",
    case="cross_entropy/all-ignored-mean/index",
    call="keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100, "
         "dtype='float64')([-100, -100, -100], x)",
    seen="0.0, gradient all 0 (ops.divide_no_nan); canonical nan, gradient nan", versions=SEEN_ON,
    link="keras/src/losses/loss.py reduce_values (ops.divide_no_nan) and apply_mask "
         "(no public doc found)")
for p in ("cross_entropy/keras.losses.sparse_categorical_crossentropy",
          "cross_entropy/tf.nn.sparse_softmax_cross_entropy_with_logits",
          "cross_entropy/tf.nn.log_softmax+class_loss", "nll_loss/class_loss"):
    loss = p.split("/")[0]
    saw("all_ignored_mean_gradient_is_zero", path=p, case=f"{loss}/all-ignored-mean/index",
        call=p.split("/", 1)[1] + " (this module's composition) with every target -100, "
             "reduction='mean'",
        seen="value nan (0 / 0), gradient all 0: tf.where masks every element before the sum; "
             "canonical gradient nan", versions=SEEN_ON)

NLL_EXP = "nll_loss/keras.losses.CategoricalCrossentropy(exp)"
saw("keras_probs_rescaled_to_sum_1", path=NLL_EXP, case="nll_loss/batch-mean/one_hot",
    call="keras.losses.CategoricalCrossentropy(axis=1, dtype='float64')(one_hot(y), tf.exp(x)), "
         "x log-probabilities",
    seen="value 1.676066937155019 as canonical; gradient [0.0159206544, -0.1739827077, "
         "0.0922178639, ...] = (softmax(x) sum(y) - y) / N; canonical -y / N [0, -0.25, 0, ...]",
    versions=SEEN_ON, link=KERAS_NN + " ('Adjust the predictions so that the probability of each "
                                      "class for every sample adds up to 1'; no public doc found)")
saw("keras_nll_probs_clipped_to_epsilon", path=NLL_EXP,
    case="nll_loss/probs-below-epsilon-mean/one_hot",
    call="keras.losses.CategoricalCrossentropy(axis=1, dtype='float64')(one_hot([1, 2, 1]), "
         "tf.exp([[0., -20., -35.], [-1.2, -.9, -1.3], [-.4, -18., -1.1]]))",
    seen="11.172096749252416 (rows 0 and 2 at -log(1e-7) = 16.118); with the rescaling alone "
         "13.0944283373; gradient of row 0 [0, 0, 0] (clipped), not [0.3333, -0.3333, 0]",
    versions=SEEN_ON, link=KERAS_NN + ": clip_by_value(output, epsilon, 1 - epsilon) "
                                      "(no public doc found)")

saw("keras_bce_probs_clipped_to_epsilon",
    path="binary_cross_entropy/keras.losses.BinaryCrossentropy",
    case="binary_cross_entropy/probs-0-and-1-mean/none",
    call="keras.losses.BinaryCrossentropy(dtype='float64')([[1., 0., 1.], [1., 0., 0.]], "
         "[[0., 1., .3], [1., 0., .6]])",
    seen="5.726075839773849 (each opposite 0/1 at -log(1e-7) = 16.118); canonical inf; gradient "
         "0 at the clipped entries (canonical -inf, inf, -1/6, 1/6)", versions=SEEN_ON,
    link="keras/src/backend/tensorflow/nn.py binary_crossentropy: clip_by_value(output, epsilon, "
         "1 - epsilon); https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class "
         "(the clipping: no public doc found)")
saw("keras_bce_probs_clipped_to_float32_epsilon",
    path="binary_cross_entropy/keras.losses.BinaryCrossentropy-float32",
    case="binary_cross_entropy/probs-0-and-1-mean/none",
    call="keras.losses.BinaryCrossentropy(dtype='float32')([[1., 0., 1.], [1., 0., 0.]], "
         "[[0., 1., .3], [1., 0., .6]])  # float32 arrays",
    seen="5.6967902183532715 (p = 1 against y = 0 at -log(1 - float32(1 - 1e-7)) = 15.942); the "
         "same call in float64 gives 5.726075839773849; canonical inf",
    versions=SEEN_ON)
for _dtype, _low in (("float16", "15.9453125"), ("bfloat16", "16.125")):
    saw(KERAS_BCE_LOW[_dtype],
        path=f"binary_cross_entropy/keras.losses.BinaryCrossentropy-{_dtype}",
        case="binary_cross_entropy/probs-0-and-1-low-precision/none",
        call=f"keras.losses.BinaryCrossentropy(dtype='{_dtype}')(y, p) on {_dtype} arrays",
        seen=f"p = 1, y = 0: inf, gradient inf (1 - 1e-7 rounds to 1, no clipping at 1); p = 0, "
             f"y = 1: {_low} = -log({_dtype}(1e-7)); found by fuzzing (a float32 clip bound "
             "gave 15.9375 there)", versions=SEEN_ON)
saw("keras_bce_probs_clipped_to_epsilon",
    path="binary_cross_entropy/keras.losses.BinaryCrossentropy[..., None]",
    case="binary_cross_entropy/probs-0-and-1-opposite/none",
    call="keras.losses.BinaryCrossentropy(reduction='none', dtype='float64')([1., 0., 1.][..., "
         "None], "
         "[0., 1., .3][..., None])",
    seen="[16.118095651, 16.1180956515, 1.2039728043]; canonical [inf, inf, 1.2039728043]; "
         "gradient [0, 0, -3.2289] (canonical [inf, inf, -3.2289] times the cotangent)",
    versions=SEEN_ON)

saw("tf_weighted_logits_grad_at_0",
    path="binary_cross_entropy_with_logits/tf.nn.weighted_cross_entropy_with_logits",
    case="binary_cross_entropy_with_logits/extreme-logits/none",
    call="tape.gradient of tf.nn.weighted_cross_entropy_with_logits([1., 0., 0., 1., .5], "
         "[1e4, -1e4, 1e4, -1e4, 0.], pos_weight=1.0)",
    seen="gradient at the logit 0 (target 0.5): (1 - y) v = -0.7093210013 for the cotangent v; "
         "canonical (sigmoid(0) - y) v = 0; values as canonical (log 2 there). "
         "tf.nn.sigmoid_cross_entropy_with_logits gives 0",
    versions=SEEN_ON, link="https://www.tensorflow.org/api_docs/python/tf/nn/"
    "weighted_cross_entropy_with_logits (the formula (1 - z) * x + l * (log(1 + exp(-abs(x))) "
    "+ max(-x, 0)))")

SPARSE_PROBS = "cross_entropy/keras.losses.SparseCategoricalCrossentropy(tf.nn.softmax)"
saw("keras_sparse_probs_clipped_then_normalised", path=SPARSE_PROBS,
    case="cross_entropy/probs-below-epsilon-none/index",
    call="keras.losses.SparseCategoricalCrossentropy(reduction='none', dtype='float64')([1, 2, 1], "
         "tf.nn.softmax([[0., -20., -35.], [-1.2, -.9, -1.3], [-.4, -18., -1.1]], axis=1))  "
         "[from_logits=False, eager]",
    seen="[16.118095750958314, 1.2800989458406056, 16.118095735776784]: rows 0 and 2 are "
         "-log(1e-7) plus log of the clipped row's sum (1 + 1e-7 and 1 + 1e-8 + ...); "
         "CategoricalCrossentropy on the same one-hot targets gives 16.11809565095832 for both, "
         "canonical [20.000000002061153, 1.2800989458406056, 18.00318606406699]; gradient of the "
         "sum, row 2 [1.0144e-08, -1.5182e-08, 5.0374e-09] (the renormalisation; "
         "CategoricalCrossentropy 0, canonical [0.6682, -1.0, 0.3318])", versions=SEEN_ON,
    link="keras/src/backend/tensorflow/nn.py sparse_categorical_crossentropy: "
         "clip_by_value(output, epsilon, 1 - epsilon), log, then "
         "tf.nn.sparse_softmax_cross_entropy_with_logits (no public doc found)")
saw("keras_mean_of_nothing_is_0", path=SPARSE_PROBS, case="cross_entropy/all-ignored-mean/index",
    call="keras.losses.SparseCategoricalCrossentropy(ignore_class=-100, dtype='float64')("
         "[-100, -100, -100], tf.nn.softmax(x, axis=1))",
    seen="0.0, gradient all 0 (ops.divide_no_nan); canonical nan, gradient nan", versions=SEEN_ON,
    link="keras/src/losses/loss.py reduce_values (ops.divide_no_nan) (no public doc found)")

KERAS_BCE_DOC = "https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class"
for _loss, _path, _logits, _seen in (
        ("binary_cross_entropy", "keras.losses.BinaryCrossentropy(reduction=...)", "",
         "[0.510733318208022, 0.7514803019552593, 1.155849012738259, 0.6442555937683062], the "
         "means of the rows of the canonical (4, 3) elements"),
        ("binary_cross_entropy_with_logits",
         "keras.losses.BinaryCrossentropy(from_logits=True, reduction=...)", "from_logits=True, ",
         "[0.7374998974052057, 1.2905958906979504, 1.6040348229512589, 0.6822394419638602], the "
         "means of the rows of the canonical (4, 3) elements")):
    saw("keras_bce_mean_over_last_axis", path=f"{_loss}/{_path}",
        case=f"{_loss}/smoothing-none/none",
        call=f"keras.losses.BinaryCrossentropy({_logits}label_smoothing=0.2, reduction=None, "
             "dtype='float64')(target, input) on (4, 3) inputs",
        seen=_seen + " (shape (4,), not (4, 3))", versions=SEEN_ON,
        link=KERAS_BCE_DOC + " (reduction=None on a (2, 2) batch prints two values)")
saw("keras_bce_probs_clipped_to_epsilon",
    path="binary_cross_entropy/keras.losses.BinaryCrossentropy(reduction=...)",
    case="binary_cross_entropy/smoothing-probs-0-and-1-none/none",
    call="keras.losses.BinaryCrossentropy(label_smoothing=0.1, reduction=None, dtype='float64')("
         "[[1., 0., 1.], [1., 0., 0.]], [[0., 1., .3], [1., 0., .6]])",
    seen="[10.595329886209141, 0.8359424105303016] (finite: p clipped to [1e-7, 1 - 1e-7] against "
         "the smoothed targets 0.95 and 0.05); canonical row means [inf, inf]; gradient of the sum "
         "[[0, 0, -1.0317], [0, 0, 0.7639]], 0 at the clipped entries", versions=SEEN_ON,
    link="keras/src/backend/tensorflow/nn.py binary_crossentropy: clip_by_value(output, epsilon, "
         "1 - epsilon) (no public doc found)")

# Keras's dtype=: the result's dtype is asserted by every value check of these paths; the
# conventions below show the computation in that dtype (float64 inputs, values of the dtype)
saw("keras_bce_probs_clipped_to_float32_epsilon",
    path="binary_cross_entropy/keras.losses.BinaryCrossentropy(dtype=float32)" + DECLARED,
    case="binary_cross_entropy/probs-0-and-1-mean/none",
    call="keras.losses.BinaryCrossentropy(dtype='float32')(tf.constant([[1., 0., 1.], [1., 0., "
         "0.]], tf.float64), tf.constant([[0., 1., .3], [1., 0., .6]], tf.float64))",
    seen="a float32 result, 5.6967902183532715: p = 1 against y = 0 at -log(1 - float32(1 - "
         "1e-7)) = 15.942, so Keras computed in float32; dtype='float64' on the same float64 "
         "arrays gives 5.726075839773849 (float64 bounds), canonical inf. With no dtype= the "
         "result is float32 too (keras.config.floatx())", versions=SEEN_ON,
    link="keras/src/losses/loss.py Loss.__call__ (convert_to_tensor(y_pred, dtype=self.dtype)); "
         "https://keras.io/api/losses/ ('dtype: The dtype of the loss's computations')")
for _d in KERAS_DECLARED:
    _p = f"cross_entropy/keras.losses.CategoricalCrossentropy(from_logits=True, dtype={_d})" \
         + DECLARED
    _call = (f"keras.losses.CategoricalCrossentropy(from_logits=True, axis=1, dtype='{_d}', ...)("
             "float64 target, float64 input)")
    saw(PROBS_COUNT, path=_p, case="cross_entropy/probs-unnormalised-mean/probs",
        call=_call + " on case probs-unnormalised-mean (rows of the target sum to 2.42..3.52)",
        seen=f"a {_d} result, " + ("5.4937567711" if _d == "float32" else "5.4921875")
             + " = sum / N; canonical 1.86420 = sum / sum(y)", versions=SEEN_ON,
        link=KERAS_CCE_DOC)
    saw("tf_softmax_ce_grad_assumes_labels_sum_to_1", path=_p,
        case="cross_entropy/spatial-3d-smoothing/one_hot",
        call=_call + " with label_smoothing=0.1, reduction='sum' on (N, 3, ..., 4) logits",
        seen="gradient " + ("[-0.0029568411, -0.0191179905, 0.0401548631, ...]" if _d == "float32"
                            else "[-0.0029506683, -0.0191192627, 0.0401306152, ...]")
             + " = softmax - labels, as in float64; canonical [0.0137, -0.0025, 0.0568, ...]",
        versions=SEEN_ON, link=TF_SOFTMAX_CE_DOC)
    saw("keras_label_smoothing_over_last_axis_size", path=_p,
        case="cross_entropy/spatial-3d-smoothing/one_hot",
        call=_call + " with label_smoothing=0.1, reduction='sum' on (N, 3, ..., 4) logits",
        seen=("11.897678" if _d == "float32" else "11.890625")
             + " = the canonical formula with eps / 4 (the last axis); eps / C gives 11.33494",
        versions=SEEN_ON, link=KERAS_CCE_DOC)
    saw("probs_zero_target_on_neg_inf_logit_is_nan", path=_p,
        case="cross_entropy/neg-inf-logits-kept/one_hot",
        call=_call + " on [[0., 1., 0.], [1., 0., 0.]], [[-inf, 1., .5], [2., -inf, -inf]]",
        seen=f"nan ({_d}); canonical 0.2370384921; gradient finite, as canonical",
        versions=SEEN_ON)

PROBED = (
    "from_logits: False by default in every keras.losses cross-entropy (class and function); "
    "the paths pass from_logits=True except the *(softmax) and (exp) ones",
    "reduction 'sum_over_batch_size' (the default) divides by the number of loss elements "
    "(N * d1..dk for spatial input) = the canonical unweighted mean; with ignore_class it divides "
    "by the kept count (1.1096013604076607 = sum / 3 of 4 targets)",
    "label smoothing: categorical y (1 - eps) + eps / C = canonical (0.8833000436247918 both); "
    "binary y (1 - eps) + eps / 2 (0.4414047299774528 = -(0.9 log 0.7 + 0.1 log 0.3)), the "
    "canonical binary label_smoothing",
    "Loss classes cast to keras.config.floatx() = float32 unless dtype= is given "
    "(CategoricalCrossentropy()(float64, float64).dtype is float32); the function forms keep "
    "float64; every class path passes dtype=input.dtype.name",
    "SparseCategoricalCrossentropy on the TensorFlow backend raises 'Only axis=-1 is currently "
    "supported': those paths move the classes last",
    "keras.losses.BinaryCrossentropy averages the unreduced loss over the last axis "
    "(keras_bce_mean_over_last_axis: reduction='none' [[1., 0.], [0., 1.]] vs [[.6, .3], "
    "[.2, .8]] gives [0.43375028, 0.22314355]; 'sum' gives the canonical sum / 2); the paths that "
    "call it unreduced take only reduction='mean', where it changes nothing, so they do not "
    "declare it",
)




# ---------------------------------------------------------------- evidence: sample weights

KERAS_LOSS_DOC = ("https://keras.io/api/losses/ (Loss: '\"mean_with_sample_weight\" sums the loss "
                  "and divides by the sum of the sample weights'); keras/src/losses/loss.py "
                  "reduce_values: divisor = ops.sum(sample_weight), the weights as given")
for _loss, _path, _seen in (
        ("binary_cross_entropy", "keras.losses.BinaryCrossentropy[..., None]",
         "1.9304230102709479 = sum(w l) / sum(w) = sum(w l) / 4; canonical 0.6434743367569827 "
         "= sum(w l) / 12, the weights broadcast over the 3 columns"),
        ("binary_cross_entropy_with_logits",
         "keras.losses.BinaryCrossentropy(from_logits=True)[..., None]",
         "2.992389539035621; canonical 0.9974631796785403 (divided by 12, not 4)")):
    saw("keras_weighted_mean_divides_by_given_weights", path=f"{_loss}/{_path}",
        case=f"{_loss}/per-sample-weighted_mean/none",
        call=f"keras.losses.BinaryCrossentropy({'from_logits=True, ' if 'logits' in _loss else ''}"
             "reduction='mean_with_sample_weight', dtype='float64')(target[..., None], "
             "input[..., None], sample_weight=[[0.5], [2.], [0.], [1.5]]) on (4, 3) inputs",
        seen=_seen, versions=SEEN_ON, link=KERAS_LOSS_DOC)
saw("keras_weighted_mean_divides_by_given_weights",
    path="cross_entropy/keras.losses.CategoricalCrossentropy",
    case="cross_entropy/spatial-per-sample-weighted_mean/one_hot",
    call="keras.losses.CategoricalCrossentropy(from_logits=True, axis=1, "
         "reduction='mean_with_sample_weight', dtype='float64')(one_hot_target, input, "
         "sample_weight=[[[0.5]], [[2.]]]) on (2, 3, 4, 5) logits",
    seen="26.5797086280163 = sum(w l) / 2.5; canonical 1.328985431400815 = sum(w l) / 50, the "
         "weights broadcast over the 4 x 5 positions of each sample",
    versions=SEEN_ON, link=KERAS_LOSS_DOC)

saw("keras_weighted_mean_drops_masked_weights",
    path="cross_entropy/keras.losses.SparseCategoricalCrossentropy",
    case="cross_entropy/ignored-targets-per-element-weighted_mean/index",
    call="keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100, "
         "reduction='mean_with_sample_weight', dtype='float64')([[0, 3, -100], [2, -100, 1]], "
         "classes_last(logits (2, 4, 3)), sample_weight=[[.5, 1., 3.], [2., 4., 1.5]])",
    seen="2.2080764359657357 = sum(w l) / 5, the weights of the 4 kept targets; canonical "
         "0.92003185 = sum(w l) / 12, every weight (the ignored targets' 3 and 4 included)",
    versions=SEEN_ON, link="keras/src/losses/losses.py sparse_categorical_crossentropy: "
    "backend.set_keras_mask(res, mask=valid_mask) for ignore_class; keras/src/losses/loss.py "
    "apply_mask: 'sample_weight *= float_mask', then reduce_values divides by "
    "ops.sum(sample_weight)")

# the masked twins of the Keras classes' weighted paths (adapters/tensorflow.py
# derive_keras_mask_paths, which records these once it has declared them): the convention
# keras_masked_mean_divides_by_kept_count, the Keras versions SEEN_ON
KERAS_MASK_EVIDENCE = [
    dict(
        path="cross_entropy/keras.losses.CategoricalCrossentropy(masked input, sample_weight=)",
        case="cross_entropy/per-sample-mean/one_hot",
        call="keras.losses.CategoricalCrossentropy (this module's call) with reduction='mean' "
             "(Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], dtype float64, "
             "on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="2.588049517389528 = sum(w l) / 3, the kept elements of the 4 (reference "
             "2.588049517); without the mask the reference gives 1.941037138 = sum(w l) / 4 and "
             "keras.losses.CategoricalCrossentropy gives 1.941037138",
    ),
    dict(
        path="cross_entropy/keras.losses.SparseCategoricalCrossentropy(masked input, "
             "sample_weight=)",
        case="cross_entropy/per-sample-mean/index",
        call="keras.losses.SparseCategoricalCrossentropy (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="2.5880495173895284 = sum(w l) / 3, the kept elements of the 4 (reference "
             "2.588049517); without the mask the reference gives 1.941037138 = sum(w l) / 4 and "
             "keras.losses.SparseCategoricalCrossentropy gives 1.941037138",
    ),
    dict(
        path="binary_cross_entropy/keras.losses.BinaryCrossentropy[..., None](masked input, "
             "sample_weight=)",
        case="binary_cross_entropy/per-sample-mean/none",
        call="keras.losses.BinaryCrossentropy[..., None] (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.8579657823426435 = sum(w l) / 9, the kept elements of the 12 (reference "
             "0.8579657823); without the mask the reference gives 0.6434743368 = sum(w l) / 12 "
             "and keras.losses.BinaryCrossentropy[..., None] gives 0.6434743368",
    ),
    dict(
        path="binary_cross_entropy/keras.losses.BinaryCrossentropy-float32[..., None](masked "
             "input, sample_weight=)",
        case="binary_cross_entropy/per-sample-mean/none",
        call="keras.losses.BinaryCrossentropy-float32[..., None] (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float32, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.8579657673835754 = sum(w l) / 9, the kept elements of the 12 (reference "
             "0.8579657859); without the mask the reference gives 0.6434743394 = sum(w l) / 12 "
             "and keras.losses.BinaryCrossentropy-float32[..., None] gives 0.6434743404",
    ),
    dict(
        path="binary_cross_entropy/keras.losses.BinaryCrossentropy-float16[..., None](masked "
             "input, sample_weight=)",
        case="binary_cross_entropy/per-sample-mean/none",
        call="keras.losses.BinaryCrossentropy-float16[..., None] (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float16, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.85791015625 = sum(w l) / 9, the kept elements of the 12 (reference 0.8579926554); "
             "without the mask the reference gives 0.6434944915 = sum(w l) / 12 and "
             "keras.losses.BinaryCrossentropy-float16[..., None] gives 0.6435546875",
    ),
    dict(
        path="binary_cross_entropy/keras.losses.BinaryCrossentropy-bfloat16[..., None](masked "
             "input, sample_weight=)",
        case="binary_cross_entropy/per-sample-mean/none",
        call="keras.losses.BinaryCrossentropy-bfloat16[..., None] (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype bfloat16, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.85546875 = sum(w l) / 9, the kept elements of the 12 (reference 0.8547809445); "
             "without the mask the reference gives 0.6410857084 = sum(w l) / 12 and "
             "keras.losses.BinaryCrossentropy-bfloat16[..., None] gives 0.640625",
    ),
    dict(
        path="binary_cross_entropy_with_logits/"
             "keras.losses.BinaryCrossentropy(from_logits=True)[..., None](masked input, "
             "sample_weight=)",
        case="binary_cross_entropy_with_logits/per-sample-mean/none",
        call="keras.losses.BinaryCrossentropy(from_logits=True)[..., None] (this module's call) "
             "with reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , "
             "1.5], dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="1.3299509062380537 = sum(w l) / 9, the kept elements of the 12 (reference "
             "1.329950906); without the mask the reference gives 0.9974631797 = sum(w l) / 12 and "
             "keras.losses.BinaryCrossentropy(from_logits=True)[..., None] gives 0.9974631797",
    ),
    dict(
        path="categorical_generalized_cross_entropy/"
             "keras.losses.CategoricalGeneralizedCrossEntropy(masked input, sample_weight=)",
        case="categorical_generalized_cross_entropy/batch-per-sample-mean/index",
        call="keras.losses.CategoricalGeneralizedCrossEntropy(sample_weight=) (this module's "
             "call) with reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , "
             "0. , 1.5], dtype float64, on the inputs of case batch-per-sample-mean; its y_pred "
             "carrying keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to "
             "the (4,) unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="1.6221620334220437 = sum(w l) / 3, the kept elements of the 4 (reference "
             "1.622162033); without the mask the reference gives 1.216621525 = sum(w l) / 4 and "
             "keras.losses.CategoricalGeneralizedCrossEntropy(sample_weight=) gives 1.216621525",
    ),
]


# poly_loss_cross_entropy, categorical_generalized_cross_entropy, linear_cross_entropy
POLY_KERAS = "poly_loss_cross_entropy/keras.losses.categorical_crossentropy+softmax"
saw("probs_zero_target_on_neg_inf_logit_is_nan", path=POLY_KERAS,
    case="poly_loss_cross_entropy/neg-inf-logits/index",
    call="this module's poly_keras on logits [[-inf, 1., .5], [2., -inf, -inf], [0., 0., -inf]] "
         "and targets [1, 0, 2] (turned into tf.one_hot), epsilon 2, reduction='none'",
    seen="[nan, nan, inf] (the fused kernel's 0 * -inf, as for cross_entropy); canonical "
         "[1.2291583218, 0, inf]; gradient finite and canonical", versions=SEEN_ON)
saw("tf_softmax_ce_grad_assumes_labels_sum_to_1", path=POLY_KERAS,
    case="poly_loss_cross_entropy/probs-unnormalised-none/probs",
    call="tape.gradient of this module's poly_keras, x, t of case probs-unnormalised-none (rows "
         "of t summing to more than 1), reduction='none'",
    seen="values [4.7444152679, 6.0569627441, 4.55931266] as canonical; gradient row 0 "
         "[-0.783623482, -0.6158893993, -0.6112343128, 0.218177332], canonical [-0.5611238067, "
         "0.0218283042, -0.140948396, 0.6802438984] (the cross-entropy part is softmax - t)",
    versions=SEEN_ON, link=TF_SOFTMAX_CE_DOC)
GCE_KERAS = "categorical_generalized_cross_entropy/keras.losses.CategoricalGeneralizedCrossEntropy"
GCE_KERAS_FN = ("categorical_generalized_cross_entropy/"
                "keras.losses.categorical_generalized_cross_entropy")
for p in (GCE_KERAS, GCE_KERAS_FN):
    saw(GCE_NAN, path=p, case="categorical_generalized_cross_entropy/probs-0-and-1-none/index",
        call=p.split("/", 1)[1] + " (this module's call) on probabilities [[0., 1., 0.], [1., 0., "
             "0.], [.5, .5, 0.]], targets [0, 0, 1], q=0.5, reduction='none'",
        seen="values [2, 0, 0.5857864376] as canonical; gradient row 0 [-inf, nan, nan], "
             "canonical [-inf, 0, 0] (p = sum(y_pred * one_hot): 0 * -inf)", versions=SEEN_ON,
        link="keras/src/losses/losses.py categorical_generalized_cross_entropy: p = "
             "ops.sum(y_pred * y_true_one_hot, axis=-1); (1 - ops.power(p, q)) / q (no public "
             "doc of the gradient found)")
for p in (GCE_KERAS_FN, "linear_cross_entropy/tf.tensordot+keras.losses.sparse_categorical_"
          "crossentropy", "linear_cross_entropy/tf.tensordot+class_loss", POLY_KERAS):
    loss = p.split("/")[0]
    saw("all_ignored_mean_gradient_is_zero", path=p,
        case=f"{loss}/all-ignored-mean/" + ("none" if loss == "linear_cross_entropy" else "index"),
        call=p.split("/", 1)[1] + " (this module's composition) with every target -100, "
             "reduction='mean'",
        seen="value nan (0 / 0), every gradient 0: tf.where (ignore_class in Keras) masks every "
             "element before the sum; canonical gradient nan", versions=SEEN_ON)

PROBED = PROBED + (
    "Keras 3.15.1 has no poly loss; the composition is the paper's poly1_cross_entropy "
    "(https://arxiv.org/pdf/2204.12511.pdf page 10) with keras.losses.categorical_crossentropy",
    "keras.losses.CategoricalGeneralizedCrossEntropy / categorical_generalized_cross_entropy take "
    "probabilities (no from_logits), integer labels only (y_true is cast to int and one-hot "
    "encoded: one-hot or probability targets would be read as class numbers), never clip p "
    "(p = 0 gives 1/q), and reduce over the last axis only (no axis argument); the class raises "
    "ValueError 'q must be in the interval (0, 1)' for q = 1, the function takes any q",
    "Keras has no fused linear cross-entropy: the paths compose tf.tensordot with "
    "keras.losses.sparse_categorical_crossentropy (no class weight nor label smoothing for "
    "integer labels) or with this module's class_loss",
)


# ---------------------------------------------------------------- compiled twins

# Checks where tf.function(..., jit_compile=True) of a path differs from the path (XLA
# simplifies 0 * -inf; adapters.tensorflow derive_paths), with the values seen (tensorflow
# 2.21.0, keras 3.15.1, CPU, float64; conformance/test_convention.py).
COMPILED_KNOWN_FAILURES = {
    "cross_entropy/keras.losses.CategoricalCrossentropy+xla": {
        "convention:neg-inf-logits-kept/one_hot-float64":
            "under XLA a zero target on a -inf logit contributes 0, not nan: case "
            "'neg-inf-logits-kept' gives 0.23703849 (canonical) where eager Keras gives nan",
    },
    "poly_loss_cross_entropy/keras.losses.categorical_crossentropy+softmax+xla": {
        "convention:neg-inf-logits/index-float64":
            "under XLA a zero target on a -inf logit contributes 0, not nan: case "
            "'neg-inf-logits' gives [1.22915832, 0, inf] (canonical) where eager gives "
            "[nan, nan, inf]",
    },
}
