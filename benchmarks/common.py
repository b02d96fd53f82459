"""The base classes every benchmark suite shares, and what they need: adapters from the registry
(plug-ins included), problem sizes, a memory budget, the measured machine memory bandwidth, and a
median timer. Compiling and synchronising belong to each adapter's backend (adapters/registry.py
Backend); each loss's limit model (minimum bytes and operations) lives in its family's module.

The parameter grid is fixed at import and never depends on what is installed: a combination that
cannot run raises NotImplementedError in `setup`, which asv records as skipped (n/a).

A plug-in adapter is benchmarked like a built-in one: name its module in the environment variable
LOSSCONFORMANCE_ADAPTER (a dotted module name or a .py file; several separated by commas), as
`pytest conformance/ --adapter` takes it.
"""
from __future__ import annotations

import abc
import dataclasses
import functools
import os
import statistics
import sys
import threading
import time

import numpy as np

# The adapters measured are the ones next to these benchmarks (the checkout asv runs), the same
# paths the conformance suite checks; the project is not installed into asv's environments.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import adapters  # noqa: E402
from adapters import registry  # noqa: E402
from adapters.spec import LOSSES  # noqa: E402

from . import verify  # noqa: E402

PLUGIN_VARIABLE = "LOSSCONFORMANCE_ADAPTER"
DTYPES = ("float32", "float64")
DEVICES = ("cpu", "cuda")
MODES = ("eager", "compiled")

# (N, C): small is the seeds' shape; the vocabulary sizes are a language model's output layer
SIZES = {"small": (3, 5), "medium": (256, 1000),
         "vocab_32k": (4096, 32768), "vocab_128k": (8192, 131072)}
MEMORY_FRACTION = 0.5   # of MemAvailable: leave room for the frameworks' own allocations
# live arrays per input element, in units of the dtype's size: input, softmax/log-softmax
# intermediate, gradient, cotangent, one temporary. NumPy's reference keeps more float64 temps.
WORKING_SET = {"reference": 12}
DEFAULT_WORKING_SET = 6


# ---------------------------------------------------------------- adapters

def plugin_adapters() -> list[str]:
    """Names of the adapters declared by the modules named in LOSSCONFORMANCE_ADAPTER."""
    # asv runs benchmarks in a temporary folder: a relative name is looked up from the folder
    # asv was started in (the shell's PWD), then the repository root
    search = [f for f in (os.environ.get("PWD"), ROOT) if f]
    names = []
    for spec in filter(None, os.environ.get(PLUGIN_VARIABLE, "").split(",")):
        declared = registry.load_plugin(spec.strip(), search=search)
        if not declared:
            raise registry.RegistryError(f"{PLUGIN_VARIABLE}: {spec} declares no adapter "
                                         "(call adapters.registry.declare_adapter)")
        names += [a.name for a in declared]
    return names


@functools.cache
def adapter_names() -> tuple[str, ...]:
    """The benchmark grid's adapters: the built-in ones, then the plug-ins."""
    adapters.load()
    return (*adapters.BUILTIN, *plugin_adapters())


def get_adapter(name: str):
    adapter_names()
    known = registry.adapters()
    if name not in known:
        raise NotImplementedError(f"no adapter {name!r} registered in this checkout "
                                  f"(registered: {', '.join(known)})")
    adapter = known[name]
    why = adapter.backend.unavailable()
    if why:
        raise NotImplementedError(why)
    return adapter


def choose_path(adapter, loss: str, encoding: str, dtype: str):
    """The path measured: the first native path (the framework's own loss call) that takes the
    encoding and dtype, else the first composed one; declaration order in the adapter decides
    (registry.measured_path, which also chooses the paths given compiled twins)."""
    path = registry.measured_path(adapter, loss, encoding, dtype)
    if path is not None:
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


def _size_name(shape) -> str:
    return next((name for name, s in SIZES.items() if s == tuple(shape)), str(shape))


def check_memory(adapter: str, shape, dtype: str) -> None:
    elements = int(np.prod(shape))
    need = elements * (4 + np.dtype(dtype).itemsize * WORKING_SET.get(adapter, DEFAULT_WORKING_SET))
    budget = int(MEMORY_FRACTION * available_memory())
    if need > budget:
        raise NotImplementedError(f"{shape} {dtype} needs about {need / 2**30:.1f} GiB for "
                                  f"{adapter}; budget is {budget / 2**30:.1f} GiB "
                                  f"({MEMORY_FRACTION:.0%} of available memory)")


# ---------------------------------------------------------------- the machine's limit

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


# ---------------------------------------------------------------- the base classes

_PREPARED: dict = {}     # the prepared state of the benchmark this process runs, and its "key"


class LossBenchmark(abc.ABC):
    """One loss: params adapter x loss x size x dtype x device x mode.

    `setup` builds the data once per process, compiles and warms up (outside the timed region),
    and checks the timed calls against the reference on the same inputs. The timed callables end
    with a device synchronisation. Subclasses set `loss`, `sizes` and `make_inputs`,
    and state the loss's limit model: `min_bytes` (each input read once, the output written once,
    and for forward+backward the gradients written too) and `min_ops` (exp and log count one).
    """
    loss = ""
    sizes = ("small", "medium")
    encoding = "none"
    timeout = 600            # large sizes and torch.compile warm-up are slow on 2 cores
    sample_time = 0.01       # seconds per asv sample (asv's default), for `number` in prepare
    # asv's defaults sample 0.1 s of calls (5 samples in each of 2 processes) after 0.1 s of
    # warm-up: on this 2-core machine the first samples after setup run up to 30 % slower and
    # samples scatter by 20 % (benchmarks/fidelity.py), so warm up longer and take more samples
    warmup_time = 0.5
    repeat = (10, 25, 10.0)  # per process: at least 10 samples, at most 25, at most 10 s
    param_names = ["adapter", "loss", "size", "dtype", "device", "mode"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.params = [list(adapter_names()), [cls.loss], list(cls.sizes), list(DTYPES),
                      list(DEVICES), list(MODES)]

    def setup_cache(self):
        # measured once per suite and run, in the same environment as the benchmarks
        return {"bandwidth": measure_bandwidth()}

    @abc.abstractmethod   # abstract: asv does not collect the base class itself
    def make_inputs(self, rng, shape, dtype) -> list:
        """NumPy arrays of the loss's inputs, in spec order."""

    @staticmethod
    @abc.abstractmethod
    def min_bytes(shape, dtype: str, backward: bool) -> int:
        """Bytes the loss must move at least on inputs of `shape` (a SIZES value)."""

    @staticmethod
    @abc.abstractmethod
    def min_ops(shape, backward: bool) -> int:
        """Arithmetic operations the loss must do at least (exp, log count one each)."""

    def setup(self, cache, adapter, loss, size, dtype, device, mode):
        # asv (asv_runner >= 0.3, asv#966) re-runs setup before every timed call of a benchmark
        # with a setup method: rebuilding, recompiling and re-checking each time made every
        # timed call the first one after a full setup (up to 3x a warm call; benchmarks/fidelity
        # measures it). The calls are pure, so a re-run takes what the first one prepared.
        key = (type(self).__qualname__, adapter, loss, size, dtype, device, mode)
        if _PREPARED.get("key") != key:
            _PREPARED.clear()       # one benchmark at a time: keep one prepared state
            _PREPARED.update(self.prepare(adapter, loss, size, dtype, device, mode), key=key)
        vars(self).update({k: v for k, v in _PREPARED.items() if k != "key"})
        self.bandwidth = cache["bandwidth"]

    def prepare(self, adapter, loss, size, dtype, device, mode) -> dict:
        """Build the data, compile and warm up (outside the timed region), check the timed calls
        against the reference on the same inputs, and choose asv's `number`."""
        ad = get_adapter(adapter)
        dev = resolve_device(ad, device)
        if adapter == "reference" and (dtype != "float64" or mode != "eager"):
            raise NotImplementedError("the reference computes in float64, eagerly, only")
        compile_fn = registry.compiler(ad.backend)
        if mode == "compiled" and compile_fn is None:
            raise NotImplementedError(f"{adapter}: its backend has no compile method")
        path = choose_path(ad, loss, self.encoding, dtype)
        shape = SIZES[size]
        check_memory(adapter, shape, dtype)
        backend = ad.backend
        spec = LOSSES[loss]
        inputs = self.make_inputs(np.random.default_rng(0), shape, dtype)
        # a path that cannot take these inputs (its ranks, or a combination it refuses)
        named = dict(zip(spec.inputs, map(np.asarray, inputs), strict=True))
        # (whether the conformance run checks this dtype is not the question: check() below is)
        runs = dataclasses.replace(path, checked_dtypes=None)
        why = runs.unsupported(spec, self.encoding, {}, dtype, named[spec.primary].ndim, named)
        if why:
            raise NotImplementedError(why)
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
        twin = registry.compiled_twin(ad, path) if mode == "compiled" else None
        if twin is not None and isinstance(twin.fn, registry.Compiled):
            # the compiled twin the conformance suite checks (torch "+compile", tensorflow
            # "+function"): its forward and its compiled step, the very objects it checks
            forward = functools.partial(twin.fn, **kwargs)
            both = registry.compile_value_and_grad(backend, forward, cotangent, wrt)
        elif mode == "compiled":
            # jax.jit of the path ("+jit" twins are that function under jax.jit); a plug-in's
            # path without a compiled twin: the backend's compiler around it
            forward = compile_fn(fn)
            both = registry.compile_value_and_grad(backend, fn, cotangent, wrt)
        state = {
            "forward": lambda: registry.synchronize(backend, forward(*args), dev),
            "forward_backward": lambda: registry.synchronize(backend, both(*args), dev),
            "shape": shape, "dtype": dtype}
        gradients = registry.has_gradients(backend)
        if not gradients:
            state["forward_backward"] = functools.partial(_no_gradients, adapter)
        for _ in range(2):   # compile and warm up here, not in the timed region
            state["forward"]()
            if gradients:
                state["forward_backward"]()
        if adapter != "reference":
            self.check(ad, path, mode, shape, dtype, args, cotangent,
                       forward(*args), both(*args) if gradients else None)
        # asv times `number` calls per sample (each after the setup re-run above), as its own
        # calibration would (it calibrates only benchmarks without a setup method)
        state["number"] = max(1, int(self.sample_time / median_time(state["forward"], 0.05)))
        return state

    def reference_shape(self, shape):
        """The shape whose element count the float64 reference works on (for its memory)."""
        return shape

    def check(self, adapter, path, mode, shape, dtype, args, cotangent, value, value_grads):
        """The timed calls, forward and forward+backward, against the reference on the same
        inputs (benchmarks/verify.py). Where the reference does not fit in memory, only a call
        the conformance run checks itself (an eager path in one of its checked dtypes) runs."""
        try:
            check_memory("reference", self.reference_shape(shape), "float64")
        except NotImplementedError as err:
            if mode == "eager" and dtype in path.conformance_dtypes:
                return
            raise NotImplementedError(f"{path.id} ({mode}, {dtype}) is not checked by the "
                                      f"conformance run, and cannot be checked here: {err}") \
                from None
        where = (f"asv run -E existing:$(which python) --quick --bench "
                 f"\"{type(self).__name__}\\.time_forward\\('{adapter.name}', '{path.loss}', "
                 f"'{_size_name(shape)}', '{dtype}', '[a-z]+', '{mode}'\"")
        verify.check(adapter, path, mode, self.encoding, dtype, args, cotangent, value,
                     value_grads, where)

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
        achieved = self.min_bytes(self.shape, self.dtype, backward) / median_time(fn)
        return achieved / self.bandwidth

    track_bandwidth_fraction_forward.unit = "fraction of measured memory bandwidth"
    track_bandwidth_fraction_forward_backward.unit = "fraction of measured memory bandwidth"


def _no_gradients(adapter: str):
    """The forward+backward benchmarks of a backend of values only: skipped with the reason
    (asv's SkipNotImplemented, raised inside a benchmark, skips that one; the forward ones run)."""
    try:
        from asv_runner.benchmarks.mark import SkipNotImplemented
    except ImportError:          # outside asv (python -m benchmarks): a plain NotImplementedError
        SkipNotImplemented = NotImplementedError
    raise SkipNotImplemented(registry.no_gradients_reason(adapter))


class Limits(abc.ABC):
    """What any implementation must do at least, per loss, size and dtype (no framework runs):
    the limit models of the family's benchmarks. Subclasses list them in `benchmarks`; a size a
    loss is not benchmarked at is skipped."""
    param_names = ["loss", "size", "dtype"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.by_loss = {b.loss: b for b in cls.benchmarks}
        sizes = [s for s in SIZES if any(s in b.sizes for b in cls.benchmarks)]
        cls.params = [list(cls.by_loss), sizes, list(DTYPES)]

    @property
    @abc.abstractmethod   # abstract: asv does not collect the base class itself
    def benchmarks(self) -> tuple:
        """Class attribute in subclasses: the family's LossBenchmark classes."""

    def setup(self, loss, size, dtype):
        if size not in self.by_loss[loss].sizes:
            raise NotImplementedError(f"size {size} is not benchmarked for {loss}")

    def track_min_bytes_forward(self, loss, size, dtype):
        return self.by_loss[loss].min_bytes(SIZES[size], dtype, False)

    def track_min_bytes_forward_backward(self, loss, size, dtype):
        return self.by_loss[loss].min_bytes(SIZES[size], dtype, True)

    def track_min_ops_forward(self, loss, size, dtype):
        return self.by_loss[loss].min_ops(SIZES[size], False)

    def track_min_ops_forward_backward(self, loss, size, dtype):
        return self.by_loss[loss].min_ops(SIZES[size], True)

    track_min_bytes_forward.unit = "bytes"
    track_min_bytes_forward_backward.unit = "bytes"
    track_min_ops_forward.unit = "operations (exp, log count 1)"
    track_min_ops_forward_backward.unit = "operations (exp, log count 1)"


def elementwise_bytes(reads: int, grads: int = 1):
    """The limit model in bytes of a loss on `reads` arrays of the size's shape that writes one
    scalar, and for forward+backward the gradients of `grads` of them."""
    def min_bytes(shape, dtype, backward):
        x = int(np.prod(shape)) * np.dtype(dtype).itemsize
        return reads * x + np.dtype(dtype).itemsize + (grads * x if backward else 0)
    return staticmethod(min_bytes)


def elementwise_ops(forward: int, backward: int, per_row: int = 0):
    """The limit model in operations of a loss doing `forward` (and `backward`) operations per
    element of the size's shape, and `per_row` per row (the shape's first dimension)."""
    def min_ops(shape, with_backward):
        e = int(np.prod(shape))
        return (forward + (backward if with_backward else 0)) * e + per_row * shape[0]
    return staticmethod(min_ops)
