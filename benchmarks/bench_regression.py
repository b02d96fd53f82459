"""Regression losses: l1_loss, mse_loss, smooth_l1_loss, huber_loss (default beta and delta),
log_cosh, mean_absolute_percentage_error, mean_squared_logarithmic_error. One class per loss; the
grid is common.LossBenchmark's.

Limit models: input and target read once, one scalar written, the input's gradient written for
forward+backward; per element subtract, abs or square, (compare and select for the two-branch
losses), add; log_cosh: subtract, abs, exp, log1p, add twice, backward tanh and a multiply;
the percentage error: subtract, two abs, divide, scale, add, backward sign, divide and multiply;
the logarithmic error: two log1p, subtract, square, add, backward divide and two multiplies.
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


class LogCosh(common.LossBenchmark):
    loss = "log_cosh"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(6, 2)

    def make_inputs(self, rng, shape, dtype):
        return _pair(rng, shape)


class MeanAbsolutePercentageError(common.LossBenchmark):
    loss = "mean_absolute_percentage_error"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(6, 3)

    def make_inputs(self, rng, shape, dtype):
        # targets of magnitude 0.5 to 2.5, away from 0 where the percentage is undefined
        target = rng.uniform(0.5, 2.5, shape) * rng.choice([-1.0, 1.0], shape)
        return [rng.standard_normal(shape, dtype=np.float32), target.astype(np.float32)]


class MeanSquaredLogarithmicError(common.LossBenchmark):
    loss = "mean_squared_logarithmic_error"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(5, 3)

    def make_inputs(self, rng, shape, dtype):
        # non-negative values: log(1 + v) is defined for v > -1 only
        return [np.abs(a) for a in _pair(rng, shape)]


class RegressionLimits(common.Limits):
    benchmarks = (L1Loss, MseLoss, SmoothL1Loss, HuberLoss, LogCosh, MeanAbsolutePercentageError,
                  MeanSquaredLogarithmicError)
