"""Misuse: the wrong target encoding or an invalid class index passed to a framework's loss.

Each entry is a positive statement of what the framework does: it raises (exception type and
message pattern), or it silently returns a number, in which case the entry says how the
framework reinterpreted the input and the reference computes exactly that number. Probed on
torch 2.13.0, tensorflow 2.21.0 / keras 3.15.1, jax 0.10.2 / optax 0.2.8.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from adapters import reference

# The seed's 3x3 example (000_fd22db6a8044b2f9.txt); N == C, so a class-index vector broadcasts
# against the logits, which is how some APIs return a number instead of an error.
X = np.array([[0.9, 0.2, 0.8], [0.5, 0.2, 0.4], [0.4, 0.2, 0.9]])
T = np.array([0, 1, 2])
ONE_HOT = np.eye(3)[T]
SPATIAL_X = np.random.default_rng(60).normal(size=(2, 3, 4, 5))           # (N, C, H, W)
SPATIAL_T = np.random.default_rng(61).integers(0, 3, size=(2, 4, 5))     # (N, H, W)


@dataclass(frozen=True)
class Misuse:
    framework: str          # the module that must be importable
    name: str
    call: str               # the exact call, as a user would write it
    run: Callable           # makes the call; returns the framework's result
    raises: str = ""        # exception class name ...
    match: str = ""         # ... and a substring of its message
    returns: Callable | None = None   # the reference's value of the silent reinterpretation
    reinterpretation: str = ""

    @property
    def id(self) -> str:
        return f"{self.framework}:{self.name}"


def _m(name):
    return importlib.import_module(name)


def _ce(x, target, encoding):
    # the definition's formula applied where the framework applies it: a misread target may lie
    # outside the domain (class indices read as probabilities of 2.0), so no validation
    return reference.evaluate("cross_entropy", {"input": x, "target": target},
                              {"reduction": "none"}, encoding, validate=False).value


def _torch(f):
    def run():
        torch = _m("torch")
        return f(torch, _m("torch.nn.functional"))
    return run


def _tf(f):
    def run():
        return f(_m("tensorflow"), _m("keras"))
    return run


def _jax(f):
    def run():
        jax = _m("jax")
        jax.config.update("jax_enable_x64", True)
        return f(_m("jax.numpy"), _m("optax"))
    return run


MISUSES = [
    # ---------------------------------------------------------------- torch: all raise
    Misuse("torch", "one-hot-to-nll_loss", "F.nll_loss(x, one_hot_float)",
           _torch(lambda t, F: F.nll_loss(t.tensor(X), t.tensor(ONE_HOT))),
           "RuntimeError", "0D or 1D target tensor expected, multi-target not supported"),
    Misuse("torch", "one-hot-long-to-cross_entropy", "F.cross_entropy(x, one_hot.long())",
           _torch(lambda t, F: F.cross_entropy(t.tensor(X), t.tensor(ONE_HOT).long())),
           "RuntimeError", "Expected floating point type for target with class probabilities"),
    Misuse("torch", "float-index-to-cross_entropy", "F.cross_entropy(x, index.double())",
           _torch(lambda t, F: F.cross_entropy(t.tensor(X), t.tensor(T).double())),
           "RuntimeError", "expected target dtype to be Long or Byte"),
    Misuse("torch", "spatial-4d-one-hot-target", "F.cross_entropy(x_NCHW, one_hot(t_NHW, C))",
           _torch(lambda t, F: F.cross_entropy(t.tensor(SPATIAL_X),
                                               F.one_hot(t.tensor(SPATIAL_T), 3))),
           "RuntimeError", "only batches of spatial targets supported (3D tensors) but got "
                           "targets of dimension: 4"),
    Misuse("torch", "channels-last-input", "F.cross_entropy(x_NHWC, t_NHW)",
           _torch(lambda t, F: F.cross_entropy(t.tensor(SPATIAL_X).permute(0, 2, 3, 1),
                                               t.tensor(SPATIAL_T))),
           "RuntimeError", "size mismatch (got input: [2, 4, 5, 3] , target: [2, 4, 5]"),
    Misuse("torch", "class-index-out-of-range", "F.cross_entropy(x, tensor([0, 1, 3]))",
           _torch(lambda t, F: F.cross_entropy(t.tensor(X), t.tensor([0, 1, 3]))),
           "IndexError", "Target 3 is out of bounds."),
    Misuse("torch", "negative-class-index", "F.cross_entropy(x, tensor([0, -1, 2]))",
           _torch(lambda t, F: F.cross_entropy(t.tensor(X), t.tensor([0, -1, 2]))),
           "IndexError", "Target -1 is out of bounds."),
    Misuse("torch", "index-to-binary_cross_entropy", "F.binary_cross_entropy(p, index_long)",
           _torch(lambda t, F: F.binary_cross_entropy(t.sigmoid(t.tensor(X[:, 0])), t.tensor(T))),
           "RuntimeError", "Found dtype Long but expected Double"),
    # ---------------------------------------------------------------- tensorflow / keras
    Misuse("tensorflow", "one-hot-to-sparse", "tf.nn.sparse_softmax_cross_entropy_with_logits("
           "one_hot, x)",
           _tf(lambda tf, k: tf.nn.sparse_softmax_cross_entropy_with_logits(
               tf.constant(ONE_HOT.astype(np.int64)), tf.constant(X))),
           "ValueError", "`labels.shape.rank` must equal `logits.shape.rank - 1`"),
    Misuse("tensorflow", "index-to-softmax_cross_entropy",
           "tf.nn.softmax_cross_entropy_with_logits(index.astype(float), x)  # N == C",
           _tf(lambda tf, k: tf.nn.softmax_cross_entropy_with_logits(
               tf.constant(T.astype(np.float64)), tf.constant(X))),
           returns=lambda: _ce(X, np.broadcast_to(T.astype(float), X.shape), "probs"),
           reinterpretation="the index vector [0, 1, 2] broadcasts as one (unnormalised) "
                            "probability row for every sample"),
    Misuse("tensorflow", "class-index-out-of-range",
           "tf.nn.sparse_softmax_cross_entropy_with_logits([0, 1, 3], x)  # on CPU",
           _tf(lambda tf, k: tf.nn.sparse_softmax_cross_entropy_with_logits(
               tf.constant([0, 1, 3]), tf.constant(X))),
           "InvalidArgumentError", "Received a label value of 3 which is outside the valid range"),
    Misuse("tensorflow", "keras-one-hot-to-sparse",
           "keras.losses.SparseCategoricalCrossentropy(from_logits=True)(one_hot, x)",
           _tf(lambda tf, k: k.losses.SparseCategoricalCrossentropy(from_logits=True)(ONE_HOT, X)),
           "ValueError", "must have rank (ndim) `target.ndim - 1`"),
    Misuse("tensorflow", "keras-index-to-categorical",
           "keras.losses.CategoricalCrossentropy(from_logits=True)(index, x)",
           _tf(lambda tf, k: k.losses.CategoricalCrossentropy(from_logits=True)(
               T.astype(float), X)),
           "ValueError", "must have the same rank (ndim)"),
    # ---------------------------------------------------------------- jax / optax
    Misuse("jax", "one-hot-to-integer-labels",
           "optax.softmax_cross_entropy_with_integer_labels(x, one_hot)",
           _jax(lambda jnp, optax: optax.softmax_cross_entropy_with_integer_labels(
               jnp.array(X), jnp.array(ONE_HOT.astype(np.int64)))),
           "ValueError", "indices and arr must have the same number of dimensions"),
    Misuse("jax", "float-index-to-integer-labels",
           "optax.softmax_cross_entropy_with_integer_labels(x, index.astype(float))",
           _jax(lambda jnp, optax: optax.softmax_cross_entropy_with_integer_labels(
               jnp.array(X), jnp.array(T.astype(float)))),
           "TypeError", "subdtype of <class 'numpy.integer'>"),
    Misuse("jax", "index-to-softmax_cross_entropy",
           "optax.softmax_cross_entropy(x, index.astype(float))  # N == C",
           _jax(lambda jnp, optax: optax.softmax_cross_entropy(jnp.array(X),
                                                               jnp.array(T.astype(float)))),
           returns=lambda: _ce(X, np.broadcast_to(T.astype(float), X.shape), "probs"),
           reinterpretation="the index vector broadcasts as one probability row per sample"),
    Misuse("jax", "class-index-out-of-range",
           "optax.softmax_cross_entropy_with_integer_labels(x, [0, 1, 3])",
           _jax(lambda jnp, optax: optax.softmax_cross_entropy_with_integer_labels(
               jnp.array(X), jnp.array([0, 1, 3]))),
           returns=lambda: np.where([True, True, False], _ce(X, np.array([0, 1, 0]), "index"),
                                    np.nan),
           reinterpretation="an out-of-range label gives nan for its sample, no error"),
    Misuse("jax", "negative-class-index",
           "optax.softmax_cross_entropy_with_integer_labels(x, [0, -1, 2])",
           _jax(lambda jnp, optax: optax.softmax_cross_entropy_with_integer_labels(
               jnp.array(X), jnp.array([0, -1, 2]))),
           returns=lambda: _ce(X, np.array([0, 2, 2]), "index"),
           reinterpretation="label -1 counts from the end (class C-1), like Python indexing"),
]
