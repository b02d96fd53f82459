"""Planted bug: the canonical "no class weighting" (a negative alpha) ported to
torchvision.ops.sigmoid_focal_loss as alpha=0, which is a weighting too: every positive gets
weight 0 and every negative weight 1, instead of torchvision's alpha=-1 ("or -1 for ignore")."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'sigmoid_focal_loss/alpha-negative-none-float64')
from adapters.registry import declare_adapter
from adapters.torchvision_lib import TorchvisionBackend, ops

bug = declare_adapter("bug_torchvision_alpha_0", TorchvisionBackend())


@bug.path("sigmoid_focal_loss", "sigmoid_focal_loss", params=["alpha", "gamma", "reduction"],
          conventions=["focal_pow_grad_nan_where_p_t_is_1"],
          call="torchvision.ops.sigmoid_focal_loss(input, target, alpha=max(alpha, 0), "
               "gamma=gamma, reduction=reduction)")
def focal(input, target, *, alpha, gamma, reduction):
    return ops.sigmoid_focal_loss(input, target, alpha=max(alpha, 0.0), gamma=gamma,
                                  reduction=reduction)
