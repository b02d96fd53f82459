"""Canonical losses of the embedding family, and the conventions that concern them only.

PyTorch's margin and embedding losses (margin_ranking_loss, hinge_embedding_loss,
triplet_margin_loss, cosine_embedding_loss), Keras's hinge losses (hinge, squared_hinge,
categorical_hinge), the cosine similarity as a loss (cosine_similarity, any axis) and Keras's
circle loss (circle). Keras's `Hinge` and PyTorch's `HingeEmbeddingLoss` share a name only:
    hinge_embedding_loss  l = x where y = 1, max(0, margin - x) where y = -1  (x a distance)
    hinge                 l = max(0, 1 - y x), y in {-1, 1} (0/1 labels mapped to -1/1)  (x a score)

Every hinge max(0, z) here is differentiated with slope 0 at exactly z = 0 (the hinge counts as
inactive there); frameworks that choose otherwise follow the conventions hinge_kink_grad_active or
hinge_kink_grad_half. Ties of a max or min split the gradient equally between the tied arguments.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import (
    REDUCTION,
    Convention,
    Loss,
    NameClash,
    Param,
    SpecError,
    check_finite_values,
    check_joint_axes,
    check_same_shape,
    check_signs,
    is_axes,
    is_bool,
    is_finite,
    is_int,
    largest_magnitude,
)

MARGIN = Param(name="margin", default=0.0, domain="a finite number", check=is_finite)
HINGE_MARGIN = Param(name="margin", default=1.0, domain="a finite number", check=is_finite)
# torch.nn.functional.triplet_margin_loss raises "margin must be greater than 0, got -1"
TRIPLET_MARGIN = Param(name="margin", default=1.0, domain="a finite number > 0",
                       check=lambda v: is_finite(v) and v > 0)
NORM_P = Param(name="p", default=2.0, domain="a finite number >= 1 (the degree of the p-norm)",
               check=lambda v: is_finite(v) and v >= 1)
EPS = Param(name="eps", default=1e-6, domain="a finite number >= 0",
            check=lambda v: is_finite(v) and v >= 0)
SWAP = Param(name="swap", default=False, domain="a bool", check=is_bool)
AXIS = Param(name="axis", default=-1, domain="an integer axis of the inputs (negative counts from "
             "the end)", check=is_int)
# The vectors' axis, or several taken jointly (optax's cosine_similarity(axis=(1, 2)), Keras's
# CosineSimilarity(axis=(1, 2))): one vector of every element of those axes, so a tuple's order
# does not matter (a cosine is the same under any one permutation of both vectors)
VECTOR_AXES = Param(name="axis", default=-1, tuples=True,
                    domain="an integer axis of the inputs (negative counts from the end), or a "
                           "tuple of distinct axes whose elements form each vector jointly",
                    check=lambda v: is_int(v) or is_axes(v))
# 0: the exact cosine (nan for a zero vector); torch's default is 1e-8, optax's 0, Keras's 1e-7
COSINE_EPS = Param(name="eps", default=0.0, domain="a finite number >= 0 (a lower bound of each "
                   "vector's norm)", check=lambda v: is_finite(v) and v >= 0)
GAMMA = Param(name="gamma", default=80.0, domain="a finite number >= 0 (the scale)",
              check=lambda v: is_finite(v) and v >= 0)
CIRCLE_MARGIN = Param(name="margin", default=0.4, domain="a finite number (the relaxation)",
                      check=is_finite)
REMOVE_DIAGONAL = Param(name="remove_diagonal", default=True, domain="a bool", check=is_bool)


# ---------------------------------------------------------------- input checks

def _same_shape(like_name, like, **others):
    for name, a in others.items():
        check_same_shape(a, like, name, like_name)


def _check_ranking(inputs, params):
    x1 = inputs["input1"]
    if x1.ndim > 1:
        raise SpecError("inputs.input1", f"must be 0-D or 1-D (N,), got shape {x1.shape}")
    _same_shape("input1", x1, input2=inputs["input2"], target=inputs["target"])
    check_signs("inputs.target", inputs["target"])


def _check_hinge_embedding(inputs, params):
    _same_shape("input", inputs["input"], target=inputs["target"])
    check_finite_values("inputs.target", inputs["target"])


def _check_triplet(inputs, params):
    a = inputs["anchor"]
    if a.ndim not in (1, 2):
        raise SpecError("inputs.anchor", f"must be (D,) or (N, D), got shape {a.shape}")
    _same_shape("anchor", a, positive=inputs["positive"], negative=inputs["negative"])
    if not -a.ndim <= params["axis"] < a.ndim:
        raise SpecError("params.axis", f"{params['axis']} is not an axis of an input of {a.ndim} "
                                       "dimensions")


def _check_cosine(inputs, params):
    x1, y = inputs["input1"], inputs["target"]
    if x1.ndim not in (1, 2):
        raise SpecError("inputs.input1", f"must be (D,) or (N, D), got shape {x1.shape}")
    _same_shape("input1", x1, input2=inputs["input2"])
    if y.shape != x1.shape[:-1]:
        raise SpecError("inputs.target", f"shape {y.shape} does not match input1 {x1.shape}: "
                                         f"expected {x1.shape[:-1]}, one target per pair")
    check_signs("inputs.target", y)


def _check_cosine_similarity(inputs, params):
    x = inputs["input"]
    if x.ndim == 0:
        raise SpecError("inputs.input", "must have at least one dimension (the vectors lie along "
                                        "`axis`)")
    _same_shape("input", x, target=inputs["target"])
    axis = params["axis"]
    if isinstance(axis, (tuple, list)):      # several axes, taken jointly
        check_joint_axes("params.axis", x, tuple(axis))
    elif not -x.ndim <= axis < x.ndim:
        raise SpecError("params.axis", f"{axis} is not an axis of an input of {x.ndim} "
                                       "dimensions")


def _check_circle(inputs, params):
    x, y = inputs["input"], inputs["target"]
    if x.ndim != 2:
        raise SpecError("inputs.input", f"must be (N, D) embeddings, got shape {x.shape}")
    if y.shape != x.shape[:1]:
        raise SpecError("inputs.target", f"shape {y.shape} does not match input {x.shape}: "
                                         f"expected ({x.shape[0]},), one label per embedding")


def _check_keras_hinge(inputs, params):
    x = inputs["input"]
    if x.ndim == 0:
        raise SpecError("inputs.input", "must have at least one dimension (Keras averages over "
                                        "the last axis)")
    _same_shape("input", x, target=inputs["target"])
    check_finite_values("inputs.target", inputs["target"])


LOSSES: list[Loss] = []

# ---------------------------------------------------------------- PyTorch's margin and embedding

LOSSES.append(Loss(
    name="margin_ranking_loss", inputs=("input1", "input2", "target"),
    differentiable=("input1", "input2"), target="other",
    params={"margin": MARGIN, "reduction": REDUCTION}, mean_divisor="the number of elements",
    doc="l = max(0, -y (x1 - x2) + margin), y in {1, -1}: y = 1 ranks x1 above x2. Gradient: "
    "-y (input1) and y (input2) where the hinge is active (> 0), 0 where it is not, also at "
    "exactly 0. Inputs 0-D or (N,).", check=_check_ranking,
    layouts=({"input1": "", "input2": "", "target": ""},
             {"input1": "N", "input2": "N", "target": "N"}),
    values={"target": "sign"}))

LOSSES.append(Loss(
    name="hinge_embedding_loss", inputs=("input", "target"), differentiable=("input",),
    target="other",
    params={"margin": HINGE_MARGIN, "reduction": REDUCTION}, mean_divisor="the number of elements",
    doc="x a distance (any shape, 0-D included), target of its shape. l = [y != -1] x + [y != 1] "
    "max(0, margin - x): x where y = 1, max(0, margin - x) where y = -1 (the intended domain), and "
    "for any other target value both terms, x + max(0, margin - x) = max(x, margin) (PyTorch's "
    "definition, which tests y == 1 and y == -1 only; the target value itself never multiplies "
    "anything). Gradient: [y != -1] - [y != 1] [margin - x > 0]: 0 from the hinge at exactly "
    "x = margin.", check=_check_hinge_embedding,
    layouts=({"input": "", "target": ""}, {"input": "D", "target": "D"},
             {"input": "N D", "target": "N D"}),
    values={"target": "sign"}))

def _largest_distance(inputs) -> float:
    """d(a, p) - d(a, n): two distances, each at most sqrt(D) (|a| + |p| or |n|) elementwise."""
    a, p, n = (np.asarray(inputs[k]) for k in ("anchor", "positive", "negative"))
    return float(np.sqrt(a.shape[-1]) * (largest_magnitude(a) + largest_magnitude(p, n)))


LOSSES.append(Loss(
    name="triplet_margin_loss", inputs=("anchor", "positive", "negative"),
    differentiable=("anchor", "positive", "negative"),
    target="other", params={"margin": TRIPLET_MARGIN, "p": NORM_P, "eps": EPS, "swap": SWAP,
              "axis": AXIS, "reduction": REDUCTION},
    mean_divisor="the number of triplets (N; 1 for (D,) inputs)",
    doc="Inputs (N, D) or (D,), the features along `axis` (-1 by default; axis 0 of a 2-D input "
    "is the layout (D, N), optax's axis=). d(u, v) = ||u - v + eps||_p over that axis, eps added "
    "to every "
    "component before the norm (torch.nn.functional.pairwise_distance). l = max(0, margin + "
    "d(a, p) - d(a, n)); with swap, d(a, n) is replaced by min(d(a, n), d(p, n)). Gradient of "
    "||w||_p: |w|^(p-1) sign(w) / ||w||^(p-1) (sign(0) = 0), and 0 at w = 0; a tie of the swap's "
    "min splits the gradient equally; the hinge's slope is 0 at exactly 0.", check=_check_triplet,
    layouts=({"anchor": "D", "positive": "D", "negative": "D"},
             {"anchor": "N D", "positive": "N D", "negative": "N D"}),
    cancels=_largest_distance))

LOSSES.append(Loss(
    name="cosine_embedding_loss", inputs=("input1", "input2", "target"),
    differentiable=("input1", "input2"), target="other",
    params={"margin": MARGIN, "reduction": REDUCTION}, mean_divisor="the number of pairs (N; 1 for "
                                                                    "(D,) inputs)",
    doc="Inputs (N, D) or (D,), target (N,) or () of 1 and -1. c = x1 . x2 / (||x1|| ||x2||) over "
    "the last axis (no epsilon: nan where a vector is 0). l = 1 - c where y = 1, max(0, c - "
    "margin) where y = -1. Gradient of c: x2 / (||x1|| ||x2||) - c x1 / ||x1||^2 (input1), "
    "symmetric for input2; the hinge's slope is 0 at exactly c = margin.", check=_check_cosine,
    layouts=({"input1": "D", "input2": "D", "target": ""},
             {"input1": "N D", "input2": "N D", "target": "N"}),
    values={"target": "sign"}))

# ---------------------------------------------------------------- Keras's hinge losses
# Input names follow the other families: input = Keras's y_pred, target = Keras's y_true.
_LABELS = ("t = 2 y - 1 when every target value (the whole tensor) is 0 or 1, else t = y "
           "(keras.losses.hinge converts binary labels; the intended values are -1 and 1)")

LOSSES.append(Loss(
    name="hinge", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"reduction": REDUCTION},
    mean_divisor="the number of elements",
    doc=f"l = max(0, 1 - t x) element by element, {_LABELS}. Input at least 1-D. Gradient -t where "
    "1 - t x > 0, 0 elsewhere, also at exactly 0. Keras averages over the last axis "
    "(keras_bce_mean_over_last_axis).", check=_check_keras_hinge,
    layouts=({"input": "D", "target": "D"}, {"input": "N D", "target": "N D"}),
    values={"target": ("sign", "binary")}))

LOSSES.append(Loss(
    name="squared_hinge", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"reduction": REDUCTION},
    mean_divisor="the number of elements",
    doc=f"l = max(0, 1 - t x)^2 element by element, {_LABELS}. Gradient -2 t max(0, 1 - t x) "
    "(continuous, 0 at the kink).", check=_check_keras_hinge,
    layouts=({"input": "D", "target": "D"}, {"input": "N D", "target": "N D"}),
    values={"target": ("sign", "binary")}))

LOSSES.append(Loss(
    name="categorical_hinge", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"reduction": REDUCTION},
    mean_divisor="the number of rows (input.size / input.shape[-1]; 1 for 1-D input)",
    doc="Input (..., C) scores, target of its shape (one-hot intended; used as given, no "
        "conversion). "
    "Per row: pos = sum_c y_c x_c, neg = max_c (1 - y_c) x_c (the target class enters the max "
    "as 0 for one-hot y), l = max(0, neg - pos + 1). Gradient (1 - y_c) [c is the argmax, ties "
    "split equally] - y_c where the hinge is active (> 0), 0 elsewhere, also at exactly 0.",
    check=_check_keras_hinge,
    layouts=({"input": "C", "target": "C"}, {"input": "N C", "target": "N C"}),
    values={"target": "one_hot"}))


# ---------------------------------------------------------------- cosine similarity, circle

def _inverse_norm_bound(x) -> np.ndarray:
    """An upper bound of 1 / ||x|| for the vector through each element, along whichever axis:
    the smallest nonzero norm over every axis (0 where x is 0 along every axis)."""
    norms = [np.broadcast_to(np.sqrt(np.sum(x * x, axis=k, keepdims=True)), x.shape)
             for k in range(x.ndim)]
    smallest = np.min([np.where(n > 0, n, np.inf) for n in norms], axis=0, initial=np.inf)
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(smallest), 1.0 / smallest, 0.0)


def _cosine_cancels(inputs) -> dict:
    """c sums products bounded by ||x|| ||y|| (1 after normalising); its gradient with respect to
    x subtracts c x / ||x||^2 from y / (||x|| ||y||), terms of size 1 / ||x|| that cancel to 0
    for parallel vectors (any eps only floors the norms, making them smaller)."""
    x, y = (np.asarray(inputs[k], dtype=np.float64) for k in ("input", "target"))
    rx, ry = _inverse_norm_bound(x), _inverse_norm_bound(y)
    with np.errstate(invalid="ignore", over="ignore"):
        terms = np.nan_to_num(np.abs(y) * ry + np.abs(x) * rx, posinf=0.0)
    return {"value": 1.0, "grads": {"input": terms * rx, "target": terms * ry}}


LOSSES.append(Loss(
    name="cosine_similarity", inputs=("input", "target"), differentiable=("input", "target"),
    target="other", params={"axis": VECTOR_AXES, "eps": COSINE_EPS, "reduction": REDUCTION},
    mean_divisor="the number of vectors (input.size / input.shape[axis], or over the product of "
                 "a tuple's axis sizes; 1 for 1-D input)",
    doc="The negative cosine similarity, a loss to minimise (the sign of Keras's "
    "cosine_similarity; optax's cosine_similarity is +c, its cosine_distance 1 - c, torch's "
    "F.cosine_similarity +c). Input and target of one shape, at least 1-D; the vectors lie along "
    "`axis` (any axis, negative from the end). b(x) = max(||x||, eps) over the axis; c = <x, y> / "
    "(b(x) b(y)); l = -c, one value per vector (the axis removed). eps = 0 (the default) is the "
    "exact cosine: nan where a vector is 0. Gradient with respect to input: -(y / (b(x) b(y)) - "
    "c x / (||x|| b(x)) [||x|| > eps]), the second term 0 where the norm is floored (||x|| < "
    "eps; half of it at ||x|| = eps exactly, a tie of the max); symmetric for target. `axis` "
    "may be a tuple of distinct axes (optax's and Keras's axis=(1, 2)): each vector is then "
    "every element of those axes together (the axes flattened into one, in any order: the "
    "cosine does not depend on it), and the loss keeps the other axes.",
    check=_check_cosine_similarity,
    layouts=({"input": "D", "target": "D"}, {"input": "N D", "target": "N D"},
             {"input": "N D H", "target": "N D H"}),
    cancels=_cosine_cancels))

LOSSES.append(Loss(
    name="circle", inputs=("input", "target"), differentiable=("input",), target="other",
    integer_inputs=("target",),
    params={"gamma": GAMMA, "margin": CIRCLE_MARGIN, "remove_diagonal": REMOVE_DIAGONAL,
            "reduction": REDUCTION},
    mean_divisor="the number of embeddings (N)",
    doc="Circle loss (Sun et al. 2020, arXiv:2002.10857, eq. 6) over a batch, as keras.losses."
    "circle computes it. input (N, D) embeddings, meant to be L2-normalised beforehand (no "
    "normalisation inside: s_ij = x_i . x_j, the given dot product); target (N,) integer labels. "
    "For anchor i: positives P_i = {j: y_j = y_i} without j = i when remove_diagonal, negatives "
    "N_i = {j: y_j != y_i}. With m = margin: alpha_p = max(0, 1 + m - s), alpha_n = max(0, s + "
    "m); z_p = -gamma alpha_p (s - (1 - m)), z_n = gamma alpha_n (s - m); l_i = softplus("
    "logsumexp_{P_i} z_p + logsumexp_{N_i} z_n) = log(1 + sum_N exp(z_n) sum_P exp(z_p)): 0 "
    "where P_i or N_i is empty. Gradient through S = X X^T: dL/dX = (G + G^T) X with G_ij = "
    "dl_i/ds_ij; the slopes of alpha are 0 at exactly 0 (the hinge inactive).",
    check=_check_circle,
    layouts=({"input": "N D", "target": "N"},),
    values={"target": "length:N"}))


# ---------------------------------------------------------------- conventions

_HINGE_LOSSES = ("margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
                 "cosine_embedding_loss", "hinge", "categorical_hinge", "circle")

CONVENTIONS = [
    Convention(name="sklearn_hinge_single_label_is_negative", losses=("hinge",),
               description="sklearn.metrics.hinge_loss binarises the labels with "
                           "LabelBinarizer(neg_label=-1): the larger of two label values is +1, "
                           "the smaller -1, and where every target has the same value (a batch "
                           "of positives, say) that value becomes -1, so l = max(0, 1 + x) "
                           "instead of max(0, 1 - x)"),
    Convention(name="hinge_kink_grad_active", losses=_HINGE_LOSSES,
               description="max(0, z) at exactly z = 0 is differentiated as z (the hinge counted "
                           "active): "
               "the gradient there is dz instead of 0 (torch clamp_min/clamp backward passes the "
               "gradient where z >= min; tf.maximum(z, 0) gives a tie to its first argument); "
               "values unchanged"),
    Convention(name="hinge_kink_grad_half", losses=_HINGE_LOSSES,
               description="max(0, z) at exactly z = 0 gets half the gradient, dz / 2 instead of 0 "
               "(jnp.maximum and jnp.clip split a tie evenly between their arguments); values "
               "unchanged"),
    Convention(name="tf_minimum_tie_grad_to_first", losses=("triplet_margin_loss",),
               description="with swap, min(d(a, n), d(p, n)) = tf.minimum(d(a, n), d(p, n)) gives "
                           "the whole "
               "gradient to d(a, n) at a tie (its gradient mask is x <= y) instead of half to "
               "each; values unchanged"),
    Convention(name="torch_cosine_eps_in_squared_norms", losses=("cosine_embedding_loss",),
               description="c = x1 . x2 / sqrt((||x1||^2 + e) (||x2||^2 + e)), e = float32(1e-12) "
                           "= "
               "9.99999996e-13 (EPSILON in ATen's cosine_embedding_loss, also in float64): "
               "finite for zero vectors (c = 0), and smaller than canonical where a squared norm "
               "is not >> 1e-12"),
    Convention(name="keras_cosine_norm_floored_at_epsilon",
               losses=("cosine_embedding_loss", "cosine_similarity"),
               description="keras.losses.cosine_similarity normalises each vector as x * "
                           "min(rsqrt(||x||^2), "
               "1 / 1e-7) (keras.config.epsilon()): a norm below 1e-7 counts as 1e-7, so c = 0 "
               "for a zero vector and the gradient through a floored norm is 0"),
    Convention(name="torch_cosine_similarity_clamp_passes_gradient", losses=("cosine_similarity",),
               description="torch.nn.functional.cosine_similarity divides each vector by "
               "its norm clamped at eps in place under no_grad (ATen Distance.cpp "
               "cosine_similarity: x1_norm.clamp_min_(eps) in a NoGradGuard): values are "
               "canonical, but the gradient keeps the norm's term -c x / (||x|| max(||x||, "
               "eps)) where the norm is floored (canonical 0 there), and all of it at ||x|| = "
               "eps; 0 for a zero vector"),
    Convention(name="optax_cosine_epsilon_bounds_squared_norm", losses=("cosine_similarity",),
               description="optax.losses.cosine_similarity and cosine_distance take epsilon as "
               "a floor of the squared norm, sqrt(max(||x||^2, epsilon)) (optax/losses/"
               "_regression.py: jnp.sqrt(a_norm2.clip(epsilon))), where its docstring says "
               "'minimum norm': epsilon = e is the canonical eps = sqrt(e) (epsilon 1e-8 bounds "
               "the norm at 1e-4); pass eps ** 2 for the canonical eps"),
    Convention(name="optax_cosine_distance_is_1_minus_cosine", losses=("cosine_similarity",),
               description="optax.losses.cosine_distance returns 1 - c, the canonical loss plus 1 "
               "(gradient unchanged; reduction='sum' adds the number of vectors)"),
    Convention(name="keras_circle_distance_clamped_at_0", losses=("circle",),
               description="keras.losses.circle computes the distance max(1 - x_i . x_j, 0): a "
               "similarity above 1 (embeddings not of unit norm, or the diagonal of rounded unit "
               "vectors) counts as 1, with gradient 0 (at exactly 1 the gradient passes, "
               "tf.maximum's tie)"),
    Convention(name="keras_circle_mean_over_positive_losses", losses=("circle",),
               description="keras.losses.Circle marks its losses with a Keras mask, loss > 0 "
               "(backend.set_keras_mask(circle_loss, circle_loss > 0)), and the mean "
               "('sum_over_batch_size') divides by the number of positive losses instead of N: "
               "anchors without a positive or a negative partner (loss 0) do not count; 0 "
               "(divide_no_nan) when no loss is positive. 'sum' and 'none' are canonical"),
    Convention(name="optax_triplet_eps_added_to_power_sum", losses=("triplet_margin_loss",),
               description="optax.losses.triplet_margin_loss takes d(u, v) = (sum_i (u_i - v_i)^p "
                           "+ eps)^(1/p) "
               "(eps inside the root, not added to every component), so with the default eps = "
               "1e-6 d(u, u) = 1e-3 for p = 2 (canonical sqrt(D) 1e-6); the power carries no "
               "absolute value, a norm only for even p"),
    Convention(name="triplet_margin_added_first", losses=("triplet_margin_loss",),
               description="the hinge's argument is computed as (margin + d(a, p)) - d(a, n), "
               "left to right: where the distances exceed the margin by 2^53 (float64; 2^24 in "
               "float32) the margin is rounded away, so d(a, p) = d(a, n) = 1e30 gives 0 instead "
               "of the margin (the reference's (d(a, p) - d(a, n)) + margin is exact there); "
               "values elsewhere unchanged"),
    Convention(name="paddle_hinge_embedding_other_targets_give_0",
               losses=("hinge_embedding_loss",),
               description="paddle.nn.functional.hinge_embedding_loss computes where(y == 1, x, 0) "
               "+ where(y == -1, relu(margin - x), 0): a target other than 1 and -1 gives 0 "
               "(gradient 0) instead of both terms, max(x, margin)"),
    Convention(name="paddle_hinge_embedding_0d_output_has_shape_1",
               losses=("hinge_embedding_loss",),
               description="paddle.nn.functional.hinge_embedding_loss on 0-D input with "
               "reduction='none' returns shape [1], not a 0-D loss (its where() broadcasts "
               "against paddle.zeros([1])); values unchanged"),
    Convention(name="paddle_cosine_eps_in_squared_norms", losses=("cosine_embedding_loss",),
               description="c = x1 . x2 / sqrt((||x1||^2 + e) (||x2||^2 + e)), e = 10e-12 = 1e-11 "
               "(paddle/nn/functional/loss.py cosine_embedding_loss, added in the input's dtype): "
               "finite for zero vectors (c = 0), smaller than canonical where a squared norm is "
               "not >> 1e-11 (torch's e is 1e-12)"),
    Convention(name="paddle_cosine_similarity_product_floored", losses=("cosine_similarity",),
               description="paddle.nn.functional.cosine_similarity computes c = <x, y> / "
               "sqrt(max(||x||^2 ||y||^2, eps^2)) (paddle/nn/functional/common.py: "
               "sqrt(clip(w1 * w2, min=eps * eps))): the product of the squared norms floored, "
               "not each norm (canonical max(||x||, eps) max(||y||, eps)). Equal where both norms "
               "are >= eps; where the product is floored the gradient is y / eps (no norm term), "
               "and clip passes the gradient at the tie ||x|| ||y|| = eps (paddle's "
               "ClipGradFunctor: min <= y <= max)"),
    Convention(name="paddle_p_norm_root_in_float32", losses=("triplet_margin_loss",),
               description="paddle's p_norm kernel (pairwise_distance, PairwiseDistance) takes "
               "the root with the float32 exponent float32(1 / p): d = (sum |w|^p)^0.33333334 "
               "for p = 3, a relative error up to about 3e-8 in float64 (exact for p = 1, 2, 4); "
               "the gradient |w|^(p-1) sign(w) / d^(p-1) uses that d"),
    Convention(name="paddle_triplet_layer_drops_distance_function",
               losses=("triplet_margin_loss",),
               description="paddle.nn.TripletMarginWithDistanceLoss(distance_function=...) "
               "stores distance_function but its forward does not pass it on (paddle/nn/layer/"
               "loss.py, paddlepaddle 3.3.1), so the functional's default "
               "paddle.nn.PairwiseDistance(2) is used: d(u, v) = ||u - v + 1e-6||_2 whatever "
               "distance is given (canonical: the given p and eps)"),
    Convention(name="paddle_p_norm_grad_nan_at_0", losses=("triplet_margin_loss",),
               description="the gradient of paddle's p_norm at w = 0 (a zero distance, eps = 0) "
               "is nan for p > 1 (0 / 0 in |w|^(p-1) sign(w) / d^(p-1)), where canonical takes "
               "0; p = 1 gives sign(0) = 0 as canonical"),
    Convention(name="optax_hinge_targets_not_converted", losses=("hinge", "squared_hinge"),
               description="optax.hinge_loss(x, t) = max(0, 1 - x t) with t used as given: 0/1 "
                           "labels are "
               "not mapped to -1/1 (a label 0 gives 1 whatever x, gradient 0)"),
]

# Keras averages hinge and squared_hinge over the last axis, as it does the regression losses
EXTENDS = {"keras_bce_mean_over_last_axis": ("hinge", "squared_hinge",),
           "sklearn_average_divides_by_sample_weight_sum": ("hinge",)}

# ... and their Keras classes take sample_weight= as Keras's cross-entropies do (classification's
# spec)
_KERAS_WEIGHTED = ("hinge", "squared_hinge", "categorical_hinge", "cosine_similarity", "circle")
EXTENDS["keras_weighted_mean_divides_by_given_weights"] = _KERAS_WEIGHTED
EXTENDS["keras_mean_of_nothing_is_0"] = _KERAS_WEIGHTED
# ... and a Keras mask on y_pred divides their default mean by the kept count
EXTENDS["keras_masked_mean_divides_by_kept_count"] = _KERAS_WEIGHTED
# Circle's Keras mask (loss > 0) drops weights from its weighted mean as ignore_class does
EXTENDS["keras_weighted_mean_drops_masked_weights"] = ("circle",)

NAME_CLASHES = [NameClash(
    name="hinge", losses=("hinge_embedding_loss", "hinge", "squared_hinge"),
    explanation="torch's `HingeEmbeddingLoss` treats its input x as a distance: l = x where y = 1 "
                "and "
    "max(0, margin - x) where y = -1 (margin 1 by default; any other target value gets both "
    "terms, max(x, margin)). Keras's `Hinge` treats its input as a classifier score: l = max(0, "
    "1 - t x) averaged over the last axis, with t = 2 y - 1 when every label is 0 or 1 and t = y "
    "otherwise (`SquaredHinge` squares it). Porting one to the other is not a rename: on torch "
    "the Keras hinge is `torch.relu(1 - t * input)`, on TensorFlow the torch hinge is a "
    "`tf.where` of both terms (both are paths here).")]
