"""PaddlePaddle paths of the regression family (spec.py beside this file): l1_loss, mse_loss
(also square_error_cost), smooth_l1_loss and huber_loss.

paddle has one function for both smooth L1 and Huber: paddle.nn.functional.smooth_l1_loss(input,
label, reduction, delta, is_huber). Seen in paddlepaddle 3.3.1 on d = [-3, -1.5, -0.5, 0, 0.3, 0.9,
2] with delta 0.5 and 2: is_huber=True (the default) gives torch's huber_loss(delta=delta),
is_huber=False torch's smooth_l1_loss(beta=delta); at delta = 1 the two agree. So its default
call is a Huber loss, not PyTorch's SmoothL1Loss, and paddle.nn.SmoothL1Loss() is nn.HuberLoss().
"""
from __future__ import annotations

from adapters.paddle_lib import DTYPES, NO_HALF, F, nn, path, reduce


@path("l1_loss", "functional", params=["reduction"], dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.functional.l1_loss(input, target, reduction=reduction)")
def l1_functional(input, target, *, reduction):
    return F.l1_loss(input, target, reduction=reduction)


@path("l1_loss", "module", params=["reduction"], dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.L1Loss(reduction=reduction)(input, target)")
def l1_module(input, target, *, reduction):
    return nn.L1Loss(reduction=reduction)(input, target)


@path("mse_loss", "functional", params=["reduction"], dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.functional.mse_loss(input, target, reduction=reduction)")
def mse_functional(input, target, *, reduction):
    return F.mse_loss(input, target, reduction=reduction)


@path("mse_loss", "module", params=["reduction"], dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.MSELoss(reduction=reduction)(input, target)")
def mse_module(input, target, *, reduction):
    return nn.MSELoss(reduction=reduction)(input, target)


# the fluid-era elementwise (input - label)^2, no reduction of its own
@path("mse_loss", "square_error_cost", kind="composed", params=["reduction"], dtypes=DTYPES,
      notes=NO_HALF,
      call="reduce(paddle.nn.functional.square_error_cost(input, target), reduction)")
def mse_square_error_cost(input, target, *, reduction):
    return reduce(F.square_error_cost(input, target), reduction)


# beta = 0 divides by zero inside is_huber=False (0.5 d^2 / delta): torch's smooth_l1 turns into
# l1 there, paddle does not (seen: nan where |d| < 0 is impossible, inf/nan gradients at d = 0)
BETA_0 = {"beta = 0 (is_huber=False computes 0.5 d^2 / delta, a division by zero)":
          lambda p, e, i: p["beta"] == 0}


@path("smooth_l1_loss", "functional(is_huber=False)", params=["beta", "reduction"],
      dtypes=DTYPES, notes=NO_HALF, unsupported_when=BETA_0,
      call="paddle.nn.functional.smooth_l1_loss(input, target, reduction=reduction, delta=beta, "
           "is_huber=False)")
def smooth_l1_functional(input, target, *, beta, reduction):
    return F.smooth_l1_loss(input, target, reduction=reduction, delta=beta, is_huber=False)


@path("smooth_l1_loss", "module(is_huber=False)", params=["beta", "reduction"], dtypes=DTYPES,
      notes=NO_HALF, unsupported_when=BETA_0,
      call="paddle.nn.SmoothL1Loss(reduction=reduction, delta=beta, is_huber=False)(input, "
           "target)")
def smooth_l1_module(input, target, *, beta, reduction):
    return nn.SmoothL1Loss(reduction=reduction, delta=beta, is_huber=False)(input, target)


@path("huber_loss", "smooth_l1_loss", params=["delta", "reduction"], dtypes=DTYPES,
      notes=NO_HALF,
      call="paddle.nn.functional.smooth_l1_loss(input, target, reduction=reduction, "
           "delta=delta)  [is_huber=True, the default]")
def huber_smooth_l1(input, target, *, delta, reduction):
    return F.smooth_l1_loss(input, target, reduction=reduction, delta=delta)


@path("huber_loss", "module", params=["delta", "reduction"], dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.HuberLoss(reduction=reduction, delta=delta)(input, target)")
def huber_module(input, target, *, delta, reduction):
    return nn.HuberLoss(reduction=reduction, delta=delta)(input, target)


@path("huber_loss", "SmoothL1Loss", params=["delta", "reduction"], dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.SmoothL1Loss(reduction=reduction, delta=delta)(input, target)  "
           "[is_huber=True, the default]")
def huber_smooth_l1_module(input, target, *, delta, reduction):
    return nn.SmoothL1Loss(reduction=reduction, delta=delta)(input, target)
