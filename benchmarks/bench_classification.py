"""Classification losses: cross_entropy, nll_loss, binary_cross_entropy(_with_logits), softmax,
log_softmax. One class per loss; the grid is common.LossBenchmark's. Only cross-entropy gets the
large-vocabulary sizes (a language model's output layer), where it dominates memory traffic."""
import numpy as np

from . import common


def _logits(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)


def _classes(rng, shape):
    return rng.integers(0, shape[1], size=shape[0], dtype=np.int64)


def _bits(rng, shape):
    return (rng.random(shape, dtype=np.float32) < 0.5).astype(np.float32)


class CrossEntropy(common.LossBenchmark):
    loss = "cross_entropy"
    encoding = "index"
    sizes = ("small", "medium", "vocab_32k", "vocab_128k")

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape), _classes(rng, shape)]


class NllLoss(common.LossBenchmark):
    loss = "nll_loss"
    encoding = "index"

    def make_inputs(self, rng, shape, dtype):
        x = _logits(rng, shape)
        logp = x - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)) \
            - x.max(1, keepdims=True)   # log-probabilities, as nll_loss expects
        return [logp, _classes(rng, shape)]


class BinaryCrossEntropy(common.LossBenchmark):
    loss = "binary_cross_entropy"

    def make_inputs(self, rng, shape, dtype):
        # probabilities away from 0 and 1, so no convention's clamp is exercised
        return [rng.uniform(0.01, 0.99, size=shape).astype(np.float32), _bits(rng, shape)]


class BinaryCrossEntropyWithLogits(common.LossBenchmark):
    loss = "binary_cross_entropy_with_logits"

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape), _bits(rng, shape)]


class Softmax(common.LossBenchmark):
    loss = "softmax"

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape)]


class LogSoftmax(common.LossBenchmark):
    loss = "log_softmax"

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape)]


class ClassificationLimits(common.Limits):
    sizes_for = {cls.loss: cls.sizes for cls in (CrossEntropy, NllLoss, BinaryCrossEntropy,
                                                  BinaryCrossEntropyWithLogits, Softmax,
                                                  LogSoftmax)}
