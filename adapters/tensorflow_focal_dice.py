"""TensorFlow/Keras paths of the focal_dice family (adapters/spec_focal_dice.py)."""
from __future__ import annotations
