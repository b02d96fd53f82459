"""Canonical losses of the margin family, and the conventions that concern them only.

PyTorch's soft-margin and multi-class / multi-label margin losses, and optax's perceptron, hinge
and sparsemax losses. Shapes:
    soft_margin_loss             input any shape, target the input's shape, values 1 or -1
    multilabel_soft_margin_loss  input (C,) or (N, C), target the input's shape, values in [0, 1]
    multi_margin_loss            input (C,) or (N, C), target () or (N,) class indices (int64)
    multilabel_margin_loss       input (C,) or (N, C), target the input's shape: class indices
                                 (int64) read up to the first -1, the rest ignored
    perceptron_loss              input any shape, target the input's shape, values 1 or -1
    sparsemax_loss               input any shape, target the input's shape, values 0 or 1
    multiclass_perceptron_loss,  input (C,) or (N, C), target () or (N,) class indices (int64)
    multiclass_hinge_loss,
    multiclass_sparsemax_loss
Classes are on the last axis. The per-sample losses give one element per sample (shape (N,), or ()
for 1-D input) and 'mean' divides by N; the element-wise ones divide by the number of elements.

Gradients at an exact kink of max(0, z): 0 (the hinge counts as active only where z > 0), as
torch's kernels, tf.nn.relu and jax.nn.relu compute it. A max over the classes (the multiclass
perceptron and hinge losses) that several classes attain shares its gradient equally between them
(1/m to each of the m tied classes), as jnp.max, tf.reduce_max and torch.amax do. The sparsemax
losses are continuously differentiable (their gradient is a projection onto the simplex, which is
continuous): no choice is needed at the edge of the support.
"""
from __future__ import annotations

import numpy as np

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
    largest_magnitude,
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
    # one unbatched (C,) sample takes its class as () or, as torch reads it, as (1,)
    if y.shape != x.shape[:-1] and not (x.ndim == 1 and y.shape == (1,)):
        expected = f"{x.shape[:-1]}" + (" or (1,)" if x.ndim == 1 else "")
        raise SpecError("inputs.target", f"class indices of shape {y.shape} do not match input "
                                         f"{x.shape}: expected {expected}")
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
    "max(0, z)^2, not (w[y] max(0, z))^2). 1-D input (C,) is one sample, its target () or (1,) "
    "(torch takes both); the unreduced loss has the target's shape. Gradient: "
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


# ---------------------------------------------------------------- perceptron, hinge, sparsemax

def _check_perceptron(inputs, params):
    check_same_shape(inputs["target"], inputs["input"])
    check_signs("inputs.target", inputs["target"])


def _check_sparsemax(inputs, params):
    y = inputs["target"]
    check_same_shape(y, inputs["input"])
    if y.size and not np.all(np.isin(y, (0.0, 1.0))):
        raise SpecError("inputs.target", "values must be 0 or 1")


def _check_class_rows(inputs, params):
    """(C,) scores with a 0-D class index, or (N, C) with (N,) indices, C >= 1."""
    _check_multi_margin(inputs, params)


def _largest_score(inputs):
    """max_k (x_k + 1[k != y]) - x_y and p . (x - x_y) subtract scores (and scores + 1): an ulp
    of the largest score survives the subtraction."""
    return largest_magnitude(inputs["input"])


_CLASS_ROWS = ({"input": "C", "target": ""}, {"input": "N C", "target": "N"})
SPARSEMAX_REF = ("A. F. T. Martins and R. F. Astudillo, 'From Softmax to Sparsemax: A Sparse Model "
                 "of Attention and Multi-Label Classification', ICML 2016 (arXiv:1602.02068)")

LOSSES.append(Loss(
    name="perceptron_loss", inputs=("input", "target"), differentiable=("input",),
    target="other", params={"reduction": REDUCTION},
    mean_divisor="the number of elements",
    doc="Scores x of any shape, labels y in {-1, 1} of the same shape: l = max(0, -y x), element "
        "by element (optax.losses.perceptron_loss; Rosenblatt's perceptron criterion). Gradient "
        "-y where -y x > 0, 0 where -y x < 0, and 0 at exactly -y x = 0 (x = 0: the hinge counts "
        "as inactive, as F.relu, tf.nn.relu and jax.nn.relu give; optax's jnp.maximum(0, z) "
        "gives half: hinge_kink_grad_half).",
    check=_check_perceptron, values={"target": "sign"}))

LOSSES.append(Loss(
    name="multiclass_perceptron_loss", inputs=("input", "target"), differentiable=("input",),
    target="other", params={"reduction": REDUCTION},
    mean_divisor="the number of samples N (1 for 1-D input)",
    doc="Scores x (N, C), class indices y (N,): l_n = max_k x[k] - x[y] >= 0 "
        "(optax.losses.multiclass_perceptron_loss; M. Collins, 'Discriminative training methods "
        "for hidden Markov models', EMNLP 2002). 1-D input with a 0-D target is one sample. "
        "Gradient e_k* - e_y with k* the argmax; where m classes attain the max, each gets 1/m "
        "(so a target tied with another class at the max has the gradient 1/m - 1 on x[y] and "
        "1/m on the other, though the loss is 0 there).",
    check=_check_class_rows, layouts=_CLASS_ROWS, values={"target": "index"},
    integer_inputs=("target",)))

LOSSES.append(Loss(
    name="multiclass_hinge_loss", inputs=("input", "target"), differentiable=("input",),
    target="other", params={"reduction": REDUCTION},
    mean_divisor="the number of samples N (1 for 1-D input)",
    doc="Scores x (N, C), class indices y (N,): l_n = max_k (x[k] + 1[k != y]) - x[y] = max(0, "
        "max_{k != y} (1 + x[k] - x[y])), the Crammer-Singer multi-class hinge "
        "(optax.losses.multiclass_hinge_loss; K. Crammer and Y. Singer, JMLR 2001), with the "
        "margin fixed at 1 and no p or weight parameter. 1-D input with a 0-D target is one "
        "sample. Gradient e_k* - e_y with k* the argmax of the C augmented scores x[k] + "
        "1[k != y]; where m of them attain the max each gets 1/m, the target's own term x[y] "
        "included: at the hinge's kink (x[y] = x[k] + 1, the loss 0) the gradient is (e_k - "
        "e_y) / 2, not 0. Not torch's "
        "multi_margin_loss (a sum over the classes, / C) nor Keras's categorical_hinge (see the "
        "name clash 'multi-class hinge').",
    check=_check_class_rows, layouts=_CLASS_ROWS, values={"target": "index"},
    integer_inputs=("target",), cancels=_largest_score))

LOSSES.append(Loss(
    name="sparsemax_loss", inputs=("input", "target"), differentiable=("input",),
    target="other", params={"reduction": REDUCTION},
    mean_divisor="the number of elements",
    doc="Binary sparsemax loss (optax.losses.sparsemax_loss; the Fenchel-Young loss of the sparse "
        "sigmoid, M. Blondel, A. F. T. Martins, V. Niculae, 'Learning with Fenchel-Young Losses', "
        "JMLR 2020, sec. 4.4): scores x of any shape, labels y in {0, 1} of the same shape, l = "
        "sparse_plus(z) with z = -x for y = 1 and z = x for y = 0, where sparse_plus(z) = 0 for z "
        "<= -1, (z + 1)^2 / 4 for -1 < z < 1, z for z >= 1. Equal to multiclass_sparsemax_loss "
        "of the scores [x/2, -x/2] with class 1 - y. Gradient dz/dx sparse_sigmoid(z), "
        "sparse_sigmoid(z) = clip((z + 1) / 2, 0, 1): continuous (0 at z = -1, 1 at z = 1), so "
        "no kink needs a choice.",
    check=_check_sparsemax, values={"target": "binary"}))

LOSSES.append(Loss(
    name="multiclass_sparsemax_loss", inputs=("input", "target"), differentiable=("input",),
    target="other", params={"reduction": REDUCTION},
    mean_divisor="the number of samples N (1 for 1-D input)",
    doc="Scores x (N, C), class indices y (N,) (optax.losses.multiclass_sparsemax_loss): with "
        "p = sparsemax(x) = argmin_{q in simplex} ||q - x||^2 = max(x - tau, 0), tau the threshold "
        "that makes p sum to 1 (" + SPARSEMAX_REF + ", Algorithm 1: sort x descending, k = max{k : "
        "1 + k x_(k) > sum_{j <= k} x_(j)}, tau = (sum_{j <= k} x_(j) - 1) / k), l_n = -x[y] + "
        "(1/2) sum_{j in S} (x_j^2 - tau^2) + 1/2 (their eq. 18; S the support of p) = p . (x - "
        "x[y]) + (1 - ||p||^2) / 2 >= 0, 0 exactly when p = e_y. 1-D input with a 0-D target is "
        "one sample. Gradient p - e_y (their Proposition 2): continuous in x, including at the "
        "edge of the support (a class with x_j = tau exactly has p_j = 0 either way), so no "
        "choice is needed there.",
    check=_check_class_rows, layouts=_CLASS_ROWS, values={"target": "index"},
    integer_inputs=("target",), cancels=_largest_score))


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
    Convention(name="paddle_multi_margin_subtracts_margin_term", losses=("multi_margin_loss",),
               description="paddle.nn.functional.multi_margin_loss sums the hinge over every "
               "class, the target's own term max(0, margin)^p included, then subtracts w[y] "
               "margin^p / C computed in float32 (margin**p / paddle.shape(input)[1], an int32 "
               "tensor): l = canonical + w[y] (max(0, margin)^p / C - float32(margin^p / C)), "
               "off by float32 rounding (about 3e-9 for margin 0.7, C = 4) for margin >= 0, and "
               "by w[y] margin^p / C for margin < 0 (p = 2, margin -0.3, C = 4: 0.0225 less; "
               "p = 1: 0.075 more); gradient unchanged"),
]

# optax.losses.perceptron_loss is jnp.maximum(0, -y x): the half gradient at the kink, as optax's
# hinge_loss (the embedding family's convention)
EXTENDS = {"hinge_kink_grad_half": ("perceptron_loss",
                                    # paddle.maximum(z, 0) in multi_label_margin_loss
                                    "multilabel_margin_loss"),
           # paddle.clip(z, min=0) in multi_margin_loss passes the gradient at z = 0
           "hinge_kink_grad_active": ("multi_margin_loss",),
           # sklearn.metrics.hinge_loss (multi-class) averages with np.average(weights=...)
           "sklearn_average_divides_by_sample_weight_sum": ("multiclass_hinge_loss",)}

NAME_CLASHES = [NameClash(
    name="multi-class hinge", losses=("multi_margin_loss", "categorical_hinge",
                                      "multiclass_hinge_loss"),
    explanation="torch's `MultiMarginLoss` sums the hinge over every other class and divides by C: "
    "l = (1/C) sum_{i != y} w[y] max(0, margin - x[y] + x[i])^p. Keras's `CategoricalHinge` takes "
    "one max: l = max(0, 1 + max_c((1 - t_c) x_c) - sum_c t_c x_c), with no margin, p or weight, "
    "and the (1 - t) x puts a 0 in place of x[y] (x = [-3, -2, -1], y = 2 gives 2.0 where "
    "multi_margin_loss gives 0). `optax.losses.multiclass_hinge_loss` is a third loss, "
    "multiclass_hinge_loss here: Crammer-Singer's max(0, max_{i != y}(1 + x_i - x_y)), the max "
    "over the other classes where multi_margin_loss sums them and divides by C (x = [[.1, .2, .4, "
    ".8], [1., -.5, .5, 2.]], y = [3, 0] gives [0.6, 2.] against [0.325, 0.625]); it equals "
    "twice multi_margin_loss only when C = 2, and Keras's categorical_hinge only where some "
    "other class scores >= 0 (x = [-3, -2, -1], y = 2: 0 against Keras's 2.0).")]
