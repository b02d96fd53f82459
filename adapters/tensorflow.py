"""The `tensorflow` adapter's backend: NumPy <-> tf.Tensor, devices, tf.GradientTape,
tf.function, and what every family's tf.nn and Keras 3 (keras.losses, TensorFlow backend) paths
share.

TensorFlow and Keras are imported when a path runs, never at import of this module (`tf` and
`keras` are LazyModules). Our inputs are channels-first (classes on axis 1); Keras and tf.nn
reduce over the last axis by default, so paths pass `axis=1` where the call takes it and move the
class axis last otherwise (those paths are `composed`). Keras Loss classes compute in
keras.config.floatx() (float32) unless given `dtype=`; every class path passes
`dtype=input.dtype.name` so float64 stays float64. The paths live in
adapters/families/<family>/tensorflow.py; adapters.load() registers them. Each convention's
evidence is recorded there with `adapter.saw`, on a built-in case that exercises it; the convention
check (conformance/test_convention.py) re-runs it at float64 and fails when TensorFlow/Keras stop
doing it. Values seen: SEEN_ON.
"""
from __future__ import annotations

import contextlib
import functools
import re

import numpy as np

from . import compiled_known_failures, family_lists
from .definitions import WEIGHTED_MEAN
from .registry import (
    DERIVED,
    LazyModule,
    _weights_fit,
    compiled_step,
    declare_adapter,
    derive_compiled_paths,
    derive_sample_weight_paths,
)

INSTALL_HINT = "pip install tensorflow keras  (or: pip install -e '.[tensorflow]')"
SEEN_ON = "tensorflow 2.21.0, keras 3.15.1, numpy 2.4.6; CPU, float64, eager"


def _keras_on_tensorflow():
    import keras
    if keras.backend.backend() != "tensorflow":
        raise ImportError(f"keras runs on the {keras.backend.backend()!r} backend; set "
                          "KERAS_BACKEND=tensorflow")


tf = LazyModule("tensorflow")
keras = LazyModule("keras", setup=_keras_on_tensorflow)

# PyTorch's reduction names -> Keras's
# Keras's loss classes average the elementwise loss over axis=-1, which a 0-d tensor lacks: seen
# on MeanSquaredError, MeanAbsoluteError, Huber and BinaryCrossentropy (from_logits too), every
# reduction, keras 3.15.1 on TF 2.21.0 (the cases scalar-0d-*); the "[..., None]" paths take it
KERAS_REFUSES_0D = {
    "0-d input: Keras averages the elementwise loss over axis=-1, which a 0-d tensor lacks "
    "(InvalidArgumentError 'Invalid reduction dimension (-1 for input with 0 dimension(s)')":
        lambda params, encoding, inputs: "input" in inputs and np.ndim(inputs["input"]) == 0}
KERAS_REDUCTION = {"none": "none", "mean": "sum_over_batch_size", "sum": "sum",
                   WEIGHTED_MEAN: "mean_with_sample_weight"}


def keras_sample_weight(weight, rank):
    """A sample weight (its axes the leading ones of the unreduced loss) as Keras takes it for a
    loss output of `rank` axes: trailing axes of size 1 added. Keras adds at most one itself
    (squeeze_or_expand_to_same_rank) and otherwise broadcasts from the trailing axes, so (N,)
    weights on an (N, H) output would weigh columns, or fail."""
    if weight is None:
        return None
    return tf.reshape(weight, [*weight.shape, *[1] * (rank - weight.shape.rank)])


# Keras's own sample_weight= (Loss.__call__): 'mean_with_sample_weight' divides by the weights'
# sum as given (keras/src/losses/loss.py reduce_values), a zero divisor gives 0 (divide_no_nan)
KERAS_WEIGHTED = ["keras_weighted_mean_divides_by_given_weights", "keras_mean_of_nothing_is_0"]
KERAS_WEIGHTED_DOC = ("https://keras.io/api/losses/ (Loss: '\"mean_with_sample_weight\" sums the "
                      "loss and divides by the sum of the sample weights'); keras/src/losses/"
                      "loss.py reduce_values: divisor = ops.sum(sample_weight), the weights as "
                      "given")


def keras_weighted_twin(base: str, loss: str, conventions) -> dict:
    """The `unsupported_when` of a path passing Keras's own sample_weight= to a class that `base`
    (a path of `loss`) calls without: cases without weights are the base path's, and weights
    that do not fit the leading axes of its unreduced output (under `conventions`) are refused,
    as for the composed `*sample_weight` paths."""
    conventions = tuple(conventions)
    return {f"cases without sample weights (it is {base} then)":
            lambda p, e, i: p["sample_weight"] is None,
            "sample weights beyond the leading axes of its unreduced output, whose shape its "
            "conventions change":
            lambda p, e, i: not _weights_fit(loss, conventions, p, e, i)}


def _device(device):
    return "/GPU:0" if device == "cuda" else "/CPU:0"


class TFBackend:
    """NumPy <-> tf.Tensor, devices and tf.GradientTape. Reusable by plug-in adapters."""

    def unavailable(self):
        try:
            self.versions()     # imports tensorflow and keras
        except ImportError as err:
            return f"tensorflow/keras cannot be used ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"tensorflow": tf.__version__, "keras": keras.__version__}

    def devices(self):
        return ["cpu"] + (["cuda"] if tf.config.list_physical_devices("GPU") else [])

    def asarray(self, array, dtype, device):
        a = np.asarray(array)
        kind = tf.int64 if np.issubdtype(a.dtype, np.integer) else getattr(tf, dtype)
        with tf.device(_device(device)):
            return tf.identity(tf.constant(a, dtype=kind))

    def to_numpy(self, value):
        return tf.cast(value, tf.float64).numpy()

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        step = compiled_step(fn, cotangent, wrt)
        if step is not None:     # a compiled twin: its tape runs inside its tf.function
            return step(self, args)
        with tf.GradientTape() as tape:
            for i in wrt:
                tape.watch(args[i])
            out = fn(*args)
        v = tf.constant(np.asarray(cotangent), dtype=out.dtype)
        grads = tape.gradient(out, [args[i] for i in wrt], output_gradients=v)
        return out, tuple(tf.zeros_like(args[i]) if g is None else tf.convert_to_tensor(g)
                          for i, g in zip(wrt, grads, strict=True))

    def compile(self, fn, jit_compile=None):
        """tf.function (jit_compile=True: compiled by XLA); the paths are plain TF ops."""
        return tf.function(fn, autograph=False, jit_compile=jit_compile)

    def compile_value_and_grad(self, fn, cotangent, wrt, jit_compile=None):
        """The tape and its gradient inside one tf.function, as a compiled training step; array
        parameters given as keywords are its arguments too."""
        return self.compile(lambda *args, **arrays: self.value_and_grad(
            functools.partial(fn, **arrays), list(args), cotangent, wrt), jit_compile)

    def synchronize(self, value, device):
        sync = getattr(getattr(tf.test, "experimental", None), "sync_devices", None)
        if device != "cpu" and sync is not None:
            sync()
            return
        # converting the result waits for it (a scalar for reduced losses)
        for t in tf.nest.flatten(value):
            if hasattr(t, "numpy"):
                t.numpy()


adapter = declare_adapter("tensorflow", TFBackend(), "TensorFlow tf.nn and Keras 3 keras.losses")
path = adapter.path


# ---------------------------------------------------------------- helpers a user would copy

def classes_last(a, axis=1):
    """The class axis (`axis`, 1 by default: (N, C, d1..dk) -> (N, d1..dk, C)) moved last; 1-D
    arrays, and 2-D ones with classes on axis 1, are already classes-last."""
    if a.ndim <= 1 or axis % a.ndim == a.ndim - 1:
        return a
    return tf.experimental.numpy.moveaxis(a, axis, -1)


def class_axis(x, axis=1):
    """The class axis to pass as `axis=`: `axis` (channels-first: 1), or -1 for 1-D input."""
    return axis if x.ndim > 1 else -1


def reduce(losses, reduction, divisor=None):
    """PyTorch's reductions: 'mean' divides by `divisor` (default: the number of elements)."""
    if reduction == "none":
        return losses
    total = tf.reduce_sum(losses)
    if reduction == "sum":
        return total
    return total / (tf.cast(tf.size(losses), losses.dtype) if divisor is None else divisor)


def weighted_reduce(losses, weight, reduction, batch):
    """Sample weights on an unreduced loss, as a user writes them: the weight's axes are the
    loss's leading ones ((N,) per sample), 'weighted_mean' divides by the broadcast weights' sum,
    'batchmean' by the batch size."""
    w = tf.reshape(tf.cast(weight, losses.dtype),     # Keras computes some losses in float32
                   [*weight.shape, *[1] * (losses.shape.rank - weight.shape.rank)])
    weighted = losses * w
    if reduction == WEIGHTED_MEAN:
        return tf.reduce_sum(weighted) / tf.reduce_sum(tf.broadcast_to(w, tf.shape(losses)))
    if reduction == "batchmean":
        return tf.reduce_sum(weighted) / batch
    return reduce(weighted, reduction)


# ---------------------------------------------------------------- Keras masks on y_pred

MASKED = "(masked input, sample_weight=)"
KERAS_MASK_DOC = ("keras/src/losses/loss.py Loss.__call__ (in_mask = backend.get_keras_mask("
                  "y_pred), combined with the output's own mask by &) and apply_mask: for "
                  "'sum_over_batch_size' the mask becomes total / valid on kept entries, 'mean("
                  "loss * sample_weight * total / valid) = sum(loss * sample_weight) / valid'; "
                  "the weights are multiplied by the mask")
KEPT_COUNT = "keras_masked_mean_divides_by_kept_count"
# a path calling a keras.losses class (a Loss subclass), not a function
_KERAS_CLASS = re.compile(r"keras\.losses\.[A-Z]")


@contextlib.contextmanager
def keras_mask_of(weight):
    """Inside: each keras.losses.Loss called receives its y_pred carrying the mask a Masking layer
    attaches (keras.src.backend.set_keras_mask, read back by Loss.__call__ as in_mask): True
    where `weight` (its axes the leading ones of the unreduced loss) is nonzero, broadcast to the
    shape of the loss's unreduced output, `Loss.call(y_true, y_pred)` (computed once more for
    its shape). Loss.__call__ is wrapped for the duration, so every family's path runs unchanged
    and every Loss subclass is covered (none overrides __call__ in keras 3.15.1); the checks run
    one at a time in a process (xdist's workers are processes), so nothing else sees it.
    The mask has the unreduced loss's shape: Keras neither reduces nor broadcasts a mask of
    another shape onto it. Probed (keras 3.15.1, TF 2.21.0): a Masking layer's (N, T) mask on
    (N, T, C) y_pred of keras.losses.CTC (output (N,)), or an (N, H) mask on (N, H, C) y_pred of
    keras.losses.Dice (output () or (N,)), raises InvalidArgumentError 'Incompatible shapes: [3]
    vs. [3,5] [Op:Mul]' (resp. '[2] vs. [2,4]'), with or without sample_weight."""
    from keras.src import backend  # Keras's own setter of the mask layers attach
    loss_class = keras.losses.Loss
    plain = loss_class.__call__

    def masked(self, y_true, y_pred, sample_weight=None):
        def convert(x):      # as Loss.__call__ converts them before calling `call`
            return keras.ops.convert_to_tensor(x, dtype=self.dtype)
        unreduced = self.call(convert(y_true), convert(y_pred))
        kept = keras_sample_weight(tf.cast(weight, unreduced.dtype), unreduced.shape.rank) != 0
        y_pred = tf.identity(y_pred)      # a tensor of its own to carry the mask
        backend.set_keras_mask(y_pred, tf.broadcast_to(kept, tf.shape(unreduced)))
        return plain(self, y_true, y_pred, sample_weight)

    loss_class.__call__ = masked
    try:
        yield
    finally:
        loss_class.__call__ = plain


def _masked(fn):
    def masked(*inputs, sample_weight, **params):
        with keras_mask_of(sample_weight):
            return fn(*inputs, sample_weight=sample_weight, **params)
    return masked


def derive_keras_mask_paths(adapter, declare=None) -> None:
    """Give each path that passes its sample weights to a keras.losses class (its own
    sample_weight=) a twin, `<name without "(sample_weight=)">(masked input, sample_weight=)`,
    whose y_pred carries the Keras mask of the nonzero weights (keras_mask_of): what a Masking
    layer before the loss does. Keras then multiplies the weights by the mask (loss.py
    apply_mask): its default reduction divides by the kept count (KEPT_COUNT) and
    'mean_with_sample_weight' by the weights broadcast over the loss, so the twin follows its
    base's conventions but keras_weighted_mean_divides_by_given_weights, plus KEPT_COUNT and
    keras_mean_of_nothing_is_0 (divide_no_nan). `declare(loss, name, **kw)` declares a path
    (default adapter.path)."""
    declare = declare or adapter.path
    for base in list(adapter.paths):
        if ("sample_weight" not in base.params or base.compiles or base.name.endswith(DERIVED)
                or "masked input" in base.name or not _KERAS_CLASS.search(base.call)):
            continue
        name = base.name.replace("(sample_weight=)", "") + MASKED
        if any(p.name == name for p in adapter.paths_for(base.loss)):
            continue          # derived already (adapters.load() ran before)
        conventions = [c for c in base.conventions
                       if c != "keras_weighted_mean_divides_by_given_weights"]
        conventions += [c for c in (KEPT_COUNT, "keras_mean_of_nothing_is_0")
                        if c not in conventions]
        refused = {why: test for why, test in base.unsupported_when
                   if not why.startswith("cases without sample weights")}
        declare(base.loss, name, kind="composed",
                call=f"{base.call}  with keras.src.backend.set_keras_mask(y_pred, sample_weight "
                     "!= 0 broadcast to the unreduced loss) on the y_pred the class receives  "
                     "[the mask a Masking layer attaches; adapters/tensorflow.py keras_mask_of]",
                encodings=base.encodings, params=base.params, conventions=conventions,
                tuple_params=base.tuple_params,     # the mask takes the unreduced loss's shape
                dtypes=base.dtypes, ndims=base.ndims, notes=base.notes,
                checked_dtypes=base.checked_dtypes, checks_dtype=base.checks_dtype,
                unsupported_when={
                    f"cases without sample weights (no mask: it is {base.name} then)":
                        lambda p, e, i: p["sample_weight"] is None,
                    **refused})(_masked(base.fn))


def record_keras_mask_evidence(adapter) -> None:
    """The families' KERAS_MASK_EVIDENCE (in their tensorflow.py): evidence on the masked twins,
    which exist once derive_keras_mask_paths ran; recorded once."""
    for ev in family_lists("tensorflow", "KERAS_MASK_EVIDENCE"):
        ev = {"convention": KEPT_COUNT, "versions": SEEN_ON, "link": KERAS_MASK_DOC, **ev}
        if not any(e.path == ev["path"] and e.case == ev["case"]
                   and e.convention == ev["convention"] for e in adapter.evidence):
            adapter.saw(ev.pop("convention"), **ev)


COMPILE_NOTES = ("compiled twins run float32 and float64, the dtypes the benchmarks time, on "
                 "representative cases (conformance/checks.py representative)")


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load): sample
    weights composed, the masked twins of the Keras classes' weighted paths (and their
    evidence), then two compiled twins of each path the benchmarks time, the forward and the
    tape-and-gradient step each one tf.function: "<name>+function" (graph mode, what the
    compiled benchmarks time) and "<name>+xla" (jit_compile=True)."""
    derive_sample_weight_paths(adapter, weighted_reduce)
    derive_keras_mask_paths(adapter)
    record_keras_mask_evidence(adapter)
    backend = adapter.backend
    for suffix, jit in (("+function", None), ("+xla", True)):
        derive_compiled_paths(
            adapter, suffix, functools.partial(backend.compile, jit_compile=jit),
            step=functools.partial(backend.compile_value_and_grad, jit_compile=jit),
            call="tf.function({call}" + (", jit_compile=True)" if jit else ")"),
            notes=COMPILE_NOTES, known_failures=compiled_known_failures("tensorflow"))
