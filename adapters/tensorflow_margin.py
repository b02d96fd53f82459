"""TensorFlow/Keras paths of the margin family (adapters/spec_margin.py)."""
from __future__ import annotations
