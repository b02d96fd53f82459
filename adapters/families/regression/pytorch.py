"""PyTorch paths of the regression family (spec.py beside this file): l1, mse, smooth_l1, huber,
functional and module forms, and the hand-written MSEs of the seeds; log_cosh,
mean_absolute_percentage_error and mean_squared_logarithmic_error, which torch lacks, composed.
"""
from __future__ import annotations

import functools
import math

from adapters.definitions import WEIGHTED_MEAN
from adapters.pytorch import F, nn, path, reduce, torch

# ---------------------------------------------------------------- l1, mse, smooth_l1, huber

@path("l1_loss", "functional", params=["reduction"],
      call="torch.nn.functional.l1_loss(input, target, reduction=reduction)")
def l1_functional(input, target, *, reduction):
    return F.l1_loss(input, target, reduction=reduction)


@path("l1_loss", "module", params=["reduction"],
      call="torch.nn.L1Loss(reduction=reduction)(input, target)")
def l1_module(input, target, *, reduction):
    return nn.L1Loss(reduction=reduction)(input, target)


@path("mse_loss", "functional", params=["reduction"],
      call="torch.nn.functional.mse_loss(input, target, reduction=reduction)")
def mse_functional(input, target, *, reduction):
    return F.mse_loss(input, target, reduction=reduction)


@path("mse_loss", "module", params=["reduction"],
      call="torch.nn.MSELoss(reduction=reduction)(input, target)")
def mse_module(input, target, *, reduction):
    return nn.MSELoss(reduction=reduction)(input, target)


# The two custom MSEs the seeds contrast with nn.MSELoss (002_56437d9d0e5a06b9.txt): a function
# and an nn.Module subclass, both torch.mean(torch.square(...)): reduction='mean' only.
def custom_mean_square_error(y_predictions, target):
    square = torch.square(y_predictions - target)
    return torch.mean(square)


@path("mse_loss", "custom_mean_square_error", kind="composed",
      call="torch.mean(torch.square(input - target))  [a hand-written function]")
def mse_custom_function(input, target):
    return custom_mean_square_error(input, target)


@functools.cache
def _custom_mse_class():

    class Custom_MSE(nn.Module):
        def forward(self, predictions, target):
            square = torch.square(predictions - target)
            return torch.mean(square)
    return Custom_MSE


@path("mse_loss", "Custom_MSE(nn.Module)", kind="composed",
      call="Custom_MSE()(input, target), forward = torch.mean(torch.square(predictions - target))"
           "  [an nn.Module subclass]")
def mse_custom_module(input, target):
    return _custom_mse_class()()(input, target)


@path("smooth_l1_loss", "functional", params=["beta", "reduction"],
      call="torch.nn.functional.smooth_l1_loss(input, target, reduction=reduction, beta=beta)")
def smooth_l1_functional(input, target, *, beta, reduction):
    return F.smooth_l1_loss(input, target, reduction=reduction, beta=beta)


@path("smooth_l1_loss", "module", params=["beta", "reduction"],
      call="torch.nn.SmoothL1Loss(reduction=reduction, beta=beta)(input, target)")
def smooth_l1_module(input, target, *, beta, reduction):
    return nn.SmoothL1Loss(reduction=reduction, beta=beta)(input, target)


@path("smooth_l1_loss", "huber_loss(delta=beta).div(beta)", kind="composed",
      params=["beta", "reduction"],
      call="torch.nn.functional.huber_loss(input, target, reduction=reduction, delta=beta) / beta "
           "if beta > 0 else torch.nn.functional.l1_loss(input, target, reduction=reduction)")
def smooth_l1_via_huber(input, target, *, beta, reduction):
    if beta == 0:
        return F.l1_loss(input, target, reduction=reduction)
    return F.huber_loss(input, target, reduction=reduction, delta=beta) / beta


@path("huber_loss", "functional", params=["delta", "reduction"],
      call="torch.nn.functional.huber_loss(input, target, reduction=reduction, delta=delta)")
def huber_functional(input, target, *, delta, reduction):
    return F.huber_loss(input, target, reduction=reduction, delta=delta)


# ---------------------------------------------------------------- weight= (torch 2.x functional)
# F.l1_loss, F.mse_loss and F.huber_loss take `weight`, of the input's full shape ("Weights and
# input must have the same size" otherwise): the paths broadcast the sample weights to it. Their
# reduction='mean' divides differently: l1 and mse by sum(weight), the canonical 'weighted_mean';
# huber by the number of elements, the canonical 'mean' (torch 2.13: on x = [[1, 2, 3], [4, 5,
# 6]], y = 0, weight rows 0.5 and 2: mse 21.4667 = sum(w l) / sum(w), huber 4.875 = sum(w l) / 6).
# The other mean is reduction='sum' divided by its divisor, as a user writes it. Composed: the
# weights are broadcast first, and the user's `(loss * w)` paths (*sample_weight) are kept beside.

def _full_weight(sample_weight, input):
    w = sample_weight.reshape(*sample_weight.shape, *[1] * (input.ndim - sample_weight.ndim))
    return w.to(input.dtype).expand_as(input)


def _weighted_functional(fn, mean, input, target, reduction, sample_weight, **kw):
    w = _full_weight(sample_weight, input)
    if reduction == mean:
        return fn(input, target, reduction="mean", weight=w, **kw)
    if reduction in ("mean", WEIGHTED_MEAN):       # the mean torch's weighted 'mean' is not
        total = fn(input, target, reduction="sum", weight=w, **kw)
        return total / (w.sum() if reduction == WEIGHTED_MEAN else input.numel())
    return fn(input, target, reduction=reduction, weight=w, **kw)


def _declare_weighted(loss, fn, mean, extra=()):
    kwargs = "".join(f", {p}={p}" for p in extra)
    other = "input.numel()" if mean == WEIGHTED_MEAN else "weight.sum()"
    path(loss, "functional(weight=)", kind="composed",
         params=[*extra, "reduction", "sample_weight"],
         unsupported_when={"cases without sample weights (it is functional then)":
                           lambda p, e, i: p["sample_weight"] is None},
         call=f"weight = sample_weight.reshape(*sample_weight.shape, *[1] * (input.ndim - "
              f"sample_weight.ndim)).expand_as(input); torch.nn.functional.{fn}(input, target"
              f"{kwargs}, weight=weight, reduction={{{mean!r}: 'mean'}}.get(reduction, "
              f"reduction))  [the other mean: reduction='sum' / {other}]")(
        lambda input, target, *, reduction, sample_weight, **kw: _weighted_functional(
            getattr(F, fn), mean, input, target, reduction, sample_weight, **kw))


_declare_weighted("l1_loss", "l1_loss", WEIGHTED_MEAN)
_declare_weighted("mse_loss", "mse_loss", WEIGHTED_MEAN)
_declare_weighted("huber_loss", "huber_loss", "mean", extra=("delta",))


@path("huber_loss", "module", params=["delta", "reduction"],
      call="torch.nn.HuberLoss(reduction=reduction, delta=delta)(input, target)")
def huber_module(input, target, *, delta, reduction):
    return nn.HuberLoss(reduction=reduction, delta=delta)(input, target)


# ---------------------------------------------------------------- log_cosh, mape, msle
# torch has none of these three (torch.nn.functional and torch.nn, 2.13): composed from torch ops.
# log(cosh(d)) written as it reads overflows (cosh(d) = inf beyond |d| = 89 in float32, 710 in
# float64); torch.logaddexp(d, -d) - log 2 is the same function without overflow.

@path("log_cosh", "torch.logaddexp", kind="composed", params=["reduction"],
      call="d = input - target; reduce(torch.logaddexp(d, -d) - math.log(2), reduction)")
def log_cosh_logaddexp(input, target, *, reduction):
    d = input - target
    return reduce(torch.logaddexp(d, -d) - math.log(2.0), reduction)


@path("mean_absolute_percentage_error", "torch.abs", kind="composed", params=["reduction"],
      call="reduce(100 * torch.abs(input - target) / torch.abs(target), reduction)")
def mape_torch(input, target, *, reduction):
    return reduce(100.0 * torch.abs(input - target) / torch.abs(target), reduction)


@path("mean_squared_logarithmic_error", "torch.log1p", kind="composed", params=["reduction"],
      call="reduce(torch.square(torch.log1p(input) - torch.log1p(target)), reduction)")
def msle_torch(input, target, *, reduction):
    return reduce(torch.square(torch.log1p(input) - torch.log1p(target)), reduction)
