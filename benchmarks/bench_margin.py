"""Margin losses: soft_margin_loss, multilabel_soft_margin_loss, multi_margin_loss,
multilabel_margin_loss (default parameters: p = 1, margin = 1, no weights), and optax's
perceptron_loss, multiclass_perceptron_loss, multiclass_hinge_loss, sparsemax_loss and
multiclass_sparsemax_loss. One class per loss on common.SIZES' (N, C); the grid is
common.LossBenchmark's."""
import math

import numpy as np

from . import common

# multilabel_margin_loss: classes listed per row (then -1), so that the minimum work is known
TARGETS_PER_ROW = 4


def _targets_per_row(c):
    return max(1, min(TARGETS_PER_ROW, c // 2))


# ---------------------------------------------------------------- limits

def _bytes(inputs_fn):
    """Inputs read once, one scalar written; for forward+backward the input's gradient too."""
    def min_bytes(shape, dtype, backward):
        n, c = shape
        s = np.dtype(dtype).itemsize
        return inputs_fn(n, c, s) + s + (n * c * s if backward else 0)
    return staticmethod(min_bytes)


def _multilabel_margin_ops(shape, backward):
    # per pair (target j, non-target i): subtract, max, add; backward: two scaled adds per pair
    n, c = shape
    k = _targets_per_row(c)
    pairs = n * k * (c - k)
    return n * c + 3 * pairs + (2 * pairs if backward else 0)


class SoftMarginLoss(common.LossBenchmark):
    loss = "soft_margin_loss"
    # input and +-1 target; l = log1p(exp(-y x)): multiply, exp, add, log, sum; grad -y sigmoid
    min_bytes = _bytes(lambda n, c, s: 2 * n * c * s)
    min_ops = common.elementwise_ops(5, 4)

    def make_inputs(self, rng, shape, dtype):
        return [rng.standard_normal(shape, dtype=np.float32),
                np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0).astype(np.float32)]


class MultilabelSoftMarginLoss(common.LossBenchmark):
    loss = "multilabel_soft_margin_loss"
    # as binary_cross_entropy_with_logits plus the mean over the classes
    min_bytes = _bytes(lambda n, c, s: 2 * n * c * s)
    min_ops = common.elementwise_ops(7, 4, per_row=1)

    def make_inputs(self, rng, shape, dtype):
        return [rng.standard_normal(shape, dtype=np.float32),
                (rng.uniform(size=shape) < 0.3).astype(np.float32)]


class MultiMarginLoss(common.LossBenchmark):
    loss = "multi_margin_loss"
    # int64 class indices; z = margin - x[y] + x[i], max, add; backward: mask and scale, and x[y]
    min_bytes = _bytes(lambda n, c, s: n * c * s + 8 * n)
    min_ops = common.elementwise_ops(3, 2, per_row=1)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        return [rng.standard_normal(shape, dtype=np.float32), rng.integers(0, c, n, dtype=np.int64)]


class MultilabelMarginLoss(common.LossBenchmark):
    loss = "multilabel_margin_loss"
    # int64 target rows of the input's shape
    min_bytes = _bytes(lambda n, c, s: n * c * s + 8 * n * c)
    min_ops = staticmethod(_multilabel_margin_ops)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        k = _targets_per_row(c)
        target = np.full(shape, -1, dtype=np.int64)
        target[:, :k] = np.argsort(rng.uniform(size=shape), axis=1)[:, :k]   # k distinct classes
        return [rng.standard_normal(shape, dtype=np.float32), target]

    def setup(self, cache, adapter, loss, size, dtype, device, mode):
        # the composed TF and JAX paths and the reference build (N, C, C) pair arrays; torch's
        # kernel loops without them
        if adapter != "torch":
            common.check_memory(adapter, self.reference_shape(common.SIZES[size]), dtype)
        super().setup(cache, adapter, loss, size, dtype, device, mode)

    def reference_shape(self, shape):
        n, c = shape
        return (n * c, c)


def _multiclass_sparsemax_ops(shape, backward):
    # per element: a sort (log2 C comparisons), the cumulative sum, the support test (multiply,
    # add, compare), x - tau and its max with 0, then p (x - x[y]) and p p summed (5); per row
    # tau (subtract, divide) and the loss's last terms (3); backward: p - e_y, scaled
    n, c = shape
    per_element = math.ceil(math.log2(max(c, 2))) + 1 + 3 + 2 + 5
    return (per_element + (2 if backward else 0)) * n * c + 5 * n


def _signs(rng, shape):
    return np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0).astype(np.float32)


class PerceptronLoss(common.LossBenchmark):
    loss = "perceptron_loss"
    # input and +-1 target; l = max(0, -y x): multiply, max, sum; grad: mask times -y
    min_bytes = _bytes(lambda n, c, s: 2 * n * c * s)
    min_ops = common.elementwise_ops(3, 2)

    def make_inputs(self, rng, shape, dtype):
        return [rng.standard_normal(shape, dtype=np.float32), _signs(rng, shape)]


class MulticlassPerceptronLoss(common.LossBenchmark):
    loss = "multiclass_perceptron_loss"
    # int64 class indices; the row max (a comparison per element), x[y], subtract; backward: the
    # argmax indicator (a comparison per element), and -1 at y
    min_bytes = _bytes(lambda n, c, s: n * c * s + 8 * n)
    min_ops = common.elementwise_ops(1, 1, per_row=2)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        return [rng.standard_normal(shape, dtype=np.float32), rng.integers(0, c, n, dtype=np.int64)]


class MulticlassHingeLoss(MulticlassPerceptronLoss):
    loss = "multiclass_hinge_loss"
    # as the perceptron, on x + 1[k != y]: an add per element before the max
    min_ops = common.elementwise_ops(2, 1, per_row=2)


class SparsemaxLoss(common.LossBenchmark):
    loss = "sparsemax_loss"
    # input and 0/1 target; z = +-x, two comparisons, (z + 1)^2 / 4 (add, square, scale), sum;
    # grad: clip((z + 1) / 2, 0, 1) times the sign
    min_bytes = _bytes(lambda n, c, s: 2 * n * c * s)
    min_ops = common.elementwise_ops(7, 4)

    def make_inputs(self, rng, shape, dtype):
        return [rng.standard_normal(shape, dtype=np.float32),
                (rng.uniform(size=shape) < 0.5).astype(np.float32)]


class MulticlassSparsemaxLoss(MulticlassPerceptronLoss):
    loss = "multiclass_sparsemax_loss"
    min_ops = staticmethod(_multiclass_sparsemax_ops)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        # scores of std 0.1: supports of many classes, as at the start of training
        return [0.1 * rng.standard_normal(shape, dtype=np.float32),
                rng.integers(0, c, n, dtype=np.int64)]


class MarginLimits(common.Limits):
    benchmarks = (SoftMarginLoss, MultilabelSoftMarginLoss, MultiMarginLoss, MultilabelMarginLoss,
                  PerceptronLoss, MulticlassPerceptronLoss, MulticlassHingeLoss, SparsemaxLoss,
                  MulticlassSparsemaxLoss)
