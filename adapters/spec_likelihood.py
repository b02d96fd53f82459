"""Canonical losses of the likelihood family, and the conventions that concern them only."""
from __future__ import annotations
