"""PaddlePaddle paths of the focal_dice family (spec.py beside this file):
paddle.nn.functional.dice_loss (paddle.nn has no class of it).

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
