"""Classification losses: cross_entropy, nll_loss, binary_cross_entropy(_with_logits), softmax,
log_softmax. One class per loss; the grid is common.LossBenchmark's. Only cross-entropy gets the
large-vocabulary sizes (a language model's output layer), where it dominates memory traffic.

Limit models on (N, C) inputs, x = N C elements of the dtype's size s: index targets are int64,
a reduced loss writes one element, forward+backward also writes the input's gradient (a fused
kernel reads the inputs only once).
"""
import numpy as np

from . import common


def _logits(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)


def _classes(rng, shape):
    return rng.integers(0, shape[1], size=shape[0], dtype=np.int64)


def _bits(rng, shape):
    return (rng.random(shape, dtype=np.float32) < 0.5).astype(np.float32)


def _class_bytes(read_input):
    """Bytes of a class loss on index targets: `read_input(n, c)` input elements read, N int64
    targets read, one scalar written; the (N, C) gradient written for forward+backward."""
    def min_bytes(shape, dtype, backward):
        n, c = shape
        s = np.dtype(dtype).itemsize
        return read_input(n, c) * s + 8 * n + s + (n * c * s if backward else 0)
    return staticmethod(min_bytes)


class CrossEntropy(common.LossBenchmark):
    loss = "cross_entropy"
    encoding = "index"
    sizes = ("small", "medium", "vocab_32k", "vocab_128k")
    min_bytes = _class_bytes(lambda n, c: n * c)

    @staticmethod
    def min_ops(shape, backward):
        """Per element: max, subtract, exp, add (log-sum-exp), 3 per row; backward: exp/sum and
        the scale by 1/N per element, the one-hot subtraction per row."""
        n, c = shape
        return 4 * n * c + 3 * n + ((3 * n * c + n) if backward else 0)

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape), _classes(rng, shape)]


class NllLoss(common.LossBenchmark):
    loss = "nll_loss"
    encoding = "index"
    min_bytes = _class_bytes(lambda n, c: n)    # only the targets' entries of the input are read

    @staticmethod
    def min_ops(shape, backward):
        """A gather and a sum per row; backward: the gradient written, and the scale per row."""
        n, c = shape
        return 2 * n + ((n * c + n) if backward else 0)

    def make_inputs(self, rng, shape, dtype):
        x = _logits(rng, shape)
        logp = x - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)) \
            - x.max(1, keepdims=True)   # log-probabilities, as nll_loss expects
        return [logp, _classes(rng, shape)]


class BinaryCrossEntropy(common.LossBenchmark):
    loss = "binary_cross_entropy"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(6, 4)   # two logs, products, sum; backward (p - y) / p(1-p)

    def make_inputs(self, rng, shape, dtype):
        # probabilities away from 0 and 1, so no convention's clamp is exercised
        return [rng.uniform(0.01, 0.99, size=shape).astype(np.float32), _bits(rng, shape)]


class BinaryCrossEntropyWithLogits(common.LossBenchmark):
    loss = "binary_cross_entropy_with_logits"
    min_bytes = common.elementwise_bytes(reads=2)
    min_ops = common.elementwise_ops(7, 4)   # softplus (max, abs, exp, log1p), products, sum

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape), _bits(rng, shape)]


def _activation_bytes(shape, dtype, backward):
    """The input read and the full output written; backward also reads the cotangent and writes
    the gradient."""
    x = int(np.prod(shape)) * np.dtype(dtype).itemsize
    return 2 * x + (2 * x if backward else 0)


class Softmax(common.LossBenchmark):
    loss = "softmax"
    min_bytes = staticmethod(_activation_bytes)
    min_ops = common.elementwise_ops(5, 4)   # max, subtract, exp, sum, divide; J^T v

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape)]


class LogSoftmax(common.LossBenchmark):
    loss = "log_softmax"
    min_bytes = staticmethod(_activation_bytes)
    min_ops = common.elementwise_ops(5, 3)   # max, subtract, exp, sum, log; v - s sum(v)

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape)]


class ClassificationLimits(common.Limits):
    benchmarks = (CrossEntropy, NllLoss, BinaryCrossEntropy, BinaryCrossEntropyWithLogits,
                  Softmax, LogSoftmax)
