"""PaddlePaddle paths of the ctc family (spec.py beside this file): paddle.nn.functional.ctc_loss
and paddle.nn.CTCLoss, which run Warp-CTC (Baidu's library, vendored by paddle) on the CPU.

paddle.nn.functional.ctc_loss(log_probs, labels, input_lengths, label_lengths, blank=0,
reduction='mean', norm_by_times=False, zero_infinity=False) takes the canonical layout: time-major
(T, N, C) input, padded (N, S) labels of int32 (the paths cast the int64 targets), int64
lengths (paddle/nn/functional/loss.py, paddlepaddle 3.3.1). Its input is logits: Warp-CTC takes
their softmax over the classes first (its docstring: "a native softmax activation is integrated
to the Warp-CTC library"), computes the loss and the gradient with respect to the logits in one
pass, and the backward multiplies that stored gradient by the upstream one. zero_infinity is
applied afterwards in Python (paddle.where(isinf(loss), 0, loss)) and 'mean' is
paddle.mean(loss / label_lengths). paddle.nn.CTCLoss(blank, reduction, zero_infinity) calls it,
its forward taking norm_by_times. Batched input only: the docs want 3-D log_probs and 2-D labels.

Some inputs stop the process (SIGFPE), hang it, or make Warp-CTC read or write outside its
buffers: the paths refuse them (CRASHES, as `unsupported_when`) and raise UnsafeInput before
calling paddle on them, so neither the suite nor a fuzzed or misused input reaches the call.
"""
from __future__ import annotations

import numpy as np

from adapters.paddle_lib import DTYPES, NO_HALF, SEEN_ON, F, adapter, nn, path

PARAMS = ["blank", "reduction", "zero_infinity"]
CONVENTIONS = ["ctc_input_normalised_with_log_softmax", "paddle_ctc_infeasible_is_0",
               "paddle_ctc_probabilities_floored_at_float64_min",
               "paddle_ctc_grad_is_softmax_where_occupancy_is_1",
               "paddle_ctc_mean_divides_by_unclamped_target_lengths"]
NORM_BY_TIMES = "paddle_ctc_norm_by_times_divides_grad_by_input_length"
# float32 floors a probability at 1.1754944e-38, not float64's 2.2250738585072014e-308, which the
# reference follows (paddle_ctc_probabilities_floored_at_float64_min): a frame whose needed class
# has probability 0 costs 87.3365 there, not 708.3964; the gradient (a ratio) is the same
_FLOAT32_FLOOR = ("float32 floors probabilities at 1.1754944e-38: sequence 0 costs 87.1134033 "
                  "where float64 (the reference's floor) gives 708.1732749809")
FLOAT32_FLOOR = {f"value:{case}-float32": _FLOAT32_FLOOR
                 for case in ("zero-probability-target-none",
                              "zero-probability-target-zero-infinity-none")}


class UnsafeInput(ValueError):
    """An input on which paddle's ctc_loss stops or hangs the process, or reads or writes outside
    its buffers: it is not called."""


def _lengths(inputs):
    return (np.atleast_1d(np.asarray(inputs["input_lengths"])),
            np.atleast_1d(np.asarray(inputs["target_lengths"])))


def _no_labels(inputs) -> bool:
    """Every target length 0 in a batch of one sequence or more (paddle refuses N = 0 itself)."""
    if "target_lengths" not in inputs:
        return False
    tl = _lengths(inputs)[1]
    return tl.size > 0 and int(np.sum(tl)) == 0


def _too_many_frames(inputs) -> bool:
    if "log_probs" not in inputs or "input_lengths" not in inputs:
        return False
    return bool(np.any(_lengths(inputs)[0] > np.shape(inputs["log_probs"])[0]))


def _no_frames_no_labels(inputs) -> bool:
    if "input_lengths" not in inputs:
        return False
    il, tl = _lengths(inputs)
    return il.shape == tl.shape and bool(np.any((il == 0) & (tl == 0)))


def _labels_out_of_range(inputs) -> bool:
    if "targets" not in inputs or "log_probs" not in inputs:
        return False
    y, c = np.asarray(inputs["targets"]), np.shape(inputs["log_probs"])[-1]
    _, tl = _lengths(inputs)
    if y.ndim != 2 or tl.shape != (y.shape[0],):
        return False
    kept = np.arange(y.shape[1])[None, :] < tl[:, None]
    return bool(np.any(kept & ((y < 0) | (y >= c))))


# reason -> test(params, encoding, inputs); seen with paddlepaddle 3.3.1 CPU, each in its own
# process (the probe's output is in the report of issue 14)
CRASHES = {
    "a batch without a single label (every target length 0, as with S = 0 or C = 1): the "
    "process stops with SIGFPE (paddle's removal of the labels' padding divides by their "
    "count)":
        lambda p, e, i: _no_labels(i),
    "a sequence of input length 0 and target length 0: Warp-CTC then writes the gradient of "
    "frame T_n - 1 = -1, before its buffer (cpu_ctc.h compute_betas_and_grad); seen returning "
    "inf for it, and the next call in the same process hanging (float32)":
        lambda p, e, i: _no_frames_no_labels(i),
    "an input length above T: the call never returns (killed after 60 s)":
        lambda p, e, i: _too_many_frames(i),
    "a label outside [0, C) within a target length: Warp-CTC indexes its probabilities and its "
    "per-class buffer with it unchecked (seen returning a number: 1.1749 for a label C)":
        lambda p, e, i: _labels_out_of_range(i),
}


# beyond the paths' ndims=[3], for a misused call (conformance/contracts.py's wrong_rank)
WRONG_RANK = ("log_probs of a rank other than 3: paddle allocates a size read from memory never "
              "written (seen: MemoryError '(ResourceExhausted) Fail to alloc memory of "
              "561024321515380 size', another size each call)")


def refuse(log_probs, targets, input_lengths, target_lengths):
    """Raise UnsafeInput where paddle's ctc_loss would stop the process (CRASHES)."""
    inputs = {"targets": targets.numpy(), "input_lengths": input_lengths.numpy(),
              "target_lengths": target_lengths.numpy()}
    if log_probs.ndim == 3:     # its shape only
        inputs["log_probs"] = np.zeros((log_probs.shape[0], 0, log_probs.shape[-1]))
    if log_probs.ndim != 3:
        raise UnsafeInput(f"not called: on {WRONG_RANK}")
    for why, test in CRASHES.items():
        if test({}, "none", inputs):
            raise UnsafeInput(f"not called: on {why}")


def _ctc(log_probs, targets, input_lengths, target_lengths, **options):
    refuse(log_probs, targets, input_lengths, target_lengths)
    return F.ctc_loss(log_probs, targets.astype("int32"), input_lengths, target_lengths,
                      **options)


CALL = ("paddle.nn.functional.ctc_loss(log_probs, targets.astype('int32'), input_lengths, "
        "target_lengths, blank=blank, reduction=reduction, zero_infinity=zero_infinity{})")


@path("ctc_loss", "functional", params=PARAMS, conventions=CONVENTIONS, dtypes=DTYPES,
      notes=NO_HALF, ndims=[3], unsupported_when=CRASHES, known_failures=FLOAT32_FLOOR,
      call=CALL.format(""))
def ctc_functional(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
                   zero_infinity):
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank=blank,
                reduction=reduction, zero_infinity=zero_infinity)


@path("ctc_loss", "CTCLoss", params=PARAMS, conventions=CONVENTIONS, dtypes=DTYPES,
      notes=NO_HALF, ndims=[3], unsupported_when=CRASHES, known_failures=FLOAT32_FLOOR,
      call="paddle.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zero_infinity)"
           "(log_probs, targets.astype('int32'), input_lengths, target_lengths)")
def ctc_layer(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
              zero_infinity):
    refuse(log_probs, targets, input_lengths, target_lengths)
    loss = nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    return loss(log_probs, targets.astype("int32"), input_lengths, target_lengths)


@path("ctc_loss", "functional(norm_by_times=True)", params=PARAMS,
      conventions=[*CONVENTIONS, NORM_BY_TIMES], dtypes=DTYPES, notes=NO_HALF, ndims=[3],
      unsupported_when=CRASHES, known_failures=FLOAT32_FLOOR,
      call=CALL.format(", norm_by_times=True"))
def ctc_norm_by_times(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
                      zero_infinity):
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank=blank,
                reduction=reduction, zero_infinity=zero_infinity, norm_by_times=True)


# ---------------------------------------------------------------- evidence

CTC_DOC = ("https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/nn/functional/"
           "ctc_loss_en.html")
WARP_CTC = ("https://github.com/baidu-research/warp-ctc/blob/master/include/detail/cpu_ctc.h")
LOSS_PY = "paddle/nn/functional/loss.py ctc_loss (paddlepaddle 3.3.1)"
CALLS = {"functional": "paddle.nn.functional.ctc_loss(x, targets.astype('int32'), {}, {}{})",
         "CTCLoss": "paddle.nn.CTCLoss({})(x, targets.astype('int32'), {}, {})",
         "functional(norm_by_times=True)": "paddle.nn.functional.ctc_loss(x, targets.astype("
                                           "'int32'), {}, {}{}, norm_by_times=True)"}


def _call(name, il, tl, options=""):
    if name == "CTCLoss":
        return CALLS[name].format(options.lstrip(", "), il, tl)
    return CALLS[name].format(il, tl, options)


for _name in CALLS:
    _p = f"ctc_loss/{_name}"
    adapter.saw("ctc_input_normalised_with_log_softmax", path=_p,
                case="ctc_loss/random-unnormalised-none/none",
                call=_call(_name, "[6, 5, 6, 2]", "[3, 3, 2, 0]", ", reduction='none'")
                + " on x of case random-unnormalised-none (unnormalised), float64",
                seen="[3.6393572773, 6.0958238834, 4.515596538, 4.2578281917] = the canonical "
                     "losses of log_softmax(x) (canonical(x): [-6.4657, -2.4081, -3.7529, "
                     "0.5228]); gradient softmax(x) - gamma to 1e-15",
                versions=SEEN_ON, link=CTC_DOC + " ('a native softmax activation is integrated "
                                                 "to the Warp-CTC library')")
    adapter.saw("paddle_ctc_infeasible_is_0", path=_p, case="ctc_loss/infeasible-repeat-none/none",
                call=_call(_name, "[2, 4]", "[2, 2]", ", reduction='none'")
                + " on x of case infeasible-repeat-none (targets [[1, 1], [1, 2]]: [1, 1] needs "
                  "3 frames and has 2), float64 and float32",
                seen="[0.0, 1.9690754996] where canonical is [inf, 1.9690754996]; the gradient "
                     "of sequence 0 is 0 (canonical nan). Also 0 for [1, 1, 1] on 4 frames, "
                     "[1, 2] on 1, [1, 2, 3] on 2, and a target of length 1 on 0 frames",
                versions=SEEN_ON, link=WARP_CTC + " (cost_and_grad_kernel: 'if (L + "
                                                  "ctcm.repeats > T) return ... 0')")
    adapter.saw("paddle_ctc_probabilities_floored_at_float64_min", path=_p,
                case="ctc_loss/zero-probability-target-none/none",
                call=_call(_name, "[2, 2]", "[1, 0]", ", reduction='none'")
                + " on x of case zero-probability-target-none (class 1 has probability 0 on "
                  "both frames of sequence 0, target [1])",
                seen="float64 [708.1732749809, -0.0] where canonical is [inf, 0]; float32 "
                     "[87.1134033, -0.0]; the same with zero_infinity=True (nothing is inf); "
                     "logits of 1e30 scale give losses of 707.7 and 1415.2 (float64), 86.6 and "
                     "173.1 (float32): 708.3964 = -log(2.2250738585072014e-308), 87.3365 = "
                     "-log(1.1754944e-38) per floored frame",
                versions=SEEN_ON, link="no public documentation found (paddle's Warp-CTC copy; "
                                       "the upstream " + WARP_CTC + " has the floor commented "
                                       "out: 'if (probs[r + col_offset] < min_T)')")
    adapter.saw("paddle_ctc_grad_is_softmax_where_occupancy_is_1", path=_p,
                case="ctc_loss/zero-probability-target-none/none",
                call="paddle.grad of " + _call(_name, "[2, 2]", "[1, 0]", ", reduction='none'")
                + " on x of case zero-probability-target-none, float64 (sequence 1: an empty "
                  "target, the blank of probability 1 on both frames)",
                seen="gradient of sequence 1 [[1, 0, 0], [1, 0, 0]] (softmax) where softmax - "
                     "gamma is [[0, 0, 0], [0, 0, 0]]; its loss -0.0 as canonical",
                versions=SEEN_ON, link=WARP_CTC + " (compute_betas_and_grad: 'if (output[i] "
                                                  "== 0.0 || ...) grad[idx3] = probs[idx3]')")
    adapter.saw("paddle_ctc_mean_divides_by_unclamped_target_lengths", path=_p,
                case="ctc_loss/target-length-0-mean/none",
                call=_call(_name, "[4, 4]", "[0, 2]") + " (reduction='mean') on x of case "
                "target-length-0-mean, float64 and float32",
                seen="inf where canonical (target lengths clamped to 1) is finite; the gradient "
                     "of sequence 0 +-inf on all 12 entries, sequence 1 finite. With a padded "
                     "sequence of target length 0 (random-unnormalised-mean) its padded frames "
                     "are nan (0 * inf)",
                versions=SEEN_ON, link=CTC_DOC + " ('the output loss will be divided by the "
                                                 "label_lengths'); " + LOSS_PY + ": "
                                                 "paddle.mean(loss_out / label_lengths)")
adapter.saw(NORM_BY_TIMES, path="ctc_loss/functional(norm_by_times=True)",
            case="ctc_loss/random-normalised-none/none",
            call="paddle.grad of " + _call("functional(norm_by_times=True)", "[7, 6, 3]",
                                           "[4, 3, 2]", ", reduction='none'")
            + " on x of case random-normalised-none, float64",
            seen="values [7.5102116167, 9.4350377896, 4.2062655011] as without it; the gradient "
                 "of each sequence that of norm_by_times=False divided by 7, 6 and 3 (to 2e-16). "
                 "A sequence of 0 frames (target length 1) gets nan on all its entries",
            versions=SEEN_ON, link=CTC_DOC + " (norm_by_times: 'Whether to normalize the "
                                             "gradients by the number of time-step')")

# Seen, paddlepaddle 3.3.1 CPU, no convention (no checked case reaches it): a label equal to the
# blank (the spec refuses it) is used as a label: [0, 1] with blank 0 gives 4.6663660446;
# reduction='mean' over an empty batch (N = 0) raises ValueError "(InvalidArgument) The input
# size can not be zero"; int64 labels raise "The type of data we are trying to retrieve (int32)
# does not match"; blank = C raises "The value of Attr(blank) should be in interval [0, 3)".
