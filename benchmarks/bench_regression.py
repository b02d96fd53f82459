"""Regression losses: l1_loss, mse_loss, smooth_l1_loss, huber_loss (default beta and delta).
One class per loss; the grid is common.LossBenchmark's.

Limit models: input and target read once, one scalar written, the input's gradient written for
forward+backward; per element subtract, abs or square, (compare and select for the two-branch
losses), add.
"""
import numpy as np

from . import common


def _pair(rng, shape):
    # differences of about 1.4 in magnitude: both branches of smooth_l1 and huber are taken
    return [rng.standard_normal(shape, dtype=np.float32),
            rng.standard_normal(shape, dtype=np.float32)]


class L1Loss(common.LossBenchmark):
    loss = "l1_loss"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(3, 2)

    def make_inputs(self, rng, shape, dtype):
        return _pair(rng, shape)


class MseLoss(common.LossBenchmark):
    loss = "mse_loss"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(3, 2)

    def make_inputs(self, rng, shape, dtype):
        return _pair(rng, shape)


class SmoothL1Loss(common.LossBenchmark):
    loss = "smooth_l1_loss"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(5, 3)

    def make_inputs(self, rng, shape, dtype):
        return _pair(rng, shape)


class HuberLoss(common.LossBenchmark):
    loss = "huber_loss"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(5, 3)

    def make_inputs(self, rng, shape, dtype):
        return _pair(rng, shape)


class RegressionLimits(common.Limits):
    benchmarks = (L1Loss, MseLoss, SmoothL1Loss, HuberLoss)
