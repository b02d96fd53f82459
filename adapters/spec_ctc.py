"""Canonical losses of the ctc family, and the conventions that concern them only."""
from __future__ import annotations
