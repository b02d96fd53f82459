"""The base class every benchmark suite shares, and what it needs: adapters from the registry,
problem sizes, a memory budget, device synchronisation, compilation, and the limits (minimum
bytes moved, minimum operations, measured machine memory bandwidth).

The parameter grid is fixed here and never depends on what is installed: a combination that
cannot run raises NotImplementedError in `setup`, which asv records as skipped (n/a).
"""
from __future__ import annotations

import abc
import functools
import importlib
import os
import statistics
import sys
import threading
import time

import numpy as np

# The adapters measured are the ones next to these benchmarks (the checkout asv runs), the same
# paths the conformance suite checks; the project is not installed into asv's environments.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from adapters import registry  # noqa: E402
from adapters.spec import LOSSES  # noqa: E402

ADAPTERS = ("reference", "torch", "tensorflow", "jax")
DTYPES = ("float32", "float64")
DEVICES = ("cpu", "cuda")
MODES = ("eager", "compiled")
# modules that declare adapters; the tensorflow and jax ones may not exist yet in a checkout
ADAPTER_MODULES = ("adapters.numpy_reference", "adapters.pytorch", "adapters.tensorflow",
                   "adapters.jax_optax")
# distributions the versions of each adapter's framework are read from (importlib.metadata)
DISTRIBUTIONS = {"reference": ("numpy",), "torch": ("torch",),
                 "tensorflow": ("tensorflow", "tensorflow-cpu", "keras"),
                 "jax": ("jax", "jaxlib", "optax")}

# (N, C): small is the seeds' shape; the vocabulary sizes are a language model's output layer
SIZES = {"small": (3, 5), "medium": (256, 1000),
         "vocab_32k": (4096, 32768), "vocab_128k": (8192, 131072)}
MEMORY_FRACTION = 0.5   # of MemAvailable: leave room for the frameworks' own allocations
# live arrays per input element, in units of the dtype's size: input, softmax/log-softmax
# intermediate, gradient, cotangent, one temporary. NumPy's reference keeps more float64 temps.
WORKING_SET = {"reference": 12}
DEFAULT_WORKING_SET = 6


# ---------------------------------------------------------------- adapters

@functools.lru_cache(maxsize=None)
def load_adapters() -> dict:
    """Import every adapter module that exists; importing one registers its adapter."""
    names = list(ADAPTER_MODULES)
    try:
        names += [m for m in importlib.import_module("adapters").BUILTIN.values() if m not in names]
    except AttributeError:
        pass
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:     # the module exists but something it imports does not
                raise
    return registry.adapters()


def get_adapter(name: str):
    adapters = load_adapters()
    if name not in adapters:
        raise NotImplementedError(f"no adapter {name!r} registered in this checkout "
                                  f"(registered: {', '.join(adapters)})")
    adapter = adapters[name]
    why = adapter.backend.unavailable()
    if why:
        raise NotImplementedError(why)
    return adapter


def choose_path(adapter, loss: str, encoding: str, dtype: str):
    """The path measured: the first native path (the framework's own loss call) that takes the
    encoding and dtype, else the first composed one; declaration order in the adapter decides."""
    paths = [p for p in adapter.paths_for(loss) if encoding in p.encodings and dtype in p.dtypes]
    for path in sorted(paths, key=lambda p: p.kind != "native"):
        return path
    raise NotImplementedError(f"{adapter.name} declares no path for {loss} with {encoding} "
                              f"targets in {dtype}")


def resolve_device(adapter, device: str) -> str:
    available = adapter.backend.devices()
    for name in ((device,) if device == "cpu" else ("cuda", "gpu")):
        if name in available:
            return name
    raise NotImplementedError(f"{adapter.name}: no {device} device here "
                              f"(devices: {', '.join(available)})")


def versions(adapter_name: str) -> dict[str, str]:
    """Installed versions, read without importing the framework."""
    from importlib import metadata
    out = {}
    for dist in DISTRIBUTIONS[adapter_name]:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


# ---------------------------------------------------------------- memory

def available_memory() -> int:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def check_memory(adapter: str, shape, dtype: str) -> None:
    elements = int(np.prod(shape))
    need = elements * (4 + np.dtype(dtype).itemsize * WORKING_SET.get(adapter, DEFAULT_WORKING_SET))
    budget = int(MEMORY_FRACTION * available_memory())
    if need > budget:
        raise NotImplementedError(f"{shape} {dtype} needs about {need / 2**30:.1f} GiB for "
                                  f"{adapter}; budget is {budget / 2**30:.1f} GiB "
                                  f"({MEMORY_FRACTION:.0%} of available memory)")


# ---------------------------------------------------------------- compile and synchronise

def compile_fn(adapter_name: str, fn):
    """The framework's compiler around fn; compilation itself happens at the first call."""
    if adapter_name == "torch":
        import torch
        return torch.compile(fn)
    if adapter_name == "tensorflow":
        import tensorflow as tf
        return tf.function(fn, autograph=False)   # the paths are plain TF ops
    if adapter_name == "jax":
        import jax
        return jax.jit(fn)
    raise NotImplementedError(f"{adapter_name} has no compiled mode")


def synchronizer(adapter_name: str, device: str):
    """A function that returns only when the device has finished computing `out`."""
    if adapter_name == "torch":
        import torch
        if device != "cpu":
            return lambda out: torch.cuda.synchronize()
        return lambda out: None          # CPU ops have finished when they return
    if adapter_name == "jax":
        import jax
        return jax.block_until_ready
    if adapter_name == "tensorflow":
        import tensorflow as tf
        sync = getattr(getattr(tf.test, "experimental", None), "sync_devices", None)
        if device != "cpu" and sync is not None:
            return lambda out: sync()
        # converting the result waits for it (a scalar for reduced losses)
        return lambda out: [t.numpy() for t in tf.nest.flatten(out) if hasattr(t, "numpy")]
    return lambda out: None


# ---------------------------------------------------------------- limits

# Limits of losses defined in a family's own benchmark module, registered there:
# loss -> (min_bytes(shape, dtype, backward), min_ops(shape, backward)), meanings as below.
FAMILY_LIMITS: dict = {}

# losses that read an input and a target of its shape and (by default) write one scalar
ELEMENTWISE = ("l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "kl_div")


def min_bytes(loss: str, shape, dtype: str, backward: bool) -> int:
    """Bytes a loss must move at least: each input read once, the output written once, and
    for forward+backward the gradient written too (a fused kernel reads inputs only once).
    Index targets are int64; a reduced loss writes one element."""
    if loss in FAMILY_LIMITS:
        return FAMILY_LIMITS[loss][0](shape, dtype, backward)
    n, c = shape
    s = np.dtype(dtype).itemsize
    x = n * c * s
    if loss in ("cross_entropy",):
        total = x + 8 * n + s
    elif loss == "nll_loss":
        total = n * s + 8 * n + s          # only the targets' entries of the input are read
    elif loss in ("binary_cross_entropy", "binary_cross_entropy_with_logits") + ELEMENTWISE:
        total = 2 * x + s                  # input and target read, one scalar written
    else:                                  # softmax, log_softmax: the full output is written
        total = 2 * x + (x if backward else 0)   # backward also reads the cotangent
    return total + (x if backward else 0)


def min_ops(loss: str, shape, backward: bool) -> int:
    """Arithmetic operations a loss must do at least, counting exp/log as one each.
    Cross-entropy per element: max, subtract, exp, add (log-sum-exp); backward: exp/sum and
    the scale by 1/N (the one-hot subtraction is per row)."""
    if loss in FAMILY_LIMITS:
        return FAMILY_LIMITS[loss][1](shape, backward)
    n, c = shape
    e = n * c
    forward = {"cross_entropy": 4 * e + 3 * n, "nll_loss": 2 * n,
               "binary_cross_entropy": 6 * e, "binary_cross_entropy_with_logits": 7 * e,
               "softmax": 5 * e, "log_softmax": 5 * e,
               # subtract, abs or square, (compare and select for the two-branch losses), add
               "l1_loss": 3 * e, "mse_loss": 3 * e, "smooth_l1_loss": 5 * e, "huber_loss": 5 * e,
               "kl_div": 4 * e}[loss]        # kl_div: log t, subtract, multiply, add
    grad = {"cross_entropy": 3 * e + n, "nll_loss": e + n,
            "binary_cross_entropy": 4 * e, "binary_cross_entropy_with_logits": 4 * e,
            "softmax": 4 * e, "log_softmax": 3 * e,
            "l1_loss": 2 * e, "mse_loss": 2 * e, "smooth_l1_loss": 3 * e, "huber_loss": 3 * e,
            "kl_div": e}[loss]
    return forward + (grad if backward else 0)


def _copy_rate(dst, src, threads: int) -> float:
    chunks = np.array_split(np.arange(src.size), threads)
    bounds = [(int(c[0]), int(c[-1]) + 1) for c in chunks if c.size]

    def work(lo, hi):
        np.copyto(dst[lo:hi], src[lo:hi])   # NumPy releases the GIL while copying
    workers = [threading.Thread(target=work, args=b) for b in bounds]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return 2 * src.nbytes / (time.perf_counter() - start)   # read + write


def measure_bandwidth(nbytes: int = 256 * 2**20, repeats: int = 5) -> float:
    """Machine memory bandwidth in bytes/s: best of a large NumPy copy, with as many threads as
    cores (a framework uses them all), arrays far larger than any cache."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    threads = os.cpu_count() or 1
    return max(_copy_rate(dst, src, t) for t in {1, threads} for _ in range(repeats))


def median_time(fn, min_total: float = 0.2, min_repeats: int = 5, max_repeats: int = 100) -> float:
    times = []
    while len(times) < min_repeats or (sum(times) < min_total and len(times) < max_repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------- the base class

class LossBenchmark(abc.ABC):
    """One loss: params adapter x loss x size x dtype x device x mode.

    `setup` builds the data once, compiles and warms up (outside the timed region). The timed
    callables end with a device synchronisation. Subclasses set `loss`, `sizes` and `make_inputs`.
    """
    loss = ""
    sizes = ("small", "medium")
    encoding = "none"
    timeout = 600            # large sizes and torch.compile warm-up are slow on 2 cores
    param_names = ["adapter", "loss", "size", "dtype", "device", "mode"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.params = [list(ADAPTERS), [cls.loss], list(cls.sizes), list(DTYPES), list(DEVICES),
                      list(MODES)]

    def setup_cache(self):
        # measured once per suite and run, in the same environment as the benchmarks
        return {"bandwidth": measure_bandwidth()}

    @abc.abstractmethod   # abstract: asv does not collect the base class itself
    def make_inputs(self, rng, shape, dtype) -> list:
        """NumPy arrays of the loss's inputs, in spec order."""

    def setup(self, cache, adapter, loss, size, dtype, device, mode):
        ad = get_adapter(adapter)
        dev = resolve_device(ad, device)
        if adapter == "reference" and (dtype != "float64" or mode != "eager"):
            raise NotImplementedError("the reference computes in float64, eagerly, only")
        path = choose_path(ad, loss, self.encoding, dtype)
        self.shape = SIZES[size]
        check_memory(adapter, self.shape, dtype)
        backend = ad.backend
        spec = LOSSES[loss]
        inputs = self.make_inputs(np.random.default_rng(0), self.shape, dtype)
        args = [backend.asarray(a, dtype, dev) for a in inputs]
        kwargs = {k: v for k, v in spec.defaults().items() if k in path.params}
        fn = functools.partial(path.fn, **kwargs)
        # cotangent: ones of the output's shape (1 for a reduced loss), read from one call
        out_shape = np.shape(backend.to_numpy(fn(*args)))
        cotangent = np.ones(out_shape, dtype=np.float64).astype(dtype)

        wrt = tuple(spec.inputs.index(n) for n in spec.differentiable)

        def value_and_grad(*a):
            return backend.value_and_grad(fn, list(a), cotangent, wrt)
        forward, both = fn, value_and_grad
        if mode == "compiled":
            forward, both = compile_fn(adapter, fn), _compiled_grad(adapter, fn, backend,
                                                                      cotangent, wrt)
        sync = synchronizer(adapter, dev)
        self.forward = lambda: sync(forward(*args))
        self.forward_backward = lambda: sync(both(*args))
        for _ in range(2):   # compile and warm up here, not in the timed region
            self.forward()
            self.forward_backward()
        self.bandwidth = cache["bandwidth"]
        self.dtype = dtype

    def time_forward(self, *params):
        self.forward()

    def time_forward_backward(self, *params):
        self.forward_backward()

    def peakmem_forward_backward(self, *params):
        self.forward_backward()

    def track_bandwidth_fraction_forward(self, *params):
        return self._fraction(self.forward, backward=False)

    def track_bandwidth_fraction_forward_backward(self, *params):
        return self._fraction(self.forward_backward, backward=True)

    def _fraction(self, fn, backward):
        achieved = min_bytes(self.loss, self.shape, self.dtype, backward) / median_time(fn)
        return achieved / self.bandwidth

    track_bandwidth_fraction_forward.unit = "fraction of measured memory bandwidth"
    track_bandwidth_fraction_forward_backward.unit = "fraction of measured memory bandwidth"


def _compiled_grad(adapter: str, fn, backend, cotangent, wrt):
    """Compile the whole value-and-gradient where the framework can trace the backend's
    gradient (tf.function, jax.jit); torch.compile compiles the loss and autograd runs its
    compiled backward."""
    if adapter == "torch":
        compiled = compile_fn(adapter, fn)
        return lambda *a: backend.value_and_grad(compiled, list(a), cotangent, wrt)
    return compile_fn(adapter, lambda *a: backend.value_and_grad(fn, list(a), cotangent, wrt))


class Limits(abc.ABC):
    """What any implementation must do at least, per loss, size and dtype (no framework runs).
    `sizes_for` maps each loss of the family to its sizes; other sizes are skipped."""
    param_names = ["loss", "size", "dtype"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        sizes = [s for s in SIZES if any(s in v for v in cls.sizes_for.values())]
        cls.params = [list(cls.sizes_for), sizes, list(DTYPES)]

    @property
    @abc.abstractmethod   # abstract: asv does not collect the base class itself
    def sizes_for(self) -> dict:
        """Class attribute in subclasses: {loss: sizes}."""

    def setup(self, loss, size, dtype):
        if size not in self.sizes_for[loss]:
            raise NotImplementedError(f"size {size} is not benchmarked for {loss}")

    def track_min_bytes_forward(self, loss, size, dtype):
        return min_bytes(loss, SIZES[size], dtype, backward=False)

    def track_min_bytes_forward_backward(self, loss, size, dtype):
        return min_bytes(loss, SIZES[size], dtype, backward=True)

    def track_min_ops_forward(self, loss, size, dtype):
        return min_ops(loss, SIZES[size], backward=False)

    def track_min_ops_forward_backward(self, loss, size, dtype):
        return min_ops(loss, SIZES[size], backward=True)

    track_min_bytes_forward.unit = "bytes"
    track_min_bytes_forward_backward.unit = "bytes"
    track_min_ops_forward.unit = "operations (exp, log count 1)"
    track_min_ops_forward_backward.unit = "operations (exp, log count 1)"


if __name__ == "__main__":
    # python -m benchmarks.common: which path each adapter's benchmarks measure
    from benchmarks import bench_classification as family
    for cls in (family.CrossEntropy, family.NllLoss, family.BinaryCrossEntropy,
                family.BinaryCrossEntropyWithLogits, family.Softmax, family.LogSoftmax):
        for name, adapter in load_adapters().items():
            for dtype in DTYPES:
                try:
                    print(f"{cls.loss:34s} {dtype:8s} {choose_path(adapter, cls.loss, cls.encoding, dtype).id}")
                except NotImplementedError as err:
                    print(f"{cls.loss:34s} {dtype:8s} {name}: {err}")
