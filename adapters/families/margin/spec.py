"""Canonical losses of the margin family, and the conventions that concern them only.

PyTorch's soft-margin and multi-class / multi-label margin losses. Shapes:
    soft_margin_loss             input any shape, target the input's shape, values 1 or -1
    multilabel_soft_margin_loss  input (C,) or (N, C), target the input's shape, values in [0, 1]
    multi_margin_loss            input (C,) or (N, C), target () or (N,) class indices (int64)
    multilabel_margin_loss       input (C,) or (N, C), target the input's shape: class indices
                                 (int64) read up to the first -1, the rest ignored
Classes are on the last axis. The three per-sample losses give one element per sample (shape (N,),
or () for 1-D input) and 'mean' divides by N.

Gradients at an exact kink of max(0, z): 0 (the hinge counts as active only where z > 0), as
torch's kernels, tf.nn.relu and jax.nn.relu compute it.
"""
from __future__ import annotations

from adapters.definitions import (
    CLASS_WEIGHT,
    REDUCTION,
    Convention,
    Loss,
    NameClash,
    Param,
    SpecError,
    check_class_weight,
    check_same_shape,
    check_signs,
    check_unit_interval,
    is_finite,
    is_int,
)

MARGIN = Param(name="margin", default=1.0, domain="a finite number", check=is_finite)
P = Param(name="p", default=1,
          domain="1 or 2 (torch raises 'only p == 1 and p == 2 supported' for any other)",
          check=lambda v: is_int(v) and v in (1, 2), choices=(1, 2))


def _check_rows(x):
    """(C,) or (N, C) with C >= 1."""
    if x.ndim not in (1, 2):
        raise SpecError("inputs.input", f"must be (C,) or (N, C), got shape {x.shape}")
    if x.shape[-1] < 1:
        raise SpecError("inputs.input", "needs at least one class (C >= 1)")


def _check_soft_margin(inputs, params):
    x, y = inputs["input"], inputs["target"]
    check_same_shape(y, x)
    check_signs("inputs.target", y)


def _check_multilabel_soft_margin(inputs, params):
    x, y = inputs["input"], inputs["target"]
    _check_rows(x)
    check_same_shape(y, x)
    check_unit_interval("inputs.target", y)
    check_class_weight(params, x.shape[-1])


def _check_multi_margin(inputs, params):
    x, y = inputs["input"], inputs["target"]
    _check_rows(x)
    c = x.shape[-1]
    if y.shape != x.shape[:-1]:
        raise SpecError("inputs.target", f"class indices of shape {y.shape} do not match input "
                                         f"{x.shape}: expected {x.shape[:-1]}")
    bad = y[(y < 0) | (y >= c)]
    if bad.size:
        raise SpecError("inputs.target", f"class index {int(bad[0])} out of range [0, {c})")
    check_class_weight(params, c)


def _check_multilabel_margin(inputs, params):
    x, y = inputs["input"], inputs["target"]
    _check_rows(x)
    check_same_shape(y, x)
    c = x.shape[-1]
    # torch checks every entry, also those after the first -1 ("argument #2 'target' is out of
    # range" for -2 or C anywhere in the row)
    bad = y[(y < -1) | (y >= c)]
    if bad.size:
        raise SpecError("inputs.target", f"class index {int(bad[0])} out of range [-1, {c}) "
                                         "(-1 ends the list of targets)")


LOSSES: list[Loss] = []

LOSSES.append(Loss(
    name="soft_margin_loss", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"reduction": REDUCTION},
    mean_divisor="the number of elements",
    doc="l = log(1 + exp(-y x)) = softplus(-y x), y in {1, -1}, element by element, computed "
        "without "
    "overflow (softplus(z) = z + log1p(exp(-z)) for z > 0: l = 1e4 at y x = -1e4). Gradient: "
    "-y sigmoid(-y x).", check=_check_soft_margin, values={"target": "sign"}))

LOSSES.append(Loss(
    name="multilabel_soft_margin_loss", inputs=("input", "target"), differentiable=("input",),
    target="other",
    params={"weight": CLASS_WEIGHT, "reduction": REDUCTION},
    mean_divisor="the number of samples N (1 for 1-D input); class weights do not enter the "
                 "divisor",
    doc="Logits x (N, C), targets y in [0, 1] of the same shape, class weights w (C,): l_n = "
    "(1/C) sum_c w_c [y log(1 + exp(-x)) + (1 - y) log(1 + exp(x))] = -(1/C) sum_c w_c [y log "
    "sigmoid(x) + (1 - y) log sigmoid(-x)], the mean over the classes of the weighted "
    "binary cross-entropy with logits; 1-D input is one sample (a scalar). Gradient: "
    "w_c (sigmoid(x) - y) / C.", check=_check_multilabel_soft_margin,
    layouts=({"input": "C", "target": "C"}, {"input": "N C", "target": "N C"}),
    values={"target": "unit"}))

LOSSES.append(Loss(
    name="multi_margin_loss", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"p": P, "margin": MARGIN, "weight": CLASS_WEIGHT, "reduction": REDUCTION},
    mean_divisor="the number of samples N (1 for 1-D input); class weights do not enter the "
                 "divisor",
    doc="Scores x (N, C), class indices y (N,), z_i = margin - x[y] + x[i]: l_n = (1/C) sum_{i != "
        "y} "
    "w[y] max(0, z_i)^p, p in {1, 2} (the weight multiplies each term after the power: w[y] "
    "max(0, z)^2, not (w[y] max(0, z))^2). 1-D input with a 0-D target is one sample. Gradient: "
    "d l / d x_i = w[y] p max(0, z_i)^(p-1) / C for i != y where z_i > 0 (0 at z_i = 0, also for "
    "p = 1), and d l / d x_y = -sum of those.", check=_check_multi_margin,
    layouts=({"input": "C", "target": ""}, {"input": "N C", "target": "N"}),
    values={"target": "index"},
    integer_inputs=("target",)))

LOSSES.append(Loss(
    name="multilabel_margin_loss", inputs=("input", "target"), differentiable=("input",),
    target="other", params={"reduction": REDUCTION},
    mean_divisor="the number of samples N (1 for 1-D input)",
    doc="Scores x (N, C); target (N, C) of class indices read from the front up to the first -1 "
        "(the "
    "entries after it are ignored); T the set of those classes: l_n = (1/C) sum_{j in T} "
    "sum_{i not in T} max(0, 1 - (x[j] - x[i])). A class listed twice is in T once; a row that "
    "starts with -1 (T empty) or lists every class gives 0. Gradient: for each pair with "
    "1 - x[j] + x[i] > 0 (0 at exactly 0), -1/C to x[j] and +1/C to x[i].",
    check=_check_multilabel_margin, integer_inputs=("target",),
    layouts=({"input": "C", "target": "C"}, {"input": "N C", "target": "N C"}),
    values={"target": "label"}))


CONVENTIONS = [
    Convention(name="torch_soft_margin_exp_overflows", losses=("soft_margin_loss",),
               description="computes log1p(exp(-y x)) as written, in float64: where exp(-y x) "
                           "overflows "
               "(-y x > log(DBL_MAX) = 709.78) the value is inf instead of -y x and the "
               "gradient nan instead of -y"),
    Convention(name="torch_soft_margin_exp_overflows_float32", losses=("soft_margin_loss",),
               description="torch_soft_margin_exp_overflows with exp computed in float32 (also for "
                           "bfloat16, "
               "whose exponent range is float32's): inf and a nan gradient where -y x > 88.72"),
    Convention(name="torch_soft_margin_exp_overflows_float16", losses=("soft_margin_loss",),
               description="torch_soft_margin_exp_overflows with exp rounded to float16: inf and a "
                           "nan "
               "gradient where -y x > log(65504) = 11.09"),
    Convention(name="torch_softplus_linear_above_20", losses=("soft_margin_loss",),
               description="torch.nn.functional.softplus (threshold=20) returns its argument z = "
                           "-y x as it is "
               "where z > 20, so the value is z instead of z + log1p(exp(-z)) (less by at most "
               "2.1e-9) and the gradient -y instead of -y sigmoid(z)"),
    Convention(name="torch_multilabel_margin_duplicate_targets_counted",
               losses=("multilabel_margin_loss",),
               description="a class listed k times before the first -1 counts k times: each listed "
                           "entry j "
               "adds sum_{i not in T} max(0, 1 - x[j] + x[i]) / C, so a duplicate doubles its "
               "terms (and its gradient)"),
]

NAME_CLASHES = [NameClash(
    name="multi-class hinge", losses=("multi_margin_loss", "categorical_hinge"),
    explanation="torch's `MultiMarginLoss` sums the hinge over every other class and divides by C: "
    "l = (1/C) sum_{i != y} w[y] max(0, margin - x[y] + x[i])^p. Keras's `CategoricalHinge` takes "
    "one max: l = max(0, 1 + max_c((1 - t_c) x_c) - sum_c t_c x_c), with no margin, p or weight, "
    "and the (1 - t) x puts a 0 in place of x[y] (x = [-3, -2, -1], y = 2 gives 2.0 where "
    "multi_margin_loss gives 0). `optax.multiclass_hinge_loss` is a third loss, Crammer-Singer's "
    "max(0, max_{i != y}(1 + x_i - x_y)); it equals twice multi_margin_loss only when C = 2.")]
