"""Likelihood losses: poisson_nll_loss (log_input=True) and gaussian_nll_loss (heteroscedastic var
of the input's shape), default parameters (reduction 'mean'). The grid is common.LossBenchmark's;
shape (N, C) is the input's."""
import numpy as np

from . import common


class PoissonNllLoss(common.LossBenchmark):
    loss = "poisson_nll_loss"

    def make_inputs(self, rng, shape, dtype):
        log_rate = rng.standard_normal(shape, dtype=np.float32)
        counts = rng.poisson(np.exp(log_rate)).astype(np.float32)   # targets drawn from the model
        return [log_rate, counts]


class GaussianNllLoss(common.LossBenchmark):
    loss = "gaussian_nll_loss"

    def make_inputs(self, rng, shape, dtype):
        mean = rng.standard_normal(shape, dtype=np.float32)
        target = rng.standard_normal(shape, dtype=np.float32)
        var = rng.uniform(0.5, 2.0, shape).astype(np.float32)
        return [mean, target, var]


def _limits(inputs, grads, forward_ops, backward_ops):
    """Minimum bytes: every (N, C) input read once, one scalar written, and for forward+backward
    the gradient of each differentiable input written; operations per element as counted."""
    def min_bytes(shape, dtype, backward):
        x = int(np.prod(shape)) * np.dtype(dtype).itemsize
        return inputs * x + np.dtype(dtype).itemsize + (grads * x if backward else 0)

    def min_ops(shape, backward):
        e = int(np.prod(shape))
        return (forward_ops + (backward_ops if backward else 0)) * e
    return min_bytes, min_ops


# poisson: exp, multiply, subtract, add (the sum); backward: subtract (exp(x) reused), scale
common.FAMILY_LIMITS["poisson_nll_loss"] = _limits(2, 1, 4, 2)
# gaussian: max, log, subtract, square, divide, add, halve, add (the sum); backward: d / v and its
# negation (input, target), 0.5 (1 / v - d^2 / v^2) (var: divide, square-divide, subtract, halve)
# and the scale by 1/N
common.FAMILY_LIMITS["gaussian_nll_loss"] = _limits(3, 3, 8, 7)


class LikelihoodLimits(common.Limits):
    sizes_for = {cls.loss: cls.sizes for cls in (PoissonNllLoss, GaussianNllLoss)}
