"""Classification losses: cross_entropy, nll_loss, binary_cross_entropy(_with_logits), softmax,
log_softmax, poly_loss_cross_entropy, categorical_generalized_cross_entropy,
linear_cross_entropy, jsd_cross_entropy. One class per loss; the grid is common.LossBenchmark's.
Only cross-entropy and linear_cross_entropy get the large-vocabulary sizes (a language model's
output layer), where they dominate memory traffic. linear_cross_entropy reads (N, C) as N hidden
states of size D = min(C, 64) and a (C, D) weight: the logits (N, C) are what a fused kernel
never writes. jsd_cross_entropy reads (N, C) as 3 splits of N // 3 examples.

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


class PolyLossCrossEntropy(common.LossBenchmark):
    loss = "poly_loss_cross_entropy"
    encoding = "index"
    min_bytes = _class_bytes(lambda n, c: n * c)

    @staticmethod
    def min_ops(shape, backward):
        """Cross-entropy's log-sum-exp (4 per element, 3 per row), plus p_t, its product by
        epsilon and the sum per row; backward: softmax, one-hot and the p_t term per element."""
        n, c = shape
        return 4 * n * c + 6 * n + ((5 * n * c + 2 * n) if backward else 0)

    def make_inputs(self, rng, shape, dtype):
        return [_logits(rng, shape), _classes(rng, shape)]


class CategoricalGeneralizedCrossEntropy(common.LossBenchmark):
    loss = "categorical_generalized_cross_entropy"
    encoding = "index"
    min_bytes = _class_bytes(lambda n, c: n)    # only the targets' probabilities are read

    @staticmethod
    def min_ops(shape, backward):
        """A gather, a power, a subtract and a divide per row; backward: the gradient written,
        -p^(q-1) and the scale per row."""
        n, c = shape
        return 4 * n + ((n * c + 3 * n) if backward else 0)

    def make_inputs(self, rng, shape, dtype):
        x = _logits(rng, shape)
        e = np.exp(x - x.max(1, keepdims=True))
        return [(e / e.sum(1, keepdims=True)).astype(np.float32), _classes(rng, shape)]


# jsd_cross_entropy's batch is num_splits (3, its default) splits: an (N, C) size is read as
# 3 (N // 3) rows (small: 1 example in 3 splits; medium: 85 in 3, 255 rows)
JSD_SPLITS = 3


def _jsd_shape(shape):
    n, c = shape
    return JSD_SPLITS * max(1, n // JSD_SPLITS), c


class JsdCrossEntropy(common.LossBenchmark):
    loss = "jsd_cross_entropy"
    encoding = "index"

    @staticmethod
    def min_bytes(shape, dtype, backward):
        """The (S B, C) logits read once, the clean split's B int64 targets, one scalar
        written; forward+backward also writes the logits' gradient."""
        n, c = _jsd_shape(shape)
        s = np.dtype(dtype).itemsize
        return n * c * s + 8 * (n // JSD_SPLITS) + s + (n * c * s if backward else 0)

    @staticmethod
    def min_ops(shape, backward):
        """log-softmax of every row (4 per element, 3 per row), the exp (1), the mixture (1 per
        element), log M (1 per mixture element), p (log p - log M) and its sum (3), the clean
        split's cross-entropy (a gather per example); backward: p (r - KL) per element (3), the
        softmax's backward (3), the cross-entropy's one-hot subtraction per example."""
        n, c = _jsd_shape(shape)
        b = n // JSD_SPLITS
        return 9 * n * c + b * c + 3 * n + b + ((6 * n * c + b) if backward else 0)

    def make_inputs(self, rng, shape, dtype):
        n, c = _jsd_shape(shape)
        clean = _logits(rng, (n // JSD_SPLITS, c))
        # the copies: the clean logits perturbed, as augmentations move the predictions
        copies = [clean + 0.5 * _logits(rng, clean.shape) for _ in range(JSD_SPLITS - 1)]
        labels = _classes(rng, (n // JSD_SPLITS, c))
        return [np.concatenate([clean, *copies]).astype(np.float32),
                np.tile(labels, JSD_SPLITS)]

    def reference_shape(self, shape):
        return _jsd_shape(shape)


def _hidden(shape):
    """The hidden size D of linear_cross_entropy's (N, C) benchmark shape."""
    return min(shape[1], 64)


class LinearCrossEntropy(common.LossBenchmark):
    loss = "linear_cross_entropy"
    encoding = "none"
    sizes = ("small", "medium", "vocab_32k")

    @staticmethod
    def min_bytes(shape, dtype, backward):
        """The hidden states (N, D) and the weight (C, D) read once, N int64 targets, one scalar
        written; forward+backward also writes both gradients (the logits never leave a fused
        kernel)."""
        n, c = shape
        d, s = _hidden(shape), np.dtype(dtype).itemsize
        return (n * d + c * d) * s + 8 * n + s + ((n * d + c * d) * s if backward else 0)

    @staticmethod
    def min_ops(shape, backward):
        """The product (2 N C D) and cross-entropy on its logits (4 N C + 3 N); backward: the
        softmax minus one-hot (2 N C) and the two products of the gradient (4 N C D)."""
        n, c = shape
        d = _hidden(shape)
        return 2 * n * c * d + 4 * n * c + 3 * n + ((4 * n * c * d + 2 * n * c) if backward else 0)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        d = _hidden(shape)
        return [rng.standard_normal((n, d), dtype=np.float32),
                (rng.standard_normal((c, d), dtype=np.float32) / np.sqrt(d)).astype(np.float32),
                _classes(rng, shape)]


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
                  Softmax, LogSoftmax, PolyLossCrossEntropy, CategoricalGeneralizedCrossEntropy,
                  LinearCrossEntropy, JsdCrossEntropy)
