"""The one assertion of the suite and the one failure format (see DESIGN.md, "How a failure reads")."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cases import Tolerance


class ConformanceFailure(AssertionError):
    pass


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


def assert_close(got, expected, tol: Tolerance, ctx: Context) -> None:
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    if got.shape != expected.shape:
        raise ConformanceFailure(_format(ctx, got, expected, tol,
                                         f"shape {got.shape}, expected shape {expected.shape}"))
    ok = close_mask(got, expected, tol)
    if np.all(ok):
        return
    with np.errstate(invalid="ignore"):
        err = np.where(ok, -1.0, np.nan_to_num(np.abs(got - expected), nan=np.inf, posinf=np.inf))
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    g, e = float(got[worst]), float(expected[worst])
    allowed = tol.atol + tol.rtol * abs(e) if np.isfinite(e) else 0.0
    where = f"at index {tuple(int(i) for i in worst)}" if worst else "scalar"
    line = (f"{where}: got {g!r}, expected {e!r}, |error| {abs(g - e):.3g} > atol {tol.atol:g} "
            f"+ rtol {tol.rtol:g} * |expected| = {allowed:.3g}; {int((~ok).sum())} of {ok.size} "
            f"elements outside")
    raise ConformanceFailure(_format(ctx, got, expected, tol, line))


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
              f"  tolerance   atol {tol.atol:g}, rtol {tol.rtol:g}: {tol.why}",
              f"  reproduce   {ctx.reproduce}"]
    return "\n".join(lines)
