"""Canonical losses of the focal_dice family, and the conventions that concern them only."""
from __future__ import annotations
