"""Planted bug: smooth L1 written with beta squared in the quadratic part, 0.5 d^2 / beta^2: the
same as canonical at the default beta = 1, wrong (and discontinuous at |d| = beta) for any other."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'smooth_l1_loss/beta-0.5-none-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_smooth_l1_beta_squared", TorchBackend())


@bug.path("smooth_l1_loss", "smooth_l1", call="where(|d| < beta, 0.5 d^2 / beta**2, |d| - 0.5 beta)",
          params=["beta", "reduction"])
def smooth_l1(input, target, *, beta, reduction):
    d = (input - target).abs()
    loss = d if beta == 0 else torch.where(d < beta, 0.5 * d * d / beta ** 2, d - 0.5 * beta)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
