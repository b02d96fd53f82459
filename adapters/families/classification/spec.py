"""Canonical losses of the classification family, and the conventions that concern them.

Shapes
    input  (C,)            target ()           one sample, unbatched
    input  (N, C)          target (N,)         a batch
    input  (N, C, d1..dk)  target (N, d1..dk)  spatial, classes on axis 1 ("channels first")
    `index` targets hold class numbers; `one_hot` and `probs` targets have the input's shape.
cross_entropy, nll_loss, poly_loss_cross_entropy and categorical_generalized_cross_entropy (and
focal_dice's categorical_focal_crossentropy) take the class axis as a parameter, `axis` (1 by
default, negative from the end; optax's and Keras's axis=): index targets then have the input's
shape without it, and so has the unreduced loss, e.g. input (N, H, C) with axis=-1, target (N, H).
cross_entropy and poly_loss_cross_entropy (and categorical_focal_crossentropy) also take a tuple
of axes, whose classes form one distribution (optax's axis=(2, 3)): input (N, H, W) with
axis=(1, 2), target (N,) indices in [0, H W), loss (N,); see JOINT_AXES_DOC.
softmax and log_softmax are the activations these losses are built from (no target).
linear_cross_entropy takes hidden states and a weight matrix instead of logits (its own layouts):
    input (D,) or (N, D), linear_weight (C, D) or (C, d1..dk, D), target () / (N,) / (N, d1..dk)
jsd_cross_entropy takes a batch of num_splits equal splits, input (N, C) with N = num_splits B,
target (N,) (index) or (N, C); its unreduced loss is one element per example of a split, (B,).
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import (
    CLASS_AXES,
    CLASS_AXIS,
    CLASS_WEIGHT,
    ENCODINGS,
    REDUCTION,
    Convention,
    Loss,
    Param,
    SpecError,
    check_at_least_1d,
    check_class_weight,
    check_unit_interval,
    is_axes,
    is_finite,
    is_int,
    is_number,
    largest_magnitude,
    non_negative_array,
)

IGNORE_INDEX = Param(name="ignore_index", default=-100,
                     domain="any integer; targets equal to it are left out", check=is_int)
LABEL_SMOOTHING = Param(name="label_smoothing", default=0.0, domain="a number in [0, 1]",
                        check=lambda v: is_number(v) and 0.0 <= v <= 1.0)
DIM = Param(name="dim", default=-1, domain="an integer axis of the input, or a tuple of distinct "
            "axes (one softmax over them jointly: jax.nn.softmax's and keras.ops.softmax's "
            "axis=(1, 2))", check=lambda v: is_int(v) or is_axes(v), tuples=True)
ELEMENT_WEIGHT = Param(name="weight", default=None,
                       domain="null or non-negative numbers broadcastable to the input",
                       check=non_negative_array, array=True)
POS_WEIGHT = Param(name="pos_weight", default=None,
                   domain="null or non-negative numbers broadcastable to the input (one per "
                          "class, last axis)",
                   check=non_negative_array, array=True)


# Keras's binary label smoothing (keras/src/losses/losses.py binary_crossentropy: "y_true * (1.0
# - label_smoothing) + 0.5 * label_smoothing"): the two classes of a binary target, eps / 2 each
_BINARY_SMOOTHING = ("With label_smoothing = eps, y is replaced by y (1 - eps) + eps / 2 first "
                     "(Keras's binary smoothing: both classes get eps / 2).")


POLY_EPSILON = Param(name="epsilon", default=2.0,
                     domain="a finite number (the coefficient of 1 - P_t; the paper recommends "
                            "2 for ImageNet, -1 for detection)", check=is_finite)
GCE_Q = Param(name="q", default=0.5, domain="a number in (0, 1]",
              check=lambda v: is_number(v) and 0.0 < v <= 1.0)
LINEAR_BIAS = Param(name="linear_bias", default=None,
                    domain="null or C numbers ((C, d1..dk) for a (C, d1..dk, D) linear_weight)",
                    check=lambda v: v is None or bool(np.all(np.isfinite(np.asarray(v, float)))),
                    array=True)


NUM_SPLITS = Param(name="num_splits", default=3,
                   domain="a positive integer dividing the batch N (the clean split and "
                          "num_splits - 1 augmented copies; AugMix uses 3)",
                   check=lambda v: is_int(v) and v >= 1)
JSD_ALPHA = Param(name="alpha", default=12.0,
                  domain="a finite number (the weight of the Jensen-Shannon term; AugMix's "
                         "lambda, 12 in the paper)", check=is_finite)


# the target_threshold the timm path passes (timm_bce_targets_binarised_at_threshold): the middle
# of [0, 1], where a smoothed or mixed target is nearer 1 than 0
TIMM_TARGET_THRESHOLD = 0.5


def _check_probabilities(inputs, params):
    check_unit_interval("inputs.input", inputs["input"])


def _check_linear_cross_entropy(inputs, params):
    """input (D,) or (N, D); linear_weight (C, D) or (C, d1..dk, D) (k >= 1 needs a batch);
    index targets of shape (), (N,) or (N, d1..dk)."""
    x, w, y = inputs["input"], inputs["linear_weight"], inputs["target"]
    check_at_least_1d("input", x)
    if x.ndim > 2:
        raise SpecError("inputs.input", f"has {x.ndim} dimensions: expected (D,) or (N, D)")
    if w.ndim < 2:
        raise SpecError("inputs.linear_weight", f"has shape {w.shape}: expected (C, D) or "
                                                "(C, d1..dk, D)")
    if w.shape[-1] != x.shape[-1]:
        raise SpecError("inputs.linear_weight", f"last axis {w.shape[-1]} does not match the "
                                                f"input's features {x.shape[-1]}")
    if w.ndim > 2 and x.ndim == 1:
        raise SpecError("inputs.input", f"unbatched input {x.shape} with a (C, d1..dk, D) "
                                        f"linear_weight {w.shape}: a batch is required")
    expected = x.shape[:-1] + w.shape[1:-1]
    if y.shape != expected:
        raise SpecError("inputs.target", f"index targets of shape {y.shape} do not match input "
                                         f"{x.shape} and linear_weight {w.shape}: expected "
                                         f"{expected}")
    c = w.shape[0]
    check_class_weight(params, c)
    b = params.get("linear_bias")
    if b is not None and np.shape(b) != w.shape[:-1]:
        raise SpecError("params.linear_bias", f"has shape {np.shape(b)}, expected "
                                              f"{w.shape[:-1]}: one bias per output")
    kept = y[y != params["ignore_index"]]
    bad = kept[(kept < 0) | (kept >= c)]
    if bad.size:
        raise SpecError("inputs.target", f"class index {int(bad[0])} out of range [0, {c}) "
                                         f"(ignore_index is {params['ignore_index']})")
    if params["reduction"] == "mean" and y.size == 0:
        raise SpecError("inputs", f"target of shape {y.shape} is empty: reduction='mean' of no "
                                  "elements is 0/0, undefined")


def _check_jsd_cross_entropy(inputs, params):
    """input (N, C) only, its N rows num_splits equal splits."""
    x, s = inputs["input"], params["num_splits"]
    if x.ndim != 2:
        raise SpecError("inputs.input", f"has {x.ndim} dimensions: expected (N, C), N = "
                                        "num_splits x the examples of a split")
    if x.shape[0] % s:
        raise SpecError("inputs.input", f"{x.shape[0]} rows do not split into num_splits = {s} "
                                        "equal splits")


def _linear_logit_terms(inputs) -> float:
    """The largest sum_h |x_h W_ch| (+ |b_c|): what the dot products add up and log-sum-exp(z) -
    z_y then cancels."""
    x = np.abs(np.asarray(inputs["input"], dtype=float))
    w = np.abs(np.asarray(inputs["linear_weight"], dtype=float))
    if not x.size or not w.size:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        z = np.tensordot(x, w, axes=([-1], [-1]))
    return largest_magnitude(z)


def _largest_logit(inputs) -> float:
    """log-sum-exp(x) - x_y: two terms of the largest logit's size."""
    return largest_magnitude(inputs["input"])


# the tuple form of CLASS_AXES, said once for the losses that take it
JOINT_AXES_DOC = ("A tuple `axis` (distinct axes, e.g. (2, 3)) takes the classes jointly: those "
                  "axes are moved last in the order given and flattened into one class axis of "
                  "C = their sizes' product classes (row-major in that order), the loss is the "
                  "one above on it, and an index target (the input's shape without those axes) "
                  "is a flat index into them, np.ravel_multi_index of the per-axis indices in "
                  "that order (optax.softmax_cross_entropy_with_integer_labels(axis=(2, 3))).")

LOSSES = [
    Loss(name="softmax", inputs=("input",), differentiable=("input",), target=None,
         params={"dim": DIM}, mean_divisor=None,
         doc="s_i = exp(x_i) / sum_j exp(x_j) along `dim` (a tuple: the sum over every "
             "entry of those axes, one distribution over them)."),
    Loss(name="log_softmax", inputs=("input",), differentiable=("input",), target=None,
         params={"dim": DIM}, mean_divisor=None,
         doc="x_i - log(sum_j exp(x_j)) along `dim` (a tuple: over every entry of those axes "
             "jointly), computed with log-sum-exp.",
         cancels=_largest_logit),
    Loss(name="cross_entropy", inputs=("input", "target"), differentiable=("input",),
         target="class",
         params={"weight": CLASS_WEIGHT, "ignore_index": IGNORE_INDEX,
                 "label_smoothing": LABEL_SMOOTHING, "axis": CLASS_AXES, "reduction": REDUCTION},
         mean_divisor="sum over kept elements of the target's class weight: sum_n w[y_n] over "
                      "y_n != ignore_index for index targets, sum_n sum_c w_c y_nc for "
                      "one_hot/probs targets (both equal the count of kept elements when weight "
                      "is null and probabilities sum to 1); 0/0 gives nan",
         doc="Logits x, class axis `axis` (1 by default; axis 0 unbatched). With p = "
             "softmax(x) and eps = "
             "label_smoothing: index: l_n = (1-eps) w[y_n] (-log p_n,y_n) + eps/C sum_c w_c "
             "(-log p_n,c), 0 where y_n == ignore_index; one_hot/probs: l_n = -sum_c w_c "
             "((1-eps) y_nc + eps/C) log p_nc. " + JOINT_AXES_DOC,
         encodings=ENCODINGS, cancels=_largest_logit),
    Loss(name="nll_loss", inputs=("input", "target"), differentiable=("input",), target="class",
         params={"weight": CLASS_WEIGHT, "ignore_index": IGNORE_INDEX, "axis": CLASS_AXIS,
                 "reduction": REDUCTION},
         mean_divisor="sum_n w[y_n] over y_n != ignore_index (index); sum_n sum_c w_c y_nc "
                      "(one_hot/probs)",
         doc="Log-probabilities x, class axis `axis` (1 by default; axis 0 unbatched). "
             "index: l_n = -w[y_n] x_n,y_n, 0 where y_n == "
             "ignore_index; one_hot/probs: l_n = -sum_c w_c y_nc x_nc.",
         encodings=ENCODINGS),
    Loss(name="binary_cross_entropy", inputs=("input", "target"), differentiable=("input",),
         target="binary",
         params={"weight": ELEMENT_WEIGHT, "label_smoothing": LABEL_SMOOTHING,
                 "reduction": REDUCTION},
         mean_divisor="the number of elements (weights do not enter the divisor)",
         doc="Probabilities p in [0, 1], targets y in [0, 1]: l = -w (y log p + (1-y) "
             "log(1-p)), with 0 log 0 = 0; so l = inf where p is 0 or 1 and y is at the other "
             "end. " + _BINARY_SMOOTHING,
         check=_check_probabilities, values={"input": "unit"}),
    Loss(name="poly_loss_cross_entropy", inputs=("input", "target"), differentiable=("input",),
         target="class",
         params={"epsilon": POLY_EPSILON, "ignore_index": IGNORE_INDEX, "axis": CLASS_AXES,
                 "reduction": REDUCTION},
         mean_divisor="the number of kept elements: targets != ignore_index (index), every "
                      "element N d1..dk (one_hot/probs); 0/0 gives nan",
         doc="Poly-1 loss (Leng et al. 2022, https://arxiv.org/abs/2204.12511, its code "
             "poly1_cross_entropy). Logits x, class axis `axis` (1 by default; axis 0 "
             "unbatched); p = softmax(x), "
             "t the target distribution (one-hot of y for index targets), P_t = sum_c t_c p_c: "
             "l = -sum_c t_c log p_c + epsilon (1 - P_t), with 0 log 0 = 0; l = 0 where y == "
             "ignore_index. Gradient: dl/dx_j = p_j sum_c t_c - t_j - epsilon p_j (t_j - P_t). "
             "epsilon = 0 is cross_entropy; epsilon = -1 removes the first polynomial term. "
             + JOINT_AXES_DOC,
         encodings=ENCODINGS, cancels=_largest_logit),
    Loss(name="categorical_generalized_cross_entropy", inputs=("input", "target"),
         differentiable=("input",), target="class",
         params={"q": GCE_Q, "ignore_index": IGNORE_INDEX, "axis": CLASS_AXIS,
                 "reduction": REDUCTION},
         mean_divisor="the number of kept elements: targets != ignore_index (index), every "
                      "element N d1..dk (one_hot/probs); 0/0 gives nan",
         doc="Generalized cross-entropy L_q (Zhang and Sabuncu 2018, "
             "https://arxiv.org/abs/1805.07836). Probabilities p in [0, 1] (not logits), class "
             "axis `axis` (1 by default; axis 0 unbatched), t the target distribution "
             "(one-hot of y for index targets): l = sum_c t_c (1 - p_c^q) / q, so "
             "(1 - p_y^q) / q for a class y; 0 "
             "where y == ignore_index. q -> 0 gives -log p_y (cross-entropy on probabilities), "
             "q = 1 gives 1 - p_y (MAE-like). Gradient: dl/dp_c = -t_c p_c^(q-1): -inf where "
             "p_y = 0 (q < 1), -1 at q = 1, and 0 for classes with t_c = 0 (the term is absent). "
             "The probabilities are used as given (rows need not sum to 1), never clipped.",
         encodings=ENCODINGS, check=_check_probabilities, values={"input": "probs"}),
    Loss(name="linear_cross_entropy", inputs=("input", "linear_weight", "target"),
         differentiable=("input", "linear_weight"), target="other",
         params={"weight": CLASS_WEIGHT, "linear_bias": LINEAR_BIAS,
                 "ignore_index": IGNORE_INDEX, "label_smoothing": LABEL_SMOOTHING,
                 "reduction": REDUCTION},
         mean_divisor="sum_n w[y_n] over y_n != ignore_index (cross_entropy's, on index "
                      "targets); 0/0 gives nan",
         doc="cross_entropy of a linear layer's logits (the output layer of a language model, "
             "fused): z = input linear_weight^T + linear_bias, that is z[n, c, d..] = sum_h "
             "input[n, h] linear_weight[c, d.., h] + linear_bias[c, d..], classes on axis 1 "
             "(axis 0 for unbatched (D,) input); then l = cross_entropy(z, target, weight, "
             "ignore_index, label_smoothing) with index targets. Gradients: g = dl/dz as for "
             "cross_entropy; dl/dinput[n, h] = sum_{c, d..} g[n, c, d..] linear_weight[c, d.., "
             "h], dl/dlinear_weight[c, d.., h] = sum_n g[n, c, d..] input[n, h].",
         integer_inputs=("target",), check=_check_linear_cross_entropy,
         layouts=({"input": "D", "linear_weight": "C D", "target": ""},
                  {"input": "N D", "linear_weight": "C D", "target": "N"},
                  {"input": "N D", "linear_weight": "C H D", "target": "N H"}),
         values={"target": "index"}, cancels=_linear_logit_terms),
    Loss(name="jsd_cross_entropy", inputs=("input", "target"), differentiable=("input",),
         target="class",
         params={"num_splits": NUM_SPLITS, "alpha": JSD_ALPHA, "label_smoothing": LABEL_SMOOTHING,
                 "ignore_index": IGNORE_INDEX, "reduction": REDUCTION},
         mean_divisor="the number of kept examples of a split: b < B with y_b != ignore_index "
                      "(index), B (one_hot/probs); 0/0 gives nan",
         doc="AugMix's loss (Hendrycks et al., AugMix, ICLR 2020, https://arxiv.org/abs/1912."
             "02781, section 3, the Jensen-Shannon divergence consistency loss). Logits x of "
             "shape (N, C), N = S B with S = num_splits: rows s B .. (s+1) B - 1 are split s "
             "(split 0 the clean images, then the augmented copies, as torch.split lays them); "
             "p_s,b = softmax(x_s,b), M_b = (1/S) sum_s p_s,b. Per example b < B: l_b = "
             "CE(x_0,b, y_b; label_smoothing) + alpha JS_b, JS_b = (1/S) sum_s KL(p_s,b || M_b) "
             "= (1/S) sum_s sum_c p log(p / M), with 0 log 0 = 0; CE is cross_entropy's "
             "(eps / C smoothing) on the clean split's target rows (target rows b >= B, the "
             "augmented copies' labels, are not used). l_b = 0 where y_b == ignore_index (the "
             "example is left out, its consistency term too). Gradient: dJS_b/dx_s,b,c = (1/S) "
             "p_s,b,c (log(p_s,b,c / M_b,c) - KL(p_s,b || M_b)), plus cross_entropy's on split "
             "0. alpha = 0 is cross_entropy on the clean split; num_splits = 1 gives JS = 0.",
         encodings=ENCODINGS, check=_check_jsd_cross_entropy,
         layouts=({"input": "6 C", "target": "6"}, {"input": "2 C", "target": "2"}),
         values={"target": "index"}, cancels=_largest_logit),
    Loss(name="binary_cross_entropy_with_logits", inputs=("input", "target"),
         differentiable=("input",), target="binary",
         params={"weight": ELEMENT_WEIGHT, "pos_weight": POS_WEIGHT,
                 "label_smoothing": LABEL_SMOOTHING, "reduction": REDUCTION},
         mean_divisor="the number of elements (weights do not enter the divisor)",
         doc="Logits x, targets y in [0, 1]: l = -w (pos_weight y log s(x) + (1-y) log(1 - "
             "s(x))), s = sigmoid, with log s(x) = -softplus(-x) so that no logit overflows. "
             + _BINARY_SMOOTHING),
]

# paddle's softmax, log_softmax and softmax cross-entropy clip x - max(x) at -64 (its kernels'
# ValueClip; seen in paddlepaddle 3.3.1, see PADDLE_CLIP's convention)
PADDLE_CLIP = "paddle_softmax_logits_clipped_at_-64"
PADDLE_LOGIT_FLOOR = -64.0

CONVENTIONS = [
    Convention(name="bce_log_clamped_at_-100", losses=("binary_cross_entropy",),
               description="each log term is clamped from below at -100, so l <= 100 w instead "
                           "of inf"),
    Convention(name="bce_grad_denominator_clamped_at_1e-12", losses=("binary_cross_entropy",),
               description="the gradient is w (p - y) / max(p (1 - p), eps), eps = 1e-12 "
                           "rounded to float32 (9.99999996e-13): finite at p = 0 and 1, and 0 "
                           "there when y equals p"),
    Convention(name="probs_weighted_mean_divides_by_count", losses=("cross_entropy",),
               description="with probability (or one-hot) targets, reduction='mean' divides by "
                           "the number of elements instead of the summed class weights of the "
                           "targets"),
    Convention(name="probs_zero_target_on_neg_inf_logit_is_nan",
               losses=("cross_entropy", "poly_loss_cross_entropy", "jsd_cross_entropy"),
               description="with probability (or one-hot) targets, a target of 0 on a logit of "
                           "-inf gives 0 * -inf = nan instead of 0 (the gradient stays finite)"),
    Convention(name="all_ignored_mean_gradient_is_zero",
               losses=("cross_entropy", "nll_loss", "poly_loss_cross_entropy",
                       "categorical_generalized_cross_entropy", "linear_cross_entropy",
                       "jsd_cross_entropy"),
               description="when every target is ignored, reduction='mean' is 0/0 = nan but the "
                           "gradient is 0 rather than nan (kept targets whose class weights are "
                           "all 0 give 0/0 and a nan gradient, as the definition does)"),
    # Keras 3 (keras.losses on the TensorFlow backend): seen by families/*/tensorflow.py, with the
    # exact calls, values and links there.
    Convention(name="keras_softmax_probs_clipped_to_epsilon", losses=("cross_entropy",),
               description="from_logits=False on probabilities p = softmax(x) made outside "
                           "Keras: p is clipped to [1e-7, 1 - 1e-7] (keras.config.epsilon()) "
                           "before the log, so each -log p is at most -log(1e-7) = 16.118; the "
                           "gradient is 0 through a clipped probability"),
    Convention(name="keras_label_smoothing_over_last_axis_size", losses=("cross_entropy",),
               description="label_smoothing spreads eps as eps / input.shape[-1] instead of "
                           "eps / C: Keras reads num_classes from the last axis of y_true even "
                           "when the class axis is 1 (axis=1, channels-first spatial input); "
                           "identical for 1-D and 2-D input"),
    Convention(name="keras_weighted_mean_divides_by_given_weights",
               losses=("cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                       "categorical_generalized_cross_entropy"),
               description="reduction='mean_with_sample_weight' divides the weighted sum by the "
                           "sum of sample_weight as given (after Keras adds at most one trailing "
                           "axis), not by the sum of the weights broadcast over the loss: per-"
                           "sample weights (N, 1) on an (N, H) output divide by sum_n w_n "
                           "instead of H sum_n w_n (SparseCategoricalCrossentropy with "
                           "ignore_class multiplies the weights by its mask first, so it divides "
                           "by their full sum)"),
    Convention(name="keras_masked_mean_divides_by_kept_count",
               losses=("cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                       "categorical_generalized_cross_entropy"),
               description="with a Keras mask on y_pred (a Masking layer's) and sample_weight, "
                           "the default reduction 'sum_over_batch_size' divides sum(w l) by the "
                           "number of unmasked elements of the unreduced loss, not by all of "
                           "them (loss.py apply_mask scales the weights by total / valid): the "
                           "canonical 'mean' of the weighted loss divides by every element. Here "
                           "the mask keeps the elements of nonzero weight (and, where the loss "
                           "masks its own output, ignore_class's kept targets or Circle's "
                           "positive losses, only those: Loss.__call__ takes in_mask & "
                           "out_mask). 'mean_with_sample_weight' then divides by the sum of the "
                           "weights broadcast over the loss, the canonical 'weighted_mean' "
                           "(apply_mask multiplies the weights by the mask), so "
                           "keras_weighted_mean_divides_by_given_weights does not hold"),
    Convention(name="keras_weighted_mean_drops_masked_weights", losses=("cross_entropy",),
               description="with a Keras mask on the unreduced loss (SparseCategoricalCrossentropy"
                           "'s ignore_class: the ignored targets; Circle: its zero losses), "
                           "reduction='mean_with_sample_weight' divides by the sum of the kept "
                           "elements' weights only (loss.py apply_mask multiplies sample_weight "
                           "by the mask, broadcast over the loss), not by the sum of every "
                           "weight: ignored targets with weight w are left out of the divisor"),
    Convention(name="keras_mean_of_nothing_is_0",
               losses=("cross_entropy", "nll_loss", "binary_cross_entropy",
                       "binary_cross_entropy_with_logits", "categorical_generalized_cross_entropy"),
               description="reduction='mean' with a zero divisor (every target ignored, or every "
                           "kept target of weight 0), or 'mean_with_sample_weight' with sample "
                           "weights summing to 0, gives 0 and a zero gradient (divide_no_nan) "
                           "instead of nan (0/0)"),
    Convention(name="keras_probs_rescaled_to_sum_1", losses=("nll_loss",),
               description="the probabilities exp(x) are divided by their sum over the classes "
                           "before the log, so x is replaced by log_softmax(x): the same value "
                           "on normalised log-probabilities, but the gradient gains the softmax "
                           "coupling: -w y + softmax(x) sum_c w_c y_c"),
    Convention(name="keras_nll_probs_clipped_to_epsilon", losses=("nll_loss",),
               description="the probabilities exp(x) are clipped to [1e-7, 1 - 1e-7] "
                           "(keras.config.epsilon()) before the log; the gradient is 0 through a "
                           "clipped probability"),
    Convention(name="keras_bce_probs_clipped_to_epsilon", losses=("binary_cross_entropy",),
               description="p is clipped to [1e-7, 1 - 1e-7] (keras.config.epsilon()) before "
                           "both logs: l <= 16.118 w, and l = 1.0000000494736474e-07 w (not 0) "
                           "where p = y in {0, 1}; the gradient is 0 where p was clipped"),
    Convention(name="keras_bce_probs_clipped_to_float32_epsilon",
               losses=("binary_cross_entropy",),
               description="keras_bce_probs_clipped_to_epsilon with the bounds rounded to "
                           "float32, as Keras computes them in a float32 (or narrower) tensor: "
                           "[float32(1e-7), float32(1 - 1e-7) = 0.99999988]; so l = "
                           "-log(1.19e-7) = 15.942 (not 16.118) where p = 1 and y = 0"),
    Convention(name="keras_bce_probs_clipped_to_float16_epsilon",
               losses=("binary_cross_entropy",),
               description="keras_bce_probs_clipped_to_epsilon computed in float16: the bounds "
                           "round to [float16(1e-7) = 1.19e-7, float16(1 - 1e-7) = 1]: p = 1 is "
                           "not clipped, so l = inf with gradient inf where p = 1 and y = 0"),
    Convention(name="keras_bce_probs_clipped_to_bfloat16_epsilon",
               losses=("binary_cross_entropy",),
               description="keras_bce_probs_clipped_to_epsilon computed in bfloat16: the bounds "
                           "round to [bfloat16(1e-7) = 1.0012e-7, bfloat16(1 - 1e-7) = 1]: l = "
                           "inf with gradient inf where p = 1 and y = 0"),
    Convention(name="keras_scalar_loss_is_not_reduced", losses=("cross_entropy",),
               description="a scalar (unbatched) loss is returned as it is by every reduction, "
                           "so with sample_weight = weight[target] "
                           "reduction='mean_with_sample_weight' gives w[y] l instead of "
                           "w[y] l / w[y] = l"),
    Convention(name="tf_softmax_ce_grad_assumes_labels_sum_to_1",
               losses=("cross_entropy", "poly_loss_cross_entropy"),
               description="the fused softmax_cross_entropy_with_logits kernel returns the "
                           "gradient softmax(x) - t, exact only when the labels t sum to 1 over "
                           "the classes; canonical is softmax(x) sum_c t_c - t (values are "
                           "unaffected)"),
    Convention(name="tf_weighted_logits_grad_at_0", losses=("binary_cross_entropy_with_logits",),
               description="tf.nn.weighted_cross_entropy_with_logits computes (1 - y) x + (1 + "
                           "(pos_weight - 1) y) (log1p(exp(-|x|)) + relu(-x)) and differentiates "
                           "|x| and relu at the kink x = 0 as 0, so the gradient at a logit of "
                           "exactly 0 is w (1 - y) instead of w (1 - y - pos_weight y) / 2 (the "
                           "value is right)"),
    Convention(name="keras_sparse_probs_clipped_then_normalised", losses=("cross_entropy",),
               description="SparseCategoricalCrossentropy(from_logits=False) on probabilities "
                           "p = softmax(x) made outside Keras: q = p clipped to [1e-7, 1 - 1e-7] "
                           "(keras.config.epsilon()), then the fused sparse kernel on the logits "
                           "log q, so l = -log(q_y / sum_c q_c): a clipped row is renormalised "
                           "after clipping (CategoricalCrossentropy divides by the sum before "
                           "it), so l = -log(1e-7) + log(1 + (C - 2) 1e-7) where p_y < 1e-7 "
                           "and the rest is one class; the gradient is 0 through a clipped "
                           "probability"),


    Convention(name="optax_poly_term_sums_labels", losses=("poly_loss_cross_entropy",),
               description="optax.losses.poly_loss_cross_entropy computes the polynomial term as "
                           "epsilon sum_c t_c (1 - p_c) = epsilon (sum_c t_c - P_t) instead of "
                           "epsilon (1 - P_t): the same for targets that sum to 1, epsilon "
                           "(sum_c t_c - 1) more otherwise (the gradient is unchanged)"),
    Convention(name="keras_gce_grad_nan_beside_zero_probability",
               losses=("categorical_generalized_cross_entropy",),
               description="Keras picks p_y as sum_c p_c one_hot(y)_c, so where p_y = 0 (and q < "
                           "1) the gradient -p_y^(q-1) = -inf reaches every class of the row "
                           "multiplied by its one-hot entry: nan (0 * -inf) on the other classes "
                           "instead of 0 (the value 1/q and the -inf at y are right)"),
    # scikit-learn (sklearn.metrics): seen by families/*/sklearn_lib.py
    Convention(name="sklearn_average_divides_by_sample_weight_sum",
               losses=("cross_entropy", "nll_loss", "binary_cross_entropy"),
               description="the mean of a metric given sample_weight (normalize=True, or "
                           "multioutput='uniform_average') is np.average(l, weights=w): sum(w l) / "
                           "sum(w), the canonical 'weighted_mean', where the canonical 'mean' "
                           "(a user's (l * w).mean()) divides by the number of elements"),
    Convention(name="sklearn_log_loss_probs_clipped_to_float64_eps",
               losses=("cross_entropy", "nll_loss", "binary_cross_entropy"),
               description="sklearn.metrics.log_loss clips the probabilities to [eps, 1 - eps], "
                           "eps = np.finfo(float64).eps = 2.220446049250313e-16, before the log: "
                           "each -log p is at most 36.04365338911715, and 1e-16-sized where p "
                           "is exactly 1"),
    Convention(name="sklearn_log_loss_probs_clipped_to_float32_eps",
               losses=("cross_entropy", "nll_loss", "binary_cross_entropy"),
               description="sklearn_log_loss_probs_clipped_to_float64_eps on float32 "
                           "probabilities: eps = np.finfo(float32).eps = 1.1920929e-07, so each "
                           "-log p is at most 15.942385 (computed in float32)"),
    # Hugging Face transformers (transformers.loss.loss_utils): families/*/transformers_lib.py
    Convention(name="transformers_loss_kwargs_ignored", losses=("cross_entropy",),
               description="fixed_cross_entropy (and ForCausalLMLoss, ForMaskedLMLoss, "
                           "ForTokenClassification, which call it) take **kwargs and pass only "
                           "ignore_index and reduction on to F.cross_entropy: label_smoothing= "
                           "and weight= are accepted without an error and have no effect (the "
                           "loss is the one with label_smoothing 0 and no class weights)"),
    Convention(name="transformers_qa_positions_clamped_ignore_index_is_c",
               losses=("cross_entropy",),
               description="ForQuestionAnsweringLoss clamps the index targets (the start and end "
                           "positions) to [0, C], C = the number of classes (the sequence length, "
                           "start_logits.size(1)), and ignores the targets equal to C: the "
                           "ignore_index parameter is C whatever is given. A negative target "
                           "(-100, torch's default ignore_index) is scored as class 0, and a "
                           "target equal to a given ignore_index in [0, C) is scored as that "
                           "class"),
    # PaddlePaddle (paddle.nn.functional.cross_entropy, binary_cross_entropy): seen by
    # families/*/paddle_lib.py
    Convention(name=PADDLE_CLIP, losses=("softmax", "log_softmax", "cross_entropy"),
               description="paddle's CPU softmax kernels clip the shifted logits x - max(x) "
                           "from below at -64 before exponentiating: a class at least 64 below "
                           "the row's maximum (-inf included) gets probability exp(-64) = "
                           "1.6e-28 and log-probability -64 instead of its own (a cross-entropy "
                           "term is at most 64 + log C); gradients are the usual formulas on the "
                           "clipped output"),
    Convention(name="paddle_ce_mean_counts_ignored_targets", losses=("cross_entropy",),
               description="index targets with a negative ignore_index (the default -100) "
                           "and no class weights: reduction='mean' divides by the number of "
                           "targets, ignored ones included, instead of the kept ones; otherwise "
                           "a divisor of 0 (every target ignored, or kept weights summing to 0) "
                           "is replaced by 1, so that mean is 0 with gradient 0 instead of nan"),
    Convention(name="paddle_soft_label_weight_per_sample", losses=("cross_entropy",),
               description="probability targets (soft_label=True, and index targets with "
                           "label_smoothing, which are smoothed into one) with class weights: "
                           "each sample's loss -sum_c t_c log p_c is multiplied by the "
                           "sample's weight sum_c w_c t_c instead of weighing each class term, "
                           "l = (sum_c w_c t_c)(-sum_c t_c log p_c), and 'mean' divides by the "
                           "sum of those weights; identical for one-hot targets"),
    Convention(name="paddle_label_smoothing_in_float32", losses=("cross_entropy",),
               description="the smoothed target (1 - eps) t + eps / C is computed with 1 - eps "
                           "and eps / C rounded to float32, and for index targets as a float32 "
                           "one-hot, whatever the input's dtype: about 1e-7 from the float64 "
                           "value"),
    Convention(name="paddle_soft_label_none_keeps_class_axis", losses=("cross_entropy",),
               description="probability targets (soft_label=True) or label_smoothing: "
                           "reduction='none' returns the loss with the class axis kept, of size "
                           "1 ((N, 1) for (N, C) input), not removed"),
    Convention(name="paddle_bce_logits_grad_at_0_off_by_1",
               losses=("binary_cross_entropy_with_logits",),
               description="without pos_weight, the gradient at a logit of exactly 0 is "
                           "w (-0.5 - y) instead of w (0.5 - y): the kernel's max(x, 0) and "
                           "log(1 + exp(-|x|)) are differentiated at the kink as if x were "
                           "negative for one and positive for the other; with pos_weight it is "
                           "canonical (values are right)"),
    Convention(name="paddle_bce_grad_denominator_clamped_at_float64_1e-12",
               losses=("binary_cross_entropy",),
               description="the gradient is w (p - y) / max(p (1 - p), 1e-12) with 1e-12 in the "
                           "input's dtype (torch rounds it to float32 first): -1e12 exactly at "
                           "p = 0, y = 1 in float64"),
    # timm.loss (1.0.31): seen by families/classification/timm_lib.py, with the exact calls,
    # values and links there.
    Convention(name="timm_smoothing_term_nan_at_neg_inf_logit", losses=("cross_entropy",),
               description="timm.loss.LabelSmoothingCrossEntropy always adds smoothing * "
                           "mean_c(-log p_c): at smoothing = 0 a logit of -inf in a row makes "
                           "that term 0 * inf = nan, so the row's loss (and any mean over it) "
                           "is nan where canonical has no smoothing term and a finite loss; the "
                           "gradient is unaffected (0 times a finite derivative)"),
    Convention(name="smp_smoothing_term_nan_at_neg_inf_logit", losses=("cross_entropy",),
               description="smp.losses.SoftCrossEntropyLoss (fairseq's label_smoothed_nll_loss) "
                           "always adds smooth_factor / C * sum_c(-log p_c): at smooth_factor = "
                           "0 a logit of -inf makes that term 0 * inf = nan, so the row's loss "
                           "(and any mean over it) is nan where canonical is finite; the "
                           "gradient is unaffected, as timm_smoothing_term_nan_at_neg_inf_logit"),
    Convention(name="timm_bce_index_smoothing_over_classes",
               losses=("binary_cross_entropy_with_logits",),
               description="timm.loss.BinaryCrossEntropy(smoothing=eps) given index targets "
                           "(N,) for (N, C) logits makes the dense target one_hot(y) (1 - eps) + "
                           "eps / C (off_value = smoothing / num_classes), where the canonical "
                           "binary smoothing gives y (1 - eps) + eps / 2: the classes of a "
                           "multi-label target are smoothed like a softmax's"),
    Convention(name="timm_bce_targets_binarised_at_threshold",
               losses=("binary_cross_entropy_with_logits",),
               description="timm.loss.BinaryCrossEntropy(target_threshold=h) replaces the "
                           "(smoothed) target y by 1 where y > h and 0 elsewhere before the "
                           "loss: soft targets (mixup, cutmix) become hard ones"),
    Convention(name="timm_bce_sum_classes_mean_over_rows",
               losses=("binary_cross_entropy_with_logits",),
               description="timm.loss.BinaryCrossEntropy(sum_classes=True) sums the unreduced "
                           "loss over the last (class) axis and averages over the rest: "
                           "reduction='mean' divides the sum by the number of rows, "
                           "input.size / input.shape[-1], instead of the number of elements"),
    Convention(name="timm_jsd_mixture_clamped_at_1e-7", losses=("jsd_cross_entropy",),
               description="timm.loss.JsdCrossEntropy (as AugMix's reference code) clamps the "
                           "mixture M to [1e-7, 1] before its log: each KL(p_s || M) uses "
                           "log max(M_c, 1e-7), smaller than the definition's where M_c < 1e-7 "
                           "(a logit about 16 below its row's largest in every split), and the "
                           "gradient through a clamped M_c is 0"),
    Convention(name="timm_jsd_grad_nan_at_zero_probability", losses=("jsd_cross_entropy",),
               description="timm.loss.JsdCrossEntropy takes KL(p_s || M) as F.kl_div(log M, "
                           "p_s), whose gradient with respect to p_s is log p_s + 1 - log M: "
                           "-inf where a probability p_s,c is exactly 0 (a -inf logit, or exp "
                           "underflowing: logits ~104 apart in float32, ~745 in float64), and "
                           "the softmax's backward turns 0 x -inf into nan for that whole row of "
                           "split s (the value is right: 0 log 0 = 0)"),
    # other families' losses that Keras averages the same way extend it (their EXTENDS)
    Convention(name="keras_bce_mean_over_last_axis",
               losses=("binary_cross_entropy", "binary_cross_entropy_with_logits"),
               description="the unreduced loss is averaged over the last axis (shape "
                           "input.shape[:-1], a scalar for 1-D input): reduction='none' returns "
                           "those means, 'sum' is the canonical sum divided by input.shape[-1]; "
                           "'mean' is unchanged"),
]

