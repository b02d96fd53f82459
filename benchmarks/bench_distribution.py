"""Distribution losses: kl_div (default reduction 'mean'). The grid is common.LossBenchmark's."""
import numpy as np

from . import common


def _log_softmax(x):
    m = x.max(1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))


class KlDiv(common.LossBenchmark):
    loss = "kl_div"

    def make_inputs(self, rng, shape, dtype):
        logp = _log_softmax(rng.standard_normal(shape))
        target = np.exp(_log_softmax(rng.standard_normal(shape)))
        return [logp.astype(np.float32), target.astype(np.float32)]


class DistributionLimits(common.Limits):
    sizes_for = {KlDiv.loss: KlDiv.sizes}
