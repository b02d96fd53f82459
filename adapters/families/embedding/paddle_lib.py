"""PaddlePaddle paths of the embedding family (spec.py beside this file): margin_ranking_loss,
functional and class (paddle names the second input `other`).

Not yet paths (they fail checks whose conventions are still to be written; see the branch's
report): paddle.nn.functional.hinge_embedding_loss (the at-kink case: 0 where canonical is 1 for
|x| = margin with target -1), cosine_embedding_loss (values about 1e-8 off, another epsilon
than torch's), triplet_margin_loss (p = 3 about 1e-8 off) and F.cosine_similarity."""
from __future__ import annotations

from adapters.paddle_lib import DTYPES, NO_HALF, F, nn, path


@path("margin_ranking_loss", "functional", params=["margin", "reduction"], dtypes=DTYPES,
      notes=NO_HALF,
      call="paddle.nn.functional.margin_ranking_loss(input1, input2, target, margin=margin, "
           "reduction=reduction)")
def margin_ranking_functional(input1, input2, target, *, margin, reduction):
    return F.margin_ranking_loss(input1, input2, target, margin=margin, reduction=reduction)


@path("margin_ranking_loss", "module", params=["margin", "reduction"], dtypes=DTYPES,
      notes=NO_HALF,
      call="paddle.nn.MarginRankingLoss(margin=margin, reduction=reduction)(input1, input2, "
           "target)")
def margin_ranking_module(input1, input2, target, *, margin, reduction):
    return nn.MarginRankingLoss(margin=margin, reduction=reduction)(input1, input2, target)
