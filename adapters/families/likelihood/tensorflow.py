"""TensorFlow/Keras paths of the likelihood family (spec.py beside this file).

TensorFlow has tf.nn.log_poisson_loss (log-rate input) and Keras has keras.losses.Poisson (rate
input, mean over the last axis); neither has a Gaussian NLL loss (that is in TensorFlow
Probability, not installed here), so gaussian_nll_loss is composed from tf.math.
"""
from __future__ import annotations

import math

from adapters.tensorflow import (  # noqa: F401
    KERAS_REDUCTION,
    KERAS_WEIGHTED,
    KERAS_WEIGHTED_DOC,
    SEEN_ON,
    adapter,
    keras,
    keras_sample_weight,
    keras_weighted_twin,
    path,
    reduce,
    tf,
)

MEAN_LAST = ["keras_bce_mean_over_last_axis"]
KERAS_EPS = ["keras_poisson_log_rate_plus_epsilon"]


# ---------------------------------------------------------------- poisson_nll_loss

@path("poisson_nll_loss", "tf.nn.log_poisson_loss", kind="composed", params=["full", "reduction"],
      call="reduce(tf.nn.log_poisson_loss(target, input, compute_full_loss=full), reduction)  "
           "[log_input=True only]")
def poisson_tf(input, target, *, full, reduction):
    return reduce(tf.nn.log_poisson_loss(target, input, compute_full_loss=full), reduction)


def _stirling(target):
    """PyTorch's Stirling term: y log y - y + 0.5 log(2 pi y) where y > 1, else 0."""
    big = target > 1
    y = tf.where(big, target, 2 * tf.ones_like(target))   # finite logs where masked
    return tf.where(big, y * tf.math.log(y) - y + 0.5 * tf.math.log(2 * math.pi * y), 0)


@path("poisson_nll_loss", "tf.math", kind="composed",
      params=["log_input", "full", "eps", "reduction"],
      call="reduce(tf.exp(input) - target * input if log_input else input - target * "
           "tf.math.log(input + eps) (+ tf.where(target > 1, Stirling, 0) if full), reduction)")
def poisson_tf_math(input, target, *, log_input, full, eps, reduction):
    if log_input:
        losses = tf.exp(input) - target * input
    else:
        losses = input - target * tf.math.log(input + eps)
    return reduce(losses + _stirling(target) if full else losses, reduction)


def _keras_poisson(input, target, log_input, reduction="mean", elementwise=False,
                   sample_weight=None):
    rate = tf.exp(input) if log_input else input
    weight = keras_sample_weight(sample_weight, input.shape.rank)   # over the elements
    if elementwise:
        rate, target = rate[..., None], target[..., None]
    return keras.losses.Poisson(reduction=KERAS_REDUCTION[reduction],
                                   dtype=input.dtype.name)(target, rate, sample_weight=weight)


# As for Keras's regression losses (tensorflow.py): the class with its default reduction on any
# input; every reduction on 1-D input (the mean over the last axis shows); "[..., None]" canonical.
POISSON_CALL = "keras.losses.Poisson({}dtype=input.dtype.name)({}, {})"
RATE = "tf.exp(input) if log_input else input"


@path("poisson_nll_loss", "keras.losses.Poisson", params=["log_input"], conventions=KERAS_EPS,
      call=POISSON_CALL.format("", "target", RATE))
def poisson_keras(input, target, *, log_input):
    return _keras_poisson(input, target, log_input)


@path("poisson_nll_loss", "keras.losses.Poisson(1-D)", params=["log_input", "reduction"],
      conventions=KERAS_EPS + MEAN_LAST, ndims=[1],
      call=POISSON_CALL.format("reduction=..., ", "target", RATE) + "  [1-D input]")
def poisson_keras_1d(input, target, *, log_input, reduction):
    return _keras_poisson(input, target, log_input, reduction)


@path("poisson_nll_loss", "keras.losses.Poisson[..., None]", kind="composed",
      params=["log_input", "reduction"], conventions=KERAS_EPS,
      call=POISSON_CALL.format("reduction=..., ", "target[..., None]", f"({RATE})[..., None]"))
def poisson_keras_elementwise(input, target, *, log_input, reduction):
    return _keras_poisson(input, target, log_input, reduction, elementwise=True)


@path("poisson_nll_loss", "keras.losses.Poisson[..., None](sample_weight=)", kind="composed",
      params=["log_input", "reduction", "sample_weight"], conventions=KERAS_EPS + KERAS_WEIGHTED,
      unsupported_when=keras_weighted_twin("keras.losses.Poisson[..., None]", "poisson_nll_loss",
                                           KERAS_EPS + KERAS_WEIGHTED),
      call=POISSON_CALL.format("reduction=..., ", "target[..., None]", f"({RATE})[..., None]")[:-1]
      + ", sample_weight=keras_sample_weight(sample_weight, input.ndim))")
def poisson_keras_weighted(input, target, *, log_input, reduction, sample_weight):
    return _keras_poisson(input, target, log_input, reduction, True, sample_weight)


@path("poisson_nll_loss", "keras.losses.poisson[..., None]", kind="composed",
      params=["log_input", "reduction"], conventions=KERAS_EPS,
      call=f"reduce(keras.losses.poisson(target[..., None], ({RATE})[..., None]), reduction)")
def poisson_keras_fn(input, target, *, log_input, reduction):
    rate = tf.exp(input) if log_input else input
    return reduce(keras.losses.poisson(target[..., None], rate[..., None]), reduction)


# ---------------------------------------------------------------- gaussian_nll_loss

def per_row(var, input):
    """PyTorch's homoscedastic layout: var of shape input.shape[:-1] gets a trailing axis."""
    if var.shape != input.shape and var.shape == input.shape[:-1]:
        return var[..., None]
    return var


@path("gaussian_nll_loss", "tf.maximum", kind="composed", params=["full", "eps", "reduction"],
      call="v = tf.maximum(var (var[..., None] if var.shape == input.shape[:-1]), eps); "
           "reduce(0.5 * (tf.math.log(v) + tf.square(input - target) / v) "
           "(+ 0.5 * log(2 pi) if full), reduction)")
def gaussian_tf(input, target, var, *, full, eps, reduction):
    v = tf.maximum(per_row(var, input), eps)
    losses = 0.5 * (tf.math.log(v) + tf.square(input - target) / v)
    if full:
        losses += 0.5 * math.log(2 * math.pi)
    return reduce(losses, reduction)


# ---------------------------------------------------------------- evidence of the conventions

KERAS_POISSON_DOC = "https://keras.io/api/losses/probabilistic_losses/#poisson-class"
KERAS_EPS_SEEN = ("[[16.11809565, 1.88629396, 2.], [1., 1.90138768, 5.79517584]] = r - t log(r + "
                  "1e-7); canonical (eps 1e-8) [[18.42068074, 1.88629432, 2.], [1., 1.90138771, "
                  "5.79517728]]; gradient at r = 0, t = 1: -9999999 = 1 - 1/1e-7 (canonical "
                  "-1e8); fed r = exp(x), x = -20, t = 1: 16.0977 instead of 20.0000")
for _p, _case in (("keras.losses.Poisson", "rate-at-zero-mean/none"),
                  ("keras.losses.Poisson(1-D)", "rate-at-zero-1d/none"),
                  ("keras.losses.Poisson[..., None]", "rate-at-zero/none"),
                  ("keras.losses.poisson[..., None]", "rate-at-zero/none")):
    adapter.saw("keras_poisson_log_rate_plus_epsilon", path="poisson_nll_loss/" + _p,
                case="poisson_nll_loss/" + _case,
                call="keras.losses.Poisson(reduction='none', dtype='float64')(t[..., None], "
                     "r[..., None]) with r [[0., .5, 2.], [1., 3., .25]], t [[1., 2., 0.], "
                     "[0., 1., 4.]] (log_input=False)",
                seen=KERAS_EPS_SEEN, versions=SEEN_ON,
                link=KERAS_POISSON_DOC + " (loss = y_pred - y_true * log(y_pred); "
                     "keras/src/losses/losses.py poisson adds backend.epsilon())")
adapter.saw("keras_bce_mean_over_last_axis", path="poisson_nll_loss/keras.losses.Poisson(1-D)",
            case="poisson_nll_loss/rate-at-zero-1d/none",
            call="keras.losses.Poisson(reduction='none', dtype='float64')(t, r) on 1-D r, t",
            seen="a scalar, the mean of the elementwise losses (on (2, 3) arrays keras.losses."
                 "poisson gives shape (2,): [6.66812987, 2.89885451], the row means)",
            versions=SEEN_ON, link=KERAS_POISSON_DOC + " (poisson: 'Returns: Poisson loss values "
                                                        "with shape = [batch_size, d0, .. dN-1]')")

PROBED = (
    "tf.nn.log_poisson_loss(y, x, compute_full_loss=True) adds the Stirling term where not "
    "(0 <= y <= 1): on x [.5, -1, 2, 0, 1, .3], y [0, 1, 1.0001, 2, 1, 3] it gives [1.64872127, "
    "1.36787944, 5.30784463, 1.65180648, 1.71828183, 2.21394035], torch's values (for y >= 0 "
    "the rule is torch's y > 1; it differs only on negative counts, outside the domain)",
    "tf.maximum(v, eps) passes the whole gradient to v at a tie (v == eps): gradient [1, 1, 0] "
    "on v [.5, .25, .1], eps .25, as canonical (jnp.maximum gives [1, .5, 0])",
)

saw = adapter.saw

# Keras's own sample_weight=: per-sample weights on a wider output, 'mean_with_sample_weight'
for _loss, _path, _shape, _seen in (
        ("poisson_nll_loss", "keras.losses.Poisson[..., None](sample_weight=)", "(4, 3)",
         "5.4955877181367105 = sum(w l) / sum(w) (w = [.5, 2, 0, 1.5]); canonical 1.83186257 = "
         "sum(w l) / 12"),):
    saw("keras_weighted_mean_divides_by_given_weights", path=f"{_loss}/{_path}",
        case=f"{_loss}/per-sample-weighted_mean/none",
        call=_path.replace("(sample_weight=)", "") + f" with reduction='mean_with_sample_weight', "
             f"sample_weight=keras_sample_weight(w, rank) for per-sample w on {_shape} inputs",
        seen=_seen, versions=SEEN_ON, link=KERAS_WEIGHTED_DOC)


# ---------------------------------------------------------------- evidence: Keras masks

# the masked twins of the Keras classes' weighted paths (adapters/tensorflow.py
# derive_keras_mask_paths, which records these once it has declared them): the convention
# keras_masked_mean_divides_by_kept_count, the Keras versions SEEN_ON
KERAS_MASK_EVIDENCE = [
    dict(
        path="poisson_nll_loss/keras.losses.Poisson[..., None](masked input, sample_weight=)",
        case="poisson_nll_loss/per-sample-mean/none",
        call="keras.losses.Poisson[..., None](sample_weight=) (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 3) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="2.4424834302829823 = sum(w l) / 9, the kept elements of the 12 (reference "
             "2.44248343); without the mask the reference gives 1.831862573 = sum(w l) / 12 and "
             "keras.losses.Poisson[..., None](sample_weight=) gives 1.831862573",
    ),
]
