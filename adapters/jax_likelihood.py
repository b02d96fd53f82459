"""JAX/optax paths of the likelihood family (adapters/spec_likelihood.py)."""
from __future__ import annotations
