"""PaddlePaddle paths of the focal_dice family (spec.py beside this file): sigmoid_focal_loss,
and soft_dice_loss through paddle.nn.functional.dice_loss (paddle.nn has no class of either).

paddle.nn.functional.sigmoid_focal_loss(logit, label, normalizer=None, alpha=0.25, gamma=2.0,
reduction='sum') computes torchvision's formula (paddle/nn/functional/loss.py, paddlepaddle
3.3.1): sigmoid_cross_entropy_with_logits times alpha_t = alpha y + (1 - alpha)(1 - y) times
pow(1 - p_t, gamma), then divides by `normalizer` (a tensor, RetinaNet's count of positive
anchors) before the reduction. paddle.nn has no focal loss class, so there is no Layer form.
Its default reduction is 'sum' (canonical 'mean'): every path passes reduction explicitly.

dice_loss(input, label, epsilon=1e-5) takes channels-last probabilities (N, d1..dk, C) and class
numbers (N, d1..dk, 1) of the same rank (int32 or int64), one-hot encodes them, sums over every
axis but the first (reduce_dim = range(1, rank)) and returns the mean over the batch
(paddle/nn/functional/loss.py, paddlepaddle 3.3.1): one Dice per sample over its classes and
pixels together, canonical sum_over='classes_and_spatial' with reduction 'mean'. It takes no
reduction. The path moves the canonical class axis last and passes the class numbers of a hard
one-hot target (argmax over the classes, kept as the last axis of size 1).
"""
from __future__ import annotations

import numpy as np

from adapters.paddle_lib import DTYPES, NO_HALF, SEEN_ON, F, adapter, paddle, path

PADDLE_FOCAL_DOC = ("https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/nn/"
                    "functional/sigmoid_focal_loss_en.html")
FOCAL_PARAMS = ["alpha", "gamma", "reduction"]
# alpha_t for every alpha (no "-1 for ignore"), and the focal factor is pow(1 - p_t, gamma),
# whose derivative at 1 - p_t = 0 is nan for 0 < gamma < 1 (at gamma = 0 paddle's pow gives the
# canonical 0, unlike TensorFlow's: PROBED)
# and the cross-entropy is sigmoid_cross_entropy_with_logits, whose gradient at x = 0 is off by 1
FOCAL = ["focal_pow_grad_nan_where_p_t_is_1", "focal_negative_alpha_not_ignored",
         "paddle_bce_logits_grad_at_0_off_by_1", "paddle_focal_gamma_in_float32"]
# its docs want logits of shape [N, *]; 1-D input raises ValueError: (InvalidArgument) Each value
# of attribute 'shape' is expected to be no less than 0. But received: shape[0] = -1 (seen on a
# (8,) input, paddlepaddle 3.3.1 CPU; (N, C) and (N, C, H, W) run)
RANKS = range(2, 9)


@path("sigmoid_focal_loss", "functional", params=FOCAL_PARAMS, conventions=FOCAL, dtypes=DTYPES,
      notes=NO_HALF, ndims=RANKS,
      call="paddle.nn.functional.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma, "
           "reduction=reduction)")
def focal_functional(input, target, *, alpha, gamma, reduction):
    return F.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma, reduction=reduction)


# normalizer divides every element before the reduction: the element count with 'sum' is the
# canonical 'mean' (the way RetinaNet passes its positive-anchor count)
@path("sigmoid_focal_loss", "functional(normalizer=numel, reduction='sum')", kind="composed",
      params=FOCAL_PARAMS, conventions=FOCAL, dtypes=DTYPES, notes=NO_HALF, ndims=RANKS,
      call="paddle.nn.functional.sigmoid_focal_loss(input, target, normalizer=paddle.to_tensor("
           "[input.size], input.dtype) if reduction == 'mean' else None, alpha=alpha, "
           "gamma=gamma, reduction='sum' if reduction == 'mean' else reduction)")
def focal_normalizer(input, target, *, alpha, gamma, reduction):
    if reduction != "mean":
        return F.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma, reduction=reduction)
    count = paddle.to_tensor([float(input.size)], dtype=input.dtype, place=input.place)
    return F.sigmoid_focal_loss(input, target, normalizer=count, alpha=alpha, gamma=gamma,
                                reduction="sum")


# ---------------------------------------------------------------- evidence

_SOURCE = ("paddle/nn/functional/loss.py sigmoid_focal_loss (paddlepaddle 3.3.1): alpha_t = "
           "alpha * label + (1 - alpha) * (1 - label); gamma_t = _C_ops.pow(1 - p_t, gamma)")
for _name in ("functional", "functional(normalizer=numel, reduction='sum')"):
    adapter.saw("focal_negative_alpha_not_ignored", path=f"sigmoid_focal_loss/{_name}",
                case="sigmoid_focal_loss/alpha-negative-none/none",
                call="paddle.nn.functional.sigmoid_focal_loss([[-1.5, .25, 2., -.5], [3., -2.5, "
                     ".75, 1.25]], [[0., 1., 1., 0.], [1., 0., 0., 1.]], alpha=-1.0, gamma=2.0, "
                     "reduction='none') (float64)",
                seen="[[0.0134056939, -0.1104014913, -0.0018035628, 0.1351469810], [-0.0001092833, "
                     "0.0009079362, 1.0488401406, -0.0124945114]] (positives times -1, negatives "
                     "times 2); canonical (no weighting) [[0.0067028469, 0.1104014913, "
                     "0.0018035628, 0.0675734905], [0.0001092833, 0.0004539681, 0.5244200703, "
                     "0.0124945114]]",
                versions=SEEN_ON, link=PADDLE_FOCAL_DOC + " (alpha: 'Default value is set to "
                "0.25'; no ignore value documented); " + _SOURCE)
    adapter.saw("focal_pow_grad_nan_where_p_t_is_1", path=f"sigmoid_focal_loss/{_name}",
                case="sigmoid_focal_loss/saturated-gamma-0.5-none/none",
                call="paddle.grad of paddle.nn.functional.sigmoid_focal_loss(input, target, "
                     "alpha=0.25, gamma=0.5, reduction='none') on input [[40., -40., 1e4, -1e4], "
                     "[.5, -2., 1., 0.]] and target [[1., 0., 1., 0.], [1., 0., 0., 1.]] "
                     "(float64)",
                seen="values [[0, 0, 0, 0], [0.0728233663, 0.0328671607, 0.8421483979, "
                     "0.1225322679]] (canonical row 0: 2.19e-27, 6.57e-27, 0, 0); gradient of the "
                     "sum [[nan, nan, nan, nan], [-0.0806591332, 0.0453414501, 0.5820463736, "
                     "-0.2957981099]], canonical row 0 [-1.09e-27, 9.85e-27, 0, 0]",
                versions=SEEN_ON, link=_SOURCE)
    adapter.saw("paddle_bce_logits_grad_at_0_off_by_1", path=f"sigmoid_focal_loss/{_name}",
                case="sigmoid_focal_loss/saturated-gamma-0-none/none",
                call="paddle.grad of paddle.nn.functional.sigmoid_focal_loss(x, t, alpha=0.25, "
                     "gamma=0.0, reduction='sum') on x = [[0.]] and t = [[0.]], then t = [[1.]] "
                     "(float64)",
                seen="-0.375 for both (canonical 0.75 * 0.5 = 0.375 and 0.25 * -0.5 = -0.125): "
                     "alpha_t (-0.5 - y); paddle._C_ops.sigmoid_cross_entropy_with_logits(x, t, "
                     "None, False, -100) alone gives -0.5 and -1.5; at x = 1e-300 both are "
                     "canonical", versions=SEEN_ON, link=_SOURCE)
    adapter.saw("paddle_focal_gamma_in_float32", path=f"sigmoid_focal_loss/{_name}",
                case="sigmoid_focal_loss/gamma-0.1-none/none",
                call="paddle.nn.functional.sigmoid_focal_loss([[0., .5, -1., 2.], [0., -.5, 1., "
                     "-2.]], [[0., 1., 0., 1.], [1., 0., 1., 0.]], gamma=0.1, reduction='none') "
                     "(float64)",
                seen="[[0.485046890088872, 0.107519009167469, 0.206031827736984, "
                     "0.02565229184142], [0.161682296696291, ...]], equal to the formula with "
                     "gamma = float32(0.1) to the last digit; canonical (gamma = 0.1) "
                     "[[0.485046890589862, 0.107519009323532, 0.20603182814017, "
                     "0.025652291922722], [0.161682296863287, ...]] (relative 1.03e-9)",
                versions=SEEN_ON,
                link=_SOURCE + "; the exponent reaches _C_ops.pow as a float attribute")

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "at gamma = 0 the gradient of paddle.nn.functional.sigmoid_focal_loss(input, target, "
    "alpha=0.25, gamma=0.0, reduction='none') is finite where 1 - p_t rounds to 0 (case "
    "saturated-gamma-0-none, row 0: [-1.06e-18, 3.19e-18, 0, 0], the canonical 0.25 (p - y)): "
    "paddle's pow differentiates pow(0, 0) as 0, where TensorFlow gives nan",
)


# ---------------------------------------------------------------- soft_dice_loss

DICE_DOCS = ("https://www.paddlepaddle.org.cn/documentation/docs/en/api/paddle/nn/functional/"
             "dice_loss_en.html")


def _not_one_hot(params, encoding, inputs) -> bool:
    """Whether the target is not a hard one-hot map over the class axis (paddle takes class
    numbers)."""
    t = np.asarray(inputs.get("target"))
    return not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=params["axis"]) == 1))


REFUSES = {
    "sum_over other than 'classes_and_spatial' (paddle sums over every axis but the batch)":
        lambda p, e, i: p["sum_over"] != "classes_and_spatial",
    "targets that are not one-hot over the classes (paddle takes class numbers, the path passes "
    "the argmax over the class axis)": _not_one_hot,
}


@path("soft_dice_loss", "functional", params=["smooth", "sum_over", "axis"], dtypes=DTYPES,
      notes=NO_HALF, conventions=["paddle_dice_epsilon_in_denominator_only"],
      unsupported_when=REFUSES,
      call="paddle.nn.functional.dice_loss(paddle.moveaxis(input, axis, -1), paddle.argmax("
           "paddle.moveaxis(target, axis, -1), axis=-1, keepdim=True), epsilon=smooth)")
def dice_functional(input, target, *, smooth, sum_over, axis):
    label = paddle.argmax(paddle.moveaxis(target, axis, -1), axis=-1, keepdim=True)
    return F.dice_loss(paddle.moveaxis(input, axis, -1), label, epsilon=smooth)


# ---------------------------------------------------------------- evidence

adapter.saw("paddle_dice_epsilon_in_denominator_only", path="soft_dice_loss/functional",
            case="soft_dice_loss/hand-classes-and-spatial-smooth-4-mean/none",
            call="paddle.nn.functional.dice_loss(paddle.moveaxis(input, 1, -1), label, "
                 "epsilon=4.0) on the case's (2, 2, 1, 2) probabilities, label the (2, 1, 2, 1) "
                 "argmax of its one-hot target",
            seen="0.6875 = mean(1 - 3/8, 1 - 2/8) where canonical 1 - (2 I + 4) / (P + T + 4) "
                 "gives 0.1875 (hand-computed); gradient at [0, 0, 0, :] [-0.1015625, 0.0234375] "
                 "(canonical [-0.0703125, 0.0546875])",
            versions=SEEN_ON, link=DICE_DOCS + " ('The epsilon will be added to the numerator "
                                               "and denominator'; source: dice_score = 1 - "
                                               "inse * 2 / (dice_denominator + epsilon))")
