"""Planted bug: MONAI's GeneralizedDiceLoss ported with the infinite weight of a class absent from
the target (T_c = 0, w = 1 / 0) set to 0 instead of the largest finite weight of the sample: the
absent class's false positives then cost nothing, so a network may paint it anywhere."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'generalized_dice/absent-class-none-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_monai_gdl_absent_class_weight_zero", TorchBackend())


@bug.path("generalized_dice", "gdl", kind="composed",
          params=["weight_type", "smooth", "sum_over", "reduction"],
          call="w = 1 / T**2 with inf -> 0; 1 - (2 sum w I + s) / (sum w (P + T) + s)")
def gdl(input, target, *, weight_type, smooth, sum_over, reduction):
    dims = tuple(range(2, input.ndim))
    if sum_over == "batch_and_spatial":
        dims = (0, *dims)
    inter, volume = (input * target).sum(dims), target.sum(dims)
    w = {"square": 1 / volume ** 2, "simple": 1 / volume,
         "uniform": torch.ones_like(volume)}[weight_type]
    w = torch.where(torch.isinf(w), 0.0, w)
    loss = 1 - (2 * (w * inter).sum(-1) + smooth) / ((w * (input.sum(dims) + volume)).sum(-1)
                                                     + smooth)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
