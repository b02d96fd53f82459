"""Canonical losses of the margin family, and the conventions that concern them only."""
from __future__ import annotations
