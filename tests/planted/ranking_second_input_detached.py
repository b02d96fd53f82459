"""Planted bug: margin_ranking_loss with input2 detached, so no gradient reaches the second input
(a typical slip when one branch of a siamese network is meant to be frozen)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ("test_gradient", "margin_ranking_loss/seed-002-margin-ranking-float64")
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_ranking_second_input_detached", TorchBackend())


@bug.path("margin_ranking_loss", "detached", params=["margin", "reduction"],
          call="F.margin_ranking_loss(input1, input2.detach(), target, ...)")
def margin_ranking(input1, input2, target, *, margin, reduction):
    return torch.nn.functional.margin_ranking_loss(input1, input2.detach(), target, margin=margin,
                                                   reduction=reduction)
