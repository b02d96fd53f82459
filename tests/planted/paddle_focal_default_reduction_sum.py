"""Planted bug: a port of torchvision.ops.sigmoid_focal_loss(reduction='mean') to paddle that
leaves paddle's reduction at its default, which is 'sum' (paddle.nn.functional.sigmoid_focal_loss
signature, paddlepaddle 3.3.1), not 'mean': the loss comes out input.size times too large."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'sigmoid_focal_loss/default-mean-float64')
from adapters.paddle_lib import PaddleBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_paddle_focal_default_reduction", PaddleBackend())


@bug.path("sigmoid_focal_loss", "functional", params=["alpha", "gamma"],
          dtypes=["float64", "float32"],
          call="paddle.nn.functional.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma)")
def focal(input, target, *, alpha, gamma):
    import paddle.nn.functional as F
    return F.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma)
