"""The one assertion of the suite and the one failure format (DESIGN.md: "How a failure reads")."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cases import Tolerance


@dataclass(frozen=True)
class Worst:
    """The worst element of one comparison: |got - expected| over the allowed error
    atol + rtol |expected| (a ratio above 1 fails; inf for a mismatched nan, inf or shape)."""
    ratio: float = 0.0
    index: tuple = ()
    got: float = 0.0
    expected: float = 0.0
    allowed: float = 0.0

    @property
    def error(self) -> float:
        return abs(self.got - self.expected)

    def as_dict(self) -> dict:
        """Plain numbers, as a test report carries them (pytest-xdist serialises reports)."""
        return {"ratio": self.ratio, "error": self.error, "got": self.got,
                "expected": self.expected, "allowed": self.allowed, "index": list(self.index)}


class ConformanceFailure(AssertionError):
    def __init__(self, message: str, worst: Worst | None = None):
        super().__init__(message)
        self.worst = worst


@dataclass
class Context:
    """What a failure message says besides the numbers."""
    title: str                 # e.g. "torch/functional: cross_entropy value differs from reference"
    call: str
    case: str                  # "id (file), encoding index"
    params: str
    dtype_device: str
    expected_is: str           # what "expected" means here
    reproduce: str
    conventions: str = ""
    canonical: np.ndarray | None = None


def close_mask(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> np.ndarray:
    got, expected = np.broadcast_arrays(np.asarray(got, float), np.asarray(expected, float))
    with np.errstate(invalid="ignore"):
        same_special = (np.isnan(got) & np.isnan(expected)) | (
            np.isinf(got) & np.isinf(expected) & (np.sign(got) == np.sign(expected)))
        # finite on both sides: rtol * |inf| would let anything match an infinite expectation
        within = (np.isfinite(got) & np.isfinite(expected)
                  & (np.abs(got - expected) <= tol.atol + tol.rtol * np.abs(expected)))
    return same_special | within


def worst_element(got, expected, tol: Tolerance) -> Worst:
    got, expected = np.broadcast_arrays(np.asarray(got, float), np.asarray(expected, float))
    if got.size == 0:
        return Worst()
    ok = close_mask(got, expected, tol)
    with np.errstate(invalid="ignore", divide="ignore"):
        allowed = tol.atol + tol.rtol * np.abs(expected)
        ratio = np.abs(got - expected) / allowed
    ratio = np.where(ok, np.nan_to_num(ratio, nan=0.0, posinf=0.0),
                     np.where(ratio > 1, ratio, np.inf))
    i = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    return Worst(float(ratio[i]), tuple(int(k) for k in i), float(got[i]), float(expected[i]),
                 float(allowed[i]) if np.isfinite(allowed[i]) else 0.0)


def assert_close(got, expected, tol: Tolerance, ctx: Context) -> Worst:
    """Pass, returning the worst element, or raise one ConformanceFailure saying everything."""
    __tracebackhide__ = True
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    if got.shape != expected.shape:
        raise ConformanceFailure(_format(ctx, got, expected, tol,
                                         f"shape {got.shape}, expected shape {expected.shape}"),
                                 Worst(np.inf))
    worst = worst_element(got, expected, tol)
    if worst.ratio <= 1:
        return worst
    outside = int((~close_mask(got, expected, tol)).sum())
    where = f"at index {worst.index}" if worst.index else "scalar"
    atol = np.broadcast_to(tol.atol, got.shape)[worst.index] if got.ndim else tol.atol
    line = (f"{where}: got {worst.got!r}, expected {worst.expected!r}, |error| {worst.error:.3g} "
            f"> atol {float(atol):g} + rtol {tol.rtol:g} * |expected| = {worst.allowed:.3g}; "
            f"{outside} of {got.size} elements outside")
    raise ConformanceFailure(_format(ctx, got, expected, tol, line), worst)


def result_dtype(value) -> str:
    """The dtype of a framework's result, by name ('float32'): NumPy, TensorFlow and JAX dtypes
    have `.name`; torch's print as 'torch.float32'."""
    dtype = getattr(value, "dtype", None)
    name = getattr(dtype, "name", None)
    return name if isinstance(name, str) else str(dtype).removeprefix("torch.")


def assert_dtype(value, expected: str, ctx: Context) -> None:
    """Pass when the framework's result `value` has dtype `expected`, or raise one
    ConformanceFailure in the usual format."""
    __tracebackhide__ = True
    got = result_dtype(value)
    if got != expected:
        lines = [ctx.title, f"  call        {ctx.call}", f"  case        {ctx.case}",
                 f"  params      {ctx.params}", f"  dtype       {ctx.dtype_device}",
                 f"  got         a result of dtype {got}",
                 f"  expected    dtype {expected} ({ctx.expected_is})",
                 f"  reproduce   {ctx.reproduce}"]
        raise ConformanceFailure("\n".join(lines), Worst(np.inf))


def _atol(atol) -> str:
    """A tolerance's atol: a number, or per element (an array: its largest)."""
    return f"{atol:g}" if np.ndim(atol) == 0 else f"per element, up to {np.max(atol):g}"


def _array(a) -> str:
    return np.array2string(np.asarray(a), precision=8, threshold=40, max_line_width=100,
                           separator=", ").replace("\n", "\n              ")


def _format(ctx: Context, got, expected, tol: Tolerance, worst: str) -> str:
    lines = [ctx.title,
             f"  call        {ctx.call}",
             f"  case        {ctx.case}",
             f"  params      {ctx.params}",
             f"  dtype       {ctx.dtype_device}"]
    if ctx.conventions:
        lines.append(f"  conventions {ctx.conventions}")
    lines += [f"  got         {_array(got)}",
              f"  expected    {_array(expected)}",
              f"              ({ctx.expected_is})"]
    if ctx.canonical is not None and not np.array_equal(ctx.canonical, expected, equal_nan=True):
        lines.append(f"  canonical   {_array(ctx.canonical)}  (reference without conventions)")
    lines += [f"  worst       {worst}",
              f"  tolerance   atol {_atol(tol.atol)}, rtol {tol.rtol:g}: {tol.why}",
              f"  reproduce   {ctx.reproduce}"]
    return "\n".join(lines)
