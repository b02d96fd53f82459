"""PyTorch paths of the classification family (spec.py beside this file): softmax, log_softmax,
cross_entropy, nll_loss, binary_cross_entropy(_with_logits), poly_loss_cross_entropy and
categorical_generalized_cross_entropy (composed: torch has neither), linear_cross_entropy,
jsd_cross_entropy (composed).
Functional and module forms are separate paths because users mix them.
"""
from __future__ import annotations

from adapters.pytorch import SEEN_ON, TORCH_DOCS, F, adapter, nn, path, torch

# ---------------------------------------------------------------- softmax, log_softmax

@path("softmax", "functional", call="torch.nn.functional.softmax(input, dim=dim)", params=["dim"])
def softmax_functional(input, *, dim):
    return F.softmax(input, dim=dim)


@path("softmax", "module", call="torch.nn.Softmax(dim=dim)(input)", params=["dim"])
def softmax_module(input, *, dim):
    return nn.Softmax(dim=dim)(input)


@path("log_softmax", "functional", call="torch.nn.functional.log_softmax(input, dim=dim)",
      params=["dim"])
def log_softmax_functional(input, *, dim):
    return F.log_softmax(input, dim=dim)


@path("log_softmax", "module", call="torch.nn.LogSoftmax(dim=dim)(input)", params=["dim"])
def log_softmax_module(input, *, dim):
    return nn.LogSoftmax(dim=dim)(input)


# torch's dim= is one axis: a softmax over several at once (jax.nn.softmax(axis=(1, 2))) moves
# them last, flattens them, and lays the result back
def over_joint_dims(fn):
    """fn(x, dim=-1) on the axes `dim` (one, or a tuple taken jointly) moved last in the order
    given and flattened into one, the result laid back on the input's axes."""
    def run(input, *, dim):
        dims = tuple(d % input.dim() for d in (dim if isinstance(dim, tuple) else (dim,)))
        last = tuple(range(input.dim() - len(dims), input.dim()))
        moved = torch.movedim(input, dims, last)
        out = fn(moved.flatten(input.dim() - len(dims)), dim=-1).reshape(moved.shape)
        return torch.movedim(out, last, dims)
    run.__name__ = f"{fn.__name__}_over_joint_dims"
    return run


JOINT_DIMS_CALL = ("x = torch.movedim(input, dim, last); torch.movedim({fn}(x.flatten(start), "
                   "dim=-1).reshape(x.shape), last, dim)  [dim: one axis, or a tuple taken "
                   "jointly; last, start: the last len(dim) axes]")

path("softmax", "functional(movedim+flatten)", kind="composed", params=["dim"],
     tuple_params=["dim"], call=JOINT_DIMS_CALL.format(fn="torch.nn.functional.softmax"))(
    over_joint_dims(F.softmax))
path("log_softmax", "functional(movedim+flatten)", kind="composed", params=["dim"],
     tuple_params=["dim"], call=JOINT_DIMS_CALL.format(fn="torch.nn.functional.log_softmax"))(
    over_joint_dims(F.log_softmax))


# ---------------------------------------------------------------- cross_entropy, nll_loss

CE_PARAMS = ["weight", "ignore_index", "label_smoothing", "reduction"]
CE_CONVENTIONS = ["probs_weighted_mean_divides_by_count",
                  "probs_zero_target_on_neg_inf_logit_is_nan", "all_ignored_mean_gradient_is_zero"]
# found by fuzzing: F.cross_entropy(x, probs, ignore_index=0) raises RuntimeError "ignore_index is
# not supported for floating point target" (any ignore_index >= 0; -100 and -1 pass), torch 2.13.0
CE_REFUSES = {"ignore_index >= 0 with one_hot or probs targets (RuntimeError: ignore_index is not "
              "supported for floating point target)":
              lambda params, encoding, inputs: encoding != "index" and params["ignore_index"] >= 0}


@path("cross_entropy", "functional", params=CE_PARAMS, conventions=CE_CONVENTIONS,
      unsupported_when=CE_REFUSES,
      call="torch.nn.functional.cross_entropy(input, target, weight=weight, "
           "ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)")
def cross_entropy_functional(input, target, *, weight, ignore_index, label_smoothing, reduction):
    return F.cross_entropy(input, target, weight=weight, ignore_index=ignore_index,
                              reduction=reduction, label_smoothing=label_smoothing)


@path("cross_entropy", "module", params=CE_PARAMS, conventions=CE_CONVENTIONS,
      unsupported_when=CE_REFUSES,
      call="torch.nn.CrossEntropyLoss(weight=weight, ignore_index=ignore_index, "
           "reduction=reduction, label_smoothing=label_smoothing)(input, target)")
def cross_entropy_module(input, target, *, weight, ignore_index, label_smoothing, reduction):
    return nn.CrossEntropyLoss(weight=weight, ignore_index=ignore_index, reduction=reduction,
                                  label_smoothing=label_smoothing)(input, target)


# The decomposition the seeds spell out (000_fd22db6a8044b2f9.txt): log_softmax, then nll_loss.
@path("cross_entropy", "log_softmax+nll_loss", kind="composed", encodings=["index"],
      params=["weight", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.nn.functional.nll_loss(torch.nn.functional.log_softmax(input, dim=1 if "
           "input.ndim > 1 else 0), target, weight=weight, ignore_index=ignore_index, "
           "reduction=reduction)")
def cross_entropy_composed(input, target, *, weight, ignore_index, reduction):
    logp = F.log_softmax(input, dim=1 if input.ndim > 1 else 0)
    return F.nll_loss(logp, target, weight=weight, ignore_index=ignore_index, reduction=reduction)


NLL_PARAMS = ["weight", "ignore_index", "reduction"]


@path("nll_loss", "functional", encodings=["index"], params=NLL_PARAMS,
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.nn.functional.nll_loss(input, target, weight=weight, "
           "ignore_index=ignore_index, reduction=reduction)")
def nll_loss_functional(input, target, *, weight, ignore_index, reduction):
    return F.nll_loss(input, target, weight=weight, ignore_index=ignore_index,
                         reduction=reduction)


@path("nll_loss", "module", encodings=["index"], params=NLL_PARAMS,
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.nn.NLLLoss(weight=weight, ignore_index=ignore_index, "
           "reduction=reduction)(input, target)")
def nll_loss_module(input, target, *, weight, ignore_index, reduction):
    return nn.NLLLoss(weight=weight, ignore_index=ignore_index, reduction=reduction)(input, target)


# torch has no class-axis option: its class axis is 1 ("channels first"), so a user whose classes
# lie elsewhere (optax's and Keras's axis=) moves them there first
def channels_first(a, axis):
    """The class axis `axis` of a batched array moved to 1, where torch reads it; 1-D stays."""
    return a if a.dim() <= 1 else torch.movedim(a, axis, 1)


@path("cross_entropy", "functional(movedim)", kind="composed", params=[*CE_PARAMS, "axis"],
      conventions=CE_CONVENTIONS, unsupported_when=CE_REFUSES,
      call="torch.nn.functional.cross_entropy(torch.movedim(input, axis, 1), target if index "
           "targets else torch.movedim(target, axis, 1), weight=weight, "
           "ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)  "
           "[1-D input as it is]")
def cross_entropy_movedim(input, target, *, weight, ignore_index, label_smoothing, axis,
                          reduction):
    if target.is_floating_point():
        target = channels_first(target, axis)
    return F.cross_entropy(channels_first(input, axis), target, weight=weight,
                           ignore_index=ignore_index, reduction=reduction,
                           label_smoothing=label_smoothing)


@path("nll_loss", "functional(movedim)", kind="composed", encodings=["index"],
      params=[*NLL_PARAMS, "axis"], conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.nn.functional.nll_loss(torch.movedim(input, axis, 1).contiguous(), target, "
           "weight=weight, ignore_index=ignore_index, reduction=reduction)  [1-D input as it is]")
def nll_loss_movedim(input, target, *, weight, ignore_index, axis, reduction):
    # .contiguous(): on a moved (non-contiguous) 4-D input nll_loss's backward raises
    # RuntimeError "grad_input must be contiguous" (torch 2.13.0; pytorch/pytorch#175084, kept
    # by conformance/test_layout.py); the 3-D and 5-D+ inputs it makes contiguous itself
    return F.nll_loss(channels_first(input, axis).contiguous(), target, weight=weight,
                      ignore_index=ignore_index, reduction=reduction)


# torch has no tuple of class axes either (optax's axis=(2, 3), one softmax over the joint
# classes): a user moves those axes last, in the order given, flattens them into one class axis
# and calls the one-axis composition on it; a target index is then a flat index into them
def joint_classes_last(a, axis):
    """The class axes `axis` (one, or a tuple taken jointly) moved last in the order given and
    flattened into one; 1-D arrays as they are."""
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    if a.dim() <= 1:
        return a
    k = a.dim() - len(axes)
    return torch.movedim(a, axes, tuple(range(k, a.dim()))).flatten(k)


def over_joint_axes(fn):
    """A path `fn` taking one class axis, run on the joint class axes flattened into the last
    (an index target, a flat index into them, as it is)."""
    def run(input, target, *, axis, **params):
        if target.is_floating_point():
            target = joint_classes_last(target, axis)
        return fn(joint_classes_last(input, axis), target, axis=-1, **params)
    run.__name__ = f"{fn.__name__}_over_joint_axes"
    return run


JOINT_CALL = ("input = torch.movedim(input, axis, range(input.ndim - len(axis), input.ndim))"
              ".flatten(input.ndim - len(axis)), the same for one-hot or probability targets "
              "(axis: one class axis, or a tuple taken jointly); then {call} with axis=-1")


path("cross_entropy", "functional(movedim+flatten)", kind="composed",
     params=[*CE_PARAMS, "axis"], tuple_params=["axis"], conventions=CE_CONVENTIONS,
     unsupported_when=CE_REFUSES,
     call=JOINT_CALL.format(call="torch.nn.functional.cross_entropy(torch.movedim(input, -1, 1), "
                                 "target if index targets else torch.movedim(target, -1, 1), "
                                 "weight=weight, ignore_index=ignore_index, reduction=reduction, "
                                 "label_smoothing=label_smoothing)  [1-D input as it is]"))(
    over_joint_axes(cross_entropy_movedim))


# ---------------------------------------------------------------- binary cross-entropy

BCE_CONVENTIONS = ["bce_log_clamped_at_-100", "bce_grad_denominator_clamped_at_1e-12"]


BCE_HALF_CLAMP = {"gradient:probs-0-and-1-low-precision-float16": (
    "in float16 the gradient's denominator clamp 1e-12 (bce_grad_denominator_clamped_at_1e-12) "
    "underflows to 0, so p = 0 and p = 1 give a gradient of -inf and inf where the convention's "
    "float32 clamp gives -1.67e11 and 1.67e11 (seen row 0: [-inf, inf, -0.6665]); the "
    "values are right. A float16 range limit, found by fuzzing as a precision finding")}


@path("binary_cross_entropy", "functional", params=["weight", "reduction"],
      conventions=BCE_CONVENTIONS, known_failures=BCE_HALF_CLAMP,
      call="torch.nn.functional.binary_cross_entropy(input, target, weight=weight, "
           "reduction=reduction)")
def bce_functional(input, target, *, weight, reduction):
    return F.binary_cross_entropy(input, target, weight=weight, reduction=reduction)


@path("binary_cross_entropy", "module", params=["weight", "reduction"],
      conventions=BCE_CONVENTIONS, known_failures=BCE_HALF_CLAMP,
      call="torch.nn.BCELoss(weight=weight, reduction=reduction)(input, target)")
def bce_module(input, target, *, weight, reduction):
    return nn.BCELoss(weight=weight, reduction=reduction)(input, target)


BCEL_PARAMS = ["weight", "pos_weight", "reduction"]


@path("binary_cross_entropy_with_logits", "functional", params=BCEL_PARAMS,
      call="torch.nn.functional.binary_cross_entropy_with_logits(input, target, weight=weight, "
           "pos_weight=pos_weight, reduction=reduction)")
def bce_logits_functional(input, target, *, weight, pos_weight, reduction):
    return F.binary_cross_entropy_with_logits(input, target, weight=weight,
                                                 pos_weight=pos_weight, reduction=reduction)


@path("binary_cross_entropy_with_logits", "module", params=BCEL_PARAMS,
      call="torch.nn.BCEWithLogitsLoss(weight=weight, pos_weight=pos_weight, "
           "reduction=reduction)(input, target)")
def bce_logits_module(input, target, *, weight, pos_weight, reduction):
    return nn.BCEWithLogitsLoss(weight=weight, pos_weight=pos_weight,
                                   reduction=reduction)(input, target)


# Binary label smoothing (y (1 - eps) + eps / 2, Keras's): torch's BCE losses have no
# label_smoothing argument (only CrossEntropyLoss has one), so these paths smooth the target first.
SMOOTHED = "target * (1 - label_smoothing) + label_smoothing / 2"


@path("binary_cross_entropy", "functional(smoothed target)", kind="composed",
      params=["weight", "label_smoothing", "reduction"], conventions=BCE_CONVENTIONS,
      known_failures=BCE_HALF_CLAMP,
      call=f"torch.nn.functional.binary_cross_entropy(input, {SMOOTHED}, weight=weight, "
           "reduction=reduction)")
def bce_smoothed(input, target, *, weight, label_smoothing, reduction):
    return F.binary_cross_entropy(input, target * (1 - label_smoothing) + label_smoothing / 2,
                                  weight=weight, reduction=reduction)


@path("binary_cross_entropy_with_logits", "functional(smoothed target)", kind="composed",
      params=[*BCEL_PARAMS, "label_smoothing"],
      call=f"torch.nn.functional.binary_cross_entropy_with_logits(input, {SMOOTHED}, "
           "weight=weight, pos_weight=pos_weight, reduction=reduction)")
def bce_logits_smoothed(input, target, *, weight, pos_weight, label_smoothing, reduction):
    return F.binary_cross_entropy_with_logits(
        input, target * (1 - label_smoothing) + label_smoothing / 2, weight=weight,
        pos_weight=pos_weight, reduction=reduction)


# ---------------------------------------------------------------- poly_loss_cross_entropy

def _reduce_kept(losses, kept, reduction):
    """'mean' divides by the number of kept elements (PyTorch's ignore_index rule)."""
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / kept.sum()


POLY_CALL = ("input, target = torch.movedim(input, axis, 1), target if index targets else "
             "torch.movedim(target, axis, 1)  [1-D input as it is]; "
             "{kept}losses = torch.nn.functional.cross_entropy(input, target, {ignore}"
             "reduction='none') + epsilon * {poly}; reduce(losses, reduction{divisor})  "
             "[axis = 1 if input.ndim > 1 else 0]")


@path("poly_loss_cross_entropy", "cross_entropy+softmax", kind="composed", encodings=["index"],
      params=["epsilon", "ignore_index", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call=POLY_CALL.format(
          kept="kept = target != ignore_index; ", ignore="ignore_index=ignore_index, ",
          poly="torch.where(kept, 1 - torch.softmax(input, axis).gather(axis, torch.where(kept, "
               "target, 0).unsqueeze(axis)).squeeze(axis), 0)", divisor=", divisor=kept.sum()"))
def poly_composed(input, target, *, epsilon, ignore_index, axis, reduction):
    input = channels_first(input, axis)
    axis = 1 if input.ndim > 1 else 0
    kept = target != ignore_index
    ce = F.cross_entropy(input, target, ignore_index=ignore_index, reduction="none")
    safe = torch.where(kept, target, 0).unsqueeze(axis)
    p_t = torch.softmax(input, axis).gather(axis, safe).squeeze(axis)
    losses = ce + epsilon * torch.where(kept, 1 - p_t, 0)
    return _reduce_kept(losses, kept, reduction)


@path("poly_loss_cross_entropy", "cross_entropy+softmax(probs)", kind="composed",
      encodings=["one_hot", "probs"], params=["epsilon", "axis", "reduction"],
      conventions=["probs_zero_target_on_neg_inf_logit_is_nan"],
      call=POLY_CALL.format(kept="", ignore="", divisor="",
                            poly="(1 - (torch.softmax(input, axis) * target).sum(axis))"))
def poly_composed_probs(input, target, *, epsilon, axis, reduction):
    input, target = channels_first(input, axis), channels_first(target, axis)
    axis = 1 if input.ndim > 1 else 0
    ce = F.cross_entropy(input, target, reduction="none")
    p_t = (torch.softmax(input, axis) * target).sum(axis)
    losses = ce + epsilon * (1 - p_t)
    return _reduce_kept(losses, torch.ones_like(losses, dtype=torch.bool), reduction)


path("poly_loss_cross_entropy", "cross_entropy+softmax(flatten)", kind="composed",
     encodings=["index"], params=["epsilon", "ignore_index", "axis", "reduction"],
     tuple_params=["axis"], conventions=["all_ignored_mean_gradient_is_zero"],
     call=JOINT_CALL.format(call="kept = target != ignore_index; losses = "
                                 "torch.nn.functional.cross_entropy(x, target, "
                                 "ignore_index=ignore_index, reduction='none') + epsilon * "
                                 "torch.where(kept, 1 - torch.softmax(x, 1).gather(1, "
                                 "torch.where(kept, target, 0).unsqueeze(1)).squeeze(1), 0); "
                                 "reduce(losses, reduction, divisor=kept.sum())  [x = "
                                 "torch.movedim(input, -1, 1); 1-D input as it is, its axis 0]"))(
    over_joint_axes(poly_composed))
path("poly_loss_cross_entropy", "cross_entropy+softmax(probs, flatten)", kind="composed",
     encodings=["one_hot", "probs"], params=["epsilon", "axis", "reduction"],
     tuple_params=["axis"], conventions=["probs_zero_target_on_neg_inf_logit_is_nan"],
     call=JOINT_CALL.format(call="losses = torch.nn.functional.cross_entropy(x, t, "
                                 "reduction='none') + epsilon * (1 - (torch.softmax(x, 1) * "
                                 "t).sum(1)); reduce(losses, reduction)  [x, t = "
                                 "torch.movedim(input, -1, 1), torch.movedim(target, -1, 1); "
                                 "1-D input as it is, its axis 0]"))(
    over_joint_axes(poly_composed_probs))


# ---------------------------------------------------------------- generalized cross-entropy

@path("categorical_generalized_cross_entropy", "torch.pow", kind="composed",
      params=["q", "ignore_index", "axis", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="axis = the class axis (1 if input.ndim > 1 else 0 by default); "
           "index: p_y = input.gather(axis, where(kept, target, 0)); losses = where(kept, (1 - "
           "p_y ** q) / q, 0); one_hot/probs: losses = (where(target > 0, target * (1 - "
           "where(target > 0, input, 1) ** q) / q, 0)).sum(axis); reduce(losses, "
           "divisor=kept.sum())")
def gce_composed(input, target, *, q, ignore_index, axis, reduction):
    axis = axis % input.ndim if input.ndim > 1 else 0     # gather and sum take any class axis
    if target.dtype.is_floating_point:
        present = target > 0          # a class with no target mass has no term (0 * inf)
        base = torch.where(present, input, torch.ones_like(input))
        losses = torch.where(present, target * (1 - base ** q) / q, 0).sum(axis)
        kept = torch.ones(losses.shape, dtype=torch.bool)
    else:
        kept = target != ignore_index
        safe = torch.where(kept, target, 0)
        p_y = input.gather(axis, safe.unsqueeze(axis)).squeeze(axis)
        p_y = torch.where(kept, p_y, torch.ones_like(p_y))   # an ignored row: no gradient
        losses = torch.where(kept, (1 - p_y ** q) / q, 0)
    return _reduce_kept(losses, kept, reduction)


# ---------------------------------------------------------------- jsd_cross_entropy
# AugMix's loss: torch has no Jensen-Shannon loss. The divergence is written with 0 log 0 = 0
# (where(), not F.kl_div, whose gradient is nan at a probability of 0), the mixture unclamped.

JSD_CALL = ("B = N // num_splits; logp = F.log_softmax(input, 1).reshape(num_splits, B, C); "
            "p = logp.exp(); m = p.mean(0); r = torch.where(p > 0, logp - torch.log(torch.where("
            "m > 0, m, 1)), 0); js = (p * r).sum(-1).mean(0); ce = F.cross_entropy(input[:B], "
            "target[:B], label_smoothing=label_smoothing, ignore_index=ignore_index (index "
            "targets), reduction='none'); kept = target[:B] != ignore_index; losses = "
            "torch.where(kept, ce + alpha * js, 0); reduce(losses, reduction, divisor=kept.sum())")


def jsd_divergence(input, num_splits):
    """(B,): the mean over splits of KL(p_s || M), M the splits' mean distribution."""
    b = input.shape[0] // num_splits
    logp = F.log_softmax(input, dim=1).reshape(num_splits, b, -1)
    p = logp.exp()
    m = p.mean(0)
    log_m = torch.log(torch.where(m > 0, m, 1))      # m = 0 only where every p_s,c is 0
    r = torch.where(p > 0, logp - log_m, 0)          # where(): no -inf reaches the gradient
    return (p * r).sum(-1).mean(0)


@path("jsd_cross_entropy", "log_softmax+cross_entropy", kind="composed",
      params=["num_splits", "alpha", "label_smoothing", "ignore_index", "reduction"],
      conventions=["probs_zero_target_on_neg_inf_logit_is_nan",
                   "all_ignored_mean_gradient_is_zero"],
      call=JSD_CALL)
def jsd_composed(input, target, *, num_splits, alpha, label_smoothing, ignore_index, reduction):
    b = input.shape[0] // num_splits
    index = not target.is_floating_point()
    ce = F.cross_entropy(input[:b], target[:b], label_smoothing=label_smoothing,
                         reduction="none", **({"ignore_index": ignore_index} if index else {}))
    kept = target[:b] != ignore_index if index else torch.ones(b, dtype=torch.bool)
    losses = torch.where(kept, ce + alpha * jsd_divergence(input, num_splits), 0)
    return _reduce_kept(losses, kept, reduction)


# ---------------------------------------------------------------- linear_cross_entropy

LCE_PARAMS = ["weight", "linear_bias", "ignore_index", "label_smoothing", "reduction"]
LCE_CALL = ("torch.nn.functional.linear_cross_entropy(input, linear_weight, target, "
            "linear_bias=linear_bias, weight=weight, reduction=reduction, "
            "ignore_index=ignore_index, label_smoothing=label_smoothing, options={})")


@path("linear_cross_entropy", "functional", params=LCE_PARAMS, encodings=["none"],
      conventions=["all_ignored_mean_gradient_is_zero"], call=LCE_CALL.format("None"))
def lce_functional(input, linear_weight, target, *, weight, linear_bias, ignore_index,
                   label_smoothing, reduction):
    return F.linear_cross_entropy(input, linear_weight, target, linear_bias=linear_bias,
                                  weight=weight, reduction=reduction, ignore_index=ignore_index,
                                  label_smoothing=label_smoothing, options=None)


# found while adding it: with options set, label_smoothing != 0 or a (C, d1..dk, D) weight makes
# torch warn "linear_cross_entropy: ``options`` ignored; chunked path needs ..." and run the
# reference path instead (torch/nn/functional.py, torch 2.13.0): those cases do not test the
# chunked op, so the chunked path leaves them to the functional path
LCE_CHUNK_FALLS_BACK = {
    "label_smoothing != 0 or a (C, d1..dk, D) linear_weight: the chunked op is not used "
    "(UserWarning 'linear_cross_entropy: ``options`` ignored; chunked path needs ... "
    "label_smoothing == 0, ... out_features == ()'), the functional path checks the fallback":
    lambda params, encoding, inputs: params["label_smoothing"] != 0
    or inputs["linear_weight"].ndim > 2}


@path("linear_cross_entropy", "functional-chunked", params=LCE_PARAMS, encodings=["none"],
      unsupported_when=LCE_CHUNK_FALLS_BACK,
      call=LCE_CALL.format("torch.nn.LinearCrossEntropyOptions()"))
def lce_chunked(input, linear_weight, target, *, weight, linear_bias, ignore_index,
                label_smoothing, reduction):
    return F.linear_cross_entropy(input, linear_weight, target, linear_bias=linear_bias,
                                  weight=weight, reduction=reduction, ignore_index=ignore_index,
                                  label_smoothing=label_smoothing,
                                  options=nn.LinearCrossEntropyOptions())


@path("linear_cross_entropy", "module", params=LCE_PARAMS, encodings=["none"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.func.functional_call(torch.nn.LinearCrossEntropyLoss(D, C, "
           "out_features=linear_weight.shape[1:-1], bias=linear_bias is not None, "
           "weight=weight, reduction=reduction, ignore_index=ignore_index, "
           "label_smoothing=label_smoothing, dtype=input.dtype), {'linear.weight': "
           "linear_weight.reshape(-1, D), 'linear.bias': linear_bias.reshape(-1)}, (input, "
           "target))  [the module's own Linear holds the weights: functional_call passes ours]")
def lce_module(input, linear_weight, target, *, weight, linear_bias, ignore_index,
               label_smoothing, reduction):
    d, c = linear_weight.shape[-1], linear_weight.shape[0]
    module = nn.LinearCrossEntropyLoss(
        d, c, out_features=tuple(linear_weight.shape[1:-1]), bias=linear_bias is not None,
        weight=weight, reduction=reduction, ignore_index=ignore_index,
        label_smoothing=label_smoothing, dtype=input.dtype, device=input.device)
    weights = {"linear.weight": linear_weight.reshape(-1, d)}
    if linear_bias is not None:
        weights["linear.bias"] = linear_bias.reshape(-1)
    return torch.func.functional_call(module, weights, (input, target))


# ---------------------------------------------------------------- evidence of the conventions

adapter.saw("bce_log_clamped_at_-100", path="binary_cross_entropy/functional",
            case="binary_cross_entropy/probs-0-and-1-opposite/none",
            call="F.binary_cross_entropy(tensor([0., 1., 0.3]), tensor([1., 0., 1.]), "
                 "reduction='none')",
            seen="[100.0, 100.0, 1.2039728043259361]; canonical [inf, inf, 1.2039728043259361]",
            versions=SEEN_ON, link=TORCH_DOCS.format("BCELoss") + " (BCELoss clamps its log "
                                                                  "function outputs to >= -100)")
adapter.saw("bce_grad_denominator_clamped_at_1e-12", path="binary_cross_entropy/functional",
            case="binary_cross_entropy/probs-0-and-1-opposite/none",
            call="F.binary_cross_entropy(p, y, reduction='none').sum().backward() with "
                 "p = [0., 1., 0.3], y = [1., 0., 1.]",
            seen="p.grad [-1000000003995.8029, 1000000003995.8029, -3.3333333333333]: "
                 "1 / float32(1e-12); canonical [-inf, inf, -3.3333333333333]",
            versions=SEEN_ON)
adapter.saw("probs_weighted_mean_divides_by_count", path="cross_entropy/functional",
            case="cross_entropy/weight-mean/one_hot",
            call="F.cross_entropy(x, one_hot(y), weight=w) vs F.cross_entropy(x, y, weight=w)",
            seen="3.04290650716641 with one-hot targets, 1.6228834704887518 with index targets "
                 "(x, y, w of case weight-mean)",
            versions=SEEN_ON, link=TORCH_DOCS.format("CrossEntropyLoss")
            + " (for probability targets, reduction='mean' divides by N)")
adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan", path="cross_entropy/functional",
            case="cross_entropy/neg-inf-logits-kept/one_hot",
            call="F.cross_entropy(tensor([[-inf, 1., .5], [2., -inf, -inf]]), "
                 "tensor([[0., 1., 0.], [1., 0., 0.]]))",
            seen="nan; the same targets as indices [1, 0] give 0.23703849209005334",
            versions=SEEN_ON)
adapter.saw("all_ignored_mean_gradient_is_zero", path="cross_entropy/functional",
            case="cross_entropy/all-ignored-mean/index",
            call="F.cross_entropy(x, tensor([-100, -100, -100])).backward()",
            seen="value nan, x.grad all 0.0 (canonical gradient: nan, from 0/0)",
            versions=SEEN_ON)
adapter.saw("all_ignored_mean_gradient_is_zero", path="nll_loss/functional",
            case="nll_loss/all-ignored-mean/index",
            call="F.nll_loss(x, tensor([-100, -100])).backward()",
            seen="value nan, x.grad all 0.0", versions=SEEN_ON)



# poly_loss_cross_entropy, categorical_generalized_cross_entropy, linear_cross_entropy
adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan",
            path="poly_loss_cross_entropy/cross_entropy+softmax(probs)",
            case="poly_loss_cross_entropy/neg-inf-logits/one_hot",
            call="F.cross_entropy(x, t, reduction='none') + 2 * (1 - (torch.softmax(x, 1) * t)"
                 ".sum(1)) with x = [[-inf, 1., .5], [2., -inf, -inf], [0., 0., -inf]], t = "
                 "one_hot([1, 0, 2])",
            seen="[nan, nan, inf] (F.cross_entropy's 0 * -inf); canonical [1.2291583218, 0, "
                 "inf]; gradient finite and canonical ([[0, -0.8475, 0.8475], [0, 0, 0], "
                 "[0.5, 0.5, -1]])", versions=SEEN_ON)
for _p in ("poly_loss_cross_entropy/cross_entropy+softmax",
           "categorical_generalized_cross_entropy/torch.pow", "linear_cross_entropy/functional",
           "linear_cross_entropy/module"):
    _loss = _p.split("/")[0]
    adapter.saw("all_ignored_mean_gradient_is_zero", path=_p,
                case=f"{_loss}/all-ignored-mean/" + ("none" if _loss == "linear_cross_entropy"
                                                    else "index"),
                call=_p.split("/", 1)[1] + " (this module's call) with every target -100, "
                     "reduction='mean'",
                seen="value nan (0 / 0), every gradient 0.0" + (
                    " (input and linear_weight); with options=LinearCrossEntropyOptions() the "
                    "chunked op gives nan gradients, as canonical" if _loss ==
                    "linear_cross_entropy" else ""), versions=SEEN_ON)

PROBED = (
    "torch 2.13.0 has no poly loss and no generalized cross-entropy: both are composed from "
    "F.cross_entropy / torch.softmax and torch.pow",
    "torch 2.13.0 has no Jensen-Shannon divergence loss (AugMix's jsd_cross_entropy): composed "
    "from F.log_softmax and F.cross_entropy",
    "F.linear_cross_entropy(input, W, target) equals F.cross_entropy(input @ W.T + b, target): "
    "3.9918662482285243 both, (3, 4) input, (5, 4) W, targets [0, 4, -100]; with "
    "options=LinearCrossEntropyOptions() the same value; float32, float16 and bfloat16 run on "
    "CPU (5.6129, 5.6133, 5.625 on one example); probability targets (shape of the logits) are "
    "taken too, and ignore_index with them raises 'ignore_index cannot be specified when target "
    "contains probabilities' (the canonical linear_cross_entropy takes index targets only)",
)


# ---------------------------------------------------------------- compiled twins

# Checks where torch.compile of a path differs from the path (adapters.pytorch derive_paths)
COMPILED_KNOWN_FAILURES = {
    "binary_cross_entropy/functional+compile": {
        "convention:probs-0-and-1-opposite-float64": (
            "UNSTABLE: in the full run (pytest -n 2, 2026-11-30) torch.compile's gradient at "
            "p = 0, y = 1 was 114820657259.50989 (the check's cotangent / 1e-12, the clamp exactly "
            "1e-12) where eager torch's is 114820657718.3106 (1e-12 rounded to float32 first); run "
            "alone it matches eager: which backward inductor uses depends on what the process "
            "compiled before"),
    },
}
