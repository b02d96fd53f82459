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
