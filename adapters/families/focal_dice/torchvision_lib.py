"""torchvision paths of the focal_dice family (spec.py beside this file): the canonical
sigmoid_focal_loss is defined by torchvision.ops.sigmoid_focal_loss's documentation."""
from __future__ import annotations

from adapters.torchvision_lib import SEEN_ON, adapter, ops, path

TORCHVISION_DOC = ("https://docs.pytorch.org/vision/stable/generated/"
                   "torchvision.ops.sigmoid_focal_loss.html")


def _alpha_refused(params, encoding, inputs) -> bool:
    return params["alpha"] < 0 and params["alpha"] != -1


# torchvision raises for a negative alpha other than -1 (canonical: any negative alpha)
@path("sigmoid_focal_loss", "sigmoid_focal_loss", params=["alpha", "gamma", "reduction"],
      conventions=["focal_pow_grad_nan_where_p_t_is_1"],
      unsupported_when={"a negative alpha other than -1 (ValueError: 'alpha must be in the range "
                        "[0,1] or -1 for ignore')": _alpha_refused},
      call="torchvision.ops.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma, "
           "reduction=reduction)")
def sigmoid_focal_loss(input, target, *, alpha, gamma, reduction):
    return ops.sigmoid_focal_loss(input, target, alpha=alpha, gamma=gamma, reduction=reduction)


adapter.saw("focal_pow_grad_nan_where_p_t_is_1", path="sigmoid_focal_loss/sigmoid_focal_loss",
            case="sigmoid_focal_loss/saturated-gamma-0.5-none/none",
            call="torch.autograd.grad of torchvision.ops.sigmoid_focal_loss(input, target, "
                 "alpha=0.25, gamma=0.5, reduction='none') on input [[40., -40., 1e4, -1e4], "
                 "[.5, -2., 1., 0.]] and target [[1., 0., 1., 0.], [1., 0., 0., 1.]]",
            seen="values [[0, 0, 0, 0], [0.0728233663, 0.0328671607, 0.8421483979, "
                 "0.1225322679]] (canonical row 0: 2.19e-27, 6.57e-27, 0, 0); gradient of the sum "
                 "[[nan, nan, nan, nan], [-0.0806591332, 0.0453414501, 0.5820463736, "
                 "-0.1190214146]], canonical row 0 [-1.09e-27, 9.85e-27, 0, 0]",
            versions=SEEN_ON,
            link=TORCHVISION_DOC + " (the source shown there: loss = ce_loss * ((1 - p_t) ** "
                 "gamma); no public documentation of the nan found)")
