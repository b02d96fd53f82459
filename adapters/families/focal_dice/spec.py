"""Canonical losses of the focal_dice family, and the conventions that concern them only.

sigmoid_focal_loss  the focal loss of Lin et al. 2017 ("Focal Loss for Dense Object Detection",
                    arXiv:1708.02002) on logits, as torchvision.ops.sigmoid_focal_loss documents it
                    (https://docs.pytorch.org/vision/stable/generated/torchvision.ops.sigmoid_focal_loss.html).
soft_dice_loss      1 - the soft Sorensen-Dice coefficient of probabilities and targets, per sample
                    and class by default, smoothed in numerator and denominator (see its doc).
"""
from __future__ import annotations

from adapters.definitions import (
    REDUCTION,
    Convention,
    Loss,
    Param,
    SpecError,
    check_at_least_1d,
    check_same_shape,
    check_unit_interval,
    is_finite,
)

LOSSES: list[Loss] = []


# ---------------------------------------------------------------- sigmoid_focal_loss

ALPHA = Param(name="alpha", default=0.25,
              domain="a number <= 1; a negative alpha turns the class weighting off "
                     "(torchvision: 'or -1 for ignore')",
              check=lambda v: is_finite(v) and v <= 1)
GAMMA = Param(name="gamma", default=2.0,
              domain="a number >= 0 (0 gives the alpha-weighted BCE with logits)",
              check=lambda v: is_finite(v) and v >= 0)


def _check_same_shape_unit_target(inputs, params):
    x, y = inputs["input"], inputs["target"]
    check_at_least_1d("input", x)
    check_same_shape(y, x)
    check_unit_interval("inputs.target", y)


LOSSES.append(Loss(
    name="sigmoid_focal_loss", inputs=("input", "target"), differentiable=("input",),
    target="other",
    params={"alpha": ALPHA, "gamma": GAMMA, "reduction": REDUCTION}, mean_divisor="the number of "
                                                                                  "elements",
    doc="Logits x, targets y in [0, 1], any shape (elementwise). p = sigmoid(x), "
    "ce = y softplus(-x) + (1 - y) softplus(x) (BCE with logits), p_t = p y + (1 - p)(1 - y), "
    "so 1 - p_t = y sigmoid(-x) + (1 - y) sigmoid(x); l = alpha_t (1 - p_t)^gamma ce with "
    "alpha_t = alpha y + (1 - alpha)(1 - y) when alpha >= 0 and alpha_t = 1 when alpha < 0 "
    "(torchvision: 'or -1 for ignore'). 0^0 = 1, so gamma = 0 is the alpha-weighted BCE. "
    "Gradient: alpha_t [gamma (1 - p_t)^(gamma - 1) (1 - 2y) p (1 - p) ce + (1 - p_t)^gamma "
    "(p - y)]; where 1 - p_t is 0 (a hard target whose logit saturates the sigmoid) the first "
    "term is its limit, 0, for every gamma >= 0 (the true derivative at a finite logit is "
    "positive and far below float64's smallest number). Default reduction 'mean' like every "
    "loss here; torchvision's default is 'none' (every path passes reduction explicitly).",
    check=_check_same_shape_unit_target, values={"target": "unit"}))


# ---------------------------------------------------------------- soft_dice_loss

SMOOTH = Param(name="smooth", default=1e-6,
               domain="a number >= 0, added to the numerator 2I and the denominator P + T "
                      "(0: an empty mask gives 0/0 = nan)",
               check=lambda v: is_finite(v) and v >= 0)
SUM_OVER = ("spatial", "batch_and_spatial", "all")
DICE_SUM_OVER = Param(name="sum_over", default="spatial",
                      domain="'spatial' (one Dice per sample and class), 'batch_and_spatial' "
                             "(one per class, the batch summed too) or 'all' (one Dice over "
                             "every element)",
                      choices=SUM_OVER)


def dice_axes(ndim: int, sum_over: str) -> tuple[int, ...]:
    """The axes of an (N, C, d1..dk) input that soft_dice_loss sums over."""
    spatial = tuple(range(2, ndim))
    return {"spatial": spatial, "batch_and_spatial": (0, *spatial),
            "all": tuple(range(ndim))}[sum_over]


def _check_dice(inputs, params):
    x, y = inputs["input"], inputs["target"]
    if x.ndim < 2:
        raise SpecError("inputs.input", f"must be (N, C, d1..dk) with at least 2 dimensions, "
                                        f"got shape {x.shape}")
    check_same_shape(y, x)
    for name, a in (("input", x), ("target", y)):
        check_unit_interval(f"inputs.{name}", a)


LOSSES.append(Loss(
    name="soft_dice_loss", inputs=("input", "target"), differentiable=("input",), target="other",
    params={"smooth": SMOOTH, "sum_over": DICE_SUM_OVER, "reduction": REDUCTION},
    mean_divisor="the number of Dice values: N * C ('spatial'), C ('batch_and_spatial'), 1 ('all')",
    doc="Probabilities p (input) and targets t in [0, 1] of one shape (N, C, d1..dk), classes on "
    "axis 1 (the seed's dice_loss(F.softmax(masks_pred, dim=1), F.one_hot(true_masks, C)"
    ".permute(0, 3, 1, 2), multiclass=True), ../shared/seeds/004_3cb1995894827011.txt). Over the "
    "axes A chosen by sum_over: I = sum_A p t, P = sum_A p, T = sum_A t, and "
    "l = 1 - (2 I + smooth) / (P + T + smooth) (the Sorensen-Dice coefficient; squared sums in "
    "the denominator, as V-Net has them, are not this loss). sum_over='spatial' (default) gives "
    "one l per sample and class, shape (N, C) (MONAI DiceLoss batch=False, optax dice_loss's "
    "default axis); 'batch_and_spatial' one per class, shape (C,) (MONAI batch=True, "
    "Pytorch-UNet's "
    "multiclass_dice_coeff with reduce_batch_first=True as first published); 'all' one value, "
    "shape () (keras.losses.Dice with axis=None, later Pytorch-UNet versions that flatten N and "
    "C). smooth defaults to 1e-6, Pytorch-UNet's dice_coeff epsilon, the seed's call. "
    "An empty mask (P = T = 0) gives l = 0. Gradient: dl/dp = (D - 2 t) / (P + T + smooth), "
    "D = (2 I + smooth) / (P + T + smooth); the target is not differentiated.",
    check=_check_dice,
    layouts=({"input": "N C", "target": "N C"}, {"input": "N C H", "target": "N C H"},
             {"input": "N C H W", "target": "N C H W"}),
    values={"input": ("unit", "probs"), "target": "unit"}))


# ---------------------------------------------------------------- conventions

# Keras BinaryFocalCrossentropy averages over the last axis like BinaryCrossentropy.
EXTENDS = {"keras_bce_mean_over_last_axis": ("sigmoid_focal_loss",)}

CONVENTIONS = [
    Convention(name="focal_pow_grad_nan_where_p_t_is_1", losses=("sigmoid_focal_loss",),
               description="the focal factor is computed as pow(1 - p_t, gamma) with p_t = p y + "
                           "(1 - p)(1 - y): "
               "where 1 - p_t rounds to exactly 0 (a hard target whose logit saturates the "
               "sigmoid, "
               "e.g. |x| >= 40) and 0 < gamma < 1, pow's derivative gamma 0^(gamma - 1) = inf "
               "meets a factor 0 and the gradient there is nan instead of 0 (values are right)"),
    Convention(name="keras_focal_pow_grad_nan_where_p_t_is_1_gamma_0",
               losses=("sigmoid_focal_loss",),
               description="as focal_pow_grad_nan_where_p_t_is_1 but at gamma = 0: TensorFlow "
                           "differentiates "
               "pow(b, 0) at b = 0 as 0 * 0^-1 = nan, so even the plain weighted BCE (gamma = 0) "
               "has a nan gradient where 1 - p_t rounds to 0"),
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
]
