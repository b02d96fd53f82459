"""Distribution losses: kl_div and generalized_kl_divergence (default reduction 'mean'). The grid
is common.LossBenchmark's.

Limit model: log-probabilities and target read once, one scalar written, the input's gradient
written for forward+backward; per element log t, subtract, multiply, add; backward -t scaled. The
generalized divergence adds exp(x) and two more adds, and exp(x) - t backward.
"""
import numpy as np

from . import common


def _log_softmax(x):
    m = x.max(1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))


class KlDiv(common.LossBenchmark):
    loss = "kl_div"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(4, 1)

    def make_inputs(self, rng, shape, dtype):
        logp = _log_softmax(rng.standard_normal(shape))
        target = np.exp(_log_softmax(rng.standard_normal(shape)))
        return [logp.astype(np.float32), target.astype(np.float32)]


class GeneralizedKlDivergence(common.LossBenchmark):
    loss = "generalized_kl_divergence"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(7, 2)

    def make_inputs(self, rng, shape, dtype):
        # log-predictions and non-negative targets, neither normalised
        return [rng.standard_normal(shape).astype(np.float32),
                rng.uniform(0.0, 2.0, shape).astype(np.float32)]


class DistributionLimits(common.Limits):
    benchmarks = (KlDiv, GeneralizedKlDivergence)
