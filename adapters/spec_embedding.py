"""Canonical losses of the embedding family, and the conventions that concern them only."""
from __future__ import annotations
