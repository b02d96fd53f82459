"""The oracle: NumPy float64 values and analytic gradients of every canonical loss.

Written from the definitions in the catalogue (spec.py), never by calling a framework. Each
family's reference (families/<family>/reference.py) splits a loss in three parts, so that the
reductions are written once, here:
  elements  the unreduced loss,
  vjp       upstream (shaped like elements) -> {input name: gradient} for every differentiable
            input,
  divisor   what reduction='mean' divides by (an array divides element by element: CTC).
`evaluate` reduces, and turns a cotangent of the output into the gradients (a vector-Jacobian
product), so a gradient check works the same for reduced and unreduced outputs.

A convention (see spec.CONVENTIONS) changes the formulas exactly as the named implementation does;
the conventions of the reductions themselves (Keras's) are applied here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import family_modules
from .definitions import WEIGHTED_MEAN, align_leading
from .families.classification.spec import PADDLE_CLIP, PADDLE_LOGIT_FLOOR
from .numerics import log_softmax
from .spec import CONVENTIONS, LOSSES, SpecError, check_inputs, check_params

# loss -> part function, and loss -> the reference's own declared known failures (see
# numpy_reference.py), gathered from the families
PARTS, KNOWN_FAILURES = {}, {}
for _module in family_modules("reference").values():
    PARTS.update(_module.PARTS)
    KNOWN_FAILURES.update(getattr(_module, "KNOWN_FAILURES", {}))

# the conventions under which a weighted mean over weights that sum to 0 is 0 (its gradient too)
MEAN_OF_NOTHING_IS_0 = {"keras_mean_of_nothing_is_0", "monai_focal_ignore_divides_by_kept_pixels"}


@dataclass
class Result:
    value: np.ndarray
    # gradient with respect to each differentiable input (spec order), for the given cotangent
    grads: dict[str, np.ndarray] | None = None
    # what reduction='mean' divides the summed elements by (an array divides element by element;
    # conventions included); None for the activations
    divisor: float | np.ndarray | None = None

    @property
    def grad(self) -> np.ndarray | None:
        """The gradient with respect to the first differentiable input."""
        return None if self.grads is None else next(iter(self.grads.values()))


def evaluate(loss: str, inputs: dict, params: dict, encoding: str = "none",
             conventions=(), cotangent=None, validate: bool = True) -> Result:
    """Value (and, given a cotangent of the output's shape, the gradients) in float64.

    Inputs and parameters outside the loss's domain raise SpecError naming the field (a class
    index of -1 that is not the ignore_index, say: never a silent wrap or a number). Callers that
    evaluate many variants of inputs already checked pass validate=False."""
    unknown = set(conventions) - set(CONVENTIONS)
    if unknown:
        raise ValueError(f"unknown conventions {sorted(unknown)}")
    if loss not in LOSSES:
        raise SpecError("loss", f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    spec = LOSSES[loss]
    if validate:
        check_inputs(spec, {n: np.asarray(a) for n, a in inputs.items()},
                     check_params(spec, dict(params)), encoding)
    p = {**spec.defaults(), **params}
    if spec.target is None:    # dim: one axis, or a tuple (NumPy reduces over it jointly)
        dim = tuple(p["dim"]) if isinstance(p["dim"], list) else p["dim"]
        return _activation(loss, np.asarray(inputs["input"], dtype=np.float64), dim, cotangent,
                           frozenset(conventions))
    conv = frozenset(conventions)
    integer = set(spec.integer_inputs) | ({"target"} if encoding == "index" else set())
    arrays = {n: np.asarray(inputs[n], dtype=np.int64 if n in integer else np.float64)
              for n in spec.inputs}
    elements, vjp, divisor = PARTS[loss](arrays, p, conv)
    first = np.shape(inputs[spec.primary])
    elements, vjp, divisor = _keras_reductions(first, elements, vjp, divisor, conv)
    kept = _keras_mask(arrays, p, encoding, elements, conv)
    elements, vjp, weights = _sample_weights(elements, vjp, p.get("sample_weight"), conv, kept)
    if "keras_masked_mean_divides_by_kept_count" in conv and p.get("sample_weight") is not None:
        divisor = _kept_count(p["sample_weight"], np.shape(elements), conv, kept)
    with np.errstate(invalid="ignore", divide="ignore"):
        # what the elements are divided by before summing; 'batchmean' (kl_div) divides by N.
        # A divisor may be an array (one per element, CTC's 'mean' divides by target lengths).
        scale = {"none": None, "sum": 1.0, "mean": divisor, WEIGHTED_MEAN: weights,
                 "batchmean": first[0] if first else 1}.get(p.get("reduction"))
        if ("sklearn_average_divides_by_sample_weight_sum" in conv
                and p.get("reduction") == "mean" and p.get("sample_weight") is not None):
            scale = weights       # np.average(l, weights=w): the weighted mean
        if scale is None:
            value = elements
        else:
            value = elements.sum() / scale if np.ndim(scale) == 0 else (elements / scale).sum()
        grads = None
        if cotangent is not None:
            v = np.asarray(cotangent, dtype=np.float64)
            upstream = v if scale is None else np.broadcast_to(v / scale, elements.shape)
            grads = vjp(upstream)
            if ("all_ignored_mean_gradient_is_zero" in conv and p["reduction"] == "mean"
                    and divisor == 0 and _all_ignored(arrays, p, encoding)):
                grads = {n: np.zeros_like(g) for n, g in grads.items()}
    return Result(np.asarray(value, dtype=np.float64), grads, divisor)


def _all_ignored(arrays, p, encoding) -> bool:
    """Every index target is the ignore_index: torch's 'mean' then has gradient 0. Kept targets
    whose class weights are all 0 give the same 0/0, but a nan gradient (seen by fuzzing:
    nll_loss([[0.5, 0.3]], [0], weight=[0., 1.]).backward() gives [[nan, 0.]])."""
    return encoding == "index" and bool(np.all(arrays["target"] == p["ignore_index"]))


def supports(loss: str) -> bool:
    """Whether the oracle can compute `loss` (every loss of spec.LOSSES should)."""
    return loss in PARTS or (loss in LOSSES and LOSSES[loss].target is None)


# ---------------------------------------------------------------- activations

def _activation(loss, x, dim, cotangent, conv=frozenset()) -> Result:
    # the gradient is the formula below on the clipped output too (paddle's kernels use it)
    logp = log_softmax(x, dim, PADDLE_LOGIT_FLOOR if PADDLE_CLIP in conv else None)
    s = np.exp(logp)
    value = s if loss == "softmax" else logp
    grad = None
    if cotangent is not None:
        v = np.asarray(cotangent, dtype=np.float64)
        if loss == "softmax":      # J = diag(s) - s s^T
            grad = s * (v - np.sum(v * s, axis=dim, keepdims=True))
        else:                      # J = I - 1 s^T
            grad = v - s * np.sum(v, axis=dim, keepdims=True)
    return Result(value, None if grad is None else {"input": grad})


# ---------------------------------------------------------------- sample weights

def _keras_mask(arrays, p, encoding, elements, conv):
    """The elements a Keras mask on the unreduced loss keeps, under
    keras_weighted_mean_drops_masked_weights (else None): ignore_class's kept targets, or
    Circle's positive losses."""
    if "keras_weighted_mean_drops_masked_weights" not in conv:
        return None
    if encoding == "index" and "ignore_index" in p:
        return arrays["target"] != p["ignore_index"]
    if "keras_circle_mean_over_positive_losses" in conv:
        return np.asarray(elements) > 0
    return None


def _kept_count(weight, shape, conv, kept=None):
    """What Keras's default reduction divides by with a mask on y_pred that keeps the elements
    of nonzero weight (loss.py apply_mask: total / valid): their number, of those the loss's own
    mask keeps too where it has one (`kept`: Loss.__call__ takes in_mask & out_mask); 0 gives inf
    under keras_mean_of_nothing_is_0 (divide_no_nan)."""
    given = np.asarray(weight, dtype=np.float64)
    w = np.broadcast_to(given.reshape(align_leading(given.shape, shape)), shape)
    count = float(np.count_nonzero(w if kept is None else (w != 0) & kept))
    return np.inf if count == 0 and "keras_mean_of_nothing_is_0" in conv else count


def _sample_weights(elements, vjp, weight, conv, kept=None):
    """Weigh the unreduced loss: w aligned to its leading axes (definitions.align_leading), the
    elements and the upstream gradient times w. Returns what WEIGHTED_MEAN divides by too: the sum
    of w broadcast to the elements (without weights, their number); with a Keras mask (`kept`),
    of the kept elements' weights only."""
    if weight is None:
        return elements, vjp, float(np.size(elements))
    given = np.asarray(weight, dtype=np.float64)
    w = np.broadcast_to(given.reshape(align_leading(given.shape, np.shape(elements))),
                        np.shape(elements))
    total = w.sum()
    if kept is not None:               # apply_mask multiplies the weights by the mask: broadcast
        total = (w * kept).sum()
    elif "keras_weighted_mean_divides_by_given_weights" in conv:
        total = given.sum()
    if "keras_scalar_loss_is_not_reduced" in conv and np.ndim(elements) == 0:
        total = 1.0                       # Keras returns w l for every reduction
    if conv & MEAN_OF_NOTHING_IS_0 and total == 0:
        total = np.inf                    # divide_no_nan: 0 / inf = 0, and so is the gradient
    return elements * w, (lambda inner: lambda u: inner(u * w))(vjp), total


# ---------------------------------------------------------------- Keras's reductions

def _keras_reductions(shape, elements, vjp, divisor, conv):
    if "keras_bce_mean_over_last_axis" in conv:
        k, full = shape[-1], elements.shape
        elements, divisor = elements.mean(axis=-1), divisor / k
        vjp = (lambda inner: lambda u: inner(np.broadcast_to(np.expand_dims(u, -1) / k, full)))(vjp)
    if "keras_scalar_loss_is_not_reduced" in conv and elements.ndim == 0:
        divisor = 1.0
    if "keras_mean_of_nothing_is_0" in conv and np.ndim(divisor) == 0 and divisor == 0:
        divisor = np.inf                 # 0 / inf = 0, and the gradient v / inf = 0
    return elements, vjp, divisor
