"""The words every family's spec is written in: Loss, Param, Convention, NameClash, SpecError, the
parameters several families share, and the validators of parameters and inputs.

Nothing here names a particular loss; `families/<family>/spec.py` declares the losses and
`spec.py` gathers them into the catalogue. Nothing here imports a framework.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ENCODINGS = ("index", "one_hot", "probs")
REDUCTIONS = ("none", "mean", "sum")
# the mean weighted by sample_weight: sum(w l) / sum(w), w broadcast to the unreduced loss (Keras's
# reduction="mean_with_sample_weight"); every loss with a reduction takes it (spec.py)
WEIGHTED_MEAN = "weighted_mean"
KERAS_EPSILON = 1e-7   # keras.config.epsilon(): Keras's clipping and flooring constant


class SpecError(ValueError):
    """A value outside a canonical loss's domain. `field` names the offending field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


# ---------------------------------------------------------------- the words

@dataclass(frozen=True, kw_only=True)
class Param:
    name: str
    default: Any
    domain: str                                   # said in words, shown in errors and docs
    check: Callable[[Any], bool] = lambda v: True  # True when the value is in the domain
    array: bool = False                           # an array the adapter converts (weight ...)
    choices: tuple = ()                           # every value, for a parameter of a few
    # ((value, parameter), ...): a path takes `value` only if it declares `parameter` too
    requires: tuple = ()
    # takes a tuple too (several axes at once: optax's axis=(2, 3)); a list, as a case file writes
    # it, becomes a tuple. A path receives a tuple only where it declares the parameter in its
    # tuple_params (registry.Path), so a path written for one value is never handed several
    tuples: bool = False

    def __post_init__(self):
        if self.choices and self.check is Param.__dataclass_fields__["check"].default:
            object.__setattr__(self, "check", lambda v, choices=self.choices: v in choices)


@dataclass(frozen=True, kw_only=True)
class Convention:
    """A named way an implementation departs from the canonical definition.
    The reference evaluates every convention; adapters record where they saw it."""
    name: str
    losses: tuple[str, ...]
    description: str

    def __post_init__(self):
        if isinstance(self.losses, str):   # one loss may be given bare
            object.__setattr__(self, "losses", (self.losses,))


@dataclass(frozen=True, kw_only=True)
class Loss:
    name: str
    inputs: tuple[str, ...]          # positional inputs, in call order
    differentiable: tuple[str, ...]  # inputs that gradients are taken with respect to
    # "class" (index/one_hot/probs targets), "binary" (same shape, values in [0, 1]), "same"
    # (same shape, any real values), "other" (`check` alone validates the inputs) or None
    target: str | None
    params: dict[str, Param]
    mean_divisor: str | None         # the exact divisor of reduction='mean'; None: no reduction
    doc: str
    encodings: tuple[str, ...] = ("none",)
    integer_inputs: tuple[str, ...] = ()   # inputs kept as int64 (labels, lengths); others float
    # check(inputs, params) raises SpecError naming the input or parameter: after the checks
    # of the target kind, or alone for target "other"
    check: Callable[[dict, dict], None] | None = None
    # the shapes the inputs take together, in named dimensions, and each input's kind of values
    # (or a tuple of alternatives), from which conformance/fuzz.py generates examples; empty:
    # implied by the target kind
    layouts: tuple[dict[str, str], ...] = ()
    values: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    # the magnitude of intermediates the definition subtracts from each other (inputs -> float):
    # rounded, they leave about an ulp of it in the value of any implementation, the reference's
    # too (logsumexp(x) - x_y; two distances); None: nothing cancels beyond the inputs' own ulps.
    # A dict {"value": v, "grads": {input: magnitudes}} bounds gradients that cancel too
    cancels: Callable[[dict], float | dict] | None = None

    @property
    def primary(self) -> str:
        """The first input: its rank selects paths (ndims), published gradients are for it."""
        return self.inputs[0]

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.params.items()}


@dataclass(frozen=True, kw_only=True)
class NameClash:
    """One name that frameworks give to different losses, kept apart as separate canonical losses
    (listed in the conventions document)."""
    name: str                   # the shared word, e.g. "hinge"
    losses: tuple[str, ...]     # the canonical losses that carry it
    explanation: str            # the formulas side by side, and who calls which what


# ---------------------------------------------------------------- parameter validators

def is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def is_number(v) -> bool:
    return isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)


def is_finite(v) -> bool:
    return is_number(v) and bool(np.isfinite(v))


def is_bool(v) -> bool:
    return isinstance(v, (bool, np.bool_))


def non_negative_array(v) -> bool:
    return v is None or bool(np.all(np.asarray(v, dtype=float) >= 0))


# ---------------------------------------------------------------- parameters several families share

REDUCTION = Param(name="reduction", default="mean", domain="one of 'none', 'mean', 'sum'",
                  choices=REDUCTIONS)
CLASS_WEIGHT = Param(name="weight", default=None,
                     domain="null or a list of C non-negative numbers",
                     check=lambda v: v is None or (np.ndim(v) == 1 and non_negative_array(v)),
                     array=True)


# The class axis of a class loss's input (optax's and Keras's `axis=`): 1, channels-first as torch
# lays it out, by default; negative counts from the end. A 1-D input is one unbatched sample whose
# only axis holds the classes, whatever `axis` says of a batched one (0, -1 or the default 1)
CLASS_AXIS = Param(name="axis", default=1,
                   domain="an integer axis of the input holding the classes (default 1, "
                          "channels-first; negative counts from the end; a 1-D input's classes "
                          "are its only axis)", check=is_int)


def is_axes(v) -> bool:
    """A non-empty tuple (or list) of integer axes."""
    return isinstance(v, (tuple, list)) and len(v) > 0 and all(is_int(a) for a in v)


# The class axis, or several taken jointly (optax's axis=(2, 3): one softmax over the joint
# classes): the losses whose classes form one distribution over the given axes (the
# cross-entropies on logits) take CLASS_AXES instead of CLASS_AXIS. A tuple's axes are moved last
# in the order given and flattened into one class axis (C = the product of their sizes, row-major
# in that order), as optax.softmax_cross_entropy_with_integer_labels does for a tuple, so an index
# target is a flat index into the joint classes
CLASS_AXES = Param(name="axis", default=1, tuples=True,
                   domain="an integer axis of the input holding the classes (default 1, "
                          "channels-first; negative counts from the end; a 1-D input's classes "
                          "are its only axis), or a tuple of distinct axes holding them jointly "
                          "(flattened into one class axis in the order given; an index target "
                          "is a flat index into them)", check=lambda v: is_int(v) or is_axes(v))


SAMPLE_WEIGHT = Param(
    name="sample_weight", default=None, array=True,
    domain="null or finite non-negative numbers whose shape matches the leading axes of the "
           "unreduced loss (reduction='none'): () for all, (N,) per sample, the full shape per "
           "element; each axis of size 1 or the loss's",
    check=lambda v: v is None or bool(np.all(np.isfinite(np.asarray(v, dtype=float)))
                                      and non_negative_array(v)))


def is_mask(weight) -> bool:
    """Sample weights that are a mask (optax's where=, a Keras mask): given, every one 0 or 1."""
    return weight is not None and bool(np.all(np.isin(np.asarray(weight), (0.0, 1.0))))


def align_leading(weight_shape, shape) -> tuple[int, ...]:
    """The shape a sample weight takes to broadcast over the unreduced loss of `shape`: its axes
    are the loss's leading axes (per sample (N,) weighs whole samples), the rest 1. Raises
    SpecError when it does not fit."""
    weight_shape, shape = tuple(weight_shape), tuple(shape)
    if len(weight_shape) > len(shape) or any(
            w not in (1, s) for w, s in zip(weight_shape, shape[:len(weight_shape)], strict=True)):
        raise SpecError("params.sample_weight", f"shape {weight_shape} does not match the leading "
                                                f"axes of the unreduced loss, of shape {shape}")
    return weight_shape + (1,) * (len(shape) - len(weight_shape))



def weights_over(sample_weight, shape):
    """The sample weights broadcast over `shape`, their axes its leading ones (what the library
    paths turn into a library's own weight or mask argument), or None where there are none or
    they do not fit."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=float)
    try:
        return np.broadcast_to(w.reshape(align_leading(w.shape, shape)), shape)
    except SpecError:
        return None


# ---------------------------------------------------------------- input validators

def class_axis(x, axis: int = 1) -> int:
    """The class axis, non-negative, of input `x` (any array with a shape) whose class axis is
    `axis` (the canonical parameter; 1, channels-first, by default): 0 for one unbatched sample."""
    ndim = len(x.shape)
    return axis % ndim if ndim >= 2 else 0


def class_axes(x, axis=1) -> tuple[int, ...]:
    """The class axes, non-negative, in the order given: (class_axis(x, axis),) for one axis, a
    tuple's (or list's) axes each counted from the front."""
    if isinstance(axis, (tuple, list)):
        return tuple(a % len(x.shape) for a in axis)
    return (class_axis(x, axis),)


def check_joint_axes(field: str, x, axes: tuple) -> tuple[int, ...]:
    """`axes` (taken jointly), each counted from the front, or SpecError(field) when one is not
    an axis of `x` or an axis is named twice."""
    ndim = len(x.shape)
    for a in axes:
        if not -ndim <= a < ndim:
            raise SpecError(field, f"{a} (in {axes}) is not an axis of an input of {ndim} "
                                   "dimensions")
    found = tuple(a % ndim for a in axes)
    twice = sorted({a for a in found if found.count(a) > 1})
    if twice:
        raise SpecError(field, f"{axes} names axis {twice[0]} twice (an input of {ndim} "
                               "dimensions): joint axes must be distinct")
    return found


def check_class_axes(x, axis) -> tuple[int, ...]:
    """class_axes(x, axis), or SpecError('params.axis') when an axis is not one of `x` or a
    tuple names one axis twice."""
    if not isinstance(axis, (tuple, list)):
        return (check_class_axis(x, axis),)
    return check_joint_axes("params.axis", x, tuple(axis))


def check_class_axis(x, axis: int) -> int:
    """class_axis(x, axis), or SpecError('params.axis') when `axis` is not an axis of `x`."""
    ndim = len(x.shape)
    if ndim >= 2 and not -ndim <= axis < ndim:
        raise SpecError("params.axis", f"{axis} is not an axis of an input of {ndim} dimensions")
    if ndim == 1 and axis not in (-1, 0, 1):
        raise SpecError("params.axis", f"{axis} is not the class axis of unbatched (C,) input: "
                                       "its classes are its only axis (0, -1, or the default 1)")
    return class_axis(x, axis)


def largest_magnitude(*arrays) -> float:
    """The largest finite |value| among arrays (0 for none): the `cancels` of most losses."""
    sizes = [np.max(np.abs(a[np.isfinite(a)]), initial=0.0) for a in map(np.asarray, arrays)]
    return float(max(sizes, default=0.0))


def check_same_shape(a, like, name: str = "target", like_name: str = "input") -> None:
    if a.shape != like.shape:
        raise SpecError(f"inputs.{name}", f"shape {a.shape} does not match {like_name} shape "
                                          f"{like.shape}")


# A case may state inputs beyond the mathematical domain where frameworks still define a value by
# the same formula (real targets of a logistic loss, say): its checks of values are waived then,
# its checks of shapes are not
_EXTENDED = contextvars.ContextVar("extended_domain", default=False)


@contextlib.contextmanager
def extended_domain(on: bool = True):
    """Within: the value-domain checks (check_value_domain and those built on it) pass."""
    token = _EXTENDED.set(on)
    try:
        yield
    finally:
        _EXTENDED.reset(token)


def check_value_domain(field_name: str, holds: bool, message: str) -> None:
    """Raise SpecError(field_name, message) unless `holds` or the domain is extended."""
    if not holds and not _EXTENDED.get():
        raise SpecError(field_name, message)


def check_unit_interval(field_name: str, a) -> None:
    check_value_domain(field_name, not a.size or bool(np.all(a >= 0) and np.all(a <= 1)),
                       "values must lie in [0, 1]")


def check_signs(field_name: str, a) -> None:
    check_value_domain(field_name, not a.size or bool(np.all(np.isin(a, (-1.0, 1.0)))),
                       "values must be 1 or -1")


def check_finite_values(field_name: str, a) -> None:
    if a.size and not np.all(np.isfinite(a)):
        raise SpecError(field_name, "values must be finite")


def check_at_least_1d(name: str, a) -> None:
    if a.ndim == 0:
        raise SpecError(f"inputs.{name}", "must have at least one dimension")


def check_class_weight(params: dict, c: int) -> None:
    w = params.get("weight")
    if w is not None and np.shape(w) != (c,):
        raise SpecError("params.weight", f"has shape {np.shape(w)}, expected ({c},): one weight "
                                         "per class")


def check_broadcast(name: str, a, shape) -> None:
    """`a` broadcasts to `shape` itself (numpy's rules; the result may not grow)."""
    try:
        fits = np.broadcast_shapes(np.shape(a), shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise SpecError(f"params.{name}", f"shape {np.shape(a)} does not broadcast to input "
                                          f"shape {shape}")


def check_params(loss: Loss, params: dict[str, Any]) -> dict[str, Any]:
    """Return the full parameter set (defaults filled in); raise SpecError naming the parameter."""
    given = {}
    for name, value in params.items():
        if name not in loss.params:
            known = ", ".join(loss.params) or "none"
            raise SpecError(f"params.{name}", f"unknown parameter for {loss.name} (known: {known})")
        param = loss.params[name]
        if not param.check(value):
            raise SpecError(f"params.{name}",
                            f"{value!r} is out of domain: expected {param.domain}")
        given[name] = tuple(value) if param.tuples and isinstance(value, list) else value
    return {**loss.defaults(), **given}


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
    for name in loss.differentiable:
        if not np.issubdtype(inputs[name].dtype, np.floating):
            raise SpecError(f"inputs.{name}", f"must hold floating-point values (the loss is "
                                              f"differentiated with respect to it), got "
                                              f"{inputs[name].dtype}")
    if params.get("reduction") == "mean" and inputs[loss.primary].size == 0:
        raise SpecError("inputs", f"{loss.primary} of shape {inputs[loss.primary].shape} is "
                                  "empty: reduction='mean' of no elements is 0/0, undefined")
    if loss.target is not None and loss.target != "other":
        _check_target(loss, inputs, params, encoding)
    elif loss.target is None:
        check_at_least_1d("input", inputs["input"])
        x, dim = inputs["input"], params["dim"]
        if isinstance(dim, (tuple, list)):      # several axes, taken jointly
            check_joint_axes("params.dim", x, tuple(dim))
        elif not -x.ndim <= dim < x.ndim:
            raise SpecError("params.dim", f"{dim} is not an axis of an input of {x.ndim} "
                                          "dimensions")
    if loss.check is not None:
        loss.check(inputs, params)


def _check_target(loss: Loss, inputs, params, encoding) -> None:
    x, y = inputs["input"], inputs["target"]
    # an elementwise loss takes 0-d input too (one element; torch, Keras and optax accept it);
    # a class loss needs its class axis
    if loss.target == "same":
        check_same_shape(y, x)
        return
    if loss.target == "binary":
        check_same_shape(y, x)
        check_unit_interval("inputs.target", y)
        for name in ("weight", "pos_weight"):
            if params.get(name) is not None:
                check_broadcast(name, params[name], x.shape)
        return
    check_at_least_1d("input", x)
    if encoding not in loss.encodings:
        raise SpecError("encoding", f"{encoding!r} is not one of {list(loss.encodings)}")
    axes = check_class_axes(x, params.get("axis", 1))
    c = int(np.prod([x.shape[a] for a in axes]))   # joint axes: their classes flattened
    check_class_weight(params, c)
    if encoding == "index":
        expected = tuple(s for i, s in enumerate(x.shape) if i not in axes)
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
        check_same_shape(y, x)
        check_unit_interval("inputs.target", y)
