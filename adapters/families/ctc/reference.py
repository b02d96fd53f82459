"""Reference values and gradients of the ctc family (see spec.py beside this file), in
float64 NumPy.

PARTS[loss](inputs, params, conventions) -> (elements, vjp, divisor): see adapters/reference.py.

One sequence is a path sum over a lattice of K = 2L+1 states with classes z' = (blank, z_1, blank,
..., z_L, blank) (Graves et al. 2006, section 4.1), written in log space:
  before frame 0 each state s has a log-weight init[s] (canonically 0 for s = 0, -inf elsewhere);
  frame t moves each state to itself, to s+1, or to s+2 with log-weight skip[s+2] (0 when z'_{s+2}
  is a label different from z'_s, -inf otherwise), then emits x_t[z'_s];
  after the last frame state s ends with log-weight final[s] (canonically 0 for the last label and
  the last blank, -inf elsewhere).
alpha_t(s): log of the summed weight of the partial alignments that are in s after frame t (frame
t emitted); beta_t(s): log of the summed weight of the completions from s after frame t (frames
t+1.. emitted). log p = logsumexp_s(alpha_t(s) + beta_t(s)) for any t, and d log p / d x_t[k] is
the posterior occupancy gamma_t(k) = sum_{s: z'_s = k} exp(alpha_t(s) + beta_t(s) - log p): x_t[k]
enters each alignment once per frame that occupies a state of class k.
The TensorFlow and optax conventions change init, final, skip and the label row only; paddle's
(Warp-CTC) conventions change which sequences are computed at all and the gradient's entries.
"""
from __future__ import annotations

import numpy as np

from adapters.numerics import log_softmax

from .spec import OPTAX_LOG_EPSILON, PADDLE_PROB_FLOOR, TF_LOG_ZERO

PARTS = {}
NEG_INF = -np.inf
PADDLE_INFEASIBLE = "paddle_ctc_infeasible_is_0"
PADDLE_FLOOR = "paddle_ctc_probabilities_floored_at_float64_min"
PADDLE_CERTAIN = "paddle_ctc_grad_is_softmax_where_occupancy_is_1"
PADDLE_MEAN = "paddle_ctc_mean_divides_by_unclamped_target_lengths"
PADDLE_NORM_BY_TIMES = "paddle_ctc_norm_by_times_divides_grad_by_input_length"


class Lattice:
    """The states of one sequence: class of each state (-1: the state emits log-weight 0, as a
    one-hot of an out-of-range label does), init, final and skip log-weights."""

    def __init__(self, labels, blank, penalty=NEG_INF):
        k = 2 * len(labels) + 1
        self.classes = np.full(k, blank, dtype=np.int64)
        self.classes[1::2] = labels
        self.skip = np.full(k, NEG_INF)
        for s in range(3, k, 2):   # a label state, entered from the label two back
            self.skip[s] = 0.0 if self.classes[s] != self.classes[s - 2] else penalty
        self.init = np.full(k, NEG_INF)
        self.init[0] = 0.0
        self.final = np.full(k, NEG_INF)
        self.final[k - 2 if k > 1 else 0:] = 0.0
        self.grad_init = None   # TensorFlow: the init its posteriors use, when not `init`

    def emissions(self, x):
        """(T_n, K): x_t[z'_s], 0 for a state whose class is out of range."""
        c = x.shape[-1]
        ok = (self.classes >= 0) & (self.classes < c)
        return np.where(ok, x[:, np.clip(self.classes, 0, c - 1)], 0.0)

    def _advance(self, prev):
        """One frame's moves (before the emission): itself, s-1 -> s, s-2 -> s."""
        a = prev.copy()
        a[1:] = np.logaddexp(a[1:], prev[:-1])
        a[2:] = np.logaddexp(a[2:], prev[:-2] + self.skip[2:])
        return a

    def _retreat(self, nxt):
        """The transpose of _advance: s -> s, s+1, s+2."""
        b = nxt.copy()
        b[:-1] = np.logaddexp(b[:-1], nxt[1:])
        b[:-2] = np.logaddexp(b[:-2], nxt[2:] + self.skip[2:])
        return b

    def forward(self, e, init=None):
        alpha = np.empty_like(e)
        prev = self.init if init is None else init
        for t in range(e.shape[0]):
            prev = alpha[t] = self._advance(prev) + e[t]
        last = prev if e.shape[0] else self.init
        return alpha, np.logaddexp.reduce(last + self.final)

    def backward(self, e):
        beta = np.empty_like(e)
        nxt = self.final
        for t in range(e.shape[0] - 1, -1, -1):
            beta[t] = nxt
            nxt = self._retreat(nxt + e[t])
        return beta


def _sequence(x, lattice):
    """-log p and a function giving d(-log p)/dx (x: (T_n, C))."""
    e = lattice.emissions(x)
    with np.errstate(invalid="ignore"):
        alpha, log_p = lattice.forward(e)

    def grad():
        g = np.zeros_like(x)
        if x.shape[0] == 0:
            return g
        if log_p == NEG_INF:            # no alignment: the posterior is 0/0
            return np.full_like(x, np.nan)
        a, z = alpha, log_p
        if lattice.grad_init is not None:
            a, _ = lattice.forward(e, lattice.grad_init)
            z = np.logaddexp.reduce(a[0] + lattice.backward(e)[0])   # every path's total weight
        with np.errstate(invalid="ignore", under="ignore"):
            gamma = np.exp(a + lattice.backward(e) - z)    # (T_n, K)
        gamma = np.nan_to_num(gamma, nan=0.0)   # -inf - -inf in unreachable states
        c = x.shape[-1]
        for s, k in enumerate(lattice.classes):
            if 0 <= k < c:
                g[:, k] -= gamma[:, s]
        return g
    return -log_p, grad


def repeats(labels) -> int:
    """The number of consecutive equal labels: each needs a blank between, so T_n >= L + repeats
    frames hold the target."""
    labels = np.asarray(labels)
    return int(np.sum(labels[1:] == labels[:-1]))


def _certain(x, lattice):
    """(T_n, C): where Warp-CTC's log occupancy of a class is exactly 0.0
    (paddle_ctc_grad_is_softmax_where_occupancy_is_1). It holds probabilities, not their logs:
    exp(x) rounded to float64, then logged (a log-probability of -1e-17 is log 1.0 = 0 there)."""
    with np.errstate(divide="ignore"):
        held = np.log(np.exp(x))
    e = lattice.emissions(held)
    with np.errstate(invalid="ignore"):
        alpha, _ = lattice.forward(e)
        both = alpha + lattice.backward(e) + e     # Warp-CTC's beta includes frame t's emission
    occupancy = np.full(x.shape, NEG_INF)
    for s, k in enumerate(lattice.classes):
        if 0 <= k < x.shape[-1]:
            occupancy[:, k] = np.logaddexp(occupancy[:, k], both[:, s])
    return occupancy == 0.0


def _tf_class(v, blank, c):
    """The class tf.nn.ctc_loss (dense labels) reads for label value v: it moves the blank to
    class 0 and adds 1 to labels below it, then one-hots the result (out of range: no class)."""
    if blank == 0:
        return v if 0 <= v < c else -1
    w = v + 1 if v < blank else v          # the index in the reordered classes
    if not 0 <= w < c:
        return -1
    return blank if w == 0 else (w - 1 if w <= blank else w)


def _lattice(row, length, blank, c, conv):
    if "tf_ctc_log_zero_is_log_1e-307" in conv:
        labels = np.array([_tf_class(int(v), blank, c) for v in row], dtype=np.int64)
        lat = Lattice(labels, blank)
        lat.skip[3::2] = np.where(row[1:] != row[:-1], 0.0, NEG_INF)   # padding included
        lat.grad_init = np.full(len(lat.init), TF_LOG_ZERO)   # the value starts canonically
        lat.grad_init[0] = 0.0
        lat.final[:] = TF_LOG_ZERO
        lat.final[max(2 * length - 1, 0):2 * length + 1] = 0.0
        return lat
    if "optax_ctc_log_epsilon" in conv:
        lat = Lattice(row[:length], blank, OPTAX_LOG_EPSILON)
        lat.init[1:] = OPTAX_LOG_EPSILON
        return lat
    return Lattice(row[:length], blank)


def _tf_label_classes(labels, blank, c):
    """The class whose log-probability TF's dense CTC picks for each label slot (padding
    included): it moves the blank to class 0 and adds 1 to labels below it (ctc_ops.py
    ctc_loss_dense), then one-hot encodes; -1 means an all-zero one-hot row (out of range)."""
    moved = np.where(labels < blank, labels + 1, labels) if blank != 0 else labels
    original = np.where(moved == 0, blank, np.where(moved <= blank, moved - 1, moved))
    return np.where((moved < 0) | (moved >= c), -1, original)


def _tf_one_hot_nan(lp, targets, blank):
    """Sequences TF's dense CTC makes nan (tf_ctc_nan_at_neg_inf_log_prob): a -inf
    log-probability on any frame at the blank, or at a class other than a label slot's."""
    neg = np.isneginf(lp)                                                    # (T, N, C)
    out = neg[..., blank].any(axis=0)
    classes = _tf_label_classes(targets, blank, lp.shape[-1])                # (N, S)
    for s in range(classes.shape[1]):
        other = np.arange(lp.shape[-1])[None, :] != classes[:, s, None]      # (N, C)
        out |= (neg & other[None]).any(axis=(0, 2))
    return out


def _ctc_loss(inputs, p, conv):
    x = inputs["log_probs"]
    batched = x.ndim == 3
    if not batched:
        x = x[:, None, :]
    targets = inputs["targets"].reshape(x.shape[1], inputs["targets"].shape[-1])
    il = np.atleast_1d(inputs["input_lengths"]).copy()
    tl = np.atleast_1d(inputs["target_lengths"])
    if "keras_ctc_uses_every_frame" in conv:
        il[:] = x.shape[0]
    normalise = "ctc_input_normalised_with_log_softmax" in conv
    lp = log_softmax(x, -1) if normalise else x
    if PADDLE_FLOOR in conv:
        lp = np.maximum(lp, np.log(PADDLE_PROB_FLOOR))
    n, c = x.shape[1], x.shape[2]
    losses, grads = np.empty(n), []
    certain = [None] * n     # paddle_ctc_grad_is_softmax_where_occupancy_is_1's entries
    for i in range(n):
        lat = _lattice(targets[i], int(tl[i]), p["blank"], c, conv)
        frames = lp[:il[i], i]
        losses[i], g = _sequence(frames, lat)
        labels = targets[i, :tl[i]]
        if PADDLE_INFEASIBLE in conv and il[i] < len(labels) + repeats(labels):
            # Warp-CTC returns 0 before computing anything, its gradient left 0
            losses[i], g = 0.0, (lambda f=frames: np.zeros_like(f))
        elif PADDLE_CERTAIN in conv:
            certain[i] = _certain(frames, lat)
        grads.append(g)
    infinite = ~np.isfinite(losses)
    if p["zero_infinity"]:
        losses = np.where(infinite, 0.0, losses)
    poisoned = np.zeros(n, dtype=bool)
    if "optax_ctc_nan_at_neg_inf_logit" in conv:
        poisoned = np.isneginf(x).any(axis=(0, 2))
    if "tf_ctc_nan_at_neg_inf_log_prob" in conv:
        slots = targets
        if "keras_ctc_uses_every_frame" in conv:   # keras.losses.CTC wants its padding 0
            slots = np.where(np.arange(targets.shape[1]) < tl[:, None], targets, 0)
        poisoned = _tf_one_hot_nan(lp, slots, p["blank"])
    if "tf_ctc_empty_label_matrix_subtracts_log_2" in conv and targets.shape[1] == 0:
        losses = np.where(il > 0, losses - np.log(2.0), losses)
    losses = np.where(poisoned, np.nan, losses)

    def vjp(upstream):
        u = np.atleast_1d(upstream)
        out = np.zeros_like(x)
        for i in range(n):
            if p["zero_infinity"] and infinite[i]:
                continue
            g = grads[i]()
            frames = lp[:il[i], i]
            if "torch_ctc_grad_is_logits_grad" in conv:
                g = g + np.exp(frames)
            if "torch_ctc_grad_nan_at_zero_probability" in conv:
                g = np.where(np.isneginf(frames), np.nan, g)
            if normalise:   # back through log_softmax: g - softmax * sum_k g (a nan spreads)
                g = g - np.exp(frames) * np.sum(g, axis=-1, keepdims=True)
            if certain[i] is not None:
                g = np.where(certain[i], np.exp(frames), g)
            scale = u[i] / il[i] if PADDLE_NORM_BY_TIMES in conv else u[i]   # 1 / 0 = inf
            if PADDLE_MEAN in conv or PADDLE_NORM_BY_TIMES in conv:
                # paddle scales Warp-CTC's whole (T, N, C) gradient: padded frames too (0 * inf)
                column = np.zeros_like(x[:, i])
                column[:il[i]] = g
                out[:, i] = column * scale
            else:
                out[:il[i], i] = g * scale
            if poisoned[i]:
                out[:, i] = np.nan
        return {"log_probs": out if batched else out[:, 0]}

    if "keras_ctc_mean_divides_by_batch_size" in conv:
        divisor = n if batched else 1
    elif PADDLE_MEAN in conv:
        divisor = n * tl if batched else int(tl[0])
    else:
        divisor = n * np.maximum(tl, 1) if batched else max(int(tl[0]), 1)
    return (losses if batched else losses[0]), vjp, divisor


PARTS["ctc_loss"] = _ctc_loss
