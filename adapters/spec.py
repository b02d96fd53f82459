"""Canonical losses: inputs, target encodings, parameters with domains and defaults,
reductions with the exact divisor of `mean`, and the named conventions.

This module only describes; `reference.py` computes. Nothing here imports a framework.

Shapes (classification family)
    input  (C,)            target ()           one sample, unbatched
    input  (N, C)          target (N,)         a batch
    input  (N, C, d1..dk)  target (N, d1..dk)  spatial, classes on axis 1 ("channels first")
    `index` targets hold class numbers; `one_hot` and `probs` targets have the input's shape.

Shapes (regression family: target kind "same")
    input  any shape, at least 1-D   target the input's shape, any real values
    d = input - target element by element; 'mean' divides by the number of elements.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

ENCODINGS = ("index", "one_hot", "probs")
REDUCTIONS = ("none", "mean", "sum")


class SpecError(ValueError):
    """A value outside a canonical loss's domain. `field` names the offending field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    domain: str                                   # said in words, shown in errors and docs
    check: Callable[[Any], bool] = lambda v: True  # True when the value is in the domain
    array: bool = False                           # an array the adapter converts (weight ...)


@dataclass(frozen=True)
class Convention:
    """A named way an implementation departs from the canonical definition.
    `reference.py` evaluates every convention; adapters record where they saw it."""
    name: str
    losses: tuple[str, ...]
    description: str

    def __post_init__(self):
        if isinstance(self.losses, str):   # one loss may be given bare
            object.__setattr__(self, "losses", (self.losses,))


@dataclass(frozen=True)
class Loss:
    name: str
    inputs: tuple[str, ...]          # positional inputs, in call order
    differentiable: tuple[str, ...]  # inputs that gradients are taken with respect to
    target: str | None               # "class" (index/one_hot/probs), "binary" (same shape, values
                                     # in [0, 1]), "same" (same shape, any real values), "other"
                                     # (the loss's own `check` validates its inputs) or None
    params: dict[str, Param]
    mean_divisor: str | None         # the exact divisor of reduction='mean'; None: no reduction
    doc: str
    encodings: tuple[str, ...] = field(default=("none",))
    integer_inputs: tuple[str, ...] = ()   # inputs kept as int64 (labels, lengths); others float
    # target "other": check(inputs, params) raises SpecError naming the input or parameter
    check: Callable[[dict, dict], None] | None = None

    @property
    def primary(self) -> str:
        """The first input: its rank selects paths (ndims), published gradients are for it."""
        return self.inputs[0]

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.params.items()}


@dataclass(frozen=True)
class NameClash:
    """One name that frameworks give to different losses, kept apart as separate canonical losses
    (listed in the conventions document)."""
    name: str                   # the shared word, e.g. "hinge"
    losses: tuple[str, ...]     # the canonical losses that carry it
    explanation: str            # the formulas side by side, and who calls which what


NAME_CLASHES: list[NameClash] = []   # family modules append theirs


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)


REDUCTION = Param("reduction", "mean", "one of 'none', 'mean', 'sum'", lambda v: v in REDUCTIONS)
CLASS_WEIGHT = Param("weight", None, "null or a list of C non-negative numbers",
                     lambda v: v is None or (np.ndim(v) == 1 and bool(np.all(np.asarray(v) >= 0))),
                     array=True)
IGNORE_INDEX = Param("ignore_index", -100, "any integer; targets equal to it are left out", _is_int)
LABEL_SMOOTHING = Param("label_smoothing", 0.0, "a number in [0, 1]",
                        lambda v: _is_number(v) and 0.0 <= v <= 1.0)
DIM = Param("dim", -1, "an integer axis of the input", _is_int)
ELEMENT_WEIGHT = Param("weight", None, "null or non-negative numbers broadcastable to the input",
                       lambda v: v is None or bool(np.all(np.asarray(v, dtype=float) >= 0)),
                       array=True)
POS_WEIGHT = Param("pos_weight", None,
                   "null or non-negative numbers broadcastable to the input (one per class, last axis)",
                   lambda v: v is None or bool(np.all(np.asarray(v, dtype=float) >= 0)), array=True)
BETA = Param("beta", 1.0, "a number >= 0 (0 gives the L1 loss)",
             lambda v: _is_number(v) and v >= 0 and np.isfinite(v))
DELTA = Param("delta", 1.0, "a number > 0 (torch.nn.HuberLoss rejects 0: the loss would vanish)",
              lambda v: _is_number(v) and v > 0 and np.isfinite(v))

KL_REDUCTIONS = REDUCTIONS + ("batchmean",)
KL_REDUCTION = Param("reduction", "mean", "one of 'none', 'mean', 'sum', 'batchmean'",
                     lambda v: v in KL_REDUCTIONS)
LOG_TARGET = Param("log_target", False, "a bool: the target holds log-probabilities",
                   lambda v: isinstance(v, (bool, np.bool_)))

LOSSES: dict[str, Loss] = {}


def _add(loss: Loss) -> None:
    LOSSES[loss.name] = loss


_add(Loss(
    "softmax", ("input",), ("input",), None, {"dim": DIM}, None,
    "s_i = exp(x_i) / sum_j exp(x_j) along `dim`."))
_add(Loss(
    "log_softmax", ("input",), ("input",), None, {"dim": DIM}, None,
    "x_i - log(sum_j exp(x_j)) along `dim`, computed with log-sum-exp."))
_add(Loss(
    "cross_entropy", ("input", "target"), ("input",), "class",
    {"weight": CLASS_WEIGHT, "ignore_index": IGNORE_INDEX, "label_smoothing": LABEL_SMOOTHING,
     "reduction": REDUCTION},
    "sum over kept elements of the target's class weight: sum_n w[y_n] over y_n != ignore_index "
    "for index targets, sum_n sum_c w_c y_nc for one_hot/probs targets (both equal the count of "
    "kept elements when weight is null and probabilities sum to 1); 0/0 gives nan",
    "Logits x, class axis 1 (axis 0 unbatched). With p = softmax(x) and eps = label_smoothing: "
    "index: l_n = (1-eps) w[y_n] (-log p_n,y_n) + eps/C sum_c w_c (-log p_n,c), 0 where "
    "y_n == ignore_index; one_hot/probs: l_n = -sum_c w_c ((1-eps) y_nc + eps/C) log p_nc.",
    ENCODINGS))
_add(Loss(
    "nll_loss", ("input", "target"), ("input",), "class",
    {"weight": CLASS_WEIGHT, "ignore_index": IGNORE_INDEX, "reduction": REDUCTION},
    "sum_n w[y_n] over y_n != ignore_index (index); sum_n sum_c w_c y_nc (one_hot/probs)",
    "Log-probabilities x, class axis 1. index: l_n = -w[y_n] x_n,y_n, 0 where y_n == ignore_index; "
    "one_hot/probs: l_n = -sum_c w_c y_nc x_nc.",
    ENCODINGS))
_add(Loss(
    "binary_cross_entropy", ("input", "target"), ("input",), "binary",
    {"weight": ELEMENT_WEIGHT, "reduction": REDUCTION},
    "the number of elements (weights do not enter the divisor)",
    "Probabilities p in [0, 1], targets y in [0, 1]: l = -w (y log p + (1-y) log(1-p)), "
    "with 0 log 0 = 0; so l = inf where p is 0 or 1 and y is at the other end."))
_add(Loss(
    "binary_cross_entropy_with_logits", ("input", "target"), ("input",), "binary",
    {"weight": ELEMENT_WEIGHT, "pos_weight": POS_WEIGHT, "reduction": REDUCTION},
    "the number of elements (weights do not enter the divisor)",
    "Logits x, targets y in [0, 1]: l = -w (pos_weight y log s(x) + (1-y) log(1 - s(x))), "
    "s = sigmoid, with log s(x) = -softplus(-x) so that no logit overflows."))

# Regression family. d = input - target; the gradient with respect to the input is written with
# sign(0) = 0, so at d = 0 the gradient of |d| is 0 (torch.sign, tf.sign, jnp.sign all give 0 there).
# smooth_l1 and huber have continuous first derivatives at |d| = beta and |d| = delta (both sides
# give sign(d) and delta sign(d)), so those points need no choice.
_ELEMENTS = "the number of elements"
_add(Loss(
    "l1_loss", ("input", "target"), ("input",), "same", {"reduction": REDUCTION}, _ELEMENTS,
    "l = |d|, d = input - target. Gradient: sign(d), 0 at d = 0."))
_add(Loss(
    "mse_loss", ("input", "target"), ("input",), "same", {"reduction": REDUCTION}, _ELEMENTS,
    "l = d^2, d = input - target (no factor 1/2). Gradient: 2 d."))
_add(Loss(
    "smooth_l1_loss", ("input", "target"), ("input",), "same",
    {"beta": BETA, "reduction": REDUCTION}, _ELEMENTS,
    "l = 0.5 d^2 / beta if |d| < beta, else |d| - 0.5 beta; d = input - target. beta = 0 is the "
    "L1 loss |d|. Gradient: d / beta if |d| < beta, else sign(d) (0 at d = 0 when beta = 0); "
    "continuous at |d| = beta. smooth_l1(beta) = huber(delta=beta) / beta for beta > 0."))
_add(Loss(
    "huber_loss", ("input", "target"), ("input",), "same",
    {"delta": DELTA, "reduction": REDUCTION}, _ELEMENTS,
    "l = 0.5 d^2 if |d| <= delta, else delta (|d| - 0.5 delta); d = input - target. "
    "Gradient: d if |d| <= delta, else delta sign(d); continuous at |d| = delta."))

# Kullback-Leibler divergence (PyTorch's kl_div: the input is log-probabilities, the target
# probabilities). Target kind "same": any shape, target of the input's shape.
_add(Loss(
    "kl_div", ("input", "target"), ("input",), "same",
    {"reduction": KL_REDUCTION, "log_target": LOG_TARGET},
    "the number of elements; reduction='batchmean' divides by input.shape[0] instead",
    "Input x: log-probabilities (any real). Target t: probabilities >= 0, or log-probabilities "
    "when log_target. l = t (log t - x) with 0 log 0 = 0 (xlogy); with log_target l = exp(t) "
    "(t - x). Gradient: -t (-exp(t) with log_target). reduction='batchmean' is the sum divided "
    "by input.shape[0], the mathematical KL divergence per sample for (N, C) input."))

CONVENTIONS: dict[str, Convention] = {c.name: c for c in (
    Convention("bce_log_clamped_at_-100", ("binary_cross_entropy",),
               "each log term is clamped from below at -100, so l <= 100 w instead of inf"),
    Convention("bce_grad_denominator_clamped_at_1e-12", ("binary_cross_entropy",),
               "the gradient is w (p - y) / max(p (1 - p), eps), eps = 1e-12 rounded to float32 "
               "(9.99999996e-13): finite at p = 0 and 1, and 0 there when y equals p"),
    Convention("probs_weighted_mean_divides_by_count", ("cross_entropy",),
               "with probability (or one-hot) targets, reduction='mean' divides by the number of "
               "elements instead of the summed class weights of the targets"),
    Convention("probs_zero_target_on_neg_inf_logit_is_nan", ("cross_entropy",),
               "with probability (or one-hot) targets, a target of 0 on a logit of -inf gives "
               "0 * -inf = nan instead of 0 (the gradient stays finite)"),
    Convention("all_ignored_mean_gradient_is_zero", ("cross_entropy", "nll_loss"),
               "when every target is ignored, reduction='mean' is 0/0 = nan but the gradient is 0 "
               "rather than nan"),
)}


# JAX: seen by adapters/jax_optax.py.
CONVENTIONS.update({c.name: c for c in (
    Convention("jax_abs_grad_at_0_is_1", ("l1_loss", "smooth_l1_loss"),
               "jnp.abs (lax.abs) differentiates |d| as select(d >= 0, 1, -1), so at d = input - "
               "target = 0 (also -0.0) the gradient of |d| is +1 instead of sign(0) = 0: l1_loss, "
               "and smooth_l1_loss with beta = 0, get +1 times the upstream gradient there "
               "(the values are right)"),
)})

# kl_div as every framework computes it: seen by adapters/pytorch.py, tensorflow.py, jax_optax.py.
CONVENTIONS.update({c.name: c for c in (
    Convention("kl_div_zero_target_on_infinite_log_ratio_is_nan", ("kl_div",),
               "a zero target times an infinite log-ratio is computed as 0 * inf = nan instead of "
               "0 (t log(t / q) = 0 at t = 0 whatever q): a target of 0 on an input of -inf, and "
               "with log_target a target of -inf on any input (exp(-inf) * (-inf - x)); the "
               "gradient there stays -t = 0"),
)})

# Keras kl_divergence: seen by adapters/tensorflow.py.
CONVENTIONS.update({c.name: c for c in (
    Convention("keras_kl_divergence_clipped_to_epsilon", ("kl_div",),
               "keras.losses.KLDivergence takes probabilities: with q = exp(input), the target t "
               "and q are both clipped to [1e-7, 1] (keras.config.epsilon()) before "
               "l = t (log t - log q), so a zero target adds 1e-7 (log 1e-7 - log q) instead of 0, "
               "and the gradient is 0 where q was clipped (input > 0 or input < log 1e-7)"),
    Convention("keras_kl_divergence_mean_per_row", ("kl_div",),
               "keras.losses.KLDivergence sums over the last axis (one value per row: "
               "reduction='none' returns those sums) and reduction='sum_over_batch_size' divides "
               "the total by the number of rows (input.size / input.shape[-1]) instead of the "
               "number of elements: for (N, C) input it is reduction='batchmean'"),
)})

# optax: seen by adapters/jax_optax.py.
CONVENTIONS.update({c.name: c for c in (
    Convention("optax_kl_divergence_sums_over_last_axis", ("kl_div",),
               "optax.kl_divergence and kl_divergence_with_log_targets return one divergence per "
               "example, summed over the last axis (shape input.shape[:-1], a scalar for 1-D "
               "input): reduction='none' gives those sums; 'sum', 'mean' (over all elements) and "
               "'batchmean' are unchanged"),
)})

# Keras 3 (keras.losses on the TensorFlow backend): seen by adapters/tensorflow.py, with the exact
# calls, values and links in that module's EVIDENCE.
CONVENTIONS.update({c.name: c for c in (
    Convention("keras_softmax_probs_clipped_to_epsilon", ("cross_entropy",),
               "from_logits=False on probabilities p = softmax(x) made outside Keras: p is clipped "
               "to [1e-7, 1 - 1e-7] (keras.config.epsilon()) before the log, so each -log p is at "
               "most -log(1e-7) = 16.118; the gradient is 0 through a clipped probability"),
    Convention("keras_label_smoothing_over_last_axis_size", ("cross_entropy",),
               "label_smoothing spreads eps as eps / input.shape[-1] instead of eps / C: Keras "
               "reads num_classes from the last axis of y_true even when the class axis is 1 "
               "(axis=1, channels-first spatial input); identical for 1-D and 2-D input"),
    Convention("keras_mean_of_nothing_is_0", ("cross_entropy", "nll_loss"),
               "reduction='mean' with a zero divisor (every target ignored, or every kept target "
               "of weight 0) gives 0 and a zero gradient (divide_no_nan) instead of nan (0/0)"),
    Convention("keras_probs_rescaled_to_sum_1", ("nll_loss",),
               "the probabilities exp(x) are divided by their sum over the classes before the log, "
               "so x is replaced by log_softmax(x): the same value on normalised log-probabilities, "
               "but the gradient gains the softmax coupling: -w y + softmax(x) sum_c w_c y_c"),
    Convention("keras_nll_probs_clipped_to_epsilon", ("nll_loss",),
               "the probabilities exp(x) are clipped to [1e-7, 1 - 1e-7] (keras.config.epsilon()) "
               "before the log; the gradient is 0 through a clipped probability"),
    Convention("keras_bce_probs_clipped_to_epsilon", ("binary_cross_entropy",),
               "p is clipped to [1e-7, 1 - 1e-7] (keras.config.epsilon()) before both logs: "
               "l <= 16.118 w, and l = 1.0000000494736474e-07 w (not 0) where p = y in {0, 1}; the "
               "gradient is 0 where p was clipped"),
    Convention("keras_bce_probs_clipped_to_float32_epsilon", ("binary_cross_entropy",),
               "keras_bce_probs_clipped_to_epsilon with the bounds rounded to float32, as Keras "
               "computes them in a float32 (or narrower) tensor: [float32(1e-7), float32(1 - 1e-7) "
               "= 0.99999988]; so l = -log(1.19e-7) = 15.942 (not 16.118) where p = 1 and y = 0"),
    Convention("keras_scalar_loss_is_not_reduced", ("cross_entropy",),
               "a scalar (unbatched) loss is returned as it is by every reduction, so with "
               "sample_weight = weight[target] reduction='mean_with_sample_weight' gives w[y] l "
               "instead of w[y] l / w[y] = l"),
    Convention("tf_softmax_ce_grad_assumes_labels_sum_to_1", ("cross_entropy",),
               "the fused softmax_cross_entropy_with_logits kernel returns the gradient "
               "softmax(x) - t, exact only when the labels t sum to 1 over the classes; "
               "canonical is softmax(x) sum_c t_c - t (values are unaffected)"),
    Convention("tf_weighted_logits_grad_at_0", ("binary_cross_entropy_with_logits",),
               "tf.nn.weighted_cross_entropy_with_logits computes (1 - y) x + (1 + (pos_weight - 1) "
               "y) (log1p(exp(-|x|)) + relu(-x)) and differentiates |x| and relu at the kink x = 0 "
               "as 0, so the gradient at a logit of exactly 0 is w (1 - y) instead of "
               "w (1 - y - pos_weight y) / 2 (the value is right)"),
    Convention("keras_bce_mean_over_last_axis",
               ("binary_cross_entropy", "binary_cross_entropy_with_logits",
                "l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss"),
               "the unreduced loss is averaged over the last axis (shape input.shape[:-1], a scalar "
               "for 1-D input): reduction='none' returns those means, 'sum' is the canonical sum "
               "divided by input.shape[-1]; 'mean' is unchanged"),
)})


def also_applies_to(convention: str, *losses: str) -> None:
    """Extend a convention to more losses (a family module whose losses follow it too)."""
    c = CONVENTIONS[convention]
    CONVENTIONS[convention] = Convention(c.name, c.losses + losses, c.description)


def check_params(loss: Loss, params: dict[str, Any]) -> dict[str, Any]:
    """Return the full parameter set (defaults filled in); raise SpecError naming the parameter."""
    for name, value in params.items():
        if name not in loss.params:
            known = ", ".join(loss.params) or "none"
            raise SpecError(f"params.{name}", f"unknown parameter for {loss.name} (known: {known})")
        param = loss.params[name]
        if not param.check(value):
            raise SpecError(f"params.{name}", f"{value!r} is out of domain: expected {param.domain}")
    return {**loss.defaults(), **params}


def class_axis(x: np.ndarray) -> int:
    return 1 if x.ndim >= 2 else 0


def check_inputs(loss: Loss, inputs: dict[str, np.ndarray], params: dict[str, Any],
                 encoding: str) -> None:
    """Shape and value checks of one case's inputs; raise SpecError naming the input."""
    missing = [n for n in loss.inputs if n not in inputs]
    extra = [n for n in inputs if n not in loss.inputs]
    if missing or extra:
        raise SpecError("inputs", f"{loss.name} takes inputs {list(loss.inputs)}; "
                                  f"missing {missing}, unexpected {extra}")
    for name in loss.integer_inputs:
        if not np.issubdtype(inputs[name].dtype, np.integer):
            raise SpecError(f"inputs.{name}", f"must hold integers, got {inputs[name].dtype}")
    if loss.check is not None:
        loss.check(inputs, params)
        return
    x = inputs["input"]
    if x.ndim == 0:
        raise SpecError("inputs.input", "must have at least one dimension")
    if loss.target is None:
        if not -x.ndim <= params["dim"] < x.ndim:
            raise SpecError("params.dim", f"{params['dim']} is not an axis of an input of "
                                          f"{x.ndim} dimensions")
        return
    y = inputs["target"]
    if loss.target == "same":
        _check_same_shape(x, y)
        if loss.name == "kl_div" and not params.get("log_target") and y.size and np.any(y < 0):
            raise SpecError("inputs.target", "probabilities must be >= 0 (or set log_target)")
        return
    if loss.target == "binary":
        _check_same_shape(x, y)
        _check_unit_interval("inputs.target", y)
        if loss.name == "binary_cross_entropy":
            _check_unit_interval("inputs.input", x)
        for name in ("weight", "pos_weight"):
            if params.get(name) is not None:
                _check_broadcast(name, np.asarray(params[name]), x.shape)
        return
    if encoding not in loss.encodings:
        raise SpecError("encoding", f"{encoding!r} is not one of {list(loss.encodings)}")
    c = x.shape[class_axis(x)]
    if params.get("weight") is not None and np.shape(params["weight"]) != (c,):
        raise SpecError("params.weight", f"has shape {np.shape(params['weight'])}, "
                                         f"expected ({c},): one weight per class")
    if encoding == "index":
        expected = x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()
        if y.shape != expected:
            raise SpecError("inputs.target", f"index targets of shape {y.shape} do not match input "
                                             f"{x.shape}: expected {expected}")
        if not np.issubdtype(y.dtype, np.integer):
            raise SpecError("inputs.target", f"index targets must be integers, got {y.dtype}")
        kept = y[y != params["ignore_index"]]
        bad = kept[(kept < 0) | (kept >= c)]
        if bad.size:
            raise SpecError("inputs.target", f"class index {int(bad[0])} out of range [0, {c}) "
                                             f"(ignore_index is {params['ignore_index']})")
    else:
        _check_same_shape(x, y)
        _check_unit_interval("inputs.target", y)


def _check_same_shape(x, y):
    if x.shape != y.shape:
        raise SpecError("inputs.target", f"shape {y.shape} does not match input shape {x.shape}")


def _check_unit_interval(field_name, a):
    if a.size and not (np.all(a >= 0) and np.all(a <= 1)):
        raise SpecError(field_name, "values must lie in [0, 1]")


def _check_broadcast(name, a, shape):
    try:
        np.broadcast_shapes(a.shape, shape)
    except ValueError:
        raise SpecError(f"params.{name}", f"shape {a.shape} does not broadcast to input "
                                          f"shape {shape}") from None


# The other families, one module each (their losses and conventions); imported last, as they
# use the definitions above.
from . import spec_ctc, spec_embedding, spec_focal_dice, spec_likelihood, spec_margin  # noqa: E402,F401
