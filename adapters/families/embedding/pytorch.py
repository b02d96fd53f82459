"""PyTorch paths of the embedding family (spec.py beside this file).

The native losses end in clamp_min(z, 0), whose backward passes the gradient where z >= 0: at an
exact kink they follow hinge_kink_grad_active. The compositions of Keras's hinge losses use
torch.relu (backward: where z > 0), which is canonical there.
"""
from __future__ import annotations

from adapters.pytorch import SEEN_ON, TORCH_DOCS, F, adapter, nn, path, reduce, torch

KINK = ["hinge_kink_grad_active"]


# ---------------------------------------------------------------- margin_ranking_loss

@path("margin_ranking_loss", "functional", params=["margin", "reduction"], conventions=KINK,
      call="torch.nn.functional.margin_ranking_loss(input1, input2, target, margin=margin, "
           "reduction=reduction)")
def margin_ranking_functional(input1, input2, target, *, margin, reduction):
    return F.margin_ranking_loss(input1, input2, target, margin=margin, reduction=reduction)


@path("margin_ranking_loss", "module", params=["margin", "reduction"], conventions=KINK,
      call="torch.nn.MarginRankingLoss(margin=margin, reduction=reduction)(input1, input2, target)")
def margin_ranking_module(input1, input2, target, *, margin, reduction):
    return nn.MarginRankingLoss(margin=margin, reduction=reduction)(input1, input2, target)


# ---------------------------------------------------------------- hinge_embedding_loss

@path("hinge_embedding_loss", "functional", params=["margin", "reduction"], conventions=KINK,
      call="torch.nn.functional.hinge_embedding_loss(input, target, margin=margin, "
           "reduction=reduction)")
def hinge_embedding_functional(input, target, *, margin, reduction):
    return F.hinge_embedding_loss(input, target, margin=margin, reduction=reduction)


@path("hinge_embedding_loss", "module", params=["margin", "reduction"], conventions=KINK,
      call="torch.nn.HingeEmbeddingLoss(margin=margin, reduction=reduction)(input, target)")
def hinge_embedding_module(input, target, *, margin, reduction):
    return nn.HingeEmbeddingLoss(margin=margin, reduction=reduction)(input, target)


# ---------------------------------------------------------------- triplet_margin_loss

TRIPLET_PARAMS = ["margin", "p", "eps", "swap", "reduction"]
TRIPLET_CONVENTIONS = [*KINK, "triplet_margin_added_first"]


@path("triplet_margin_loss", "functional", params=TRIPLET_PARAMS, conventions=TRIPLET_CONVENTIONS,
      call="torch.nn.functional.triplet_margin_loss(anchor, positive, negative, margin=margin, "
           "p=p, eps=eps, swap=swap, reduction=reduction)")
def triplet_functional(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    return F.triplet_margin_loss(anchor, positive, negative, margin=margin, p=p, eps=eps,
                                    swap=swap, reduction=reduction)


# torch has no feature-axis option (pairwise_distance reduces the last axis): a user whose
# features lie elsewhere (optax's axis=) moves them last first
@path("triplet_margin_loss", "functional(movedim)", kind="composed",
      params=[*TRIPLET_PARAMS, "axis"], conventions=TRIPLET_CONVENTIONS,
      call="torch.nn.functional.triplet_margin_loss(*(torch.movedim(x, axis, -1) for x in "
           "(anchor, positive, negative)), margin=margin, p=p, eps=eps, swap=swap, "
           "reduction=reduction)")
def triplet_movedim(anchor, positive, negative, *, margin, p, eps, swap, axis, reduction):
    a, pos, neg = (torch.movedim(x, axis, -1) for x in (anchor, positive, negative))
    return F.triplet_margin_loss(a, pos, neg, margin=margin, p=p, eps=eps, swap=swap,
                                 reduction=reduction)


@path("triplet_margin_loss", "module", params=TRIPLET_PARAMS, conventions=TRIPLET_CONVENTIONS,
      call="torch.nn.TripletMarginLoss(margin=margin, p=p, eps=eps, swap=swap, "
           "reduction=reduction)(anchor, positive, negative)")
def triplet_module(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    return nn.TripletMarginLoss(margin=margin, p=p, eps=eps, swap=swap,
                                   reduction=reduction)(anchor, positive, negative)


@path("triplet_margin_loss", "TripletMarginWithDistanceLoss(pairwise_distance)", kind="composed",
      params=TRIPLET_PARAMS, conventions=TRIPLET_CONVENTIONS,
      call="torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: "
           "torch.nn.functional.pairwise_distance(u, v, p=p, eps=eps), margin=margin, swap=swap, "
           "reduction=reduction)(anchor, positive, negative)")
def triplet_with_distance(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    return nn.TripletMarginWithDistanceLoss(
        distance_function=lambda u, v: F.pairwise_distance(u, v, p=p, eps=eps), margin=margin,
        swap=swap, reduction=reduction)(anchor, positive, negative)


# ---------------------------------------------------------------- cosine_embedding_loss

COSINE_CONVENTIONS = ["torch_cosine_eps_in_squared_norms", *KINK]


@path("cosine_embedding_loss", "functional", params=["margin", "reduction"],
      conventions=COSINE_CONVENTIONS,
      call="torch.nn.functional.cosine_embedding_loss(input1, input2, target, margin=margin, "
           "reduction=reduction)")
def cosine_functional(input1, input2, target, *, margin, reduction):
    return F.cosine_embedding_loss(input1, input2, target, margin=margin, reduction=reduction)


@path("cosine_embedding_loss", "module", params=["margin", "reduction"],
      conventions=COSINE_CONVENTIONS,
      call="torch.nn.CosineEmbeddingLoss(margin=margin, reduction=reduction)(input1, input2, "
           "target)")
def cosine_module(input1, input2, target, *, margin, reduction):
    return nn.CosineEmbeddingLoss(margin=margin, reduction=reduction)(input1, input2, target)


# ---------------------------------------------------------------- Keras's hinge losses (composed)

def keras_labels(target):
    """Keras's conversion: 0/1 labels (the whole tensor) become -1/1, other labels stay."""
    binary = ((target == 0) | (target == 1)).all()
    return torch.where(binary, 2 * target - 1, target)


@path("hinge", "torch.relu", kind="composed", params=["reduction"],
      call="reduce(torch.relu(1 - keras_labels(target) * input), reduction)  "
           "[keras_labels: 2 t - 1 when every t is 0 or 1]")
def hinge_torch(input, target, *, reduction):
    return reduce(torch.relu(1 - keras_labels(target) * input), reduction)


@path("squared_hinge", "torch.relu", kind="composed", params=["reduction"],
      call="reduce(torch.relu(1 - keras_labels(target) * input) ** 2, reduction)")
def squared_hinge_torch(input, target, *, reduction):
    return reduce(torch.relu(1 - keras_labels(target) * input) ** 2, reduction)


@path("categorical_hinge", "torch.amax", kind="composed", params=["reduction"],
      call="reduce(torch.relu(torch.amax((1 - target) * input, dim=-1) - (target * input)"
           ".sum(-1) + 1), reduction)")
def categorical_hinge_torch(input, target, *, reduction):
    neg = torch.amax((1 - target) * input, dim=-1)    # amax: ties share the gradient equally
    return reduce(torch.relu(neg - (target * input).sum(-1) + 1), reduction)


# ---------------------------------------------------------------- cosine_similarity (composed)
# torch has no cosine-similarity loss: the loss is minus F.cosine_similarity (a mapping of the
# sign, exact)

_TINY = ("the gradient of c with respect to a vector of norm r is a difference of two terms of "
         "size 1 / r that cancel to 0 for parallel vectors (and nearly cancel for nearly "
         "parallel ones), and this formula leaves their rounding: ")


# the same computation on one axis as on several moved last: both paths leave these
COSINE_TINY = {
    "gradient:one-element-tiny-vectors-float64": _TINY + (
        "target of norm 1e-15 and one element (c = 1): seen [0.015625, -0.25] with "
        "respect to target where the definition gives [0, 0]. A precision limit of the "
        "formula, not a convention"),
    "gradient:tiny-and-zero-vectors-eps-float32": _TINY + (
        "row 2's target of norm 5e-9 (floored at eps = 1e-8, the clamp passing the norm's "
        "gradient): terms of 2.6e7 cancel to 2.6e6 in float32, seen -2588910.0 where the "
        "convention gives -2588913.5 (error 3.5, tolerance 3.4). A precision limit, not "
        "a convention")}


@path("cosine_similarity", "-F.cosine_similarity", kind="composed",
      params=["axis", "eps", "reduction"],
      conventions=["torch_cosine_similarity_clamp_passes_gradient"], known_failures=COSINE_TINY,
      call="reduce(-torch.nn.functional.cosine_similarity(input, target, dim=axis, eps=eps), "
           "reduction)")
def cosine_similarity_torch(input, target, *, axis, eps, reduction):
    return reduce(-F.cosine_similarity(input, target, dim=axis, eps=eps), reduction)


# F.cosine_similarity takes one dim (a tuple raises TypeError "cosine_similarity(): argument 'dim'
# must be int, not tuple", torch 2.13): several axes are moved last and flattened into one, whose
# cosine is the joint one (the order of the flattened axes does not change a cosine)

def vectors_last(a, axis):
    """`a` with the vector axes `axis` (one, or a tuple taken jointly) moved last and flattened."""
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    k = a.dim() - len(axes)
    return torch.movedim(a, axes, tuple(range(k, a.dim()))).flatten(k)


@path("cosine_similarity", "-F.cosine_similarity(movedim+flatten)", kind="composed",
      params=["axis", "eps", "reduction"], tuple_params=["axis"],
      conventions=["torch_cosine_similarity_clamp_passes_gradient"], known_failures=COSINE_TINY,
      call="reduce(-torch.nn.functional.cosine_similarity(x, t, dim=-1, eps=eps), reduction)  "
           "[x, t = torch.movedim(input, axes, last), torch.movedim(target, axes, last), each "
           ".flatten(-len(axes)); axes = axis, or (axis,) for one]")
def cosine_similarity_torch_joint(input, target, *, axis, eps, reduction):
    return reduce(-F.cosine_similarity(vectors_last(input, axis), vectors_last(target, axis),
                                       dim=-1, eps=eps), reduction)


# ---------------------------------------------------------------- circle (composed)
# torch has no circle loss: keras.losses.circle's formula in torch operations, torch.relu for the
# weights (slope 0 at 0: canonical) and logaddexp(0, t) for the softplus (F.softplus turns linear
# above its threshold 20: torch_softplus_linear_above_20)

@path("circle", "torch.logsumexp", kind="composed",
      params=["gamma", "margin", "remove_diagonal", "reduction"],
      call="s = input @ input.T; same = target[:, None] == target[None, :]; pos = same & ~eye if "
           "remove_diagonal else same; z_p = -gamma * torch.relu(1 + margin - s) * (s - (1 - "
           "margin)); z_n = gamma * torch.relu(s + margin) * (s - margin); t = "
           "torch.logsumexp(torch.where(pos, z_p, -inf), 1) + torch.logsumexp(torch.where(~same, "
           "z_n, -inf), 1); reduce(torch.logaddexp(0, t), reduction)")
def circle_torch(input, target, *, gamma, margin, remove_diagonal, reduction):
    s = input @ input.T
    same = target[:, None] == target[None, :]
    pos = same & ~torch.eye(len(target), dtype=torch.bool, device=input.device) \
        if remove_diagonal else same
    z_p = -gamma * torch.relu(1 + margin - s) * (s - (1 - margin))
    z_n = gamma * torch.relu(s + margin) * (s - margin)
    low = torch.tensor(-float("inf"), dtype=s.dtype, device=s.device)
    t = (torch.logsumexp(torch.where(pos, z_p, low), 1)
         + torch.logsumexp(torch.where(~same, z_n, low), 1))
    return reduce(torch.logaddexp(torch.zeros_like(t), t), reduction)


# ---------------------------------------------------------------- evidence of the conventions

_CLAMP = ("aten/src/ATen/native/Loss.cpp ends each of these losses in clamp_min(z, 0); "
          "tools/autograd/derivatives.yaml clamp_min: where(self >= min, grad, 0) "
          "(no public documentation of the kink)")
for _form in ("functional", "module"):
    adapter.saw("hinge_kink_grad_active", path=f"margin_ranking_loss/{_form}",
                case="margin_ranking_loss/at-kink/none",
                call="F.margin_ranking_loss(x1, x2, y, reduction='none') with x1 = [1., .5, 2.], "
                     "x2 = [1., 1., 0.], y = [1., 1., -1.] (element 0 at the kink, margin 0)",
                seen="x1.grad for a sum: [-1., -1., 1.]; canonical [0., -1., 1.] (values "
                     "[0., .5, 2.] as canonical)", versions=SEEN_ON, link=_CLAMP)
    adapter.saw("hinge_kink_grad_active", path=f"hinge_embedding_loss/{_form}",
                case="hinge_embedding_loss/at-kink/none",
                call="F.hinge_embedding_loss(x, y, reduction='none') with x = [.5, 1., -2., .5, "
                     "1., 3.], y = [1., -1., -1., 0., 2., -1.]",
                seen="values [.5, 0., 3., 1., 1., 0.] as canonical; x.grad for a sum [1., -1., "
                     "-1., 0., 0., 0.]; canonical [1., 0., -1., 0., 1., 0.] (x = margin = 1 at "
                     "elements 1 and 4)", versions=SEEN_ON, link=_CLAMP)
    adapter.saw("torch_cosine_eps_in_squared_norms", path=f"cosine_embedding_loss/{_form}",
                case="cosine_embedding_loss/tiny-and-zero-vectors/none",
                call="F.cosine_embedding_loss(x1, x2, y, reduction='none') with x1 rows [0, 0, 0], "
                     "[3e-8, 4e-8, 0], [1, 2, 3]",
                seen="[1.0, 0.9700374297739667, 0.4780914437]: row 0 (a zero vector) c = 0, "
                     "gradient -x2 / sqrt(1e-12 ||x2||^2) = [-267261.2, -534522.5, -801783.7] "
                     "(canonical nan); row 1 c = 3e-8 / sqrt((2.5e-15 + 1e-12)(1 + 1e-12)) = "
                     "0.02996 (canonical 0.6, loss 0.4); the value fits e = float32(1e-12) = "
                     "9.99999996e-13 exactly, e = 1e-12 is off by 6e-11",
                versions=SEEN_ON, link="aten/src/ATen/native/Loss.cpp cosine_embedding_loss: "
                "EPSILON = 1e-12 added to both squared magnitudes; " + TORCH_DOCS.format(
                    "CosineEmbeddingLoss") + " gives the formula without it")
    adapter.saw("hinge_kink_grad_active", path=f"cosine_embedding_loss/{_form}",
                case="cosine_embedding_loss/at-kink/none",
                call="F.cosine_embedding_loss(x1, x2, y=[-1, -1, 1], margin=0., reduction='none') "
                     "with row 0 orthogonal (c = 0 = margin)",
                seen="row 0: value 0, input1.grad [0., 1., 0.] = x2 / (||x1|| ||x2||) and "
                     "input2.grad [.5, 0., 0.] for a sum (hinge active); canonical 0",
                versions=SEEN_ON, link=_CLAMP)
for _name in ("functional", "module", "TripletMarginWithDistanceLoss(pairwise_distance)"):
    adapter.saw("hinge_kink_grad_active", path=f"triplet_margin_loss/{_name}",
                case="triplet_margin_loss/at-kink/none",
                call="F.triplet_margin_loss(a, p, n, eps=0., reduction='none') with "
                     "d(a, p) = 1, d(a, n) = 2, margin 1 (row 0 at the kink)",
                seen="row 0: value 0; for a sum anchor.grad [-1., 1.], positive.grad [1., 0.], "
                     "negative.grad [0., -1.] (hinge active); canonical 0", versions=SEEN_ON,
                link=_CLAMP)
    adapter.saw("triplet_margin_added_first", path=f"triplet_margin_loss/{_name}",
                case="triplet_margin_loss/margin-beside-huge-distances/none",
                call="F.triplet_margin_loss(a, p, n, reduction='none') with a = [[1e17], [.5]], "
                     "p = [[0.], [.25]], n = [[0.], [3.]] (float64)",
                seen="[0., 0.]; canonical [1., 0.] (row 0: d(a, p) = d(a, n) = 1e17, and "
                     "1 + 1e17 rounds to 1e17)", versions=SEEN_ON,
                link="aten/src/ATen/native/Loss.cpp triplet_margin_loss: "
                     "clamp_min(margin + dist_pos - dist_neg, 0)")

adapter.saw("torch_cosine_similarity_clamp_passes_gradient",
            path="cosine_similarity/-F.cosine_similarity",
            case="cosine_similarity/tiny-and-zero-vectors-eps/none",
            call="-F.cosine_similarity(x1, x2, dim=-1, eps=1e-8) (float64) with x1 rows [3e-9, "
                 "4e-9, 0], [0, 0, 0], [1, 2, 3] and x2 rows [1, 0, 0], [1, 2, 3], [3e-9, 0, 4e-9]",
            seen="values -[0.3, 0., 0.40089186] as canonical (norms floored at 1e-8); gradient of "
                 "the sum of F.cosine_similarity with respect to x1 row 0: [8.2e7, -2.4e7, 0] = "
                 "x2 / (1e-8 ||x2||) - c x1 / (||x1|| 1e-8), canonical [1e8, 0, 0] (the floored "
                 "norm has no gradient); row 1 (a zero vector): [2.67e7, 5.35e7, 8.02e7] = x2 / "
                 "(1e-8 ||x2||), as canonical", versions=SEEN_ON,
            link="aten/src/ATen/native/Distance.cpp cosine_similarity: linalg_vector_norm(...)"
                 ".clone(), then clamp_min_(eps) under at::NoGradGuard; "
                 "https://pytorch.org/docs/stable/generated/torch.nn.functional.cosine_similarity"
                 ".html (max(||x1||, eps) max(||x2||, eps), no word on the gradient)")

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "hinge_embedding_loss with targets other than 1 and -1 (seed 002 section 11 draws them from "
    "randn): l = x + max(0, margin - x) = max(x, margin), as ATen computes where(target != 1, "
    "clamp_min(margin - x, 0), 0) + where(target != -1, x, 0); the seed's inputs give "
    "1.2102666666666666 = mean(max(x, 1)), printed 1.2103; canonical by definition (spec)",
    "triplet_margin_loss: pairwise_distance(u, v, p, eps) = ||u - v + eps||_p (eps on every "
    "component; agrees to 4e-16 with that formula for p = 1, 2, 3, swap on and off); at zero "
    "distance (eps = 0, anchor == positive) the norm's gradient is 0 for p = 1, 2, 3; swap's "
    "at::min splits a tie evenly (anchor.grad [.5, 0], positive.grad [.5, 0], negative.grad "
    "[-1, 0] for a = p = [0, 1], n = [.5, 1]); margin <= 0 raises 'margin must be greater than 0'",
    "cosine_embedding_loss: a target other than 1 or -1 gives 0 (where(target == 1), "
    "where(target == -1)); margins outside [-1, 1] are accepted; (D,) inputs with a 0-D target "
    "work",
    "margin_ranking_loss accepts 0-D inputs (the 'scalar' case)",
    "F.cosine_similarity(x1, x2, dim, eps) broadcasts x1 and x2 (the canonical loss takes one "
    "shape) and its default dim is 1, eps 1e-8 (canonical axis -1, eps 0); with eps=0 a zero "
    "vector gives nan, as canonical",
)
