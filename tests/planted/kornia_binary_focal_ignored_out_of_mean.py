"""Planted bug: kornia's binary_focal_loss_with_logits(ignore_index=, reduction='mean') ported
as smp's FocalLoss(ignore_index=) is, the mean over the kept entries (canonical 'weighted_mean'
of a 0/1 mask), where kornia keeps the ignored entries in the mean's divisor (canonical 'mean'
with the mask as sample weights): the two differ wherever an entry is ignored."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'sigmoid_focal_loss/mask-weighted_mean-float64')
import kornia.losses
import numpy as np
from adapters.definitions import is_mask, weights_over
from adapters.pytorch import TorchBackend, torch
from adapters.registry import declare_adapter

bug = declare_adapter("bug_kornia_binary_focal_ignored_out_of_mean", TorchBackend())


def _refused(p, e, i):
    w = weights_over(p["sample_weight"], np.shape(i.get("input")))
    return p["reduction"] != "weighted_mean" or w is None or not is_mask(w)


def _kept(sample_weight, input):
    """The 0/1 mask broadcast over the input (its axes the input's leading ones)."""
    w = sample_weight.reshape(tuple(sample_weight.shape) + (1,) * (input.ndim - sample_weight.ndim))
    return torch.broadcast_to(w, input.shape) != 0


# ndims as kornia's own paths declare (RANKS in adapters/families/focal_dice/kornia_lib.py):
# kornia checks input shape ['B', 'C', '*'], so 1-D input raises ShapeError, not the bug
@bug.path("sigmoid_focal_loss", "binary_focal_loss_with_logits(ignore_index=)", kind="composed",
          ndims=[2, 3, 4, 5], params=["alpha", "gamma", "sample_weight", "reduction"],
          conventions=["kornia_binary_focal_soft_target_terms_split"],
          unsupported_when={"not 'weighted_mean' with a 0/1 mask": _refused},
          call="kornia.losses.binary_focal_loss_with_logits(input, torch.where(sample_weight == "
               "0, -1, target), alpha=None if alpha < 0 else alpha, gamma=gamma, "
               "reduction='mean', ignore_index=-1)")
def focal(input, target, *, alpha, gamma, sample_weight, reduction):
    return kornia.losses.binary_focal_loss_with_logits(
        input, torch.where(_kept(sample_weight, input), target, -1.0),
        alpha=None if alpha < 0 else alpha,
        gamma=gamma, reduction="mean", ignore_index=-1)
