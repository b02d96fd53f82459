"""Planted bug: Poisson NLL with the Stirling term added where target >= 1 (the formula alone,
without PyTorch's rule that targets <= 1 add 0): -0.0811 too much at every count of exactly 1."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'poisson_nll_loss/full-none-float64')
import math

import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_likelihood_stirling_from_1", TorchBackend())


@bug.path("poisson_nll_loss", "stirling>=1", params=["log_input", "full", "eps", "reduction"],
          call="exp(x) - y x (or x - y log(x + eps)) + where(y >= 1, y log y - y + 0.5 log(2 pi y), 0)")
def poisson(input, target, *, log_input, full, eps, reduction):
    loss = torch.exp(input) - target * input if log_input else input - target * torch.log(input + eps)
    if full:
        y = torch.where(target >= 1, target, torch.ones_like(target))
        stirling = y * torch.log(y) - y + 0.5 * torch.log(2 * math.pi * y)
        loss = loss + torch.where(target >= 1, stirling, torch.zeros_like(target))
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
