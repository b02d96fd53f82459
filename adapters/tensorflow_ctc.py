"""TensorFlow/Keras paths of the ctc family (adapters/spec_ctc.py)."""
from __future__ import annotations
