"""Planted bug: a port of torch.nn.TripletMarginWithDistanceLoss(distance_function=...) to paddle's
Layer of the same name, trusting it to use the distance given: paddle 3.3.1's Layer drops
distance_function in forward and measures with PairwiseDistance(2), so p = 1 is computed as p = 2
(the path declares the p it means, not paddle_triplet_layer_drops_distance_function)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'triplet_margin_loss/p-1-none-float64')
from adapters.paddle_lib import PaddleBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_paddle_triplet_layer_distance_trusted", PaddleBackend())


@bug.path("triplet_margin_loss", "TripletMarginWithDistanceLoss",
          params=["margin", "p", "eps", "swap", "reduction"],
          conventions=["hinge_kink_grad_active", "paddle_p_norm_root_in_float32",
                       "paddle_p_norm_grad_nan_at_0"], dtypes=["float64", "float32"],
          call="paddle.nn.TripletMarginWithDistanceLoss(distance_function=paddle.nn."
               "PairwiseDistance(p=p, epsilon=eps), margin=margin, swap=swap, "
               "reduction=reduction)(anchor, positive, negative)")
def triplet(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    import paddle.nn as nn
    return nn.TripletMarginWithDistanceLoss(
        distance_function=nn.PairwiseDistance(p=p, epsilon=eps), margin=margin, swap=swap,
        reduction=reduction)(anchor, positive, negative)
