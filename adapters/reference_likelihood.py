"""Reference values and gradients of the likelihood family (see spec_likelihood.py), in float64 NumPy.

PARS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see reference.FAMILY_PARTS.
"""
from __future__ import annotations

PARTS = {}
