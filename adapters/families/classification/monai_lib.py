"""MONAI paths of the classification family (spec.py beside this file): the cross-entropy term of
monai.losses.DiceCELoss 1.6.1, isolated with lambda_dice=0 (its Dice term is checked as
soft_dice_loss, adapters/families/focal_dice/monai_lib.py).

DiceCELoss builds torch.nn.CrossEntropyLoss(weight=weight, reduction=reduction,
label_smoothing=label_smoothing) and passes it the logits (N, C, d1..dk) and the target: a
one-channel target (N, 1, d1..dk) is squeezed to class indices, a C-channel one is taken as
class probabilities. So torch's conventions hold, and no ignore_index is offered.
"""
from __future__ import annotations

import numpy as np

from adapters.families.classification.pytorch import CE_CONVENTIONS
from adapters.monai_lib import adapter, losses, path  # noqa: F401
from adapters.pytorch import torch

ALL_IGNORED = "all_ignored_mean_gradient_is_zero"   # needs ignore_index, which it lacks


def _refused(params, encoding, inputs):
    """Index targets holding ignore_index (no ignore_index: the Dice term's one-hot fails) or
    logits of -inf (the Dice term is nan there, and 0 * nan = nan)."""
    x = inputs["input"]
    held = encoding == "index" and (inputs["target"] == params["ignore_index"]).any()
    return bool(held or not np.isfinite(x).all())


@path("cross_entropy", "monai.losses.DiceCELoss(lambda_dice=0)", kind="composed",
      params=["weight", "label_smoothing", "reduction"], ndims=[2, 3, 4, 5],
      conventions=[c for c in CE_CONVENTIONS if c != ALL_IGNORED],
      unsupported_when={"reduction='none' (DiceCELoss takes 'mean' or 'sum' only)":
                        lambda p, e, i: p["reduction"] == "none",
                        "index targets holding ignore_index (DiceCELoss has none, and its Dice "
                        "term one-hot encodes every index) or non-finite logits (the Dice term is "
                        "nan there, and lambda_dice=0 times nan is nan)": _refused},
      call="monai.losses.DiceCELoss(weight=weight, label_smoothing=label_smoothing, "
           "reduction=reduction, lambda_dice=0.0, to_onehot_y=index target)(input, index target "
           "as target[:, None] or the one_hot/probs target)  [its cross-entropy term]")
def ce_monai_dice_ce(input, target, *, weight, label_smoothing, reduction):
    index = target.dtype == torch.int64
    # the Dice term sees a one-hot target (to_onehot_y), weighted by 0
    return losses.DiceCELoss(weight=weight, label_smoothing=label_smoothing, reduction=reduction,
                             lambda_dice=0.0, to_onehot_y=index)(
        input, target[:, None] if index else target)
