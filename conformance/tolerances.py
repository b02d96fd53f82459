"""Default tolerances per dtype: the one place they are defined. A case may override one dtype
with `dtype_tolerance` (and must say why). A check passes where, element by element,
|got - expected| <= atol + rtol * |expected|, with nan matching nan and inf matching inf of the
same sign.
"""
from __future__ import annotations

from .cases import Case, Tolerance

# float32, float16, bfloat16: the defaults of torch.testing.assert_close, a widely used standard
# for comparing a framework with a float64 computation
# (https://pytorch.org/docs/stable/testing.html, table "default rtol / atol per dtype").
# float16 and bfloat16 take torch.testing's rtol, but not its atol of 1e-5: these dtypes store
# intermediates of magnitude ~1 (probabilities, log-probabilities, the cotangent), so a result that
# cancels to near 0 (a gradient p - y) keeps an absolute error of about one ulp at 1, the dtype's
# machine epsilon (seen: float16 log_softmax gradient 0.06262 for 0.06310, error 4.8e-4).
# float64 is tighter than torch.testing's 1e-7: both sides compute in float64 here, differing only
# in summation order and libm rounding; 1e-12 is ~4500 ulps, room for sums of ~1e3 terms of
# magnitude <= 1. Inputs of larger magnitude (logits of 1e4) override it per case.
_LOW = "torch.testing rtol for this dtype; atol = machine epsilon (one ulp at magnitude 1)"
DEFAULTS = {
    "float64": Tolerance(atol=1e-12, rtol=1e-12, why="float64: summation order and libm only"),
    "float32": Tolerance(atol=1e-5, rtol=1.3e-6, why="torch.testing.assert_close float32 default"),
    "float16": Tolerance(atol=2**-10, rtol=1e-3, why=_LOW),
    "bfloat16": Tolerance(atol=2**-7, rtol=1.6e-2, why=_LOW),
}

# Finite differences of the float64 reference (checks.finite_difference): for logits, h = 1e-4
# gives truncation ~h^2 |f'''| / 6 ~ 2e-9 and rounding ~eps |f| / h ~ 2e-8 at |f| = 1e4; for
# probabilities, h = 1e-6 of the distance to 0 or 1 keeps both below ~1e-7 of the gradient.
FINITE_DIFFERENCE = Tolerance(atol=1e-7, rtol=1e-6,
                              why="finite differences: truncation ~h^2, rounding ~eps |f| / h")


def for_dtype(case: Case, dtype: str) -> Tolerance:
    return case.dtype_tolerance.get(dtype, DEFAULTS[dtype])


def for_published(case: Case, dtype: str) -> Tolerance:
    """A published number is rounded (the case's tolerance) and the framework computes at
    `dtype` (its tolerance): the two errors add."""
    a, b = case.tolerance, for_dtype(case, dtype)
    return Tolerance(a.atol + b.atol, a.rtol + b.rtol, f"{a.why}; plus {dtype}: {b.why}")
