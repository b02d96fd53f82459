"""The `paddle` adapter's backend: NumPy <-> paddle tensors, devices, paddle's autograd
(paddle.grad), and what every family's PaddlePaddle paths share.

PaddlePaddle is a framework of its own (not built on torch), so it has its own backend. paddle is
imported when a path runs, never at import of this module (`paddle`, `F` and `nn` are
LazyModules), so collection works without it and a missing paddle skips its checks with
INSTALL_HINT. The paths live in adapters/families/<family>/paddle_lib.py; adapters.load()
registers them.

No compiled mode: paddle.jit.to_static converts a function to a static program (dy2static) and
needs paddle's own control flow; the paths branch in Python on parameters and shapes, so this
backend declares no `compile` and the compiled benchmarks skip with that reason.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import warnings

import numpy as np

from .definitions import WEIGHTED_MEAN
from .registry import LazyModule, declare_adapter, derive_sample_weight_paths

INSTALL_HINT = "pip install paddlepaddle (or: pip install -e '.[ecosystem]')"
SEEN_ON = "paddlepaddle 3.3.1 (CPU build), float64 and float32"   # where the evidence was seen
PADDLE_DOCS = "https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/nn/{}_en.html"
# paddle's CPU kernels of these losses are registered for float32 and float64 only: float16
# raises "(NotFound) The kernel with key (CPU, Undefined(AnyLayout), float16) of kernel
# `cross_entropy_with_softmax` is not registered" (likewise `subtract`, `huber_loss`,
# `sigmoid_cross_entropy_with_logits`; bfloat16 `square`, `abs`), paddlepaddle 3.3.1 CPU
DTYPES = ["float64", "float32"]
NO_HALF = ("paddle's CPU loss kernels are registered for float32 and float64 only ((NotFound) "
           "kernel ... float16 is not registered)")


# Seen with paddlepaddle 3.3.1 and tensorflow 2.21.0 in one process: importing paddle after
# tensorflow segfaults while loading paddle's C extension (paddle/base/core.py, libpaddle), in
# either order of torch and jax; importing paddle first works. So adapters.load() imports paddle
# (derive_paths, below) before any path can import tensorflow, and an import after it is refused.
AFTER_TENSORFLOW = ("paddle cannot be imported after tensorflow in one process (loading its C "
                    "extension then segfaults, paddlepaddle 3.3.1 with tensorflow 2.21): run "
                    "adapters.load() first, which imports paddle, or run paddle in its own "
                    "process (--adapters paddle)")


def _setup():
    if "tensorflow" in sys.modules and "paddle" not in sys.modules:
        raise ImportError(AFTER_TENSORFLOW)
    # importing paddle warns that ccache is missing (paddle/utils/cpp_extension): a note for
    # building C++ extensions, which nothing here does
    warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)


paddle = LazyModule("paddle", setup=_setup)
F = LazyModule("paddle.nn.functional", setup=_setup)
nn = LazyModule("paddle.nn", setup=_setup)


def _place(device):
    return paddle.CUDAPlace(0) if device == "cuda" else paddle.CPUPlace()


class PaddleBackend:
    """NumPy <-> paddle tensors, devices and paddle.grad. Reusable by plug-in adapters."""

    def unavailable(self):
        try:
            self.versions()     # imports paddle
        except ImportError as err:
            return f"paddle is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"paddle": paddle.__version__}

    def devices(self):
        # the suite's device names (--device cpu|cuda): paddle calls its CUDA device "gpu"
        cuda = paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
        return ["cpu"] + (["cuda"] if cuda else [])

    def asarray(self, array, dtype, device):
        a = np.asarray(array)
        if np.issubdtype(a.dtype, np.integer):
            return paddle.to_tensor(a.astype(np.int64), place=_place(device))
        if dtype == "bfloat16":     # NumPy has no bfloat16: round from float32 in paddle
            return paddle.to_tensor(a.astype(np.float32), place=_place(device)).astype(dtype)
        return paddle.to_tensor(a.astype(dtype), place=_place(device))

    def to_numpy(self, value):
        return value.detach().cpu().astype("float64").numpy()

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        # new leaves sharing the inputs' storage for the inputs differentiated
        args = list(args)
        for i in wrt:
            args[i] = args[i].detach()
            args[i].stop_gradient = False
        out = fn(*args)
        v = paddle.to_tensor(np.asarray(cotangent), dtype=out.dtype, place=out.place)
        grads = paddle.grad([out], [args[i] for i in wrt], grad_outputs=[v], allow_unused=True)
        return out, tuple(paddle.zeros_like(args[i]) if g is None else g
                          for i, g in zip(wrt, grads, strict=True))

    def synchronize(self, value, device):
        if device != "cpu":     # CPU ops have finished when they return
            paddle.device.synchronize()


adapter = declare_adapter("paddle", PaddleBackend(),
                          "PaddlePaddle: paddle.nn.functional and paddle.nn loss classes")
path = adapter.path


def reduce(losses, reduction):
    """PyTorch's reductions of an unreduced loss: 'mean' divides by the number of elements."""
    return {"none": lambda: losses, "sum": losses.sum, "mean": losses.mean}[reduction]()


def weighted_reduce(losses, weight, reduction, batch):
    """Sample weights on an unreduced loss, as a user writes them (torch's weighted_reduce in
    paddle): the weight's axes are the loss's leading ones, 'weighted_mean' divides by the
    broadcast weights' sum, 'batchmean' by the batch size."""
    w = weight.reshape(list(weight.shape) + [1] * (losses.ndim - weight.ndim))
    weighted = losses * w
    if reduction == WEIGHTED_MEAN:
        return weighted.sum() / w.expand_as(losses).sum()
    if reduction == "batchmean":
        return weighted.sum() / batch
    return reduce(weighted, reduction)


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load); and paddle
    imported now, where it is installed, before a path imports tensorflow (AFTER_TENSORFLOW)."""
    derive_sample_weight_paths(adapter, weighted_reduce)
    if importlib.util.find_spec("paddle") is not None and "tensorflow" not in sys.modules:
        _setup()
        importlib.import_module("paddle")


# ---------------------------------------------------------------- losses without a paddle path

_LATER = ("paddle has {}; not yet a path here: its checks fail where conventions are still to be "
          "written ({})")
_NONE = "paddle.nn.functional and paddle.nn have no {} (a composition would test paddle's ops, " \
        "not a paddle loss)"
NO_PATHS = {
    "poly_loss_cross_entropy": _NONE.format("Poly-1 loss"),
    "categorical_generalized_cross_entropy": _NONE.format("generalized cross-entropy"),
    "linear_cross_entropy": _NONE.format("fused linear cross-entropy"),
    "jsd_cross_entropy": _NONE.format("Jensen-Shannon (AugMix) loss (only kl_div / KLDivLoss)"),
    "log_cosh": _NONE.format("log-cosh loss"),
    "mean_absolute_percentage_error": _NONE.format("MAPE loss"),
    "mean_squared_logarithmic_error": _NONE.format("MSLE loss"),
    "generalized_kl_divergence": _NONE.format("generalized KL divergence"),
    "hinge": _NONE.format("Keras-style hinge loss"),
    "squared_hinge": _NONE.format("squared hinge loss"),
    "categorical_hinge": _NONE.format("categorical hinge loss"),
    "circle": _NONE.format("circle loss"),
    "perceptron_loss": _NONE.format("perceptron loss"),
    "multiclass_perceptron_loss": _NONE.format("multiclass perceptron loss"),
    "multiclass_hinge_loss": _NONE.format("multiclass hinge loss"),
    "sparsemax_loss": _NONE.format("sparsemax loss"),
    "multiclass_sparsemax_loss": _NONE.format("multiclass sparsemax loss"),
    "categorical_focal_crossentropy": _NONE.format("categorical focal loss"),
    "tversky": _NONE.format("Tversky loss"),
    "generalized_dice": _NONE.format("generalized Dice loss"),
    "jaccard": _NONE.format("Jaccard (soft IoU) loss"),
    "lovasz_hinge": _NONE.format("Lovasz hinge loss"),
    "lovasz_softmax": _NONE.format("Lovasz-Softmax loss"),
}
for _loss, _why in NO_PATHS.items():
    adapter.no_path(_loss, _why)
