"""The `tensorflow` adapter: tf.nn and Keras 3 (keras.losses, TensorFlow backend) paths,
gradients by tf.GradientTape.

TensorFlow and Keras are imported when a path runs, never at import of this module.
Our inputs are channels-first (classes on axis 1); Keras and tf.nn reduce over the last axis by
default. Paths pass `axis=1` where the call takes it and move the class axis last otherwise (those
paths are `composed`). Keras Loss classes compute in keras.config.floatx() (float32) unless given
`dtype=`; every class path passes `dtype=input.dtype.name` so float64 stays float64 (PROBED, at the end).
"""
from __future__ import annotations

import importlib

import numpy as np

from .registry import declare_adapter

INSTALL_HINT = "pip install tensorflow keras  (or: pip install -e '.[tensorflow]')"


def _tf():
    return importlib.import_module("tensorflow")


def _keras():
    keras = importlib.import_module("keras")
    if keras.backend.backend() != "tensorflow":
        raise ImportError(f"keras runs on the {keras.backend.backend()!r} backend; set "
                          "KERAS_BACKEND=tensorflow")
    return keras


def _device(device):
    return "/GPU:0" if device == "cuda" else "/CPU:0"


class TFBackend:
    """NumPy <-> tf.Tensor, devices and tf.GradientTape. Reusable by plug-in adapters."""

    def unavailable(self):
        try:
            _tf()
            _keras()
        except ImportError as err:
            return f"tensorflow/keras cannot be used ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"tensorflow": _tf().__version__, "keras": _keras().__version__}

    def devices(self):
        return ["cpu"] + (["cuda"] if _tf().config.list_physical_devices("GPU") else [])

    def asarray(self, array, dtype, device):
        tf = _tf()
        a = np.asarray(array)
        kind = tf.int64 if np.issubdtype(a.dtype, np.integer) else getattr(tf, dtype)
        with tf.device(_device(device)):
            return tf.identity(tf.constant(a, dtype=kind))

    def to_numpy(self, value):
        tf = _tf()
        return tf.cast(value, tf.float64).numpy()

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        tf = _tf()
        with tf.GradientTape() as tape:
            for i in wrt:
                tape.watch(args[i])
            out = fn(*args)
        v = tf.constant(np.asarray(cotangent), dtype=out.dtype)
        grads = tape.gradient(out, [args[i] for i in wrt], output_gradients=v)
        return out, tuple(tf.zeros_like(args[i]) if g is None else tf.convert_to_tensor(g)
                          for i, g in zip(wrt, grads))


adapter = declare_adapter("tensorflow", TFBackend(), "TensorFlow tf.nn and Keras 3 keras.losses")
path = adapter.path

KERAS_REDUCTION = {"none": "none", "mean": "sum_over_batch_size", "sum": "sum"}


# ---------------------------------------------------------------- helpers a user would copy

def classes_last(a):
    """(N, C, d1..dk) -> (N, d1..dk, C); 1-D and 2-D arrays are already classes-last."""
    return a if a.ndim <= 2 else _tf().experimental.numpy.moveaxis(a, 1, -1)


def reduce(losses, reduction, divisor=None):
    """PyTorch's reductions: 'mean' divides by `divisor` (default: the number of elements)."""
    tf = _tf()
    if reduction == "none":
        return losses
    total = tf.reduce_sum(losses)
    if reduction == "sum":
        return total
    return total / (tf.cast(tf.size(losses), losses.dtype) if divisor is None else divisor)


def class_loss(logp, target, weight, ignore_index, label_smoothing, reduction):
    """-sum_c w_c ((1 - eps) t_c + eps / C) logp_c, t the target distribution (one-hot for
    index targets, 0 on ignored ones); 'mean' divides by sum w_c t_c, PyTorch's weighted mean."""
    tf = _tf()
    logp = classes_last(logp)
    c = logp.shape[-1]
    if target.dtype.is_integer:
        kept = tf.cast(target != ignore_index, logp.dtype)[..., None]
        t = tf.one_hot(tf.where(target != ignore_index, target, 0), c, dtype=logp.dtype) * kept
    else:
        kept, t = 1.0, classes_last(target)
    w = tf.ones([c], logp.dtype) if weight is None else weight
    coef = w * ((1 - label_smoothing) * t + label_smoothing / c * kept)
    losses = -tf.reduce_sum(tf.where(coef != 0, coef * logp, 0), axis=-1)  # 0 log 0 = 0
    return reduce(losses, reduction, tf.reduce_sum(w * t))


def _axis(x):
    return 1 if x.ndim > 1 else -1


# ---------------------------------------------------------------- softmax, log_softmax

@path("softmax", "tf.nn.softmax", call="tf.nn.softmax(input, axis=dim)", params=["dim"])
def softmax_tf(input, *, dim):
    return _tf().nn.softmax(input, axis=dim)


@path("softmax", "keras.ops.softmax", call="keras.ops.softmax(input, axis=dim)", params=["dim"])
def softmax_keras(input, *, dim):
    return _keras().ops.softmax(input, axis=dim)


@path("log_softmax", "tf.nn.log_softmax", call="tf.nn.log_softmax(input, axis=dim)",
      params=["dim"])
def log_softmax_tf(input, *, dim):
    return _tf().nn.log_softmax(input, axis=dim)


@path("log_softmax", "keras.ops.log_softmax", call="keras.ops.log_softmax(input, axis=dim)",
      params=["dim"])
def log_softmax_keras(input, *, dim):
    return _keras().ops.log_softmax(input, axis=dim)


# ---------------------------------------------------------------- cross_entropy

# Keras and tf.nn divide a mean over probability targets by the count, like torch
PROBS_COUNT = "probs_weighted_mean_divides_by_count"
# paths ending in the fused tf.nn.softmax_cross_entropy_with_logits kernel
FUSED = [PROBS_COUNT, "tf_softmax_ce_grad_assumes_labels_sum_to_1",
         "probs_zero_target_on_neg_inf_logit_is_nan"]


@path("cross_entropy", "keras.losses.CategoricalCrossentropy", encodings=["one_hot", "probs"],
      params=["label_smoothing", "reduction"],
      conventions=[*FUSED, "keras_label_smoothing_over_last_axis_size"],
      call="keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=label_smoothing, "
           "axis=1 if input.ndim > 1 else -1, reduction={'mean': 'sum_over_batch_size'}.get("
           "reduction, reduction), dtype=input.dtype.name)(target, input)")
def ce_keras_categorical(input, target, *, label_smoothing, reduction):
    return _keras().losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=label_smoothing, axis=_axis(input),
        reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(target, input)


@path("cross_entropy", "keras.losses.categorical_crossentropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"], conventions=FUSED,
      call="reduce(keras.losses.categorical_crossentropy(classes_last(target), classes_last(input), "
           "from_logits=True, label_smoothing=label_smoothing), reduction)")
def ce_keras_categorical_fn(input, target, *, label_smoothing, reduction):
    losses = _keras().losses.categorical_crossentropy(
        classes_last(target), classes_last(input), from_logits=True,
        label_smoothing=label_smoothing)
    return reduce(losses, reduction)


@path("cross_entropy", "keras.losses.CategoricalCrossentropy(tf.nn.softmax)",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      conventions=[PROBS_COUNT, "keras_softmax_probs_clipped_to_epsilon",
                   "keras_label_smoothing_over_last_axis_size"],
      call="keras.losses.CategoricalCrossentropy(axis=1 if input.ndim > 1 else -1, label_smoothing=label_smoothing, "
           "reduction=..., dtype=input.dtype.name)(target, tf.nn.softmax(input, axis=1 if input.ndim > 1 else -1))"
           "  [from_logits=False, the default; eager]")
def ce_keras_categorical_probs(input, target, *, label_smoothing, reduction):
    probs = _tf().nn.softmax(input, axis=_axis(input))
    return _keras().losses.CategoricalCrossentropy(
        label_smoothing=label_smoothing, axis=_axis(input), reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(target, probs)


@path("cross_entropy", "keras.losses.CategoricalCrossentropy(keras.ops.softmax)",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      conventions=[*FUSED, "keras_label_smoothing_over_last_axis_size"],
      call="keras.losses.CategoricalCrossentropy(axis=1 if input.ndim > 1 else -1, label_smoothing=label_smoothing, "
           "reduction=..., dtype=input.dtype.name)(target, keras.ops.softmax(input, axis=1 if input.ndim > 1 "
           "else -1))  [from_logits=False; Keras recovers the logits kept on the softmax output]")
def ce_keras_categorical_keras_softmax(input, target, *, label_smoothing, reduction):
    keras = _keras()
    probs = keras.ops.softmax(input, axis=_axis(input))
    return keras.losses.CategoricalCrossentropy(
        label_smoothing=label_smoothing, axis=_axis(input), reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(target, probs)


@path("cross_entropy", "keras.losses.SparseCategoricalCrossentropy", kind="composed",
      encodings=["index"], params=["weight", "ignore_index", "reduction"],
      conventions=["keras_mean_of_nothing_is_0", "keras_scalar_loss_is_not_reduced"],
      call="keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=ignore_index, "
           "reduction='mean_with_sample_weight' if weight is not None and reduction == 'mean' else "
           "..., dtype=input.dtype.name)(target, classes_last(input), sample_weight=None if weight "
           "is None else tf.gather(weight, tf.where(target != ignore_index, target, 0)))")
def ce_keras_sparse(input, target, *, weight, ignore_index, reduction):
    tf, keras = _tf(), _keras()
    keras_reduction = KERAS_REDUCTION[reduction]
    sample_weight = None
    if weight is not None:
        sample_weight = tf.gather(weight, tf.where(target != ignore_index, target, 0))
        keras_reduction = "mean_with_sample_weight" if reduction == "mean" else keras_reduction
    return keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=ignore_index, reduction=keras_reduction,
        dtype=input.dtype.name)(target, classes_last(input), sample_weight=sample_weight)


@path("cross_entropy", "keras.losses.sparse_categorical_crossentropy", kind="composed",
      encodings=["index"], params=["ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="reduce(keras.losses.sparse_categorical_crossentropy(target, classes_last(input), "
           "from_logits=True, ignore_class=ignore_index), reduction, "
           "divisor=count(target != ignore_index))")
def ce_keras_sparse_fn(input, target, *, ignore_index, reduction):
    tf = _tf()
    losses = _keras().losses.sparse_categorical_crossentropy(
        target, classes_last(input), from_logits=True, ignore_class=ignore_index)
    return reduce(losses, reduction, tf.reduce_sum(tf.cast(target != ignore_index, input.dtype)))


@path("cross_entropy", "tf.nn.softmax_cross_entropy_with_logits", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      conventions=FUSED,
      call="reduce(tf.nn.softmax_cross_entropy_with_logits((1 - label_smoothing) * target + "
           "label_smoothing / C, input, axis=1 if input.ndim > 1 else -1), reduction)")
def ce_tf_softmax(input, target, *, label_smoothing, reduction):
    c = input.shape[_axis(input)]
    labels = (1 - label_smoothing) * target + label_smoothing / c
    return reduce(_tf().nn.softmax_cross_entropy_with_logits(labels, input, axis=_axis(input)),
                  reduction)


@path("cross_entropy", "tf.nn.sparse_softmax_cross_entropy_with_logits", kind="composed",
      encodings=["index"], params=["ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="kept = target != ignore_index; reduce(tf.where(kept, "
           "tf.nn.sparse_softmax_cross_entropy_with_logits(tf.where(kept, target, 0), "
           "classes_last(input)), 0), reduction, divisor=count(kept))")
def ce_tf_sparse(input, target, *, ignore_index, reduction):
    tf = _tf()
    kept = target != ignore_index
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.where(kept, target, 0),
                                                            classes_last(input))
    return reduce(tf.where(kept, losses, 0), reduction, tf.reduce_sum(tf.cast(kept, input.dtype)))


@path("cross_entropy", "tf.nn.log_softmax+class_loss", kind="composed",
      params=["weight", "ignore_index", "label_smoothing", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(tf.nn.log_softmax(input, axis=1 if input.ndim > 1 else -1), target, weight, "
           "ignore_index, label_smoothing, reduction)  [adapters/tensorflow.py class_loss]")
def ce_composed(input, target, *, weight, ignore_index, label_smoothing, reduction):
    logp = _tf().nn.log_softmax(input, axis=_axis(input))
    return class_loss(logp, target, weight, ignore_index, label_smoothing, reduction)


# ---------------------------------------------------------------- nll_loss

@path("nll_loss", "class_loss", kind="composed", params=["weight", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(input, target, weight, ignore_index, 0.0, reduction)  "
           "[adapters/tensorflow.py class_loss]")
def nll_composed(input, target, *, weight, ignore_index, reduction):
    return class_loss(input, target, weight, ignore_index, 0.0, reduction)


@path("nll_loss", "keras.losses.CategoricalCrossentropy(exp)", kind="composed",
      encodings=["one_hot", "probs"], params=["reduction"],
      conventions=["keras_probs_rescaled_to_sum_1", "keras_nll_probs_clipped_to_epsilon"],
      call="keras.losses.CategoricalCrossentropy(axis=1 if input.ndim > 1 else -1, reduction=..., "
           "dtype=input.dtype.name)(target, tf.exp(input))  [from_logits=False, the default]")
def nll_keras_categorical(input, target, *, reduction):
    return _keras().losses.CategoricalCrossentropy(
        axis=_axis(input), reduction=KERAS_REDUCTION[reduction],
        dtype=input.dtype.name)(target, _tf().exp(input))


# ---------------------------------------------------------------- binary cross-entropy

def _sample_weight(weight, input):
    return None if weight is None else _tf().broadcast_to(weight, input.shape)


# The plain Keras binary paths take the default reduction only: with 'none' their output has the
# shape input.shape[:-1] (convention keras_bce_mean_over_last_axis), and conformance/checks.py
# draws the cotangent in the canonical output shape, so their gradient could not be checked. Under
# 'mean' the mean over the last axis changes nothing, so these paths do not declare it (PROBED).
@path("binary_cross_entropy", "keras.losses.BinaryCrossentropy", dtypes=["float64"],
      conventions=["keras_bce_probs_clipped_to_epsilon"],
      call="keras.losses.BinaryCrossentropy(dtype=input.dtype.name)(target, input)")
def bce_keras(input, target):
    return _keras().losses.BinaryCrossentropy(dtype=input.dtype.name)(target, input)


@path("binary_cross_entropy", "keras.losses.BinaryCrossentropy-float32",
      dtypes=["float32", "float16", "bfloat16"],
      conventions=["keras_bce_probs_clipped_to_float32_epsilon"],
      call="keras.losses.BinaryCrossentropy(dtype=input.dtype.name)(target, input)")
def bce_keras_f32(input, target):
    return _keras().losses.BinaryCrossentropy(dtype=input.dtype.name)(target, input)


BCE_ELEMENTWISE_CALL = ("keras.losses.BinaryCrossentropy(reduction=..., dtype=input.dtype.name)("
                        "target[..., None], input[..., None], "
                        "sample_weight=tf.broadcast_to(weight, input.shape))")


# Keras clips in the computation dtype: 1 - 1e-7 is 0.9999999 in float64, 0.99999988 in float32
@path("binary_cross_entropy", "keras.losses.BinaryCrossentropy-float32[..., None]",
      kind="composed", params=["weight", "reduction"], dtypes=["float32", "float16", "bfloat16"],
      conventions=["keras_bce_probs_clipped_to_float32_epsilon"], call=BCE_ELEMENTWISE_CALL)
@path("binary_cross_entropy", "keras.losses.BinaryCrossentropy[..., None]", kind="composed",
      params=["weight", "reduction"], dtypes=["float64"],
      conventions=["keras_bce_probs_clipped_to_epsilon"], call=BCE_ELEMENTWISE_CALL)
def bce_keras_elementwise(input, target, *, weight, reduction):
    return _keras().losses.BinaryCrossentropy(
        reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(
        target[..., None], input[..., None], sample_weight=_sample_weight(weight, input))


@path("binary_cross_entropy", "tf.math.xlogy", kind="composed", params=["weight", "reduction"],
      call="reduce(-weight * (tf.math.xlogy(target, input) + tf.math.xlog1py(1 - target, -input)), "
           "reduction)")
def bce_composed(input, target, *, weight, reduction):
    tf = _tf()
    losses = -(tf.math.xlogy(target, input) + tf.math.xlog1py(1 - target, -input))
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "keras.losses.BinaryCrossentropy(from_logits=True)",
      call="keras.losses.BinaryCrossentropy(from_logits=True, dtype=input.dtype.name)(target, input)")
def bcel_keras(input, target):
    return _keras().losses.BinaryCrossentropy(from_logits=True, dtype=input.dtype.name)(target, input)


@path("binary_cross_entropy_with_logits",
      "keras.losses.BinaryCrossentropy(from_logits=True)[..., None]", kind="composed",
      params=["weight", "reduction"],
      call="keras.losses.BinaryCrossentropy(from_logits=True, reduction=..., dtype=input.dtype.name)"
           "(target[..., None], input[..., None], sample_weight=tf.broadcast_to(weight, input.shape))")
def bcel_keras_elementwise(input, target, *, weight, reduction):
    return _keras().losses.BinaryCrossentropy(
        from_logits=True, reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(
        target[..., None], input[..., None], sample_weight=_sample_weight(weight, input))


@path("binary_cross_entropy_with_logits", "keras.losses.binary_crossentropy[..., None]",
      kind="composed", params=["weight", "reduction"],
      call="reduce(weight * keras.losses.binary_crossentropy(target[..., None], input[..., None], "
           "from_logits=True), reduction)")
def bcel_keras_fn(input, target, *, weight, reduction):
    losses = _keras().losses.binary_crossentropy(target[..., None], input[..., None],
                                                 from_logits=True)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "tf.nn.sigmoid_cross_entropy_with_logits",
      kind="composed", params=["weight", "reduction"],
      call="reduce(weight * tf.nn.sigmoid_cross_entropy_with_logits(target, input), reduction)")
def bcel_tf(input, target, *, weight, reduction):
    losses = _tf().nn.sigmoid_cross_entropy_with_logits(target, input)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "tf.nn.weighted_cross_entropy_with_logits",
      kind="composed", params=["weight", "pos_weight", "reduction"],
      conventions=["tf_weighted_logits_grad_at_0"],
      call="reduce(weight * tf.nn.weighted_cross_entropy_with_logits(target, input, "
           "pos_weight=1.0 if pos_weight is None else pos_weight), reduction)")
def bcel_tf_weighted(input, target, *, weight, pos_weight, reduction):
    losses = _tf().nn.weighted_cross_entropy_with_logits(
        target, input, pos_weight=1.0 if pos_weight is None else pos_weight)
    return reduce(losses if weight is None else weight * losses, reduction)


# ---------------------------------------------------------------- regression: l1, mse, smooth_l1, huber
# keras.losses.MeanAbsoluteError, MeanSquaredError and Huber (and their functions) average the
# elementwise loss over the last axis: keras_bce_mean_over_last_axis. The "[..., None]" paths add a
# last axis of size 1, so that mean changes nothing and the result is canonical.

MEAN_LAST = ["keras_bce_mean_over_last_axis"]
KERAS_REGRESSION = {"l1_loss": ("MeanAbsoluteError", "mean_absolute_error"),
                    "mse_loss": ("MeanSquaredError", "mean_squared_error"),
                    "huber_loss": ("Huber", "huber")}


def _keras_regression(loss, input, target, reduction="mean", elementwise=False, **kw):
    cls = getattr(_keras().losses, KERAS_REGRESSION[loss][0])
    if elementwise:
        input, target = input[..., None], target[..., None]
    return cls(reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name, **kw)(target, input)


def _keras_regression_fn(loss, input, target, reduction, **kw):
    fn = getattr(_keras().losses, KERAS_REGRESSION[loss][1])
    return reduce(fn(target[..., None], input[..., None], **kw), reduction)


# As for the binary losses: the plain class takes the default reduction ('mean', unchanged by the
# mean over the last axis) on any input; with 'none' on 2-D or wider input its output has the shape
# input.shape[:-1], and conformance/checks.py evaluates the canonical gradient too (for the failure
# message), which needs a cotangent of the canonical shape. On 1-D input every reduction works (the
# output is a scalar) and shows the convention: the "(1-D)" paths.
def _declare_keras_regression(loss, cls, fn, params):
    kwargs = " ".join(f"{p}={p}," for p in params)
    path(loss, f"keras.losses.{cls}", params=params,
         call=f"keras.losses.{cls}({kwargs} dtype=input.dtype.name)(target, input)")(
        lambda input, target, **kw: _keras_regression(loss, input, target, **kw))
    path(loss, f"keras.losses.{cls}(1-D)", params=[*params, "reduction"], conventions=MEAN_LAST,
         ndims=[1], call=f"keras.losses.{cls}({kwargs} reduction=..., dtype=input.dtype.name)"
                         "(target, input)  [1-D input]")(
        lambda input, target, **kw: _keras_regression(loss, input, target, **kw))
    path(loss, f"keras.losses.{cls}[..., None]", kind="composed", params=[*params, "reduction"],
         call=f"keras.losses.{cls}({kwargs} reduction=..., dtype=input.dtype.name)"
              "(target[..., None], input[..., None])")(
        lambda input, target, **kw: _keras_regression(loss, input, target, elementwise=True, **kw))
    path(loss, f"keras.losses.{fn}[..., None]", kind="composed", params=[*params, "reduction"],
         call=f"reduce(keras.losses.{fn}(target[..., None], input[..., None]"
              f"{''.join(f', {p}={p}' for p in params)}), reduction)")(
        lambda input, target, **kw: _keras_regression_fn(loss, input, target, **kw))


for _loss, (_cls, _fn) in KERAS_REGRESSION.items():
    _declare_keras_regression(_loss, _cls, _fn, ["delta"] if _loss == "huber_loss" else [])


@path("smooth_l1_loss", "keras.losses.Huber(delta=beta)[..., None].div(beta)", kind="composed",
      params=["beta", "reduction"],
      call="keras.losses.Huber(delta=beta, reduction=..., dtype=input.dtype.name)("
           "target[..., None], input[..., None]) / beta; beta = 0: reduce(tf.abs(input - target))")
def smooth_l1_keras_huber(input, target, *, beta, reduction):
    if beta == 0:
        return reduce(_tf().abs(input - target), reduction)
    return _keras_regression("huber_loss", input, target, reduction, True, delta=beta) / beta


@path("l1_loss", "tf.abs", kind="composed", params=["reduction"],
      call="reduce(tf.abs(input - target), reduction)")
def l1_tf(input, target, *, reduction):
    return reduce(_tf().abs(input - target), reduction)


@path("mse_loss", "tf.math.squared_difference", kind="composed", params=["reduction"],
      call="reduce(tf.math.squared_difference(input, target), reduction)")
def mse_tf(input, target, *, reduction):
    return reduce(_tf().math.squared_difference(input, target), reduction)


@path("smooth_l1_loss", "tf.where", kind="composed", params=["beta", "reduction"],
      call="d = tf.abs(input - target); reduce(tf.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta) "
           "if beta > 0 else d, reduction)")
def smooth_l1_tf(input, target, *, beta, reduction):
    tf = _tf()
    d = tf.abs(input - target)
    if beta == 0:
        return reduce(d, reduction)
    return reduce(tf.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


@path("huber_loss", "tf.where", kind="composed", params=["delta", "reduction"],
      call="d = tf.abs(input - target); reduce(tf.where(d <= delta, 0.5 * d**2, "
           "delta * (d - 0.5 * delta)), reduction)")
def huber_tf(input, target, *, delta, reduction):
    tf = _tf()
    d = tf.abs(input - target)
    return reduce(tf.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


# ---------------------------------------------------------------- evidence of the conventions
# Each record names a built-in case that exercises the convention on that path; the convention
# check (conformance/test_convention.py) re-runs it at float64 and fails when TensorFlow/Keras stop
# doing it. Values: tensorflow 2.21.0, keras 3.15.1 (TensorFlow backend), CPU, float64, eager.

# ---------------------------------------------------------------- kl_div
# keras.losses.KLDivergence takes probabilities (y_true, y_pred), clips both to [eps, 1] and sums
# over the last axis (its two conventions). The tf composition follows PyTorch's definition.

KERAS_KL = ["keras_kl_divergence_clipped_to_epsilon", "keras_kl_divergence_mean_per_row"]


@path("kl_div", "keras.losses.KLDivergence", params=["reduction"], conventions=KERAS_KL,
      call="keras.losses.KLDivergence(reduction={'mean': 'sum_over_batch_size'}.get(reduction, "
           "reduction), dtype=input.dtype.name)(target, tf.exp(input))  ['batchmean': "
           "reduction='sum', divided by input.shape[0]]")
def kl_div_keras(input, target, *, reduction):
    tf = _tf()
    keras_reduction = "sum" if reduction == "batchmean" else KERAS_REDUCTION[reduction]
    loss = _keras().losses.KLDivergence(reduction=keras_reduction, dtype=input.dtype.name)(
        target, tf.exp(input))
    if reduction == "batchmean":
        return loss / tf.cast(tf.shape(input)[0], loss.dtype)
    return loss


@path("kl_div", "tf.math.xlogy", kind="composed", params=["reduction", "log_target"],
      conventions=["kl_div_zero_target_on_infinite_log_ratio_is_nan"],
      call="reduce(tf.exp(target) * (target - input) if log_target else "
           "tf.math.xlogy(target, target) - target * input, reduction)  "
           "['batchmean': sum / input.shape[0]]")
def kl_div_tf(input, target, *, reduction, log_target):
    tf = _tf()
    if log_target:
        elements = tf.exp(target) * (target - input)
    else:
        elements = tf.math.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return tf.reduce_sum(elements) / tf.cast(tf.shape(input)[0], elements.dtype)
    return reduce(elements, reduction)


SEEN_ON = "tensorflow 2.21.0, keras 3.15.1, numpy 2.4.6; CPU, float64, eager"
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

saw("keras_bce_probs_clipped_to_epsilon", path="binary_cross_entropy/keras.losses.BinaryCrossentropy",
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
saw("keras_bce_probs_clipped_to_epsilon",
    path="binary_cross_entropy/keras.losses.BinaryCrossentropy[..., None]",
    case="binary_cross_entropy/probs-0-and-1-opposite/none",
    call="keras.losses.BinaryCrossentropy(reduction='none', dtype='float64')([1., 0., 1.][..., None], "
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

KERAS_REGRESSION_DOC = "https://keras.io/api/losses/regression_losses/"
for p, case, call, seen in (
        ("l1_loss/keras.losses.MeanAbsoluteError(1-D)", "l1_loss/at-zero/none",
         "keras.losses.MeanAbsoluteError(reduction='none', dtype='float64')("
         "[0.5, -1., 1., 0.25, 3.], [0.5, -1., 2.25, 0., 3.])",
         "0.3 (a scalar, the mean over the last axis); canonical [0, 0, 1.25, 0.25, 0]"),
        ("mse_loss/keras.losses.MeanSquaredError(1-D)", "mse_loss/at-zero/none",
         "keras.losses.MeanSquaredError(reduction='none', dtype='float64')("
         "[0.5, -1., 1., 0.25, 3.], [0.5, -1., 2.25, 0., 3.])",
         "0.325 (a scalar); canonical [0, 0, 1.5625, 0.0625, 0]"),
        ("huber_loss/keras.losses.Huber(1-D)", "huber_loss/at-kink-delta-64/none",
         "keras.losses.Huber(delta=64., reduction='sum', dtype='float64')("
         "[0.5, 0.5, 10., 0.], [64.5, -63.5, 10., 40.])",
         "1224.0 = 4896 / 4, the canonical sum divided by input.shape[-1]")):
    saw("keras_bce_mean_over_last_axis", path=p, case=case, call=call, seen=seen,
        versions=SEEN_ON, link=KERAS_REGRESSION_DOC + " (mean_absolute_error: "
        "'loss = mean(abs(y_true - y_pred), axis=-1)'; likewise mean_squared_error, huber)")

saw("kl_div_zero_target_on_infinite_log_ratio_is_nan", path="kl_div/tf.math.xlogy",
    case="kl_div/zero-target-neg-inf-input/none",
    call="tf.math.xlogy(t, t) - t * x with x = [[-inf, log .25, log .75], [log .5, log .5, -inf]], "
         "t = [[0, .25, .75], [.5, .5, 0]]",
    seen="[[nan, 0, 0], [0, 0, nan]]: xlogy(0, 0) = 0 but 0 * -inf = nan; gradient -t, finite",
    versions=SEEN_ON, link="https://www.tensorflow.org/api_docs/python/tf/math/xlogy")
KERAS_KL_DOC = "https://keras.io/api/losses/probabilistic_losses/#kldivergence-class"
saw("keras_kl_divergence_clipped_to_epsilon", path="kl_div/keras.losses.KLDivergence",
    case="kl_div/zero-targets/none",
    call="keras.losses.KLDivergence(reduction='none', dtype='float64')([[0, .25, .75], [.5, .5, 0]], "
         "tf.exp(log_softmax([[.5, -1, 2], [1.5, .25, -.75]])))",
    seen="[0.42897471, 0.26252408]; gradient w.r.t. the input -1e-07 where the target is 0 "
         "([[-1e-07, -0.25, -0.75], [-0.5, -0.5, -1e-07]]; canonical 0 there)",
    versions=SEEN_ON, link=KERAS_KL_DOC + " (kl_divergence: 'y_true = ops.clip(y_true, "
    "backend.epsilon(), 1)', the same for y_pred, keras/src/losses/losses.py)")
saw("keras_kl_divergence_mean_per_row", path="kl_div/keras.losses.KLDivergence",
    case="kl_div/batch-mean/none",
    call="keras.losses.KLDivergence(dtype='float64')(softmax(normal(4, 5)), "
         "tf.exp(log_softmax(normal(4, 5))))  [seeds 121, 120]",
    seen="0.8341389552860348 = the sum over all 20 elements / 4 rows (canonical mean: / 20)",
    versions=SEEN_ON, link=KERAS_KL_DOC + " ('loss = y_true * log(y_true / y_pred)', summed "
    "over axis=-1 in keras.losses.kl_divergence)")

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "from_logits: False by default in every keras.losses cross-entropy (class and function); "
    "the paths pass from_logits=True except the *(softmax) and (exp) ones",
    "reduction 'sum_over_batch_size' (the default) divides by the number of loss elements "
    "(N * d1..dk for spatial input) = the canonical unweighted mean; with ignore_class it divides "
    "by the kept count (1.1096013604076607 = sum / 3 of 4 targets)",
    "label smoothing: categorical y (1 - eps) + eps / C = canonical (0.8833000436247918 both); "
    "binary y (1 - eps) + eps / 2 (0.4414047299774528 = -(0.9 log 0.7 + 0.1 log 0.3)); the "
    "canonical binary losses have no label_smoothing parameter",
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


# The other families' paths, one module each; imported last, as they use the definitions above.
from . import (tensorflow_ctc, tensorflow_embedding, tensorflow_focal_dice, tensorflow_likelihood, tensorflow_margin)  # noqa: E402,F401
