"""Checks: which (case, adapter path, dtype, device, kind) to run, and how each one runs.

Kinds
  value      a framework path against reference(case, conventions=path.conventions)
  gradient   autograd against the reference's analytic vector-Jacobian product, with respect to
             every differentiable input; for the reference itself, its analytic gradient against
             central finite differences
  encoding   a path on a derived encoding (one_hot, probs) against the same path on the
             encoding it was derived from: equal, or different by exactly what the path's
             conventions predict
  published  a path against the value a source document printed (case `expected`)
  convention a recorded piece of evidence (registry.Evidence) re-run: the case must exercise the
             convention, and the path must still follow it, value and gradient
The reference is the definition, so it has no value check; it is checked by published values,
finite differences and encodings.

A framework's value and gradients come from one call of its backend's value_and_grad (one trace
and, under jax.jit, one compilation), shared by the checks of the same path, case, dtype and
cotangent that run one after another (`outputs`); the value alone is computed only when the
gradient cannot be.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path as FilePath

import numpy as np

from adapters import reference
from adapters.definitions import class_axes
from adapters.registry import DTYPES, Adapter, Evidence, Path, has_gradients
from adapters.spec import LOSSES

from . import tolerances
from .assertions import ConformanceFailure, Context, Worst, assert_close, assert_dtype, close_mask
from .cases import Case

KINDS = ("value", "gradient", "encoding", "published", "convention")
LOW_PRECISION = ("float16", "bfloat16")
COTANGENT_SEED = 20261122   # fixed: every framework backpropagates the same cotangent


@dataclass(frozen=True)
class Check:
    kind: str
    adapter: Adapter
    path: Path
    case: Case
    dtype: str
    device: str
    base: Case | None = None     # encoding checks: the case this twin is compared with
    evidence: Evidence | None = None

    @property
    def id(self) -> str:
        enc = f"/{self.case.encoding}" if self.case.encoding != "none" else ""
        dev = "" if self.device == "cpu" else f"-{self.device}"
        conv = f":{self.evidence.convention}" if self.evidence else ""
        return f"{self.path.id}:{self.case.loss}/{self.case.id}{enc}{conv}-{self.dtype}{dev}"

    def nodeid(self, rootpath) -> str:
        """pytest's node id of this check (its test file relative to the rootdir)."""
        file = FilePath(__file__).with_name(f"test_{self.kind}.py")
        return f"{file.relative_to(rootpath).as_posix()}::test_{self.kind}[{self.id}]"


@dataclass(frozen=True)
class Unsupported:
    adapter: str
    path: str
    case: str
    reason: str


def representative(path: Path, cases: list[Case]) -> set[tuple[str, str]]:
    """The cases a `representative` path (a compiled twin) is checked on, as (case id, encoding):
    one, on the first encoding the path takes in the loss's order (index, one_hot, probs; the
    benchmarks' encoding): the first case it can run whose primary input is batched (2 or more
    axes) and whose parameters are all at their defaults, which is what the benchmarks time;
    failing that, the first batched case, failing that the first case. It runs in every dtype
    the path runs (float32 and float64, each a separate compilation).

    Why this suffices: a compiled form differs from the eager call by graph capture, fusion and
    code generation, not by what a parameter or an encoding means; the eager path is checked on
    every case and encoding. A batched case at the defaults runs the reduction, the
    broadcasting and the backward that the benchmarks time. Each other parameter value, shape or
    encoding is another graph to compile: torch.compile takes 2-10 s a graph on this 2-core
    machine with a cold cache, and each case costs two (the forward alone, and forward with
    backward)."""
    spec = LOSSES[path.loss]
    runnable = [c for c in cases if c.loss == path.loss and any(
        path.unsupported(spec, c.encoding, c.set_params, d, c.inputs[spec.primary].ndim,
                         c.inputs) is None for d in path.dtypes)]
    for encoding in (e for e in spec.encodings if e in path.encodings):
        of = [c for c in runnable if c.encoding == encoding]
        batched = [c for c in of if c.inputs[spec.primary].ndim >= 2]
        for pick in ([c for c in batched if not c.set_params] or batched or of)[:1]:
            return {(pick.id, pick.encoding)}
    return set()


REPRESENTATIVE_ONLY = ("checked on its loss's representative cases only, a compiled twin "
                       "(conformance/checks.py representative)")


def plan(adapters: list[Adapter], cases: list[Case], dtypes, device: str):
    """All checks to run, and the (path, case) pairs a path cannot run, with the reason."""
    checks, unsupported = [], []
    by_key = {(c.loss, c.id, c.encoding): c for c in cases}
    for adapter in adapters:
        is_reference = adapter.name == "reference"
        chosen = {path.id + path.loss: representative(path, cases) for path in adapter.paths
                  if path.representative}
        for case in cases:
            for path in adapter.paths_for(case.loss):
                if path.representative and (case.id, case.encoding) not in chosen[
                        path.id + path.loss]:
                    unsupported.append(Unsupported(adapter.name, path.id,
                                                   f"{case.loss}/{case.id}/{case.encoding}",
                                                   f"{path.id} is {REPRESENTATIVE_ONLY}"))
                    continue
                for dtype in dtypes:
                    if dtype in LOW_PRECISION and not case.low_precision:
                        continue
                    if is_reference and dtype != "float64":
                        continue    # the oracle computes in float64 whatever the dtype
                    spec = LOSSES[case.loss]
                    why = path.unsupported(spec, case.encoding, case.set_params, dtype,
                                           case.inputs[spec.primary].ndim, case.inputs)
                    if why:
                        unsupported.append(Unsupported(adapter.name, path.id,
                                                       f"{case.loss}/{case.id}/{case.encoding}",
                                                       why))
                        continue
                    dev = "cpu" if is_reference else device
                    make = functools.partial(Check, adapter=adapter, path=path, case=case,
                                             dtype=dtype, device=dev)
                    if not is_reference:
                        checks.append(make("value"))
                    checks.append(make("gradient"))
                    if case.expected is not None or case.expected_grad is not None:
                        checks.append(make("published"))
                    base = _encoding_base(path, case, by_key, dtype)
                    if base is not None:
                        checks.append(make("encoding", base=base))
        for ev in adapter.evidence:
            loss, case_id, encoding = ev.case.split("/")
            case = by_key.get((loss, case_id, encoding))
            if case is None:
                raise ValueError(f"adapter {adapter.name!r}: evidence for {ev.convention!r} names "
                                 f"case {ev.case!r}, which no case file defines")
            path = next(p for p in adapter.paths_for(loss) if f"{loss}/{p.name}" == ev.path)
            dtype = next(d for d in DTYPES if d in path.dtypes)
            checks.append(Check("convention", adapter, path, case, dtype,
                                "cpu" if adapter.name == "reference" else device, evidence=ev))
    return checks, unsupported


def _encoding_base(path: Path, case: Case, by_key, dtype: str) -> Case | None:
    if case.derived_from is None:
        return None
    spec = LOSSES[case.loss]
    for encoding in ("index", "one_hot"):
        base = by_key.get((case.loss, case.id, encoding))
        # a base the path cannot run (label smoothing baked into the probs twin's targets, a
        # parameter the path lacks on the base) is no base
        if base is not None and base is not case and not path.unsupported(
                spec, base.encoding, base.set_params, dtype,
                base.inputs[spec.primary].ndim, base.inputs):
            return base
    return None


# ---------------------------------------------------------------- running one check

def worse(a: Worst, b: Worst) -> Worst:
    return a if a.ratio >= b.ratio else b


# a known failure seen to depend on the process's history (what was compiled before it)
UNSTABLE = "UNSTABLE:"


def known_failure_key(check: Check) -> str:
    enc = f"/{check.case.encoding}" if check.case.encoding != "none" else ""
    return f"{check.kind}:{check.case.id}{enc}-{check.dtype}"


def run(check: Check, reproduce: str) -> Worst:
    """Run one check and return its worst comparison. A check the path declares as a known
    failure must still fail, with a conformance failure; it is then reported as xfail, and a pass
    is an error (strict), except for a declaration whose reason starts with UNSTABLE: one that
    was seen both to fail and to pass, depending on what ran before it in the process."""
    __tracebackhide__ = True   # a failure shows its message block, not these frames
    reason = dict(check.path.known_failures).get(known_failure_key(check))
    if reason is None:
        return _run(check, reproduce)
    try:
        worst = _run(check, reproduce)
    except ConformanceFailure as failure:
        import pytest
        pytest.xfail(f"known failure of {check.path.id}: {reason}\n{failure}")
    if reason.startswith(UNSTABLE):
        return worst
    raise ConformanceFailure(
        f"{check.path.id} declares {known_failure_key(check)!r} a known failure ({reason}), "
        f"but the check passed: remove the declaration\n  reproduce   {reproduce}")


def _run(check: Check, reproduce: str) -> Worst:
    __tracebackhide__ = True
    return {"value": _value, "gradient": _gradient, "encoding": _encoding,
     "published": _published, "convention": _convention}[check.kind](check, reproduce)


class Prepared:
    """A case as one adapter sees it: its arrays at the check's dtype and device, and the exact
    float64 values of those arrays (rounding included), on which the reference is evaluated.
    The checks of one path, case and dtype run one after another and share one (`of`), with its
    reference results."""

    @classmethod
    def of(cls, check: Check, case: Case | None = None) -> Prepared:
        case = case or check.case
        key = (check.adapter.name, check.path.loss, check.path.name, case.loss, case.id,
               case.encoding, check.dtype, check.device)
        if key not in PREPARED:
            PREPARED[key] = cls(check, case)
            while len(PREPARED) > KEPT:
                PREPARED.popitem(last=False)
        prepared = PREPARED[key]
        prepared.check = check        # the same arrays; this check's path, kind and evidence
        return prepared

    def __init__(self, check: Check, case: Case | None = None):
        case = case or check.case
        backend, spec = check.adapter.backend, LOSSES[case.loss]
        self.case, self.check, self.backend = case, check, backend
        self.args, self.seen = [], {}
        for name in spec.inputs:
            a = case.inputs[name]
            t = backend.asarray(a, check.dtype, check.device)
            self.args.append(t)
            self.seen[name] = a if np.issubdtype(a.dtype, np.integer) else backend.to_numpy(t)
        self._references: dict = {}
        self.kwargs, self.seen_params = {}, dict(case.params)
        for name in check.path.params:
            value = case.params[name]
            if spec.params[name].array and value is not None:
                t = backend.asarray(np.asarray(value, dtype=np.float64), check.dtype, check.device)
                self.kwargs[name] = t
                self.seen_params[name] = backend.to_numpy(t)
            else:
                self.kwargs[name] = value

    def reference(self, conventions=None, cotangent=None):
        conv = tuple(self.check.path.conventions if conventions is None else conventions)
        key = (conv, None if cotangent is None else np.asarray(cotangent).tobytes())
        if key not in self._references:
            self._references[key] = reference.evaluate(
                self.case.loss, self.seen, self.seen_params, self.case.encoding, conv, cotangent,
                validate=False)      # the case was checked when it was loaded or drawn
        return self._references[key]

    def reference_if_shaped(self, conventions, cotangent):
        """The reference (value and gradients) under other `conventions`, or None where they give
        another output shape than the path's (a convention that reduces an axis): the
        cotangent then does not fit, and the shape itself is the difference."""
        if self.reference(conventions).value.shape != np.shape(cotangent):
            return None
        return self.reference(conventions, cotangent)

    def canonical_grads(self, cotangent) -> dict | None:
        """The reference's gradients without the path's conventions, shown beside a failure;
        None where a convention changes the output's shape."""
        canonical = self.reference_if_shaped((), cotangent)
        return None if canonical is None else canonical.grads

    def value(self) -> np.ndarray:
        """The path's value: from the shared value-and-gradient call where the gradient can be
        taken (cotangent(), as the gradient checks use), else from the path alone. A compiled
        path's value is its forward alone, the call the benchmarks' time_forward times (its
        value-and-gradient step is another compiled function, checked by the gradient check).
        (JAX's "+jit" twins, which run every case, take their value from the step: one
        compilation per case, not two.)"""
        if not has_gradients(self.backend):       # a backend of values only
            return self.backend.to_numpy(self.check.path.fn(*self.args, **self.kwargs))
        if self.check.path.compiles and self.check.path.representative:
            return self.forward()
        try:
            return self.outputs(self.cotangent())[0]
        except Exception:   # the gradient check reports it; the value may exist alone
            pass
        return self.forward()

    def forward(self) -> np.ndarray:
        """The path called alone, on inputs that need no gradient."""
        return self.backend.to_numpy(self.check.path.fn(*self.args, **self.kwargs))

    @functools.cached_property
    def _cotangent(self) -> np.ndarray:
        shape = self.reference().value.shape
        v = np.random.default_rng(COTANGENT_SEED).normal(size=shape) if shape else np.array(1.0)
        return self.backend.to_numpy(self.backend.asarray(v, self.check.dtype, self.check.device))

    def cotangent(self) -> np.ndarray:
        """1 for a scalar output; otherwise seeded normals, rounded to the check's dtype. The
        shape is the path's output shape, conventions included."""
        return self._cotangent

    def gradient(self, cotangent) -> dict[str, np.ndarray]:
        """The path's gradient with respect to each differentiable input, by name."""
        return self.outputs(cotangent)[1]

    def outputs(self, cotangent) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The path's value and gradients (by input name) for `cotangent`, from one call of the
        backend's value_and_grad; the next checks of the same inputs reuse it (OUTPUTS)."""
        check, case = self.check, self.case
        key = (check.adapter.name, check.path.name, check.path.loss, case.id, case.encoding,
               check.dtype, check.device, np.asarray(cotangent).tobytes())
        if key not in OUTPUTS:
            spec = LOSSES[case.loss]
            fn = functools.partial(check.path.fn, **self.kwargs)
            wrt = tuple(spec.inputs.index(n) for n in spec.differentiable)
            value, grads = self.backend.value_and_grad(fn, self.args, cotangent, wrt)
            OUTPUTS[key] = (self.backend.to_numpy(value),
                            {n: self.backend.to_numpy(g)
                             for n, g in zip(spec.differentiable, grads, strict=True)})
            while len(OUTPUTS) > KEPT:
                OUTPUTS.popitem(last=False)
        return OUTPUTS[key]


# the prepared cases and framework outputs of the last few (path, case, dtype[, cotangent]): the
# value, gradient, published and convention checks of one case run one after another (conftest
# orders them), so a few entries serve them all; the arrays are small
PREPARED: OrderedDict = OrderedDict()
OUTPUTS: OrderedDict = OrderedDict()
KEPT = 8


def release(path: Path, backend) -> None:
    """Forget what was computed and compiled for `path`, once its checks are done: the shared
    outputs, the path's own caches (JAX "+jit" paths keep their compiled functions in caches
    that `cache_clear` empties) and the backend's (its optional `release`)."""
    OUTPUTS.clear()
    PREPARED.clear()
    for clear in (getattr(path.fn, "cache_clear", None), getattr(backend, "release", None)):
        if clear is not None:
            clear()


def context(check: Check, title: str, expected_is: str, reproduce: str, case=None,
             canonical=None) -> Context:
    case = case or check.case
    params = ", ".join(f"{k}={_short(v)}" for k, v in case.set_params.items()) or "defaults"
    return Context(
        title=f"{check.path.id} ({check.path.kind}): {case.loss} {title}",
        call=check.path.call,
        case=f"{case.id} ({case.file}), encoding {case.encoding}"
             + (f" (derived from {case.derived_from})" if case.derived_from else ""),
        params=params, dtype_device=f"{check.dtype} on {check.device}",
        expected_is=expected_is, reproduce=reproduce,
        conventions=", ".join(check.path.conventions), canonical=canonical)


def _short(v) -> str:
    if isinstance(v, (list, np.ndarray)):
        return np.array2string(np.asarray(v), precision=4, threshold=8)
    return repr(v)


def _value(check: Check, reproduce: str) -> Worst:
    __tracebackhide__ = True
    prep = Prepared.of(check)
    expected = prep.reference().value
    canonical = prep.reference(()).value
    what = "reference (float64) on the same rounded inputs"
    if check.path.conventions:
        what += ", following the path's conventions"
    worst = assert_close(prep.value(), expected, tolerances.for_dtype(check.case, check.dtype),
                         context(check, "value differs from the reference", what, reproduce,
                                 canonical=canonical))
    if check.path.checks_dtype:     # the result itself, before to_numpy makes it float64
        assert_dtype(check.path.fn(*prep.args, **prep.kwargs), check.dtype, context(
            check, "result has another dtype than the check's", "the check's dtype, which the "
            "path declares it computes and returns in: checks_dtype", reproduce))
    return worst


def _gradient(check: Check, reproduce: str) -> Worst:
    __tracebackhide__ = True
    prep = Prepared.of(check)
    v = prep.cotangent()
    if check.adapter.name == "reference":
        got = prep.reference(cotangent=v).grads
        expected = {}
        for name, fd in finite_difference(prep, v).items():
            # where the loss is infinite no difference quotient exists; the analytic value there is
            # the formal derivative, which the frameworks' gradient checks compare
            quotient, defined = fd
            got[name], expected[name] = np.where(defined, got[name], np.nan), np.where(
                defined, quotient, np.nan)
        tol = tolerances.FINITE_DIFFERENCE
        title = "analytic gradient differs from finite differences"
        what = ("finite differences of the reference value (nan: the loss is infinite there, "
                "no difference quotient)")
    else:
        got = prep.gradient(v)
        expected = prep.reference(cotangent=v).grads
        tol = tolerances.for_dtype(check.case, check.dtype)
        title = "gradient differs from the reference"
        what = "reference analytic gradient (vector-Jacobian product with the same cotangent)"
    worst = compare_grads(got, expected, tol, context(check, title, what, reproduce),
                          prep.canonical_grads(v))
    if check.path.compiles and check.adapter.name != "reference":
        # a compiled step computes the value in its own graph: the value it returns is timed too
        worst = worse(worst, assert_close(
            prep.outputs(v)[0], prep.reference().value, tol,
            context(check, "value of the compiled value-and-gradient step differs from the "
                    "reference", "reference (float64) on the same rounded inputs", reproduce,
                    canonical=prep.reference(()).value)))
    return worst


def compare_grads(got: dict, expected: dict, tol, ctx: Context, canonical: dict | None) -> Worst:
    """Compare the gradient with respect to each differentiable input; name the input in the
    message when the loss has more than one."""
    __tracebackhide__ = True
    worst, title = Worst(), ctx.title
    for name in expected:
        if len(expected) > 1:
            ctx.title = f"{title} (with respect to {name})"
        ctx.canonical = None if canonical is None else canonical[name]
        worst = worse(worst, assert_close(got[name], expected[name], tol, ctx))
    ctx.title = title
    return worst


def finite_difference(prep: Prepared, cotangent) -> dict:
    """For each differentiable input: d sum(cotangent * f) / d input by differences, and where
    that is defined.

    Logits, log-probabilities and other unbounded inputs: central differences with h = 1e-4 (the
    curvature of log-sum-exp has scale 1 whatever the magnitude of the logits). Probabilities
    (binary_cross_entropy): h = 1e-6 * distance to the nearer end of [0, 1], one-sided
    (second order) at 0 and 1. Output elements that do not change are left out of the
    difference, so an infinite loss elsewhere does not spoil it (inf - inf); an entry whose own
    loss is infinite has no difference quotient and is marked undefined."""
    spec = LOSSES[prep.case.loss]
    return {name: _difference_quotients(prep, name, cotangent) for name in spec.differentiable}


def _difference_quotients(prep: Prepared, name: str, cotangent):
    x = prep.seen[name]
    bounded = prep.case.loss == "binary_cross_entropy"

    def f(xv):
        seen = {**prep.seen, name: xv}
        return reference.evaluate(prep.case.loss, seen, prep.seen_params, prep.case.encoding,
                                  (), None, validate=False).value

    f0 = f(x)

    def delta(i, step):
        """f moved by a step of entry i (0 where f does not change), and the step really taken."""
        xv = x.copy()
        xv[i] = x[i] + step
        fv = f(xv)
        with np.errstate(invalid="ignore"):
            return np.where(fv == f0, 0.0, fv - f0), xv[i] - x[i]

    grad, defined = np.zeros_like(x), np.ones(x.shape, dtype=bool)
    for i in np.ndindex(x.shape):
        if not np.isfinite(x[i]):
            continue        # a step does not move an infinite input: f is constant along it
        h = (1e-6 * (min(x[i], 1 - x[i]) or 1.0)) if bounded else 1e-4
        h = 2.0 ** np.floor(np.log2(h))   # a power of two: steps from 0 and 1 are exact
        with np.errstate(invalid="ignore"):    # inf - inf where the loss is infinite
            if bounded and x[i] == 0:
                d = (4 * delta(i, h)[0] - delta(i, 2 * h)[0]) / (2 * h)
            elif bounded and x[i] == 1:
                d = -(4 * delta(i, -h)[0] - delta(i, -2 * h)[0]) / (2 * h)
            else:
                (up, s_up), (down, s_down) = delta(i, h), delta(i, -h)
                d = (up - down) / (s_up - s_down)
            grad[i] = np.sum(cotangent * d)
        defined[i] = np.all(np.isfinite(d))
    return grad, defined & ~_infinite_loss_at(prep, name)


def _infinite_loss_at(prep: Prepared, name: str) -> np.ndarray:
    """Input entries whose own loss element is not finite (a class loss's element owns its row;
    for the other families any infinite element makes every entry undefined)."""
    x, spec = prep.seen[name], LOSSES[prep.case.loss]
    if spec.target is None:
        return np.zeros(x.shape, dtype=bool)
    unreduced = reference.evaluate(prep.case.loss, prep.seen,
                                   {**prep.seen_params, "reduction": "none"}, prep.case.encoding,
                                   validate=False)
    bad = ~np.isfinite(unreduced.value)
    axis = class_axes(x, prep.seen_params.get("axis", 1))   # one, or joint class axes
    rows = tuple(s for i, s in enumerate(x.shape) if i not in axis)
    if (spec.target == "class" and bad.ndim and bad.shape != rows
            and bad.shape[0] and bad.shape[1:] == rows[1:] and rows[0] % bad.shape[0] == 0):
        # a batch of equal splits (jsd_cross_entropy): input row n is element n mod B's
        bad = np.tile(bad, (rows[0] // bad.shape[0],) + (1,) * (bad.ndim - 1))
    # a loss of other targets, or a class loss whose elements are not per row (one Lovasz-Softmax
    # value per image): any infinite element makes every entry undefined
    if spec.target == "other" or bad.shape != rows:
        return np.full(x.shape, bad.any())
    if prep.seen_params["reduction"] != "none":
        bad = np.full(bad.shape, bad.any())   # a reduced loss is infinite as a whole
    if spec.target == "class":
        bad = np.expand_dims(bad, axis)
    return np.broadcast_to(bad, x.shape)


def shifted(value, new, old):
    """`value` moved by what the reference says changed (new - old): unchanged where new equals
    old (inf and nan included); `new` itself where the change is not finite (inf - inf)."""
    with np.errstate(invalid="ignore"):
        diff = new - old
        same = (new == old) | (np.isnan(new) & np.isnan(old))
        return np.where(same, value, np.where(np.isfinite(diff), value + diff, new))


def _encoding(check: Check, reproduce: str) -> Worst:
    __tracebackhide__ = True
    twin, base = Prepared.of(check), Prepared.of(check, check.base)
    tol = tolerances.for_dtype(check.case, check.dtype)
    # what the conventions predict the two encodings differ by (0 for canonical behaviour)
    v = base.cotangent()
    ref_twin, ref_base = twin.reference(cotangent=v), base.reference(cotangent=v)
    what = (f"the same path on the {check.base.encoding} encoding"
            + (", shifted by the difference the conventions predict"
               if not np.all(close_mask(ref_twin.value, ref_base.value, tol)) else ""))
    got_base = base.value()
    expected = shifted(got_base, ref_twin.value, ref_base.value)
    ctx = context(check, f"value on {check.case.encoding} targets differs from "
                          f"{check.base.encoding} targets", what, reproduce)
    if check.adapter.name == "reference":
        return worse(assert_close(ref_twin.value, ref_base.value, tol, ctx),
                     assert_close(ref_twin.grad, ref_base.grad, tol, ctx))  # encoding-free
    worst = assert_close(twin.value(), expected, tol, ctx)
    if not has_gradients(twin.backend):
        return worst      # values only: the gradient checks say so
    ctx.title = ctx.title.replace("value", "gradient")
    got, base_grad = twin.gradient(v)["input"], base.gradient(v)["input"]   # class losses: 1 input
    expected = shifted(base_grad, ref_twin.grad, ref_base.grad)
    return worse(worst, assert_close(got, expected, tol, ctx))


def _published(check: Check, reproduce: str) -> Worst:
    """The published number is for the case's exact inputs and canonical semantics. The check
    shifts it by what rounding the inputs to the dtype and the path's conventions change, both
    computed by the reference, so what remains is the framework's own error."""
    __tracebackhide__ = True
    prep = Prepared.of(check)
    case = check.case
    tol = tolerances.for_published(case, check.dtype)
    # the case was checked when it was loaded (its extended domain, if any, included)
    exact = reference.evaluate(case.loss, case.inputs, case.params, case.encoding,
                               validate=False)
    what = f"published: {case.provenance}; shifted by what input rounding and conventions change"
    is_reference = check.adapter.name == "reference"
    worst = Worst()
    if case.expected is not None:
        got = prep.reference().value if is_reference else prep.value()
        follows = prep.reference().value
        # a convention that changes the output's shape (kornia's per-class map): the published
        # number cannot be moved onto it, so the reference under the conventions stands for it
        expected = shifted(case.expected, follows, exact.value) \
            if np.shape(follows) == np.shape(exact.value) else follows
        worst = assert_close(got, expected, tol, context(
            check, "value differs from the published value", what, reproduce))
    if case.expected_grad is not None and has_gradients(prep.backend):
        v = np.array(1.0)
        got = prep.reference(cotangent=v).grad if is_reference \
            else prep.gradient(v)[LOSSES[case.loss].differentiable[0]]
        exact_grad = reference.evaluate(case.loss, case.inputs, case.params, case.encoding,
                                        (), v, validate=False).grad
        expected = shifted(case.expected_grad, prep.reference(cotangent=v).grad, exact_grad)
        worst = worse(worst, assert_close(got, expected, tol, context(
            check, "gradient differs from the published gradient", what, reproduce)))
    return worst


def _convention(check: Check, reproduce: str) -> Worst:
    __tracebackhide__ = True
    ev = check.evidence
    prep = Prepared.of(check)
    v = prep.cotangent()
    others = tuple(c for c in check.path.conventions if c != ev.convention)
    follows = prep.reference(cotangent=v)
    tol = tolerances.for_dtype(check.case, check.dtype)
    without = prep.reference_if_shaped(others, v)
    grads = has_gradients(prep.backend)    # values only: a convention shows in the value
    exercised = without is None or not same_result(follows, without, tol, grads)
    what = f"reference following {ev.convention}; evidence: {ev.call} -> {ev.seen} ({ev.versions})"
    ctx = context(check, f"no longer follows convention {ev.convention}", what, reproduce,
                   canonical=prep.reference(others).value)
    assert exercised, (f"evidence for {ev.convention} on {check.path.id}: case {ev.case} gives the "
                       f"same value and gradient with and without the convention, so it shows "
                       f"nothing; pick a case that exercises it")
    worst = assert_close(prep.value(), follows.value, tol, ctx)
    if not grads:
        return worst
    ctx.title = ctx.title.replace("no longer follows", "gradient no longer follows")
    return worse(worst, compare_grads(prep.gradient(v), follows.grads, tol, ctx,
                                      None if without is None else without.grads))


def same_result(a, b, tol, gradients: bool = True) -> bool:
    """Whether two reference results agree within `tol`: value and (unless `gradients` is False)
    every gradient."""
    return bool(np.all(close_mask(a.value, b.value, tol))
                and (not gradients
                     or all(np.all(close_mask(a.grads[n], b.grads[n], tol)) for n in a.grads)))
