"""Embedding losses: margin_ranking_loss, hinge_embedding_loss, triplet_margin_loss,
cosine_embedding_loss, Keras's hinge, squared_hinge, categorical_hinge, cosine_similarity and
circle (default parameters).

common.SIZES' (N, C) is read as (N, D): N embeddings of dimension D (small and medium only: these
losses are not used at vocabulary sizes). margin_ranking_loss takes 1-D scores: N * D pairs, the
same number of elements. categorical_hinge reads (N, D) as N rows of D class scores. circle
pairs the N embeddings with each other (an N x N similarity matrix)."""
import numpy as np

from . import common

EMBEDDING_SIZES = ("small", "medium")


def _normal(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)


def _signs(rng, shape):
    return np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0).astype(np.float32)


# ---------------------------------------------------------------- limits
# Bytes: every input read once, one scalar written; forward+backward also writes the gradient of
# each differentiable input. Operations count exp/sqrt as one each.

def _bytes(read, grads):
    """read(n, d) elements read; grads(n, d) gradient elements written by the backward pass."""
    def min_bytes(shape, dtype, backward):
        n, d = shape
        s = np.dtype(dtype).itemsize
        return (read(n, d) + 1 + (grads(n, d) if backward else 0)) * s
    return min_bytes


def _ops(forward, backward_ops):
    def min_ops(shape, backward):
        n, d = shape
        return forward(n, d) + (backward_ops(n, d) if backward else 0)
    return min_ops


class MarginRankingLoss(common.LossBenchmark):
    loss = "margin_ranking_loss"
    sizes = EMBEDDING_SIZES
    # x1, x2, target; subtract, multiply by -y, add margin, max, sum; grad: mask and two scales
    min_bytes = staticmethod(_bytes(lambda n, d: 3 * n * d, lambda n, d: 2 * n * d))
    min_ops = staticmethod(_ops(lambda n, d: 5 * n * d, lambda n, d: 3 * n * d))

    def make_inputs(self, rng, shape, dtype):
        n = shape[0] * shape[1]
        return [_normal(rng, n), _normal(rng, n), _signs(rng, n)]


class HingeEmbeddingLoss(common.LossBenchmark):
    loss = "hinge_embedding_loss"
    sizes = EMBEDDING_SIZES
    # x and target; two comparisons, subtract, max, select, sum; grad: select and scale
    min_bytes = staticmethod(_bytes(lambda n, d: 2 * n * d, lambda n, d: n * d))
    min_ops = staticmethod(_ops(lambda n, d: 6 * n * d, lambda n, d: 2 * n * d))

    def make_inputs(self, rng, shape, dtype):
        distances = np.abs(_normal(rng, shape)) * 2   # both sides of the default margin 1
        return [distances, _signs(rng, shape)]


class TripletMarginLoss(common.LossBenchmark):
    loss = "triplet_margin_loss"
    sizes = EMBEDDING_SIZES
    # three (N, D) inputs; per distance element: subtract, add eps, square, add (two distances);
    # per row: two roots, subtract, add margin, max; grad: scale by 1/d for two distances, combine
    min_bytes = staticmethod(_bytes(lambda n, d: 3 * n * d, lambda n, d: 3 * n * d))
    min_ops = staticmethod(_ops(lambda n, d: 8 * n * d + 5 * n, lambda n, d: 6 * n * d))

    def make_inputs(self, rng, shape, dtype):
        return [_normal(rng, shape), _normal(rng, shape), _normal(rng, shape)]


class CosineEmbeddingLoss(common.LossBenchmark):
    loss = "cosine_embedding_loss"
    sizes = EMBEDDING_SIZES
    # x1, x2 and one target per row; three dot products (multiply, add); per row: root, divide,
    # hinge, select; grad: r1 r2 x2 - c r1^2 x1 for each input (three operations per element)
    min_bytes = staticmethod(_bytes(lambda n, d: 2 * n * d + n, lambda n, d: 2 * n * d))
    min_ops = staticmethod(_ops(lambda n, d: 6 * n * d + 8 * n, lambda n, d: 6 * n * d))

    def make_inputs(self, rng, shape, dtype):
        return [_normal(rng, shape), _normal(rng, shape), _signs(rng, shape[0])]


class Hinge(common.LossBenchmark):
    loss = "hinge"
    sizes = EMBEDDING_SIZES
    # input and target; the 0/1 test of the labels (two comparisons), multiply, subtract, max, sum
    min_bytes = staticmethod(_bytes(lambda n, d: 2 * n * d, lambda n, d: n * d))
    min_ops = staticmethod(_ops(lambda n, d: 6 * n * d, lambda n, d: 2 * n * d))

    def make_inputs(self, rng, shape, dtype):
        return [_normal(rng, shape), _signs(rng, shape)]


class SquaredHinge(common.LossBenchmark):
    loss = "squared_hinge"
    sizes = EMBEDDING_SIZES
    # as hinge, plus the square (and its factor 2 max(0, z) in the gradient)
    min_bytes = staticmethod(_bytes(lambda n, d: 2 * n * d, lambda n, d: n * d))
    min_ops = staticmethod(_ops(lambda n, d: 7 * n * d, lambda n, d: 3 * n * d))

    def make_inputs(self, rng, shape, dtype):
        return [_normal(rng, shape), _signs(rng, shape)]


class CategoricalHinge(common.LossBenchmark):
    loss = "categorical_hinge"
    sizes = EMBEDDING_SIZES
    # input and one-hot target; (1 - y) x (two), max, y x, sum; per row: subtract, add, max;
    # grad: (1 - y) [argmax] - y and the scale
    min_bytes = staticmethod(_bytes(lambda n, d: 2 * n * d, lambda n, d: n * d))
    min_ops = staticmethod(_ops(lambda n, d: 5 * n * d + 3 * n, lambda n, d: 3 * n * d))

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        return [_normal(rng, shape), np.eye(c, dtype=np.float32)[rng.integers(0, c, n)]]


class CosineSimilarity(common.LossBenchmark):
    loss = "cosine_similarity"
    sizes = EMBEDDING_SIZES
    # input and target (N, D), vectors along the last axis; a dot product and two squared norms
    # (multiply, add: six per element); per row: two roots, two maxima with eps, divide, negate;
    # grad: y / (b b) - c x / b^2 for each input (three operations per element each)
    min_bytes = staticmethod(_bytes(lambda n, d: 2 * n * d, lambda n, d: 2 * n * d))
    min_ops = staticmethod(_ops(lambda n, d: 6 * n * d + 6 * n, lambda n, d: 6 * n * d))

    def make_inputs(self, rng, shape, dtype):
        return [_normal(rng, shape), _normal(rng, shape)]


class Circle(common.LossBenchmark):
    loss = "circle"
    sizes = EMBEDDING_SIZES
    # embeddings (N, D) and N labels; S = X X^T (2 N^2 D); per pair: the label comparison, two
    # weights, two scaled distances, the masks, exp (about 12 operations); per row: two sums,
    # two logs, the softplus; grad: G per pair (about 8) and (G + G^T) X (2 N^2 D)
    min_bytes = staticmethod(_bytes(lambda n, d: n * d + n, lambda n, d: n * d))
    min_ops = staticmethod(_ops(lambda n, d: 2 * n * n * d + 12 * n * n + 5 * n,
                                lambda n, d: 2 * n * n * d + 8 * n * n))

    def make_inputs(self, rng, shape, dtype):
        n, d = shape
        x = _normal(rng, shape)
        x /= np.linalg.norm(x, axis=1, keepdims=True)     # unit embeddings, as the loss expects
        return [x, rng.integers(0, max(n // 4, 2), n)]


class EmbeddingLimits(common.Limits):
    benchmarks = (MarginRankingLoss, HingeEmbeddingLoss, TripletMarginLoss, CosineEmbeddingLoss,
                  Hinge, SquaredHinge, CategoricalHinge, CosineSimilarity, Circle)
