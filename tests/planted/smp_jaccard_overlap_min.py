"""Planted bug: segmentation_models_pytorch's soft_tversky_score copied as the Jaccard loss: the
intersection (P + T - sum |p - t|) / 2 is sum min(p, t), which equals sum p t for hard targets
only, so soft (probability) targets get another loss (smp_overlap_from_l1_distance, undeclared)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'jaccard/soft-target-none-float64')
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_smp_jaccard_overlap_min", TorchBackend())


@bug.path("jaccard", "jaccard", kind="composed", params=["smooth", "sum_over", "reduction"],
          call="I = (P + T - sum |p - t|) / 2; 1 - (I + s) / (P + T - I + s)")
def jaccard(input, target, *, smooth, sum_over, reduction):
    dims = {"spatial": tuple(range(2, input.ndim)),
            "batch_and_spatial": (0, *range(2, input.ndim)),
            "all": tuple(range(input.ndim))}[sum_over]
    if dims:
        total_p, total_t = input.sum(dims), target.sum(dims)
        inter = (total_p + total_t - (input - target).abs().sum(dims)) / 2
    else:
        total_p, total_t = input, target
        inter = (input + target - (input - target).abs()) / 2
    loss = 1 - (inter + smooth) / (total_p + total_t - inter + smooth)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
