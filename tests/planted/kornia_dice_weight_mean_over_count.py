"""Planted bug: kornia's dice_loss(average='macro', weight=w) declared as the canonical
class_weights averaged by the count of the present classes (kornia_mean_over_present_classes
alone), where kornia divides each sample's weighted sum by the present classes' weights
(kornia_dice_weighted_mean_over_present_weights): the two differ wherever the present classes'
weights do not sum to their count."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_dice_loss/one-hot-every-class-weights-mean-float64')
import kornia.losses
import numpy as np
from adapters.pytorch import TorchBackend, torch
from adapters.registry import declare_adapter

bug = declare_adapter("bug_kornia_dice_weight_mean_over_count", TorchBackend())


def _refused(p, e, i):
    t = np.asarray(i.get("target"))
    one_hot = np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1)
    return (p["class_weights"] is None or not one_hot
            or bool(np.any(np.asarray(i.get("input")) == 0)))


@bug.path("soft_dice_loss", "dice_loss(weight=)-macro", ndims=[4],
          params=["smooth", "class_weights"],
          conventions=["dice_softmax_of_log_input", "kornia_eps_in_denominator_only",
                       "kornia_mean_over_present_classes"],
          unsupported_when={"no class_weights, a target not one-hot, an input with 0": _refused},
          call="kornia.losses.dice_loss(torch.log(input), target.argmax(1), average='macro', "
               "eps=smooth, weight=class_weights)")
def dice(input, target, *, smooth, class_weights):
    return kornia.losses.dice_loss(torch.log(input), target.argmax(1), average="macro",
                                   eps=smooth, weight=class_weights)
