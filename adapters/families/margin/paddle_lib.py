"""PaddlePaddle paths of the margin family (spec.py beside this file): soft_margin_loss and
multilabel_soft_margin_loss (paddle: multi_label_soft_margin_loss), functional and class.

soft_margin_loss computes log(1 + exp(-y x)) as written, like torch: its overflow conventions are
torch's, one path per dtype (float64's threshold 709.78, float32's 88.72). Not yet paths (failing
checks whose conventions are still to be written): multi_margin_loss (values about 1e-8 off in
float64) and multi_label_margin_loss."""
from __future__ import annotations

from adapters.paddle_lib import DTYPES, NO_HALF, SEEN_ON, F, adapter, nn, path

SOFT_MARGIN_DTYPES = {"torch_soft_margin_exp_overflows": ("", ["float64"]),
                      "torch_soft_margin_exp_overflows_float32": ("-float32", ["float32"])}


def soft_margin_functional(input, target, *, reduction):
    return F.soft_margin_loss(input, target, reduction=reduction)


def soft_margin_module(input, target, *, reduction):
    return nn.SoftMarginLoss(reduction=reduction)(input, target)


for _conv, (_suffix, _dtypes) in SOFT_MARGIN_DTYPES.items():
    path("soft_margin_loss", "functional" + _suffix, params=["reduction"], conventions=[_conv],
         dtypes=_dtypes, notes="each dtype's overflow threshold is its own path and convention",
         call="paddle.nn.functional.soft_margin_loss(input, target, reduction=reduction)")(
        soft_margin_functional)
    path("soft_margin_loss", "module" + _suffix, params=["reduction"], conventions=[_conv],
         dtypes=_dtypes, notes="each dtype's overflow threshold is its own path and convention",
         call="paddle.nn.SoftMarginLoss(reduction=reduction)(input, target)")(soft_margin_module)


@path("multilabel_soft_margin_loss", "functional", params=["weight", "reduction"], dtypes=DTYPES,
      notes=NO_HALF,
      call="paddle.nn.functional.multi_label_soft_margin_loss(input, target, weight=weight, "
           "reduction=reduction)")
def multilabel_soft_margin_functional(input, target, *, weight, reduction):
    return F.multi_label_soft_margin_loss(input, target, weight=weight, reduction=reduction)


@path("multilabel_soft_margin_loss", "module", params=["weight", "reduction"], dtypes=DTYPES,
      notes=NO_HALF,
      call="paddle.nn.MultiLabelSoftMarginLoss(weight=weight, reduction=reduction)(input, "
           "target)")
def multilabel_soft_margin_module(input, target, *, weight, reduction):
    return nn.MultiLabelSoftMarginLoss(weight=weight, reduction=reduction)(input, target)


adapter.saw("torch_soft_margin_exp_overflows", path="soft_margin_loss/functional",
            case="soft_margin_loss/large-logits/none",
            call="paddle.nn.functional.soft_margin_loss(paddle.to_tensor([1e4, -1e4, 1e4, -1e4, "
                 "0.]), paddle.to_tensor([1., 1., -1., -1., 1.]), reduction='none')",
            seen="[0, inf, inf, 0, 0.6931471806] (canonical [0, 1e4, 1e4, 0, 0.693]); gradient "
                 "[-5.6e-309, nan, nan, 5.6e-309, -0.5] (canonical [-0, -1, 1, 0, -0.5])",
            versions=SEEN_ON)
