"""Layout checks: PyTorch takes spatial class scores channels-first (N, C, H, W); TensorFlow/Keras
and optax take them channels-last (N, H, W, C). Each framework's native call on its own layout
must equal the reference on the channels-first data, value and gradient (transposed back)."""
import importlib

import numpy as np
import pytest

from adapters import reference
from conformance.assertions import Context, assert_close
from conformance.tolerances import DEFAULTS

X = np.random.default_rng(70).normal(size=(2, 3, 4, 5))          # (N, C, H, W)
T = np.random.default_rng(71).integers(0, 3, size=(2, 4, 5))      # (N, H, W)
COTANGENT = np.random.default_rng(72).normal(size=T.shape)
CHANNELS_LAST = (0, 2, 3, 1)
CHANNELS_FIRST = (0, 3, 1, 2)

# (adapter module, name, call, channels_last, fn(x, t, framework modules) -> losses (N, H, W))
LAYOUTS = [
    ("adapters.pytorch", "torch-channels-first",
     "F.cross_entropy(x_NCHW, t_NHW, reduction='none')", False,
     lambda x, t, m: m("torch.nn.functional").cross_entropy(x, t, reduction="none")),
    ("adapters.tensorflow", "tf.nn-channels-last",
     "tf.nn.sparse_softmax_cross_entropy_with_logits(t_NHW, x_NHWC)", True,
     lambda x, t, m: m("tensorflow").nn.sparse_softmax_cross_entropy_with_logits(t, x)),
    ("adapters.tensorflow", "keras-channels-last",
     "keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None, "
     "dtype='float64')(t_NHW, x_NHWC)", True,
     lambda x, t, m: m("keras").losses.SparseCategoricalCrossentropy(
         from_logits=True, reduction=None, dtype="float64")(t, x)),
    ("adapters.jax_optax", "optax-channels-last",
     "optax.softmax_cross_entropy_with_integer_labels(x_NHWC, t_NHW)", True,
     lambda x, t, m: m("optax").softmax_cross_entropy_with_integer_labels(x, t)),
    # the class axis named where it is (the canonical `axis`), not moved by the caller
    ("adapters.jax_optax", "optax-axis=1",
     "optax.softmax_cross_entropy_with_integer_labels(x_NCHW, t_NHW, axis=1)", False,
     lambda x, t, m: m("optax").softmax_cross_entropy_with_integer_labels(x, t, axis=1)),
    ("adapters.pytorch", "torch-movedim-channels-last",
     "F.cross_entropy(torch.movedim(x_NHWC, -1, 1), t_NHW, reduction='none')", True,
     lambda x, t, m: m("torch.nn.functional").cross_entropy(m("torch").movedim(x, -1, 1), t,
                                                           reduction="none")),
]


@pytest.mark.parametrize("module, name, call, last, fn", LAYOUTS, ids=[e[1] for e in LAYOUTS])
def test_layout(module, name, call, last, fn, reproduce_test):
    backend = importlib.import_module(module).adapter.backend
    why = backend.unavailable()
    if why:
        pytest.skip(why)
    x = np.transpose(X, CHANNELS_LAST) if last else X
    args = [backend.asarray(x, "float64", "cpu"), backend.asarray(T, "float64", "cpu")]
    value, (grad,) = backend.value_and_grad(lambda a, b: fn(a, b, importlib.import_module),
                                         args, COTANGENT)
    grad = backend.to_numpy(grad)
    expected = reference.evaluate("cross_entropy", {"input": X, "target": T},
                                  {"reduction": "none"}, "index", cotangent=COTANGENT)
    ctx = Context(title=f"{name}: spatial cross-entropy differs from the reference",
                  call=call, case="layout: (2, 3, 4, 5) channels-first, targets (2, 4, 5)",
                  params="reduction=none", dtype_device="float64 on cpu",
                  expected_is="reference on the channels-first data",
                  reproduce=reproduce_test)
    assert_close(backend.to_numpy(value), expected.value, DEFAULTS["float64"], ctx)
    ctx.title = ctx.title.replace("cross-entropy", "cross-entropy gradient")
    assert_close(np.transpose(grad, CHANNELS_FIRST) if last else grad, expected.grad,
                 DEFAULTS["float64"], ctx)


def test_torch_nll_loss_moved_4d_input_backward_raises():
    """torch.nn.functional.nll_loss on a 4-D input whose class axis was moved to 1 (movedim, not
    contiguous) computes the value but its backward raises RuntimeError 'grad_input must be
    contiguous' (torch 2.13.0; pytorch/pytorch#175084, 3-D and 5-D inputs work): so the
    nll_loss/functional(movedim) path calls .contiguous(). When this test fails, torch has fixed
    it: drop the .contiguous() there and this test."""
    backend = importlib.import_module("adapters.pytorch").adapter.backend
    why = backend.unavailable()
    if why:
        pytest.skip(why)
    torch = importlib.import_module("torch")
    x = torch.as_tensor(np.ascontiguousarray(np.transpose(X, CHANNELS_LAST))).requires_grad_(True)
    loss = torch.nn.functional.nll_loss(torch.movedim(x, -1, 1), torch.as_tensor(T))
    with pytest.raises(RuntimeError, match="grad_input must be contiguous"):
        loss.backward()


def test_tf_softmax_cross_entropy_negative_axis_raises():
    """tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=-2) on 4-D logits raises
    InvalidArgumentError (TF 2.21.0; axis=2 works): the TF paths that end in it (Keras's
    from_logits=True too) refuse a negative class axis other than -1 (NEGATIVE_AXIS_REFUSED in
    adapters/families/classification/tensorflow.py). When this test fails, TF has fixed it: drop
    that refusal and this test."""
    backend = importlib.import_module("adapters.tensorflow").adapter.backend
    why = backend.unavailable()
    if why:
        pytest.skip(why)
    tf = importlib.import_module("tensorflow")
    labels = np.moveaxis(np.eye(3)[T], -1, 2)       # classes on axis 2 of 4: (N, H, C, W)
    logits = np.moveaxis(X, 1, 2)
    assert tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=2).shape == T.shape
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start <= limit"):
        tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=-2)
