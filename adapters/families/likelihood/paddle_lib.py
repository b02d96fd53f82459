"""PaddlePaddle paths of the likelihood family (spec.py beside this file): poisson_nll_loss and
gaussian_nll_loss, functional and class. paddle names torch's `eps` `epsilon` and the variance
argument `variance`."""
from __future__ import annotations

from adapters.paddle_lib import DTYPES, NO_HALF, SEEN_ON, F, adapter, nn, path

POISSON_PARAMS = ["log_input", "full", "eps", "reduction"]


@path("poisson_nll_loss", "functional", params=POISSON_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.functional.poisson_nll_loss(input, target, log_input=log_input, full=full, "
           "epsilon=eps, reduction=reduction)")
def poisson_functional(input, target, *, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input=log_input, full=full, epsilon=eps,
                              reduction=reduction)


@path("poisson_nll_loss", "module", params=POISSON_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.PoissonNLLLoss(log_input=log_input, full=full, epsilon=eps, "
           "reduction=reduction)(input, target)")
def poisson_module(input, target, *, log_input, full, eps, reduction):
    return nn.PoissonNLLLoss(log_input=log_input, full=full, epsilon=eps,
                             reduction=reduction)(input, target)


GAUSSIAN_PARAMS = ["full", "eps", "reduction"]
VAR_CUT = ["paddle_gaussian_nll_var_not_differentiated"]
# paddle takes var of the input's shape, or of it with the last axis 1: torch's other shapes
# (one dimension fewer, or another axis of size 1) raise "ValueError: variance is of incorrect
# shape"
VAR_SHAPES = {"var of another shape than input's or input's with the last axis 1 (ValueError: "
              "variance is of incorrect shape)":
              lambda p, e, i: tuple(i["var"].shape) not in (
                  tuple(i["input"].shape), tuple(i["input"].shape[:-1]) + (1,))}


@path("gaussian_nll_loss", "functional", params=GAUSSIAN_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      conventions=VAR_CUT, unsupported_when=VAR_SHAPES,
      call="paddle.nn.functional.gaussian_nll_loss(input, target, var, full=full, epsilon=eps, "
           "reduction=reduction)")
def gaussian_functional(input, target, var, *, full, eps, reduction):
    return F.gaussian_nll_loss(input, target, var, full=full, epsilon=eps, reduction=reduction)


@path("gaussian_nll_loss", "module", params=GAUSSIAN_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      conventions=VAR_CUT, unsupported_when=VAR_SHAPES,
      call="paddle.nn.GaussianNLLLoss(full=full, epsilon=eps, reduction=reduction)(input, "
           "target, var)")
def gaussian_module(input, target, var, *, full, eps, reduction):
    return nn.GaussianNLLLoss(full=full, epsilon=eps, reduction=reduction)(input, target, var)


adapter.saw("paddle_gaussian_nll_var_not_differentiated", path="gaussian_nll_loss/functional",
            case="gaussian_nll_loss/batch-mean/none",
            call="paddle.grad([paddle.nn.functional.gaussian_nll_loss(x, t, var)], [x, t, var], "
                 "allow_unused=True)  (x, t, var of case batch-mean, 4 x 3)",
            seen="input and target gradients canonical; var: None (without allow_unused: "
                 "ValueError 'The 0-th input does not appear in the backward graph'), where the "
                 "canonical gradient is [[0.0310609225, 0.0082861078, 0.0050153932], ...]",
            versions=SEEN_ON, link="no public documentation found (paddle/nn/functional/loss.py "
                                   "clips a clone of variance in place under paddle.no_grad)")
