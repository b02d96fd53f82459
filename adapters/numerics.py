"""NumPy float64 building blocks shared by the reference modules: overflow-safe log_softmax,
softplus and sigmoid, and the vector-Jacobian product of an elementwise (or row-wise) loss."""
from __future__ import annotations

import numpy as np


def log_softmax(x: np.ndarray, axis: int, floor: float | None = None) -> np.ndarray:
    """log-sum-exp with the maximum subtracted: finite at logits of +-1e4, exact -inf stays -inf.
    A row with a logit of +inf (inf / inf) or of -inf only (0 / 0) is undefined: nan. `floor`
    clips the shifted logits x - max from below first (paddle's -64)."""
    m = np.max(x, axis=axis, keepdims=True)
    z = x - np.where(np.isfinite(m), m, 0.0)
    if floor is not None:     # x - max is computed as it is: nan in a row of -inf only
        z = np.maximum(np.where(m == -np.inf, np.nan, z), floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    return np.where(m == np.inf, np.nan, out)


def softplus(z):
    """log(1 + exp(z)) without overflow: logaddexp(0, z) is z + log1p(exp(-z)) for z > 0."""
    return np.logaddexp(0.0, z)


def sigmoid(x):
    """1 / (1 + exp(-x)) as exp(-softplus(-x)): no overflow at logits of +-1e4."""
    return np.exp(-softplus(-x))


def input_vjp(local: np.ndarray, reduced_axis: int | None = None):
    """The vector-Jacobian product of a loss whose element s depends on its own entries of the
    input only: `local` holds d elements / d input laid out like the input, and `reduced_axis`
    is the input axis the elements lack (a class axis, or a last axis summed over), if any."""
    def vjp(upstream):
        u = upstream if reduced_axis is None else np.expand_dims(upstream, reduced_axis)
        return {"input": local * u}
    return vjp
