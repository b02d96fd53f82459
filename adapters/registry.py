"""Adapters and their paths: declaration, validation at registration, and planning.

An adapter is one implementation under test. It has a backend (how to turn NumPy arrays into the
framework's arrays and back, and how to take a gradient) and paths: one function per way it
computes a loss. A built-in adapter and a user's plug-in module declare themselves the same way:

    from adapters.registry import declare_adapter
    from adapters.pytorch import TorchBackend

    mine = declare_adapter("mine", TorchBackend())

    @mine.path("cross_entropy", "my_ce", call="my_ce(input, target)",
               encodings=["index"], params=["reduction"])
    def my_ce(input, target, *, reduction): ...

A path function takes the loss's inputs positionally (as framework arrays, in spec order) and the
parameters it declared as keywords (array parameters converted too). A case that sets a parameter
the path did not declare to a non-default value is "unsupported" for that path, with the reason.
A parameter that also takes a tuple (the cross-entropies' `axis`: several class axes at once)
reaches a path as a tuple only where the path lists it in `tuple_params=`; elsewhere such a case
is unsupported, so a path written for one axis is never handed several.
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from . import reference
from .spec import CONVENTIONS, LOSSES, Loss, SpecError

DTYPES = ("float64", "float32", "float16", "bfloat16")
KINDS = ("native", "composed")


class RegistryError(ValueError):
    """A malformed adapter or path declaration."""


class Backend(Protocol):
    """What the conformance suite needs from a framework. Import the framework lazily.

    `release()` is optional: the conformance suite calls it when a path's checks are done, so a
    backend can drop what it compiled for them (JAX's jax.clear_caches).
    `gradients` is an optional attribute, True when absent: a backend that computes values only
    (scikit-learn's metrics) sets `gradients = False` and its value_and_grad raises NoGradients.
    The suite then runs its value checks and skips each of its gradient checks with the reason
    no_gradients_reason() gives, counted in the summary (see has_gradients). Three more methods are
    optional; the benchmarks use them, with these fallbacks:
      compile(fn) -> the framework's compiler around fn (compiling at the first call);
          without it the adapter has no compiled mode (its compiled benchmarks are skipped);
      compile_value_and_grad(fn, cotangent, wrt) -> a compiled f(*args) returning what
          value_and_grad returns; without it, value_and_grad through compile(fn);
      synchronize(value, device) -> returns once the device has computed `value`; without it,
          every array in `value` is converted with to_numpy, which waits for it.
    """

    def unavailable(self) -> str | None: ...          # why it cannot run here, or None
    def versions(self) -> dict[str, str]: ...          # framework name -> version
    def devices(self) -> list[str]: ...                # devices usable here, "cpu" first
    def asarray(self, array, dtype: str, device: str): ...
    def to_numpy(self, value): ...
    # value of fn(*args) and its vector-Jacobian products with respect to args[i] for i in wrt,
    # as a tuple in wrt order (zeros for an input the output does not depend on)
    def value_and_grad(self, fn: Callable, args: list, cotangent, wrt=(0,)): ...


class NoGradients(NotImplementedError):
    """Raised by value_and_grad of a backend that declares `gradients = False`."""


def has_gradients(backend) -> bool:
    """Whether the backend takes gradients (its optional `gradients` attribute; default True)."""
    return bool(getattr(backend, "gradients", True))


def no_gradients_reason(adapter_name: str) -> str:
    """Why an adapter's gradient checks are skipped: the same words everywhere they are shown."""
    return f"{adapter_name} computes values only (no gradients)"


def compiler(backend) -> Callable | None:
    """The backend's compile(fn), or None when it has no compiled mode."""
    return getattr(backend, "compile", None)


def compile_value_and_grad(backend, fn: Callable, cotangent, wrt) -> Callable:
    """f(*args) -> (value, grads) compiled: the backend's own way, else value_and_grad through
    the compiled function (autograd runs the compiled forward's backward)."""
    target = getattr(fn, "func", fn)
    if isinstance(target, Compiled):      # a compiled twin: its own step, as checked
        return target.step_for(backend, cotangent, wrt, **getattr(fn, "keywords", {}))
    own = getattr(backend, "compile_value_and_grad", None)
    if own is not None:
        return own(fn, cotangent, wrt)
    compiled = backend.compile(fn)
    return lambda *args: backend.value_and_grad(compiled, list(args), cotangent, wrt)


def synchronize(backend, value, device: str) -> None:
    """Return once `device` has finished computing `value` (a framework array or a tuple of them,
    nested): the backend's synchronize, else converting every array to NumPy."""
    sync = getattr(backend, "synchronize", None)
    if sync is not None:
        sync(value, device)
        return
    for a in value if isinstance(value, (tuple, list)) else (value,):
        if isinstance(a, (tuple, list)):
            synchronize(backend, a, device)
        else:
            backend.to_numpy(a)


class LazyModule:
    """A framework module imported at its first use: a backend module defines
    `F = LazyModule("torch.nn.functional")` and paths call `F.cross_entropy(...)`, so declaring
    paths imports no framework and a missing one is skipped with its reason. `setup` runs once
    before the import (JAX's configuration, say)."""

    def __init__(self, name: str, setup: Callable[[], None] | None = None):
        self._name, self._setup, self._module = name, setup, None

    def __getattr__(self, attr):
        if self._module is None:
            if self._setup is not None:
                self._setup()
            self._module = importlib.import_module(self._name)
        value = getattr(self._module, attr)
        object.__setattr__(self, attr, value)   # found directly from now on
        return value

    def __repr__(self):
        return f"<LazyModule {self._name!r}{' (imported)' if self._module else ''}>"


@dataclass(frozen=True)
class Path:
    adapter: str
    loss: str
    name: str
    fn: Callable
    call: str                       # the exact framework call, shown in every failure
    kind: str = "native"
    encodings: frozenset = frozenset()
    params: frozenset = frozenset()
    conventions: tuple[str, ...] = ()
    dtypes: frozenset = frozenset(DTYPES)
    ndims: frozenset | None = None   # input ranks the path takes; None: any
    # checks that must fail, keyed "kind:case-id/encoding-dtype" (e.g.
    # "value:extreme-logits/index-float32"), each with the reason; a pass is reported as a failure,
    # unless the reason starts with "UNSTABLE:" (seen both to fail and to pass, depending on what
    # the process ran before: torch.compile's; conformance/checks.py)
    known_failures: tuple = ()       # ((key, reason), ...): hashable, like the rest of a Path
    notes: str = ""                  # why dtypes leaves some out (shown as the unsupported reason)
    # the dtypes the conformance run checks, when fewer than `dtypes` (None: all of them); the
    # benchmarks time every dtype, and check the others on their own inputs (benchmarks/common.py)
    checked_dtypes: frozenset | None = None
    # combinations the framework refuses, beyond encodings, ranks and single parameters:
    # ((why, test), ...), test(params, encoding, inputs) with every parameter (defaults filled
    # in) and the case's input arrays by name
    unsupported_when: tuple = ()
    # the value check also asserts that the result has the check's dtype (a path whose point is
    # the dtype it computes and returns in: Keras's Loss(dtype=...) on float64 inputs)
    checks_dtype: bool = False
    # a compiled form of another path of the same loss: that path's name (JAX's "+jit" twins,
    # derive_compiled_paths' twins); the benchmarks' compiled mode times it (compiled_twin)
    compiles: str = ""
    # checked on its loss's representative cases only (conformance/checks.py representative):
    # compiling every case would cost minutes per path
    representative: bool = False
    # the parameters it also takes as a tuple (several axes at once: optax's axis=(2, 3)), among
    # those whose Param says `tuples`; a tuple set for another of its parameters is unsupported
    tuple_params: frozenset = frozenset()

    @property
    def id(self) -> str:
        return f"{self.adapter}/{self.name}"

    @property
    def conformance_dtypes(self) -> frozenset:
        """The dtypes the conformance run checks this path in."""
        return self.dtypes if self.checked_dtypes is None else self.checked_dtypes

    def unsupported(self, loss: Loss, encoding: str, params: dict[str, Any], dtype: str,
                    ndim: int | None = None, inputs: dict | None = None) -> str | None:
        """Why this path cannot run a case, or None when it can."""
        if ndim is not None and self.ndims is not None and ndim not in self.ndims:
            return f"{self.id} takes inputs of {sorted(self.ndims)} dimensions, not {ndim}"
        if encoding not in self.encodings:
            return f"{self.id} takes {sorted(self.encodings)} targets, not {encoding!r}"
        if dtype not in self.dtypes:
            return f"{self.id} does not run {dtype}" + (f": {self.notes}" if self.notes else "")
        if dtype not in self.conformance_dtypes:
            return (f"{self.id} is checked in {', '.join(sorted(self.conformance_dtypes))} only"
                    + (f": {self.notes}" if self.notes else ""))
        for name, value in params.items():
            if name not in self.params and not _is_default(value, loss.params[name].default):
                return f"{self.id} has no parameter {name!r} (case sets {name}={value!r})"
            if isinstance(value, tuple) and name in self.params and name not in self.tuple_params:
                return (f"{self.id} takes one {name}, not the tuple {value!r} (several taken "
                        "jointly)")
            for needed_by, needed in loss.params[name].requires:
                if _is_default(value, needed_by) and needed not in self.params:
                    return (f"{self.id} has no parameter {needed!r}, which {name}={value!r} "
                            "needs")
        full = {**loss.defaults(), **params}
        for why, test in self.unsupported_when:
            if test(full, encoding, inputs or {}):
                return f"{self.id} refuses {why}"
        return None


def _is_default(value, default) -> bool:
    try:
        return bool(value == default)
    except Exception:  # arrays compare element-wise; an array is never a scalar default
        return False


@dataclass(frozen=True)
class Evidence:
    """Where a path was seen following a convention: the built-in case that shows it, the exact
    call, the values seen, on which versions, and the public documentation or issue if any.
    conformance/test_convention.py re-runs it and fails when the framework stops doing it."""
    convention: str
    path: str          # "loss/path-name" within this adapter
    case: str          # "loss/case-id/encoding" of a built-in case
    call: str
    seen: str
    versions: str
    link: str = "no public documentation found"


@dataclass
class Adapter:
    name: str
    backend: Any
    paths: list[Path] = field(default_factory=list)
    description: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    module: str = ""       # the module that declared it (a plug-in's adapters are its own)
    # canonical losses this adapter deliberately has no path for, each with the reason
    no_paths: dict[str, str] = field(default_factory=dict)

    def saw(self, convention: str, *, path: str, case: str, call: str, seen: str, versions: str,
            link: str = Evidence.link) -> None:
        """Record evidence of `convention` on `path` ("loss/path-name"), shown by `case`."""
        where = f"adapter {self.name!r}, evidence for {convention!r}"
        loss, _, name = path.partition("/")
        matches = [p for p in self.paths if p.loss == loss and p.name == name]
        if not matches:
            raise RegistryError(f"{where}: no path {path!r} (declare the path first)")
        if convention not in matches[0].conventions:
            raise RegistryError(f"{where}: path {path!r} does not declare it")
        if case.count("/") != 2 or not case.startswith(loss + "/"):
            raise RegistryError(f"{where}: case {case!r} must read '{loss}/<case-id>/<encoding>'")
        self.evidence.append(Evidence(convention, path, case, call, seen, versions, link))

    def path(self, loss: str, name: str, *, call: str, kind: str = "native", encodings=None,
             params=(), conventions=(), dtypes=DTYPES, ndims=None, known_failures=None,
             notes: str = "", unsupported_when=None, checks_dtype: bool = False,
             checked_dtypes=None, compiles: str = "", representative: bool = False,
             tuple_params=()):
        """Decorator: declare `fn` as a path computing `loss`. Validates the declaration."""
        def register(fn: Callable) -> Callable:
            self.paths.append(_validated(Path(
                adapter=self.name, loss=loss, name=name, fn=fn, call=call, kind=kind,
                encodings=frozenset(_default_encodings(loss) if encodings is None else encodings),
                params=frozenset(params), conventions=tuple(conventions),
                dtypes=frozenset(dtypes), notes=notes,
                checked_dtypes=None if checked_dtypes is None else frozenset(checked_dtypes),
                ndims=None if ndims is None else frozenset(ndims),
                known_failures=tuple(sorted((known_failures or {}).items())),
                unsupported_when=tuple((unsupported_when or {}).items()),
                checks_dtype=checks_dtype, compiles=compiles,
                representative=representative, tuple_params=frozenset(tuple_params)), self))
            return fn
        return register

    def no_path(self, loss: str, why: str) -> None:
        """State why this adapter has no path for `loss` (the framework lacks it, say)."""
        if loss not in LOSSES:
            raise RegistryError(f"adapter {self.name!r}: no_path for unknown loss {loss!r}")
        if not why:
            raise RegistryError(f"adapter {self.name!r}: no_path({loss!r}) needs a reason")
        self.no_paths[loss] = why

    def paths_for(self, loss: str) -> list[Path]:
        return [p for p in self.paths if p.loss == loss]


def _default_encodings(loss: str) -> tuple[str, ...]:
    return LOSSES[loss].encodings if loss in LOSSES else ()


def _validated(path: Path, adapter: Adapter) -> Path:
    where = f"adapter {adapter.name!r}, path {path.name!r}"
    if path.loss not in LOSSES:
        raise RegistryError(f"{where}: unknown loss {path.loss!r}; known: {', '.join(LOSSES)}")
    loss = LOSSES[path.loss]
    if not path.name or not isinstance(path.name, str) or "/" in path.name:
        raise RegistryError(f"{where}: a path name is a non-empty string without '/'")
    if any(p.name == path.name and p.loss == path.loss for p in adapter.paths):
        raise RegistryError(f"{where}: declared twice for {path.loss}")
    if not callable(path.fn):
        raise RegistryError(f"{where}: {path.fn!r} is not callable")
    if path.kind not in KINDS:
        raise RegistryError(f"{where}: kind {path.kind!r} is not one of {KINDS}")
    if not path.call:
        raise RegistryError(f"{where}: `call` must state the framework call it makes")
    bad = path.encodings - set(loss.encodings)
    if bad or not path.encodings:
        raise RegistryError(f"{where}: encodings {sorted(bad) or '[]'} invalid for {loss.name}; "
                            f"choose from {list(loss.encodings)}")
    bad = path.params - set(loss.params)
    if bad:
        raise RegistryError(f"{where}: unknown parameters {sorted(bad)} for {loss.name}; "
                            f"known: {list(loss.params)}")
    bad = {p for p in path.tuple_params if p not in path.params or not loss.params[p].tuples}
    if bad:
        raise RegistryError(f"{where}: tuple_params {sorted(bad)} must be parameters it declares "
                            f"that take a tuple; for {loss.name}: "
                            f"{[n for n, p in loss.params.items() if p.tuples]}")
    for conv in path.conventions:
        if conv not in CONVENTIONS:
            raise RegistryError(f"{where}: unknown convention {conv!r}; known: {list(CONVENTIONS)}")
        if loss.name not in CONVENTIONS[conv].losses:
            raise RegistryError(f"{where}: convention {conv!r} belongs to "
                                f"{list(CONVENTIONS[conv].losses)}, not {loss.name}")
    if path.ndims is not None and not all(isinstance(n, int) and n >= 1 for n in path.ndims):
        raise RegistryError(f"{where}: ndims {sorted(path.ndims)} must be positive integers")
    for key, reason in path.known_failures:
        kind, _, rest = key.partition(":")
        if kind not in ("value", "gradient", "encoding", "published", "convention") or not rest \
                or not isinstance(reason, str) or not reason:
            raise RegistryError(f"{where}: known failure {key!r} must read "
                                f"'kind:case-id/encoding-dtype' and carry a reason")
    if path.compiles and not any(p.name == path.compiles and p.loss == path.loss
                                 for p in adapter.paths):
        raise RegistryError(f"{where}: compiles {path.compiles!r}, which is no path of "
                            f"{path.loss} (declare it first)")
    bad = path.dtypes - set(DTYPES)
    if bad:
        raise RegistryError(f"{where}: unknown dtypes {sorted(bad)}; known: {list(DTYPES)}")
    if path.checked_dtypes is not None and not path.checked_dtypes <= path.dtypes:
        raise RegistryError(f"{where}: checked_dtypes {sorted(path.checked_dtypes)} must be "
                            f"among its dtypes {sorted(path.dtypes)}")
    _check_signature(where, path, loss)
    return path


def _check_signature(where: str, path: Path, loss: Loss) -> None:
    try:
        sig = inspect.signature(path.fn)
    except (TypeError, ValueError):
        return  # builtins without a signature: checked when called
    try:
        sig.bind(*loss.inputs, **{p: None for p in path.params})
    except TypeError as err:
        raise RegistryError(f"{where}: function {path.fn.__name__}{sig} cannot be called with "
                            f"inputs {list(loss.inputs)} and keyword parameters "
                            f"{sorted(path.params)}: {err}") from None


_ADAPTERS: dict[str, Adapter] = {}
_REQUIRED = ("unavailable", "versions", "devices", "asarray", "to_numpy", "value_and_grad")


def declare_adapter(name: str, backend, description: str = "") -> Adapter:
    """Create and register an adapter. Its paths are added with `@adapter.path(...)`."""
    if not isinstance(name, str) or not name.isidentifier():
        raise RegistryError(f"adapter name {name!r} must be an identifier (it appears in test ids)")
    if name in _ADAPTERS:
        raise RegistryError(f"adapter {name!r} is declared twice")
    missing = [m for m in _REQUIRED if not callable(getattr(backend, m, None))]
    if missing:
        raise RegistryError(f"adapter {name!r}: backend {type(backend).__name__} lacks "
                            f"{', '.join(missing)} (see registry.Backend)")
    caller = sys._getframe(1).f_globals.get("__name__", "")
    adapter = Adapter(name, backend, description=description, module=caller)
    _ADAPTERS[name] = adapter
    return adapter


def adapters() -> dict[str, Adapter]:
    return dict(_ADAPTERS)


def load_plugin(spec: str, search=()) -> list[Adapter]:
    """Import a plug-in module and return the adapters it declares (not those of modules it
    imports). `spec` is a dotted module name, importable from the current directory or the folders
    in `search`, or a .py file, relative to the current directory or one of those folders."""
    folders = [os.getcwd(), *search]
    if spec.endswith(".py") or os.sep in spec:
        found = [os.path.join(f, spec) for f in folders if os.path.isfile(os.path.join(f, spec))]
        if not found:
            raise FileNotFoundError(f"no such file {spec} (looked in {', '.join(folders)})")
        module = _import_file(found[0])
    else:
        # a module file of that name in those folders comes first: one elsewhere on sys.path
        # (a my_losses.py in the repository, say) does not shadow the user's
        local = [p for f in folders if os.path.isfile(p := os.path.join(f, spec + ".py"))]
        if local:
            module = _import_file(local[0])
        else:
            for folder in folders:
                if folder not in sys.path:
                    sys.path.insert(0, folder)
            module = importlib.import_module(spec)
    return [a for a in _ADAPTERS.values() if a.module == module.__name__]


def _import_file(path: str):
    path = os.path.abspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def forget(name: str) -> None:
    """Remove an adapter (the project's own tests declare throw-away ones)."""
    _ADAPTERS.pop(name, None)


# ---------------------------------------------------------------- sample weights, composed

DERIVED = "*sample_weight"     # the name of a derived path: its base's, and this

def derive_sample_weight_paths(adapter: Adapter, weighted_reduce: Callable,
                               declare: Callable | None = None) -> None:
    """Give `adapter` a path taking sample weights for every loss it computes but none of whose
    native paths declares `sample_weight`: the user's composition, the loss with
    reduction='none', times the weights, reduced. `weighted_reduce(losses, weight, reduction,
    batch)` is that last step in the framework's arrays; `declare(loss, name, **kw)` declares a path
    (default adapter.path).

    Its 'mean' is sum(w l) / (number of unreduced elements), as `(loss * w).mean()` is: the
    canonical mean only where the loss's own 'mean' divides by that number, so the path refuses
    the other cases (class weights or ignored targets of a cross-entropy, CTC's target lengths)."""
    declare = declare or adapter.path
    for loss in LOSSES.values():
        own = adapter.paths_for(loss.name)
        if "sample_weight" not in loss.params or any(
                "sample_weight" in p.params and (p.kind == "native" or p.name.endswith(DERIVED))
                for p in own):
            continue          # a native one, or derived already (adapters.load() ran before)
        # a base that takes sample weights itself (a mask as where=, say) would take them twice
        bases = [p for p in own if "reduction" in p.params and "sample_weight" not in p.params
                 and not p.name.endswith("+jit")]
        if not bases:
            continue
        # the canonical shape of the unreduced loss: a path without conventions, native first
        base = min(bases, key=lambda p: (bool(p.conventions), p.kind != "native"))
        twin = [p for p in own if p.name == base.name + "+jit"]
        declare(loss.name, base.name + DERIVED, kind="composed",
                call=f"{base.call}  with reduction='none', times sample_weight (its axes the "
                     "output's leading ones), then reduced: 'sum' sums, 'mean' divides by the "
                     "number of elements, 'weighted_mean' by the sum of the broadcast weights",
                encodings=base.encodings, params=[*base.params, "sample_weight"],
                conventions=base.conventions, ndims=base.ndims,
                # only when set: a plug-in's own `declare` may not know the keyword
                **({"tuple_params": base.tuple_params} if base.tuple_params else {}),
                dtypes=base.dtypes | (twin[0].dtypes if twin else frozenset()),
                unsupported_when={
                    **dict(base.unsupported_when),
                    f"cases without sample weights (it is {base.name} then)":
                        lambda p, e, i: p["sample_weight"] is None,
                    "sample weights beyond the leading axes of its unreduced output, whose "
                    "shape its conventions change":
                        lambda p, e, i, loss=loss.name, conv=base.conventions:
                        not _weights_fit(loss, conv, p, e, i),
                    "reduction='mean' where the loss's own mean divides by something other "
                    "than its number of elements, which (loss * w).mean() divides by":
                        lambda p, e, i, loss=loss.name, conv=base.conventions:
                        p["reduction"] == "mean" and not _mean_counts_elements(loss, conv, p, e, i)
                })(
            _weighted(base.fn, weighted_reduce))


def _weighted(fn: Callable, weighted_reduce: Callable) -> Callable:
    def weighted(*inputs, sample_weight, reduction, **params):
        # 'batchmean' divides by the first input's first axis (1 for a 0-d one)
        batch = inputs[0].shape[0] if len(inputs[0].shape) else 1
        return weighted_reduce(fn(*inputs, reduction="none", **params), sample_weight, reduction,
                               batch)
    return weighted


def _weights_fit(loss: str, conventions, params: dict, encoding: str, inputs: dict) -> bool:
    """Whether the case's sample weights align with the path's unreduced output."""
    try:
        reference.evaluate(loss, inputs, params, encoding, conventions, validate=False)
    except SpecError:
        return False
    return True


def _mean_counts_elements(loss: str, conventions, params: dict, encoding: str,
                          inputs: dict) -> bool:
    """Whether the 'mean' of this case (under the path's conventions) divides by the number of
    unreduced elements."""
    result = reference.evaluate(loss, inputs, {**params, "reduction": "none",
                                               "sample_weight": None}, encoding, conventions,
                                validate=False)
    return bool(np.ndim(result.divisor) == 0 and result.divisor == result.value.size)


# ---------------------------------------------------------------- compiled twins

# The dtypes the benchmarks time (benchmarks/common.py DTYPES), and so those a compiled twin runs.
COMPILED_DTYPES = ("float32", "float64")


def measured_path(adapter: Adapter, loss: str, encoding: str, dtype: str) -> Path | None:
    """The path the benchmarks time for `loss` on `encoding` targets in `dtype`: the first native
    path (declaration order) that takes them, else the first composed one. Compiled forms are
    chosen only where no other path takes the dtype (eager JAX runs float64 only)."""
    paths = [p for p in adapter.paths_for(loss) if encoding in p.encodings and dtype in p.dtypes]
    paths.sort(key=lambda p: (bool(p.compiles), p.kind != "native"))   # stable: declaration order
    return paths[0] if paths else None


def compiled_twin(adapter: Adapter, path: Path, suffix: str = "") -> Path | None:
    """The checked compiled form of `path` (itself if it is one): the first path declared as
    compiling it (with name `path.name + suffix` if `suffix` is given), or None."""
    if path.compiles:
        return path
    for p in adapter.paths_for(path.loss):
        if p.compiles == path.name and (not suffix or p.name == path.name + suffix):
            return p
    return None


class Compiled:
    """A path function compiled as the benchmarks' compiled mode runs it. Calling it runs the
    compiled forward (`compile(fn)`, made once: the framework compiles again per shape, dtype and
    parameter value when it is called). `value_and_grad(args, cotangent, wrt, **params)` is the
    compiled training step: `step(fn, cotangent, wrt)` (a compiled f(*args, **arrays) returning
    value and gradients), made once per cotangent, wrt and scalar parameters, the array
    parameters its arguments; without `step`, the backend's value_and_grad through the compiled
    forward (autograd runs the compiled forward's backward). `release()` runs when a path's
    checks are done (conformance/checks.py release) and drops what was compiled."""

    def __init__(self, fn: Callable, compile: Callable, step: Callable | None = None,
                 release: Callable | None = None):
        functools.update_wrapper(self, fn)     # inspect.signature reads fn's
        self.fn, self._compile, self._step, self._release = fn, compile, step, release
        self._forward = None      # compiled at the first call: declaring imports no framework
        self._steps: dict = {}

    @property
    def forward(self) -> Callable:
        if self._forward is None:
            self._forward = self._compile(self.fn)
        return self._forward

    def __call__(self, *inputs, **params):
        return self.forward(*inputs, **params)

    def step_for(self, backend, cotangent, wrt, **params) -> Callable:
        """The compiled training step for this cotangent, wrt and parameters: f(*args) ->
        (value, grads), as the backend's value_and_grad returns them."""
        if self._step is None:
            forward = functools.partial(self.forward, **params)
            return lambda *args: backend.value_and_grad(forward, list(args), cotangent, wrt)
        arrays = {k: v for k, v in params.items() if v is not None and not _is_plain(v)}
        scalars = tuple(sorted((k, v) for k, v in params.items() if k not in arrays))
        v = np.asarray(cotangent)
        key = (v.tobytes(), v.shape, v.dtype.str, tuple(wrt), scalars)
        if key not in self._steps:
            self._steps[key] = self._step(functools.partial(self.fn, **dict(scalars)), v,
                                          tuple(wrt))
        step = self._steps[key]
        return lambda *args: step(*args, **arrays)

    def value_and_grad(self, backend, args, cotangent, wrt, **params):
        return self.step_for(backend, cotangent, wrt, **params)(*args)

    def cache_clear(self):
        self._steps.clear()
        self._forward = None
        if self._release is not None:
            self._release()


def _is_plain(v) -> bool:
    if isinstance(v, tuple):          # a tuple of axes is a static parameter, not an array
        return all(map(_is_plain, v))
    return isinstance(v, (bool, int, float, str, np.integer, np.floating))


def compiled_step(fn: Callable, cotangent, wrt) -> Callable | None:
    """The compiled training step of a Compiled path (reached through functools.partial), for a
    backend's value_and_grad: f(backend, args) -> (value, grads); None for any other function."""
    target = getattr(fn, "func", fn)
    if not isinstance(target, Compiled):
        return None
    params = getattr(fn, "keywords", {})
    return lambda backend, args: target.value_and_grad(backend, args, cotangent, wrt, **params)


def derive_compiled_paths(adapter: Adapter, suffix: str, compile: Callable, *, call: str,
                          step: Callable | None = None, release: Callable | None = None,
                          notes: str = "", known_failures: dict | None = None) -> None:
    """Give `adapter` a compiled twin, `<name><suffix>`, of each path its benchmarks time
    (measured_path for every loss, encoding and COMPILED_DTYPES dtype): `Compiled(fn, compile,
    step, release)`, its `call` the format `call` with the base path's call as {call}. The twin
    keeps the base path's encodings, parameters, conventions, ranks, known failures and
    unsupported_when, runs the base's COMPILED_DTYPES, and is checked on the representative
    cases (conformance/checks.py representative). `known_failures` {"loss/<name><suffix>":
    {key: reason}} adds the checks where the compiled form differs from its base (the
    families' COMPILED_KNOWN_FAILURES); one naming no twin is an error. Declaring twice
    changes nothing."""
    known_failures = {k: v for k, v in (known_failures or {}).items() if k.endswith(suffix)}
    bases = {}
    for loss in LOSSES.values():
        for encoding in loss.encodings:
            for dtype in COMPILED_DTYPES:
                base = measured_path(adapter, loss.name, encoding, dtype)
                if base is not None and not base.compiles:
                    bases[(base.loss, base.name)] = base
    for base in bases.values():
        name = base.name + suffix
        dtypes = base.dtypes & set(COMPILED_DTYPES)
        if not dtypes or any(p.name == name for p in adapter.paths_for(base.loss)):
            continue
        adapter.path(base.loss, name, call=call.format(call=base.call), kind=base.kind,
                     encodings=base.encodings, params=base.params, conventions=base.conventions,
                     dtypes=dtypes, ndims=base.ndims, known_failures={
                         **dict(base.known_failures),
                         **known_failures.pop(f"{base.loss}/{name}", {})},
                     notes=notes, unsupported_when=dict(base.unsupported_when),
                     checks_dtype=base.checks_dtype, compiles=base.name, representative=True,
                     tuple_params=base.tuple_params)(
            Compiled(base.fn, compile, step, release))
        # the base's evidence, re-run on the twin: a convention the compiled form stops
        # following fails its convention check (the evidence's case runs beside the
        # representative ones)
        for ev in [e for e in adapter.evidence if e.path == f"{base.loss}/{base.name}"]:
            adapter.evidence.append(replace(ev, path=f"{base.loss}/{name}"))
    stale = [k for k in known_failures
             if not any(f"{p.loss}/{p.name}" == k for p in adapter.paths)]
    if stale:
        raise RegistryError(f"adapter {adapter.name!r}: compiled known failures for {stale}, "
                            "which are no compiled twins")
