"""Canonical losses of the ctc family, and the conventions that concern them only.

ctc_loss, the connectionist temporal classification loss (Graves et al. 2006, "Connectionist
temporal classification: labelling unsegmented sequence data with recurrent neural networks",
ICML, https://www.cs.toronto.edu/~graves/icml_2006.pdf), in PyTorch's layout and argument names
(torch.nn.functional.ctc_loss):

    log_probs       (T, N, C) float, or (T, C) for one unbatched sequence: time, batch, classes
    targets         (N, S) int, padded; or (S,) unbatched. Only targets[n, :target_lengths[n]] count
    input_lengths   (N,) int in [0, T]  (a 0-D int unbatched): frames used of each sequence
    target_lengths  (N,) int in [0, S]  (a 0-D int unbatched)
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import REDUCTION, Convention, Loss, Param, SpecError, is_bool, is_int

BLANK = Param(name="blank", default=0, domain="an integer class index in [0, C): the blank label",
              check=lambda v: is_int(v) and v >= 0)
ZERO_INFINITY = Param(name="zero_infinity", default=False,
                      domain="a bool: infinite losses and their gradients become 0", check=is_bool)


def _check_ctc(inputs, params):
    x, y = inputs["log_probs"], inputs["targets"]
    il, tl = inputs["input_lengths"], inputs["target_lengths"]
    if x.ndim not in (2, 3):
        raise SpecError("inputs.log_probs", f"must be (T, N, C) or unbatched (T, C), got shape "
                                            f"{x.shape}")
    batched = x.ndim == 3
    t, c = x.shape[0], x.shape[-1]
    if np.any(np.isnan(x)) or np.any(x == np.inf):
        raise SpecError("inputs.log_probs", "must be real or -inf (log of a zero probability)")
    want_y, want_len = ((2, (x.shape[1],)) if batched else (1, ()))
    if y.ndim != want_y or (batched and y.shape[0] != x.shape[1]):
        raise SpecError("inputs.targets", f"shape {y.shape} does not fit log_probs {x.shape}: "
                                          f"expected {'(N, S)' if batched else '(S,)'}")
    for name, a in (("input_lengths", il), ("target_lengths", tl)):
        if a.shape != want_len:
            raise SpecError(f"inputs.{name}", f"shape {a.shape}, expected {want_len}")
    if np.any(il < 0) or np.any(il > t):
        raise SpecError("inputs.input_lengths", f"values must lie in [0, T = {t}], got "
                                                f"{il.tolist()}")
    s = y.shape[-1]
    if np.any(tl < 0) or np.any(tl > s):
        raise SpecError("inputs.target_lengths", f"values must lie in [0, S = {s}], got "
                                                 f"{tl.tolist()}")
    blank = params["blank"]
    if not 0 <= blank < c:
        raise SpecError("params.blank", f"{blank} is not a class index in [0, C = {c})")
    rows = y.reshape(np.size(tl), s)        # one row per sequence (S may be 0)
    for n, (row, length) in enumerate(zip(rows, np.atleast_1d(tl), strict=True)):
        labels = row[:length]
        bad = labels[(labels < 0) | (labels >= c) | (labels == blank)]
        if bad.size:
            raise SpecError("inputs.targets", f"sequence {n}: label {int(bad[0])} is not a class "
                                              f"in "
                                              f"[0, {c}) other than the blank {blank}")


LOSSES: list[Loss] = []

LOSSES.append(Loss(
    name="ctc_loss", inputs=("log_probs", "targets", "input_lengths", "target_lengths"),
    differentiable=("log_probs",), target="other",
    params={"blank": BLANK, "reduction": REDUCTION, "zero_infinity": ZERO_INFINITY},
    mean_divisor="each sequence's loss is divided by its target length clamped to at least 1, and "
                 "the quotients "
    "are averaged over the batch: sum_n l_n / (N max(target_lengths[n], 1)) (unbatched: "
    "l / max(target_length, 1))",
    doc="For sequence n with T_n = input_lengths[n] frames of log-probabilities x_t = log_probs[t, "
        "n] "
    "and labels z = targets[n, :L], L = target_lengths[n]: l_n = -log p(z | x), p(z | x) = sum "
    "over "
    "the alignments pi in {0..C-1}^T_n that collapse to z (merge repeats, then drop blanks) of "
    "prod_t exp(x_t[pi_t]). The log-probabilities are used as given (not normalised). Computed by "
    "the forward (alpha) and backward (beta) recursions over the 2L+1 states z' = (blank, z_1, "
    "blank, ..., z_L, blank): a state is entered from itself or the previous one, or from two back "
    "when it is a label different from the label two back. Gradient: dl_n / dx_t[k] = -gamma_t(k), "
    "gamma_t(k) = sum over states s with z'_s = k of alpha_t(s) beta_t(s) / p (the posterior "
    "occupancy of class k at frame t; beta excludes frame t's emission), for t < T_n; 0 for t >= "
    "T_n. No alignment (p = 0: T_n frames cannot hold z with a blank between repeated labels) "
    "gives l_n = inf and gradient nan (0/0) on frames t < T_n; zero_infinity=True makes both 0. "
    "T_n = 0 gives l_n = 0 when L = 0, else inf.",
    check=_check_ctc, integer_inputs=("targets", "input_lengths", "target_lengths"),
    layouts=({"log_probs": "T C", "targets": "S", "input_lengths": "",
              "target_lengths": ""},
             {"log_probs": "T N C", "targets": "N S", "input_lengths": "N",
              "target_lengths": "N"}),
    values={"log_probs": "log_probs", "targets": "index", "input_lengths": "length:T",
            "target_lengths": "length:S"}))


# tf ctc_state_log_probs: log(0 + 1e-307) in float32
TF_LOG_ZERO = float(np.float32(np.log(1e-307)))
OPTAX_LOG_EPSILON = -1e5                         # optax.ctc_loss default log_epsilon
# Warp-CTC's floor of a probability in float64: std::numeric_limits<double>::min()
PADDLE_PROB_FLOOR = float(np.finfo(np.float64).tiny)

CONVENTIONS = [
    Convention(name="torch_ctc_grad_is_logits_grad", losses=("ctc_loss",),
               description="the gradient with respect to log_probs is (exp(log_probs) - gamma) "
                           "times the "
               "upstream gradient on frames t < input_length, instead of -gamma: it is the "
               "gradient "
               "with respect to the logits z when log_probs = log_softmax(z) (PyTorch's kernel "
               "assumes the input is normalised); chained through a log_softmax it equals "
               "canonical "
               "(the extra exp term sums to 1 per frame and cancels). Values are canonical; an "
               "infeasible sequence still gives nan (exp(x) - 0/0)"),
    Convention(name="ctc_input_normalised_with_log_softmax", losses=("ctc_loss",),
               description="the input is taken as logits and normalised first: the value is the "
                           "canonical loss "
               "of log_softmax(log_probs) over the classes and the gradient its exact derivative, "
               "(softmax(log_probs) - gamma) times the upstream gradient on frames t < "
               "input_length. Normalised log_probs give the canonical value and the gradient "
               "(exp(log_probs) - gamma) u; unnormalised ones differ in both"),
    Convention(name="tf_ctc_log_zero_is_log_1e-307", losses=("ctc_loss",),
               description="tf.nn.ctc_loss (dense labels) runs the forward-backward over the whole "
                           "padded label "
               "row targets[n, :S] (padding included) and writes log(0) of its start and end "
               f"weights as float32(log(1e-307)) = {TF_LOG_ZERO}: the value sums the alignments "
               "from the first blank or label that end in any state, those ending elsewhere than "
               "the last label or last blank of targets[n, :L] with that log-weight; the gradient "
               "is softmax(x) minus the posterior of the same lattice in which every other state "
               "may also begin with that log-weight. An infeasible sequence then has a finite loss "
               "(about 706.9 plus the best such alignment's cost) and a finite gradient, not the "
               "derivative of that loss; feasible sequences are unchanged (exp(-706.9) vanishes)"),
    Convention(name="optax_ctc_log_epsilon", losses=("ctc_loss",),
               description=f"optax.ctc_loss writes log(0) as log_epsilon = {OPTAX_LOG_EPSILON:g}: "
                           f"before the "
               "first frame every state but the first blank has log-weight log_epsilon (not -inf), "
               "and the skip between two equal consecutive labels (forbidden: they need a blank "
               "between them) has log-weight log_epsilon. An infeasible sequence then has a finite "
               "loss of about 1e5 per penalty its best alignment takes, and a finite gradient; "
               "feasible sequences are unchanged (exp(-1e5) vanishes)"),
    Convention(name="torch_ctc_grad_nan_at_zero_probability", losses=("ctc_loss",),
               description="the gradient is nan at each entry of log_probs that is -inf (a class "
               "of probability 0) on a frame t < input_length, instead of 0 (such a class is "
               "never occupied): the kernel divides by the probability there; values and the "
               "other entries unchanged. Behind a log_softmax (transformers' ForCTCLoss "
               "normalises, then calls torch's ctc_loss) the nan spreads to every class of "
               "that frame (log_softmax's backward sums the frame's gradient)"),
    Convention(name="optax_ctc_nan_at_neg_inf_logit", losses=("ctc_loss",),
               description="a logit of -inf anywhere in a sequence (any class, any frame, padded "
               "frames included) makes its loss and its whole gradient nan, instead of the finite "
               "canonical values: the labels' log-probabilities are picked with a one-hot "
               "product, and -inf * 0 is nan; the other sequences are unchanged"),
    Convention(name="tf_ctc_nan_at_neg_inf_log_prob", losses=("ctc_loss",),
               description="a log-probability of -inf (after its log_softmax) on any frame, "
               "padded frames included, at the blank or at a class other than one of the "
               "sequence's label slots (padding slots included) makes the sequence's loss and "
               "its whole gradient nan, instead of the finite canonical values: each slot's "
               "log-probability is picked as sum(log_probs * one_hot(label)), and -inf * 0 is "
               "nan (tensorflow/python/ops/ctc_ops.py _ilabel_to_state); the other sequences "
               "are unchanged"),
    Convention(name="tf_ctc_empty_label_matrix_subtracts_log_2", losses=("ctc_loss",),
               description="when the label matrix has no columns (S = 0: every target empty), "
               "each sequence with input_length > 0 gets the canonical loss minus log 2 (its "
               "one all-blank alignment is counted twice); the gradient is unchanged"),
    Convention(name="paddle_ctc_infeasible_is_0", losses=("ctc_loss",),
               description="a sequence whose input length is below its target length plus its "
               "number of repeated consecutive labels (no alignment fits: T_n < L + repeats) has "
               "loss 0 and gradient 0, instead of inf and nan: Warp-CTC returns 0 before its "
               "recursions (cpu_ctc.h cost_and_grad_kernel, 'TODO, not right to return 0'), so "
               "zero_infinity finds nothing to zero"),
    Convention(name="paddle_ctc_probabilities_floored_at_float64_min", losses=("ctc_loss",),
               description="Warp-CTC (paddle's copy) raises each softmax probability below the "
               "dtype's smallest normal number to it before taking logs: float64's "
               f"{PADDLE_PROB_FLOOR!r} (log {np.log(PADDLE_PROB_FLOOR):.4f}) here. A class of "
               "probability 0 then costs about 708.4 per frame instead of ruling the alignment "
               "out: a sequence whose every alignment needs one has a finite loss (not inf, so "
               "zero_infinity leaves it) and the gradient softmax - gamma of that floored "
               "lattice. float32 floors at 1.1754944e-38 (log -87.3365): its values differ "
               "from these (known failures, precision findings of the fuzzer)"),
    Convention(name="paddle_ctc_grad_is_softmax_where_occupancy_is_1", losses=("ctc_loss",),
               description="where Warp-CTC's log occupancy of class k at frame t, log sum over the "
               "states s of class k of alpha_t(s) beta_t(s) (both including frame t's "
               "emission, the probabilities as it holds them: exp(log_softmax) rounded), is "
               "exactly 0.0 (every alignment occupies k at t with probability 1), the gradient "
               "with respect to that entry is softmax(log_probs) = 1 times the upstream gradient, "
               "instead of softmax - gamma = 0: compute_betas_and_grad treats a log occupancy of "
               "0.0 as it treats log 0 (grad = probs). With one class (C = 1) that is every frame "
               "t < input_length; values unchanged"),
    Convention(name="paddle_ctc_mean_divides_by_unclamped_target_lengths", losses=("ctc_loss",),
               description="reduction='mean' divides each loss by its target length as it is, "
               "not clamped to at least 1: sum_n l_n / (N target_lengths[n]); a target length 0 "
               "gives l_n / 0 (inf, nan where l_n = 0) and makes the mean inf or nan, and that "
               "sequence's gradient is Warp-CTC's gradient times inf on every frame (padded "
               "frames included): +-inf, nan where that gradient is 0"),
    Convention(name="paddle_ctc_norm_by_times_divides_grad_by_input_length",
               losses=("ctc_loss",),
               description="norm_by_times=True divides each sequence's gradient by its input "
               "length (the warpctc_grad kernel multiplies by 1 / logits_length), on every "
               "frame; values unchanged. A sequence of input length 0 (no frames: its gradient "
               "is 0) gets 0 * inf = nan"),
    Convention(name="keras_ctc_uses_every_frame", losses=("ctc_loss",),
               description="keras.losses.CTC takes no input lengths: every sequence uses all T "
                           "frames "
               "(input_lengths is read as T for every sequence)"),
    Convention(name="keras_ctc_mean_divides_by_batch_size", losses=("ctc_loss",),
               description="reduction='mean' (Keras 'sum_over_batch_size') divides the summed "
                           "per-sequence "
               "losses by the batch size N, not each loss by its target length"),
]

# keras.losses.CTC takes sample_weight= as Keras's cross-entropies do
EXTENDS = {"keras_weighted_mean_divides_by_given_weights": ("ctc_loss",),
           "keras_mean_of_nothing_is_0": ("ctc_loss",),
           "keras_masked_mean_divides_by_kept_count": ("ctc_loss",)}
