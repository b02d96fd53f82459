"""kornia paths of the focal_dice family (spec.py beside this file): kornia.losses'
binary_focal_loss_with_logits, focal_loss, dice_loss and tversky_loss, as functions and as their
classes. The multiclass losses take logits and index targets ((N, d1..dk) class numbers)."""
from __future__ import annotations

import numpy as np

from adapters.definitions import weights_over
from adapters.kornia_lib import KORNIA_DOCS, SEEN_ON, adapter, losses, path
from adapters.pytorch import torch, weights_like

from .spec import INDEX_TARGET_REFUSES, without_ignore_index

# ---------------------------------------------------------------- sigmoid_focal_loss
# kornia's alpha weighs the positive term, 1 - alpha the negative one; None turns it off, the
# canonical negative alpha. pos_weight, weight (per channel) and ignore_index are left at None,
# None and -100 (a target in [0, 1] is never -100): the canonical loss has none of them.

BINARY_CALL = ("kornia.losses.{}(input, target, alpha=None if alpha < 0 else alpha, "
               "gamma=gamma, reduction=reduction)")
# kornia checks the shape (B, C, *): at least 2 dimensions
RANKS = (2, 3, 4, 5)


@path("sigmoid_focal_loss", "binary_focal_loss_with_logits", ndims=RANKS,
      params=["alpha", "gamma", "reduction"],
      conventions=["kornia_binary_focal_soft_target_terms_split"],
      call=BINARY_CALL.format("binary_focal_loss_with_logits"))
def binary_focal(input, target, *, alpha, gamma, reduction):
    return losses.binary_focal_loss_with_logits(input, target, alpha=None if alpha < 0 else alpha,
                                                gamma=gamma, reduction=reduction)


@path("sigmoid_focal_loss", "BinaryFocalLossWithLogits", ndims=RANKS,
      params=["alpha", "gamma", "reduction"],
      conventions=["kornia_binary_focal_soft_target_terms_split"],
      call="kornia.losses.BinaryFocalLossWithLogits(alpha=None if alpha < 0 else alpha, "
           "gamma=gamma, reduction=reduction)(input, target)")
def binary_focal_class(input, target, *, alpha, gamma, reduction):
    return losses.BinaryFocalLossWithLogits(alpha=None if alpha < 0 else alpha, gamma=gamma,
                                            reduction=reduction)(input, target)


# ---- weight= and ignore_index= on the binary focal loss: canonical sample weights. weight=w
# (C,) multiplies channel c's whole loss by w_c, and 'mean' still divides by every element: the
# sample weights w of shape (1, C). ignore_index=k zeroes the entries whose target is k (their
# logits' terms too) and keeps them in the 'mean' divisor: a 0/1 mask as sample weights. Both
# together: sample weights m w_c, m a 0/1 mask; the paths pass w_c = the largest weight of
# channel c and write k = -1 (no target in [0, 1] is) where the weight is 0. 'none', 'sum' and
# 'mean' are canonical; neither divides by the weights' sum, so 'weighted_mean' is refused.

def _channel_weights(weight):
    """w_c, the largest weight of each channel (axis 1) of full sample weights (any array)."""
    return weight.amax(dim=tuple(a for a in range(weight.ndim) if a != 1)) \
        if hasattr(weight, "amax") else weight.max(axis=tuple(a for a in range(weight.ndim)
                                                             if a != 1))


def _not_masked_channel_weights(params, encoding, inputs) -> bool:
    """Whether the sample weights are not m w_c (m a 0/1 mask, w_c one weight per channel)."""
    full = weights_over(params["sample_weight"], np.shape(inputs["input"]))
    if full is None:
        return True
    w = _channel_weights(full).reshape((1, -1) + (1,) * (full.ndim - 2))
    return not bool(np.all((full == 0) | (full == w)))


def _kornia_weights(sample_weight, input):
    """kornia's weight (C,) and the kept entries (True where the sample weight is not 0)."""
    full = weights_like(sample_weight, input)
    return _channel_weights(full), full != 0


WEIGHTED_SAMPLES = {
    "reduction='weighted_mean' (kornia's 'mean' divides by every element, not by the weights' "
    "sum)": lambda p, e, i: p["reduction"] == "weighted_mean",
    "sample weights other than a 0/1 mask times one weight per channel (axis 1)":
        _not_masked_channel_weights}
IGNORED = -1          # a label no canonical target in [0, 1] has
KEPT = "torch.where(sample_weight == 0, -1, target)"
WEIGHT_ARGS = "weight=[the largest sample weight of each channel], ignore_index=-1"


@path("sigmoid_focal_loss", "binary_focal_loss_with_logits(weight=, ignore_index=)",
      kind="composed", ndims=RANKS, params=["alpha", "gamma", "sample_weight", "reduction"],
      conventions=["kornia_binary_focal_soft_target_terms_split"],
      unsupported_when=WEIGHTED_SAMPLES,
      call=f"kornia.losses.binary_focal_loss_with_logits(input, {KEPT}, alpha=None if alpha < 0 "
           f"else alpha, gamma=gamma, reduction=reduction, {WEIGHT_ARGS})")
def binary_focal_weighted(input, target, *, alpha, gamma, sample_weight, reduction):
    weight, kept = _kornia_weights(sample_weight, input)
    return losses.binary_focal_loss_with_logits(
        input, torch.where(kept, target, float(IGNORED)), alpha=None if alpha < 0 else alpha,
        gamma=gamma, reduction=reduction, weight=weight, ignore_index=IGNORED)


@path("sigmoid_focal_loss", "BinaryFocalLossWithLogits(weight=, ignore_index=)",
      kind="composed", ndims=RANKS, params=["alpha", "gamma", "sample_weight", "reduction"],
      conventions=["kornia_binary_focal_soft_target_terms_split"],
      unsupported_when=WEIGHTED_SAMPLES,
      call="kornia.losses.BinaryFocalLossWithLogits(alpha=None if alpha < 0 else alpha, "
           f"gamma=gamma, reduction=reduction, {WEIGHT_ARGS})(input, {KEPT})")
def binary_focal_weighted_class(input, target, *, alpha, gamma, sample_weight, reduction):
    weight, kept = _kornia_weights(sample_weight, input)
    return losses.BinaryFocalLossWithLogits(alpha=None if alpha < 0 else alpha, gamma=gamma,
                                            reduction=reduction, weight=weight,
                                            ignore_index=IGNORED)(
        input, torch.where(kept, target, float(IGNORED)))


# ---- pos_weight= on the binary focal loss: the canonical pos_weight (the positive term times
# it), given per channel: kornia views its (C,) vector along axis 1, the canonical pos_weight
# broadcasts from the trailing axes, so the path takes a pos_weight of shape (C,) on (N, C) input
# or (C, 1, .., 1) on (N, C, d1..dk), and passes it flattened.

def _not_per_channel_pos_weight(params, encoding, inputs) -> bool:
    w, shape = params["pos_weight"], np.shape(inputs["input"])
    return w is None or np.shape(w) != (shape[1],) + (1,) * (len(shape) - 2)


POS_WEIGHT_REFUSED = {"pos_weight other than one per channel, shape (C,) or (C, 1, .., 1) (or "
                      "none: it is the path without pos_weight then)":
                      _not_per_channel_pos_weight}


@path("sigmoid_focal_loss", "binary_focal_loss_with_logits(pos_weight=)", ndims=RANKS,
      params=["alpha", "gamma", "pos_weight", "reduction"],
      conventions=["kornia_binary_focal_soft_target_terms_split"],
      unsupported_when=POS_WEIGHT_REFUSED,
      call="kornia.losses.binary_focal_loss_with_logits(input, target, alpha=None if alpha < 0 "
           "else alpha, gamma=gamma, reduction=reduction, pos_weight=pos_weight.flatten())")
def binary_focal_pos_weight(input, target, *, alpha, gamma, pos_weight, reduction):
    return losses.binary_focal_loss_with_logits(input, target, alpha=None if alpha < 0 else alpha,
                                                gamma=gamma, reduction=reduction,
                                                pos_weight=pos_weight.flatten())


@path("sigmoid_focal_loss", "BinaryFocalLossWithLogits(pos_weight=)", ndims=RANKS,
      params=["alpha", "gamma", "pos_weight", "reduction"],
      conventions=["kornia_binary_focal_soft_target_terms_split"],
      unsupported_when=POS_WEIGHT_REFUSED,
      call="kornia.losses.BinaryFocalLossWithLogits(alpha=None if alpha < 0 else alpha, "
           "gamma=gamma, reduction=reduction, pos_weight=pos_weight.flatten())(input, target)")
def binary_focal_pos_weight_class(input, target, *, alpha, gamma, pos_weight, reduction):
    return losses.BinaryFocalLossWithLogits(alpha=None if alpha < 0 else alpha, gamma=gamma,
                                            reduction=reduction,
                                            pos_weight=pos_weight.flatten())(input, target)


# ---------------------------------------------------------------- categorical_focal_crossentropy
# The canonical alpha is one factor on every class: kornia's weight=full(C, alpha) with
# alpha=None. kornia's own alpha weighs class 0 by 1 - alpha and the others by alpha (a
# background class), which no canonical parameter expresses; it is left at None.

FOCAL_PARAMS = ["alpha", "gamma", "ignore_index", "reduction"]
FOCAL_CONVENTIONS = ["kornia_focal_map_per_class",
                     "kornia_focal_grad_nan_where_target_logit_is_neg_inf"]


def _class_weight(input, alpha):
    return torch.full((input.shape[1],), float(alpha), dtype=input.dtype, device=input.device)


@path("categorical_focal_crossentropy", "focal_loss", ndims=RANKS, encodings=["index"],
      params=FOCAL_PARAMS, conventions=FOCAL_CONVENTIONS,
      call="kornia.losses.focal_loss(input, target, alpha=None, gamma=gamma, "
           "reduction=reduction, weight=torch.full((C,), alpha), ignore_index=ignore_index)")
def focal(input, target, *, alpha, gamma, ignore_index, reduction):
    return losses.focal_loss(input, target, alpha=None, gamma=gamma, reduction=reduction,
                             weight=_class_weight(input, alpha), ignore_index=ignore_index)


@path("categorical_focal_crossentropy", "FocalLoss", ndims=RANKS, encodings=["index"],
      params=FOCAL_PARAMS, conventions=FOCAL_CONVENTIONS,
      call="kornia.losses.FocalLoss(alpha=None, gamma=gamma, reduction=reduction, "
           "weight=torch.full((C,), alpha), ignore_index=ignore_index)(input, target)")
def focal_class(input, target, *, alpha, gamma, ignore_index, reduction):
    return losses.FocalLoss(alpha=None, gamma=gamma, reduction=reduction,
                            weight=_class_weight(input, alpha), ignore_index=ignore_index)(
        input, target)


# ---------------------------------------------------------------- soft_dice_loss, tversky
# kornia takes logits (N, C, H, W) and index targets (N, H, W): the paths pass torch.log(input)
# and target.argmax(1), so they take one-hot targets only, and inputs without a 0 (log 0 =
# -inf, whose gradient 0/0 is nan in the path's conversion, not in kornia). Each returns one
# mean, the canonical reduction='mean' (the default): they declare no reduction, so cases with
# another are unsupported. weight and ignore_index (not canonical) are left.

def _not_one_hot(params, encoding, inputs) -> bool:
    t = np.asarray(inputs.get("target"))
    return not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1))


def _has_zero(params, encoding, inputs) -> bool:
    return bool(np.any(np.asarray(inputs.get("input")) == 0))


KORNIA_INPUTS = {
    "targets that are not one-hot over the classes (kornia takes class numbers, the path "
    "passes target.argmax(1))": _not_one_hot,
    "a probability of 0 (the path passes torch.log(input), whose gradient at 0 is 0/0 = nan)":
        _has_zero,
}
SEGMENTATION = ["dice_softmax_of_log_input", "kornia_eps_in_denominator_only"]


@path("soft_dice_loss", "dice_loss-macro", ndims=[4], params=["smooth"],
      conventions=[*SEGMENTATION, "kornia_mean_over_present_classes"],
      unsupported_when={**KORNIA_INPUTS},
      call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='macro', "
           "eps=smooth)")
def dice_macro(input, target, *, smooth):
    return losses.dice_loss(torch.log(input), target.argmax(1), average="macro", eps=smooth)


@path("soft_dice_loss", "DiceLoss-macro", ndims=[4], params=["smooth"],
      conventions=[*SEGMENTATION, "kornia_mean_over_present_classes"],
      unsupported_when={**KORNIA_INPUTS},
      call="kornia.losses.DiceLoss(average='macro', eps=smooth)(torch.log(input), "
           "target.argmax(1))")
def dice_macro_class(input, target, *, smooth):
    return losses.DiceLoss(average="macro", eps=smooth)(torch.log(input), target.argmax(1))


# ---- weight= on the Dice loss (class weights): average='macro' with weight=w is the canonical
# class_weights, but each sample's mean divides by the weights of its present classes
# (kornia_dice_weighted_mean_over_present_weights). average='micro' with weight=w computes one
# Dice per sample, 2 sum_c w_c I_c / sum_c w_c (P_c + T_c): classes summed, so no canonical
# class_weights (which need one Dice per class); its weight is left (the default None is run).

WEIGHTED = [*SEGMENTATION, "kornia_mean_over_present_classes",
            "kornia_dice_weighted_mean_over_present_weights"]
UNWEIGHTED = {"cases without class_weights (it is the path without weight= then)":
              lambda p, e, i: p["class_weights"] is None}


@path("soft_dice_loss", "dice_loss(weight=)-macro", ndims=[4], params=["smooth", "class_weights"],
      conventions=WEIGHTED, unsupported_when={**KORNIA_INPUTS, **UNWEIGHTED},
      call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='macro', "
           "eps=smooth, weight=class_weights)")
def dice_macro_weighted(input, target, *, smooth, class_weights):
    return losses.dice_loss(torch.log(input), target.argmax(1), average="macro", eps=smooth,
                            weight=class_weights)


@path("soft_dice_loss", "DiceLoss(weight=)-macro", ndims=[4], params=["smooth", "class_weights"],
      conventions=WEIGHTED, unsupported_when={**KORNIA_INPUTS, **UNWEIGHTED},
      call="kornia.losses.DiceLoss(average='macro', eps=smooth, weight=class_weights)("
           "torch.log(input), target.argmax(1))")
def dice_macro_weighted_class(input, target, *, smooth, class_weights):
    return losses.DiceLoss(average="macro", eps=smooth, weight=class_weights)(
        torch.log(input), target.argmax(1))


# average='micro' (the default) is one Dice per sample over its classes and pixels together,
# averaged over the batch: canonical sum_over='classes_and_spatial', reduction 'mean'. With
# one-hot targets T is the pixel count, never 0, so kornia's empty-mask rule never shows here.
MICRO = {"sum_over other than 'classes_and_spatial' (average='micro' sums each sample's "
         "classes and pixels together)": lambda p, e, i: p["sum_over"] != "classes_and_spatial"}


@path("soft_dice_loss", "dice_loss-micro", ndims=[4], params=["smooth", "sum_over"],
      conventions=SEGMENTATION, unsupported_when={**KORNIA_INPUTS, **MICRO},
      call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='micro', "
           "eps=smooth)")
def dice_micro(input, target, *, smooth, sum_over):
    return losses.dice_loss(torch.log(input), target.argmax(1), average="micro", eps=smooth)


@path("soft_dice_loss", "DiceLoss-micro", ndims=[4], params=["smooth", "sum_over"],
      conventions=SEGMENTATION, unsupported_when={**KORNIA_INPUTS, **MICRO},
      call="kornia.losses.DiceLoss(average='micro', eps=smooth)(torch.log(input), "
           "target.argmax(1))")
def dice_micro_class(input, target, *, smooth, sum_over):
    return losses.DiceLoss(average="micro", eps=smooth)(torch.log(input), target.argmax(1))


# kornia.losses.tversky_loss and TverskyLoss: the layout, targets and conventions of
# dice_loss('macro') (softmax of the input, eps in the denominator only, the mean over the classes
# present in each sample), alpha on the false positives and beta on the false negatives as
# canonical. Last round's "no example" was the fuzzer's: it drew tversky targets as soft values in
# [0, 1] only, never a one-hot map, and these paths take one-hot maps only (the spec now draws
# both, as soft_dice_loss's).

@path("tversky", "tversky_loss", ndims=[4], params=["alpha", "beta", "smooth"],
      conventions=[*SEGMENTATION, "kornia_mean_over_present_classes"],
      unsupported_when={**KORNIA_INPUTS},
      call="kornia.losses.tversky_loss(torch.log(input), target.argmax(1), alpha=alpha, "
           "beta=beta, eps=smooth)")
def tversky_kornia(input, target, *, alpha, beta, smooth):
    return losses.tversky_loss(torch.log(input), target.argmax(1), alpha=alpha, beta=beta,
                               eps=smooth)


@path("tversky", "TverskyLoss", ndims=[4], params=["alpha", "beta", "smooth"],
      conventions=[*SEGMENTATION, "kornia_mean_over_present_classes"],
      unsupported_when={**KORNIA_INPUTS},
      call="kornia.losses.TverskyLoss(alpha=alpha, beta=beta, eps=smooth)(torch.log(input), "
           "target.argmax(1))")
def tversky_kornia_class(input, target, *, alpha, beta, smooth):
    return losses.TverskyLoss(alpha=alpha, beta=beta, eps=smooth)(torch.log(input),
                                                                  target.argmax(1))


# ---------------------------------------------------------------- evidence

FOCAL_SOURCE = KORNIA_DOCS + " (the Convention blocks of focal_loss, binary_focal_loss_with_logits)"
SEGMENTATION_SOURCE = KORNIA_DOCS + " (the Convention blocks of dice_loss, tversky_loss)"

adapter.saw("kornia_binary_focal_soft_target_terms_split",
            path="sigmoid_focal_loss/binary_focal_loss_with_logits",
            case="sigmoid_focal_loss/soft-targets-none/none",
            call="kornia.losses.binary_focal_loss_with_logits(input, target, alpha=0.25, "
                 "gamma=2.0, reduction='none') on the case's (3, 5) logits and uniform targets",
            seen="row 0 [0.2736154913, 0.0798000714, 0.9292085542, 0.0215072146, 0.4695904209] "
                 "where canonical (torchvision's formula) gives [0.1587042089, 0.0896263862, "
                 "0.8942169221, 0.0116651083, 0.3549507161]; gradient of the sum at [0, 0] "
                 "0.3208052285 (canonical 0.097256522); hard-target cases agree to rounding",
            versions=SEEN_ON, link=FOCAL_SOURCE + ": 't alpha (1 - p)^gamma (-log p) + (1 - t) "
                                                  "(1 - alpha) p^gamma (-log (1 - p))'")
adapter.saw("kornia_focal_map_per_class", path="categorical_focal_crossentropy/focal_loss",
            case="categorical_focal_crossentropy/ignore-index-mean/index",
            call="kornia.losses.focal_loss(input, target, alpha=None, gamma=2.0, "
                 "reduction='mean', weight=torch.full((3,), 0.25), ignore_index=-100) on (5, 3) "
                 "logits and targets [0, -100, 2, 1, -100]",
            seen="0.09077725566495932 where canonical gives 0.4538862783247966 (the sum over 3 "
                 "kept rows / 3): kornia divides the same sum by 5 x 3 = 15 map elements; the "
                 "gradient is scaled by 3/15 too ([0, 0]: -0.0089227948, canonical "
                 "-0.0446139739); reduction='none' returns the (5, 3) map",
            versions=SEEN_ON, link=FOCAL_SOURCE + ": \"'mean' divides its sum by every element "
                                                  "of that map, C times the pixel count\"")
adapter.saw("kornia_focal_grad_nan_where_target_logit_is_neg_inf",
            path="categorical_focal_crossentropy/focal_loss",
            case="categorical_focal_crossentropy/neg-inf-logit-target-none/index",
            call="torch.autograd.grad of kornia.losses.focal_loss(input, target, alpha=None, "
                 "gamma=2.0, reduction='none', weight=torch.full((3,), 0.25)) summed, on input "
                 "[[1., -inf, 0.5], [0.25, 2., -inf]] and target [1, 1]",
            seen="values [[-0, inf, -0], [-0, 0.0008779471, -0]] (canonical [inf, "
                 "0.0008779471]); gradient [[nan, nan, nan], [0.0023071627, -0.0023071627, 0]], "
                 "canonical row 0 [0.1556148328, -0.25, 0.0943851672]",
            versions=SEEN_ON)
adapter.saw("dice_softmax_of_log_input", path="soft_dice_loss/dice_loss-macro",
            case="soft_dice_loss/one-hot-unnormalised-mean/none",
            call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='macro', "
                 "eps=1e-6) on (2, 3, 3, 3) uniform probabilities in [0.05, 1) (not summing to "
                 "1) and one-hot targets",
            seen="0.681653852426896 where the Dice of the input as given is 0.5938384877546152; "
                 "gradient [0, 0, 0, 0] -0.0489163323 (canonical -0.0410314669)",
            versions=SEEN_ON, link=SEGMENTATION_SOURCE + ": 'X is the softmax of pred over "
                                                         "the classes'")
adapter.saw("kornia_eps_in_denominator_only", path="soft_dice_loss/dice_loss-macro",
            case="soft_dice_loss/one-hot-every-class-smooth-1-mean/none",
            call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='macro', "
                 "eps=1.0) on (2, 3, 3, 3) softmax probabilities, every class present",
            seen="0.6359363360050702 where canonical 1 - (2 I + 1) / (P + T + 1) gives "
                 "0.4870268758174627; gradient [0, 0, 0, 0] -0.0728722388 (canonical "
                 "-0.0620815678)",
            versions=SEEN_ON, link=SEGMENTATION_SOURCE + ": 'eps is added to the denominator "
                                                         "only'")
adapter.saw("dice_softmax_of_log_input", path="soft_dice_loss/dice_loss-micro",
            case="soft_dice_loss/one-hot-unnormalised-classes-and-spatial-mean/none",
            call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='micro', "
                 "eps=1e-6) on (2, 3, 3, 3) uniform probabilities in [0.05, 1) (not summing to "
                 "1) and one-hot targets",
            seen="0.6753217237631701 where the Dice of the input as given is 0.5897508272; "
                 "gradient [0, 0, 0, 0] -0.0390017555 (canonical -0.0331200407)",
            versions=SEEN_ON, link=SEGMENTATION_SOURCE + ": 'X is the softmax of pred over "
                                                         "the classes'")
adapter.saw("kornia_eps_in_denominator_only", path="soft_dice_loss/dice_loss-micro",
            case="soft_dice_loss/hand-classes-and-spatial-smooth-4-mean/none",
            call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='micro', "
                 "eps=4.0) on the case's (2, 2, 1, 2) probabilities and one-hot targets",
            seen="0.6875 = mean(1 - 3/8, 1 - 2/8) where canonical 1 - (2 I + 4) / (P + T + 4) "
                 "gives 0.1875 (hand-computed); gradient at [0, 0, 0, :] [-0.03125, 0.09375] "
                 "(canonical [-0.0703125, 0.0546875])",
            versions=SEEN_ON, link=SEGMENTATION_SOURCE + ": 'eps is added to the denominator "
                                                         "only'")
adapter.saw("kornia_mean_over_present_classes", path="soft_dice_loss/dice_loss-macro",
            case="soft_dice_loss/unet-one-hot-spatial-mean/none",
            call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='macro', "
                 "eps=1e-6) on the seed's (2, 3, 2, 3) data, class 2 absent from sample 1",
            seen="0.683294852531138 where the canonical mean of the 6 (sample, class) losses is "
                 "0.7225311436426379; the gradient at sample 1, class 2 is 0.0376299438 at [1, 2, "
                 "0, 0] where canonical gives 5.0e-8",
            versions=SEEN_ON, link=SEGMENTATION_SOURCE + ": \"a class that is predicted but "
                                                         "absent from the target is left out\"")


# ---------------------------------------------------------------- lovasz_hinge, lovasz_softmax
# kornia.losses.lovasz_hinge_loss(pred (B, 1, H, W), target (B, H, W)) and
# lovasz_softmax_loss(pred (B, C, H, W) logits, target (B, H, W), weight=None): one loss per image
# averaged over the batch (canonical per_image=True, reduction 'mean'); the softmax's average runs
# over all C classes (canonical classes='all'); no ignore_index. Both sort with
# torch.sort(descending=True), not stable. lovasz_softmax_loss's class `weight` multiplies each
# class's term and still divides by C: no canonical parameter (Berman et al. have none), left None.

from adapters.families.focal_dice.reference import (  # noqa: E402
    TORCH_SORT_KEEPS_TIES_UP_TO,
    unstable_ties,
)

LOVASZ_FLOAT = ["float64", "float32"]      # the ecosystem's time budget: two dtypes
TIES = (f"tied positive errors in a set of more than {TORCH_SORT_KEEPS_TIES_UP_TO} pixels "
        "(torch.sort(descending=True) orders ties its own way there, so the gradient is another "
        "subgradient than the canonical order's)")
PER_BATCH = ("per_image=False (kornia scores each image and averages)",
             lambda p, e, i: not p["per_image"])
HINGE_REFUSES = {
    TIES: unstable_ties("lovasz_hinge"), PER_BATCH[0]: PER_BATCH[1],
    "a channel axis other than 1 (pred is (B, 1, H, W))":
        lambda p, e, i: "input" in i and np.shape(i["input"])[1] != 1,
}
SOFTMAX_REFUSES = {
    TIES: unstable_ties("lovasz_softmax"), PER_BATCH[0]: PER_BATCH[1],
    "classes='present' (kornia averages over all C classes)":
        lambda p, e, i: p["classes"] != "all",
    "a single class (ValueError: 'we expect BxNxHxW, with N > 1')":
        lambda p, e, i: "input" in i and np.shape(i["input"])[1] < 2,
    "ignored targets (kornia has no ignore_index; -100 breaks its one_hot)":
        lambda p, e, i: "target" in i and bool(np.any(np.asarray(i["target"])
                                                      == p["ignore_index"])),
}


@path("lovasz_hinge", "lovasz_hinge_loss", ndims=[4], params=["per_image"], dtypes=LOVASZ_FLOAT,
      unsupported_when=HINGE_REFUSES, call="kornia.losses.lovasz_hinge_loss(input, target[:, 0])")
def lovasz_hinge(input, target, *, per_image):
    return losses.lovasz_hinge_loss(input, target[:, 0])


@path("lovasz_hinge", "LovaszHingeLoss", ndims=[4], params=["per_image"], dtypes=LOVASZ_FLOAT,
      unsupported_when=HINGE_REFUSES,
      call="kornia.losses.LovaszHingeLoss()(input, target[:, 0])")
def lovasz_hinge_class(input, target, *, per_image):
    return losses.LovaszHingeLoss()(input, target[:, 0])


# weight=class_weights: each class's term weighed, the mean over the C classes by their count,
# as the canonical class_weights (None, kornia's default, when the case has none)
@path("lovasz_softmax", "lovasz_softmax_loss", ndims=[4], encodings=["index"],
      params=["classes", "per_image", "class_weights"], dtypes=LOVASZ_FLOAT,
      unsupported_when=SOFTMAX_REFUSES,
      call="kornia.losses.lovasz_softmax_loss(input, target, weight=class_weights)")
def lovasz_softmax(input, target, *, classes, per_image, class_weights):
    return losses.lovasz_softmax_loss(input, target, weight=class_weights)


@path("lovasz_softmax", "LovaszSoftmaxLoss", ndims=[4], encodings=["index"],
      params=["classes", "per_image", "class_weights"], dtypes=LOVASZ_FLOAT,
      unsupported_when=SOFTMAX_REFUSES,
      call="kornia.losses.LovaszSoftmaxLoss(weight=class_weights)(input, target)")
def lovasz_softmax_class(input, target, *, classes, per_image, class_weights):
    return losses.LovaszSoftmaxLoss(weight=class_weights)(input, target)


# ---------------------------------------------------------------- evidence: weight= (class weights)

adapter.saw("kornia_dice_weighted_mean_over_present_weights",
            path="soft_dice_loss/dice_loss(weight=)-macro",
            case="soft_dice_loss/hand-unequal-classes-weights-2-1-mean/none",
            call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='macro', "
                 "eps=1.0, weight=torch.tensor([2., 1.])) on (1, 2, 1, 3) probabilities 1/2 and "
                 "targets [0, 0, 1] (kornia's class losses 5/9 and 5/7: eps in the denominator "
                 "only)",
            seen="0.6084656084656085 = (2 x 5/9 + 5/7) / 3, the weights' sum 3 as divisor, where "
                 "the count 2 (kornia_mean_over_present_classes alone) gives 0.9126984127 and "
                 "canonical 23/42 = 0.5476190476; gradient [-0.1288317796, -0.1288317796, "
                 "0.1145544638, 0.1288317796, 0.1288317796, -0.1145544638], canonical "
                 "[-0.2962962963, -0.2962962963, 0.1481481481, 0.0816326531, 0.0816326531, "
                 "-0.2040816327]",
            versions=SEEN_ON, link=SEGMENTATION_SOURCE + ": \"'macro' ... averages them as "
                                                         "sum_c w_c loss_c / sum_c w_c over the "
                                                         "classes present in the sample's "
                                                         "non-ignored target\"")


# ---------------------------------------------------------------- ignore_index (soft_dice_loss,
# tversky)
# dice_loss, DiceLoss, tversky_loss and TverskyLoss(ignore_index=k) take the softmax of every
# pixel, then multiply it and the one-hot target by the mask target != k (kornia/losses/dice.py,
# tversky.py: mask_ignore_pixels): the pixel leaves both sums of its sample, as canonical. The
# paths pass the class numbers of the one-hot target, k where a pixel is ignored in every channel.
# A sample whose pixels are all ignored counts 1 under 'macro' and in tversky_loss
# (kornia_all_ignored_sample_counts_1). No average='micro' path with ignore_index: the fuzzer
# drew no example it accepts (Hypothesis Unsatisfiable, 459 of 459 rejected: micro needs
# sum_over='classes_and_spatial' on top of the ignore-index refusals); the mask is the same
# code under 'macro', checked here.

def index_target(target, ignore_index):
    """The class numbers of a one-hot target, ignore_index where a pixel is ignored (in every
    channel); the class numbers alone without ignore_index."""
    if ignore_index is None:
        return target.argmax(1)
    return torch.where((target == ignore_index).all(dim=1), ignore_index, target.argmax(1))


IGNORING = {"a probability of 0 (the path passes torch.log(input), whose gradient at 0 is 0/0 = "
            "nan)": _has_zero, **INDEX_TARGET_REFUSES}
INDEX_CALL = "torch.where((target == ignore_index).all(1), ignore_index, target.argmax(1))"
MACRO_IGNORING = [*SEGMENTATION, "kornia_mean_over_present_classes",
                  "kornia_all_ignored_sample_counts_1"]


@path("soft_dice_loss", "dice_loss-macro(ignore_index)", ndims=[4],
      params=["smooth", "ignore_index"], conventions=MACRO_IGNORING,
      unsupported_when={**IGNORING, **without_ignore_index("soft_dice_loss/dice_loss-macro")},
      call=f"kornia.losses.dice_loss(torch.log(input), {INDEX_CALL}, average='macro', "
           "eps=smooth, ignore_index=ignore_index)")
def dice_macro_ignore(input, target, *, smooth, ignore_index):
    return losses.dice_loss(torch.log(input), index_target(target, ignore_index),
                            average="macro", eps=smooth, ignore_index=ignore_index)


@path("soft_dice_loss", "DiceLoss-macro(ignore_index)", ndims=[4],
      params=["smooth", "ignore_index"], conventions=MACRO_IGNORING,
      unsupported_when={**IGNORING, **without_ignore_index("soft_dice_loss/DiceLoss-macro")},
      call="kornia.losses.DiceLoss(average='macro', eps=smooth, ignore_index=ignore_index)("
           f"torch.log(input), {INDEX_CALL})")
def dice_macro_class_ignore(input, target, *, smooth, ignore_index):
    return losses.DiceLoss(average="macro", eps=smooth, ignore_index=ignore_index)(
        torch.log(input), index_target(target, ignore_index))


@path("tversky", "tversky_loss(ignore_index)", ndims=[4],
      params=["alpha", "beta", "smooth", "ignore_index"], conventions=MACRO_IGNORING,
      unsupported_when={**IGNORING, **without_ignore_index("tversky/tversky_loss")},
      call=f"kornia.losses.tversky_loss(torch.log(input), {INDEX_CALL}, alpha=alpha, beta=beta, "
           "eps=smooth, ignore_index=ignore_index)")
def tversky_kornia_ignore(input, target, *, alpha, beta, smooth, ignore_index):
    return losses.tversky_loss(torch.log(input), index_target(target, ignore_index), alpha=alpha,
                               beta=beta, eps=smooth, ignore_index=ignore_index)


@path("tversky", "TverskyLoss(ignore_index)", ndims=[4],
      params=["alpha", "beta", "smooth", "ignore_index"], conventions=MACRO_IGNORING,
      unsupported_when={**IGNORING, **without_ignore_index("tversky/TverskyLoss")},
      call="kornia.losses.TverskyLoss(alpha=alpha, beta=beta, eps=smooth, ignore_index="
           f"ignore_index)(torch.log(input), {INDEX_CALL})")
def tversky_kornia_class_ignore(input, target, *, alpha, beta, smooth, ignore_index):
    return losses.TverskyLoss(alpha=alpha, beta=beta, eps=smooth, ignore_index=ignore_index)(
        torch.log(input), index_target(target, ignore_index))


IGNORE_SOURCE = KORNIA_DOCS + (" (dice_loss's Convention block: 'A sample whose pixels are all "
                               "ignored ... enters the batch mean as loss 1 with a zero "
                               "gradient, at eps=0 as well')")
adapter.saw("kornia_all_ignored_sample_counts_1",
            path="soft_dice_loss/dice_loss-macro(ignore_index)",
            case="soft_dice_loss/ignore-index-whole-sample-mean/none",
            call=f"kornia.losses.dice_loss(torch.log(input), {INDEX_CALL}, average='macro', "
                 "eps=1e-6, ignore_index=-100) on the case's (2, 3, 3, 3) softmax probabilities, "
                 "sample 1's 9 pixels all -100",
            seen="0.8119864747489514 where the other kornia conventions alone give "
                 "0.31198647474895136 (sample 1 counted 0) and canonical 0.31198635831000715: "
                 "(sample 0's 0.6239729 + 1) / 2; gradient 0 at every entry of sample 1 (as "
                 "canonical); [0, 0, 0, 0] -0.0505306541 (canonical -0.0462191647)",
            versions=SEEN_ON, link=IGNORE_SOURCE)
adapter.saw("kornia_all_ignored_sample_counts_1", path="tversky/tversky_loss(ignore_index)",
            case="tversky/ignore-index-whole-sample-mean/none",
            call=f"kornia.losses.tversky_loss(torch.log(input), {INDEX_CALL}, alpha=0.3, "
                 "beta=0.7, eps=1e-6, ignore_index=-100) on the same (2, 3, 3, 3) data",
            seen="0.8112932836870004 where the other kornia conventions alone give "
                 "0.3112932836870004 and canonical 0.3112930402796079; gradient 0 at every entry "
                 "of sample 1; [0, 0, 0, 0] -0.0494506037 (canonical -0.0500354707)",
            versions=SEEN_ON, link=KORNIA_DOCS + " (tversky_loss's Convention block: 'a sample "
                                                 "whose pixels are all ignored enters the batch "
                                                 "mean as loss 1')")
