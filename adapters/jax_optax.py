"""The `jax` adapter's backend: NumPy <-> jax.Array (float64 enabled), devices, jax.vjp, jax.jit
and block_until_ready, and what every family's jax.nn and optax paths share.

jax and optax are imported when a path runs, never at import of this module (`jax`, `jnp` and
`optax` are LazyModules). Their first use enables float64 (jax_enable_x64) and, unless a
compilation cache is configured already (JAX_COMPILATION_CACHE_DIR or jax.config), JAX's
persistent compilation cache in $XDG_CACHE_HOME/loss-conformance/jax (~/.cache/...) for
compilations of any duration: XLA's CPU compiler takes 30-100 ms per shape and dtype, most of a
cold run; a warm run reads them back.

Every path is declared twice by `path` below: eager, and compiled with jax.jit ("<name>+jit").
Both run every dtype; the conformance run checks the eager one in float64 only (EAGER_FLOAT64 says
why), and the benchmarks check its other dtypes on their own inputs (benchmarks/common.py).
The compiled functions are cached per parameter set (functools.lru_cache on the hashable scalar
parameters); array parameters (weight, pos_weight) are jit arguments, so a shape and dtype
compile once. The gradient of a "+jit" path
is jax.jit of its value and jax.vjp together (one compilation, as in a jitted training step); the
gradient of an eager path is jax.vjp run eagerly.

optax losses return one loss per example and take no reduction argument (the user reduces), so
every optax path ends with an explicit reduction and is `composed`. The paths live in
adapters/families/<family>/jax_optax.py; adapters.load() registers them, and each convention's
evidence is recorded there for the eager path and its "+jit" twin.
"""
from __future__ import annotations

import functools

import numpy as np

from . import cache_folder
from .definitions import WEIGHTED_MEAN
from .registry import DTYPES, LazyModule, declare_adapter, derive_sample_weight_paths

INSTALL_HINT = "pip install jax optax  (or: pip install -e '.[jax]')"
SEEN_ON = "jax 0.10.2, optax 0.2.8, numpy 2.4.6; CPU, jax_enable_x64, float64, eager and jax.jit"
OPTAX_DOC = "https://optax.readthedocs.io/en/latest/api/losses.html"


@functools.cache
def _configure():
    import jax
    jax.config.update("jax_enable_x64", True)
    if not jax.config.jax_compilation_cache_dir:
        jax.config.update("jax_compilation_cache_dir", cache_folder("jax"))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


jax = LazyModule("jax", setup=_configure)
jnp = LazyModule("jax.numpy", setup=_configure)
optax = LazyModule("optax", setup=_configure)


class JaxBackend:
    """NumPy <-> jax.Array (float64 enabled), devices and jax.vjp."""

    def unavailable(self):
        try:
            self.versions()     # imports jax and optax
        except ImportError as err:
            return f"jax/optax cannot be used ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"jax": jax.__version__, "optax": optax.__version__}

    def devices(self):
        try:
            gpu = bool(jax.devices("gpu"))
        except RuntimeError:
            gpu = False
        return ["cpu"] + (["cuda"] if gpu else [])

    def asarray(self, array, dtype, device):
        a = np.asarray(array)
        kind = jnp.int64 if np.issubdtype(a.dtype, np.integer) else getattr(jnp, dtype)
        where = jax.devices("gpu" if device == "cuda" else "cpu")[0]
        return jax.device_put(jnp.asarray(a, dtype=kind), where)

    def to_numpy(self, value):
        return np.asarray(value).astype(np.float64)

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        compiled = getattr(getattr(fn, "func", fn), "compiled_value_and_grad", None)
        if compiled is not None:    # a "+jit" path (through functools.partial): one compilation
            return compiled(args, cotangent, tuple(wrt), **getattr(fn, "keywords", {}))
        out, vjp = jax.vjp(_with_args(fn, args, wrt), *[args[i] for i in wrt])
        return out, vjp(jnp.asarray(np.asarray(cotangent), dtype=out.dtype))

    def compile(self, fn):
        return jax.jit(fn)

    def compile_value_and_grad(self, fn, cotangent, wrt):
        """jax.jit of the value and jax.vjp together, as a jitted training step."""
        return jax.jit(lambda *args: self.value_and_grad(fn, list(args), cotangent, wrt))

    def synchronize(self, value, device):
        jax.block_until_ready(value)

    def release(self):
        """Drop every compiled function and trace JAX keeps in memory (the conformance suite
        calls it when a path's checks are done; the persistent cache on disk stays)."""
        jax.clear_caches()


adapter = declare_adapter("jax", JaxBackend(), "JAX jax.nn and optax")

# Eager JAX lowers every operation once per shape and dtype (even a persistent-cache hit is lowered
# to be looked up): 175 ms a check on average, two thirds of the whole conformance run when eager
# paths ran every dtype. The conformance run checks the eager variant's semantics in float64; its
# "+jit" twin, the same function, in every dtype. The eager path still runs every dtype, so that
# an eager benchmark times an eager call (benchmarks/common.py checks it on its inputs).
EAGER_FLOAT64 = ("eager JAX is checked in float64 only, for time; the path's +jit twin is "
                 "checked in every dtype")
EAGER_CHECKED = ["float64"]


def path(loss, name, jit_known_failures=None, **kw):
    """Declare `fn` twice: eager as `name`, and compiled as `name+jit`. `jit_known_failures`
    {key: reason}: the checks where the jitted twin alone differs (XLA simplifies 0 * -inf)."""
    def register(fn):
        dtypes = kw.get("dtypes", DTYPES)
        eager = {**kw, "checked_dtypes": EAGER_CHECKED, "notes": EAGER_FLOAT64} \
            if "float64" in dtypes else kw
        adapter.path(loss, name, **eager)(fn)
        call = kw.pop("call")
        jitted = {**kw, "known_failures": {**(kw.get("known_failures") or {}),
                                           **(jit_known_failures or {})}}
        adapter.path(loss, name + "+jit", call=f"jax.jit({call})", compiles=name,
                     **jitted)(_jitted(fn))
        return fn
    return register


def _jitted(fn):
    @functools.cache
    def compiled(**scalars):
        return jax.jit(lambda *arrays, **array_params: fn(*arrays, **array_params, **scalars))

    @functools.cache
    def compiled_vjp(wrt, **scalars):
        def value_and_vjp(args, cotangent, array_params):
            bound = functools.partial(fn, **array_params, **scalars)
            out, vjp = jax.vjp(_with_args(bound, args, wrt), *[args[i] for i in wrt])
            return out, vjp(cotangent.astype(out.dtype))
        return jax.jit(value_and_vjp)

    def split(params):
        arrays = {k: v for k, v in params.items() if v is not None and not _is_scalar(v)}
        return arrays, {k: v for k, v in params.items() if k not in arrays}

    @functools.wraps(fn)
    def run(*inputs, **params):
        arrays, scalars = split(params)
        return compiled(**scalars)(*inputs, **arrays)

    def value_and_grad(args, cotangent, wrt, **params):
        """jax.jit(value and jax.vjp) of the path: what JaxBackend.value_and_grad uses."""
        arrays, scalars = split(params)
        v = jnp.asarray(np.asarray(cotangent))
        return compiled_vjp(wrt, **scalars)(tuple(args), v, arrays)
    def cache_clear():
        """Drop the compiled functions (and with them their executables)."""
        compiled.cache_clear()
        compiled_vjp.cache_clear()
    run.compiled_value_and_grad = value_and_grad
    run.cache_clear = cache_clear
    return run


def _with_args(fn, args, wrt):
    """fn as a function of the inputs at positions `wrt` only, the others fixed."""
    def of(*varying):
        full = list(args)
        for i, a in zip(wrt, varying, strict=True):
            full[i] = a
        return fn(*full)
    return of


def _is_scalar(v):
    """A static parameter of a jitted path (a tuple of axes too: jax.jit traces arrays only)."""
    if isinstance(v, tuple):
        return all(map(_is_scalar, v))
    return isinstance(v, (bool, int, float, str, np.integer, np.floating))


# ---------------------------------------------------------------- helpers a user would copy

def class_axis(x, axis=1):
    """The class axis to pass as `axis=`: `axis` (channels-first: 1), or -1 for 1-D input."""
    return axis if x.ndim > 1 else -1


def reduce(losses, reduction, divisor=None):
    """PyTorch's reductions: 'mean' divides by `divisor` (default: the number of elements)."""
    if reduction == "none":
        return losses
    total = jnp.sum(losses)
    if reduction == "sum":
        return total
    return total / (losses.size if divisor is None else divisor)


def weighted_reduce(losses, weight, reduction, batch):
    """Sample weights on an unreduced loss, as a user writes them: the weight's axes are the
    loss's leading ones ((N,) per sample), 'weighted_mean' divides by the broadcast weights' sum,
    'batchmean' by the batch size."""
    w = jnp.reshape(weight, weight.shape + (1,) * (losses.ndim - weight.ndim))
    weighted = losses * w
    if reduction == WEIGHTED_MEAN:
        return jnp.sum(weighted) / jnp.sum(jnp.broadcast_to(w, losses.shape))
    if reduction == "batchmean":
        return jnp.sum(weighted) / batch
    return reduce(weighted, reduction)


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load)."""
    derive_sample_weight_paths(adapter, weighted_reduce, path)
