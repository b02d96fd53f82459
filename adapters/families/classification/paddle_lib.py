"""PaddlePaddle paths of the classification family (spec.py beside this file): softmax,
log_softmax, cross_entropy (paddle.nn.functional.cross_entropy with soft_label, use_softmax,
axis, ignore_index, weight, label_smoothing; the deprecated softmax_with_cross_entropy), nll_loss,
binary_cross_entropy(_with_logits). Functional and class forms are separate paths because users
mix them.

paddle's class axis is `axis` (default -1, the last): every call here passes axis=1 for
channels-first input (0 for 1-D input), as our cases are laid out.
"""
from __future__ import annotations

from adapters.families.classification.spec import PADDLE_CLIP
from adapters.paddle_lib import DTYPES, NO_HALF, SEEN_ON, F, adapter, nn, path

PADDLE_DOCS = "https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/nn/"


def _axis(input):
    return 1 if input.ndim > 1 else 0


# ---------------------------------------------------------------- softmax, log_softmax

@path("softmax", "functional", params=["dim"], dtypes=DTYPES, notes=NO_HALF,
      conventions=[PADDLE_CLIP],
      call="paddle.nn.functional.softmax(input, axis=dim)")
def softmax_functional(input, *, dim):
    return F.softmax(input, axis=dim)


@path("softmax", "module", params=["dim"], dtypes=DTYPES, notes=NO_HALF,
      conventions=[PADDLE_CLIP],
      call="paddle.nn.Softmax(axis=dim)(input)")
def softmax_module(input, *, dim):
    return nn.Softmax(axis=dim)(input)


@path("log_softmax", "functional", params=["dim"], dtypes=DTYPES, notes=NO_HALF,
      conventions=[PADDLE_CLIP],
      call="paddle.nn.functional.log_softmax(input, axis=dim)")
def log_softmax_functional(input, *, dim):
    return F.log_softmax(input, axis=dim)


@path("log_softmax", "module", params=["dim"], dtypes=DTYPES, notes=NO_HALF,
      conventions=[PADDLE_CLIP],
      call="paddle.nn.LogSoftmax(axis=dim)(input)")
def log_softmax_module(input, *, dim):
    return nn.LogSoftmax(axis=dim)(input)


# ---------------------------------------------------------------- nll_loss's refusals

NLL_PARAMS = ["weight", "ignore_index", "reduction"]
# Seen, paddlepaddle 3.3.1 CPU: the backward of nll_loss with reduction 'mean' or 'sum' and any
# target equal to ignore_index corrupts the heap ("Fatal glibc error: malloc assertion failure",
# "corrupted size vs. prev_size", or SIGABRT), which kills the test process: never run
NLL_CRASHES = {
    "reduction 'mean' or 'sum' with an ignored target: the backward of paddle's nll_loss then "
    "corrupts the heap (glibc malloc assertion failure / SIGABRT, paddlepaddle 3.3.1 CPU)":
    lambda p, e, i: p["reduction"] != "none" and bool((i["target"] == p["ignore_index"]).any())}


# ---------------------------------------------------------------- cross_entropy

CE_PARAMS = ["weight", "ignore_index", "label_smoothing", "reduction"]
CE_CONVENTIONS = [PADDLE_CLIP, "paddle_ce_mean_counts_ignored_targets",
                  "paddle_soft_label_weight_per_sample", "paddle_label_smoothing_in_float32",
                  "paddle_soft_label_none_keeps_class_axis",
                  "tf_softmax_ce_grad_assumes_labels_sum_to_1"]
# label_smoothing one-hot encodes index targets with paddle.nn.functional.one_hot(label,
# input.shape[-1]) (paddle/nn/functional/loss.py, 3.3.1): an ignored target raises, and the class
# count is read from the last axis whatever `axis` says
CE_REFUSES = {
    "label_smoothing with an ignored index target (ValueError: (InvalidArgument) Illegal index "
    "value, Input(input) value should be at least 0, but received input (-100) less than 0: "
    "the target is one-hot encoded first)":
    lambda p, e, i: p["label_smoothing"] != 0 and bool((i["target"] == p["ignore_index"]).any()),
    "label_smoothing on channels-first spatial input (it one-hot encodes over input.shape[-1], "
    "not the class axis: InvalidArgument 'value should be less than Input(depth)')":
    lambda p, e, i: p["label_smoothing"] != 0 and i["input"].ndim > 2,
}
CE_CALL = ("{}(input, target, weight=weight, ignore_index=ignore_index, reduction=reduction, "
           "axis=1 (0 for 1-D input), label_smoothing=label_smoothing)")
# probability targets: soft_label=True; its 'mean' with ignore_index >= 0 masks the target
# entries equal to ignore_index (loss.py: mask = label != ignore_index), so it is left at -100
SOFT_CALL = ("{}(input, target, weight=weight, reduction=reduction, soft_label=True, axis=1 (0 for "
             "1-D input), label_smoothing=label_smoothing)")
SOFT_PARAMS = ["weight", "label_smoothing", "reduction"]
SOFT_CONVENTIONS = [PADDLE_CLIP, "paddle_soft_label_weight_per_sample",
                    "paddle_label_smoothing_in_float32",
                    "tf_softmax_ce_grad_assumes_labels_sum_to_1"]
# reduction='none' keeps the class axis with size 1 for probability targets
# (paddle_soft_label_none_keeps_class_axis, asserted on the index paths with label_smoothing);
# these paths squeeze it, as a user comparing with one loss per sample does
# label_smooth spreads eps over input.shape[-1] entries whatever `axis` is, so channels-first
# spatial input is left to the index paths (which refuse it with smoothing)
SOFT_NDIMS = [1, 2]
SQUEEZED = "  [.squeeze(axis) of the output of reduction='none', which keeps the class axis]"


@path("cross_entropy", "functional", params=CE_PARAMS, conventions=CE_CONVENTIONS,
      encodings=["index"], unsupported_when=CE_REFUSES, dtypes=DTYPES, notes=NO_HALF,
      call=CE_CALL.format("paddle.nn.functional.cross_entropy"))
def cross_entropy_functional(input, target, *, weight, ignore_index, label_smoothing, reduction):
    return F.cross_entropy(input, target, weight=weight, ignore_index=ignore_index,
                           reduction=reduction, axis=_axis(input), label_smoothing=label_smoothing)


@path("cross_entropy", "module", params=CE_PARAMS, conventions=CE_CONVENTIONS,
      encodings=["index"], unsupported_when=CE_REFUSES, dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.CrossEntropyLoss(weight=weight, ignore_index=ignore_index, "
           "reduction=reduction, axis=1 (0 for 1-D input), label_smoothing=label_smoothing)"
           "(input, target)")
def cross_entropy_module(input, target, *, weight, ignore_index, label_smoothing, reduction):
    return nn.CrossEntropyLoss(weight=weight, ignore_index=ignore_index, reduction=reduction,
                               axis=_axis(input), label_smoothing=label_smoothing)(input, target)


@path("cross_entropy", "functional(soft_label=True)", params=SOFT_PARAMS,
      conventions=SOFT_CONVENTIONS, encodings=["one_hot", "probs"], dtypes=DTYPES, notes=NO_HALF,
      ndims=SOFT_NDIMS,
      call=SOFT_CALL.format("paddle.nn.functional.cross_entropy") + SQUEEZED)
def cross_entropy_soft(input, target, *, weight, label_smoothing, reduction):
    out = F.cross_entropy(input, target, weight=weight, reduction=reduction, soft_label=True,
                          axis=_axis(input), label_smoothing=label_smoothing)
    return out.squeeze(_axis(input)) if reduction == "none" else out


@path("cross_entropy", "module(soft_label=True)", params=SOFT_PARAMS,
      conventions=SOFT_CONVENTIONS, encodings=["one_hot", "probs"], dtypes=DTYPES, notes=NO_HALF,
      ndims=SOFT_NDIMS,
      call="paddle.nn.CrossEntropyLoss(weight=weight, reduction=reduction, soft_label=True, "
           "axis=1 (0 for 1-D input), label_smoothing=label_smoothing)(input, target)" + SQUEEZED)
def cross_entropy_soft_module(input, target, *, weight, label_smoothing, reduction):
    out = nn.CrossEntropyLoss(weight=weight, reduction=reduction, soft_label=True,
                              axis=_axis(input), label_smoothing=label_smoothing)(input, target)
    return out.squeeze(_axis(input)) if reduction == "none" else out


def _reduce_kept(losses, kept, reduction):
    """'mean' divides by the number of kept targets (the canonical rule for ignore_index)."""
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / kept.sum().astype(losses.dtype)


# The deprecated fused op (paddle 2.0 kept it): no reduction and no class weight; its index label
# carries the class axis with size 1, and so does its output. Composed: the path squeezes and
# reduces as canonical, which is what a port from it writes.
@path("cross_entropy", "softmax_with_cross_entropy", kind="composed", encodings=["index"],
      params=["ignore_index", "reduction"], dtypes=DTYPES, notes=NO_HALF,
      conventions=[PADDLE_CLIP, "all_ignored_mean_gradient_is_zero"],
      call="l = paddle.nn.functional.softmax_with_cross_entropy(input, target.unsqueeze(axis), "
           "ignore_index=ignore_index, axis=axis).squeeze(axis); 'mean' divides by the kept "
           "targets  [axis = 1, 0 for 1-D input]")
def cross_entropy_swce(input, target, *, ignore_index, reduction):
    axis = _axis(input)
    losses = F.softmax_with_cross_entropy(input, target.unsqueeze(axis), ignore_index=ignore_index,
                                          axis=axis).squeeze(axis)
    return _reduce_kept(losses, target != ignore_index, reduction)


# log_softmax then nll_loss: the decomposition of the seeds (000_fd22db6a8044b2f9.txt)
@path("cross_entropy", "log_softmax+nll_loss", kind="composed", encodings=["index"],
      params=["weight", "ignore_index", "reduction"], dtypes=DTYPES, notes=NO_HALF,
      conventions=[PADDLE_CLIP], unsupported_when=NLL_CRASHES, ndims=range(2, 7),
      call="paddle.nn.functional.nll_loss(paddle.nn.functional.log_softmax(input, axis=1 if "
           "input.ndim > 1 else 0), target, weight=weight, ignore_index=ignore_index, "
           "reduction=reduction)")
def cross_entropy_composed(input, target, *, weight, ignore_index, reduction):
    return F.nll_loss(F.log_softmax(input, axis=_axis(input)), target, weight=weight,
                      ignore_index=ignore_index, reduction=reduction)


# use_softmax=False: cross_entropy on probabilities, -sum_c t_c log p_c; the softmax is the user's
@path("cross_entropy", "softmax+cross_entropy(use_softmax=False)", kind="composed",
      encodings=["index"], params=["ignore_index", "reduction"], dtypes=DTYPES, notes=NO_HALF,
      conventions=[PADDLE_CLIP, "paddle_ce_mean_counts_ignored_targets"],
      call="paddle.nn.functional.cross_entropy(paddle.nn.functional.softmax(input, axis=axis), "
           "target, ignore_index=ignore_index, reduction=reduction, axis=axis, "
           "use_softmax=False)  [axis = 1, 0 for 1-D input]")
def cross_entropy_no_softmax(input, target, *, ignore_index, reduction):
    axis = _axis(input)
    return F.cross_entropy(F.softmax(input, axis=axis), target, ignore_index=ignore_index,
                           reduction=reduction, axis=axis, use_softmax=False)


# ---------------------------------------------------------------- nll_loss

# paddle's nll_loss takes (N, C, d1..dk) input only: 1-D input raises
NLL_NDIMS = range(2, 7)


@path("nll_loss", "functional", encodings=["index"], params=NLL_PARAMS, dtypes=DTYPES,
      ndims=NLL_NDIMS,
      notes=NO_HALF, unsupported_when=NLL_CRASHES,
      call="paddle.nn.functional.nll_loss(input, target, weight=weight, "
           "ignore_index=ignore_index, reduction=reduction)")
def nll_loss_functional(input, target, *, weight, ignore_index, reduction):
    return F.nll_loss(input, target, weight=weight, ignore_index=ignore_index, reduction=reduction)


@path("nll_loss", "module", encodings=["index"], params=NLL_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      ndims=NLL_NDIMS,
      unsupported_when=NLL_CRASHES,
      call="paddle.nn.NLLLoss(weight=weight, ignore_index=ignore_index, "
           "reduction=reduction)(input, target)")
def nll_loss_module(input, target, *, weight, ignore_index, reduction):
    return nn.NLLLoss(weight=weight, ignore_index=ignore_index, reduction=reduction)(input, target)


# ---------------------------------------------------------------- binary cross-entropy

BCE_CONVENTIONS = ["bce_log_clamped_at_-100",
                   "paddle_bce_grad_denominator_clamped_at_float64_1e-12"]


@path("binary_cross_entropy", "functional", params=["weight", "reduction"],
      conventions=BCE_CONVENTIONS, dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.functional.binary_cross_entropy(input, target, weight=weight, "
           "reduction=reduction)")
def bce_functional(input, target, *, weight, reduction):
    return F.binary_cross_entropy(input, target, weight=weight, reduction=reduction)


@path("binary_cross_entropy", "module", params=["weight", "reduction"],
      conventions=BCE_CONVENTIONS, dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.BCELoss(weight=weight, reduction=reduction)(input, target)")
def bce_module(input, target, *, weight, reduction):
    return nn.BCELoss(weight=weight, reduction=reduction)(input, target)


BCEL_PARAMS = ["weight", "pos_weight", "reduction"]
BCEL_AT_0 = "paddle_bce_logits_grad_at_0_off_by_1"


@path("binary_cross_entropy_with_logits", "functional", params=BCEL_PARAMS, dtypes=DTYPES,
      notes=NO_HALF, conventions=[BCEL_AT_0],
      call="paddle.nn.functional.binary_cross_entropy_with_logits(input, target, weight=weight, "
           "reduction=reduction, pos_weight=pos_weight)")
def bce_logits_functional(input, target, *, weight, pos_weight, reduction):
    return F.binary_cross_entropy_with_logits(input, target, weight=weight, reduction=reduction,
                                              pos_weight=pos_weight)


@path("binary_cross_entropy_with_logits", "module", params=BCEL_PARAMS, dtypes=DTYPES,
      notes=NO_HALF, conventions=[BCEL_AT_0],
      call="paddle.nn.BCEWithLogitsLoss(weight=weight, reduction=reduction, "
           "pos_weight=pos_weight)(input, target)")
def bce_logits_module(input, target, *, weight, pos_weight, reduction):
    return nn.BCEWithLogitsLoss(weight=weight, reduction=reduction,
                                pos_weight=pos_weight)(input, target)



# ---------------------------------------------------------------- evidence of the conventions
# values from paddlepaddle 3.3.1 on CPU in float64, on the built-in cases named

adapter.saw(PADDLE_CLIP, path="log_softmax/functional", case="log_softmax/extreme/none",
            call="paddle.nn.functional.log_softmax(paddle.to_tensor([[1e4, -1e4, 0.]]), axis=-1)",
            seen="[[0, -64, -64]] (canonical [[0, -20000, -10000]]); gradient with cotangent 1: "
                 "[[-2, 1, 1]] as canonical; softmax gives exp(-64) = 1.60381089e-28 there",
            versions=SEEN_ON, link="no public documentation found (the CPU softmax kernels clip "
                                   "x - max at -64)")
adapter.saw("paddle_ce_mean_counts_ignored_targets", path="cross_entropy/functional",
            case="cross_entropy/ignore-default/index",
            call="paddle.nn.functional.cross_entropy(x, paddle.to_tensor([1, -100, 3, -100, 0]), "
                 "axis=1)  (x of case ignore-default, 5 x 4)",
            seen="1.9766955373907709 = sum / 5 (canonical 3.2944925623179517 = sum / 3); with "
                 "ignore_index=2 and targets [1, 2, 3, 2, 0] it divides by the 3 kept targets; "
                 "every target -100 gives 0 with gradient 0",
            versions=SEEN_ON, link=PADDLE_DOCS + "functional/cross_entropy_en.html (source: "
                                                 "mean_all(out) when ignore_index < 0 and "
                                                 "weight is None)")
adapter.saw("paddle_soft_label_weight_per_sample", path="cross_entropy/functional",
            case="cross_entropy/smoothing-weight/index",
            call="paddle.nn.functional.cross_entropy(x, y, weight=paddle.to_tensor([0.5, 2., 1., "
                 "0.25, 3.]), label_smoothing=0.2, axis=1)  (x, y of case smoothing-weight)",
            seen="1.6531128864077727 (canonical 1.5361089827538725): the loss of each sample "
                 "times sum_c w_c t_c, divided by the sum of those",
            versions=SEEN_ON, link=PADDLE_DOCS + "functional/cross_entropy_en.html (source: "
                                                 "weight_gather = matmul(label, weight))")
adapter.saw("paddle_label_smoothing_in_float32", path="cross_entropy/functional",
            case="cross_entropy/smoothing/index",
            call="paddle.nn.functional.cross_entropy(x, y, label_smoothing=0.1, axis=1)  (x, y "
                 "of case smoothing, float64)",
            seen="1.6695855837240094 (canonical 1.6695856582001556); "
                 "paddle.nn.functional.label_smooth of a float64 one-hot row gives 0.91999998 "
                 "(float32's 1 - 0.1 plus 0.1 / 5)",
            versions=SEEN_ON)
adapter.saw("paddle_soft_label_none_keeps_class_axis", path="cross_entropy/functional",
            case="cross_entropy/smoothing-none/index",
            call="paddle.nn.functional.cross_entropy(x, y, label_smoothing=0.3, reduction='none', "
                 "axis=1)  (x (4, 5), y of case smoothing-none)",
            seen="shape [4, 1]: [[1.3573354452], [2.2115630839], [1.5765466324], [1.5902170656]] "
                 "(canonical shape (4,))", versions=SEEN_ON)
adapter.saw("tf_softmax_ce_grad_assumes_labels_sum_to_1",
            path="cross_entropy/functional(soft_label=True)",
            case="cross_entropy/probs-unnormalised-mean/probs",
            call="paddle.grad of paddle.nn.functional.cross_entropy(x, t, soft_label=True, axis=1) "
                 "(x, t of case probs-unnormalised-mean: rows of t sum to 2.4 to 3.5)",
            seen="value 5.49375617440392 (sum / N, as canonical for this path's mean); gradient "
                 "row 0 [-0.2166324934, -0.168424597, 0.0006943122, -0.0587076521, "
                 "-0.1879580946] = (softmax - t) / N, not (softmax sum_c t_c - t) / N",
            versions=SEEN_ON)
adapter.saw("bce_log_clamped_at_-100", path="binary_cross_entropy/functional",
            case="binary_cross_entropy/probs-0-and-1-opposite/none",
            call="paddle.nn.functional.binary_cross_entropy(paddle.to_tensor([0., 1., 0.3]), "
                 "paddle.to_tensor([1., 0., 1.]), reduction='none')",
            seen="[100, 100, 1.2039728043] (canonical [inf, inf, 1.2039728043])", versions=SEEN_ON)
adapter.saw("paddle_bce_grad_denominator_clamped_at_float64_1e-12",
            path="binary_cross_entropy/functional",
            case="binary_cross_entropy/probs-0-and-1-opposite/none",
            call="paddle.grad of the same call, cotangent 1",
            seen="[-1e12, 1e12, -3.3333333333] exactly (torch: -1000000003995.8 from float32's "
                 "1e-12; canonical [-inf, inf, -3.3333333333])", versions=SEEN_ON)
adapter.saw(BCEL_AT_0, path="binary_cross_entropy_with_logits/functional",
            case="binary_cross_entropy_with_logits/extreme-logits/none",
            call="paddle.grad of paddle.nn.functional.binary_cross_entropy_with_logits("
                 "paddle.to_tensor([1e4, -1e4, 1e4, -1e4, 0.]), paddle.to_tensor([1., 0., 0., "
                 "1., .5]), reduction='none'), cotangent 1",
            seen="[0, 0, 1, -1, -1] (canonical [0, 0, 1, -1, 0]); at x = 0 the gradient is "
                 "-0.5 - y for y in [0, .2, .5, 1, 2]; with pos_weight=3 it is canonical",
            versions=SEEN_ON)
adapter.saw("all_ignored_mean_gradient_is_zero", path="cross_entropy/softmax_with_cross_entropy",
            case="cross_entropy/all-ignored-mean/index",
            call="paddle.grad of softmax_with_cross_entropy(x, [[-100], [-100], [-100]], "
                 "axis=1).squeeze(1).sum() / 0",
            seen="value nan, gradient all 0 (canonical nan)", versions=SEEN_ON)
