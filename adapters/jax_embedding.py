"""JAX/optax paths of the embedding family (adapters/spec_embedding.py)."""
from __future__ import annotations
