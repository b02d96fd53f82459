"""Focal and Dice losses: sigmoid_focal_loss, soft_dice_loss, categorical_focal_crossentropy,
tversky, generalized_dice and jaccard at their default parameters (alpha 0.25, gamma 2; smooth
1e-6, one Dice per sample and class; alpha 0.25, gamma 2, no smoothing; alpha = beta = 0.5, smooth
1e-6; square weights, smooth 1e-6; smooth 1e-6; reduction 'mean').
One class per loss; the grid is common.LossBenchmark's.

Shapes from common.SIZES' (N, C):
  sigmoid_focal_loss  logits and targets of shape (N, C): N samples, C independent binary labels
                      (RetinaNet's anchors x classes), about 10 % positives.
  soft_dice_loss      probabilities and targets of shape (N, 2, C): N images of C pixels, two
                      classes [p, 1 - p] (binary segmentation), so each Dice sums over C pixels.
  categorical_focal_crossentropy
                      logits (N, C) and one-hot targets (N, C), the encoding Keras's native
                      CategoricalFocalCrossentropy takes (torch and JAX: their composed paths).
  tversky             as soft_dice_loss: (N, 2, C) probabilities and targets.
  generalized_dice    as soft_dice_loss: (N, 2, C), one value per image (square weights).
  jaccard             as soft_dice_loss: (N, 2, C) probabilities and targets.
  lovasz_hinge        logits and 0/1 labels of shape (N, C), about 30 % foreground: one set of
                      N C pixels (per_image=False, the default).
  lovasz_softmax      logits (N, C) and index targets (N,): one set of N pixels, C classes, the
                      classes present averaged (the defaults).
Lovasz: per_image False, ignore_index -100 (nothing ignored), classes 'present'.
"""
import math

import numpy as np

from . import common

# ---------------------------------------------------------------- limits

def _focal_bytes(shape, dtype, backward):
    """Logits and targets read once, one scalar written; the gradient written for backward."""
    n, c = shape
    x = n * c * np.dtype(dtype).itemsize
    return 2 * x + np.dtype(dtype).itemsize + (x if backward else 0)


def _focal_ops(shape, backward):
    """Per element, forward: exp and log1p of the softplus (ce, 4 with its select), sigmoid from
    the same exp (2), 1 - p_t (3), pow as exp(gamma log) (3), alpha_t (3), two products and the
    sum (3) = 18. Backward: (1 - 2y) p (1 - p) (4), the two terms of the product rule (6),
    alpha_t and the 1/N scale (2) = 12."""
    e = shape[0] * shape[1]
    return 18 * e + (12 * e if backward else 0)


def _dice_bytes(shape, dtype, backward):
    """Probabilities and targets of (N, 2, C) read once, one scalar written; the gradient
    (N, 2, C) written for backward."""
    n, c = shape
    x = 2 * n * c * np.dtype(dtype).itemsize
    return 2 * x + np.dtype(dtype).itemsize + (x if backward else 0)


def _dice_ops(shape, backward):
    """Per element of (N, 2, C), forward: p t, and three running sums (I, P, T) = 4; per Dice
    value a handful (ignored). Backward: (D - 2 t) / den = 3 per element."""
    e = 2 * shape[0] * shape[1]
    return 4 * e + (3 * e if backward else 0)


def _cfc_bytes(shape, dtype, backward):
    """Logits and one-hot targets (N, C) read once, one scalar written; the gradient (N, C)
    written for backward."""
    n, c = shape
    x = n * c * np.dtype(dtype).itemsize
    return 2 * x + np.dtype(dtype).itemsize + (x if backward else 0)


def _cfc_ops(shape, backward):
    """Per element, forward: log_softmax (max, subtract, exp, sum: 4), -expm1 and pow (as exp and
    log: 3), t f log p and the class sum (3) = 10. Backward: h (4), p_j times the row's sum of h,
    subtracted (3) = 7."""
    e = shape[0] * shape[1]
    return 10 * e + (7 * e if backward else 0)


def _tversky_ops(shape, backward):
    """Per element of (N, 2, C), forward: p t, p (1 - t), (1 - p) t and their three running sums
    = 8; per value a handful (ignored). Backward: (TI ((1 - a - b) t + a) - t) / D = 5."""
    e = 2 * shape[0] * shape[1]
    return 8 * e + (5 * e if backward else 0)


class SigmoidFocalLoss(common.LossBenchmark):
    loss = "sigmoid_focal_loss"
    min_bytes = staticmethod(_focal_bytes)
    min_ops = staticmethod(_focal_ops)

    def make_inputs(self, rng, shape, dtype):
        logits = 2.0 * rng.standard_normal(shape)
        target = (rng.uniform(size=shape) < 0.1).astype(np.float64)
        return [logits.astype(dtype), target.astype(dtype)]


class SoftDiceLoss(common.LossBenchmark):
    loss = "soft_dice_loss"
    min_bytes = staticmethod(_dice_bytes)
    min_ops = staticmethod(_dice_ops)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        p = 1.0 / (1.0 + np.exp(-2.0 * rng.standard_normal((n, c))))
        t = (rng.uniform(size=(n, c)) < 0.3).astype(np.float64)
        # [p, 1 - p] sums to 1 over the classes, as optax.losses.dice_loss requires
        return [np.stack([p, 1 - p], axis=1).astype(dtype),
                np.stack([t, 1 - t], axis=1).astype(dtype)]


class CategoricalFocalCrossentropy(common.LossBenchmark):
    loss = "categorical_focal_crossentropy"
    encoding = "one_hot"
    min_bytes = staticmethod(_cfc_bytes)
    min_ops = staticmethod(_cfc_ops)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        one_hot = np.eye(c)[rng.integers(0, c, n)]
        return [(2.0 * rng.standard_normal((n, c))).astype(dtype), one_hot.astype(dtype)]


class Tversky(common.LossBenchmark):
    loss = "tversky"
    min_bytes = staticmethod(_dice_bytes)
    min_ops = staticmethod(_tversky_ops)

    def make_inputs(self, rng, shape, dtype):
        return SoftDiceLoss.make_inputs(self, rng, shape, dtype)


def _gdl_ops(shape, backward):
    """Per element of (N, 2, C), forward: p t and three running sums (I, P, T) = 4; per class
    and sample a handful (weights, weighted sums: ignored). Backward: w (G - 2 t) / Den = 3."""
    e = 2 * shape[0] * shape[1]
    return 4 * e + (3 * e if backward else 0)


def _jaccard_ops(shape, backward):
    """Per element of (N, 2, C), forward: p t and three running sums (I, P, T) = 4; per value a
    handful (ignored). Backward: (J (1 - t) - t) / (U + s) = 4."""
    e = 2 * shape[0] * shape[1]
    return 4 * e + (4 * e if backward else 0)


class GeneralizedDice(common.LossBenchmark):
    loss = "generalized_dice"
    min_bytes = staticmethod(_dice_bytes)
    min_ops = staticmethod(_gdl_ops)

    def make_inputs(self, rng, shape, dtype):
        return SoftDiceLoss.make_inputs(self, rng, shape, dtype)


class Jaccard(common.LossBenchmark):
    loss = "jaccard"
    min_bytes = staticmethod(_dice_bytes)
    min_ops = staticmethod(_jaccard_ops)

    def make_inputs(self, rng, shape, dtype):
        return SoftDiceLoss.make_inputs(self, rng, shape, dtype)


def _sort_comparisons(p):
    """log2(P!) ~ P log2 P: the fewest comparisons any comparison sort of P errors needs."""
    return math.lgamma(p + 1) / math.log(2) if p > 1 else 0.0


def _lovasz_hinge_ops(shape, backward):
    """Per element of (N, C), one set of P = N C, forward: s = 2y - 1 and m = 1 - x s (4), the
    labels gathered in sorted order (1), two cumulative sums, J = 1 - I / U and its difference
    (6), relu, product and sum (3) = 14, plus the sort's log2(P!) comparisons. Backward: w
    scattered back, times [m > 0] and -s (3)."""
    e = shape[0] * shape[1]
    return 14 * e + _sort_comparisons(e) + (3 * e if backward else 0)


def _lovasz_softmax_bytes(shape, dtype, backward):
    """Logits (N, C) and N int64 targets read once, one scalar written; the gradient (N, C)
    written for backward."""
    n, c = shape
    s = np.dtype(dtype).itemsize
    return n * c * s + 8 * n + s + (n * c * s if backward else 0)


def _lovasz_softmax_ops(shape, backward):
    """Per element of (N, C), forward: softmax (max, subtract, exp, sum, divide: 5), the error
    |[y = c] - p| (2), the labels gathered, two cumulative sums, J and its difference (7), the
    product and sum (2) = 16, plus per class the sort of N errors, log2(N!) comparisons.
    Backward: w sign(p - y) scattered (2), back through the softmax (3) = 5."""
    n, c = shape
    e = n * c
    return 16 * e + c * _sort_comparisons(n) + (5 * e if backward else 0)


class LovaszHinge(common.LossBenchmark):
    loss = "lovasz_hinge"
    min_bytes = staticmethod(_focal_bytes)     # logits and labels (N, C), as the focal loss's
    min_ops = staticmethod(_lovasz_hinge_ops)

    def make_inputs(self, rng, shape, dtype):
        logits = 2.0 * rng.standard_normal(shape)
        labels = (rng.uniform(size=shape) < 0.3).astype(np.float64)
        return [logits.astype(dtype), labels.astype(dtype)]


class LovaszSoftmax(common.LossBenchmark):
    loss = "lovasz_softmax"
    encoding = "index"
    min_bytes = staticmethod(_lovasz_softmax_bytes)
    min_ops = staticmethod(_lovasz_softmax_ops)

    def make_inputs(self, rng, shape, dtype):
        n, c = shape
        return [(2.0 * rng.standard_normal((n, c))).astype(dtype),
                rng.integers(0, c, size=n, dtype=np.int64)]


class FocalDiceLimits(common.Limits):
    benchmarks = (SigmoidFocalLoss, SoftDiceLoss, CategoricalFocalCrossentropy, Tversky,
                  GeneralizedDice, Jaccard, LovaszHinge, LovaszSoftmax)
