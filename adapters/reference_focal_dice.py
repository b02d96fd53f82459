"""Reference values and gradients of the focal_dice family (see spec_focal_dice.py), in float64 NumPy.

PARS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see reference.FAMILY_PARTS.
"""
from __future__ import annotations

PARTS = {}
