"""Planted bug: Berman's lovasz_hinge ported with torch.sort's default order, ascending: the
Jaccard weights of Alg. 1 then go to the smallest hinge errors first, so the loss is no longer the
Lovasz extension (the largest error of a set without foreground should weigh 1, not the smallest)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'lovasz_hinge/batch-mean-float64')
import torch

from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_lovasz_hinge_sorted_ascending", TorchBackend())


@bug.path("lovasz_hinge", "lovasz_hinge", kind="composed", params=["per_image", "reduction"],
          call="m = 1 - x (2y - 1); torch.sort(m) (ascending); w = diff(1 - I / U); "
               "(relu(m) * w).sum()")
def lovasz_hinge(input, target, *, per_image, reduction):
    rows = input.reshape(input.shape[0], -1) if per_image else input.reshape(1, -1)
    labels = target.reshape(rows.shape)
    errors, order = torch.sort(1 - rows * (2 * labels - 1), dim=-1)
    g = labels.gather(-1, order)
    total = g.sum(-1, keepdim=True)
    jac = 1 - (total - g.cumsum(-1)) / (total + (1 - g).cumsum(-1))
    w = torch.diff(jac, dim=-1, prepend=torch.zeros_like(jac[..., :1]))
    loss = (torch.relu(errors) * w).sum(-1)
    loss = loss if per_image else loss[0]
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
