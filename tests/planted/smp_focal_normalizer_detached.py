"""Planted bug: segmentation_models_pytorch's normalised focal loss (FocalLoss(normalized=True))
ported with its normaliser detached, P = sum (1 - p_t)^gamma taken as a constant (as a port that
writes norm_factor.detach() to "only rescale" would): the values are right, but the gradient
lacks -g_i f'_k / P^2, the path through P that smp's focal_loss_with_logits differentiates."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_gradient', 'sigmoid_focal_loss/normalized-none-float64')
import torch
import torch.nn.functional as F

from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_smp_focal_normalizer_detached", TorchBackend())


@bug.path("sigmoid_focal_loss", "normalized", kind="composed",
          params=["alpha", "gamma", "normalized", "reduction"],
          call="pt = exp(-ce); f = (1 - pt) ** gamma; l = alpha_t f ce / f.sum().detach()")
def focal(input, target, *, alpha, gamma, normalized, reduction):
    ce = F.binary_cross_entropy_with_logits(input, target, reduction="none")
    p_t = torch.sigmoid(input) * target + torch.sigmoid(-input) * (1 - target)
    factor = (1 - p_t) ** gamma
    loss = factor * ce
    if alpha >= 0:
        loss = loss * (alpha * target + (1 - alpha) * (1 - target))
    if normalized:
        loss = loss / factor.sum().detach()
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
