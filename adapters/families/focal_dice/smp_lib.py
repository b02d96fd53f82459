"""segmentation_models_pytorch paths of the focal_dice family (spec.py beside this file):
smp.losses 0.6.0 DiceLoss (soft_dice_loss), JaccardLoss (jaccard), TverskyLoss (tversky),
FocalLoss (sigmoid_focal_loss, with normalized, reduced_threshold, class_weights and ignore_index)
and LovaszLoss (lovasz_hinge, lovasz_softmax).

All three compute soft_tversky_score over the axes (0, 2) of the input reshaped to (N, C, -1):
one value per class with the batch and the spatial axes summed (canonical sum_over=
'batch_and_spatial'), then the mean over the classes (canonical reduction 'mean'); they take no
reduction. mode='multilabel' takes a target of the input's shape, as the canonical losses;
from_logits=False takes probabilities (from_logits=True applies sigmoid or softmax first, the
user's step before a canonical loss). mode='multiclass' takes class indices (N, d1..dk): its
path passes the indices of a hard one-hot target.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import weights_over
from adapters.pytorch import torch, weights_like
from adapters.smp_lib import SEEN_ON, SMP_DOCS, adapter, losses, path  # noqa: F401

from .spec import INDEX_TARGET_REFUSES, without_ignore_index

SMP_CONVENTIONS = ["smp_overlap_from_l1_distance", "smp_denominator_clamped_to_eps",
                   "smp_absent_classes_count_zero"]
ONLY_BATCH = {"sum_over other than 'batch_and_spatial' (smp sums over the batch and the spatial "
              "axes, dims=(0, 2))": lambda p, e, i: p["sum_over"] != "batch_and_spatial"}


def _not_one_hot(params, encoding, inputs):
    """Whether the target is not a hard one-hot map over the class axis (mode='multiclass' takes
    class indices)."""
    t = inputs["target"]
    return not (((t == 0) | (t == 1)).all() and (t.sum(axis=1) == 1).all())


# ---------------------------------------------------------------- soft_dice_loss

@path("soft_dice_loss", "smp.losses.DiceLoss", params=["smooth", "sum_over"],
      unsupported_when=ONLY_BATCH, conventions=["smp_dice_smooth_doubled", *SMP_CONVENTIONS],
      call="smp.losses.DiceLoss(mode='multilabel', from_logits=False, smooth=smooth)(input, "
           "target)")
def dice_smp(input, target, *, smooth, sum_over):
    return losses.DiceLoss(mode="multilabel", from_logits=False, smooth=smooth)(input, target)


def smp_classes(ignore_background, channels):
    """smp's `classes` for canonical ignore_background: every channel but 0, or None (all); one
    channel is kept, as canonical (classes=[] would average nothing)."""
    return list(range(1, channels)) if ignore_background and channels > 1 else None


# the call that agrees with the canonical smoothing: smooth halved. class_weights: smp divides the
# weighted class losses by the weights' sum (smp_class_weighted_mean_over_weights); `classes`
# without channel 0 is canonical ignore_background (weights kept for the classes kept, as optax)
@path("soft_dice_loss", "smp.losses.DiceLoss(smooth=smooth*0.5)",
      params=["smooth", "sum_over", "class_weights", "ignore_background"],
      unsupported_when=ONLY_BATCH,
      conventions=[*SMP_CONVENTIONS, "smp_class_weighted_mean_over_weights"],
      call="smp.losses.DiceLoss(mode='multilabel', from_logits=False, smooth=smooth / 2, "
           "class_weights=class_weights, classes=list(range(1, C)) if ignore_background and C > 1 "
           "else None)(input, target)")
def dice_smp_half(input, target, *, smooth, sum_over, class_weights, ignore_background):
    weights = None if class_weights is None else class_weights.tolist()
    return losses.DiceLoss(mode="multilabel", from_logits=False, smooth=smooth / 2,
                           class_weights=weights,
                           classes=smp_classes(ignore_background, input.shape[1]))(input, target)


@path("soft_dice_loss", "smp.losses.DiceLoss(mode='multiclass')", kind="composed",
      params=["smooth", "sum_over"], conventions=SMP_CONVENTIONS,
      unsupported_when={**ONLY_BATCH, "a target that is not a hard one-hot map (mode='multiclass' "
                                      "takes class indices)": _not_one_hot},
      call="smp.losses.DiceLoss(mode='multiclass', from_logits=False, smooth=smooth / 2)(input, "
           "target.argmax(1))")
def dice_smp_multiclass(input, target, *, smooth, sum_over):
    return losses.DiceLoss(mode="multiclass", from_logits=False, smooth=smooth / 2)(
        input, target.argmax(1))


# ---------------------------------------------------------------- jaccard

@path("jaccard", "smp.losses.JaccardLoss", params=["smooth", "sum_over"],
      unsupported_when=ONLY_BATCH, conventions=SMP_CONVENTIONS,
      call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False, smooth=smooth)(input, "
           "target)")
def jaccard_smp(input, target, *, smooth, sum_over):
    return losses.JaccardLoss(mode="multilabel", from_logits=False, smooth=smooth)(input, target)


# ---------------------------------------------------------------- tversky
# gamma, class_weights, classes and log_loss: the Dice-family variant paths below

@path("tversky", "smp.losses.TverskyLoss", params=["alpha", "beta", "smooth", "sum_over"],
      unsupported_when=ONLY_BATCH, conventions=SMP_CONVENTIONS,
      call="smp.losses.TverskyLoss(mode='multilabel', from_logits=False, alpha=alpha, beta=beta, "
           "smooth=smooth)(input, target)")
def tversky_smp(input, target, *, alpha, beta, smooth, sum_over):
    return losses.TverskyLoss(mode="multilabel", from_logits=False, alpha=alpha, beta=beta,
                              smooth=smooth)(input, target)


# ---------------------------------------------------------------- sigmoid_focal_loss
# FocalLoss(from_logits=True) calls focal_loss_with_logits (alpha, gamma, reduction, normalized,
# reduced_threshold): mode='binary' flattens input and target, so its 'none' is the flat
# (N d1..dk,) loss (the composed path reshapes it); mode='multilabel' computes each class's loss
# with that reduction, then the mean over the classes: the canonical mean (equal class sizes), but
# 'sum' becomes sum / C and 'none' a mean, so its path declares no reduction (the default 'mean'
# only). alpha=None turns the weighting off, as canonical alpha < 0. normalized=True divides by
# the focal factors' sum (clamped at 1e-6), reduced_threshold switches to the reduced factor:
# the canonical parameters of the same names. class_weights and ignore_index are sample weights
# (below); from_logits=False (with eps) is left: conformance/options.py says why.

# 1 - exp(-ce) by subtraction, then pow: 0 where the logit saturates, a nan gradient for
# 0 < gamma < 1 (torch's pow derivative gamma 0^(gamma - 1) = inf meets 0), as torchvision's
SMP_FOCAL = ["smp_focal_p_t_is_exp_of_minus_ce", "focal_pow_grad_nan_where_p_t_is_1"]
FOCAL_PARAMS = ["alpha", "gamma", "normalized", "reduced_threshold"]


def _focal(mode, alpha, gamma, normalized, reduced_threshold, **kw):
    return losses.FocalLoss(mode=mode, alpha=None if alpha < 0 else alpha, gamma=gamma,
                            normalized=normalized, reduced_threshold=reduced_threshold, **kw)


@path("sigmoid_focal_loss", "smp.losses.FocalLoss(mode='binary')", kind="composed",
      params=[*FOCAL_PARAMS, "reduction"],
      conventions=[*SMP_FOCAL, "smp_focal_normalizer_clamped_to_eps"],
      call="smp.losses.FocalLoss(mode='binary', alpha=None if alpha < 0 else alpha, gamma=gamma, "
           "normalized=normalized, reduced_threshold=reduced_threshold, reduction=reduction)("
           "input, target), reshaped to input.shape for 'none'")
def focal_smp_binary(input, target, *, alpha, gamma, normalized, reduced_threshold, reduction):
    loss = _focal("binary", alpha, gamma, normalized, reduced_threshold,
                  reduction=reduction)(input, target)
    return loss.reshape(input.shape) if reduction == "none" else loss


# normalized=True divides each class's losses by that class's focal sum (one
# focal_loss_with_logits call per class), not by the sum over every element
PER_CLASS_NORM = {"normalized=True (mode='multilabel' normalises each class's losses by that "
                  "class's own sum of focal factors, one focal_loss_with_logits call per class, "
                  "then averages the classes; canonical divides by the sum over every element)":
                  lambda p, e, i: bool(p["normalized"])}


@path("sigmoid_focal_loss", "smp.losses.FocalLoss(mode='multilabel')",
      params=FOCAL_PARAMS, ndims=[2, 3, 4, 5], conventions=SMP_FOCAL,
      unsupported_when=PER_CLASS_NORM,
      call="smp.losses.FocalLoss(mode='multilabel', alpha=None if alpha < 0 else alpha, "
           "gamma=gamma, normalized=normalized, reduced_threshold=reduced_threshold)(input, "
           "target)  [reduction='mean', its default]")
def focal_smp_multilabel(input, target, *, alpha, gamma, normalized, reduced_threshold):
    return _focal("multilabel", alpha, gamma, normalized, reduced_threshold)(input, target)


# class_weights and ignore_index are canonical sample weights: mode='multilabel' with
# class_weights=w returns sum_c w_c mean_c / sum_c w_c, the 'weighted_mean' of weights w_c
# broadcast over every element of class c; mode='binary' with ignore_index drops the elements whose
# target equals it, so a 0/1 mask as sample weights ('none' with the dropped elements 0, 'sum',
# and 'weighted_mean' as smp's 'mean' over the kept ones). normalized is left out of both: smp
# then normalises over the kept elements (or per class), canonical over every element.

def _per_class(params, encoding, inputs):
    """Whether the sample weights are not one weight per class (constant over every axis but
    axis 1)."""
    shape = inputs["input"].shape
    full = weights_over(params["sample_weight"], shape)
    if full is None or len(shape) < 2:
        return True
    first = full[(slice(None), slice(None)) + (slice(0, 1),) * (len(shape) - 2)][:1]
    return not bool(np.all(full == first))


def _not_mask(params, encoding, inputs):
    full = weights_over(params["sample_weight"], inputs["input"].shape)
    return full is None or not bool(np.all((full == 0) | (full == 1)))


def _class_weights(sample_weight, input):
    """The C class weights of per-class sample weights, as a list (smp's class_weights)."""
    w = sample_weight.reshape(sample_weight.shape + (1,) * (input.ndim - sample_weight.ndim))
    return w.expand(input.shape)[(0, slice(None)) + (0,) * (input.ndim - 2)].tolist()


@path("sigmoid_focal_loss", "smp.losses.FocalLoss(mode='multilabel', class_weights=)",
      kind="composed", params=["alpha", "gamma", "reduced_threshold", "sample_weight",
                               "reduction"],
      ndims=[2, 3, 4, 5], conventions=SMP_FOCAL,
      unsupported_when={"a reduction other than 'weighted_mean' (smp divides by the weights' "
                        "sum)": lambda p, e, i: p["reduction"] != "weighted_mean",
                        "sample weights other than one weight per class (class_weights)":
                        _per_class},
      call="smp.losses.FocalLoss(mode='multilabel', alpha=None if alpha < 0 else alpha, "
           "gamma=gamma, reduced_threshold=reduced_threshold, class_weights=[the per-class "
           "sample_weight, w[0, c, 0..0]])(input, target)")
def focal_smp_class_weights(input, target, *, alpha, gamma, reduced_threshold, sample_weight,
                            reduction):
    return _focal("multilabel", alpha, gamma, False, reduced_threshold,
                  class_weights=_class_weights(sample_weight, input))(input, target)


IGNORED = -1.0     # a label no canonical target in [0, 1] has


@path("sigmoid_focal_loss", "smp.losses.FocalLoss(mode='binary', ignore_index=)",
      kind="composed", params=["alpha", "gamma", "reduced_threshold", "sample_weight",
                               "reduction"],
      conventions=SMP_FOCAL,
      unsupported_when={"reduction='mean' (smp's mean divides by the kept elements: "
                        "'weighted_mean' here)": lambda p, e, i: p["reduction"] == "mean",
                        "sample weights other than a 0/1 mask": _not_mask},
      call="l = smp.losses.FocalLoss(mode='binary', alpha=None if alpha < 0 else alpha, "
           "gamma=gamma, reduced_threshold=reduced_threshold, ignore_index=-1, reduction="
           "{'weighted_mean': 'mean'}.get(reduction, reduction))(input, torch.where("
           "sample_weight == 0, -1, target)); for 'none' the kept elements' losses scattered "
           "into zeros of input.shape")
def focal_smp_ignore_index(input, target, *, alpha, gamma, reduced_threshold, sample_weight,
                           reduction):
    mask = weights_like(sample_weight, input) != 0
    smp_reduction = {"weighted_mean": "mean"}.get(reduction, reduction)
    loss = _focal("binary", alpha, gamma, False, reduced_threshold, ignore_index=IGNORED,
                  reduction=smp_reduction)(input, torch.where(mask, target, IGNORED))
    if reduction != "none":
        return loss
    return torch.zeros_like(input).masked_scatter(mask, loss)


# ---------------------------------------------------------------- evidence

saw = adapter.saw

_SRC = " (segmentation_models_pytorch/losses/_functional.py soft_tversky_score and dice.py, 0.6.0)"

saw("smp_dice_smooth_doubled", path="soft_dice_loss/smp.losses.DiceLoss",
            case="soft_dice_loss/smooth-1-batch-and-spatial-mean/none",
            call="smp.losses.DiceLoss(mode='multilabel', from_logits=False, smooth=1.0)(p, t) on "
                 "the case's (2, 3, 4, 4) float64 arrays (class 2 absent from the target)",
            seen="0.4948794438 = the mean of canonical per-class values with smooth 2 [0.7814.. "
                 "over classes 0, 1] and 0 for the absent class 2; canonical (smooth 1) "
                 "0.8406098786", versions=SEEN_ON, link=SMP_DOCS + _SRC)
saw("smp_absent_classes_count_zero", path="jaccard/smp.losses.JaccardLoss",
            case="jaccard/absent-class-batch-and-spatial-mean/none",
            call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False, smooth=1.0)(p, t) "
                 "on the case's (2, 3, 3) float64 arrays, class 2 absent from the target",
            seen="0.2935040303 (class 2 counted 0, divided by 3); canonical 0.4864864865 (class 2 "
                 "costs 1 - 1 / 2.25)", versions=SEEN_ON, link=SMP_DOCS + _SRC)
saw("smp_denominator_clamped_to_eps", path="jaccard/smp.losses.JaccardLoss",
            case="jaccard/absent-class-smooth-0-batch-and-spatial-mean/none",
            call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False, smooth=0.0)(p, t) "
                 "on the case's (2, 3, 3) float64 arrays, class 2 empty in input and target",
            seen="0.3346405229 (class 2: 0 / clamp_min(0, 1e-7) = 0, then zeroed); canonical nan "
                 "(0/0)", versions=SEEN_ON,
            link=SMP_DOCS + " ('eps: A small epsilon for numerical stability to avoid zero "
                 "division error (denominator will be always greater or equal to eps)')")
saw("smp_overlap_from_l1_distance", path="jaccard/smp.losses.JaccardLoss",
            case="jaccard/soft-target-batch-and-spatial-mean/none",
            call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False)(p, t) on the case's "
                 "(2, 3, 5) float64 softmax inputs and softmax targets",
            seen="0.4798382453 (I = sum min(p, t)); canonical (I = sum p t) 0.7940807616",
            versions=SEEN_ON, link=SMP_DOCS + _SRC + " (references arXiv:2302.05666, "
                 "arXiv:2303.16296)")

saw("smp_focal_p_t_is_exp_of_minus_ce",
            path="sigmoid_focal_loss/smp.losses.FocalLoss(mode='binary')",
            case="sigmoid_focal_loss/soft-targets-none/none",
            call="smp.losses.FocalLoss(mode='binary', alpha=0.25, gamma=2.0, reduction='none')(x, "
                 "y).reshape(x.shape) on the case's (3, 5) float64 arrays, targets uniform in "
                 "(0, 1)",
            seen="row 0 [0.17773867, 0.09025529, 0.90951605, 0.01471463, 0.38590172]; canonical "
                 "[0.15870421, 0.08962639, 0.89421692, 0.01166511, 0.35495072]", versions=SEEN_ON,
            link=SMP_DOCS + " (segmentation_models_pytorch/losses/_functional.py "
                 "focal_loss_with_logits: 'pt = torch.exp(-logpt)', 0.6.0)")

saw("smp_focal_normalizer_clamped_to_eps",
    path="sigmoid_focal_loss/smp.losses.FocalLoss(mode='binary')",
    case="sigmoid_focal_loss/normalized-confident-gamma-5-none/none",
    call="smp.losses.FocalLoss(mode='binary', alpha=0.25, gamma=5.0, normalized=True, "
         "reduction='none')(x, y).reshape(x.shape) on the case's (2, 3) float64 logits, every "
         "one confidently right",
    seen="row 0 [1.60944981e-04, 2.56232646e-05, 3.72202953e-05] (divided by 1e-6: the focal "
         "factors sum to 5.2276e-08); canonical (divided by that sum) [3.07875172e-03, "
         "4.90153029e-04, 7.11995164e-04]", versions=SEEN_ON,
    link=SMP_DOCS + " (segmentation_models_pytorch/losses/_functional.py focal_loss_with_logits: "
         "'norm_factor = focal_term.sum().clamp_min(eps)', eps=1e-6, 0.6.0)")
saw("smp_class_weighted_mean_over_weights",
    path="soft_dice_loss/smp.losses.DiceLoss(smooth=smooth*0.5)",
    case="soft_dice_loss/hand-weights-2-1-batch-and-spatial-mean/none",
    call="smp.losses.DiceLoss(mode='multilabel', from_logits=False, smooth=1.0, "
         "class_weights=[2.0, 1.0])(p, t) on the case's (2, 2, 2) float64 arrays (each class's "
         "loss 1/3)",
    seen="0.3333333333 = (2 x 1/3 + 1 x 1/3) / 3, the weights' sum; canonical 0.5 (divided "
         "by the 2 class losses)", versions=SEEN_ON,
    link=SMP_DOCS + " (segmentation_models_pytorch/losses/dice.py DiceLoss.aggregate_loss: "
         "'return (loss * weights).sum() / weights.sum()', 0.6.0)")

# Seen, but no convention or path:
PROBED = (
    "DiceLoss, JaccardLoss and TverskyLoss reshape the input to (N, C, -1) and sum over (0, 2): "
    "one value per class over batch and space, then loss.mean() over the classes (or "
    "(loss * class_weights).sum() / class_weights.sum()); no per-sample or 'none' output",
    "TverskyLoss(gamma=g) returns mean ** g, the focal Tversky loss (Abraham and Khan 2019) "
    "raised on the mean of the class losses: canonical gamma under "
    "smp_focal_tversky_power_of_mean",
    "FocalLoss(mode='multilabel', normalized=True) calls focal_loss_with_logits once per class, "
    "so each class's losses are divided by that class's own sum of focal factors; refused with "
    "normalized (canonical divides by the sum over every element, as mode='binary' does)",
    "FocalLoss(class_weights=) and DiceLoss(class_weights=) turn the weights into a float32 "
    "tensor (to_tensor(class_weights, dtype=torch.float)): the cases' weights are exact in "
    "float32",
    "log_loss=True returns -log(clamp_min(score, eps)) instead of 1 - score: canonical log_loss "
    "under smp_log_loss_index_clamped_to_eps",
    "importing segmentation_models_pytorch imports timm, which imports torchvision: on a CPU-only "
    "torch with the CUDA-linked torchvision 0.28.0 wheel that import fails at register_fake("
    "'torchvision::nms') unless the operator schemas are declared first (import_torchvision)",
)


# ---------------------------------------------------------------- ignore_index (soft_dice_loss,
# jaccard, tversky)
# DiceLoss, JaccardLoss and TverskyLoss(ignore_index=k) multiply the input and the target by
# mask = y_true != k before soft_tversky_score (dice.py, jaccard.py, tversky.py, forward): with
# mode='multilabel' elementwise on the target as given, canonical ignore_index; with
# mode='multiclass' per pixel of the index target (y_true * mask one-hot encoded, then masked in
# every channel). Both sums lose the pixel; an all-ignored class has T = 0 and counts 0
# (smp_absent_classes_count_zero), as any absent class.

@path("soft_dice_loss", "smp.losses.DiceLoss(smooth=smooth*0.5, ignore_index=)",
      params=["smooth", "sum_over", "ignore_index"],
      unsupported_when={**ONLY_BATCH,
                        **without_ignore_index("soft_dice_loss/smp.losses.DiceLoss("
                                               "smooth=smooth*0.5)")},
      conventions=SMP_CONVENTIONS,
      call="smp.losses.DiceLoss(mode='multilabel', from_logits=False, smooth=smooth / 2, "
           "ignore_index=ignore_index)(input, target)")
def dice_smp_ignore(input, target, *, smooth, sum_over, ignore_index):
    return losses.DiceLoss(mode="multilabel", from_logits=False, smooth=smooth / 2,
                           ignore_index=ignore_index)(input, target)


def index_target(target, ignore_index):
    """The class numbers of a one-hot target, ignore_index where a pixel is ignored (in every
    channel); the class numbers alone without ignore_index."""
    if ignore_index is None:
        return target.argmax(1)
    return torch.where((target == ignore_index).all(dim=1), ignore_index, target.argmax(1))


@path("soft_dice_loss", "smp.losses.DiceLoss(mode='multiclass', ignore_index=)", kind="composed",
      params=["smooth", "sum_over", "ignore_index"], conventions=SMP_CONVENTIONS,
      unsupported_when={**ONLY_BATCH, **INDEX_TARGET_REFUSES,
                        **without_ignore_index("soft_dice_loss/smp.losses.DiceLoss("
                                               "mode='multiclass')")},
      call="smp.losses.DiceLoss(mode='multiclass', from_logits=False, smooth=smooth / 2, "
           "ignore_index=ignore_index)(input, torch.where((target == ignore_index).all(1), "
           "ignore_index, target.argmax(1)))")
def dice_smp_multiclass_ignore(input, target, *, smooth, sum_over, ignore_index):
    return losses.DiceLoss(mode="multiclass", from_logits=False, smooth=smooth / 2,
                           ignore_index=ignore_index)(input, index_target(target, ignore_index))


@path("jaccard", "smp.losses.JaccardLoss(ignore_index=)",
      params=["smooth", "sum_over", "ignore_index"], conventions=SMP_CONVENTIONS,
      unsupported_when={**ONLY_BATCH, **without_ignore_index("jaccard/smp.losses.JaccardLoss")},
      call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False, smooth=smooth, "
           "ignore_index=ignore_index)(input, target)")
def jaccard_smp_ignore(input, target, *, smooth, sum_over, ignore_index):
    return losses.JaccardLoss(mode="multilabel", from_logits=False, smooth=smooth,
                              ignore_index=ignore_index)(input, target)


@path("tversky", "smp.losses.TverskyLoss(ignore_index=)",
      params=["alpha", "beta", "smooth", "sum_over", "ignore_index"], conventions=SMP_CONVENTIONS,
      unsupported_when={**ONLY_BATCH, **without_ignore_index("tversky/smp.losses.TverskyLoss")},
      call="smp.losses.TverskyLoss(mode='multilabel', from_logits=False, alpha=alpha, beta=beta, "
           "smooth=smooth, ignore_index=ignore_index)(input, target)")
def tversky_smp_ignore(input, target, *, alpha, beta, smooth, sum_over, ignore_index):
    return losses.TverskyLoss(mode="multilabel", from_logits=False, alpha=alpha, beta=beta,
                              smooth=smooth, ignore_index=ignore_index)(input, target)


# ---------------------------------------------------------------- lovasz_hinge, lovasz_softmax
# smp.losses.LovaszLoss (segmentation_models_pytorch/losses/lovasz.py, 0.6.0; Berman's code):
# mode 'binary' and 'multilabel' compute the Lovasz hinge over every element of the input
# (flattened, channels too), 'multiclass' the Lovasz-Softmax of y_pred.softmax(dim=1) over the
# classes present (classes='present', fixed); per_image averages per-image losses, else one set
# over the batch; ignore_index drops the pixels whose label equals it. No reduction: the mean
# over the images (canonical 'mean'). Its sort is torch.sort(descending=True), not stable.

from adapters.families.focal_dice.reference import (  # noqa: E402
    TORCH_SORT_KEEPS_TIES_UP_TO,
    unstable_ties,
)

# _lovasz_grad takes gt_sorted.float(): float32 weights, and torch.dot of float64 errors with them
# raises, so float32 only
LOVASZ_FLOAT = ["float32"]
FLOAT32_ONLY = ("LovaszLoss computes the Jaccard weights in float32 (gt_sorted.float()), and on "
                "float64 input torch.dot raises 'dot : expected both vectors to have same dtype, "
                "but found Double and Float'; float16 and bfloat16 are left out for time")
TIES = (f"tied positive errors in a set of more than {TORCH_SORT_KEEPS_TIES_UP_TO} pixels "
        "(torch.sort(descending=True) orders ties its own way there, so the gradient is another "
        "subgradient than the canonical order's)")
LOVASZ_TIES = {TIES: unstable_ties("lovasz_hinge")}
LOVASZ_HINGE_PARAMS = ["per_image", "ignore_index"]


def _lovasz(mode, per_image, ignore_index, from_logits=True):
    return losses.LovaszLoss(mode=mode, per_image=per_image, ignore_index=ignore_index,
                             from_logits=from_logits)


@path("lovasz_hinge", "smp.losses.LovaszLoss(mode='binary')", params=LOVASZ_HINGE_PARAMS,
      dtypes=LOVASZ_FLOAT, notes=FLOAT32_ONLY, unsupported_when=LOVASZ_TIES,
      call="smp.losses.LovaszLoss(mode='binary', per_image=per_image, "
           "ignore_index=ignore_index)(input, target)")
def lovasz_hinge_smp(input, target, *, per_image, ignore_index):
    return _lovasz("binary", per_image, ignore_index)(input, target)


@path("lovasz_hinge", "smp.losses.LovaszLoss(mode='multilabel')", params=LOVASZ_HINGE_PARAMS,
      dtypes=LOVASZ_FLOAT, notes=FLOAT32_ONLY, unsupported_when=LOVASZ_TIES,
      call="smp.losses.LovaszLoss(mode='multilabel', per_image=per_image, "
           "ignore_index=ignore_index)(input, target)")
def lovasz_hinge_smp_multilabel(input, target, *, per_image, ignore_index):
    return _lovasz("multilabel", per_image, ignore_index)(input, target)


@path("lovasz_hinge", "smp.losses.LovaszLoss(mode='binary', from_logits=False)(sigmoid)",
      kind="composed", params=LOVASZ_HINGE_PARAMS, dtypes=LOVASZ_FLOAT, notes=FLOAT32_ONLY,
      unsupported_when=LOVASZ_TIES, conventions=["smp_lovasz_from_logits_ignored"],
      call="smp.losses.LovaszLoss(mode='binary', per_image=per_image, ignore_index=ignore_index, "
           "from_logits=False)(torch.sigmoid(input), target)")
def lovasz_hinge_smp_probs(input, target, *, per_image, ignore_index):
    return _lovasz("binary", per_image, ignore_index, False)(torch.sigmoid(input), target)


def _empty_image(params, encoding, inputs):
    """Whether per_image meets an image whose pixels are all ignored (smp's _lovasz_softmax_flat
    returns an empty (0, C) tensor for it, which the mean over the images broadcasts)."""
    y = inputs["target"]
    return bool(params["per_image"] and encoding == "index" and y.size and np.any(
        np.all((y == params["ignore_index"]).reshape(len(y), -1), axis=1)))


LOVASZ_SOFTMAX_REFUSES = {
    TIES: unstable_ties("lovasz_softmax"),
    "classes='all' (LovaszLoss averages the classes present, a fixed choice)":
        lambda p, e, i: p["classes"] != "present",
    "per_image with an image whose every pixel is ignored (an empty tensor instead of 0)":
        _empty_image,
    "one class (C = 1: _lovasz_softmax_flat raises ValueError 'Sigmoid output possible only "
    "with 1 class', its test of len(classes) reading the string 'present')":
        lambda p, e, i: i["input"].ndim >= 2 and i["input"].shape[1] == 1,
}
# (N, C, L) input is read as a sigmoid output (B, H, W) by _flatten_probas (probas.dim() == 3),
# which then cannot match the labels: only 2, 4 and 5 dimensions
LOVASZ_SOFTMAX_NDIMS = (2, 4, 5)


@path("lovasz_softmax", "smp.losses.LovaszLoss(mode='multiclass')", encodings=["index"],
      params=["classes", "per_image", "ignore_index"], dtypes=LOVASZ_FLOAT, notes=FLOAT32_ONLY,
      ndims=LOVASZ_SOFTMAX_NDIMS, unsupported_when=LOVASZ_SOFTMAX_REFUSES,
      call="smp.losses.LovaszLoss(mode='multiclass', per_image=per_image, "
           "ignore_index=ignore_index)(input, target)")
def lovasz_softmax_smp(input, target, *, classes, per_image, ignore_index):
    return _lovasz("multiclass", per_image, ignore_index)(input, target)


@path("lovasz_softmax", "smp.losses.LovaszLoss(mode='multiclass', from_logits=False)(softmax)",
      kind="composed", encodings=["index"], params=["classes", "per_image", "ignore_index"],
      dtypes=LOVASZ_FLOAT, notes=FLOAT32_ONLY, ndims=LOVASZ_SOFTMAX_NDIMS,
      unsupported_when=LOVASZ_SOFTMAX_REFUSES, conventions=["smp_lovasz_from_logits_ignored"],
      call="smp.losses.LovaszLoss(mode='multiclass', per_image=per_image, "
           "ignore_index=ignore_index, from_logits=False)(torch.softmax(input, dim=1), target)")
def lovasz_softmax_smp_probs(input, target, *, classes, per_image, ignore_index):
    return _lovasz("multiclass", per_image, ignore_index, False)(torch.softmax(input, dim=1),
                                                                target)


_LOVASZ_SRC = " (segmentation_models_pytorch/losses/lovasz.py LovaszLoss.forward, 0.6.0)"
saw("smp_lovasz_from_logits_ignored",
    path="lovasz_softmax/smp.losses.LovaszLoss(mode='multiclass', from_logits=False)(softmax)",
    case="lovasz_softmax/batch-present-mean/index",
    call="smp.losses.LovaszLoss(mode='multiclass', from_logits=False)(torch.softmax(x, 1), y) "
         "on the case's (2, 5, 3, 3) float32 logits",
    seen="0.7834003568 = the canonical loss of softmax(softmax(x)) (0.7834003553 in float64); "
         "canonical (and LovaszLoss(mode='multiclass')(x, y)) 0.7952945232",
    versions=SEEN_ON, link=SMP_DOCS + _LOVASZ_SRC + ": forward calls y_pred.softmax(dim=1) "
                                                    "whatever from_logits is")
saw("smp_lovasz_from_logits_ignored",
    path="lovasz_hinge/smp.losses.LovaszLoss(mode='binary', from_logits=False)(sigmoid)",
    case="lovasz_hinge/batch-mean/none",
    call="smp.losses.LovaszLoss(mode='binary', from_logits=False)(torch.sigmoid(x), y) on the "
         "case's (2, 1, 4, 4) float32 logits",
    seen="1.1278088093 = the hinge of sigmoid(x) taken as logits (1.1278087773 in float64); "
         "canonical (and LovaszLoss(mode='binary')(x, y)) 1.8877143860",
    versions=SEEN_ON, link=SMP_DOCS + _LOVASZ_SRC + ": _lovasz_hinge(y_pred, ...) whatever "
                                                    "from_logits is")

PROBED += (
    "LovaszLoss(mode='binary' or 'multilabel') on float64 input raises RuntimeError 'dot : "
    "expected both vectors to have same dtype, but found Double and Float' (_lovasz_grad's "
    "gt_sorted.float()); its paths run float32",
    "LovaszLoss(mode='multiclass') on (N, C, L) input: _flatten_probas reads a 3-D tensor as a "
    "sigmoid output (B, H, W), so C is taken for H and the labels no longer match; its paths "
    "take 2, 4 and 5 dimensions",
    "LovaszLoss(mode='multiclass', per_image=True) on an image whose pixels are all ignored: "
    "_lovasz_softmax_flat returns probas * 0., an empty (0, C) tensor, which the mean over the "
    "images broadcasts to an empty result; refused",
    "torch.sort(descending=True) (smp's and kornia's sort) keeps tied elements in order in rows "
    "of up to 16 elements on CPU, not beyond: where errors tie in larger sets the gradient is "
    "another subgradient than the canonical (stable) order's; such examples are refused",
)


# ---------------------------------------------------------------- Dice-family variants
# DiceLoss(log_loss=), and JaccardLoss and TverskyLoss(class_weights=, classes=, log_loss=,
# gamma=) (spec.py's Dice-family variants): log_loss is canonical log_loss (its index clamped at
# eps, smp_log_loss_index_clamped_to_eps), class_weights and classes=[1..C-1] canonical
# class_weights and ignore_background as on DiceLoss (divided by the weights' sum,
# smp_class_weighted_mean_over_weights), and TverskyLoss's gamma canonical gamma, raised on the
# mean of the class losses (smp_focal_tversky_power_of_mean). Refused where every variant is at
# its default: the paths above check those cases.

from .spec import VARIANTS_REFUSED, uses_variants  # noqa: E402

VARIANTS_ONLY = {VARIANTS_REFUSED: lambda p, e, i: not uses_variants(p)}
SMP_VARIANT_CONVENTIONS = [*SMP_CONVENTIONS, "smp_class_weighted_mean_over_weights",
                           "smp_log_loss_index_clamped_to_eps"]
_CLASSES_CALL = ("class_weights=class_weights, classes=list(range(1, C)) if ignore_background "
                 "and C > 1 else None, log_loss=log_loss")


def _variant_options(input, class_weights, ignore_background, log_loss):
    """smp's class_weights (a list), classes and log_loss of the canonical parameters."""
    return {"class_weights": None if class_weights is None else class_weights.tolist(),
            "classes": smp_classes(ignore_background, input.shape[1]), "log_loss": log_loss}


@path("soft_dice_loss", "smp.losses.DiceLoss(smooth=smooth*0.5, log_loss=log_loss)",
      params=["smooth", "sum_over", "class_weights", "ignore_background", "log_loss"],
      unsupported_when={**ONLY_BATCH, **VARIANTS_ONLY}, conventions=SMP_VARIANT_CONVENTIONS,
      call="smp.losses.DiceLoss(mode='multilabel', from_logits=False, smooth=smooth / 2, "
           + _CLASSES_CALL + ")(input, target)")
def dice_smp_variants(input, target, *, smooth, sum_over, class_weights, ignore_background,
                      log_loss):
    return losses.DiceLoss(mode="multilabel", from_logits=False, smooth=smooth / 2,
                           **_variant_options(input, class_weights, ignore_background,
                                              log_loss))(input, target)


@path("jaccard", "smp.losses.JaccardLoss(class_weights=, classes=, log_loss=)",
      params=["smooth", "sum_over", "class_weights", "ignore_background", "log_loss"],
      unsupported_when={**ONLY_BATCH, **VARIANTS_ONLY}, conventions=SMP_VARIANT_CONVENTIONS,
      call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False, smooth=smooth, "
           + _CLASSES_CALL + ")(input, target)")
def jaccard_smp_variants(input, target, *, smooth, sum_over, class_weights, ignore_background,
                         log_loss):
    return losses.JaccardLoss(mode="multilabel", from_logits=False, smooth=smooth,
                              **_variant_options(input, class_weights, ignore_background,
                                                 log_loss))(input, target)


# found by fuzzing: smp's `loss ** gamma` on a float16 loss raises "value cannot be converted to
# type c10::Half without overflow" for gamma = 1e6 (torch casts the exponent to the tensor's dtype)
HALF_GAMMA = {"gamma above 65504, float16's largest number (torch casts the exponent of "
              "`loss ** gamma` to a float16 loss's dtype and raises 'value cannot be converted "
              "to type c10::Half without overflow')": lambda p, e, i: p["gamma"] > 65504}


@path("tversky", "smp.losses.TverskyLoss(gamma=, class_weights=, classes=, log_loss=)",
      params=["alpha", "beta", "smooth", "sum_over", "class_weights", "ignore_background",
              "gamma", "log_loss"],
      unsupported_when={**ONLY_BATCH, **VARIANTS_ONLY, **HALF_GAMMA},
      conventions=[*SMP_VARIANT_CONVENTIONS, "smp_focal_tversky_power_of_mean"],
      call="smp.losses.TverskyLoss(mode='multilabel', from_logits=False, alpha=alpha, "
           "beta=beta, smooth=smooth, gamma=gamma, " + _CLASSES_CALL + ")(input, target)")
def tversky_smp_variants(input, target, *, alpha, beta, smooth, sum_over, class_weights,
                         ignore_background, gamma, log_loss):
    return losses.TverskyLoss(mode="multilabel", from_logits=False, alpha=alpha, beta=beta,
                              smooth=smooth, gamma=gamma,
                              **_variant_options(input, class_weights, ignore_background,
                                                 log_loss))(input, target)

_VARIANT_SRC = " (segmentation_models_pytorch/losses/dice.py DiceLoss.forward and tversky.py " \
               "TverskyLoss.aggregate_loss, 0.6.0)"
saw("smp_focal_tversky_power_of_mean",
    path="tversky/smp.losses.TverskyLoss(gamma=, class_weights=, classes=, log_loss=)",
    case="tversky/hand-gamma-2-batch-and-spatial-mean/none",
    call="smp.losses.TverskyLoss(mode='multilabel', from_logits=False, smooth=1.0, gamma=2.0)("
         "p, t) on the case's (2, 2, 2) float64 arrays (class losses 0.125 and 0.25)",
    seen="0.03515625 = ((0.125 + 0.25) / 2)^2; canonical 0.0390625 = (0.125^2 + 0.25^2) / 2",
    versions=SEEN_ON, link=SMP_DOCS + _VARIANT_SRC + ": 'return loss.mean() ** self.gamma'")
saw("smp_class_weighted_mean_over_weights",
    path="tversky/smp.losses.TverskyLoss(gamma=, class_weights=, classes=, log_loss=)",
    case="tversky/hand-weights-0-4-batch-and-spatial-mean/none",
    call="smp.losses.TverskyLoss(mode='multilabel', from_logits=False, alpha=0.5, beta=0.25, "
         "smooth=0.25, class_weights=[0.0, 4.0])(p, t) on the case's (2, 2, 2) float64 arrays "
         "(class losses 5/21 and 0.25)",
    seen="0.25 = (0 x 5/21 + 4 x 0.25) / 4, the weights' sum; canonical 0.5 (divided by the 2 "
         "class losses)", versions=SEEN_ON, link=SMP_DOCS + _VARIANT_SRC)
saw("smp_class_weighted_mean_over_weights",
    path="jaccard/smp.losses.JaccardLoss(class_weights=, classes=, log_loss=)",
    case="jaccard/hand-weights-2-1-batch-and-spatial-mean/none",
    call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False, smooth=0.5, "
         "class_weights=[2.0, 1.0])(p, t) on the case's (2, 2, 2) float64 arrays (each class's "
         "loss 0.5)",
    seen="0.5 = (2 x 0.5 + 1 x 0.5) / 3, the weights' sum; canonical 0.75 (divided by the 2 "
         "class losses)", versions=SEEN_ON, link=SMP_DOCS + _VARIANT_SRC)
saw("smp_log_loss_index_clamped_to_eps",
    path="jaccard/smp.losses.JaccardLoss(class_weights=, classes=, log_loss=)",
    case="jaccard/hand-log-tiny-index-batch-and-spatial-mean/none",
    call="smp.losses.JaccardLoss(mode='multilabel', from_logits=False, smooth=0.0, "
         "log_loss=True)(p, t) on the case's (2, 1, 2) float64 arrays (J = 5e-10), and its "
         "backward",
    seen="16.11809565095832 = -log(1e-7), gradient 0 everywhere; canonical -log(5e-10) = "
         "21.416413017506358, gradient -1e9 at the target pixel",
    versions=SEEN_ON, link=SMP_DOCS + _VARIANT_SRC + ": 'loss = -torch.log(scores.clamp_min("
                                                     "self.eps))'")
