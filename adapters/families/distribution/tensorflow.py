"""TensorFlow/Keras paths of the distribution family (spec.py beside this file): kl_div, and
generalized_kl_divergence composed (neither TensorFlow nor Keras has it).
"""
from __future__ import annotations

from adapters.tensorflow import (
    KERAS_REDUCTION,
    KERAS_REFUSES_0D,
    KERAS_WEIGHTED,
    SEEN_ON,
    adapter,
    keras,
    keras_sample_weight,
    keras_weighted_twin,
    path,
    reduce,
    tf,
)

saw = adapter.saw

# ---------------------------------------------------------------- kl_div
# keras.losses.KLDivergence takes probabilities (y_true, y_pred), clips both to [eps, 1] and sums
# over the last axis (its two conventions). The tf composition follows PyTorch's definition.

KERAS_KL = ["keras_kl_divergence_clipped_to_epsilon", "keras_kl_divergence_mean_per_row"]


@path("kl_div", "keras.losses.KLDivergence", params=["reduction"], conventions=KERAS_KL,
      unsupported_when=KERAS_REFUSES_0D,
      call="keras.losses.KLDivergence(reduction={'mean': 'sum_over_batch_size'}.get(reduction, "
           "reduction), dtype=input.dtype.name)(target, tf.exp(tf.minimum(input, 1)))  "
           "['batchmean': reduction='sum', divided by input.shape[0]; the minimum only keeps exp "
           "from overflowing: Keras clips probabilities to 1, and exp(1) > 1]")
def kl_div_keras(input, target, *, reduction, sample_weight=None):
    keras_reduction = "sum" if reduction == "batchmean" else KERAS_REDUCTION[reduction]
    # exp(input) above 1 is clipped to 1 by Keras (gradient 0); exp overflowing to inf would make
    # the gradient nan (inf times the clip's 0), a fault of this conversion, not of Keras. Capped
    # at 1, not 0: exp of a tiny positive input rounds to 1, where the clip passes the gradient.
    probabilities = tf.exp(tf.minimum(input, tf.ones_like(input)))
    loss = keras.losses.KLDivergence(reduction=keras_reduction, dtype=input.dtype.name)(
        target, probabilities,
        sample_weight=keras_sample_weight(sample_weight, input.shape.rank - 1))  # (N,) rows
    if reduction == "batchmean":
        return loss / tf.cast(tf.shape(input)[0], loss.dtype)
    return loss


path("kl_div", "keras.losses.KLDivergence(sample_weight=)",
     params=["reduction", "sample_weight"], conventions=[*KERAS_KL, *KERAS_WEIGHTED],
     unsupported_when={**keras_weighted_twin("keras.losses.KLDivergence", "kl_div",
                                             [*KERAS_KL, *KERAS_WEIGHTED]),
                       **KERAS_REFUSES_0D},
     call="keras.losses.KLDivergence(reduction=..., dtype=input.dtype.name)(target, "
          "tf.exp(tf.minimum(input, 1)), sample_weight=keras_sample_weight(sample_weight, "
          "input.ndim - 1))  [as keras.losses.KLDivergence; its output is one loss per row]")(
    kl_div_keras)


@path("kl_div", "tf.math.xlogy", kind="composed", params=["reduction", "log_target"],
      conventions=["kl_div_zero_target_on_infinite_log_ratio_is_nan"],
      call="reduce(tf.exp(target) * (target - input) if log_target else "
           "tf.math.xlogy(target, target) - target * input, reduction)  "
           "['batchmean': sum / input.shape[0], 1 for 0-d input]")
def kl_div_tf(input, target, *, reduction, log_target):
    if log_target:
        elements = tf.exp(target) * (target - input)
    else:
        elements = tf.math.xlogy(target, target) - target * input
    if reduction == "batchmean":    # N, 1 for a 0-d input (one element)
        n = tf.shape(input)[0] if input.shape.rank else 1
        return tf.reduce_sum(elements) / tf.cast(n, elements.dtype)
    return reduce(elements, reduction)


saw("kl_div_zero_target_on_infinite_log_ratio_is_nan", path="kl_div/tf.math.xlogy",
    case="kl_div/zero-target-neg-inf-input/none",
    call="tf.math.xlogy(t, t) - t * x with x = [[-inf, log .25, log .75], [log .5, log .5, -inf]], "
         "t = [[0, .25, .75], [.5, .5, 0]]",
    seen="[[nan, 0, 0], [0, 0, nan]]: xlogy(0, 0) = 0 but 0 * -inf = nan; gradient -t, finite",
    versions=SEEN_ON, link="https://www.tensorflow.org/api_docs/python/tf/math/xlogy")
# ---------------------------------------------------------------- generalized_kl_divergence
# No TensorFlow or Keras loss computes it (keras.losses.KLDivergence clips both arguments to
# [1e-7, 1], so it cannot take an unnormalised target): tf.math.xlogy for t log t, plus exp(x) - t.

@path("generalized_kl_divergence", "tf.math.xlogy", kind="composed", params=["reduction"],
      conventions=["kl_div_zero_target_on_infinite_log_ratio_is_nan"],
      call="reduce(tf.math.xlogy(target, target) - target * input + tf.exp(input) - target, "
           "reduction)  ['batchmean': sum / input.shape[0]]")
def generalized_kl_tf(input, target, *, reduction):
    elements = tf.math.xlogy(target, target) - target * input + tf.exp(input) - target
    if reduction == "batchmean":
        return tf.reduce_sum(elements) / tf.cast(tf.shape(input)[0], elements.dtype)
    return reduce(elements, reduction)


saw("kl_div_zero_target_on_infinite_log_ratio_is_nan",
    path="generalized_kl_divergence/tf.math.xlogy",
    case="generalized_kl_divergence/zero-target-neg-inf-input/none",
    call="tf.math.xlogy(t, t) - t * x + tf.exp(x) - t with x = [[-inf, log .5, 0.], [0., log 2, "
         "-inf]], t = [[0., .25, 1.], [.5, 2., 0.]]",
    seen="[[nan, 0.0767, 0.], [0.1534, 0., nan]]: xlogy(0, 0) = 0 but 0 * -inf = nan (canonical "
         "0); gradient exp(x) - t = [[0, .25, 0], [.5, 0, 0]]",
    versions=SEEN_ON, link="https://www.tensorflow.org/api_docs/python/tf/math/xlogy")

KERAS_KL_DOC = "https://keras.io/api/losses/probabilistic_losses/#kldivergence-class"
saw("keras_kl_divergence_clipped_to_epsilon", path="kl_div/keras.losses.KLDivergence",
    case="kl_div/zero-targets/none",
    call="keras.losses.KLDivergence(reduction='none', dtype='float64')([[0, .25, .75], [.5, .5, "
         "0]], "
         "tf.exp(log_softmax([[.5, -1, 2], [1.5, .25, -.75]])))",
    seen="[0.42897471, 0.26252408]; gradient w.r.t. the input -1e-07 where the target is 0 "
         "([[-1e-07, -0.25, -0.75], [-0.5, -0.5, -1e-07]]; canonical 0 there)",
    versions=SEEN_ON, link=KERAS_KL_DOC + " (kl_divergence: 'y_true = ops.clip(y_true, "
    "backend.epsilon(), 1)', the same for y_pred, keras/src/losses/losses.py)")
saw("keras_kl_divergence_mean_per_row", path="kl_div/keras.losses.KLDivergence",
    case="kl_div/batch-mean/none",
    call="keras.losses.KLDivergence(dtype='float64')(softmax(normal(4, 5)), "
         "tf.exp(log_softmax(normal(4, 5))))  [seeds 121, 120]",
    seen="0.8341389552860348 = the sum over all 20 elements / 4 rows (canonical mean: / 20)",
    versions=SEEN_ON, link=KERAS_KL_DOC + " ('loss = y_true * log(y_true / y_pred)', summed "
    "over axis=-1 in keras.losses.kl_divergence)")

# Seen, but no convention (no canonical difference reaches a checked value):


# ---------------------------------------------------------------- evidence: Keras masks

# the masked twins of the Keras classes' weighted paths (adapters/tensorflow.py
# derive_keras_mask_paths, which records these once it has declared them): the convention
# keras_masked_mean_divides_by_kept_count, the Keras versions SEEN_ON
KERAS_MASK_EVIDENCE = [
    dict(
        path="kl_div/keras.losses.KLDivergence(masked input, sample_weight=)",
        case="kl_div/per-sample-mean/none",
        call="keras.losses.KLDivergence(sample_weight=) (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="1.669367869192926 = sum(w l) / 3, the kept elements of the 4 (reference "
             "1.669367869); without the mask the reference gives 1.252025902 = sum(w l) / 4 and "
             "keras.losses.KLDivergence(sample_weight=) gives 1.252025902",
    ),
]
