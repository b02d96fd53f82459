"""Planted bug: segmentation_models_pytorch's TverskyLoss(gamma=) ported as the focal Tversky
loss: the mean of the class losses raised to gamma, where the focal Tversky loss (Abraham and Khan
2019, eq. 4) raises each class's loss (smp_focal_tversky_power_of_mean, undeclared)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'tversky/hand-gamma-2-batch-and-spatial-mean-float64')
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_smp_tversky_gamma_on_mean", TorchBackend())


@bug.path("tversky", "tversky", kind="composed",
          params=["alpha", "beta", "smooth", "gamma", "sum_over"],
          unsupported_when={"sum_over other than 'batch_and_spatial'":
                            lambda p, e, i: p["sum_over"] != "batch_and_spatial"},
          call="l_c = 1 - (I + s) / (I + alpha FP + beta FN + s) over (0, 2..); mean(l) ** gamma")
def tversky(input, target, *, alpha, beta, smooth, gamma, sum_over):
    dims = (0, *range(2, input.ndim))
    tp = (input * target).sum(dims)
    fp, fn = (input * (1 - target)).sum(dims), ((1 - input) * target).sum(dims)
    loss = 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)
    return loss.mean() ** gamma
