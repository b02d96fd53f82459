"""Planted bug: multi_margin_loss with the class weight inside the power, (w[y] max(0, z))^p, as
torch's documentation once printed it (pytorch/pytorch#104844): right for p = 1 or unit weights,
w[y]^2 instead of w[y] for p = 2."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'multi_margin_loss/weight-p2-none-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_margin_weight_inside_power", TorchBackend())


@bug.path("multi_margin_loss", "multi_margin", call="sum_{i != y} (w[y] relu(margin - x[y] + x[i]))^p / C",
          params=["p", "margin", "weight", "reduction"], dtypes=["float64", "float32"])
def multi_margin(input, target, *, p, margin, weight, reduction):
    x = input if input.ndim == 2 else input[None]
    y = target.reshape(-1)
    c = x.shape[1]
    z = margin - x.gather(1, y[:, None]) + x
    w_y = torch.ones_like(z[:, :1]) if weight is None else weight[y][:, None]
    hinge = (w_y * torch.relu(z)) ** p
    others = torch.ones_like(x).scatter(1, y[:, None], 0.0)
    loss = (hinge * others).sum(1) / c
    loss = loss if input.ndim == 2 else loss[0]
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
