"""Planted bug: cosine embedding loss with the margin's sign flipped in the dissimilar branch,
max(0, margin - c) instead of max(0, c - margin): the same as canonical nowhere a dissimilar pair
is active, and with the default margin 0 it penalises negative cosines instead of positive ones."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cosine_embedding_loss/margin-0.5-none-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_embedding_cosine_margin_sign", TorchBackend())


@bug.path("cosine_embedding_loss", "cosine", params=["margin", "reduction"],
          call="where(y == 1, 1 - c, relu(margin - c))")
def cosine(input1, input2, target, *, margin, reduction):
    c = torch.nn.functional.cosine_similarity(input1, input2, dim=-1)
    loss = torch.where(target == 1, 1 - c, torch.relu(margin - c))
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
