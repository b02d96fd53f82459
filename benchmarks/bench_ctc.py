"""CTC loss (ctc_loss), default blank 0 and reduction 'mean'. The grid is common.LossBenchmark's;
its size names are reinterpreted as speech-like CTC batches (DIMS), since common.SIZES' (N, C) pairs
are classification shapes."""
import numpy as np

from . import common

# common.SIZES name -> (T frames, N sequences, C classes, S max target length)
DIMS = {"small": (50, 16, 32, 20), "medium": (200, 32, 64, 50)}


def dims(shape):
    """The CTC dimensions of a common.SIZES shape."""
    for name, dim in DIMS.items():
        if common.SIZES[name] == tuple(shape):
            return dim
    raise NotImplementedError(f"no CTC dimensions for size {shape}")


def ctc_inputs(rng, shape, dtype):
    """log_softmax of normals; targets of S/2..S labels in [1, C) (the blank is 0), padded with 0;
    T/2..T frames per sequence, always at least 2S + 1 (every alignment feasible)."""
    t, n, c, s = dims(shape)
    x = rng.standard_normal((t, n, c))
    x = x - np.log(np.exp(x).sum(axis=-1, keepdims=True))
    target_lengths = rng.integers(s // 2, s + 1, n)
    targets = rng.integers(1, c, (n, s))
    targets[np.arange(s)[None, :] >= target_lengths[:, None]] = 0
    input_lengths = rng.integers(max(t // 2, 2 * s + 1), t + 1, n)
    return [x.astype(dtype), targets.astype(np.int64), input_lengths.astype(np.int64),
            target_lengths.astype(np.int64)]


def _min_bytes(shape, dtype, backward):
    """log_probs read once, targets and both lengths (int64) read, one scalar written; the
    backward writes the dense gradient (T, N, C) too."""
    t, n, c, s = dims(shape)
    size = np.dtype(dtype).itemsize
    x = t * n * c * size
    return x + 8 * (n * s + 2 * n) + size + (x if backward else 0)


def _min_ops(shape, backward):
    """Per frame and lattice state (2S + 1 per sequence): the forward recursion's two log-add-exps
    (exp, add, log each) and the emission add, 7; the backward adds the beta recursion (7) and the
    posterior exp(alpha + beta - log p) and its sum into the class (3)."""
    t, n, c, s = dims(shape)
    states = t * n * (2 * s + 1)
    return 7 * states + (10 * states if backward else 0)


class CtcLoss(common.LossBenchmark):
    loss = "ctc_loss"
    sizes = tuple(DIMS)
    min_bytes = staticmethod(_min_bytes)
    min_ops = staticmethod(_min_ops)

    def make_inputs(self, rng, shape, dtype):
        return ctc_inputs(rng, shape, dtype)


class CtcLimits(common.Limits):
    benchmarks = (CtcLoss,)
