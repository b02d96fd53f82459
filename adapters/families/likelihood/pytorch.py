"""PyTorch paths of the likelihood family (spec.py beside this file)."""
from __future__ import annotations

import math

from adapters.pytorch import SEEN_ON, TORCH_DOCS, F, adapter, nn, path, reduce, torch  # noqa: F401

POISSON_PARAMS = ["log_input", "full", "eps", "reduction"]


@path("poisson_nll_loss", "functional", params=POISSON_PARAMS,
      call="torch.nn.functional.poisson_nll_loss(input, target, log_input=log_input, full=full, "
           "eps=eps, reduction=reduction)")
def poisson_functional(input, target, *, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input=log_input, full=full, eps=eps,
                                 reduction=reduction)


@path("poisson_nll_loss", "module", params=POISSON_PARAMS,
      call="torch.nn.PoissonNLLLoss(log_input=log_input, full=full, eps=eps, "
           "reduction=reduction)(input, target)")
def poisson_module(input, target, *, log_input, full, eps, reduction):
    return nn.PoissonNLLLoss(log_input=log_input, full=full, eps=eps,
                                reduction=reduction)(input, target)


GAUSSIAN_PARAMS = ["full", "eps", "reduction"]
VAR_CLAMP = ["torch_gaussian_nll_var_clamp_passes_gradient"]


@path("gaussian_nll_loss", "functional", params=GAUSSIAN_PARAMS, conventions=VAR_CLAMP,
      call="torch.nn.functional.gaussian_nll_loss(input, target, var, full=full, eps=eps, "
           "reduction=reduction)")
def gaussian_functional(input, target, var, *, full, eps, reduction):
    return F.gaussian_nll_loss(input, target, var, full=full, eps=eps, reduction=reduction)


@path("gaussian_nll_loss", "module", params=GAUSSIAN_PARAMS, conventions=VAR_CLAMP,
      call="torch.nn.GaussianNLLLoss(full=full, eps=eps, reduction=reduction)(input, target, var)")
def gaussian_module(input, target, var, *, full, eps, reduction):
    return nn.GaussianNLLLoss(full=full, eps=eps, reduction=reduction)(input, target, var)


# The definition's gradient (0 below eps) in torch: clamp with autograd watching. torch.clamp
# passes the whole gradient at var == eps (its backward masks var >= eps), as the definition does.
@path("gaussian_nll_loss", "torch.clamp", kind="composed", params=GAUSSIAN_PARAMS,
      call="v = torch.clamp(var (var[..., None] if var.shape == input.shape[:-1]), min=eps); "
           "reduce(0.5 * (torch.log(v) + (input - target)**2 / v) (+ 0.5 * log(2 pi) if full), "
           "reduction)")
def gaussian_clamp(input, target, var, *, full, eps, reduction):
    if var.shape != input.shape and var.shape == input.shape[:-1]:
        var = var[..., None]
    v = torch.clamp(var, min=eps)
    losses = 0.5 * (torch.log(v) + (input - target) ** 2 / v)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return reduce(losses, reduction)


# ---------------------------------------------------------------- evidence of the conventions

GAUSSIAN_DOC = TORCH_DOCS.format("GaussianNLLLoss")
for _p in ("gaussian_nll_loss/functional", "gaussian_nll_loss/module"):
    adapter.saw("torch_gaussian_nll_var_clamp_passes_gradient", path=_p,
                case="gaussian_nll_loss/var-below-eps/none",
                call="F.gaussian_nll_loss(input, target, var, reduction='none').sum().backward() "
                     "with input [[0.5, 1.], [2., -1.]], target [[0., 0.], [1., 1.]], var "
                     "[[1e-8, 4e-6], [0., 2.]] (eps 1e-6)",
                seen="values canonical [[124993.0922, 124993.7854], [499993.0922, 1.3466]]; "
                     "var.grad [[-1.249995e11, -3.1249875e10], [-4.999995e11, -0.25]] = 0.5 (1 / "
                     "max(var, eps) - d^2 / max(var, eps)^2) everywhere; canonical [[0, "
                     "-3.1249875e10], [0, -0.25]] (the clamp is constant below eps)",
                versions=SEEN_ON,
                link=GAUSSIAN_DOC + " (note: 'The clamping of var is ignored with respect to "
                     "autograd, and so the gradients are unaffected by it'); "
                     "https://github.com/pytorch/pytorch/issues/53964")

# Seen, but no convention (canonical here, or outside the canonical domain):
PROBED = (
    "poisson_nll_loss full=True adds the Stirling term only where target > 1: "
    "F.poisson_nll_loss([.5, -1, 2, 0, 1, .3], [0, 1, 1.0001, 2, 1, 3], full=True, "
    "reduction='none') - (full=False) = [0, 0, -0.0810, 0.6518, 0, 1.7641] (the formula gives "
    "-0.0811 at y = 1); documented: 'The approximation is used for target values more than 1. "
    "For targets less or equal to 1 zeros are added to the loss.' (" +
    TORCH_DOCS.format("PoissonNLLLoss") + ")",
    "poisson_nll_loss target gradient (not canonical): with full=True it is nan at target 0 "
    "(0 log 0 inside the masked Stirling term): target.grad [nan, 0.1667, ...]",
    "poisson_nll_loss log_input=False at input 0: value -y log(1e-8) = 18.4207 y, gradient "
    "1 - y / 1e-8 = -1e8 for y = 1, as canonical",
    "gaussian_nll_loss var shapes: (N, C) input takes var (N, C), (N,) [one per row, even when "
    "N == C: var (2,) on (2, 2) input scales rows, not columns], (N, 1) and (1, C); () and "
    "(N, C, 1) raise ValueError('var is of incorrect size'); a negative entry raises "
    "ValueError('var has negative entry/entries')",
    "gaussian_nll_loss eps clamps var (max(var, eps)); the functional docstring says 'Value added "
    "to var' (https://github.com/pytorch/pytorch/pull/190058 fixes the wording)",
)
