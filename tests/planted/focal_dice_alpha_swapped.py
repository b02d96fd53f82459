"""Planted bug: focal loss with the class weights swapped, alpha_t = alpha (1 - y) + (1 - alpha) y:
alpha = 0.25 then weighs the (rare) positives by 0.75 and the negatives by 0.25, the reading of
"alpha balances the classes" that Lin et al.'s alpha = 0.25 for positives contradicts."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'sigmoid_focal_loss/default-mean-float64')
import torch
import torch.nn.functional as F
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_focal_alpha_swapped", TorchBackend())


@bug.path("sigmoid_focal_loss", "focal", kind="composed", params=["alpha", "gamma", "reduction"],
          call="(alpha * (1 - y) + (1 - alpha) * y) * (1 - p_t) ** gamma * bce_with_logits(x, y)")
def focal(input, target, *, alpha, gamma, reduction):
    p = torch.sigmoid(input)
    p_t = p * target + (1 - p) * (1 - target)
    loss = F.binary_cross_entropy_with_logits(input, target, reduction="none") * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * (1 - target) + (1 - alpha) * target) * loss
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
