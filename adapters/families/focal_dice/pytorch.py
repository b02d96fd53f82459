"""PyTorch paths of the focal_dice family (spec.py beside this file).

torch has none of these losses: torchvision.ops.sigmoid_focal_loss is not part of torch (and not
installed here), and torch has no Dice, Tversky or categorical focal loss. Every path is composed
from torch ops, written here.
"""
from __future__ import annotations

import math

from adapters.families.classification.pytorch import over_joint_axes
from adapters.pytorch import SEEN_ON, F, adapter, path, reduce, torch  # noqa: F401

from .spec import (
    classes_first,
    denominator_terms,
    dice_axes,
    lovasz_sets,
    weigh_dice_classes,
    without_ignore_index,
)

# ---------------------------------------------------------------- sigmoid_focal_loss

FOCAL_PARAMS = ["alpha", "gamma", "label_smoothing", "reduction"]


def smooth_binary(target, label_smoothing):
    """Keras's binary label smoothing, y (1 - eps) + eps / 2, which torch has no option for."""
    return target * (1 - label_smoothing) + 0.5 * label_smoothing


# torchvision's documented formula (its source is shown on the documentation page): pow of
# 1 - p_t computed by subtraction
@path("sigmoid_focal_loss", "torchvision-formula", kind="composed", params=FOCAL_PARAMS,
      conventions=["focal_pow_grad_nan_where_p_t_is_1"],
      call="target = target * (1 - label_smoothing) + 0.5 * label_smoothing; "
           "p = torch.sigmoid(input); ce = F.binary_cross_entropy_with_logits(input, target, "
           "reduction='none'); p_t = p * target + (1 - p) * (1 - target); "
           "l = ce * (1 - p_t) ** gamma; if alpha >= 0: l = (alpha * target + (1 - alpha) * "
           "(1 - target)) * l; reduce(l, reduction)  "
           "[torchvision.ops.sigmoid_focal_loss's formula]")
def focal_torchvision_formula(input, target, *, alpha, gamma, label_smoothing, reduction):
    target = smooth_binary(target, label_smoothing)
    p = torch.sigmoid(input)
    ce = F.binary_cross_entropy_with_logits(input, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    losses = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    return reduce(losses, reduction)


# The same loss with 1 - p_t in log space: exp(gamma log(1 - p_t)) has a finite gradient where
# 1 - p_t underflows, so this one is canonical everywhere. torch has neither the reduced nor the
# normalised focal loss (nor has torchvision, Keras, optax, kornia or MONAI): composed here.
@path("sigmoid_focal_loss", "log-space", kind="composed",
      params=[*FOCAL_PARAMS, "normalized", "reduced_threshold"],
      call="target = target * (1 - label_smoothing) + 0.5 * label_smoothing; "
           "log_q = torch.logaddexp(torch.log(target) + F.logsigmoid(-input), "
           "torch.log1p(-target) + F.logsigmoid(input)); f = torch.exp(gamma * log_q); "
           "if reduced_threshold is not None: f = torch.where(-torch.expm1(log_q) < "
           "reduced_threshold, 1, torch.exp(gamma * (log_q - log(reduced_threshold)))); "
           "l = alpha_t * f * F.binary_cross_entropy_with_logits(input, target, reduction='none'); "
           "if normalized: l = l / f.sum(); reduce(l, reduction)")
def focal_log_space(input, target, *, alpha, gamma, label_smoothing, normalized,
                    reduced_threshold, reduction):
    target = smooth_binary(target, label_smoothing)
    # log(1 - p_t) = log(y sigmoid(-x) + (1 - y) sigmoid(x)); log(0) = -inf drops a term
    log_q = torch.logaddexp(torch.log(target) + F.logsigmoid(-input),
                            torch.log1p(-target) + F.logsigmoid(input))
    factor = torch.exp(gamma * log_q)
    if reduced_threshold is not None:      # 1 below the threshold: p_t = 1 - exp(log_q)
        factor = torch.where(-torch.expm1(log_q) < reduced_threshold, 1.0,
                             torch.exp(gamma * (log_q - math.log(reduced_threshold))))
    losses = factor * F.binary_cross_entropy_with_logits(input, target, reduction="none")
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    if normalized:
        losses = losses / factor.sum()
    return reduce(losses, reduction)


# ---- pos_weight (kornia's binary_focal_loss_with_logits(pos_weight=)): torch's BCE with
# pos_weight inside the focal loss, 1 - p_t in log space as the log-space path
POS_WEIGHT_ONLY = {"cases without pos_weight (it is log-space then)":
                   lambda p, e, i: p["pos_weight"] is None}


@path("sigmoid_focal_loss", "log-space(pos_weight=)", kind="composed",
      params=["alpha", "gamma", "pos_weight", "reduction"], unsupported_when=POS_WEIGHT_ONLY,
      call="log_q = torch.logaddexp(torch.log(target) + F.logsigmoid(-input), "
           "torch.log1p(-target) + F.logsigmoid(input)); l = alpha_t * torch.exp(gamma * log_q) "
           "* F.binary_cross_entropy_with_logits(input, target, pos_weight=pos_weight, "
           "reduction='none') (alpha_t = 1 if alpha < 0); reduce(l, reduction)")
def focal_pos_weight(input, target, *, alpha, gamma, pos_weight, reduction):
    log_q = torch.logaddexp(torch.log(target) + F.logsigmoid(-input),
                            torch.log1p(-target) + F.logsigmoid(input))
    losses = torch.exp(gamma * log_q) * F.binary_cross_entropy_with_logits(
        input, target, pos_weight=pos_weight, reduction="none")
    if alpha >= 0:
        losses = (alpha * target + (1 - alpha) * (1 - target)) * losses
    return reduce(losses, reduction)


# ---------------------------------------------------------------- soft_dice_loss

@path("soft_dice_loss", "torch.sum", kind="composed",
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "reduction"],
      call="dims = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; sq = a * a if squared else a; "
           "l = 1 - (2 * (input * target).sum(dims) + smooth) / (sq(input).sum(dims) + "
           "sq(target).sum(dims) + smooth); l = weigh_dice_classes(l, class_weights, "
           "ignore_background, classes first) [spec.py: l * class_weights per class, class 0 "
           "dropped with ignore_background]; reduce(l, reduction)")
def dice_torch(input, target, *, smooth, sum_over, axis, class_weights, ignore_background,
               squared, reduction):
    dims = dice_axes(input.ndim, sum_over, axis)
    sq = denominator_terms(squared)
    if dims:
        inter = (input * target).sum(dim=dims)
        total = sq(input).sum(dim=dims) + sq(target).sum(dim=dims)
    else:                  # (N, C) input per sample and class: each element is its own Dice
        inter, total = input * target, sq(input) + sq(target)
    losses = 1 - (2 * inter + smooth) / (total + smooth)
    return reduce(weigh_dice_classes(losses, class_weights, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


# ---------------------------------------------------------------- categorical_focal_crossentropy
# Written so that every gradient is the definition's: 1 - p as -expm1(log p) (no cancellation),
# (1 - p)^gamma held constant where it is 0^gamma or 1 (the derivative of pow at 0 would meet a
# 0 and give nan), and log p replaced by 0 where the target is 0 (0 * -inf).

CFC_PARAMS = ["alpha", "gamma", "label_smoothing", "ignore_index", "axis", "reduction"]


@path("categorical_focal_crossentropy", "log_softmax", kind="composed", params=CFC_PARAMS,
      call="dim = axis (the class axis; 0 for 1-D input); logp = F.log_softmax(input, dim=dim); "
           "t = F.one_hot(index target, C) moved to dim (0 for ignore_index) or the one_hot/probs "
           "target; t = (1 - eps) * t + eps / C on kept rows; q = -torch.expm1(logp); "
           "ok = (q > 0) & (logp > -inf); f = torch.where(ok, "
           "torch.where(ok, q, 1) ** gamma, 0.0 ** gamma if q == 0 else 1); "
           "l = -alpha * (t * f * torch.where(t > 0, logp, 0)).sum(dim); 'mean' divides by the "
           "kept rows")
def cfc_torch(input, target, *, alpha, gamma, label_smoothing, ignore_index, axis, reduction):
    dim = axis % input.ndim if input.ndim > 1 else 0    # log_softmax(dim=) takes any class axis
    c = input.shape[dim]
    if target.dtype == torch.int64:
        kept = target != ignore_index
        t = F.one_hot(torch.where(kept, target, 0), c).to(input.dtype)
        t = torch.movedim(t * kept.unsqueeze(-1), -1, dim)
    else:
        kept = torch.ones(target.sum(dim).shape, dtype=torch.bool, device=input.device)
        t = target
    if label_smoothing:
        t = torch.where(kept.unsqueeze(dim), (1 - label_smoothing) * t + label_smoothing / c, 0.0)
    logp = F.log_softmax(input, dim=dim)
    q = -torch.expm1(logp)
    ok = (q > 0) & (logp > -torch.inf)
    f = torch.where(ok, torch.where(ok, q, 1.0) ** gamma,
                    torch.where(q > 0, 1.0, 0.0 ** gamma).to(input.dtype))
    losses = -alpha * (t * f * torch.where(t > 0, logp, 0.0)).sum(dim)
    if reduction == "mean":
        return losses.sum() / kept.sum()
    return reduce(losses, reduction)


# torch's dim= is one axis: several class axes at once (keras.losses.categorical_focal_crossentropy
# (axis=(1, 2)), one softmax over the joint classes) are moved last in the order given and
# flattened into one, as for cross_entropy (families/classification/pytorch.py); an index target
# is then a flat index into them
@path("categorical_focal_crossentropy", "log_softmax(movedim+flatten)", kind="composed",
      params=CFC_PARAMS, tuple_params=["axis"],
      call="x = torch.movedim(input, axis, range(input.ndim - len(axis), input.ndim))"
           ".flatten(input.ndim - len(axis)), the same for one-hot or probability targets (axis: "
           "one class axis, or a tuple taken jointly; an index target as it is, a flat index); "
           "then the log_softmax path's computation on x with axis=-1")
def cfc_torch_joint(input, target, *, axis, **params):
    return over_joint_axes(cfc_torch)(input, target, axis=axis, **params)


# ---------------------------------------------------------------- tversky

@path("tversky", "torch.sum", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "axis", "ignore_background", "reduction"],
      call="dims = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; "
           "tp = (input * target).sum(dims); fp = (input * (1 - target)).sum(dims); "
           "fn = ((1 - input) * target).sum(dims); l = 1 - (tp + smooth) / (tp + alpha * fp + "
           "beta * fn + smooth); l = weigh_dice_classes(l, None, ignore_background, classes "
           "first) [spec.py: class 0 dropped]; reduce(l, reduction)")
def tversky_torch(input, target, *, alpha, beta, smooth, sum_over, axis, ignore_background,
                  reduction):
    dims = dice_axes(input.ndim, sum_over, axis)
    tp, fp, fn = input * target, input * (1 - target), (1 - input) * target
    if dims:
        tp, fp, fn = tp.sum(dim=dims), fp.sum(dim=dims), fn.sum(dim=dims)
    losses = 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)
    return reduce(weigh_dice_classes(losses, None, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


# ---------------------------------------------------------------- generalized_dice

def gdl_class_weights(volume, weight_type):
    """w_c of the class volumes (classes last): an absent class takes the largest finite weight
    of its sample (0 when none is)."""
    w = {"square": lambda: 1 / volume ** 2, "simple": lambda: 1 / volume,
         "uniform": lambda: torch.ones_like(volume)}[weight_type]()
    infinite = torch.isinf(w)
    finite = torch.where(infinite, 0.0, w)
    return torch.where(infinite, finite.amax(dim=-1, keepdim=True), finite)


@path("generalized_dice", "torch.sum", kind="composed",
      params=["weight_type", "smooth", "sum_over", "axis", "ignore_background", "reduction"],
      call="input, target = torch.movedim(input, axis, 1), torch.movedim(target, axis, 1); "
           "input, target = input[:, 1:], target[:, 1:] if ignore_background and C > 1; "
           "dims = (2, .., ndim-1), with 0 first for sum_over='batch_and_spatial'; "
           "I, P, T = (input * target).sum(dims), input.sum(dims), target.sum(dims); "
           "w = {1 / T**2, 1 / T, 1}[weight_type], inf replaced by the largest finite w of the "
           "sample; "
           "l = 1 - (2 * (w * I).sum(-1) + smooth) / ((w * (P + T)).sum(-1) + smooth); "
           "reduce(l, reduction)")
def gdl_torch(input, target, *, weight_type, smooth, sum_over, axis, ignore_background,
              reduction):
    # the classes moved to 1 (the batch, the first other axis, then lies at 0): the sums keep
    # (N, C) and the weighted sum runs over the last axis
    input, target = torch.movedim(input, axis, 1), torch.movedim(target, axis, 1)
    if ignore_background and input.shape[1] > 1:
        input, target = input[:, 1:], target[:, 1:]
    dims = tuple(range(2, input.ndim))
    if sum_over == "batch_and_spatial":
        dims = (0, *dims)
    inter, volume = (input * target).sum(dim=dims), target.sum(dim=dims)
    w = gdl_class_weights(volume, weight_type)
    total = (w * (input.sum(dim=dims) + volume)).sum(-1)
    return reduce(1 - (2 * (w * inter).sum(-1) + smooth) / (total + smooth), reduction)


# ---------------------------------------------------------------- jaccard

@path("jaccard", "torch.sum", kind="composed",
      params=["smooth", "sum_over", "axis", "squared", "reduction"],
      call="dims = dice_axes(input.ndim, sum_over, axis)  [dice_axes: "
           "adapters/families/focal_dice/spec.py]; sq = a * a if squared else a; "
           "I = (input * target).sum(dims); U = sq(input).sum(dims) + sq(target).sum(dims) - "
           "I; reduce(1 - (I + smooth) / (U + smooth), reduction)")
def jaccard_torch(input, target, *, smooth, sum_over, axis, squared, reduction):
    dims = dice_axes(input.ndim, sum_over, axis)
    sq = denominator_terms(squared)
    if dims:
        inter = (input * target).sum(dim=dims)
        union = sq(input).sum(dim=dims) + sq(target).sum(dim=dims) - inter
    else:                  # (N, C) input per sample and class: each element is its own index
        inter = input * target
        union = sq(input) + sq(target) - inter
    return reduce(1 - (inter + smooth) / (union + smooth), reduction)


# ---------------------------------------------------------------- lovasz_hinge, lovasz_softmax
# torch has no Lovasz loss: Berman et al.'s Alg. 1 composed from torch.sort and torch.cumsum,
# vectorised over the sets. stable=True keeps tied errors in their order (the canonical
# gradient; torch.sort's default is unstable beyond 16 elements). An ignored pixel sorts last
# with weight 0 instead of being dropped, so every shape is fixed.

def lovasz_weights(labels, kept):
    """w of the labels and kept flags sorted by descending error (last axis): J_k - J_(k-1)."""
    total = labels.sum(-1, keepdim=True)
    inter = total - labels.cumsum(-1)
    union = total + ((1 - labels) * kept).cumsum(-1)
    jac = 1 - inter / torch.where(union > 0, union, 1.0)     # union 0: no kept pixel yet
    return torch.diff(jac, dim=-1, prepend=torch.zeros_like(jac[..., :1])) * kept


def lovasz_sorted(errors, labels, kept, floor):
    """errors, labels and kept flags (sets on the last axis) sorted by descending error, the
    ignored pixels (key `floor`) last."""
    _, order = torch.sort(torch.where(kept > 0, errors, floor), dim=-1, descending=True,
                          stable=True)
    return errors.gather(-1, order), labels.gather(-1, order), kept.gather(-1, order)


LOVASZ_HINGE_CALL = (
    "kept = target != ignore_index; s = 2 * target - 1 (0 where ignored); m = (1 - input * s)"
    ".reshape(sets, -1) (N sets per_image, else 1); m, g, k sorted by torch.sort(where(kept, "
    "m, -inf), descending=True, stable=True); w = diff(1 - (G - cumsum(g)) / (G + cumsum((1 - "
    "g) k))) * k; l = (F.relu(m) * w).sum(-1); reduce(l, reduction)")


@path("lovasz_hinge", "torch.sort", kind="composed", params=["per_image", "ignore_index",
                                                            "reduction"],
      call=LOVASZ_HINGE_CALL)
def lovasz_hinge_torch(input, target, *, per_image, ignore_index, reduction):
    shape = lovasz_sets(input.shape, per_image)
    kept = (target != ignore_index).to(input.dtype)
    signs = torch.where(kept > 0, 2 * target - 1, 0.0)
    m, g, k = lovasz_sorted((1 - input * signs).reshape(shape), (target * kept).reshape(shape),
                            kept.reshape(shape), -torch.inf)
    losses = (F.relu(m) * lovasz_weights(g, k)).sum(-1)
    return reduce(losses if per_image else losses[0], reduction)


LOVASZ_SOFTMAX_CALL = (
    "p = F.softmax(input, dim=1); fg = F.one_hot(target, C) (0 where ignored) or the one-hot "
    "target, classes last, as (sets, C, pixels); m = (fg - p).abs(); m, g, k sorted along the "
    "pixels by torch.sort(where(kept, m, -1), descending=True, stable=True); l_c = (m * w).sum(-1) "
    "with w as lovasz_hinge's; l = the mean of l_c over the present classes (fg.sum(-1) > 0) or "
    "all (l_c * class_weights first, when given); reduce(l, reduction)")


@path("lovasz_softmax", "torch.sort", kind="composed",
      params=["classes", "per_image", "ignore_index", "class_weights", "reduction"],
      call=LOVASZ_SOFTMAX_CALL)
def lovasz_softmax_torch(input, target, *, classes, per_image, ignore_index, class_weights,
                         reduction):
    c = input.shape[1]
    prob = torch.movedim(F.softmax(input, dim=1), 1, -1)          # (N, d1..dk, C)
    if target.dtype == torch.int64:
        kept = target != ignore_index
        fg = F.one_hot(torch.where(kept, target, 0), c).to(input.dtype) * kept.unsqueeze(-1)
    else:
        fg = torch.movedim(target, 1, -1)
        kept = torch.ones(fg.shape[:-1], dtype=torch.bool, device=input.device)
    groups, size = lovasz_sets(kept.shape, per_image)

    def sets(a):       # (N, d1..dk, C) -> (sets, C, pixels)
        return a.reshape(groups, size, c).transpose(1, 2)
    fg, k = sets(fg), sets(kept.unsqueeze(-1).expand(fg.shape).to(input.dtype))
    m, g, k = lovasz_sorted((fg - sets(prob)).abs(), fg, k, -1.0)
    per_class = (m * lovasz_weights(g, k)).sum(-1)                # (sets, C)
    if class_weights is not None:
        per_class = per_class * class_weights
    if classes == "present":
        present = (fg.sum(-1) > 0).to(input.dtype)
        losses = (per_class * present).sum(-1) / present.sum(-1).clamp(min=1)
    else:
        losses = per_class.mean(-1)
    return reduce(losses if per_image else losses[0], reduction)


# ---------------------------------------------------------------- evidence

TORCHVISION_DOC = ("https://docs.pytorch.org/vision/stable/generated/"
                   "torchvision.ops.sigmoid_focal_loss.html")

adapter.saw("focal_pow_grad_nan_where_p_t_is_1", path="sigmoid_focal_loss/torchvision-formula",
            case="sigmoid_focal_loss/saturated-gamma-0.5-none/none",
            call="torch.autograd.grad of the torchvision formula (this module), gamma=0.5, "
                 "reduction='none', on input [[40., -40., 1e4, -1e4], [.5, -2., 1., 0.]] and "
                 "target [[1., 0., 1., 0.], [1., 0., 0., 1.]]",
            seen="values [[0, 0, 0, 0], [0.0728233663, 0.0328671607, 0.8421483979, 0.1225322679]] "
                 "(canonical row 0: 2.19e-27, 6.57e-27, 0, 0); gradient / cotangent [[nan, nan, "
                 "nan, nan], [-0.0806591332, 0.0453414501, 0.5820463736, -0.1190214146]], "
                 "canonical row 0 [-1.09e-27, 9.85e-27, 0, 0]. At gamma = 0 torch's pow backward "
                 "returns 0 for a 0 exponent, so no nan; the log-space path is canonical",
            versions=SEEN_ON,
            link=TORCHVISION_DOC + " (the formula: ce_loss * ((1 - p_t) ** gamma); no public "
                 "documentation of the nan found)")


# ---------------------------------------------------------------- ignore_index (soft_dice_loss,
# jaccard, tversky)
# torch has no Dice loss, so no ignore_index either: the composed paths above, given the input
# and target with the ignored elements set to 0 (they leave every sum; no gradient reaches them)

def drop_ignored(input, target, ignore_index):
    if ignore_index is None:             # nothing ignored: the base path's call
        return input, target
    kept = target != ignore_index
    return input * kept, torch.where(kept, target, torch.zeros_like(target))


IGNORE_CALL = ("kept = target != ignore_index; input, target = input * kept, torch.where(kept, "
               "target, 0); ")


@path("soft_dice_loss", "torch.sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("soft_dice_loss/torch.sum"),
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "ignore_index", "reduction"],
      call=IGNORE_CALL + "then soft_dice_loss/torch.sum's call")
def dice_torch_ignore(input, target, *, ignore_index, **params):
    return dice_torch(*drop_ignored(input, target, ignore_index), **params)


@path("jaccard", "torch.sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("jaccard/torch.sum"),
      params=["smooth", "sum_over", "axis", "squared", "ignore_index", "reduction"],
      call=IGNORE_CALL + "then jaccard/torch.sum's call")
def jaccard_torch_ignore(input, target, *, ignore_index, **params):
    return jaccard_torch(*drop_ignored(input, target, ignore_index), **params)


@path("tversky", "torch.sum(ignore_index)", kind="composed",
      unsupported_when=without_ignore_index("tversky/torch.sum"),
      params=["alpha", "beta", "smooth", "sum_over", "axis", "ignore_background", "ignore_index",
              "reduction"],
      call=IGNORE_CALL + "then tversky/torch.sum's call")
def tversky_torch_ignore(input, target, *, ignore_index, **params):
    return tversky_torch(*drop_ignored(input, target, ignore_index), **params)


# ---------------------------------------------------------------- Dice-family variants
# log_loss, the focal Tversky gamma, and class_weights and ignore_background on jaccard and
# tversky (spec.py's Dice-family variants): paths of their own, the plain paths' sums turned into
# a loss by overlap_loss, refused where every variant is at its default (the plain paths check
# those cases)

from .spec import VARIANTS_REFUSED, overlap_loss, uses_variants  # noqa: E402

VARIANTS_ONLY = {VARIANTS_REFUSED: lambda p, e, i: not uses_variants(p)}
_VARIANT_TAIL = ("; l = overlap_loss(index, log_loss, gamma, torch.log) [spec.py: -log(index) "
                 "or 1 - index, ** gamma]; l = weigh_dice_classes(l, class_weights, "
                 "ignore_background, classes first); reduce(l, reduction)")


def _summed(a, dims):
    """a summed over dims; torch's sum(dim=()) sums everything, so no dims sums nothing."""
    return a.sum(dim=dims) if dims else a


def _variant_reduce(index, input, axis, log_loss, gamma, class_weights, ignore_background,
                    reduction):
    losses = overlap_loss(index, log_loss, gamma, torch.log)
    return reduce(weigh_dice_classes(losses, class_weights, ignore_background,
                                     classes_first(input.ndim, axis, losses.ndim)), reduction)


@path("soft_dice_loss", "torch.sum(log_loss)", kind="composed",
      params=["smooth", "sum_over", "axis", "class_weights", "ignore_background", "squared",
              "log_loss", "reduction"], unsupported_when=VARIANTS_ONLY,
      call="dims = dice_axes(input.ndim, sum_over, axis); sq = a * a if squared else a; "
           "index = (2 * (input * target).sum(dims) + smooth) / (sq(input).sum(dims) + "
           "sq(target).sum(dims) + smooth)" + _VARIANT_TAIL.replace("gamma, ", "1, "))
def dice_torch_variants(input, target, *, smooth, sum_over, axis, class_weights,
                        ignore_background, squared, log_loss, reduction):
    dims = dice_axes(input.ndim, sum_over, axis)
    sq = denominator_terms(squared)
    index = (2 * _summed(input * target, dims) + smooth) / (
        _summed(sq(input), dims) + _summed(sq(target), dims) + smooth)
    return _variant_reduce(index, input, axis, log_loss, 1.0, class_weights, ignore_background,
                           reduction)


@path("jaccard", "torch.sum(class_weights, log_loss)", kind="composed",
      params=["smooth", "sum_over", "axis", "squared", "class_weights", "ignore_background",
              "log_loss", "reduction"], unsupported_when=VARIANTS_ONLY,
      call="dims = dice_axes(input.ndim, sum_over, axis); sq = a * a if squared else a; "
           "I = (input * target).sum(dims); U = sq(input).sum(dims) + sq(target).sum(dims) - I; "
           "index = (I + smooth) / (U + smooth)" + _VARIANT_TAIL.replace("gamma, ", "1, "))
def jaccard_torch_variants(input, target, *, smooth, sum_over, axis, squared, class_weights,
                           ignore_background, log_loss, reduction):
    dims = dice_axes(input.ndim, sum_over, axis)
    sq = denominator_terms(squared)
    inter = _summed(input * target, dims)
    union = _summed(sq(input), dims) + _summed(sq(target), dims) - inter
    return _variant_reduce((inter + smooth) / (union + smooth), input, axis, log_loss, 1.0,
                           class_weights, ignore_background, reduction)


@path("tversky", "torch.sum(gamma, class_weights, log_loss)", kind="composed",
      params=["alpha", "beta", "smooth", "sum_over", "axis", "class_weights",
              "ignore_background", "gamma", "log_loss", "reduction"],
      unsupported_when=VARIANTS_ONLY,
      call="dims = dice_axes(input.ndim, sum_over, axis); tp, fp, fn = ((input * target)"
           ".sum(dims), (input * (1 - target)).sum(dims), ((1 - input) * target).sum(dims)); "
           "index = (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)" + _VARIANT_TAIL)
def tversky_torch_variants(input, target, *, alpha, beta, smooth, sum_over, axis, class_weights,
                           ignore_background, gamma, log_loss, reduction):
    dims = dice_axes(input.ndim, sum_over, axis)
    tp = _summed(input * target, dims)
    fp, fn = _summed(input * (1 - target), dims), _summed((1 - input) * target, dims)
    return _variant_reduce((tp + smooth) / (tp + alpha * fp + beta * fn + smooth), input, axis,
                           log_loss, gamma, class_weights, ignore_background, reduction)
