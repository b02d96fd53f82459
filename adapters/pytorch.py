"""The `torch` adapter's backend: NumPy <-> torch tensors, devices, autograd, torch.compile and
CUDA synchronisation, and what every family's torch paths share.

torch is imported when a path runs, never at import of this module (`torch`, `F` and `nn` below
are LazyModules), so collection works without it. The paths live in
adapters/families/<family>/pytorch.py; adapters.load() registers them.
"""
from __future__ import annotations

import os
import sys

import numpy as np

from . import cache_folder, compiled_known_failures
from .definitions import WEIGHTED_MEAN
from .registry import (
    LazyModule,
    declare_adapter,
    derive_compiled_paths,
    derive_sample_weight_paths,
)

RECOMPILE_LIMIT = 16
INSTALL_HINT = "pip install torch==2.13.0  (or: pip install -e '.[torch]')"
SEEN_ON = "torch 2.13.0+cpu, float64 and float32"      # where the recorded evidence was seen
TORCH_DOCS = "https://pytorch.org/docs/stable/generated/torch.nn.{}.html"

def _inductor_cache():
    """inductor's compiled kernels (C++ on CPU, seconds a graph) kept with the project's other
    caches, unless a cache folder is set: a warm run reads them back."""
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", cache_folder("torchinductor"))


torch = LazyModule("torch", setup=_inductor_cache)
F = LazyModule("torch.nn.functional", setup=_inductor_cache)
nn = LazyModule("torch.nn", setup=_inductor_cache)


class TorchBackend:
    """NumPy <-> torch tensors, devices and autograd. Reusable by plug-in adapters."""

    def unavailable(self):
        try:
            self.versions()     # imports torch
        except ImportError as err:
            return f"torch is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"torch": torch.__version__}

    def devices(self):
        return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])

    def asarray(self, array, dtype, device):
        a = np.asarray(array)
        kind = torch.int64 if np.issubdtype(a.dtype, np.integer) else getattr(torch, dtype)
        return torch.as_tensor(a).to(device=device, dtype=kind)

    def to_numpy(self, value):
        return value.detach().to(device="cpu", dtype=torch.float64).numpy()

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        # new leaves on the same storage (no copy) for the inputs differentiated
        args = [a.detach().requires_grad_(True) if i in wrt else a for i, a in enumerate(args)]
        out = fn(*args)
        v = torch.as_tensor(np.asarray(cotangent)).to(device=out.device, dtype=out.dtype)
        grads = torch.autograd.grad(out, [args[i] for i in wrt], grad_outputs=v,
                                    allow_unused=True)
        return out, tuple(torch.zeros_like(args[i]) if g is None else g
                          for i, g in zip(wrt, grads, strict=True))

    def compile(self, fn):
        """torch.compile: the forward is compiled, and autograd runs its compiled backward. Past
        dynamo's recompile limit (8 graphs of one function by default) a call would silently
        run eagerly: an error instead, so no eager call is checked or timed as compiled. The
        limit is raised to RECOMPILE_LIMIT: one path's checks compile up to 10 graphs (each
        case and dtype, with and without gradient), released when they are done."""
        config = torch._dynamo.config
        config.fail_on_recompile_limit_hit = True
        config.recompile_limit = max(config.recompile_limit, RECOMPILE_LIMIT)
        return torch.compile(fn)

    def release(self):
        """Drop what torch.compile compiled (the conformance suite calls it when a path's checks
        are done); inductor's cache on disk stays."""
        if "torch._dynamo" in sys.modules:      # nothing was compiled otherwise
            torch._dynamo.reset()

    def synchronize(self, value, device):
        if device != "cpu":
            torch.cuda.synchronize()     # CPU ops have finished when they return


adapter = declare_adapter("torch", TorchBackend(), "PyTorch: torch.nn.functional and torch.nn")
path = adapter.path


def reduce(losses, reduction):
    """PyTorch's reductions of an unreduced loss: 'mean' divides by the number of elements."""
    return {"none": lambda: losses, "sum": losses.sum, "mean": losses.mean}[reduction]()


def weights_like(weight, x):
    """Sample weights broadcast to x's shape, their axes x's leading ones (what a library path
    turns into the library's own weight or mask argument)."""
    return torch.broadcast_to(weight.reshape(tuple(weight.shape) + (1,) * (x.ndim - weight.ndim)),
                              x.shape)


def weighted_reduce(losses, weight, reduction, batch):
    """Sample weights on an unreduced loss, as a user writes them: the weight's axes are the
    loss's leading ones ((N,) per sample), 'weighted_mean' divides by the broadcast weights' sum,
    'batchmean' by the batch size."""
    w = weight.reshape(tuple(weight.shape) + (1,) * (losses.dim() - weight.dim()))
    weighted = losses * w
    if reduction == WEIGHTED_MEAN:
        return weighted.sum() / w.expand_as(losses).sum()
    if reduction == "batchmean":
        return weighted.sum() / batch
    return reduce(weighted, reduction)


# torch.compile (inductor, C++ on CPU) takes seconds per graph; the twins run float32 and float64
COMPILE_NOTES = ("compiled twins run float32 and float64, the dtypes the benchmarks time, on "
                 "representative cases (conformance/checks.py representative)")


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load): sample
    weights composed, then "<name>+compile", torch.compile of each path the benchmarks time,
    its gradient autograd through the compiled forward's backward (as the compiled benchmarks
    run it)."""
    derive_sample_weight_paths(adapter, weighted_reduce)
    derive_compiled_paths(adapter, "+compile", adapter.backend.compile,
                          call="torch.compile({call})", notes=COMPILE_NOTES,
                          known_failures=compiled_known_failures("pytorch"))
