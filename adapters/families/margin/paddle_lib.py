"""PaddlePaddle paths of the margin family (spec.py beside this file): soft_margin_loss and
multilabel_soft_margin_loss (paddle: multi_label_soft_margin_loss), functional and class.

soft_margin_loss computes log(1 + exp(-y x)) as written, like torch: its overflow conventions are
torch's, one path per dtype (float64's threshold 709.78, float32's 88.72). multi_margin_loss and
multi_label_margin_loss (canonical multilabel_margin_loss), functional and class, take 2-D input
only (paddle indexes rows with index_sample / input[row_ids])."""
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


# ---------------------------------------------------------------- multi_margin_loss

MULTI_MARGIN_PARAMS = ["p", "margin", "weight", "reduction"]
MULTI_MARGIN = ["paddle_multi_margin_subtracts_margin_term", "hinge_kink_grad_active"]
TWO_D = [2]     # paddle: index_sample(input, label.reshape((-1, 1))) wants (N, C)


@path("multi_margin_loss", "functional", params=MULTI_MARGIN_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      ndims=TWO_D, conventions=MULTI_MARGIN,
      call="paddle.nn.functional.multi_margin_loss(input, target, p=p, margin=margin, "
           "weight=weight, reduction=reduction)")
def multi_margin_functional(input, target, *, p, margin, weight, reduction):
    return F.multi_margin_loss(input, target, p=p, margin=margin, weight=weight,
                               reduction=reduction)


@path("multi_margin_loss", "module", params=MULTI_MARGIN_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      ndims=TWO_D, conventions=MULTI_MARGIN,
      call="paddle.nn.MultiMarginLoss(p=p, margin=margin, weight=weight, reduction=reduction)"
           "(input, target)")
def multi_margin_module(input, target, *, p, margin, weight, reduction):
    return nn.MultiMarginLoss(p=p, margin=margin, weight=weight,
                              reduction=reduction)(input, target)


# ---------------------------------------------------------------- multilabel_margin_loss

MULTILABEL = ["torch_multilabel_margin_duplicate_targets_counted", "hinge_kink_grad_half"]
MULTILABEL_REFUSES = {
    "no row with a target before its first -1 (ValueError: (InvalidArgument) The pointer p_index "
    "is nullptr: paddle indexes with the empty list of targets, paddlepaddle 3.3.1)":
    lambda p, e, i: not bool((i["target"][..., 0] >= 0).any())}

@path("multilabel_margin_loss", "functional", params=["reduction"], dtypes=DTYPES, notes=NO_HALF,
      ndims=TWO_D, conventions=MULTILABEL, unsupported_when=MULTILABEL_REFUSES,
      call="paddle.nn.functional.multi_label_margin_loss(input, target, reduction=reduction)")
def multilabel_margin_functional(input, target, *, reduction):
    return F.multi_label_margin_loss(input, target, reduction=reduction)


@path("multilabel_margin_loss", "module", params=["reduction"], dtypes=DTYPES, notes=NO_HALF,
      ndims=TWO_D, conventions=MULTILABEL, unsupported_when=MULTILABEL_REFUSES,
      call="paddle.nn.MultiLabelMarginLoss(reduction=reduction)(input, target)")
def multilabel_margin_module(input, target, *, reduction):
    return nn.MultiLabelMarginLoss(reduction=reduction)(input, target)


_LOSS_PY = "paddle/nn/functional/loss.py (paddlepaddle 3.3.1) "
for _form in ("functional", "module"):
    adapter.saw("paddle_multi_margin_subtracts_margin_term", path=f"multi_margin_loss/{_form}",
                case="multi_margin_loss/margin-negative-sum/none",
                call="F.multi_margin_loss(x, paddle.to_tensor([3, 0]), p=p, margin=margin, "
                     "reduction='none') with x = [[.1, .2, .4, .8], [.3, -.2, .5, .1]] (float64)",
                seen="p = 2, margin = -0.3: [-0.0225, -0.0225], canonical [0., 0.] (0.09 / 4 "
                     "subtracted, the target's own term max(0, -0.3)^2 = 0); p = 1, margin = 0.7: "
                     "2.98e-9 above canonical on both rows (float32(0.7) / 4 subtracted)",
                versions=SEEN_ON,
                link=_LOSS_PY + "multi_margin_loss: paddle.mean(weight * paddle.pow(paddle.clip("
                     "margin - index_sample + input, min=0.0), p), axis=1) - weight * (margin**p "
                     "/ paddle.shape(input)[1])")
    adapter.saw("hinge_kink_grad_active", path=f"multi_margin_loss/{_form}",
                case="multi_margin_loss/at-kink/none",
                call="F.multi_margin_loss(paddle.to_tensor([[1., 0., .5]]), paddle.to_tensor([0]), "
                     "reduction='sum')",
                seen="x.grad [[-0.6666666, 0.33333334, 0.33333334]]; canonical [[-1/3, 0, 1/3]] "
                     "(z = 1 - 1 + 0 = 0 at class 1)", versions=SEEN_ON,
                link=_LOSS_PY + "multi_margin_loss: paddle.clip(..., min=0.0), whose gradient "
                     "passes at 0")
    adapter.saw("hinge_kink_grad_half", path=f"multilabel_margin_loss/{_form}",
                case="multilabel_margin_loss/at-kink/none",
                call="F.multi_label_margin_loss(paddle.to_tensor([[1., 0., .5]]), "
                     "paddle.to_tensor([[0, -1, -1]]), reduction='sum')",
                seen="value 0.16666667 as canonical; x.grad [[-0.5, 0.16666667, 0.33333334]]; "
                     "canonical [[-1/3, 0, 1/3]] (z = 1 - 1 + 0 = 0 at class 1: half the slope)",
                versions=SEEN_ON,
                link=_LOSS_PY + "multi_label_margin_loss: paddle.maximum(margin, "
                     "paddle.zeros_like(margin)), whose gradient splits a tie (paddle.minimum's "
                     "too: [.5], [.5] for minimum(1., 1.))")
    adapter.saw("torch_multilabel_margin_duplicate_targets_counted",
                path=f"multilabel_margin_loss/{_form}",
                case="multilabel_margin_loss/duplicates/none",
                call="F.multi_label_margin_loss(paddle.to_tensor([[.1, .2, .4, .8]]), "
                     "paddle.to_tensor([[3, 3, -1, 1]]), reduction='none')",
                seen="[0.65], twice the 0.325 of target [[3, -1, -1, -1]]; x.grad [[.5, .5, .5, "
                     "-1.5]] (as torch)", versions=SEEN_ON,
                link=_LOSS_PY + "multi_label_margin_loss: one row per listed target (row_ids, "
                     "col_ids = paddle.where(valid_mask)), summed with scatter_nd_add")
