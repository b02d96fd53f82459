"""Canonical losses of the focal_dice family, and the conventions that concern them only.

sigmoid_focal_loss  the focal loss of Lin et al. 2017 ("Focal Loss for Dense Object Detection",
                    arXiv:1708.02002) on logits, as torchvision.ops.sigmoid_focal_loss documents it
                    (https://docs.pytorch.org/vision/stable/generated/torchvision.ops.sigmoid_focal_loss.html).
soft_dice_loss      1 - the soft Sorensen-Dice coefficient of probabilities and targets, per sample
                    and class by default, smoothed in numerator and denominator (see its doc).
categorical_focal_crossentropy
                    the focal loss over softmax classes, summed over the classes as
                    keras.losses.categorical_focal_crossentropy defines it (Lin et al. 2017
                    extended to C classes, with class-probability targets).
tversky             1 - the Tversky index of probabilities and targets (Salehi et al. 2017,
                    "Tversky loss function for image segmentation using 3D fully convolutional
                    deep networks", arXiv:1706.05721): alpha weighs the false positives, beta the
                    false negatives; per sample and class by default, like soft_dice_loss.
generalized_dice    1 - the generalised Dice overlap of Sudre et al. 2017 ("Generalised Dice
                    overlap as a deep learning loss function for highly unbalanced
                    segmentations", arXiv:1707.03237): the classes' overlaps weighted by
                    1 / (class volume)^2 (or 1 / volume, or 1), one value per sample by default.
jaccard             1 - the soft Jaccard index (intersection over union) of probabilities and
                    targets, summed as soft_dice_loss and smoothed in numerator and denominator.
lovasz_hinge        the Lovasz hinge of Berman, Rannen Triki and Blaschko 2018 ("The Lovasz-Softmax
                    loss: a tractable surrogate for the optimization of the intersection-over-union
                    measure in neural networks", CVPR 2018, arXiv:1705.08790, Alg. 1 and eq. 8-10):
                    the Lovasz extension of the Jaccard loss at the hinge errors of binary logits.
lovasz_softmax      the Lovasz-Softmax loss of the same paper (eq. 11-12): per class, the Lovasz
                    extension of the Jaccard loss at the errors |y - softmax(x)|, averaged over
                    the classes present or all classes.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from adapters.definitions import (
    CLASS_AXES,
    CLASS_AXIS,
    ENCODINGS,
    REDUCTION,
    Convention,
    Loss,
    Param,
    SpecError,
    check_at_least_1d,
    check_class_axis,
    check_same_shape,
    check_unit_interval,
    check_value_domain,
    is_bool,
    is_finite,
    is_int,
    largest_magnitude,
    non_negative_array,
)
from adapters.families.classification.spec import IGNORE_INDEX, JOINT_AXES_DOC, LABEL_SMOOTHING

LOSSES: list[Loss] = []


# ---------------------------------------------------------------- sigmoid_focal_loss

ALPHA = Param(name="alpha", default=0.25,
              domain="a number <= 1; a negative alpha turns the class weighting off "
                     "(torchvision: 'or -1 for ignore')",
              check=lambda v: is_finite(v) and v <= 1)
GAMMA = Param(name="gamma", default=2.0,
              domain="a number >= 0 (0 gives the alpha-weighted BCE with logits)",
              check=lambda v: is_finite(v) and v >= 0)


# the normalised and the reduced focal loss (segmentation_models_pytorch's FocalLoss(normalized=,
# reduced_threshold=), the variants its focal_loss_with_logits cites)
FOCAL_NORMALIZED = Param(name="normalized", default=False,
                         domain="a bool: True divides every element by the sum of the focal "
                                "factors over all elements (the normalised focal loss, Sofiiuk "
                                "et al. 2019, arXiv:1909.07829)", check=is_bool)
REDUCED_THRESHOLD = Param(name="reduced_threshold", default=None,
                          domain="null (the focal factor as Lin et al.) or a number in (0, 1]: "
                                 "the factor is 1 where p_t < threshold and ((1 - p_t) / "
                                 "threshold)^gamma elsewhere (the reduced focal loss, "
                                 "arXiv:1903.01347)",
                          check=lambda v: v is None or (is_finite(v) and 0 < v <= 1))
FOCAL_VARIANTS_DOC = (
    " reduced_threshold = th (default null: off) replaces the focal factor (1 - p_t)^gamma by "
    "f = 1 where p_t < th and by ((1 - p_t) / th)^gamma where p_t >= th (the reduced focal loss "
    "of Sergievskiy and Ponamarev 2019, 'Reduced Focal Loss: 1st Place Solution to xView object "
    "detection in Satellite Imagery', arXiv:1903.01347: the easy examples are down-weighted, "
    "the hard ones keep the cross-entropy; f jumps at p_t = th unless th = 1/2), and its "
    "derivative is 0 where p_t < th. normalized = True (default False) divides every element "
    "by P = sum over all elements of f (alpha_t not included): l = alpha_t f ce / P, the "
    "normalised focal loss of Sofiiuk, Barinova and Konushin 2019 ('AdaptIS: Adaptive Instance "
    "Selection Network', arXiv:1909.07829, NFL = -(1/P) sum (1 - p_t)^gamma log p_t), so 'sum' "
    "is the NFL itself and 'mean' NFL / (number of elements); P is part of the function and is "
    "differentiated: d l_i / dx_k = [i = k] g'_k / P - g_i f'_k / P^2, g = alpha_t f ce "
    "(P = 0, every f = 0, gives 0/0 = nan). Both apply to f, so normalized with reduced_threshold "
    "divides by the sum of the reduced factors.")


# the positive term's weight (kornia's binary_focal_loss_with_logits(pos_weight=), torch's
# BCEWithLogitsLoss(pos_weight=) inside the focal factor): the cross-entropy with pos_weight
FOCAL_POS_WEIGHT = Param(name="pos_weight", default=None, array=True,
                         domain="null or non-negative numbers broadcastable to the input "
                                "(trailing axes, as torch's BCEWithLogitsLoss pos_weight: one "
                                "per class of the last axis, or (C, 1, .., 1) per channel)",
                         check=lambda v: v is None or non_negative_array(v))
FOCAL_POS_WEIGHT_DOC = (
    " pos_weight = w (default null: 1) multiplies the positive term of the cross-entropy: ce = "
    "w y softplus(-x) + (1 - y) softplus(x), torch's binary_cross_entropy_with_logits(pos_weight="
    "w) (its dce/dx = (1 - y) sigmoid(x) - w y sigmoid(-x)); the focal factor and alpha_t are "
    "unchanged, so a hard positive costs w alpha (1 - p)^gamma softplus(-x), kornia's "
    "binary_focal_loss_with_logits(pos_weight=) ('pos_weight[c] scales the positive term of "
    "channel c', https://kornia.readthedocs.io/en/latest/losses.html).")


def _check_same_shape_unit_target(inputs, params):
    x, y = inputs["input"], inputs["target"]
    check_at_least_1d("input", x)
    check_same_shape(y, x)
    check_unit_interval("inputs.target", y)
    w = params.get("pos_weight")
    if w is not None:
        try:
            np.broadcast_shapes(np.shape(w), x.shape)
        except ValueError:
            raise SpecError("params.pos_weight", f"shape {np.shape(w)} does not broadcast to the "
                                                 f"input's {x.shape}") from None
        if np.broadcast_shapes(np.shape(w), x.shape) != x.shape:
            raise SpecError("params.pos_weight", f"shape {np.shape(w)} broadcasts the input's "
                                                 f"{x.shape} to a larger shape")


LOSSES.append(Loss(
    name="sigmoid_focal_loss", inputs=("input", "target"), differentiable=("input",),
    target="other",
    params={"alpha": ALPHA, "gamma": GAMMA, "label_smoothing": LABEL_SMOOTHING,
            "normalized": FOCAL_NORMALIZED, "reduced_threshold": REDUCED_THRESHOLD,
            "pos_weight": FOCAL_POS_WEIGHT, "reduction": REDUCTION},
    mean_divisor="the number of elements",
    doc="Logits x, targets y in [0, 1], any shape (elementwise). p = sigmoid(x), "
    "ce = y softplus(-x) + (1 - y) softplus(x) (BCE with logits), p_t = p y + (1 - p)(1 - y), "
    "so 1 - p_t = y sigmoid(-x) + (1 - y) sigmoid(x); l = alpha_t (1 - p_t)^gamma ce with "
    "alpha_t = alpha y + (1 - alpha)(1 - y) when alpha >= 0 and alpha_t = 1 when alpha < 0 "
    "(torchvision: 'or -1 for ignore'). 0^0 = 1, so gamma = 0 is the alpha-weighted BCE. "
    "Gradient: alpha_t [gamma (1 - p_t)^(gamma - 1) (1 - 2y) p (1 - p) ce + (1 - p_t)^gamma "
    "(p - y)]; where 1 - p_t is 0 (a hard target whose logit saturates the sigmoid) the first "
    "term is its limit, 0, for every gamma >= 0 (the true derivative at a finite logit is "
    "positive and far below float64's smallest number). Default reduction 'mean' like every "
    "loss here; torchvision's default is 'none' (every path passes reduction explicitly). With "
    "label_smoothing = eps, y is replaced by y (1 - eps) + eps / 2 first, in ce, p_t and alpha_t "
    "alike (Keras's binary smoothing, keras/src/losses/losses.py binary_focal_crossentropy)."
    + FOCAL_VARIANTS_DOC + FOCAL_POS_WEIGHT_DOC,
    check=_check_same_shape_unit_target, values={"target": "unit"}))


# ---------------------------------------------------------------- soft_dice_loss

SMOOTH = Param(name="smooth", default=1e-6,
               domain="a number >= 0, added to the numerator 2I and the denominator P + T "
                      "(0: an empty mask gives 0/0 = nan)",
               check=lambda v: is_finite(v) and v >= 0)
SUM_OVER = ("spatial", "batch_and_spatial", "all")
# tversky and jaccard sum over these three; soft_dice_loss also over the classes and pixels of
# each sample (kornia dice_loss(average='micro'), paddle.nn.functional.dice_loss)
OVERLAP_SUM_OVER = Param(name="sum_over", default="spatial",
                         domain="'spatial' (one value per sample and class), "
                                "'batch_and_spatial' (one per class, the batch summed too) or "
                                "'all' (one value over every element)",
                         choices=SUM_OVER)
DICE_SUM_OVER = Param(name="sum_over", default="spatial",
                      domain="'spatial' (one Dice per sample and class), 'batch_and_spatial' "
                             "(one per class, the batch summed too), 'classes_and_spatial' (one "
                             "per sample, its classes summed too) or 'all' (one Dice over every "
                             "element)",
                      choices=(*SUM_OVER, "classes_and_spatial"))
# the choices that sum the classes into one Dice: no per-class terms to weigh or drop
CLASSES_SUMMED = ("all", "classes_and_spatial")


# optax.losses.dice_loss(class_weights=, ignore_background=) and MONAI DiceLoss(weight=,
# include_background=False) both weigh the per-class losses and drop class 0 after the Dice, and
# both average what is left by its count (torch.mean / jnp.mean), not by the weights' sum
DICE_CLASS_WEIGHTS = Param(name="class_weights", default=None,
                           domain="null or a list of C non-negative numbers, one factor per "
                                  "class's Dice loss (optax dice_loss's class_weights)",
                           check=lambda v: v is None or (np.ndim(v) == 1
                                                         and non_negative_array(v)),
                           array=True)
IGNORE_BACKGROUND = Param(name="ignore_background", default=False,
                          domain="a bool: drop class 0's Dice loss (optax's ignore_background, "
                                 "MONAI's include_background=False); with one class it is kept",
                          check=is_bool)


# MONAI DiceLoss(squared_pred=True), with jaccard=True too: the denominator's sums of squares
SQUARED = Param(name="squared", default=False,
                domain="a bool: True sums the squares p^2 and t^2 in the denominator (the V-Net "
                       "Dice of Milletari et al. 2016, arXiv:1606.04797, eq. 1; MONAI's "
                       "squared_pred=True), False (default) sums p and t",
                check=is_bool)


def dice_axes(ndim: int, sum_over: str, axis: int = 1) -> tuple[int, ...]:
    """The axes soft_dice_loss sums over, of an input of `ndim` >= 2 dimensions whose class axis
    is `axis` (1 by default: (N, C, d1..dk)). The batch is the first other axis (0, or 1 when the
    classes come first); the spatial axes are the rest. These are Keras's Dice(axis=) and optax's
    dice_loss(axis=): the axes summed over, not a class axis."""
    c = axis % ndim
    batch = 1 if c == 0 else 0
    spatial = tuple(a for a in range(ndim) if a not in (batch, c))
    return {"spatial": spatial, "batch_and_spatial": tuple(sorted((batch, *spatial))),
            "classes_and_spatial": tuple(sorted((c, *spatial))),
            "all": tuple(range(ndim))}[sum_over]


def classes_first(ndim: int, axis: int, loss_ndim: int) -> bool:
    """Whether an unreduced soft_dice_loss of an `ndim`-D input with its classes on `axis` holds
    them first ((C, N): classes-first input, one Dice per sample and class), not last."""
    return axis % ndim == 0 and loss_ndim == 2


def weigh_dice_classes(losses, class_weights, ignore_background: bool, first: bool):
    """The per-class Dice losses weighed by class_weights and without class 0 when
    ignore_background (C > 1), their classes last, or first when `first` (classes_first). Any
    array type: broadcasting and slicing only."""
    if class_weights is not None:
        losses = losses * (class_weights[:, None] if first else class_weights)
    if ignore_background and losses.shape[0 if first else -1] > 1:
        losses = losses[1:] if first else losses[..., 1:]
    return losses


def denominator_terms(squared: bool):
    """What the Dice and Jaccard denominators sum, of p and of t: the values, or their squares
    with `squared` (V-Net's). Any array type."""
    return (lambda a: a * a) if squared else (lambda a: a)


def _check_dice(inputs, params):
    x, y = inputs["input"], inputs["target"]
    if x.ndim < 2:
        raise SpecError("inputs.input", f"must be (N, C, d1..dk) with at least 2 dimensions, "
                                        f"got shape {x.shape}")
    check_class_axis(x, params.get("axis", 1))
    check_same_shape(y, x)
    for name, a in (("input", x), ("target", y)):
        check_unit_interval(f"inputs.{name}", a)
    weights, background = params.get("class_weights"), params.get("ignore_background", False)
    summed = params.get("sum_over")
    if (weights is not None or background) and summed in CLASSES_SUMMED:
        raise SpecError("params.sum_over", f"{summed!r} sums the classes into one Dice: "
                                           "class_weights and ignore_background need one Dice "
                                           "per class")
    classes = x.shape[params.get("axis", 1) % x.ndim]
    if weights is not None and np.shape(weights) != (classes,):
        raise SpecError("params.class_weights", f"has shape {np.shape(weights)}, expected "
                                                f"({classes},): one weight per class")


LOSSES.append(Loss(
    name="soft_dice_loss", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"smooth": SMOOTH, "sum_over": DICE_SUM_OVER, "axis": CLASS_AXIS,
            "class_weights": DICE_CLASS_WEIGHTS, "ignore_background": IGNORE_BACKGROUND,
            "squared": SQUARED, "reduction": REDUCTION},
    mean_divisor="the number of Dice values: N * C ('spatial'), C ('batch_and_spatial'), N "
                 "('classes_and_spatial'), 1 ('all'), C - 1 in place of C with "
                 "ignore_background (the count, whatever class_weights are)",
    doc="Probabilities p (input) and targets t in [0, 1] of one shape (N, C, d1..dk), classes on "
    "axis 1 (the seed's dice_loss(F.softmax(masks_pred, dim=1), F.one_hot(true_masks, C)"
    ".permute(0, 3, 1, 2), multiclass=True), ../shared/seeds/004_3cb1995894827011.txt). Over the "
    "axes A chosen by sum_over: I = sum_A p t, P = sum_A p, T = sum_A t, and "
    "l = 1 - (2 I + smooth) / (P + T + smooth) (the Sorensen-Dice coefficient). squared=True "
    "takes P = sum_A p^2 and T = sum_A t^2 instead, the denominator of V-Net's Dice (Milletari "
    "et al. 2016, eq. 1; MONAI's squared_pred=True). sum_over='spatial' (default) gives "
    "one l per sample and class, shape (N, C) (MONAI DiceLoss batch=False, optax dice_loss's "
    "default axis); 'batch_and_spatial' one per class, shape (C,) (MONAI batch=True, "
    "Pytorch-UNet's "
    "multiclass_dice_coeff with reduce_batch_first=True as first published); "
    "'classes_and_spatial' one per sample over its classes and pixels together, shape (N,) "
    "(kornia.losses.dice_loss(average='micro'), its default; paddle.nn.functional.dice_loss, "
    "which sums over every axis but the first); 'all' one value, "
    "shape () (keras.losses.Dice with axis=None, later Pytorch-UNet versions that flatten N and "
    "C). smooth defaults to 1e-6, Pytorch-UNet's dice_coeff epsilon, the seed's call. "
    "An empty mask (P = T = 0) gives l = 0. class_weights w (C factors) multiply each "
    "class's l by w_c, and ignore_background drops class 0's l (shape (N, C - 1) or (C - 1,); "
    "with C = 1 the class is kept), both after the Dice and only with one Dice per class "
    "(not sum_over='all' or 'classes_and_spatial'); 'mean' then divides by the number of "
    "values left, not by the weights' sum (optax.losses.dice_loss and MONAI DiceLoss). "
    "Gradient: dl/dp = w_c (D dP/dp - 2 t) / (P + T + smooth), "
    "D = (2 I + smooth) / (P + T + smooth), dP/dp = 1 (2 p with squared) (0 for a dropped "
    "class 0); the target is not differentiated. "
    "The classes may lie on any axis, `axis` (1 by default; -1 channels-last (N, d1..dk, C), 0 "
    "classes-first (C, N, d1..dk)): the batch is then the first other axis and the spatial axes "
    "the rest, and the unreduced values keep the batch and class axes in the input's order, so "
    "(C, N) for classes-first input. Keras's Dice(axis=) and optax's dice_loss(axis=) name the "
    "summed axes instead (a tuple), which sum_over and `axis` give together (dice_axes).",
    check=_check_dice,
    layouts=({"input": "N C", "target": "N C"}, {"input": "N C H", "target": "N C H"},
             {"input": "N C H W", "target": "N C H W"}),
    # segmentation masks are one-hot over the classes too (what MONAI's to_onehot_y builds)
    values={"input": ("unit", "probs"), "target": ("unit", "one_hot")}))


# ---------------------------------------------------------------- categorical_focal_crossentropy

CFC_ALPHA = Param(name="alpha", default=0.25,
                  domain="a finite number: one factor on every class's term (Keras's scalar "
                         "alpha; its default 0.25, Lin et al.'s)",
                  check=is_finite)


def _largest_logit(inputs) -> float:
    """log_softmax(x) = x - logsumexp(x): two terms of the largest logit's size."""
    return largest_magnitude(inputs["input"])


LOSSES.append(Loss(
    name="categorical_focal_crossentropy", inputs=("input", "target"),
    differentiable=("input",), target="class",
    params={"alpha": CFC_ALPHA, "gamma": GAMMA, "label_smoothing": LABEL_SMOOTHING,
            "ignore_index": IGNORE_INDEX, "axis": CLASS_AXES, "reduction": REDUCTION},
    mean_divisor="the number of kept rows: N d1..dk for one_hot/probs targets; for index "
                 "targets those whose target is not ignore_index (0/0 = nan when every target "
                 "is ignored)",
    doc="Logits x, class axis `axis` (1 by default; axis 0 unbatched), as cross_entropy. "
    "p = softmax(x), t = (1 - eps) y + eps / C with eps = label_smoothing (y one-hot or class "
    "probabilities; an "
    "index target is its one-hot row, and a row whose target is ignore_index has t = 0). "
    "l_n = -alpha sum_c (1 - p_nc)^gamma t_nc log p_nc, the modulating factor taken per class "
    "(keras.losses.categorical_focal_crossentropy's formula; with a one-hot target and eps = 0 it "
    "is alpha (1 - p_y)^gamma (-log p_y), Lin et al.'s focal loss on the true class). A term with "
    "t_nc = 0 is absent (0 log 0 = 0); 0^0 = 1, so gamma = 0 is alpha times the cross-entropy. "
    "Gradient: with q = 1 - p, h_c = dl/dlog p_c = -alpha t_c [q_c^gamma - gamma q_c^(gamma-1) "
    "p_c log p_c], dl/dx_j = h_j - p_j sum_c h_c; where q_c is 0 (a saturated class) gamma "
    "q^(gamma-1) p log p is its limit -gamma q^gamma (0 for gamma > 0), and where p_c is 0 "
    "(a logit of -inf) p log p is its limit 0: the loss is inf there and the gradient finite, "
    "as cross_entropy's. alpha is a scalar here: Keras also takes a list of C factors (not "
    "this loss). " + JOINT_AXES_DOC + " Label smoothing spreads eps over those C joint classes "
    "(keras.losses.categorical_focal_crossentropy(axis=(1, 2)) takes one-hot targets over such "
    "a tuple).",
    encodings=ENCODINGS, cancels=_largest_logit))


# ---------------------------------------------------------------- tversky

TVERSKY_ALPHA = Param(name="alpha", default=0.5,
                      domain="a number >= 0, the weight of the false positives sum p (1 - t)",
                      check=lambda v: is_finite(v) and v >= 0)
TVERSKY_BETA = Param(name="beta", default=0.5,
                     domain="a number >= 0, the weight of the false negatives sum (1 - p) t",
                     check=lambda v: is_finite(v) and v >= 0)

# MONAI TverskyLoss(include_background=False): soft_dice_loss's ignore_background, the same
# slicing of the per-class losses (weigh_dice_classes)
TVERSKY_IGNORE_BACKGROUND = Param(name="ignore_background", default=False,
                                  domain="a bool: drop class 0's Tversky loss (MONAI "
                                         "TverskyLoss's include_background=False); with one "
                                         "class it is kept",
                                  check=is_bool)

LOSSES.append(Loss(
    name="tversky", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"alpha": TVERSKY_ALPHA, "beta": TVERSKY_BETA, "smooth": SMOOTH,
            "sum_over": OVERLAP_SUM_OVER, "axis": CLASS_AXIS,
            "ignore_background": TVERSKY_IGNORE_BACKGROUND, "reduction": REDUCTION},
    mean_divisor="the number of Tversky values: N * C ('spatial'), C ('batch_and_spatial'), 1 "
                 "('all'), C - 1 in place of C with ignore_background",
    doc="Probabilities p (input) and targets t in [0, 1] of one shape (N, C, d1..dk), classes on "
    "axis `axis` (1 by default, anywhere as soft_dice_loss's), summed over the axes chosen by "
    "sum_over exactly as soft_dice_loss ('spatial', 'batch_and_spatial' or 'all'): I = sum p t, "
    "FP = sum p (1 - t) = P - I, FN = sum (1 - p) t = T - I; "
    "l = 1 - (I + smooth) / (I + alpha FP + beta FN + smooth) (Salehi et al. 2017: alpha on the "
    "false positives, beta on the false negatives; smoothed in numerator and denominator as "
    "MONAI's TverskyLoss, segmentation_models_pytorch's TverskyLoss and optax.losses.dice_loss "
    "write it). alpha = beta = 0.5 gives (2 I + 2 smooth) / (P + T + 2 smooth): soft_dice_loss "
    "with smooth doubled, so tversky(smooth=s) = soft_dice_loss(smooth=2 s); alpha = beta = 1 is "
    "the soft Jaccard (IoU) loss. An empty mask (P = T = 0) gives l = 0. Gradient, with D = "
    "(1 - alpha - beta) I + alpha P + beta T + smooth and TI = (I + smooth) / D: dl/dp = "
    "(TI ((1 - alpha - beta) t + alpha) - t) / D; the target is not differentiated. "
    "ignore_background drops class 0's l after the index, as soft_dice_loss's (shape (N, C - 1) "
    "or (C - 1,); kept when C = 1; not with sum_over='all'), its input getting no gradient.",
    check=_check_dice,
    layouts=({"input": "N C", "target": "N C"}, {"input": "N C H", "target": "N C H"},
             {"input": "N C H W", "target": "N C H W"}),
    # one-hot masks too, as soft_dice_loss's: the paths of libraries that take class numbers
    # (kornia's tversky_loss) accept nothing else
    values={"input": ("unit", "probs"), "target": ("unit", "one_hot")}))


# ---------------------------------------------------------------- generalized_dice

GDL_WEIGHT_TYPE = Param(name="weight_type", default="square",
                        domain="'square' (w_c = 1 / T_c^2, Sudre et al.), 'simple' (1 / T_c) or "
                               "'uniform' (1): the class weights, T_c the class's target volume "
                               "(MONAI GeneralizedDiceLoss's w_type)",
                        choices=("square", "simple", "uniform"))
GDL_SUM_OVER = Param(name="sum_over", default="spatial",
                     domain="'spatial' (one value per sample, the classes weighted within it) or "
                            "'batch_and_spatial' (one value, the batch summed too)",
                     choices=("spatial", "batch_and_spatial"))


# MONAI GeneralizedDiceLoss(include_background=False): class 0 leaves input and target before the
# weighted sums (not a per-class loss dropped after it, as soft_dice_loss's)
GDL_IGNORE_BACKGROUND = Param(name="ignore_background", default=False,
                              domain="a bool: leave class 0 out of the class-weighted sums "
                                     "(MONAI GeneralizedDiceLoss's include_background=False); "
                                     "with one class it is kept",
                              check=is_bool)


def _check_gdl(inputs, params):
    _check_dice(inputs, params)
    if inputs["input"].ndim < 3:
        raise SpecError("inputs.input", f"must be (N, C, d1..dk) with at least one spatial axis, "
                                        f"got shape {inputs['input'].shape}")


LOSSES.append(Loss(
    name="generalized_dice", inputs=("input", "target"), differentiable=("input",),
    target="other",
    params={"weight_type": GDL_WEIGHT_TYPE, "smooth": SMOOTH, "sum_over": GDL_SUM_OVER,
            "axis": CLASS_AXIS, "ignore_background": GDL_IGNORE_BACKGROUND,
            "reduction": REDUCTION},
    mean_divisor="the number of values: N ('spatial'), 1 ('batch_and_spatial')",
    doc="Probabilities p (input) and targets t in [0, 1] of one shape (N, C, d1..dk), classes on "
    "axis `axis` (1 by default, anywhere as soft_dice_loss's), at least one spatial axis. Over "
    "the axes A (the spatial ones, and the batch too for "
    "sum_over='batch_and_spatial'): I_c = sum_A p t, P_c = sum_A p, T_c = sum_A t, per class c. "
    "w_c = 1 / T_c^2 ('square', Sudre et al. 2017, eq. 2), 1 / T_c ('simple') or 1 ('uniform'). "
    "A class absent from the target (T_c = 0) has an infinite weight: it takes the largest finite "
    "weight of the other classes of the same value instead (0 when none is finite), as MONAI's "
    "GeneralizedDiceLoss does (Sudre et al. leave it undefined). "
    "l = 1 - (2 sum_c w_c I_c + smooth) / (sum_c w_c (P_c + T_c) + smooth), one l per sample "
    "('spatial', shape (N,)) or one in all ('batch_and_spatial', shape ()). The weights are "
    "constants of the target: dl/dp = -(2 w_c t - G w_c) / Den with G = (2 sum w I + smooth) / "
    "Den, Den = sum_c w_c (P_c + T_c) + smooth; the target is not differentiated. "
    "ignore_background leaves class 0 out: the sums over c (and the largest finite weight of an "
    "absent class) run over classes 1..C-1, class 0's input gets no gradient (with C = 1 the "
    "class is kept).",
    check=_check_gdl,
    layouts=({"input": "N C H", "target": "N C H"},
             {"input": "N C H W", "target": "N C H W"}),
    # one-hot targets too (the segmentation data, and what a to_onehot_y path needs)
    values={"input": ("unit", "probs"), "target": ("unit", "one_hot")}))


# ---------------------------------------------------------------- jaccard

JACCARD_SMOOTH = Param(name="smooth", default=1e-6,
                       domain="a number >= 0, added to the intersection I and the union "
                              "P + T - I (0: an empty mask gives 0/0 = nan)",
                       check=lambda v: is_finite(v) and v >= 0)

LOSSES.append(Loss(
    name="jaccard", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"smooth": JACCARD_SMOOTH, "sum_over": OVERLAP_SUM_OVER, "axis": CLASS_AXIS,
            "squared": SQUARED, "reduction": REDUCTION},
    mean_divisor="the number of Jaccard values: N * C ('spatial'), C ('batch_and_spatial'), 1 "
                 "('all')",
    doc="Probabilities p (input) and targets t in [0, 1] of one shape (N, C, d1..dk), classes on "
    "axis `axis` (1 by default, anywhere as soft_dice_loss's), summed over the axes chosen by "
    "sum_over exactly as soft_dice_loss ('spatial', 'batch_and_spatial' or 'all'): I = sum p t, "
    "U = sum p + sum t - I (the soft union); l = 1 - (I + smooth) / (U + smooth), the soft "
    "Jaccard (IoU) loss (Rahman and Wang 2016, 'Optimizing intersection-over-union in deep neural "
    "networks for image segmentation'; tversky with alpha = beta = 1). smooth defaults to 1e-6 "
    "as soft_dice_loss's. squared=True takes U = sum p^2 + sum t^2 - I, the squared "
    "denominator of soft_dice_loss (MONAI DiceLoss(jaccard=True, squared_pred=True)). An empty "
    "mask (P = T = 0) gives l = 0. Gradient, with J = (I + smooth) / (U + smooth): dl/dp = "
    "(J (dQ/dp - t) - t) / (U + smooth), dQ/dp = 1 (2 p with squared); the target is not "
    "differentiated.",
    check=_check_dice,
    layouts=({"input": "N C", "target": "N C"}, {"input": "N C H", "target": "N C H"},
             {"input": "N C H W", "target": "N C H W"}),
    values={"input": ("unit", "probs"), "target": "unit"}))


# ---------------------------------------------------------------- lovasz_hinge, lovasz_softmax

PER_IMAGE = Param(name="per_image", default=False,
                  domain="a boolean: True, one loss per sample (its pixels alone); False "
                         "(default, smp's LovaszLoss and Berman's lovasz_softmax), one loss over "
                         "every pixel of the batch", check=is_bool)
LOVASZ_CLASSES = Param(name="classes", default="present",
                       domain="'present' (default: the mean over the classes present among the "
                              "kept pixels, Berman's default) or 'all' (the mean over all C)",
                       choices=("present", "all"))
_LOVASZ_DIVISOR = "the number of values: N (per_image=True), 1 (per_image=False)"
# The Lovasz extension (Berman et al. 2018, eq. 8-9; Lovasz 1983) of the Jaccard loss
# Delta_J(M) = |M| / |F u M| of the set M of mispredicted pixels, F the foreground.
_LOVASZ_EXTENSION = (
    "For one set of P kept pixels with errors m and foreground labels g in {0, 1}: sort m "
    "descending (pi), G = sum g, I_k = G - sum_{j<=k} g_pi(j), U_k = G + sum_{j<=k} "
    "(1 - g_pi(j)), J_k = 1 - I_k / U_k (the Jaccard loss of the first k pixels mispredicted; "
    "U_k >= 1), w_1 = J_1, w_k = J_k - J_(k-1) (Alg. 1, the gradient of the Lovasz extension "
    "of the Jaccard loss), and the extension is sum_k f(m_pi(k)) w_k. It is continuous and "
    "piecewise linear in m: d/dm_pi(k) = w_k f'(m_pi(k)). Where errors tie the order and so the "
    "gradient is not unique: the canonical order keeps tied errors in their flattened (C) "
    "order, earlier first, as a stable descending sort does (any order gives a subgradient; the "
    "value is the same). ")


def lovasz_sets(shape, per_image: bool) -> tuple[int, int]:
    """The sets of pixels of a Lovasz loss on an input of `shape` (pixels of (N, d1..dk), or
    the input itself for the hinge): their number (N per image, else 1) and size."""
    groups = shape[0] if per_image else 1
    return groups, int(np.prod(shape)) // groups if groups else 0


def _check_lovasz_hinge(inputs, params):
    x, y = inputs["input"], inputs["target"]
    check_at_least_1d("input", x)
    check_same_shape(y, x)
    kept = y[y != params["ignore_index"]]
    check_value_domain("inputs.target", not kept.size or bool(np.all(np.isin(kept, (0.0, 1.0)))),
                       "labels must be 0 or 1 (or the ignore_index)")


LOSSES.append(Loss(
    name="lovasz_hinge", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"per_image": PER_IMAGE, "ignore_index": IGNORE_INDEX, "reduction": REDUCTION},
    mean_divisor=_LOVASZ_DIVISOR,
    doc="Logits x (N, d1..dk) and binary labels y in {0, 1} of the same shape; pixels whose label "
    "is ignore_index are left out. Each sample's pixels (per_image=True) or the whole batch's "
    "(per_image=False) form one set, flattened in C order: with signs s = 2 y - 1 the hinge "
    "errors are m = 1 - x s (Berman et al. 2018, eq. 10) and f = relu (f'(0) = 0, as relu's "
    "derivative in torch, TF and JAX), so l = sum_k relu(m_pi(k)) w_k, the Lovasz extension of "
    "the Jaccard loss of the foreground y = 1. " + _LOVASZ_EXTENSION + "Gradient: dl/dx_i = "
    "-s_i w_rank(i) [m_i > 0]. A set without kept pixels has l = 0 (Berman's 'only void "
    "pixels'). 'none' gives shape (N,) (per_image) or (); 'mean' their mean.",
    check=_check_lovasz_hinge,
    layouts=({"input": "N D", "target": "N D"}, {"input": "N 1 H W", "target": "N 1 H W"},
             {"input": "N C H W", "target": "N C H W"}),
    values={"input": "real", "target": "binary"}))


# kornia's lovasz_softmax_loss(weight=): each class's term weighed, the mean still over the count
LOVASZ_CLASS_WEIGHTS = Param(name="class_weights", default=None, array=True,
                             domain="null or a list of C non-negative numbers, one factor per "
                                    "class's Lovasz term; the mean over the classes still "
                                    "divides by their count (kornia's lovasz_softmax_loss "
                                    "weight=)",
                             check=lambda v: v is None or (np.ndim(v) == 1
                                                           and non_negative_array(v)))


def _check_lovasz_softmax(inputs, params):
    x = inputs["input"]
    if x.ndim < 2:
        raise SpecError("inputs.input", f"must be (N, C, d1..dk) with at least 2 dimensions, "
                                        f"got shape {x.shape}")
    weights = params.get("class_weights")
    if weights is not None and np.shape(weights) != (x.shape[1],):
        raise SpecError("params.class_weights", f"has shape {np.shape(weights)}, expected "
                                                f"({x.shape[1]},): one weight per class")
    y = inputs["target"]
    if np.issubdtype(y.dtype, np.floating) and y.size and not (
            np.all(np.isin(y, (0.0, 1.0))) and np.all(y.sum(axis=1) == 1)):
        raise SpecError("inputs.target", "one-hot targets must hold one 1 per pixel (the "
                                         "Jaccard loss of hard labels; no probabilities)")


LOSSES.append(Loss(
    name="lovasz_softmax", inputs=("input", "target"), differentiable=("input",), target="class",
    params={"classes": LOVASZ_CLASSES, "per_image": PER_IMAGE, "ignore_index": IGNORE_INDEX,
            "class_weights": LOVASZ_CLASS_WEIGHTS, "reduction": REDUCTION},
    mean_divisor=_LOVASZ_DIVISOR,
    doc="Logits x (N, C, d1..dk), classes on axis 1; p = softmax(x) over axis 1 (smp's "
    "LovaszLoss(mode='multiclass') and kornia's lovasz_softmax_loss take logits; Berman's "
    "lovasz_softmax takes p, the user's softmax). Index targets (N, d1..dk) (pixels equal to "
    "ignore_index left out) or one-hot targets. Each sample's kept pixels (per_image=True) or "
    "the batch's (per_image=False), flattened in C order, form one set; for each class c the "
    "errors are m_c = |y_c - p_c| (eq. 11, y_c = [target = c]) and f the identity, so "
    "l_c = sum_k m_c,pi(k) w_k with g = y_c. " + _LOVASZ_EXTENSION + "l is the mean of l_c "
    "over the classes present among the set's kept pixels (classes='present'; 0 when none is) "
    "or over all C (classes='all': an absent class has G = 0, so w = (1, 0, ..) and l_c = "
    "max p_c). class_weights v (C factors, default null: 1) multiply each l_c before that "
    "mean, which still divides by the number of classes averaged, not by the weights' sum "
    "(kornia's lovasz_softmax_loss(weight=): 'the mean still divides by C'). "
    "Gradient: dl_c/dp_c,i = w_rank(i) sign(p_c,i - y_c,i), 0 where p = y exactly "
    "(|.|'s derivative at 0 in torch and TF), then back through the softmax. A set without "
    "kept pixels has l = 0. 'none' gives shape (N,) (per_image) or (); 'mean' their mean.",
    encodings=("index", "one_hot"), check=_check_lovasz_softmax,
    layouts=({"input": "N C", "target": "N"}, {"input": "N C H", "target": "N H"},
             {"input": "N C H W", "target": "N H W"}),
    values={"input": "real", "target": "index"}))


# ---------------------------------------------------------------- Dice-family variants
# segmentation_models_pytorch's DiceLoss, JaccardLoss and TverskyLoss(log_loss=, gamma=,
# class_weights=, classes=): the focal Tversky exponent, the log of the index, and the class terms
# of soft_dice_loss on jaccard and tversky too. Added here, in one block, to the losses above.

FOCAL_TVERSKY_GAMMA = Param(
    name="gamma", default=1.0,
    domain="a number > 0: each class's loss raised to it, (1 - TI)^gamma (the focal Tversky "
           "loss of Abraham and Khan 2019, arXiv:1810.07842, eq. 4, whose exponent is written "
           "1/gamma' with gamma' in [1, 3]: gamma here is that exponent, 0.75 in the authors' "
           "code); 1 (default) is the Tversky loss",
    check=lambda v: is_finite(v) and v > 0)
LOG_LOSS = Param(name="log_loss", default=False,
                 domain="a bool: True takes -log(index) instead of 1 - index (smp's DiceLoss, "
                        "JaccardLoss and TverskyLoss log_loss=True)", check=is_bool)
OVERLAP_CLASS_WEIGHTS = dataclasses.replace(
    DICE_CLASS_WEIGHTS, domain="null or a list of C non-negative numbers, one factor per class's "
                               "loss (smp's class_weights), as soft_dice_loss's")
JACCARD_IGNORE_BACKGROUND = dataclasses.replace(
    IGNORE_BACKGROUND, domain="a bool: drop class 0's Jaccard loss (smp's classes=[1, .., C-1]); "
                              "with one class it is kept")

_LOG_LOSS_DOC = (
    " log_loss=True (default False) takes l = -log(index) in place of 1 - index (the index being "
    "the Dice, Jaccard or Tversky index above; smp's log_loss), gradient dl/dp = -(d index/dp) "
    "/ index; an index of 0 (smooth 0, no overlap) gives inf.")
_CLASS_TERMS_DOC = (
    " class_weights w (C factors) multiply each class's l by w_c and ignore_background drops "
    "class 0's l, after the index (and after gamma and log_loss) as soft_dice_loss's, only with "
    "one value per class (not sum_over='all'); 'mean' divides by the number of values left.")
_GAMMA_DOC = (
    " gamma raises each value to a power, l = (1 - TI)^gamma (or (-log TI)^gamma with log_loss), "
    "per sample and class before any mean: the focal Tversky loss of Abraham and Khan 2019 "
    "('A novel focal Tversky loss function with improved attention U-Net for lesion "
    "segmentation', arXiv:1810.07842, eq. 4: FTL = sum_c (1 - TI_c)^(1/gamma'), the exponent "
    "per class; gamma = 1/gamma' here, the exponent itself, as the authors' code (gamma = 0.75) "
    "and segmentation_models_pytorch name it). Gradient gamma l^(gamma - 1) "
    "times the gradient of l (0 where l = 0 and gamma > 1; infinite there for gamma < 1).")


def _with_variants(name, params, doc, **changes):
    """The loss `name` of LOSSES with `params` added before its reduction, `doc` appended and
    any other field in `changes` replaced."""
    i = next(k for k, loss in enumerate(LOSSES) if loss.name == name)
    old = LOSSES[i].params
    merged = {k: v for k, v in old.items() if k != "reduction"}
    merged.update(params)
    merged["reduction"] = old["reduction"]
    LOSSES[i] = dataclasses.replace(LOSSES[i], params=merged, doc=LOSSES[i].doc + doc, **changes)


_with_variants("soft_dice_loss", {"log_loss": LOG_LOSS}, _LOG_LOSS_DOC)
_with_variants("jaccard", {"class_weights": OVERLAP_CLASS_WEIGHTS,
                           "ignore_background": JACCARD_IGNORE_BACKGROUND, "log_loss": LOG_LOSS},
               _CLASS_TERMS_DOC + _LOG_LOSS_DOC,
               mean_divisor="the number of Jaccard values: N * C ('spatial'), C "
                            "('batch_and_spatial'), 1 ('all'), C - 1 in place of C with "
                            "ignore_background")
_with_variants("tversky", {"class_weights": OVERLAP_CLASS_WEIGHTS, "gamma": FOCAL_TVERSKY_GAMMA,
                           "log_loss": LOG_LOSS},
               _CLASS_TERMS_DOC + _LOG_LOSS_DOC + _GAMMA_DOC)


def overlap_loss(index, log_loss: bool, gamma: float, log):
    """The loss of an overlap index (Dice, Jaccard, Tversky): 1 - index, or -log(index) with
    log_loss, raised to gamma; `log` the framework's log. Any array type."""
    losses = -log(index) if log_loss else 1 - index
    return losses if gamma == 1 else losses ** gamma


# ---------------------------------------------------------------- conventions

# Keras BinaryFocalCrossentropy averages over the last axis like BinaryCrossentropy;
# CategoricalFocalCrossentropy smooths labels over the last axis like CategoricalCrossentropy.
# BinaryFocalCrossentropy(from_logits=False) clips the probabilities of its cross-entropy term as
# BinaryCrossentropy does, with the bounds rounded to the computation dtype.
EXTENDS = {"keras_bce_mean_over_last_axis": ("sigmoid_focal_loss",),
           "keras_bce_probs_clipped_to_epsilon": ("sigmoid_focal_loss",),
           "keras_bce_probs_clipped_to_float32_epsilon": ("sigmoid_focal_loss",),
           "keras_label_smoothing_over_last_axis_size": ("categorical_focal_crossentropy",)}

# ... and their Keras classes take sample_weight= as Keras's cross-entropies do (classification's
# spec)
_KERAS_WEIGHTED = ("sigmoid_focal_loss", "soft_dice_loss", "tversky",
                   "categorical_focal_crossentropy")
EXTENDS["keras_weighted_mean_divides_by_given_weights"] = _KERAS_WEIGHTED
EXTENDS["keras_mean_of_nothing_is_0"] = _KERAS_WEIGHTED
# ... and a Keras mask on y_pred divides their default mean by the kept count
EXTENDS["keras_masked_mean_divides_by_kept_count"] = _KERAS_WEIGHTED
# paddle.nn.functional.sigmoid_focal_loss takes its cross-entropy from the kernel
# sigmoid_cross_entropy_with_logits, whose gradient at a logit of exactly 0 is off by 1
EXTENDS["paddle_bce_logits_grad_at_0_off_by_1"] = ("sigmoid_focal_loss",)

CONVENTIONS = [
    Convention(name="focal_pow_grad_nan_where_p_t_is_1",
               losses=("sigmoid_focal_loss", "categorical_focal_crossentropy"),
               description="the focal factor is computed as pow(1 - p_t, gamma) with p_t = p y + "
                           "(1 - p)(1 - y): "
               "where 1 - p_t rounds to exactly 0 (a hard target whose logit saturates the "
               "sigmoid, "
               "e.g. |x| >= 40) and 0 < gamma < 1, pow's derivative gamma 0^(gamma - 1) = inf "
               "meets a factor 0 and the gradient there is nan instead of 0 (values are right); "
               "categorical_focal_crossentropy: pow(1 - p_c, gamma) on every class, so a class "
               "whose softmax probability rounds to 1 makes its row's gradient nan"),
    Convention(name="keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0",
               losses=("sigmoid_focal_loss",),
               description="as focal_pow_grad_nan_where_p_t_is_1 but at gamma = 0: TensorFlow "
                           "differentiates "
               "pow(b, 0) at b = 0 as 0 * 0^-1 = nan, so even the plain weighted BCE (gamma = 0) "
               "has a nan gradient where 1 - p_t rounds to 0"),
    Convention(name="paddle_focal_gamma_in_float32", losses=("sigmoid_focal_loss",),
               description="paddle.nn.functional.sigmoid_focal_loss raises 1 - p_t to gamma "
               "rounded to float32 (_C_ops.pow takes its exponent as a float attribute), also "
               "on float64 input: gamma = 0.1 is 0.100000001490116, a relative error of about "
               "1e-9 in the loss where 1 - p_t = 1/2; gamma exact in float32 (0, 0.5, 1, 2, 5) "
               "is canonical"),
    Convention(name="focal_negative_alpha_not_ignored", losses=("sigmoid_focal_loss",),
               description="a negative alpha still weights the classes: alpha_t = alpha y + (1 - "
                           "alpha)(1 - y) "
               "for every alpha (alpha = -1 weighs positives by -1 and negatives by 2), where "
               "canonical (torchvision) turns the weighting off for alpha < 0"),
    Convention(name="keras_dice_epsilon_in_denominator_only", losses=("soft_dice_loss",),
               description="l = 1 - 2 I / (P + T + 1e-7) (keras.config.epsilon()) whatever "
                           "`smooth` is: no "
               "smoothing in the numerator, so an empty mask (P = T = 0) gives 1 instead of 0, and "
               "elsewhere the value differs by about smooth (1 - D) / (P + T)"),
    Convention(name="optax_dice_smooth_doubled", losses=("soft_dice_loss",),
               description="optax.losses.dice_loss(smooth=s) computes 1 - (I + s) / (I + (P - I)/2 "
                           "+ (T - I)/2 "
               "+ s) = 1 - (2 I + 2 s) / (P + T + 2 s): the canonical loss with smooth = 2 s"),
    Convention(name="keras_focal_probs_clipped_to_epsilon",
               losses=("categorical_focal_crossentropy",),
               description="the softmax probabilities (from_logits=True, or probabilities "
                           "passed in) are divided by their sum over the classes and clipped to "
                           "[1e-7, 1 - 1e-7] (keras.config.epsilon()) before both the log and "
                           "(1 - p)^gamma: a target class of probability below 1e-7 costs "
                           "alpha t (1 - 1e-7)^gamma 16.118 at most (canonical: -alpha t log p, "
                           "unbounded), and the gradient is 0 through a clipped probability"),
    Convention(name="keras_tversky_alpha_weighs_false_negatives", losses=("tversky",),
               description="keras.losses.tversky computes fp = sum((1 - y_pred) y_true) and "
                           "fn = sum(y_pred (1 - y_true)), the other way round: its alpha "
                           "multiplies the false negatives sum (1 - p) t and its beta the false "
                           "positives sum p (1 - t), so Keras's (alpha, beta) is canonical "
                           "(beta, alpha), whatever its docstring says ('alpha: coefficient "
                           "controlling incidence of false positives')"),
    # kornia.losses (0.9.0): seen by families/focal_dice/kornia_lib.py, with the exact calls,
    # values and links there.
    Convention(name="kornia_binary_focal_soft_target_terms_split",
               losses=("sigmoid_focal_loss",),
               description="kornia.losses.binary_focal_loss_with_logits computes l = alpha t "
                           "sigmoid(-x)^gamma softplus(-x) + (1 - alpha)(1 - t) sigmoid(x)^gamma "
                           "softplus(x): each class's term with its own focal factor, weighted "
                           "by t and 1 - t, where canonical (torchvision) multiplies alpha_t "
                           "(1 - p_t)^gamma, both mixed by t, by the mixed cross-entropy; the "
                           "same for targets of 0 and 1, different for soft targets"),
    Convention(name="kornia_focal_map_per_class", losses=("categorical_focal_crossentropy",),
               description="kornia.losses.focal_loss(reduction='none') returns an (N, C, d1..dk) "
                           "map holding each element's focal term in its target class's slice "
                           "and 0 in the others (0 for an ignored target), so 'mean' divides "
                           "the sum by N C d1..dk (ignored targets included) instead of the "
                           "number of kept rows; 'sum' is canonical"),
    Convention(name="kornia_focal_grad_nan_where_target_logit_is_neg_inf",
               losses=("categorical_focal_crossentropy",),
               description="kornia.losses.focal_loss differentiates (1 - p)^gamma (-log p) "
                           "term by term: where the target class's log-probability is -inf (a "
                           "logit of -inf: the loss inf) and gamma > 0, the factor's derivative "
                           "-gamma (1 - p)^(gamma - 1) p = 0 meets -log p = inf, so the row's "
                           "gradient is nan instead of the canonical finite limit"),
    Convention(name="dice_softmax_of_log_input",
               losses=("soft_dice_loss", "tversky", "generalized_dice"),
               description="the loss takes the softmax over the classes of its input (kornia's "
                           "dice_loss and tversky_loss, which take logits; MONAI's DiceLoss, "
                           "TverskyLoss and GeneralizedDiceLoss with softmax=True): given log p "
                           "(the path's torch.log(input)) it computes the loss of p / sum_c p: "
                           "the canonical value where the probabilities sum to 1, but the "
                           "gradient is projected, dl/dp_j = g_j - sum_c g_c p_c (g the "
                           "canonical gradient), as through any softmax"),
    Convention(name="kornia_eps_in_denominator_only", losses=("soft_dice_loss", "tversky"),
               description="kornia's eps (the canonical smooth here) is added to the "
                           "denominator only: l = 1 - 2 I / (P + T + eps) (dice_loss), 1 - I / "
                           "(I + alpha FP + beta FN + eps) (tversky_loss); an empty mask "
                           "(P = T = 0) gives 1, also at eps = 0 (kornia sets its Dice to 0), "
                           "where canonical gives 0"),
    Convention(name="kornia_mean_over_present_classes", losses=("soft_dice_loss", "tversky"),
               description="kornia.losses.dice_loss(average='macro') and tversky_loss average "
                           "the per-sample, per-class losses over the classes present in that "
                           "sample's target (T > 0) only, then over the samples, where "
                           "canonical sum_over='spatial', reduction='mean' averages all N C of "
                           "them: a class absent from a sample's target (a false positive only) "
                           "does not count"),
    # kornia's class weights (families/focal_dice/kornia_lib.py, the weight= block)
    Convention(name="kornia_dice_weighted_mean_over_present_weights", losses=("soft_dice_loss",),
               description="kornia.losses.dice_loss(average='macro', weight=w) averages each "
                           "sample's class losses as sum_c w_c l_c / sum_c w_c, both sums over "
                           "the classes present in that sample's target "
                           "(kornia_mean_over_present_classes), then averages the samples, "
                           "where canonical class_weights divide sum w_c l_c by the count N C; "
                           "a sample whose present classes all weigh 0 costs 1 with a zero "
                           "gradient"),
    Convention(name="keras_tversky_epsilon_in_denominator_only", losses=("tversky",),
               description="l = 1 - I / (I + alpha FP + beta FN + 1e-7) (keras.config.epsilon()) "
                           "whatever `smooth` is: no smoothing in the numerator, so an empty "
                           "mask (P = T = 0) gives 1 instead of 0; at alpha = beta = 0.5 this is "
                           "1 - 2 I / (P + T + 2e-7), not keras.losses.dice's 1e-7"),
    # MONAI (monai.losses, adapters/monai_lib.py)
    Convention(name="monai_none_keeps_broadcast_shape",
               losses=("soft_dice_loss", "jaccard", "generalized_dice"),
               description="reduction='none' returns the values reshaped to broadcast against the "
                           "input: one axis of size 1 per spatial axis appended to the canonical "
                           "shape, (N, C, 1, .., 1) for a Dice per sample and class, (C, 1, .., 1) "
                           "with batch=True; generalized_dice's (N,) as (N, 1, 1, .., 1) and () "
                           "as (1, 1, .., 1) (MONAI keeps the summed class axis as 1 too). "
                           "Values and the other reductions are unchanged"),
    Convention(name="monai_dice_weight_ignored_for_one_class", losses=("soft_dice_loss",),
               description="DiceLoss(weight=w) multiplies the per-class losses by w only where "
                           "more than one class is left (`num_of_classes != 1`): on one channel, "
                           "or on two with include_background=False (class 0 dropped first), the "
                           "weight is ignored and the loss is the unweighted Dice loss, where "
                           "canonical class_weights scale it"),
    Convention(name="monai_gdl_weights_in_float32", losses=("generalized_dice",),
               description="GeneralizedDiceLoss computes the class weights from the volumes cast "
                           "to float32 (w_func(ground_o.float())): 1 / (T_c T_c) rounded to "
                           "float32 whatever the inputs' dtype, so float64 values move by about "
                           "1e-8 relative (and a volume below about 1e-19 overflows its weight to "
                           "inf: taken as an absent class)"),
    Convention(name="monai_onehot_target_norm_in_float32", losses=("soft_dice_loss", "jaccard"),
               description="DiceLoss(to_onehot_y=True, squared_pred=True) one-hot encodes the "
                           "index target in float32 (monai.networks.one_hot's dtype) and takes "
                           "sum t^2 as vector_norm(t) ** 2 in float32: sqrt(T) rounded, then "
                           "squared and rounded (T = 2 gives 1.9999998807907104). Its I = (P + T "
                           "- |p - t|^2) / 2 mixes that with float64 norms, so float64 values move "
                           "by up to about 1e-7 of T (I and the denominator shifted by the "
                           "rounding, the gradient unchanged); float32 values stay within "
                           "float32 rounding"),
    Convention(name="monai_jaccard_smooth_halved", losses=("jaccard",),
               description="DiceLoss(jaccard=True, smooth_nr=s, smooth_dr=s) computes 1 - (2 I + "
                           "s) / (2 (P + T - I) + s) = 1 - (I + s/2) / (U + s/2): the canonical "
                           "Jaccard loss with smooth = s / 2 (smooth_nr = smooth_dr = 2 smooth "
                           "gives canonical)"),
    Convention(name="monai_focal_sum_averages_spatial_axes",
               losses=("sigmoid_focal_loss", "categorical_focal_crossentropy"),
               description="FocalLoss(reduction='sum') averages over the spatial axes 2.. before "
                           "summing over N and C: the canonical sum divided by d1 .. dk; on input "
                           "of 1 or 2 dimensions torch's mean(dim=[]) averages over every element, "
                           "so 'sum' is the mean there (use_softmax=True too: its (N, C, d1..dk) "
                           "map, monai_softmax_focal_map_per_class, is averaged the same way)"),
    Convention(name="monai_focal_ignore_divides_by_kept_pixels",
               losses=("sigmoid_focal_loss", "categorical_focal_crossentropy"),
               description="FocalLoss(ignore_index=k) masks the ignored pixels (the spatial mask "
                           "(N, 1, d1..dk) of monai.metrics.utils.create_ignore_mask) and "
                           "divides by the kept pixels, each counted once for all C channels: "
                           "'mean' is the masked sum over the kept pixels (sigmoid form: C times "
                           "the canonical weighted mean of the mask as sample weights; softmax "
                           "form with an index target: the canonical mean over the kept "
                           "targets), 'sum' the sum over samples and classes of each sample's "
                           "average over its kept pixels (on (N, C) input, over the whole "
                           "batch's). A count of 0 is clamped to float32 eps: no kept pixel "
                           "gives 0, not the canonical 0 / 0. 'none' is the masked map"),
    Convention(name="monai_softmax_focal_map_per_class",
               losses=("categorical_focal_crossentropy",),
               description="FocalLoss(use_softmax=True, reduction='none') returns the (N, C, "
                           "d1..dk) map of the class terms -alpha_c t_c (1 - p_c)^gamma log p_c "
                           "(summed over C they are canonical), so 'mean' divides their sum by "
                           "N C d1..dk instead of the N d1..dk rows: the canonical mean / C"),
    Convention(name="monai_softmax_focal_nan_where_a_logit_is_neg_inf",
               losses=("categorical_focal_crossentropy",),
               description="FocalLoss(use_softmax=True) multiplies every class's log p_c by its "
                           "target t_c: a logit of -inf (log p_c = -inf) whose target is 0 gives "
                           "0 * -inf = nan in its class term (canonical: the term is absent, "
                           "0 log 0 = 0), and the backward meets the same product, so the row's "
                           "gradient is nan wherever one of its logits is -inf. A row of -inf "
                           "logits only (log p = nan) is nan in every class"),
    Convention(name="monai_softmax_focal_scalar_alpha_weighs_background",
               losses=("categorical_focal_crossentropy",),
               description="FocalLoss(use_softmax=True, alpha=a) with a scalar a weighs class 0 "
                           "(the background) by 1 - a and every other class by a, where the "
                           "canonical (Keras's) scalar alpha weighs every class by a; a list of C "
                           "factors, alpha=[a] * C, gives canonical. No canonical parameter: a "
                           "background class is MONAI's segmentation convention (Lin et al.'s "
                           "binary alpha_t carried to C classes), not part of the loss's "
                           "definition"),
    Convention(name="monai_softmax_focal_background_dropped_before_softmax",
               losses=("categorical_focal_crossentropy",),
               description="FocalLoss(use_softmax=True, include_background=False) slices "
                           "channel 0 off the logits and the target before the softmax: the "
                           "loss of the C - 1 other classes, p = softmax(x[:, 1:]) (each "
                           "position's probabilities renormalised without class 0), t = "
                           "t[:, 1:] (a position of class 0 contributes 0), its alpha C - 1 "
                           "factors; under monai_softmax_focal_map_per_class 'mean' divides by "
                           "N (C - 1) d1..dk and 'none' keeps (N, C - 1, d1..dk); the gradient "
                           "of channel 0 is 0. No canonical parameter: Keras and optax have no "
                           "background class, and the Dice family's ignore_background drops "
                           "class 0's term after the loss, not its logit before the softmax"),
    Convention(name="monai_focal_factor_of_hard_target", losses=("sigmoid_focal_loss",),
               description="the modulating factor is computed as exp(gamma logsigmoid(-x (2 y - "
                           "1))), 1 - p_t for a hard target only: for a soft target y in (0, 1) it "
                           "is sigmoid(x (1 - 2 y))^gamma instead of (y sigmoid(-x) + (1 - y) "
                           "sigmoid(x))^gamma (at y = 1/2 the factor is 2^-gamma whatever x is); "
                           "the cross-entropy and alpha_t are canonical"),
    # segmentation_models_pytorch (smp.losses, adapters/smp_lib.py): DiceLoss, JaccardLoss and
    # TverskyLoss all compute soft_tversky_score
    Convention(name="smp_dice_smooth_doubled", losses=("soft_dice_loss",),
               description="smp.losses.DiceLoss(smooth=s) computes the Tversky index at alpha = "
                           "beta = 0.5, (I + s) / (I + (P - I)/2 + (T - I)/2 + s) = (2 I + 2 s) / "
                           "(P + T + 2 s): the canonical Dice with smooth = 2 s (as optax's)"),
    Convention(name="smp_overlap_from_l1_distance", losses=("soft_dice_loss", "jaccard", "tversky"),
               description="the intersection is computed as I = (P + T - sum |p - t|) / 2 = "
                           "sum min(p, t), equal to sum p t for hard targets only (the soft-label "
                           "formulation of Wang et al. 2023, arXiv:2302.05666): soft targets give "
                           "another value, and where p = t exactly (a perfect 0 or 1) torch's "
                           "gradient of |p - t| is 0, so dI/dp is 1/2 there instead of t"),
    Convention(name="smp_denominator_clamped_to_eps",
               losses=("soft_dice_loss", "jaccard", "tversky"),
               description="the denominator I + alpha FP + beta FN + smooth is clamped to at least "
                           "eps = 1e-7 (clamp_min(eps)): with smooth = 0 an empty mask gives 0 / "
                           "1e-7 = 0, index 0, instead of 0/0 = nan, and no gradient flows "
                           "through a clamped denominator"),
    Convention(name="smp_focal_p_t_is_exp_of_minus_ce", losses=("sigmoid_focal_loss",),
               description="smp.losses.FocalLoss (focal_loss_with_logits) takes p_t = exp(-ce), "
                           "ce the BCE with logits: equal to p y + (1 - p)(1 - y) for a hard "
                           "target only; for a soft target y in (0, 1) the focal factor is "
                           "(1 - exp(-ce))^gamma = (1 - p^y (1 - p)^(1 - y))^gamma instead "
                           "(at x = 2, y = 1/2: 1 - exp(-1.1269) = 0.6760, squared at gamma 2, "
                           "where canonical 1 - p_t is 0.5); alpha_t and ce are canonical"),
    Convention(name="smp_absent_classes_count_zero",
               losses=("soft_dice_loss", "jaccard", "tversky"),
               description="a class whose target sums to 0 over the summed axes (absent from the "
                           "batch) has loss 0 (loss *= y_true.sum(dims) > 0), and the mean over "
                           "the classes still divides by C: absent classes pull the mean towards "
                           "0 instead of costing 1 - smooth / (P + smooth)"),
    # smp's FocalLoss(normalized=True) and the class weights of its Dice loss
    # (adapters/families/focal_dice/smp_lib.py)
    Convention(name="smp_focal_normalizer_clamped_to_eps", losses=("sigmoid_focal_loss",),
               description="FocalLoss(normalized=True) divides by focal_term.sum().clamp_min(eps) "
                           "with focal_loss_with_logits's eps = 1e-6 (FocalLoss does not pass its "
                           "own eps on): where the focal factors sum to less than 1e-6 (every "
                           "element confidently right) each element is alpha_t f ce / 1e-6 "
                           "instead of alpha_t f ce / P, and no gradient flows through the "
                           "clamped sum"),
    Convention(name="smp_class_weighted_mean_over_weights", losses=("soft_dice_loss",),
               description="DiceLoss(class_weights=w) returns (loss * w).sum() / w.sum(): the "
                           "weighted class losses divided by the sum of the weights (of the "
                           "classes kept by `classes`), where canonical class_weights "
                           "(optax.losses.dice_loss, MONAI DiceLoss(weight=)) divide by the "
                           "number of class losses; equal where the weights sum to C (C - 1 "
                           "with ignore_background)"),
    # segmentation_models_pytorch's LovaszLoss (adapters/families/focal_dice/smp_lib.py)
    Convention(name="smp_lovasz_from_logits_ignored", losses=("lovasz_hinge", "lovasz_softmax"),
               description="smp.losses.LovaszLoss takes from_logits and ignores it: given "
                           "probabilities with from_logits=False (sigmoid(x) for mode='binary' "
                           "or 'multilabel', softmax(x) for 'multiclass'), the binary modes "
                           "compute the hinge errors 1 - sigmoid(x) s of the probabilities as if "
                           "they were logits, and 'multiclass' takes the softmax once more, "
                           "softmax(softmax(x)); from_logits=True (its default) is canonical"),
    # PaddlePaddle's dice_loss (adapters/families/focal_dice/paddle_lib.py)
    Convention(name="paddle_dice_epsilon_in_denominator_only", losses=("soft_dice_loss",),
               description="paddle.nn.functional.dice_loss(epsilon=e) computes 1 - 2 I / (P + "
                           "T + e): e in the denominator only, where its docstring says 'The "
                           "epsilon will be added to the numerator and denominator'; the loss "
                           "is canonical at smooth = e = 0 and elsewhere differs by e D / (P + "
                           "T + e) (D the canonical Dice)"),
]


# ---------------------------------------------------------------- ignore_index (Dice family)
# smp's DiceLoss/JaccardLoss/TverskyLoss(ignore_index=), kornia's dice_loss/tversky_loss(
# ignore_index=) and MONAI's DiceLoss/TverskyLoss(ignore_index=) take pixels out of both sums of
# the overlap. One parameter for the three losses, added here after their declarations (one
# block: the losses above are not edited for it).

IGNORE_INDEX_LOSSES = ("soft_dice_loss", "jaccard", "tversky")
DICE_IGNORE_INDEX = Param(name="ignore_index", default=None,
                          domain="null (nothing ignored) or an integer outside [0, 1] (a value "
                                 "inside is a target probability): target elements equal to it "
                                 "leave every sum",
                          check=lambda v: v is None or (is_int(v) and not 0 <= v <= 1))
IGNORE_INDEX_DOC = (
    " ignore_index = k (default null: nothing ignored) leaves out every element whose target "
    "equals k: its p and t count 0 in every sum (I, P, T, so FP and FN too) and its input gets "
    "no gradient; the other targets lie in [0, 1]. An ignored pixel holds k in each of its C "
    "channels (the one-hot form of an index target's label k, what smp's, kornia's and MONAI's "
    "ignore_index name), so it leaves every sum of every class; the mean divisor is unchanged. "
    "A sample (or class) whose elements are all ignored has I = P = T = 0, an empty mask: l = 0 "
    "(0/0 = nan at smooth 0).")


def _without_ignored(check):
    """The loss's input check, run with the ignored target elements as 0."""
    def run(inputs, params):
        k = params.get("ignore_index")
        if k is not None:
            inputs = {**inputs, "target": np.where(inputs["target"] == k, 0.0, inputs["target"])}
        check(inputs, params)
    return run


def _with_ignore_index(loss: Loss) -> Loss:
    return dataclasses.replace(loss, params={**loss.params, "ignore_index": DICE_IGNORE_INDEX},
                                           doc=loss.doc + IGNORE_INDEX_DOC,
                               check=_without_ignored(loss.check))


LOSSES[:] = [_with_ignore_index(loss) if loss.name in IGNORE_INDEX_LOSSES else loss
             for loss in LOSSES]

CONVENTIONS.append(Convention(
    name="kornia_all_ignored_sample_counts_1", losses=("soft_dice_loss", "tversky"),
    description="kornia.losses.dice_loss(average='macro', ignore_index=k) and tversky_loss("
                "ignore_index=k): a sample whose pixels are all ignored has no class present "
                "and enters the batch mean as loss 1 with a zero gradient (dice_loss."
                "masked_fill(empty, 1); tversky's score 0 / max(0, 1)), where canonical gives "
                "its per-class losses 1 - smooth / smooth = 0"))


def without_ignore_index(base: str) -> dict:
    """unsupported_when of a path that is `base` with ignore_index added: the cases without it
    are base's (checked there)."""
    return {f"cases without ignore_index (the path is {base} then)":
            lambda params, encoding, inputs: params["ignore_index"] is None}


def not_one_hot_or_ignored(params, encoding, inputs) -> bool:
    """Whether a pixel is neither a hard one-hot row nor ignored in every channel (an index
    target holds one of them per pixel)."""
    t = np.asarray(inputs["target"])
    ignored = np.all(t == params["ignore_index"], axis=1, keepdims=True)
    t = np.where(ignored, np.eye(t.shape[1])[0].reshape((1, -1) + (1,) * (t.ndim - 2)), t)
    return not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1))


def class_number(params, encoding, inputs) -> bool:
    k = params["ignore_index"]
    return k is not None and 0 <= k < np.shape(inputs["input"])[1]


# what a path that passes an index target (class numbers, ignore_index where ignored) refuses
INDEX_TARGET_REFUSES = {
    "a target that is not a hard one-hot map with ignored pixels (an index target holds one "
    "class number or ignore_index per pixel)": not_one_hot_or_ignored,
    "an ignore_index that is a class number 0..C-1 (the index target cannot tell that class "
    "from an ignored pixel)": class_number}


# segmentation_models_pytorch's focal Tversky exponent and log_loss (Dice-family variants above;
# adapters/families/focal_dice/smp_lib.py); its class weights divide by their sum on JaccardLoss
# and TverskyLoss too (one aggregate_loss, DiceLoss's)
CONVENTIONS += [
    Convention(name="smp_focal_tversky_power_of_mean", losses=("tversky",),
               description="TverskyLoss(gamma=g) raises the mean of the class losses to g, "
                           "(mean_c l_c)^g ((sum_c w_c l_c / sum_c w_c)^g with class_weights), "
                           "where canonical (Abraham and Khan's eq. 4) raises each class's loss, "
                           "mean_c l_c^g: equal at g = 1 or where every class loss is the same"),
    Convention(name="smp_log_loss_index_clamped_to_eps",
               losses=("soft_dice_loss", "jaccard", "tversky"),
               description="log_loss=True computes -log(index.clamp_min(eps)), eps = 1e-7: an "
                           "index below 1e-7 (no overlap) gives -log(1e-7) = 16.118 instead of "
                           "the canonical -log(index) (inf at 0), and no gradient flows through "
                           "the clamped index"),
]
EXTENDS["smp_class_weighted_mean_over_weights"] = ("jaccard", "tversky")


def uses_variants(params) -> bool:
    """Whether a case sets log_loss, gamma or class weights, or ignore_background (what the
    frameworks' Dice-family variant paths check; their plain paths check the rest)."""
    return bool(params.get("log_loss") or params.get("gamma", 1.0) != 1
                or params.get("class_weights") is not None or params.get("ignore_background"))


VARIANTS_REFUSED = ("log_loss, gamma, class_weights and ignore_background all at their defaults "
                    "(the loss's plain path checks those)")
