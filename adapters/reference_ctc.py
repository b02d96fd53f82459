"""Reference values and gradients of the ctc family (see spec_ctc.py), in float64 NumPy.

PARS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see reference.FAMILY_PARTS.
"""
from __future__ import annotations

PARTS = {}
