"""Likelihood losses: poisson_nll_loss (log_input=True) and gaussian_nll_loss (heteroscedastic var
of the input's shape), default parameters (reduction 'mean'). The grid is common.LossBenchmark's;
shape (N, C) is the input's.

Limit models: every (N, C) input read once, one scalar written, and for forward+backward the
gradient of each differentiable input written; operations per element as counted below.
"""
import numpy as np

from . import common


class PoissonNllLoss(common.LossBenchmark):
    loss = "poisson_nll_loss"
    min_bytes = common.elementwise_bytes(reads=2, grads=1)
    # exp, multiply, subtract, add (the sum); backward: subtract (exp(x) reused), scale
    min_ops = common.elementwise_ops(4, 2)

    def make_inputs(self, rng, shape, dtype):
        log_rate = rng.standard_normal(shape, dtype=np.float32)
        counts = rng.poisson(np.exp(log_rate)).astype(np.float32)   # targets drawn from the model
        return [log_rate, counts]


class GaussianNllLoss(common.LossBenchmark):
    loss = "gaussian_nll_loss"
    min_bytes = common.elementwise_bytes(reads=3, grads=3)
    # max, log, subtract, square, divide, add, halve, add (the sum); backward: d / v and its
    # negation (input, target), 0.5 (1 / v - d^2 / v^2) (var: divide, square-divide, subtract,
    # halve) and the scale by 1/N
    min_ops = common.elementwise_ops(8, 7)

    def make_inputs(self, rng, shape, dtype):
        mean = rng.standard_normal(shape, dtype=np.float32)
        target = rng.standard_normal(shape, dtype=np.float32)
        var = rng.uniform(0.5, 2.0, shape).astype(np.float32)
        return [mean, target, var]


class LikelihoodLimits(common.Limits):
    benchmarks = (PoissonNllLoss, GaussianNllLoss)
