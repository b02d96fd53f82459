"""Planted bug: kornia's dice_loss(average='micro') read as one Dice over the whole batch
(canonical sum_over='all'), where it computes one Dice per sample over its classes and pixels and
averages those over the batch (sum_over='classes_and_spatial'): the two differ whenever the
samples' Dice values differ."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_dice_loss/unet-one-hot-all-mean-float64')
import kornia.losses
import numpy as np
from adapters.pytorch import TorchBackend, torch
from adapters.registry import declare_adapter

bug = declare_adapter("bug_kornia_dice_micro_as_one_dice", TorchBackend())


def _refused(p, e, i):
    t = np.asarray(i.get("target"))
    one_hot = np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1)
    return p["sum_over"] != "all" or not one_hot or bool(np.any(np.asarray(i.get("input")) == 0))


@bug.path("soft_dice_loss", "dice_loss-micro", ndims=[4], params=["smooth", "sum_over"],
          conventions=["dice_softmax_of_log_input", "kornia_eps_in_denominator_only"],
          unsupported_when={"not sum_over='all', a one-hot target, an input without 0": _refused},
          call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='micro', "
               "eps=smooth)")
def dice(input, target, *, smooth, sum_over):
    return kornia.losses.dice_loss(torch.log(input), target.argmax(1), average="micro", eps=smooth)
