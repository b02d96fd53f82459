"""MONAI paths of the focal_dice family (spec.py beside this file): monai.losses 1.6.1.

DiceLoss (soft_dice_loss; jaccard=True: jaccard), GeneralizedDiceLoss (generalized_dice),
TverskyLoss (tversky), FocalLoss (sigmoid_focal_loss; use_softmax=True:
categorical_focal_crossentropy), and each term of DiceCELoss and DiceFocalLoss isolated by
setting the other's lambda to 0: those two losses are lambda_dice * DiceLoss + lambda_ce *
CrossEntropyLoss (resp. FocalLoss), a linear sum whose terms are canonical losses already, so no
canonical combination is added (PROBED: the sum on one case); the cross-entropy term is in
adapters/families/classification/monai_lib.py.

sigmoid=True and softmax=True apply an activation to the input first: the canonical losses take
probabilities, so the paths pass the activation's inverse of the probabilities, torch.logit(p)
(sigmoid(logit p) = p, value and gradient) or torch.log(p) (softmax(log p) = p / sum_c p:
dice_softmax_of_log_input). other_act (any callable) has no canonical form.

Every class takes (N, C, d1..dk) inputs and sums over axes 2.. (batch=True: 0 too); the
canonical smooth is passed as both smooth_nr and smooth_dr. MONAI computes the sums with
torch.sum(dim=[...]), and torch sums over every axis when that list is empty, so on (N, C) input
one value covers the whole batch: the paths take inputs with spatial axes only (ndims 3..5).
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import weights_over
from adapters.monai_lib import MONAI_DOCS, SEEN_ON, adapter, losses, path  # noqa: F401
from adapters.pytorch import torch, weights_like

from .spec import INDEX_TARGET_REFUSES, without_ignore_index

SPATIAL = [3, 4, 5]
NO_ALL = {"sum_over='all' or 'classes_and_spatial' (MONAI sums over the spatial axes, "
          "batch=True the batch too; never over the classes)":
          lambda p, e, i: p["sum_over"] in ("all", "classes_and_spatial")}
NO_NONE = {"reduction='none' (DiceCELoss and DiceFocalLoss take 'mean' or 'sum' only)":
           lambda p, e, i: p["reduction"] == "none"}
NONE_SHAPE = "monai_none_keeps_broadcast_shape"


def _batch(sum_over):
    return sum_over == "batch_and_spatial"


def _has_zero_or_one(params, encoding, inputs):
    x = inputs["input"]
    return bool(((x == 0) | (x == 1)).any())


def _has_zero(params, encoding, inputs):
    return bool((inputs["input"] == 0).any())


# the activation paths: the activation's inverse of the probabilities passed in
SIGMOID_INPUT = {"a probability of exactly 0 or 1 (torch.logit gives -inf or inf, whose "
                 "gradient inf meets the sigmoid's 0: nan)": _has_zero_or_one}
SOFTMAX_INPUT = {"a probability of 0 (torch.log gives -inf, whose gradient at 0 is 0/0 = "
                 "nan)": _has_zero,
                 "one channel (MONAI warns 'single channel prediction, `softmax=True` ignored.' "
                 "and takes the log-probabilities as they are)":
                     lambda p, e, i: i["input"].shape[1] == 1}
SOFTMAX_OF_LOG = "dice_softmax_of_log_input"
ACTIVATION_DTYPES = ["float64", "float32"]


def _not_one_hot(params, encoding, inputs):
    """Whether the target is not a hard one-hot map over two classes or more (to_onehot_y needs
    one: with one channel MONAI ignores to_onehot_y, with a warning)."""
    t = inputs["target"]
    return t.shape[1] < 2 or not (((t == 0) | (t == 1)).all() and (t.sum(axis=1) == 1).all())


# ---------------------------------------------------------------- soft_dice_loss

DICE_CALL = ("monai.losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=sum_over == "
             "'batch_and_spatial', reduction=reduction{})({})")
# to_onehot_y with squared_pred=True: the float32 one-hot target's rounded norm
ONEHOT_NORM = "monai_onehot_target_norm_in_float32"


@path("soft_dice_loss", "monai.losses.DiceLoss",
      params=["smooth", "sum_over", "squared", "reduction"],
      ndims=SPATIAL, unsupported_when=NO_ALL, conventions=[NONE_SHAPE],
      call=DICE_CALL.format(", squared_pred=squared", "input, target"))
def dice_monai(input, target, *, smooth, sum_over, squared, reduction):
    return losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                           squared_pred=squared, reduction=reduction)(input, target)


# sigmoid=True: the logits of the probabilities, so that MONAI's sigmoid gives them back
@path("soft_dice_loss", "monai.losses.DiceLoss(sigmoid=True)(logit)", kind="composed",
      params=["smooth", "sum_over", "reduction"], ndims=SPATIAL, dtypes=ACTIVATION_DTYPES,
      unsupported_when={**NO_ALL, **SIGMOID_INPUT}, conventions=[NONE_SHAPE],
      call=DICE_CALL.format(", sigmoid=True", "torch.logit(input), target"))
def dice_monai_sigmoid(input, target, *, smooth, sum_over, reduction):
    return losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                           sigmoid=True, reduction=reduction)(torch.logit(input), target)


# softmax=True: the log-probabilities, whose softmax over the classes is p / sum_c p
@path("soft_dice_loss", "monai.losses.DiceLoss(softmax=True)(log)", kind="composed",
      params=["smooth", "sum_over", "reduction"], ndims=SPATIAL, dtypes=ACTIVATION_DTYPES,
      unsupported_when={**NO_ALL, **SOFTMAX_INPUT}, conventions=[NONE_SHAPE, SOFTMAX_OF_LOG],
      call=DICE_CALL.format(", softmax=True", "torch.log(input), target"))
def dice_monai_softmax(input, target, *, smooth, sum_over, reduction):
    return losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                           softmax=True, reduction=reduction)(torch.log(input), target)


# to_onehot_y: the class indices of a hard one-hot target, one-hot encoded again by MONAI
@path("soft_dice_loss", "monai.losses.DiceLoss(to_onehot_y=True)", kind="composed",
      params=["smooth", "sum_over", "squared", "reduction"], ndims=SPATIAL,
      conventions=[NONE_SHAPE, ONEHOT_NORM],
      unsupported_when={**NO_ALL, "a target that is not a hard one-hot map of 2 classes or more "
                                  "(to_onehot_y takes class indices)": _not_one_hot},
      call=DICE_CALL.format(", squared_pred=squared, to_onehot_y=True",
                            "input, target.argmax(1, keepdim=True)"))
def dice_monai_onehot_y(input, target, *, smooth, sum_over, squared, reduction):
    return losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                           squared_pred=squared, reduction=reduction, to_onehot_y=True)(
        input, target.argmax(1, keepdim=True))


# include_background=False drops class 0 from input and target before the Dice, and weight= then
# multiplies the per-class losses: so its weights are the C - 1 classes left (MONAI: "If not
# include_background, the number of classes should not include the background category class
# 0"), the canonical class_weights[1:]. With one channel MONAI keeps class 0 (a warning), and it
# applies weight only where more than one class is left (monai_dice_weight_ignored_for_one_class).
def _monai_weights(class_weights, ignore_background):
    if class_weights is None or not ignore_background:
        return class_weights
    return class_weights[1:] if class_weights.shape[0] > 1 else class_weights


@path("soft_dice_loss", "monai.losses.DiceLoss(include_background, weight)",
      params=["smooth", "sum_over", "class_weights", "ignore_background", "squared",
              "reduction"],
      ndims=SPATIAL, unsupported_when=NO_ALL,
      conventions=[NONE_SHAPE, "monai_dice_weight_ignored_for_one_class"],
      call="monai.losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=sum_over == "
           "'batch_and_spatial', include_background=not ignore_background, weight="
           "class_weights[1:] if ignore_background else class_weights, squared_pred=squared, "
           "reduction=reduction)(input, target)")
def dice_monai_class_terms(input, target, *, smooth, sum_over, class_weights, ignore_background,
                           squared, reduction):
    return losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                           include_background=not ignore_background,
                           weight=_monai_weights(class_weights, ignore_background),
                           squared_pred=squared, reduction=reduction)(input, target)


# DiceCELoss(lambda_ce=0) and DiceFocalLoss(lambda_focal=0): their Dice term alone, a DiceLoss
# built from their own arguments (monai/losses/dice.py), so that those arguments are checked
# through the combined class. The other term is still computed (on the probabilities as logits:
# finite) and multiplied by 0. Both take 'mean' and 'sum' only.
COMBINED = {**NO_ALL, **NO_NONE}
# DiceCELoss slices its weight itself: `dice_weight = weight[1:]` when not include_background
# (its weight also weighs the cross-entropy, whose C classes are all kept), so the canonical
# class_weights pass unchanged, unlike DiceLoss's (the C - 1 weights left)
DICE_CE_CALL = ("monai.losses.DiceCELoss(smooth_nr={0}, smooth_dr={0}, batch=sum_over == "
                "'batch_and_spatial', include_background=not ignore_background, "
                "weight=class_weights, squared_pred=squared, {1}reduction=reduction, "
                "lambda_ce=0.0)(input, target)  [its Dice term]")


def _dice_ce(input, target, smooth, sum_over, class_weights, ignore_background, squared,
             reduction, jaccard=False):
    return losses.DiceCELoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                             include_background=not ignore_background, weight=class_weights,
                             squared_pred=squared, jaccard=jaccard, reduction=reduction,
                             lambda_ce=0.0)(input, target)


@path("soft_dice_loss", "monai.losses.DiceCELoss(lambda_ce=0)", kind="composed",
      params=["smooth", "sum_over", "class_weights", "ignore_background", "squared",
              "reduction"],
      ndims=SPATIAL, unsupported_when=COMBINED,
      conventions=["monai_dice_weight_ignored_for_one_class"],
      call=DICE_CE_CALL.format("smooth", ""))
def dice_monai_dice_ce(input, target, *, smooth, sum_over, class_weights, ignore_background,
                       squared, reduction):
    return _dice_ce(input, target, smooth, sum_over, class_weights, ignore_background, squared,
                    reduction)


# DiceFocalLoss passes its weight to DiceLoss and to FocalLoss unchanged: the C - 1 weights left
# with include_background=False, as DiceLoss's; FocalLoss refuses per-class weights on one
# channel left (ValueError 'Per-class class_weight is not supported for single-channel outputs.')
def _one_weighted_channel(params, encoding, inputs):
    left = inputs["input"].shape[1] - (1 if params["ignore_background"] else 0)
    return params["class_weights"] is not None and left <= 1


DICE_FOCAL_CALL = ("monai.losses.DiceFocalLoss(smooth_nr={0}, smooth_dr={0}, batch=sum_over == "
                   "'batch_and_spatial', include_background=not ignore_background, weight="
                   "class_weights[1:] if ignore_background else class_weights, "
                   "squared_pred=squared, {1}reduction=reduction, lambda_focal=0.0)(input, "
                   "target)  [its Dice term]")
ONE_WEIGHTED = {"class_weights with one channel left (FocalLoss, DiceFocalLoss's other term, "
                "raises ValueError on per-class weights of one channel)": _one_weighted_channel}


def _dice_focal(input, target, smooth, sum_over, class_weights, ignore_background, squared,
                reduction, jaccard=False):
    return losses.DiceFocalLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                                include_background=not ignore_background,
                                weight=_monai_weights(class_weights, ignore_background),
                                squared_pred=squared, jaccard=jaccard, reduction=reduction,
                                lambda_focal=0.0)(input, target)


@path("soft_dice_loss", "monai.losses.DiceFocalLoss(lambda_focal=0)", kind="composed",
      params=["smooth", "sum_over", "class_weights", "ignore_background", "squared",
              "reduction"],
      ndims=SPATIAL, unsupported_when={**COMBINED, **ONE_WEIGHTED},
      conventions=["monai_dice_weight_ignored_for_one_class"],
      call=DICE_FOCAL_CALL.format("smooth", ""))
def dice_monai_dice_focal(input, target, *, smooth, sum_over, class_weights, ignore_background,
                          squared, reduction):
    return _dice_focal(input, target, smooth, sum_over, class_weights, ignore_background,
                       squared, reduction)


# ---------------------------------------------------------------- jaccard

@path("jaccard", "monai.losses.DiceLoss(jaccard=True)",
      params=["smooth", "sum_over", "squared", "reduction"],
      ndims=SPATIAL, unsupported_when=NO_ALL,
      conventions=["monai_jaccard_smooth_halved", NONE_SHAPE],
      call="monai.losses.DiceLoss(jaccard=True, smooth_nr=smooth, smooth_dr=smooth, "
           "batch=sum_over == 'batch_and_spatial', squared_pred=squared, reduction=reduction)("
           "input, target)")
def jaccard_monai(input, target, *, smooth, sum_over, squared, reduction):
    return losses.DiceLoss(jaccard=True, smooth_nr=smooth, smooth_dr=smooth,
                           batch=_batch(sum_over), squared_pred=squared,
                           reduction=reduction)(input, target)


# the call that agrees with the canonical smoothing: both smoothing terms doubled
@path("jaccard", "monai.losses.DiceLoss(jaccard=True, smooth_nr=2*smooth, smooth_dr=2*smooth)",
      params=["smooth", "sum_over", "squared", "reduction"], ndims=SPATIAL,
      unsupported_when=NO_ALL, conventions=[NONE_SHAPE],
      call="monai.losses.DiceLoss(jaccard=True, smooth_nr=2 * smooth, smooth_dr=2 * smooth, "
           "batch=sum_over == 'batch_and_spatial', squared_pred=squared, reduction=reduction)("
           "input, target)")
def jaccard_monai_doubled(input, target, *, smooth, sum_over, squared, reduction):
    return losses.DiceLoss(jaccard=True, smooth_nr=2 * smooth, smooth_dr=2 * smooth,
                           batch=_batch(sum_over), squared_pred=squared,
                           reduction=reduction)(input, target)


# the Jaccard term of the combined classes (jaccard=True), smoothing doubled as above; no class
# terms (the canonical jaccard has none), so the defaults include_background=True, weight=None
@path("jaccard", "monai.losses.DiceCELoss(jaccard=True, lambda_ce=0)", kind="composed",
      params=["smooth", "sum_over", "squared", "reduction"], ndims=SPATIAL,
      unsupported_when=COMBINED,
      call=DICE_CE_CALL.format("2 * smooth", "jaccard=True, ").replace(
          "include_background=not ignore_background, weight=class_weights, ", ""))
def jaccard_monai_dice_ce(input, target, *, smooth, sum_over, squared, reduction):
    return _dice_ce(input, target, 2 * smooth, sum_over, None, False, squared, reduction,
                    jaccard=True)


@path("jaccard", "monai.losses.DiceFocalLoss(jaccard=True, lambda_focal=0)", kind="composed",
      params=["smooth", "sum_over", "squared", "reduction"], ndims=SPATIAL,
      unsupported_when=COMBINED,
      call=DICE_FOCAL_CALL.format("2 * smooth", "jaccard=True, ").replace(
          "include_background=not ignore_background, weight=class_weights[1:] if "
          "ignore_background else class_weights, ", ""))
def jaccard_monai_dice_focal(input, target, *, smooth, sum_over, squared, reduction):
    return _dice_focal(input, target, 2 * smooth, sum_over, None, False, squared, reduction,
                       jaccard=True)


# ---------------------------------------------------------------- generalized_dice

# include_background=False slices class 0 off input and target before the weighted sums (with
# one channel MONAI keeps it, a warning): canonical ignore_background
@path("generalized_dice", "monai.losses.GeneralizedDiceLoss",
      params=["weight_type", "smooth", "sum_over", "ignore_background", "reduction"],
      ndims=SPATIAL, conventions=[NONE_SHAPE, "monai_gdl_weights_in_float32"],
      call="monai.losses.GeneralizedDiceLoss(w_type=weight_type, smooth_nr=smooth, "
           "smooth_dr=smooth, batch=sum_over == 'batch_and_spatial', include_background=not "
           "ignore_background, reduction=reduction)(input, target)")
def gdl_monai(input, target, *, weight_type, smooth, sum_over, ignore_background, reduction):
    return losses.GeneralizedDiceLoss(w_type=weight_type, smooth_nr=smooth, smooth_dr=smooth,
                                      batch=_batch(sum_over),
                                      include_background=not ignore_background,
                                      reduction=reduction)(input, target)


GDL_CALL = ("monai.losses.GeneralizedDiceLoss(w_type=weight_type, smooth_nr=smooth, "
            "smooth_dr=smooth, batch=sum_over == 'batch_and_spatial', {}, reduction=reduction)("
            "{}, target)")


@path("generalized_dice", "monai.losses.GeneralizedDiceLoss(sigmoid=True)(logit)",
      kind="composed", params=["weight_type", "smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when=SIGMOID_INPUT,
      conventions=[NONE_SHAPE, "monai_gdl_weights_in_float32"],
      call=GDL_CALL.format("sigmoid=True", "torch.logit(input)"))
def gdl_monai_sigmoid(input, target, *, weight_type, smooth, sum_over, reduction):
    return losses.GeneralizedDiceLoss(w_type=weight_type, smooth_nr=smooth, smooth_dr=smooth,
                                      batch=_batch(sum_over), sigmoid=True,
                                      reduction=reduction)(torch.logit(input), target)


@path("generalized_dice", "monai.losses.GeneralizedDiceLoss(softmax=True)(log)",
      kind="composed", params=["weight_type", "smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when=SOFTMAX_INPUT,
      conventions=[NONE_SHAPE, "monai_gdl_weights_in_float32", SOFTMAX_OF_LOG],
      call=GDL_CALL.format("softmax=True", "torch.log(input)"))
def gdl_monai_softmax(input, target, *, weight_type, smooth, sum_over, reduction):
    return losses.GeneralizedDiceLoss(w_type=weight_type, smooth_nr=smooth, smooth_dr=smooth,
                                      batch=_batch(sum_over), softmax=True,
                                      reduction=reduction)(torch.log(input), target)


# ---------------------------------------------------------------- tversky

TVERSKY_CALL = ("monai.losses.TverskyLoss(alpha=alpha, beta=beta, smooth_nr=smooth, "
                "smooth_dr=smooth, batch=sum_over == 'batch_and_spatial', {}"
                "reduction=reduction)({}, target)")


def _tversky(input, target, alpha, beta, smooth, sum_over, reduction, **kw):
    return losses.TverskyLoss(alpha=alpha, beta=beta, smooth_nr=smooth, smooth_dr=smooth,
                              batch=_batch(sum_over), reduction=reduction, **kw)(input, target)


# include_background=False drops class 0 from input and target (with one channel MONAI keeps
# it, a warning): canonical ignore_background
@path("tversky", "monai.losses.TverskyLoss",
      params=["alpha", "beta", "smooth", "sum_over", "ignore_background", "reduction"],
      ndims=SPATIAL, unsupported_when=NO_ALL,
      call=TVERSKY_CALL.format("include_background=not ignore_background, ", "input"))
def tversky_monai(input, target, *, alpha, beta, smooth, sum_over, ignore_background,
                  reduction):
    return _tversky(input, target, alpha, beta, smooth, sum_over, reduction,
                    include_background=not ignore_background)


@path("tversky", "monai.losses.TverskyLoss(sigmoid=True)(logit)", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when={**NO_ALL, **SIGMOID_INPUT},
      call=TVERSKY_CALL.format("sigmoid=True, ", "torch.logit(input)"))
def tversky_monai_sigmoid(input, target, *, alpha, beta, smooth, sum_over, reduction):
    return _tversky(torch.logit(input), target, alpha, beta, smooth, sum_over, reduction,
                    sigmoid=True)


@path("tversky", "monai.losses.TverskyLoss(softmax=True)(log)", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when={**NO_ALL, **SOFTMAX_INPUT},
      conventions=[SOFTMAX_OF_LOG],
      call=TVERSKY_CALL.format("softmax=True, ", "torch.log(input)"))
def tversky_monai_softmax(input, target, *, alpha, beta, smooth, sum_over, reduction):
    return _tversky(torch.log(input), target, alpha, beta, smooth, sum_over, reduction,
                    softmax=True)


# ---------------------------------------------------------------- sigmoid_focal_loss
# FocalLoss(use_softmax=False) is the sigmoid focal loss on logits (N, C, d1..dk); alpha=None
# turns the weighting off, as canonical alpha < 0. It casts input and target with .float(), so
# it computes and returns float32 whatever the inputs' dtype: float32 checks only.

FOCAL_CONVENTIONS = ["monai_focal_sum_averages_spatial_axes", "monai_focal_factor_of_hard_target"]
FOCAL_NOTES = ("FocalLoss casts input and target to float32 (input.float()) and returns float32 "
               "whatever the inputs' dtype; float16/bfloat16 inputs are computed in float32 too")


@path("sigmoid_focal_loss", "monai.losses.FocalLoss", params=["alpha", "gamma", "reduction"],
      ndims=[2, 3, 4, 5], conventions=FOCAL_CONVENTIONS, dtypes=["float32"], notes=FOCAL_NOTES,
      call="monai.losses.FocalLoss(gamma=gamma, alpha=None if alpha < 0 else alpha, "
           "reduction=reduction)(input, target)")
def focal_monai(input, target, *, alpha, gamma, reduction):
    return losses.FocalLoss(gamma=gamma, alpha=None if alpha < 0 else alpha,
                            reduction=reduction)(input, target)


@path("sigmoid_focal_loss", "monai.losses.DiceFocalLoss(lambda_dice=0)", kind="composed",
      params=["alpha", "gamma", "reduction"], ndims=[3, 4, 5], conventions=FOCAL_CONVENTIONS,
      dtypes=["float32"], notes=FOCAL_NOTES, unsupported_when=NO_NONE,
      call="monai.losses.DiceFocalLoss(gamma=gamma, alpha=None if alpha < 0 else alpha, "
           "reduction=reduction, lambda_dice=0.0)(input, target)  [its focal term]")
def focal_monai_dice_focal(input, target, *, alpha, gamma, reduction):
    return losses.DiceFocalLoss(gamma=gamma, alpha=None if alpha < 0 else alpha,
                                reduction=reduction, lambda_dice=0.0)(input, target)


# ignore_index on the sigmoid form, its mask as canonical sample weights: a 0/1 mask of the pixels
# (alike in every channel) whose 0s the path marks for create_ignore_mask, the label -1 on one
# channel (label-encoded) and an all-zero target on C > 1 (the sentinel: ignore_index outside
# 0..C-1 drops the pixels whose channels sum to 0, so a kept all-zero pixel is refused). MONAI's
# 'mean' divides by the kept pixels, canonical 'weighted_mean' under
# monai_focal_ignore_divides_by_kept_pixels; canonical 'mean' (divided by every element) has no
# MONAI call.
KEPT_PIXELS = "monai_focal_ignore_divides_by_kept_pixels"


def _not_pixel_mask(params, encoding, inputs) -> bool:
    """Whether the sample weights are not a 0/1 mask alike along axis 1."""
    full = weights_over(params["sample_weight"], np.shape(inputs["input"]))
    return full is None or not (np.all((full == 0) | (full == 1))
                                and np.all(full == full[:, :1]))


def _kept_blank_pixel(params, encoding, inputs) -> bool:
    """Whether a kept pixel of C > 1 channels has a target of 0 in all of them."""
    t = np.asarray(inputs["target"])
    full = weights_over(params["sample_weight"], t.shape)
    return t.shape[1] > 1 and bool(np.any((full[:, 0] != 0) & np.all(t == 0, axis=1)))


PIXEL_MASK = {
    "cases without sample weights (the path is monai.losses.FocalLoss then)":
        lambda p, e, i: p["sample_weight"] is None,
    "reduction='mean' (MONAI's 'mean' divides by the kept pixels: canonical 'weighted_mean')":
        lambda p, e, i: p["reduction"] == "mean",
    "sample weights other than a 0/1 mask of the pixels, alike along axis 1": _not_pixel_mask,
    "a kept pixel whose target is 0 in all C > 1 channels (MONAI's ignore_index=-1 drops it "
    "too)": _kept_blank_pixel}


@path("sigmoid_focal_loss", "monai.losses.FocalLoss(ignore_index=)", kind="composed",
      params=["alpha", "gamma", "sample_weight", "reduction"], ndims=[2, 3, 4, 5],
      conventions=["monai_focal_factor_of_hard_target", KEPT_PIXELS], dtypes=["float32"],
      notes=FOCAL_NOTES, unsupported_when=PIXEL_MASK,
      call="monai.losses.FocalLoss(gamma=gamma, alpha=None if alpha < 0 else alpha, "
           "reduction={'weighted_mean': 'mean'}.get(reduction, reduction), ignore_index=-1)("
           "input, torch.where(sample_weight[:, :1] == 0, -1.0 if C == 1 else 0.0, target))  "
           "[sample_weight broadcast to the input]")
def focal_monai_ignore(input, target, *, alpha, gamma, sample_weight, reduction):
    masked = weights_like(sample_weight, input)[:, :1] == 0
    marked = torch.where(masked, -1.0 if input.shape[1] == 1 else 0.0, target)
    return losses.FocalLoss(gamma=gamma, alpha=None if alpha < 0 else alpha,
                            reduction={"weighted_mean": "mean"}.get(reduction, reduction),
                            ignore_index=-1)(input, marked)


# ---------------------------------------------------------------- categorical_focal_crossentropy
# FocalLoss(use_softmax=True) computes -alpha_c (1 - p_c)^gamma log p_c t_c per class, p =
# softmax over axis 1, and keeps the (N, C, d1..dk) map (monai_softmax_focal_map_per_class); its
# 'sum' averages the spatial axes as the sigmoid form's does. A scalar alpha weighs class 0 by
# 1 - alpha (monai_softmax_focal_scalar_alpha_weighs_background); the list [alpha] * C is the
# canonical alpha. No label smoothing and the class axis 1 only: those cases are unsupported (the
# params are not declared). float32 only, as the sigmoid form (input.float()).

SOFTMAX_FOCAL = ["monai_softmax_focal_map_per_class", "monai_focal_sum_averages_spatial_axes",
                 "monai_softmax_focal_nan_where_a_logit_is_neg_inf",
                 "focal_pow_grad_nan_where_p_t_is_1"]
SOFTMAX_CALL = ("monai.losses.FocalLoss(use_softmax=True, gamma=gamma, alpha={}, "
                "reduction=reduction{})({})")
IGNORED = {"ignored targets (the path passes no ignore_index; MONAI's one_hot of -100 fails)":
           lambda p, e, i: bool((i["target"] == p["ignore_index"]).any())}
# found by fuzzing: alpha = 7.6e-92 is 0 in MONAI's float32 alpha tensor, and 0 * inf = nan at a
# class of probability 0, where canonical alpha * inf = inf (finite logits: 0 and a tiny number
# agree within every tolerance)
ALPHA_UNDERFLOWS = {
    "an alpha that rounds to 0 in float32 with an infinite logit (MONAI's float32 alpha tensor "
    "gives 0 * inf = nan)": lambda p, e, i: p["alpha"] != 0 and np.float32(p["alpha"]) == 0
    and not np.all(np.isfinite(i["input"]))}


def _softmax_focal(input, target, alpha, gamma, reduction, **kw):
    return losses.FocalLoss(use_softmax=True, gamma=gamma, alpha=alpha, reduction=reduction,
                            **kw)(input, target)


# the call that agrees with the canonical alpha: one factor per class, all alike
@path("categorical_focal_crossentropy",
      "monai.losses.FocalLoss(use_softmax=True, alpha=[alpha] * C)",
      params=["alpha", "gamma", "reduction"], encodings=["one_hot", "probs"], ndims=[2, 3, 4, 5],
      conventions=SOFTMAX_FOCAL, dtypes=["float32"], notes=FOCAL_NOTES,
      unsupported_when=ALPHA_UNDERFLOWS,
      call=SOFTMAX_CALL.format("[alpha] * C", "", "input, target"))
def softmax_focal_monai(input, target, *, alpha, gamma, reduction):
    return _softmax_focal(input, target, [alpha] * input.shape[1], gamma, reduction)


@path("categorical_focal_crossentropy", "monai.losses.FocalLoss(use_softmax=True)",
      params=["alpha", "gamma", "reduction"], encodings=["one_hot", "probs"], ndims=[2, 3, 4, 5],
      conventions=[*SOFTMAX_FOCAL, "monai_softmax_focal_scalar_alpha_weighs_background"],
      dtypes=["float32"], notes=FOCAL_NOTES, unsupported_when=ALPHA_UNDERFLOWS,
      call=SOFTMAX_CALL.format("alpha", "", "input, target"))
def softmax_focal_monai_scalar(input, target, *, alpha, gamma, reduction):
    return _softmax_focal(input, target, alpha, gamma, reduction)


# to_onehot_y: the index target (N, d1..dk) given as (N, 1, d1..dk), one-hot encoded by MONAI
@path("categorical_focal_crossentropy",
      "monai.losses.FocalLoss(use_softmax=True, to_onehot_y=True, alpha=[alpha] * C)",
      params=["alpha", "gamma", "reduction"], encodings=["index"], ndims=[2, 3, 4, 5],
      conventions=SOFTMAX_FOCAL, dtypes=["float32"], notes=FOCAL_NOTES,
      unsupported_when={**IGNORED, **ALPHA_UNDERFLOWS},
      call=SOFTMAX_CALL.format("[alpha] * C", ", to_onehot_y=True", "input, target[:, None]"))
def softmax_focal_monai_onehot_y(input, target, *, alpha, gamma, reduction):
    return _softmax_focal(input, target[:, None], [alpha] * input.shape[1], gamma, reduction,
                          to_onehot_y=True)


# ignore_index=k on the index target: the pixels labelled k masked (create_ignore_mask's
# label-encoded case; a k outside 0..C-1 first set to class 0 so that one_hot takes it), the map
# kept per class, and 'mean' and 'sum' over the kept pixels
# (monai_focal_ignore_divides_by_kept_pixels): 'mean' is then the canonical mean over the kept
# targets
@path("categorical_focal_crossentropy",
      "monai.losses.FocalLoss(use_softmax=True, to_onehot_y=True, ignore_index=, "
      "alpha=[alpha] * C)",
      params=["alpha", "gamma", "ignore_index", "reduction"], encodings=["index"],
      ndims=[2, 3, 4, 5], conventions=[*SOFTMAX_FOCAL, KEPT_PIXELS], dtypes=["float32"],
      notes=FOCAL_NOTES, unsupported_when=ALPHA_UNDERFLOWS,
      call=SOFTMAX_CALL.format("[alpha] * C", ", to_onehot_y=True, ignore_index=ignore_index",
                               "input, target[:, None]"))
def softmax_focal_monai_ignore(input, target, *, alpha, gamma, ignore_index, reduction):
    return _softmax_focal(input, target[:, None], [alpha] * input.shape[1], gamma, reduction,
                          to_onehot_y=True, ignore_index=ignore_index)


# ---------------------------------------------------------------- MONAI's remaining options
# to_onehot_y on the classes that still ran one-hot targets only, and FocalLoss's (and
# DiceFocalLoss's focal term's) include_background and weight.

ONE_HOT_ONLY = {"a target that is not a hard one-hot map of 2 classes or more (to_onehot_y "
                "takes class indices)": _not_one_hot}
ONEHOT_TARGET = "target.argmax(1, keepdim=True)"


def _indices(target):
    """The class indices (N, 1, d1..dk) of a hard one-hot target, which to_onehot_y one-hot
    encodes again."""
    return target.argmax(1, keepdim=True)


@path("tversky", "monai.losses.TverskyLoss(to_onehot_y=True)", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "ignore_background", "reduction"],
      ndims=SPATIAL, unsupported_when={**NO_ALL, **ONE_HOT_ONLY},
      call=TVERSKY_CALL.format("include_background=not ignore_background, to_onehot_y=True, ",
                               "input").replace(", target)", ", " + ONEHOT_TARGET + ")"))
def tversky_monai_onehot_y(input, target, *, alpha, beta, smooth, sum_over, ignore_background,
                           reduction):
    return _tversky(input, _indices(target), alpha, beta, smooth, sum_over, reduction,
                    include_background=not ignore_background, to_onehot_y=True)


@path("generalized_dice", "monai.losses.GeneralizedDiceLoss(to_onehot_y=True)", kind="composed",
      params=["weight_type", "smooth", "sum_over", "ignore_background", "reduction"],
      ndims=SPATIAL, unsupported_when=ONE_HOT_ONLY,
      conventions=[NONE_SHAPE, "monai_gdl_weights_in_float32"],
      call=GDL_CALL.format("include_background=not ignore_background, to_onehot_y=True",
                           "input").replace(", target)", ", " + ONEHOT_TARGET + ")"))
def gdl_monai_onehot_y(input, target, *, weight_type, smooth, sum_over, ignore_background,
                       reduction):
    return losses.GeneralizedDiceLoss(w_type=weight_type, smooth_nr=smooth, smooth_dr=smooth,
                                      batch=_batch(sum_over),
                                      include_background=not ignore_background,
                                      to_onehot_y=True, reduction=reduction)(
        input, _indices(target))


# DiceFocalLoss(to_onehot_y=True) one-hot encodes the index target once, for both terms
@path("soft_dice_loss", "monai.losses.DiceFocalLoss(to_onehot_y=True, lambda_focal=0)",
      kind="composed",
      params=["smooth", "sum_over", "class_weights", "ignore_background", "squared",
              "reduction"],
      ndims=SPATIAL, unsupported_when={**COMBINED, **ONE_WEIGHTED, **ONE_HOT_ONLY},
      conventions=["monai_dice_weight_ignored_for_one_class", ONEHOT_NORM],
      call=DICE_FOCAL_CALL.format("smooth", "to_onehot_y=True, ").replace(
          "(input, target)", "(input, " + ONEHOT_TARGET + ")"))
def dice_monai_dice_focal_onehot_y(input, target, *, smooth, sum_over, class_weights,
                                   ignore_background, squared, reduction):
    return losses.DiceFocalLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                                include_background=not ignore_background,
                                weight=_monai_weights(class_weights, ignore_background),
                                squared_pred=squared, reduction=reduction, lambda_focal=0.0,
                                to_onehot_y=True)(input, _indices(target))


# sigmoid= and softmax= of the combined classes reach their DiceLoss term only: the Dice term
# given the activation's inverse of the probabilities, as DiceLoss's own (logit) and (log) paths
COMBINED_ACTIVATION_CALL = ("monai.losses.{0}(smooth_nr=smooth, smooth_dr=smooth, batch=sum_over "
                            "== 'batch_and_spatial', {1}=True, reduction=reduction, {2}=0.0)("
                            "{3}(input), target)  [its Dice term]")


def _combined_activation(make, inverse, input, target, smooth, sum_over, reduction, **kw):
    return make(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over), reduction=reduction,
                **kw)(inverse(input), target)


@path("soft_dice_loss", "monai.losses.DiceCELoss(sigmoid=True, lambda_ce=0)(logit)",
      kind="composed", params=["smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when={**COMBINED, **SIGMOID_INPUT},
      call=COMBINED_ACTIVATION_CALL.format("DiceCELoss", "sigmoid", "lambda_ce", "torch.logit"))
def dice_monai_dice_ce_sigmoid(input, target, *, smooth, sum_over, reduction):
    return _combined_activation(losses.DiceCELoss, torch.logit, input, target, smooth, sum_over,
                                reduction, sigmoid=True, lambda_ce=0.0)


@path("soft_dice_loss", "monai.losses.DiceCELoss(softmax=True, lambda_ce=0)(log)",
      kind="composed", params=["smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when={**COMBINED, **SOFTMAX_INPUT},
      conventions=[SOFTMAX_OF_LOG],
      call=COMBINED_ACTIVATION_CALL.format("DiceCELoss", "softmax", "lambda_ce", "torch.log"))
def dice_monai_dice_ce_softmax(input, target, *, smooth, sum_over, reduction):
    return _combined_activation(losses.DiceCELoss, torch.log, input, target, smooth, sum_over,
                                reduction, softmax=True, lambda_ce=0.0)


@path("soft_dice_loss", "monai.losses.DiceFocalLoss(sigmoid=True, lambda_focal=0)(logit)",
      kind="composed", params=["smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when={**COMBINED, **SIGMOID_INPUT},
      call=COMBINED_ACTIVATION_CALL.format("DiceFocalLoss", "sigmoid", "lambda_focal",
                                           "torch.logit"))
def dice_monai_dice_focal_sigmoid(input, target, *, smooth, sum_over, reduction):
    return _combined_activation(losses.DiceFocalLoss, torch.logit, input, target, smooth,
                                sum_over, reduction, sigmoid=True, lambda_focal=0.0)


@path("soft_dice_loss", "monai.losses.DiceFocalLoss(softmax=True, lambda_focal=0)(log)",
      kind="composed", params=["smooth", "sum_over", "reduction"], ndims=SPATIAL,
      dtypes=ACTIVATION_DTYPES, unsupported_when={**COMBINED, **SOFTMAX_INPUT},
      conventions=[SOFTMAX_OF_LOG],
      call=COMBINED_ACTIVATION_CALL.format("DiceFocalLoss", "softmax", "lambda_focal",
                                           "torch.log"))
def dice_monai_dice_focal_softmax(input, target, *, smooth, sum_over, reduction):
    return _combined_activation(losses.DiceFocalLoss, torch.log, input, target, smooth,
                                sum_over, reduction, softmax=True, lambda_focal=0.0)


# FocalLoss(to_onehot_y=True) is checked on the softmax form (the same one-hot step); the
# sigmoid form's paths would need one-hot targets, which sigmoid_focal_loss's fuzzed targets
# (any shape, no class axis) never are.


# weight= multiplies the sigmoid focal map (N, C, d1..dk) by one factor per class (or one for
# all): canonical sample weights, one per class, and MONAI's 'mean' divides by every element as
# the canonical 'mean' does (not by the weights' sum). It refuses 'sum': MONAI's averages the
# spatial axes (monai_focal_sum_averages_spatial_axes), which the reference applies to
# unweighted sums only. include_background=False drops channel 0 before the elementwise loss:
# the path puts a channel of logit 0 and target 0 (loss log 2 times the factors) in front of the
# input, which MONAI must drop, leaving the canonical loss of the input (its 'mean' divides by
# the kept elements, 'none' returns the kept channels).
# On the softmax form weight= multiplies class c's term by w_c, as a list alpha does: no path
# there (the canonical categorical alpha is one scalar, checked as alpha=[alpha] * C).

def _full_weights(params, inputs):
    """The sample weights broadcast over the input (at least (N, C)), or None."""
    shape = inputs["input"].shape
    return weights_over(params["sample_weight"], shape) if len(shape) >= 2 else None


def _per_class_weights(params, inputs):
    """The C class weights the sample weights amount to (the same for every sample and
    element), or None."""
    full = _full_weights(params, inputs)
    if full is None:
        return None
    weights = full[(0, slice(None)) + (0,) * (full.ndim - 2)]
    return weights if np.array_equal(full, np.broadcast_to(
        weights.reshape((1, -1) + (1,) * (full.ndim - 2)), full.shape)) else None


def _not_class_weights(params, encoding, inputs):
    return params["sample_weight"] is None or (
        np.ndim(params["sample_weight"]) > 0 and (
            _per_class_weights(params, inputs) is None or inputs["input"].shape[1] < 2))


NO_WEIGHTED_SUM = {"reduction='sum' (MONAI's averages the spatial axes, "
                   "monai_focal_sum_averages_spatial_axes, which the reference applies to "
                   "unweighted sums only: checked on the unweighted paths)":
                   lambda p, e, i: p["reduction"] == "sum"}
CLASS_WEIGHTS = {"sample weights other than one weight per class (weight=) or one for all; "
                 "per-class weights on one channel (MONAI raises ValueError 'Per-class "
                 "class_weight is not supported for single-channel outputs.')":
                 _not_class_weights,
                 "reduction='weighted_mean' (MONAI's 'mean' divides by every element, the "
                 "canonical 'mean')": lambda p, e, i: p["reduction"] == "weighted_mean",
                 **NO_WEIGHTED_SUM}


def _torch_class_weights(sample_weight, input):
    """weight=: the C class weights of per-class sample weights, or the 0-d weight."""
    if sample_weight.ndim == 0:
        return float(sample_weight)
    w = sample_weight.reshape(sample_weight.shape + (1,) * (input.ndim - sample_weight.ndim))
    return w.expand(input.shape)[(0, slice(None)) + (0,) * (input.ndim - 2)].detach()


def _focal_class_weights(make, input, target, alpha, gamma, sample_weight, reduction, **kw):
    return make(gamma=gamma, alpha=None if alpha < 0 else alpha, reduction=reduction,
                weight=_torch_class_weights(sample_weight, input), **kw)(input, target)


def _focal_without_background(make, input, target, alpha, gamma, reduction, **kw):
    """MONAI's loss of the input behind a channel 0 of zeros, which include_background=False
    drops."""
    def behind_zeros(a):
        return torch.cat([torch.zeros_like(a[:, :1]), a], dim=1)
    return make(gamma=gamma, alpha=None if alpha < 0 else alpha, include_background=False,
                reduction=reduction, **kw)(behind_zeros(input), behind_zeros(target))


WEIGHT_CALL = ("monai.losses.{}(gamma=gamma, alpha=None if alpha < 0 else alpha, weight=[the "
               "per-class sample_weight, w[0, c, 0..0]] or the 0-d one, reduction=reduction{})("
               "input, target)")
BACKGROUND_CALL = ("monai.losses.{}(gamma=gamma, alpha=None if alpha < 0 else alpha, "
                   "include_background=False, reduction=reduction{})(torch.cat([zeros (N, 1, "
                   "d..), input], 1), torch.cat([zeros (N, 1, d..), target], 1))")


@path("sigmoid_focal_loss", "monai.losses.FocalLoss(weight=)", kind="composed",
      params=["alpha", "gamma", "sample_weight", "reduction"], ndims=[2, 3, 4, 5],
      conventions=FOCAL_CONVENTIONS, dtypes=["float32"], notes=FOCAL_NOTES,
      unsupported_when=CLASS_WEIGHTS, call=WEIGHT_CALL.format("FocalLoss", ""))
def focal_monai_weight(input, target, *, alpha, gamma, sample_weight, reduction):
    return _focal_class_weights(losses.FocalLoss, input, target, alpha, gamma, sample_weight,
                                reduction)


@path("sigmoid_focal_loss", "monai.losses.FocalLoss(include_background=False)",
      kind="composed", params=["alpha", "gamma", "reduction"], ndims=[2, 3, 4, 5],
      conventions=FOCAL_CONVENTIONS, dtypes=["float32"], notes=FOCAL_NOTES,
      call=BACKGROUND_CALL.format("FocalLoss", ""))
def focal_monai_no_background(input, target, *, alpha, gamma, reduction):
    return _focal_without_background(losses.FocalLoss, input, target, alpha, gamma, reduction)


# DiceFocalLoss passes weight and include_background to its FocalLoss unchanged
@path("sigmoid_focal_loss", "monai.losses.DiceFocalLoss(weight=, lambda_dice=0)",
      kind="composed", params=["alpha", "gamma", "sample_weight", "reduction"], ndims=[3, 4, 5],
      conventions=FOCAL_CONVENTIONS, dtypes=["float32"], notes=FOCAL_NOTES,
      unsupported_when={**CLASS_WEIGHTS, **NO_NONE},
      call=WEIGHT_CALL.format("DiceFocalLoss", ", lambda_dice=0.0") + "  [its focal term]")
def focal_monai_dice_focal_weight(input, target, *, alpha, gamma, sample_weight, reduction):
    return _focal_class_weights(losses.DiceFocalLoss, input, target, alpha, gamma,
                                sample_weight, reduction, lambda_dice=0.0)


@path("sigmoid_focal_loss", "monai.losses.DiceFocalLoss(include_background=False, "
                            "lambda_dice=0)",
      kind="composed", params=["alpha", "gamma", "reduction"], ndims=[3, 4, 5],
      conventions=FOCAL_CONVENTIONS, dtypes=["float32"], notes=FOCAL_NOTES,
      unsupported_when=NO_NONE,
      call=BACKGROUND_CALL.format("DiceFocalLoss", ", lambda_dice=0.0") + "  [its focal term]")
def focal_monai_dice_focal_no_background(input, target, *, alpha, gamma, reduction):
    return _focal_without_background(losses.DiceFocalLoss, input, target, alpha, gamma,
                                     reduction, lambda_dice=0.0)


# use_softmax=True with include_background=False slices channel 0 off the logits before the
# softmax (monai_softmax_focal_background_dropped_before_softmax): the categorical focal loss of
# the C - 1 other classes, a position of class 0 contributing nothing. alpha as C - 1 factors
# (a scalar alpha is dropped there, with a warning)
@path("categorical_focal_crossentropy",
      "monai.losses.FocalLoss(use_softmax=True, include_background=False, alpha=[alpha] * "
      "(C - 1))",
      params=["alpha", "gamma", "reduction"], encodings=["one_hot", "probs"], ndims=[2, 3, 4, 5],
      conventions=[*SOFTMAX_FOCAL, "monai_softmax_focal_background_dropped_before_softmax"],
      dtypes=["float32"], notes=FOCAL_NOTES,
      unsupported_when={"one class (MONAI keeps channel 0 then, with a warning)":
                        lambda p, e, i: i["input"].shape[1] < 2, **ALPHA_UNDERFLOWS},
      call=SOFTMAX_CALL.format("[alpha] * (C - 1)", ", include_background=False",
                               "input, target"))
def softmax_focal_monai_no_background(input, target, *, alpha, gamma, reduction):
    return _softmax_focal(input, target, [alpha] * (input.shape[1] - 1), gamma, reduction,
                          include_background=False)


# ---------------------------------------------------------------- evidence

saw = adapter.saw

saw(NONE_SHAPE, path="soft_dice_loss/monai.losses.DiceLoss",
            case="soft_dice_loss/smooth-1-none/none",
            call="monai.losses.DiceLoss(smooth_nr=1.0, smooth_dr=1.0, reduction='none')(p, t) on "
                 "the case's (2, 3, 4, 4) float64 arrays",
            seen="shape (2, 3, 1, 1): [[[[0.7952219144]], [[0.8687476444]], [[0.8360242232]]], "
                 "[[[0.8633843112]], [[0.4713308615]], [[0.638332307]]]]; canonical the same "
                 "values in shape (2, 3)",
            versions=SEEN_ON,
            link=MONAI_DOCS + " (DiceLoss.forward: 'make sure a none reduction maintains a "
                 "broadcastable shape', in its source)")
saw(NONE_SHAPE, path="generalized_dice/monai.losses.GeneralizedDiceLoss",
            case="generalized_dice/square-none/none",
            call="monai.losses.GeneralizedDiceLoss(smooth_nr=1e-6, smooth_dr=1e-6, "
                 "reduction='none')(p, t) on the case's (2, 3, 4, 4) float64 arrays",
            seen="shape (2, 1, 1, 1): [[[[0.6646783922]]], [[[0.6831826755]]]]; canonical "
                 "shape (2,) [0.6646783915, 0.6831826743]", versions=SEEN_ON, link=MONAI_DOCS)
saw("monai_gdl_weights_in_float32", path="generalized_dice/monai.losses.GeneralizedDiceLoss",
            case="generalized_dice/square-none/none",
            call="monai.losses.GeneralizedDiceLoss(smooth_nr=1e-6, smooth_dr=1e-6, "
                 "reduction='none')(p, t) on the case's (2, 3, 4, 4) float64 arrays",
            seen="[0.6646783922, 0.6831826755] (float64 result); canonical [0.6646783915, "
                 "0.6831826743]: 1.2e-9 apart, the weights' float32 rounding (w_func(ground_o."
                 "float()))", versions=SEEN_ON,
            link=MONAI_DOCS + " (no public documentation of the cast found; in the source)")
saw("monai_jaccard_smooth_halved", path="jaccard/monai.losses.DiceLoss(jaccard=True)",
            case="jaccard/smooth-1-none/none",
            call="monai.losses.DiceLoss(jaccard=True, smooth_nr=1.0, smooth_dr=1.0, "
                 "reduction='none')(p, t) on the case's (2, 3, 4, 4) float64 arrays",
            seen="[[0.8193392498, 0.5466907219, 0.9186878438], [0.7767139151, 0.7988971946, "
                 "0.9173700942]] (shape (2, 3, 1, 1)) = canonical with smooth 0.5; canonical "
                 "(smooth 1) [[0.7740856993, 0.5160105604, 0.8499043018], [0.7313415375, "
                 "0.7485101347, 0.8606895502]]", versions=SEEN_ON,
            link=MONAI_DOCS + " (DiceLoss: numerator 2 tp + smooth_nr, denominator 2 (tp + fp + "
                 "fn) + smooth_dr with jaccard=True, in its source)")
saw("monai_focal_sum_averages_spatial_axes", path="sigmoid_focal_loss/monai.losses.FocalLoss",
            case="sigmoid_focal_loss/spatial-sum/none",
            call="monai.losses.FocalLoss(gamma=2.0, alpha=0.25, reduction='sum')(x, y) on the "
                 "case's (2, 3, 4, 5) float32 arrays",
            seen="1.9835377 = canonical sum 39.6707522946 / 20 (the 4 x 5 spatial elements)",
            versions=SEEN_ON,
            link=MONAI_DOCS + " (FocalLoss: reduction 'sum' documented as 'the output will be "
                 "summed'; the spatial mean is in its source: average_spatial_dims = True)")
saw("monai_focal_factor_of_hard_target", path="sigmoid_focal_loss/monai.losses.FocalLoss",
            case="sigmoid_focal_loss/soft-targets-none/none",
            call="monai.losses.FocalLoss(gamma=2.0, alpha=0.25, reduction='none')(x, y) on the "
                 "case's (3, 5) float32 arrays, targets uniform in (0, 1)",
            seen="row 0 [0.16023713, 0.08962113, 0.90245956, 0.010840185, 0.36285064]; canonical "
                 "[0.1587042089, 0.0896263862, 0.8942169221, 0.0116651083, 0.3549507161]",
            versions=SEEN_ON,
            link=MONAI_DOCS + " (FocalLoss source: invprobs = F.logsigmoid(-input * (target * 2 - "
                 "1)), 'pfac, that is, the term (1 - pt)')")

saw("monai_dice_weight_ignored_for_one_class",
            path="soft_dice_loss/monai.losses.DiceLoss(include_background, weight)",
            case="soft_dice_loss/hand-ignore-background-weights-1-3-none/none",
            call="monai.losses.DiceLoss(smooth_nr=2.0, smooth_dr=2.0, include_background=False, "
                 "weight=[3.0], reduction='none')(p, t) on the case's (1, 2, 2) float64 arrays "
                 "(two classes, class 0 dropped)",
            seen="[[[0.25]]]: class 1's unweighted loss; canonical (class_weights [1, 3], "
                 "ignore_background) [[0.75]]", versions=SEEN_ON,
            link=MONAI_DOCS + " (DiceLoss.forward: 'if self.class_weight is not None and "
                 "num_of_classes != 1', in its source)")

# FocalLoss(use_softmax=True): categorical_focal_crossentropy
SOFTMAX_PATH = ("categorical_focal_crossentropy/"
                "monai.losses.FocalLoss(use_softmax=True, alpha=[alpha] * C)")
SPATIAL_CASE = ("on the case's (2, 3, 4) float32 logits and the one-hot twin of its index targets "
                "(torch.autograd.grad of the output's sum)")
FOCAL_SOURCE = MONAI_DOCS + " (FocalLoss; softmax_focal_loss in monai/losses/focal_loss.py)"
saw("monai_softmax_focal_map_per_class", path=SOFTMAX_PATH,
    case="categorical_focal_crossentropy/spatial-mean/one_hot",
    call="monai.losses.FocalLoss(use_softmax=True, gamma=2.0, alpha=[0.25] * 3, "
         "reduction='mean')(x, t) " + SPATIAL_CASE,
    seen="0.0679005161 = canonical 0.2037015753 / 3; gradient [0, 0, 0] 7.9005519e-03 (canonical "
         "2.3701654e-02); reduction='none' gives shape (2, 3, 4), each position's term in its "
         "target class's slice ([0, 2, 0] 0.2382931262, canonical [0, 0] 0.2382931204)",
    versions=SEEN_ON, link=FOCAL_SOURCE + ": 'mean': 'the sum of the output will be divided by "
                                          "the number of elements in the output'")
saw("monai_focal_sum_averages_spatial_axes", path=SOFTMAX_PATH,
    case="categorical_focal_crossentropy/spatial-2d-sum/one_hot",
    call="monai.losses.FocalLoss(use_softmax=True, gamma=1.0, alpha=[0.25] * 4, "
         "reduction='sum')(x, t) on the case's (2, 4, 3, 2) float32 logits and the one-hot "
         "twin of its index targets",
    seen="0.3904681504 = canonical sum 2.3428088670 / 6 (the 3 x 2 spatial size); gradient "
         "[0, 0, 0, 0] -0.0146363800 (canonical -0.0878182600)",
    versions=SEEN_ON, link=FOCAL_SOURCE + ": average_spatial_dims = True under 'sum'")
saw("monai_softmax_focal_nan_where_a_logit_is_neg_inf", path=SOFTMAX_PATH,
    case="categorical_focal_crossentropy/neg-inf-logit-none/one_hot",
    call="monai.losses.FocalLoss(use_softmax=True, gamma=2.0, alpha=[0.25] * 3, "
         "reduction='none')(x, t) on x [[1, -inf, 0.5], [0.25, 2, -inf]], t one-hot of [0, 1]",
    seen="[[0.0168933701, nan, 0], [0, 0.0008779482, nan]] (canonical rows [0.0168933726, "
         "0.0008779471]); gradient nan in both rows (canonical row 0 [-0.0344842493, 0, "
         "0.0344842493])",
    versions=SEEN_ON, link=FOCAL_SOURCE + ": loss = -(1 - input_ls.exp()).pow(gamma) * "
                                          "input_ls * target")
saw("focal_pow_grad_nan_where_p_t_is_1", path=SOFTMAX_PATH,
    case="categorical_focal_crossentropy/saturated-gamma-0.5-none/one_hot",
    call="torch.autograd.grad of monai.losses.FocalLoss(use_softmax=True, gamma=0.5, alpha="
         "[0.25] * 3, reduction='none')(x, t).sum() on x [[40, 0, 0], [-3, 50, 1], [0.5, -0.5, "
         "0.25]], t one-hot of [0, 1, 2]",
    seen="values [[-0, 0, 0], [0, -0, 0], [0, 0, 0.2023415118]] (canonical [0, 0, "
         "0.2023415309]); gradient rows 0 and 1 nan (canonical 0: the probability of the target "
         "class rounds to 1)",
    versions=SEEN_ON, link=FOCAL_SOURCE + ": (1 - input_ls.exp()).pow(gamma)")
saw("monai_softmax_focal_scalar_alpha_weighs_background",
    path="categorical_focal_crossentropy/monai.losses.FocalLoss(use_softmax=True)",
    case="categorical_focal_crossentropy/spatial-mean/one_hot",
    call="monai.losses.FocalLoss(use_softmax=True, gamma=2.0, alpha=0.25, reduction='mean')(x, "
         "t) " + SPATIAL_CASE,
    seen="0.0925831571 where alpha=[0.25] * 3 gives 0.0679005161 (canonical mean 0.2037015753, "
         "/ 3 under monai_softmax_focal_map_per_class): the 3 positions of class 0 weighed by "
         "0.75",
    versions=SEEN_ON, link=FOCAL_SOURCE + ": '(1-alpha) for the background class and alpha for "
                                          "the other classes'")

# softmax=True given log p: the softmax of the log, p / sum_c p
UNNORMALISED = ("on the case's (2, 3, 3, 3) float64 uniform probabilities in [0.05, 1) (not "
                "summing to 1 over the classes) and one-hot targets")
saw(SOFTMAX_OF_LOG, path="soft_dice_loss/monai.losses.DiceLoss(softmax=True)(log)",
    case="soft_dice_loss/one-hot-unnormalised-mean/none",
    call="monai.losses.DiceLoss(smooth_nr=1e-6, smooth_dr=1e-6, softmax=True, reduction='mean')("
         "torch.log(p), t) " + UNNORMALISED,
    seen="0.6816536818 where the Dice loss of p as given is 0.5938384878 (canonical); gradient "
         "[0, 0, 0, 0] -0.0489163300 (canonical -0.0410314669): the loss of p / sum_c p and its "
         "projected gradient",
    versions=SEEN_ON, link=MONAI_DOCS + " (DiceLoss: 'softmax: if True, apply a softmax "
                                        "function to the prediction')")
saw(SOFTMAX_OF_LOG, path="tversky/monai.losses.TverskyLoss(softmax=True)(log)",
    case="tversky/one-hot-unnormalised-mean/none",
    call="monai.losses.TverskyLoss(smooth_nr=1e-6, smooth_dr=1e-6, softmax=True)(torch.log(p), "
         "t) " + UNNORMALISED,
    seen="0.6816535645 where the Tversky loss (alpha = beta = 0.5) of p as given is "
         "0.5938384100 (canonical): the loss of p / sum_c p",
    versions=SEEN_ON, link=MONAI_DOCS + " (TverskyLoss: 'softmax: If True, apply a softmax "
                                        "function to the prediction')")
saw(SOFTMAX_OF_LOG, path="generalized_dice/monai.losses.GeneralizedDiceLoss(softmax=True)(log)",
    case="generalized_dice/one-hot-unnormalised-mean/none",
    call="monai.losses.GeneralizedDiceLoss(smooth_nr=1e-6, smooth_dr=1e-6, softmax=True)("
         "torch.log(p), t) " + UNNORMALISED,
    seen="0.6957064149 where the generalised Dice loss of p as given is 0.6168698857 "
         "(canonical): the loss of p / sum_c p",
    versions=SEEN_ON, link=MONAI_DOCS + " (GeneralizedDiceLoss: 'softmax: If True, apply a "
                                        "softmax function to the prediction')")

# FocalLoss(use_softmax=True, include_background=False): channel 0 sliced off before the softmax
saw("monai_softmax_focal_background_dropped_before_softmax",
    path="categorical_focal_crossentropy/monai.losses.FocalLoss(use_softmax=True, "
         "include_background=False, alpha=[alpha] * (C - 1))",
    case="categorical_focal_crossentropy/spatial-mean/one_hot",
    call="monai.losses.FocalLoss(use_softmax=True, include_background=False, gamma=2.0, "
         "alpha=[0.25] * 2, reduction='mean')(x, t) " + SPATIAL_CASE,
    seen="0.0639658719; reduction='none' gives shape (2, 2, 4), sample 1 (classes [0, 2, 0, "
         "0]) [[0, 0, 0, 0], [0, 0.4396495819, 0, 0]]: its three positions of class 0 are 0; "
         "gradient [0, :, 0] [0, 0.0018447239, -0.0018447238]; canonical 0.2037015753 "
         "(0.0679005161 with the map per class and class 0 kept); the loss of softmax(x[:, 1:]) "
         "on t[:, 1:] divided by 16 = 2 x 2 x 4 is 0.0639658749",
    versions=SEEN_ON, link=FOCAL_SOURCE + ": 'if skipping background, removing first channel' "
                                          "(target[:, 1:], input[:, 1:]) before "
                                          "softmax_focal_loss")

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "DiceLoss, TverskyLoss and GeneralizedDiceLoss sum with torch.sum(dim=list(range(2, ndim))): "
    "on (N, C) input the list is empty and torch sums over every axis, one value for the whole "
    "batch (canonical: each element its own Dice); the paths take inputs with spatial axes",
    "TverskyLoss(reduction='none') returns (N, C) (batch=True: (C,)), the canonical shape, unlike "
    "DiceLoss and GeneralizedDiceLoss (monai_none_keeps_broadcast_shape)",
    "DiceLoss(to_onehot_y=True) with one channel warns 'single channel prediction, `to_onehot_y="
    "True` ignored.' and compares the index target as it is",
    "DiceCELoss and DiceFocalLoss raise ValueError on reduction='none' ('Unsupported option "
    "'none', Available options are {'mean', 'sum'}')",
    "both terms together are the sum of the canonical terms: on soft_dice_loss_one_hot.yaml "
    "one-hot-unnormalised-mean ((2, 3, 3, 3) float64), DiceCELoss(smooth_nr=s, smooth_dr=s)(x, "
    "t) = 1.7126129957558383 = soft_dice_loss(smooth=s) 0.5938384877546152 + cross_entropy "
    "(probs, mean) 1.118774508001223 at s = 1e-6 (1.6439806690035532 and 1.643980669003553 at "
    "s = 1); DiceFocalLoss(smooth_nr=s, smooth_dr=s)(x, t) = 0.8908512042863689 where "
    "soft_dice_loss + sigmoid_focal_loss(alpha=-1, gamma=2, mean) 0.29701271798991197 gives "
    "0.8908512057445273: 1.5e-9 apart, FocalLoss's float32 computation (input.float())",
)


# ---------------------------------------------------------------- ignore_index (soft_dice_loss,
# jaccard, tversky)
# DiceLoss and TverskyLoss(to_onehot_y=True, ignore_index=k) on an index target (N, 1, d1..dk):
# the mask target != k (monai.metrics.utils.create_ignore_mask, label-encoded case) multiplies
# the input and the one-hot target in every channel (monai.losses.utils.mask_loss_inputs), a k
# outside 0..C-1 first set to class 0 so that one_hot takes it: the pixel leaves every sum, as
# canonical. The paths pass the class numbers of the one-hot target, k where a pixel is ignored
# in every channel. A sample ignored whole is an empty mask: 1 - smooth_nr / smooth_dr = 0.

def _index_target(target, ignore_index):
    """(N, 1, d1..dk) class numbers of a one-hot target, ignore_index at ignored pixels."""
    if ignore_index is None:
        return target.argmax(1, keepdim=True)
    return torch.where((target == ignore_index).all(dim=1, keepdim=True), ignore_index,
                       target.argmax(1, keepdim=True))


MONAI_INDEX = ("torch.where((target == ignore_index).all(1, keepdim=True), ignore_index, "
               "target.argmax(1, keepdim=True))")
ONE_CHANNEL = {"one channel (MONAI warns 'single channel prediction, `to_onehot_y=True` "
               "ignored.')": lambda p, e, i: i["input"].shape[1] < 2}
# found by fuzzing: with smooth 0, a class with no kept pixel is 0 / 0 (undefined), and MONAI's
# input * mask makes the ignored pixels' gradient 0 * nan = nan where canonical they have none
UNDEFINED_MASKED = {"smooth=0 with ignored pixels (an empty class is 0 / 0, and MONAI's "
                    "gradient there 0 * nan)": lambda p, e, i: p["smooth"] == 0
                    and bool(np.any(np.asarray(i["target"]) == p["ignore_index"]))}
@path("soft_dice_loss", "monai.losses.DiceLoss(to_onehot_y=True, ignore_index=)",
      kind="composed", params=["smooth", "sum_over", "squared", "ignore_index", "reduction"],
      ndims=SPATIAL, conventions=[NONE_SHAPE, ONEHOT_NORM],
      unsupported_when={**NO_ALL, **ONE_CHANNEL, **INDEX_TARGET_REFUSES, **UNDEFINED_MASKED,
                        **without_ignore_index("soft_dice_loss/monai.losses.DiceLoss("
                                               "to_onehot_y=True)")},
      call=DICE_CALL.format(", squared_pred=squared, to_onehot_y=True, ignore_index="
                            "ignore_index", f"input, {MONAI_INDEX}"))
def dice_monai_ignore(input, target, *, smooth, sum_over, squared, ignore_index, reduction):
    return losses.DiceLoss(smooth_nr=smooth, smooth_dr=smooth, batch=_batch(sum_over),
                           squared_pred=squared, reduction=reduction, to_onehot_y=True,
                           ignore_index=ignore_index)(input, _index_target(target, ignore_index))


@path("jaccard", "monai.losses.DiceLoss(jaccard=True, smooth_nr=2*smooth, smooth_dr=2*smooth, "
      "to_onehot_y=True, ignore_index=)", kind="composed",
      params=["smooth", "sum_over", "squared", "ignore_index", "reduction"], ndims=SPATIAL,
      conventions=[NONE_SHAPE, ONEHOT_NORM],
      unsupported_when={**NO_ALL, **ONE_CHANNEL, **INDEX_TARGET_REFUSES, **UNDEFINED_MASKED,
                        **without_ignore_index("jaccard/monai.losses.DiceLoss(jaccard=True, "
                                               "smooth_nr=2*smooth, smooth_dr=2*smooth)")},
      call="monai.losses.DiceLoss(jaccard=True, smooth_nr=2 * smooth, smooth_dr=2 * smooth, "
           "batch=sum_over == 'batch_and_spatial', squared_pred=squared, reduction=reduction, "
           f"to_onehot_y=True, ignore_index=ignore_index)(input, {MONAI_INDEX})")
def jaccard_monai_ignore(input, target, *, smooth, sum_over, squared, ignore_index, reduction):
    return losses.DiceLoss(jaccard=True, smooth_nr=2 * smooth, smooth_dr=2 * smooth,
                           batch=_batch(sum_over), squared_pred=squared, reduction=reduction,
                           to_onehot_y=True, ignore_index=ignore_index)(
        input, _index_target(target, ignore_index))


@path("tversky", "monai.losses.TverskyLoss(to_onehot_y=True, ignore_index=)", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "ignore_background", "ignore_index",
              "reduction"],
      ndims=SPATIAL,
      unsupported_when={**NO_ALL, **ONE_CHANNEL, **INDEX_TARGET_REFUSES, **UNDEFINED_MASKED,
                        **without_ignore_index("tversky/monai.losses.TverskyLoss")},
      call=TVERSKY_CALL.format("include_background=not ignore_background, to_onehot_y=True, "
                               "ignore_index=ignore_index, ", "input, " + MONAI_INDEX)
      .replace(", target)", ")"))
def tversky_monai_ignore(input, target, *, alpha, beta, smooth, sum_over, ignore_background,
                         ignore_index, reduction):
    return _tversky(input, _index_target(target, ignore_index), alpha, beta, smooth, sum_over,
                    reduction, include_background=not ignore_background, to_onehot_y=True,
                    ignore_index=ignore_index)


saw(ONEHOT_NORM, path="soft_dice_loss/monai.losses.DiceLoss(to_onehot_y=True, ignore_index=)",
    case="soft_dice_loss/ignore-index-squared-none/none",
    call="monai.losses.DiceLoss(smooth_nr=1e-6, smooth_dr=1e-6, squared_pred=True, "
         "reduction='none', to_onehot_y=True, ignore_index=-100)(p, labels) on the case's "
         "(2, 3, 4, 4) float64 arrays, labels (2, 1, 4, 4) of its one-hot target",
    seen="[0.669251719473, 0.531348068356, 0.662678805392, 0.424877156151, 0.548615225065, "
         "0.563237235995]; the same call on the one-hot target (no to_onehot_y) gives the "
         "canonical 0.424877174678 and 0.548615197957 for sample 1's classes 0 and 1 (T = 7 "
         "and 5 kept pixels; T = 4 and 9 are exact in float32)", versions=SEEN_ON,
    link=MONAI_DOCS + " (the source: monai.networks.one_hot(dtype=torch.float), then "
                      "monai.losses.utils.compute_tp_fp_fn's vector_norm ** 2)")
saw(ONEHOT_NORM, path="jaccard/monai.losses.DiceLoss(jaccard=True, smooth_nr=2*smooth, "
                      "smooth_dr=2*smooth, to_onehot_y=True, ignore_index=)",
    case="jaccard/ignore-index-squared-none/none",
    call="monai.losses.DiceLoss(jaccard=True, smooth_nr=2e-6, smooth_dr=2e-6, "
         "squared_pred=True, reduction='none', to_onehot_y=True, ignore_index=-100)(p, "
         "labels) on the case's (2, 3, 4, 4) float64 arrays",
    seen="[0.801858292713, 0.693961106599, 0.797121765714, 0.596370188192, 0.708523562826, "
         "0.720603551938]; on the one-hot target (no to_onehot_y) 0.596370206443 and "
         "0.708523540219 for sample 1's classes 0 and 1, canonical", versions=SEEN_ON,
    link=MONAI_DOCS + " (the source: monai.networks.one_hot(dtype=torch.float))")
saw(KEPT_PIXELS, path="sigmoid_focal_loss/monai.losses.FocalLoss(ignore_index=)",
    case="sigmoid_focal_loss/hand-pixel-mask-weighted-mean/none",
    call="monai.losses.FocalLoss(gamma=2.0, alpha=0.25, reduction='mean', ignore_index=-1)("
         "torch.zeros(1, 2, 1, 2), torch.tensor([[[[1., 0.]], [[0., 0.]]]]))  (pixel 1 marked "
         "by its all-zero target)",
    seen="0.1732867956161499 (float32): 0.25 ln 2 over the 1 kept pixel, where the canonical "
         "weighted mean of the mask [[[[1, 0]]]] is 0.125 ln 2 = 0.0866433975699932 (the mask's "
         "weights sum to 2 over the 2 channels)", versions=SEEN_ON,
    link=MONAI_DOCS + " (FocalLoss.forward: loss.sum() / mask.sum().clamp(min=eps))")
saw(KEPT_PIXELS, path="categorical_focal_crossentropy/monai.losses.FocalLoss(use_softmax=True, "
                      "to_onehot_y=True, ignore_index=, alpha=[alpha] * C)",
    case="categorical_focal_crossentropy/spatial-mean/index",
    call="monai.losses.FocalLoss(use_softmax=True, gamma=2.0, alpha=[0.25] * 3, "
         "to_onehot_y=True, ignore_index=-100, reduction='mean')(x, t[:, None]) on the case's "
         "(2, 3, 4) float32 logits and (2, 4) labels, none of them -100",
    seen="0.20370155572891235, the canonical mean over the 8 kept targets; the same call "
         "without ignore_index gives 0.06790051609277725 (the (2, 3, 4) map's mean: divided by "
         "C = 3 more), and reduction='sum' 0.4074031710624695 (each sample's average over its "
         "4 kept pixels, summed)", versions=SEEN_ON,
    link=MONAI_DOCS + " (FocalLoss.forward: the mask's sums over the spatial axes)")
