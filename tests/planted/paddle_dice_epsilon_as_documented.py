"""Planted bug: a port of paddle.nn.functional.dice_loss that trusts its docstring ("The epsilon
will be added to the numerator and denominator") and so declares no convention: paddle adds
epsilon to the denominator only, 1 - 2 I / (P + T + epsilon)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_dice_loss/hand-classes-and-spatial-smooth-4-mean-float64')
from adapters.paddle_lib import PaddleBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_paddle_dice_epsilon_as_documented", PaddleBackend())


@bug.path("soft_dice_loss", "functional", params=["smooth", "sum_over"], ndims=[4],
          dtypes=["float64", "float32"],
          unsupported_when={"sum_over other than 'classes_and_spatial'":
                            lambda p, e, i: p["sum_over"] != "classes_and_spatial"},
          call="paddle.nn.functional.dice_loss(paddle.moveaxis(input, 1, -1), paddle.argmax("
               "target, axis=1, keepdim=True) moved last, epsilon=smooth)")
def dice(input, target, *, smooth, sum_over):
    import paddle
    import paddle.nn.functional as F
    label = paddle.argmax(paddle.moveaxis(target, 1, -1), axis=-1, keepdim=True)
    return F.dice_loss(paddle.moveaxis(input, 1, -1), label, epsilon=smooth)
