"""Planted bug: the Gaussian NLL with eps added to the variance, var + eps, as the functional
docstring of torch 2.13 reads ('Value added to var'), instead of clamping it, max(var, eps):
invisible at eps = 1e-6 on ordinary variances, wrong wherever eps matters."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'gaussian_nll_loss/var-below-large-eps-float64')
import math

import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_likelihood_gaussian_var_plus_eps", TorchBackend())


@bug.path("gaussian_nll_loss", "var+eps", params=["full", "eps", "reduction"],
          call="0.5 * (log(var + eps) + (input - target)**2 / (var + eps))")
def gaussian(input, target, var, *, full, eps, reduction):
    if var.shape != input.shape and var.shape == input.shape[:-1]:
        var = var[..., None]
    v = var + eps
    loss = 0.5 * (torch.log(v) + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
