"""PaddlePaddle paths of the embedding family (spec.py beside this file): margin_ranking_loss
(paddle names the second input `other`), hinge_embedding_loss, triplet_margin_loss,
cosine_embedding_loss and cosine_similarity, each functional and Layer.

paddle has no cosine-similarity loss: the loss is minus paddle.nn.functional.cosine_similarity
(or paddle.nn.CosineSimilarity), which floors the product of the squared norms
(paddle_cosine_similarity_product_floored)."""
from __future__ import annotations

import numpy as np

from adapters.paddle_lib import DTYPES, NO_HALF, SEEN_ON, F, adapter, nn, path, reduce


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


# ---------------------------------------------------------------- hinge_embedding_loss

HINGE_EMBEDDING = ["paddle_hinge_embedding_other_targets_give_0",
                   "paddle_hinge_embedding_0d_output_has_shape_1"]


@path("hinge_embedding_loss", "functional", params=["margin", "reduction"], dtypes=DTYPES,
      notes=NO_HALF, conventions=HINGE_EMBEDDING,
      call="paddle.nn.functional.hinge_embedding_loss(input, target, margin=margin, "
           "reduction=reduction)")
def hinge_embedding_functional(input, target, *, margin, reduction):
    return F.hinge_embedding_loss(input, target, margin=margin, reduction=reduction)


@path("hinge_embedding_loss", "module", params=["margin", "reduction"], dtypes=DTYPES,
      notes=NO_HALF, conventions=HINGE_EMBEDDING,
      call="paddle.nn.HingeEmbeddingLoss(margin=margin, reduction=reduction)(input, target)")
def hinge_embedding_module(input, target, *, margin, reduction):
    return nn.HingeEmbeddingLoss(margin=margin, reduction=reduction)(input, target)


# ---------------------------------------------------------------- triplet_margin_loss

TRIPLET_PARAMS = ["margin", "p", "eps", "swap", "reduction"]
# paddle.clip(z, min=0) passes the gradient at z = 0 (seen: the at-kink case); the distances are
# paddle's p_norm, whose root exponent is float32 and whose gradient at 0 is nan
TRIPLET = ["hinge_kink_grad_active", "paddle_p_norm_root_in_float32",
           "paddle_p_norm_grad_nan_at_0"]


@path("triplet_margin_loss", "functional", params=TRIPLET_PARAMS, conventions=TRIPLET,
      dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.functional.triplet_margin_loss(anchor, positive, negative, margin=margin, "
           "p=p, epsilon=eps, swap=swap, reduction=reduction)")
def triplet_functional(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    return F.triplet_margin_loss(anchor, positive, negative, margin=margin, p=p, epsilon=eps,
                                 swap=swap, reduction=reduction)


@path("triplet_margin_loss", "module", params=TRIPLET_PARAMS, conventions=TRIPLET, dtypes=DTYPES,
      notes=NO_HALF,
      call="paddle.nn.TripletMarginLoss(margin=margin, p=p, epsilon=eps, swap=swap, "
           "reduction=reduction)(anchor, positive, negative)")
def triplet_module(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    return nn.TripletMarginLoss(margin=margin, p=p, epsilon=eps, swap=swap,
                                reduction=reduction)(anchor, positive, negative)


def _distance(p, eps):
    return lambda u, v: F.pairwise_distance(u, v, p=p, epsilon=eps)


@path("triplet_margin_loss", "triplet_margin_with_distance_loss(pairwise_distance)",
      kind="composed", params=TRIPLET_PARAMS, conventions=TRIPLET,
      dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.functional.triplet_margin_with_distance_loss(anchor, positive, negative, "
           "distance_function=lambda u, v: paddle.nn.functional.pairwise_distance(u, v, p=p, "
           "epsilon=eps), margin=margin, swap=swap, reduction=reduction)")
def triplet_with_distance_functional(anchor, positive, negative, *, margin, p, eps, swap,
                                     reduction):
    return F.triplet_margin_with_distance_loss(
        anchor, positive, negative, distance_function=_distance(p, eps), margin=margin,
        swap=swap, reduction=reduction)


@path("triplet_margin_loss", "TripletMarginWithDistanceLoss(PairwiseDistance)", kind="composed",
      params=TRIPLET_PARAMS, dtypes=DTYPES, notes=NO_HALF,
      conventions=["paddle_triplet_layer_drops_distance_function"],
      call="paddle.nn.TripletMarginWithDistanceLoss(distance_function=paddle.nn."
           "PairwiseDistance(p=p, epsilon=eps), margin=margin, swap=swap, reduction=reduction)"
           "(anchor, positive, negative)")
def triplet_with_distance_module(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    return nn.TripletMarginWithDistanceLoss(
        distance_function=nn.PairwiseDistance(p=p, epsilon=eps), margin=margin, swap=swap,
        reduction=reduction)(anchor, positive, negative)


# ---------------------------------------------------------------- cosine_embedding_loss

COSINE = ["paddle_cosine_eps_in_squared_norms", "hinge_kink_grad_active"]
COSINE_REFUSES = {
    "(D,) inputs with a 0-D target (ValueError: 1D target tensor expected, multi-target not "
    "supported; paddlepaddle 3.3.1)": lambda p, e, i: i["input1"].ndim == 1}
COSINE_MODULE_REFUSES = {
    **COSINE_REFUSES,
    "margin outside [-1, 1] (paddle.nn.CosineEmbeddingLoss raises ValueError: The value of "
    "'margin' should be in the interval of [-1, 1]; the functional takes it)":
    lambda p, e, i: not -1 <= p["margin"] <= 1}

@path("cosine_embedding_loss", "functional", params=["margin", "reduction"], dtypes=DTYPES,
      notes=NO_HALF, conventions=COSINE, unsupported_when=COSINE_REFUSES,
      call="paddle.nn.functional.cosine_embedding_loss(input1, input2, target, margin=margin, "
           "reduction=reduction)")
def cosine_functional(input1, input2, target, *, margin, reduction):
    return F.cosine_embedding_loss(input1, input2, target, margin=margin, reduction=reduction)


@path("cosine_embedding_loss", "module", params=["margin", "reduction"], dtypes=DTYPES,
      notes=NO_HALF, conventions=COSINE, unsupported_when=COSINE_MODULE_REFUSES,
      call="paddle.nn.CosineEmbeddingLoss(margin=margin, reduction=reduction)(input1, input2, "
           "target)")
def cosine_module(input1, input2, target, *, margin, reduction):
    return nn.CosineEmbeddingLoss(margin=margin, reduction=reduction)(input1, input2, target)


# ---------------------------------------------------------------- cosine_similarity (composed)
# minus paddle's cosine similarity (a mapping of the sign, exact), reduced as PyTorch reduces

COSINE_SIMILARITY = ["paddle_cosine_similarity_product_floored"]


def _product_out_of_range(p, e, i):
    """Whether ||x||^2 ||y||^2 of a vector pair, which paddle forms, lies outside the normal
    range of the inputs' dtype (float64 for the cases, the dtype itself for fuzzed examples
    rounded to it): above it the product is inf; below it (and not floored at eps^2) the
    chain rule's 1 / (2 sqrt(product)) times w12 / product overflows to inf."""
    x, y = i["input"], i["target"]
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
    finfo = np.finfo(dtype)
    prod = (np.sum(np.square(x.astype(np.float64)), axis=p["axis"])
            * np.sum(np.square(y.astype(np.float64)), axis=p["axis"]))
    live = prod >= float(p["eps"]) ** 2
    return bool(np.any(prod > finfo.max) or np.any(live & (prod > 0) & (prod < finfo.tiny)))


COSINE_SIMILARITY_REFUSES = {
    "vectors whose product of squared norms ||x||^2 ||y||^2 lies outside the dtype's normal "
    "range (paddle computes sqrt(clip(w1 * w2, min=eps * eps)): above it the product "
    "overflows to inf, below it the gradient's chain 1 / (2 sqrt(w1 w2)) * w12 / (w1 w2) "
    "overflows to inf; seen on a fuzzed pair x = [1e-148, 1e-148], y = [5.96e-8, 5.96e-8], "
    "float64, gradient [inf, inf] where the formula's is [0, 0])": _product_out_of_range}
# the case's float64 inputs pass that test; in float32 the product overflows
_FLOAT32_OVERFLOW = (
    "float32: row 0's ||x||^2 ||y||^2 = 5.25e30 * 1.61e31 overflows float32 (max 3.4e38) in "
    "paddle's w1 * w2; seen value -8.13e10 where canonical is -0.163 (paddlepaddle 3.3.1)")
_TINY = (
    "the gradient with respect to a vector of norm 1e-15 is a difference of two terms of size "
    "1e15 that cancel to 0 (c = 1, one element): paddle gives exactly 0, the reference's formula "
    "y / d - c x / ||x||^2 leaves rounding of -0.014 and 0.19. A precision limit of the "
    "reference, not a convention")
COSINE_SIMILARITY_KNOWN = {
    "value:large-magnitude-float32": _FLOAT32_OVERFLOW,
    "gradient:large-magnitude-float32": _FLOAT32_OVERFLOW,
    "gradient:one-element-tiny-vectors-float64": _TINY}


@path("cosine_similarity", "-functional", kind="composed", params=["axis", "eps", "reduction"],
      conventions=COSINE_SIMILARITY, dtypes=DTYPES, notes=NO_HALF,
      unsupported_when=COSINE_SIMILARITY_REFUSES, known_failures=COSINE_SIMILARITY_KNOWN,
      call="reduce(-paddle.nn.functional.cosine_similarity(input, target, axis=axis, eps=eps), "
           "reduction)")
def cosine_similarity_functional(input, target, *, axis, eps, reduction):
    return reduce(-F.cosine_similarity(input, target, axis=axis, eps=eps), reduction)


@path("cosine_similarity", "-module", kind="composed", params=["axis", "eps", "reduction"],
      conventions=COSINE_SIMILARITY, dtypes=DTYPES, notes=NO_HALF,
      unsupported_when=COSINE_SIMILARITY_REFUSES, known_failures=COSINE_SIMILARITY_KNOWN,
      call="reduce(-paddle.nn.CosineSimilarity(axis=axis, eps=eps)(input, target), reduction)")
def cosine_similarity_module(input, target, *, axis, eps, reduction):
    return reduce(-nn.CosineSimilarity(axis=axis, eps=eps)(input, target), reduction)


# ---------------------------------------------------------------- evidence of the conventions

_LOSS_PY = "paddle/nn/functional/loss.py (paddlepaddle 3.3.1) "
for _form in ("functional", "module"):
    adapter.saw("paddle_hinge_embedding_other_targets_give_0",
                path=f"hinge_embedding_loss/{_form}", case="hinge_embedding_loss/at-kink/none",
                call="F.hinge_embedding_loss(x, y, reduction='none') with x = [.5, 1., -2., .5, "
                     "1., 3.], y = [1., -1., -1., 0., 2., -1.] (float64)",
                seen="[.5, 0., 3., 0., 0., 0.]; x.grad for a sum [1., 0., -1., 0., 0., 0.]; "
                     "canonical [.5, 0., 3., 1., 1., 0.] (targets 0 and 2: max(x, margin) = 1)",
                versions=SEEN_ON,
                link=_LOSS_PY + "hinge_embedding_loss: paddle.where(label == 1.0, input, 0) + "
                     "paddle.where(label == -1.0, relu(margin - input), 0)")
    adapter.saw("paddle_hinge_embedding_0d_output_has_shape_1",
                path=f"hinge_embedding_loss/{_form}", case="hinge_embedding_loss/scalar/none",
                call="F.hinge_embedding_loss(paddle.to_tensor(.5), paddle.to_tensor(-1.), "
                     "reduction='none')",
                seen="[0.5] of shape [1]; canonical 0.5 of shape ()", versions=SEEN_ON,
                link=_LOSS_PY + "hinge_embedding_loss: zero_ = paddle.zeros([1]) in both where()")
    adapter.saw("paddle_cosine_eps_in_squared_norms", path=f"cosine_embedding_loss/{_form}",
                case="cosine_embedding_loss/tiny-and-zero-vectors/none",
                call="F.cosine_embedding_loss(x1, x2, paddle.to_tensor([1, 1, 1]), "
                     "reduction='none') with x1 rows [0, 0, 0], [3e-8, 4e-8, 0], [1, 2, 3], "
                     "x2 rows [1, 2, 3], [1, 0, 0], [3, 1, 2] (float64)",
                seen="[1., 0.99051435, 0.21428571]: row 0 (a zero vector) c = 0 (canonical nan); "
                     "row 1 c = 3e-8 / sqrt((2.5e-15 + 1e-11)(1 + 1e-11)) = 0.0094857 (canonical "
                     "0.6, loss 0.4); x1.grad of the sum, row 0: [-84515.4, -169030.9, -253546.3] "
                     "= -x2 / sqrt(1e-11 (14 + 1e-11)) (canonical nan)", versions=SEEN_ON,
                link=_LOSS_PY + "cosine_embedding_loss: paddle.square(input1).sum(axis=-1) + "
                     "10e-12")
    adapter.saw("hinge_kink_grad_active", path=f"cosine_embedding_loss/{_form}",
                case="cosine_embedding_loss/at-kink/none",
                call="F.cosine_embedding_loss(paddle.to_tensor([[1., 0, 0]]), paddle.to_tensor("
                     "[[0., 1, 0]]), paddle.to_tensor([-1.]), margin=0., reduction='sum')",
                seen="value 0; input1.grad [[0., 1., 0.]] (hinge active at c = margin = 0); "
                     "canonical [[0., 0., 0.]]", versions=SEEN_ON,
                link=_LOSS_PY + "cosine_embedding_loss: paddle.clip(cos - margin, min=0), whose "
                     "gradient passes at cos - margin = 0")

# (the Layer's distance is always PairwiseDistance(2) with eps 1e-6: p = 2's root is exact, and
# no case puts its distances at 0 or at the kink)
_TRIPLET_PATHS = ("functional", "module", "triplet_margin_with_distance_loss(pairwise_distance)")
_DISTANCE = ("paddle/nn/functional/distance.py pairwise_distance: _C_ops.p_norm(x - y + epsilon, "
             "p, -1, ...); paddle/phi/kernels/cpu/p_norm_kernel.cc takes the root as "
             "pow(sum, 1 / porder) with porder a float attribute")
for _name in _TRIPLET_PATHS:
    adapter.saw("hinge_kink_grad_active", path=f"triplet_margin_loss/{_name}",
                case="triplet_margin_loss/at-kink/none",
                call="F.triplet_margin_loss(a, p, n, epsilon=0., reduction='sum') with a = [[0., "
                     "0.]], p = [[1., 0.]], n = [[0., 2.]] (d(a, p) = 1, d(a, n) = 2, margin 1)",
                seen="value 0; anchor.grad [[-1., 1.]], positive.grad [[1., -0.]], negative.grad "
                     "[[0., -1.]] (hinge active); canonical 0", versions=SEEN_ON,
                link=_LOSS_PY + "triplet_margin_loss: paddle.clip(positive_dist - negative_dist "
                     "+ margin, min=0.0)")
    adapter.saw("paddle_p_norm_root_in_float32", path=f"triplet_margin_loss/{_name}",
                case="triplet_margin_loss/p-3-none/none",
                call="F.pairwise_distance(paddle.to_tensor([[.700001, 3.000001, -1.499999]]), "
                     "paddle.zeros([1, 3], 'float64'), p=3, epsilon=0.) (float64)",
                seen="3.1318269897096256 = s ** float32(1 / 3) (s = sum |w|^3); canonical s ** "
                     "(1 / 3) = 3.1318268831560316 (relative 3.4e-8); p = 1.5 and 2.5 differ too, "
                     "p = 1, 2, 4 are exact; its gradient [0.04995763, 0.91758705, -0.2293963] = "
                     "sign(w) w^2 / d^2 with that d (canonical 0.91758711)", versions=SEEN_ON,
                link=_DISTANCE)
    adapter.saw("paddle_p_norm_grad_nan_at_0", path=f"triplet_margin_loss/{_name}",
                case="triplet_margin_loss/zero-distance/none",
                call="F.triplet_margin_loss(a, p, n, epsilon=0., reduction='sum') with a = p = "
                     "[[0., 1.]], n = [[.5, 1.]]",
                seen="value 0.5; anchor.grad [[nan, nan]], positive.grad [[nan, nan]], "
                     "negative.grad [[-1., 0.]]; canonical anchor.grad [[1., 0.]] (the zero "
                     "distance's gradient 0); the same with swap=True", versions=SEEN_ON,
                link=_DISTANCE + "; p_norm_grad_kernel divides by the norm^(p-1)")

adapter.saw("paddle_triplet_layer_drops_distance_function",
            path="triplet_margin_loss/TripletMarginWithDistanceLoss(PairwiseDistance)",
            case="triplet_margin_loss/p-1-none/none",
            call="paddle.nn.TripletMarginWithDistanceLoss(distance_function=paddle.nn."
                 "PairwiseDistance(p=1, epsilon=1e-6), margin=2., reduction='none')(a, p, n) on "
                 "the case's 4 x 3 triplets (float64)",
            seen="[1.14567489, 1.6455586, 1.54696568, 0.00984947], the values of p = 2; the "
                 "functional with the same distance_function gives p = 1's [0.23960917, "
                 "2.03472909, 0.65014499, 0.]", versions=SEEN_ON,
            link="paddle/nn/layer/loss.py TripletMarginWithDistanceLoss.forward: "
                 "F.triplet_margin_with_distance_loss(input, positive, negative, margin=..., "
                 "swap=..., reduction=..., name=...), no distance_function")

for _name in ("-functional", "-module"):
    adapter.saw("paddle_cosine_similarity_product_floored", path=f"cosine_similarity/{_name}",
                case="cosine_similarity/tiny-and-zero-vectors-eps/none",
                call="paddle.grad of -paddle.nn.functional.cosine_similarity(x1, x2, axis=-1, "
                     "eps=1e-8).sum() (float64) with x1 rows [3e-9, 4e-9, 0], [0, 0, 0], [1, 2, "
                     "3] and x2 rows [1, 0, 0], [1, 2, 3], [3e-9, 0, 4e-9]",
                seen="values [-0.3, 0., -0.80178373] (canonical -[0.3, 0., 0.40089186]: row 2's "
                     "||x||^2 ||y||^2 = 14 * 2.5e-17 >= eps^2, so ||y|| = 5e-9 is not floored); "
                     "gradient of the sum with respect to x1: row 0 [-1e8, 0, 0] = -x2 / eps "
                     "(the product floored, no norm term), row 1 (a zero vector) [-1e8, -2e8, "
                     "-3e8] = -x2 / eps (canonical -x2 / (eps ||x2||) = [-2.67e7, -5.35e7, "
                     "-8.02e7]), row 2 [-0.10308648, 0.11454053, -0.0419982]", versions=SEEN_ON,
                link="paddle/nn/functional/common.py cosine_similarity (paddlepaddle 3.3.1): n12 "
                     "= sqrt(clip(w1 * w2, min=eps * eps)); cos_sim = w12 / n12")
