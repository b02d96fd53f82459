"""segmentation_models_pytorch paths of the focal_dice family (spec.py beside this file):
smp.losses 0.6.0 DiceLoss (soft_dice_loss), JaccardLoss (jaccard) and TverskyLoss (tversky).

All three compute soft_tversky_score over the axes (0, 2) of the input reshaped to (N, C, -1):
one value per class with the batch and the spatial axes summed (canonical sum_over=
'batch_and_spatial'), then the mean over the classes (canonical reduction 'mean'); they take no
reduction. mode='multilabel' takes a target of the input's shape, as the canonical losses;
from_logits=False takes probabilities (from_logits=True applies sigmoid or softmax first, the
user's step before a canonical loss). mode='multiclass' takes class indices (N, d1..dk): its
path passes the indices of a hard one-hot target.
"""
from __future__ import annotations

from adapters.smp_lib import SEEN_ON, SMP_DOCS, adapter, losses, path  # noqa: F401

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


# the call that agrees with the canonical smoothing: smooth halved
@path("soft_dice_loss", "smp.losses.DiceLoss(smooth=smooth*0.5)", params=["smooth", "sum_over"],
      unsupported_when=ONLY_BATCH, conventions=SMP_CONVENTIONS,
      call="smp.losses.DiceLoss(mode='multilabel', from_logits=False, smooth=smooth / 2)(input, "
           "target)")
def dice_smp_half(input, target, *, smooth, sum_over):
    return losses.DiceLoss(mode="multilabel", from_logits=False, smooth=smooth / 2)(input, target)


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
# gamma (the focal Tversky exponent on the mean) left at 1: no canonical focal Tversky loss

@path("tversky", "smp.losses.TverskyLoss", params=["alpha", "beta", "smooth", "sum_over"],
      unsupported_when=ONLY_BATCH, conventions=SMP_CONVENTIONS,
      call="smp.losses.TverskyLoss(mode='multilabel', from_logits=False, alpha=alpha, beta=beta, "
           "smooth=smooth)(input, target)")
def tversky_smp(input, target, *, alpha, beta, smooth, sum_over):
    return losses.TverskyLoss(mode="multilabel", from_logits=False, alpha=alpha, beta=beta,
                              smooth=smooth)(input, target)


# ---------------------------------------------------------------- sigmoid_focal_loss
# FocalLoss(from_logits=True) calls focal_loss_with_logits (alpha, gamma, reduction): mode='binary'
# flattens input and target, so its 'none' is the flat (N d1..dk,) loss (the composed path
# reshapes it); mode='multilabel' computes each class's loss with that reduction, then the mean
# over the classes: the canonical mean (equal class sizes), but 'sum' becomes sum / C and 'none'
# a mean, so its path declares no reduction (the default 'mean' only). alpha=None turns the
# weighting off, as canonical alpha < 0. Left: normalized=True (divides by the sum of the focal
# factors, arXiv:1909.07829; Lin et al. do not) and reduced_threshold (the reduced focal loss of
# Sergievskiy and Ponamarev, arXiv:1903.01347): no canonical parameter yet; ignore_index
# (targets in [0, 1] never equal it); class_weights (multilabel: a weighted mean of the classes).

# 1 - exp(-ce) by subtraction, then pow: 0 where the logit saturates, a nan gradient for
# 0 < gamma < 1 (torch's pow derivative gamma 0^(gamma - 1) = inf meets 0), as torchvision's
SMP_FOCAL = ["smp_focal_p_t_is_exp_of_minus_ce", "focal_pow_grad_nan_where_p_t_is_1"]
@path("sigmoid_focal_loss", "smp.losses.FocalLoss(mode='binary')", kind="composed",
      params=["alpha", "gamma", "reduction"], conventions=SMP_FOCAL,
      call="smp.losses.FocalLoss(mode='binary', alpha=None if alpha < 0 else alpha, gamma=gamma, "
           "reduction=reduction)(input, target), reshaped to input.shape for 'none'")
def focal_smp_binary(input, target, *, alpha, gamma, reduction):
    loss = losses.FocalLoss(mode="binary", alpha=None if alpha < 0 else alpha, gamma=gamma,
                            reduction=reduction)(input, target)
    return loss.reshape(input.shape) if reduction == "none" else loss


@path("sigmoid_focal_loss", "smp.losses.FocalLoss(mode='multilabel')",
      params=["alpha", "gamma"], ndims=[2, 3, 4, 5], conventions=SMP_FOCAL,
      call="smp.losses.FocalLoss(mode='multilabel', alpha=None if alpha < 0 else alpha, "
           "gamma=gamma)(input, target)  [reduction='mean', its default]")
def focal_smp_multilabel(input, target, *, alpha, gamma):
    return losses.FocalLoss(mode="multilabel", alpha=None if alpha < 0 else alpha,
                            gamma=gamma)(input, target)


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

# Seen, but no convention or path:
PROBED = (
    "DiceLoss, JaccardLoss and TverskyLoss reshape the input to (N, C, -1) and sum over (0, 2): "
    "one value per class over batch and space, then loss.mean() over the classes (or "
    "(loss * class_weights).sum() / class_weights.sum()); no per-sample or 'none' output",
    "TverskyLoss(gamma=g) returns mean ** g, the focal Tversky loss (Abraham and Khan 2019): no "
    "canonical loss, left at 1",
    "log_loss=True returns -log(clamp_min(score, eps)) instead of 1 - score: no canonical loss",
    "importing segmentation_models_pytorch imports timm, which imports torchvision: on a CPU-only "
    "torch with the CUDA-linked torchvision 0.28.0 wheel that import fails at register_fake("
    "'torchvision::nms') unless the operator schemas are declared first (import_torchvision)",
)
