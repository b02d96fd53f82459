"""Overflow-safe NumPy float64 building blocks shared by every reference module."""
from __future__ import annotations

import numpy as np


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """log-sum-exp with the maximum subtracted: finite at logits of +-1e4, exact -inf stays -inf."""
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    z = x - m
    with np.errstate(divide="ignore"):
        return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softplus(z):
    """log(1 + exp(z)) without overflow: logaddexp(0, z) is z + log1p(exp(-z)) for z > 0."""
    return np.logaddexp(0.0, z)


def sigmoid(x):
    """1 / (1 + exp(-x)) as exp(-softplus(-x)): no overflow at logits of +-1e4."""
    return np.exp(-softplus(-x))
