"""TensorFlow/Keras paths of the embedding family (spec.py beside this file).

Keras has no ranking, hinge-embedding, triplet or cosine-embedding loss: those are composed from
tf primitives (tf.nn.relu, canonical at the kink) and, for the cosine, keras.losses.
cosine_similarity. Keras's hinge losses are native (class and function forms); they end in
ops.maximum(z, 0.), tf.maximum, whose gradient goes to z at a tie: hinge_kink_grad_active.
"""
from __future__ import annotations

from adapters.tensorflow import (
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

KINK = ["hinge_kink_grad_active"]
MEAN_LAST = ["keras_bce_mean_over_last_axis"]
KERAS_HINGE_DOC = "https://keras.io/api/losses/hinge_losses/"


# ---------------------------------------------------------------- margin_ranking_loss

@path("margin_ranking_loss", "tf.nn.relu", kind="composed", params=["margin", "reduction"],
      call="reduce(tf.nn.relu(-target * (input1 - input2) + margin), reduction)")
def margin_ranking_tf(input1, input2, target, *, margin, reduction):
    return reduce(tf.nn.relu(-target * (input1 - input2) + margin), reduction)


# ---------------------------------------------------------------- hinge_embedding_loss

@path("hinge_embedding_loss", "tf.nn.relu", kind="composed", params=["margin", "reduction"],
      call="reduce(tf.where(target != -1, input, 0) + tf.where(target != 1, "
           "tf.nn.relu(margin - input), 0), reduction)")
def hinge_embedding_tf(input, target, *, margin, reduction):
    zero = tf.zeros_like(input)
    losses = (tf.where(target != -1, input, zero)
              + tf.where(target != 1, tf.nn.relu(margin - input), zero))
    return reduce(losses, reduction)


# ---------------------------------------------------------------- triplet_margin_loss

def p_norm(w, p, axis=-1):
    """||w||_p over `axis` (the last by default); gradient 0 (not nan) at w = 0, like torch's
    norm."""
    s = tf.reduce_sum(tf.abs(w) ** p, axis=axis)
    positive = s > 0
    safe = tf.where(positive, s, tf.ones_like(s))   # keeps the root's gradient finite at 0
    return tf.where(positive, safe ** (1.0 / p), tf.zeros_like(s))


# the feature axis (optax's axis=) is the axis p_norm reduces over: TensorFlow has no triplet
# loss, so the composition takes it directly, where torch moves it last
@path("triplet_margin_loss", "tf.minimum", kind="composed",
      params=["margin", "p", "eps", "swap", "axis", "reduction"],
      conventions=["tf_minimum_tie_grad_to_first"],
      call="d = lambda u, v: p_norm(u - v + eps, p, axis); d_neg = tf.minimum(d(anchor, "
           "negative), d(positive, negative)) if swap else d(anchor, negative); "
           "reduce(tf.nn.relu((d(anchor, positive) - d_neg) + margin), reduction)  [p_norm: "
           "tf.reduce_sum(tf.abs(w) ** p, axis=axis) ** (1 / p), "
           "adapters/families/embedding/tensorflow.py]")
def triplet_tf(anchor, positive, negative, *, margin, p, eps, swap, axis, reduction):

    def d(u, v):
        return p_norm(u - v + eps, p, axis)
    d_neg = d(anchor, negative)
    if swap:
        d_neg = tf.minimum(d_neg, d(positive, negative))
    return reduce(tf.nn.relu((d(anchor, positive) - d_neg) + margin), reduction)


# ---------------------------------------------------------------- cosine_embedding_loss

def _cosine_loss(c, target, margin, reduction):
    zero = tf.zeros_like(c)
    losses = (tf.where(target == 1, 1 - c, zero)
              + tf.where(target == -1, tf.nn.relu(c - margin), zero))
    return reduce(losses, reduction)


@path("cosine_embedding_loss", "keras.losses.cosine_similarity", kind="composed",
      params=["margin", "reduction"], conventions=["keras_cosine_norm_floored_at_epsilon"],
      call="c = -keras.losses.cosine_similarity(input1, input2, axis=-1); reduce(tf.where(target "
           "== 1, 1 - c, 0) + tf.where(target == -1, tf.nn.relu(c - margin), 0), reduction)")
def cosine_keras(input1, input2, target, *, margin, reduction):
    c = -keras.losses.cosine_similarity(input1, input2, axis=-1)
    return _cosine_loss(c, target, margin, reduction)


_RSQRT_AT_0 = ("at a zero vector the canonical cosine is 0/0 = nan, value and gradient; this "
               "composition gives the value nan but the gradient -inf with respect to the zero "
               "vector (seen [-inf, -inf, -inf] on row 0 of input1, nan for input2): the product "
               "rule sends x2 * rsqrt(0) = inf through the dot product. A degenerate input, no "
               "convention: nothing finite to follow")


_PARALLEL_TINY = ("parallel vectors of norms 8.2e-76 and 1.4e-30 (case "
                  "parallel-tiny-vectors): the cosine's gradient is a difference of two "
                  "terms of size 1/|input1| = 1.2e75 that cancel to 0, and this formula "
                  "leaves their rounding: seen [-2.51e58, -2.51e58] with respect to input1 "
                  "where the definition gives 0; "
                  "torch's and Keras's paths give 0. A precision limit of the formula, "
                  "not a convention")


@path("cosine_embedding_loss", "tf.math.rsqrt", kind="composed", params=["margin", "reduction"],
      known_failures={**{f"gradient:tiny-and-zero-vectors-{d}": _RSQRT_AT_0
                         for d in ("float64", "float32")},
                      "gradient:parallel-tiny-vectors-float64": _PARALLEL_TINY},
      call="c = tf.reduce_sum(input1 * input2, -1) * tf.math.rsqrt(tf.reduce_sum(input1 ** 2, -1)) "
           "* tf.math.rsqrt(tf.reduce_sum(input2 ** 2, -1)); reduce(tf.where(target == 1, 1 - c, "
           "0) "
           "+ tf.where(target == -1, tf.nn.relu(c - margin), 0), reduction)")
def cosine_tf(input1, input2, target, *, margin, reduction):
    c = (tf.reduce_sum(input1 * input2, -1) * tf.math.rsqrt(tf.reduce_sum(input1 ** 2, -1))
         * tf.math.rsqrt(tf.reduce_sum(input2 ** 2, -1)))
    return _cosine_loss(c, target, margin, reduction)


# ---------------------------------------------------------------- Keras's hinge losses (native)
# As for the regression losses (adapters/tensorflow.py): the class with the default reduction at
# any rank; every reduction on 1-D input, where Keras's mean over the last axis shows; the
# "[..., None]" forms add a last axis of size 1, so that mean changes nothing (Keras's 0/1 label
# conversion looks at every value, so the extra axis does not change it either).

KERAS_HINGE = {"hinge": ("Hinge", "hinge"), "squared_hinge": ("SquaredHinge", "squared_hinge")}


def _keras_hinge(loss, input, target, reduction="mean", elementwise=False, sample_weight=None):
    cls = getattr(keras.losses, KERAS_HINGE[loss][0])
    weight = keras_sample_weight(sample_weight, input.shape.rank)   # over the elements
    if elementwise:
        input, target = input[..., None], target[..., None]
    return cls(reduction=KERAS_REDUCTION[reduction], dtype=input.dtype.name)(
        target, input, sample_weight=weight)


def _keras_hinge_fn(loss, input, target, reduction):
    fn = getattr(keras.losses, KERAS_HINGE[loss][1])
    return reduce(fn(target[..., None], input[..., None]), reduction)


def _declare_keras_hinge(loss, cls, fn):
    kink = KINK if loss == "hinge" else []     # squared: the slope 2 max(0, z) is 0 at z = 0
    path(loss, f"keras.losses.{cls}", conventions=kink,
         call=f"keras.losses.{cls}(dtype=input.dtype.name)(target, input)")(
        lambda input, target: _keras_hinge(loss, input, target))
    path(loss, f"keras.losses.{cls}(1-D)", params=["reduction"], ndims=[1],
         conventions=[*MEAN_LAST, *kink],
         call=f"keras.losses.{cls}(reduction=..., dtype=input.dtype.name)(target, input)  "
              "[1-D input]")(
        lambda input, target, reduction: _keras_hinge(loss, input, target, reduction))
    # 2-D input: reduction='none' returns the (N,) row means, in which the cotangent is drawn
    path(loss, f"keras.losses.{cls}(2-D)", params=["reduction"], ndims=[2],
         conventions=[*MEAN_LAST, *kink],
         call=f"keras.losses.{cls}(reduction=..., dtype=input.dtype.name)(target, input)  "
              "[2-D input]")(
        lambda input, target, reduction: _keras_hinge(loss, input, target, reduction))
    path(loss, f"keras.losses.{cls}[..., None]", kind="composed", params=["reduction"],
         conventions=kink,
         call=f"keras.losses.{cls}(reduction=..., dtype=input.dtype.name)(target[..., None], "
              "input[..., None])")(
        lambda input, target, reduction: _keras_hinge(loss, input, target, reduction, True))
    path(loss, f"keras.losses.{fn}[..., None]", kind="composed", params=["reduction"],
         conventions=kink,
         call=f"reduce(keras.losses.{fn}(target[..., None], input[..., None]), reduction)")(
        lambda input, target, reduction: _keras_hinge_fn(loss, input, target, reduction))
    # Keras's own sample_weight= on the canonical "[..., None]" form
    path(loss, f"keras.losses.{cls}[..., None](sample_weight=)", kind="composed",
         params=["reduction", "sample_weight"], conventions=[*kink, *KERAS_WEIGHTED],
         unsupported_when=keras_weighted_twin(f"keras.losses.{cls}[..., None]", loss,
                                              [*kink, *KERAS_WEIGHTED]),
         call=f"keras.losses.{cls}(reduction=..., dtype=input.dtype.name)(target[..., None], "
              "input[..., None], sample_weight=keras_sample_weight(sample_weight, input.ndim))")(
        lambda input, target, reduction, sample_weight: _keras_hinge(
            loss, input, target, reduction, True, sample_weight))


for _loss, (_cls, _fn) in KERAS_HINGE.items():
    _declare_keras_hinge(_loss, _cls, _fn)


@path("categorical_hinge", "keras.losses.CategoricalHinge", params=["reduction"], conventions=KINK,
      call="keras.losses.CategoricalHinge(reduction=..., dtype=input.dtype.name)(target, input)")
def categorical_hinge_keras(input, target, *, reduction):
    return keras.losses.CategoricalHinge(reduction=KERAS_REDUCTION[reduction],
                                            dtype=input.dtype.name)(target, input)


@path("categorical_hinge", "keras.losses.CategoricalHinge(sample_weight=)",
      params=["reduction", "sample_weight"], conventions=[*KINK, *KERAS_WEIGHTED],
      unsupported_when=keras_weighted_twin("keras.losses.CategoricalHinge", "categorical_hinge",
                                           [*KINK, *KERAS_WEIGHTED]),
      call="keras.losses.CategoricalHinge(reduction=..., dtype=input.dtype.name)(target, input, "
           "sample_weight=keras_sample_weight(sample_weight, input.ndim - 1))")
def categorical_hinge_keras_weighted(input, target, *, reduction, sample_weight):
    return keras.losses.CategoricalHinge(reduction=KERAS_REDUCTION[reduction],
                                         dtype=input.dtype.name)(
        target, input, sample_weight=keras_sample_weight(sample_weight, input.shape.rank - 1))


@path("categorical_hinge", "keras.losses.categorical_hinge", kind="composed", params=["reduction"],
      conventions=KINK, call="reduce(keras.losses.categorical_hinge(target, input), reduction)")
def categorical_hinge_keras_fn(input, target, *, reduction):
    return reduce(keras.losses.categorical_hinge(target, input), reduction)


# ---------------------------------------------------------------- cosine_similarity (native)
# Keras's cosine_similarity is the canonical loss (-c), with its own floor of the norm at 1e-7
# and no eps argument: cases setting eps are unsupported here.
# A tuple axis is several axes at once: keras.ops.normalize sums the squares over a tuple
# (keras/src/ops/nn.py _normalize: ops.sum(square(x), axis=axis, keepdims=True)), then sums the
# product over it, the joint cosine.

COSINE_SIMILARITY = ["keras_cosine_norm_floored_at_epsilon"]


@path("cosine_similarity", "keras.losses.CosineSimilarity", params=["axis", "reduction"],
      tuple_params=["axis"], conventions=COSINE_SIMILARITY,
      call="keras.losses.CosineSimilarity(axis=axis, reduction=..., dtype=input.dtype.name)"
           "(target, input)")
def cosine_similarity_keras(input, target, *, axis, reduction):
    return keras.losses.CosineSimilarity(axis=axis, reduction=KERAS_REDUCTION[reduction],
                                         dtype=input.dtype.name)(target, input)


@path("cosine_similarity", "keras.losses.CosineSimilarity(sample_weight=)",
      params=["axis", "reduction", "sample_weight"], tuple_params=["axis"],
      conventions=[*COSINE_SIMILARITY, *KERAS_WEIGHTED],
      unsupported_when=keras_weighted_twin("keras.losses.CosineSimilarity", "cosine_similarity",
                                           [*COSINE_SIMILARITY, *KERAS_WEIGHTED]),
      call="keras.losses.CosineSimilarity(axis=axis, reduction=..., dtype=input.dtype.name)"
           "(target, input, sample_weight=keras_sample_weight(sample_weight, input.ndim - "
           "len(axis) for a tuple, else 1))")
def cosine_similarity_keras_weighted(input, target, *, axis, reduction, sample_weight):
    removed = len(axis) if isinstance(axis, tuple) else 1     # the loss's rank: the axes summed
    return keras.losses.CosineSimilarity(axis=axis, reduction=KERAS_REDUCTION[reduction],
                                         dtype=input.dtype.name)(
        target, input, sample_weight=keras_sample_weight(sample_weight,
                                                         input.shape.rank - removed))


@path("cosine_similarity", "keras.losses.cosine_similarity", kind="composed",
      params=["axis", "reduction"], tuple_params=["axis"], conventions=COSINE_SIMILARITY,
      call="reduce(keras.losses.cosine_similarity(target, input, axis=axis), reduction)")
def cosine_similarity_keras_fn(input, target, *, axis, reduction):
    return reduce(keras.losses.cosine_similarity(target, input, axis=axis), reduction)


# ---------------------------------------------------------------- circle (native)
# keras.losses.circle computes the distance max(1 - x_i . x_j, 0) and ends its weights in
# ops.maximum(..., 0.) (tf.maximum: the tie's gradient to the first argument); the class's mean
# divides by the number of positive losses (its Keras mask).

CIRCLE = ["keras_circle_distance_clamped_at_0", "hinge_kink_grad_active"]
CIRCLE_PARAMS = ["gamma", "margin", "remove_diagonal", "reduction"]


@path("circle", "keras.losses.Circle", params=CIRCLE_PARAMS,
      conventions=[*CIRCLE, "keras_circle_mean_over_positive_losses"],
      call="keras.losses.Circle(gamma=gamma, margin=margin, remove_diagonal=remove_diagonal, "
           "reduction=..., dtype=input.dtype.name)(target, input)")
def circle_keras(input, target, *, gamma, margin, remove_diagonal, reduction):
    return keras.losses.Circle(gamma=gamma, margin=margin, remove_diagonal=remove_diagonal,
                               reduction=KERAS_REDUCTION[reduction],
                               dtype=input.dtype.name)(target, input)


@path("circle", "keras.losses.Circle(sample_weight=)", params=[*CIRCLE_PARAMS, "sample_weight"],
      conventions=[*CIRCLE, "keras_circle_mean_over_positive_losses",
                   "keras_weighted_mean_drops_masked_weights", *KERAS_WEIGHTED],
      unsupported_when=keras_weighted_twin(
          "keras.losses.Circle", "circle",
          [*CIRCLE, "keras_circle_mean_over_positive_losses", *KERAS_WEIGHTED]),
      call="keras.losses.Circle(gamma=gamma, margin=margin, remove_diagonal=remove_diagonal, "
           "reduction=..., dtype=input.dtype.name)(target, input, "
           "sample_weight=keras_sample_weight(sample_weight, 1))")
def circle_keras_weighted(input, target, *, gamma, margin, remove_diagonal, reduction,
                          sample_weight):
    return keras.losses.Circle(gamma=gamma, margin=margin, remove_diagonal=remove_diagonal,
                               reduction=KERAS_REDUCTION[reduction],
                               dtype=input.dtype.name)(
        target, input, sample_weight=keras_sample_weight(sample_weight, 1))


@path("circle", "keras.losses.circle", kind="composed", params=CIRCLE_PARAMS, conventions=CIRCLE,
      call="reduce(keras.losses.circle(target, input, remove_diagonal=remove_diagonal, "
           "gamma=gamma, margin=margin), reduction)")
def circle_keras_fn(input, target, *, gamma, margin, remove_diagonal, reduction):
    return reduce(keras.losses.circle(target, input, remove_diagonal=remove_diagonal, gamma=gamma,
                                      margin=margin), reduction)


# ---------------------------------------------------------------- evidence of the conventions

saw = adapter.saw
_TF_MAXIMUM = ("tensorflow/python/ops/math_grad.py _MaximumGrad: the gradient goes to x where "
               "x >= y (no public documentation of the tie)")
saw("tf_minimum_tie_grad_to_first", path="triplet_margin_loss/tf.minimum",
    case="triplet_margin_loss/swap-tie/none",
    call="this module's triplet_tf(a, p, n, eps=0., swap=True, reduction='none') with "
         "anchor == positive, so d(a, n) == d(p, n)",
    seen="anchor.grad row 0 [1., 0.] x the cotangent, positive.grad 0 (canonical: half each, "
         "[.5, 0.] and [.5, 0.], as torch and jnp.minimum give)", versions=SEEN_ON,
    link="tensorflow/python/ops/math_grad.py _MinimumGrad: xmask = x <= y "
         "(no public documentation of the tie)")
saw("keras_cosine_norm_floored_at_epsilon",
    path="cosine_embedding_loss/keras.losses.cosine_similarity",
    case="cosine_embedding_loss/tiny-and-zero-vectors/none",
    call="keras.losses.cosine_similarity([[0., 0., 0.], [3e-8, 4e-8, 0.], [1., 2., 3.]], "
         "[[1., 2., 3.], [1., 0., 0.], [2., 1., 0.]])",
    seen="[-0., -0.3, -0.47809144]: row 1 (norm 5e-8 < 1e-7) is 3e-8 x 1e7 = 0.3, canonical 0.6; "
         "row 0 (zero vector) 0, canonical nan; gradient of row 0 with respect to the zero vector "
         "-1e7 x2 / ||x2|| (finite)", versions=SEEN_ON,
    link="keras/src/ops/nn.py _normalize: x * minimum(rsqrt(square_sum), 1 / epsilon); "
         "https://keras.io/api/losses/regression_losses/#cosinesimilarity-class ('If either "
         "y_true or y_pred is a zero vector, cosine similarity will be 0')")
for _p in ("hinge/keras.losses.Hinge(1-D)", "hinge/keras.losses.Hinge[..., None]",
           "hinge/keras.losses.hinge[..., None]"):
    saw("hinge_kink_grad_active", path=_p, case="hinge/at-kink-binary/none",
        call=_p.split("/", 1)[1] + " on target [1., 0., 1., 0.], input [.5, -1., 1., .3] "
             "(0/1 labels, converted to [1, -1, 1, -1]; elements 1 and 2 at 1 - t x = 0)",
        seen="values as canonical; gradient at the kinks -t v (tf.maximum(z, 0.) gives z the "
             "tie), canonical 0", versions=SEEN_ON, link=_TF_MAXIMUM)
saw("keras_bce_mean_over_last_axis", path="hinge/keras.losses.Hinge(1-D)",
    case="hinge/labels-pm1-1d-sum/none",
    call="keras.losses.Hinge(reduction='sum', dtype='float64')([1., -1., -1., 1.], "
         "[0.25, 0.5, -2., 3.])",
    seen="0.5625 = 2.25 / 4, the canonical sum divided by input.shape[-1]", versions=SEEN_ON,
    link=KERAS_HINGE_DOC + " (hinge: 'loss = mean(maximum(1 - y_true * y_pred, 0), axis=-1)')")
saw("keras_bce_mean_over_last_axis", path="squared_hinge/keras.losses.SquaredHinge(1-D)",
    case="squared_hinge/labels-pm1-1d-sum/none",
    call="keras.losses.SquaredHinge(reduction='sum', dtype='float64')([1., -1., -1., 1.], "
         "[0.25, 0.5, -2., 3.])",
    seen="0.703125 = 2.8125 / 4, the canonical sum divided by input.shape[-1]", versions=SEEN_ON,
    link=KERAS_HINGE_DOC + " (squared_hinge: 'mean(square(maximum(1 - y_true * y_pred, 0)), "
                           "axis=-1)')")
for _loss, _cls, _seen in (
        ("hinge", "Hinge", "[0.4383962748450775, 1.0022842873315114, 1.7170317087104663, "
                           "1.0441556587513179]"),
        ("squared_hinge", "SquaredHinge", "[2.453666794245845, 3.6774806392148607, "
                                          "2.3885360706426013, 2.1785354925143716]")):
    saw("keras_bce_mean_over_last_axis", path=f"{_loss}/keras.losses.{_cls}(2-D)",
        case=f"{_loss}/labels-pm1-none/none",
        call=f"keras.losses.{_cls}(reduction=None, dtype='float64')(target, input) on (4, 5) "
             "inputs",
        seen=_seen + ": shape (4,), the means of the rows of the canonical (4, 5) elements; "
             "gradient of their sum -t / 5 where the hinge is active", versions=SEEN_ON,
        link=KERAS_HINGE_DOC + f" ({_loss}: 'mean(..., axis=-1)')")
saw("hinge_kink_grad_active", path="hinge/keras.losses.Hinge(2-D)",
    case="hinge/at-kink-2d-none/none",
    call="keras.losses.Hinge(reduction=None, dtype='float64')([[1., -1., 1., -1.], [1., 1., -1., "
         "-1.]], [[.5, -1., 1., .3], [1., .5, -1., 2.]])",
    seen="[0.45, 0.875] (canonical row means); gradient of the sum [[-0.25, 0.25, -0.25, 0.25], "
         "[-0.25, -0.25, 0.25, 0.25]]: -t / 4 also at the four kinks, canonical 0 there",
    versions=SEEN_ON, link=_TF_MAXIMUM)
for _p in ("categorical_hinge/keras.losses.CategoricalHinge",
           "categorical_hinge/keras.losses.categorical_hinge"):
    saw("hinge_kink_grad_active", path=_p, case="categorical_hinge/at-kink/none",
        call=_p.split("/", 1)[1] + " with row 0 at neg - pos + 1 = 0",
        seen="rows 0 and 1: value 0, gradient for a sum [1., -1., 0.] and [-1., 0., 1.] "
             "((1 - y) [argmax] - y: hinge active); canonical 0",
        versions=SEEN_ON, link=_TF_MAXIMUM)

for _p in ("cosine_similarity/keras.losses.CosineSimilarity",
           "cosine_similarity/keras.losses.cosine_similarity"):
    saw("keras_cosine_norm_floored_at_epsilon", path=_p,
        case="cosine_similarity/tiny-and-zero-vectors/none",
        call=_p.split("/", 1)[1] + " (reduction='none') with input rows [0, 0, 0], [3e-8, 4e-8, "
             "0], [1, 2, 3] and target rows [1, 2, 3], [1, 0, 0], [2, 1, 0]",
        seen="[0., -0.3, -0.47809144]: row 1 (norm 5e-8 < 1e-7) -3e-8 x 1e7 = -0.3, canonical "
             "-0.6; row 0 (a zero vector) 0, canonical nan", versions=SEEN_ON,
        link="keras/src/ops/nn.py _normalize: x * minimum(rsqrt(square_sum), 1 / epsilon); "
             "https://keras.io/api/losses/regression_losses/#cosinesimilarity-class ('If either "
             "y_true or y_pred is a zero vector, cosine similarity will be 0')")
for _p in ("circle/keras.losses.Circle", "circle/keras.losses.circle"):
    saw("keras_circle_distance_clamped_at_0", path=_p, case="circle/not-unit-norm/none",
        call=_p.split("/", 1)[1] + " (reduction='none', float64) on input [[2, 0], [1.5, 0], [0, "
             "1], [0, -1]], target [0, 0, 1, 1]",
        seen="[1.524e-11, 1.524e-11, 295.093, 295.093]; canonical [5.522e-6, 5.522e-6, 295.093, "
             "295.093]: s_01 = 3 counts as 1 (distance max(1 - 3, 0) = 0), so alpha_p = 0.4 and "
             "z_p = -80 x 0.4 x (1 - 0.6) = -12.8 where the canonical alpha_p = max(0, 1.4 - 3) = "
             "0 gives z_p = 0",
        versions=SEEN_ON, link="keras/src/losses/losses.py circle: pairwise_cosine_distances = "
        "ops.maximum(1 - matmul(y_pred, transpose(ref_embeddings)), 0.0)")
    saw("hinge_kink_grad_active", path=_p, case="circle/at-kink/none",
        call=_p.split("/", 1)[1] + " (reduction='none', float64, margin=0.5) on input [[1, 0], "
             "[0.75, 0.5], [-0.5, 0.75], [0, 1]], target [0, 0, 1, 1]",
        seen="values as canonical (3.059e-7 each); gradient of the sum with respect to row 0 "
             "[6.118e-6, -4.894e-5] and row 2 [-4.894e-5, -2.447e-5], canonical [-1.835e-5, "
             "-1.224e-5] and [0., -2.447e-5]: alpha_n = max(0, s_02 + 0.5) at s_02 = -0.5 is "
             "differentiated with slope 1 (tf.maximum gives the tie to its first argument), "
             "canonical 0",
        versions=SEEN_ON, link=_TF_MAXIMUM)
saw("keras_circle_mean_over_positive_losses", path="circle/keras.losses.Circle",
    case="circle/unit-vectors-mean/none",
    call="keras.losses.Circle(dtype='float64')(target, input) on input [[1, 0], [0.6, 0.8], "
         "[0, 1], [-1, 0]], target [0, 0, 1, 2]",
    seen="19.54657428 = (0.69314856 + 38.4) / 2: rows 2 and 3 have no positive partner (loss 0) "
         "and are left out of the mean; canonical 9.77328714 = sum / 4; reduction='sum' "
         "39.09314856, 'none' [0.69314856, 38.4, 0., 0.] as canonical", versions=SEEN_ON,
    link="keras/src/losses/losses.py circle: backend.set_keras_mask(circle_loss, circle_loss > "
         "0); keras/src/losses/loss.py apply_mask: 'sum(loss * sample_weight) / valid' for "
         "sum_over_batch_size")

# Seen, but no convention:
PROBED = (
    "keras.losses.hinge/squared_hinge convert y_true to 2 y - 1 only when every value of the "
    "tensor is 0 or 1 (convert_binary_labels_to_hinge: ops.all over the whole tensor): "
    "[[1, 0, 1, 0], [0, 1, 0, -1]] is left as it is (a 0 label gives max(0, 1) = 1); all ones "
    "stay ones. Part of the canonical definition (spec)",
    "keras.losses.categorical_hinge takes y_true as given (no conversion) and masks the target "
    "class with (1 - y) x, so the target class enters the max as 0: for [0.5, 0.2, -1.] and "
    "class 1, 1.3; tf.reduce_max splits a tie's gradient equally (canonical)",
    "Keras has no triplet, ranking, hinge-embedding or cosine-embedding loss "
    "(keras.losses.CosineSimilarity returns -c, a similarity to minimise, with no target sign "
    "and no margin): those paths are composed",
    "keras.losses.cosine_similarity and CosineSimilarity take no epsilon (keras.config.epsilon(), "
    "1e-7, floors every norm): the canonical eps is not theirs to set",
    "keras.losses.circle's ref_labels and ref_embeddings (anchors against another set of "
    "embeddings, a memory bank) are not covered: the canonical circle loss pairs a batch with "
    "itself, as the Circle class does",
)


# Keras's own sample_weight=: per-sample weights on a wider output, 'mean_with_sample_weight'
for _loss, _path, _shape, _seen in (
        ("hinge", "keras.losses.Hinge[..., None](sample_weight=)", "(4, 5)",
         "4.737500250265674 = sum(w l) / sum(w) (w = [.5, 2, 0, 1.5], sum 4); canonical "
         "0.94750005 = sum(w l) / 20, the weights broadcast over the 5 columns"),
        ("squared_hinge", "keras.losses.SquaredHinge[..., None](sample_weight=)", "(4, 5)",
         "14.811997392905251 = sum(w l) / 4; canonical 2.96239948 = sum(w l) / 20"),):
    saw("keras_weighted_mean_divides_by_given_weights", path=f"{_loss}/{_path}",
        case=f"{_loss}/per-sample-weighted_mean/none",
        call=_path.replace("(sample_weight=)", "") + f" with reduction='mean_with_sample_weight', "
             f"sample_weight=keras_sample_weight(w, rank) for per-sample w on {_shape} inputs",
        seen=_seen, versions=SEEN_ON, link=KERAS_WEIGHTED_DOC)
saw("keras_weighted_mean_drops_masked_weights", path="circle/keras.losses.Circle(sample_weight=)",
    case="circle/per-sample-weighted_mean/none",
    call="keras.losses.Circle(gamma=80., margin=.4, reduction='mean_with_sample_weight', "
         "dtype='float64')(labels, embeddings (4, 2), sample_weight=[.5, 2., 0., 1.5])",
    seen="30.85862971218906: the weights of the positive losses only in the divisor (Circle's "
         "Keras mask, loss > 0); canonical 19.28664357 = sum(w l) / sum(w)",
    versions=SEEN_ON, link="keras/src/losses/loss.py apply_mask: 'sample_weight *= float_mask' "
    "before reduce_values divides by ops.sum(sample_weight); keras/src/losses/losses.py circle: "
    "backend.set_keras_mask(circle_loss, circle_loss > 0)")

# ---------------------------------------------------------------- compiled twins

# Checks where tf.function(..., jit_compile=True) of a path differs from the path (adapters.
# tensorflow derive_paths), with the values seen (tensorflow 2.21.0, keras 3.15.1, CPU,
# float64; conformance/test_convention.py).
_XLA_COSINE = ("under XLA the gradient at a zero vector is nan: case 'tiny-and-zero-vectors' "
               "(input row [0, 0, 0]) gives [nan, nan, nan] where eager Keras, whose norm is "
               "floored at epsilon, gives [3.06871115e+05, 6.13742229e+05, 9.20613344e+05] "
               "(check's cotangent)")
COMPILED_KNOWN_FAILURES = {
    "cosine_embedding_loss/keras.losses.cosine_similarity+xla": {
        "convention:tiny-and-zero-vectors-float64": _XLA_COSINE},
    "cosine_similarity/keras.losses.CosineSimilarity+xla": {
        "convention:tiny-and-zero-vectors-float64": _XLA_COSINE},
}


# ---------------------------------------------------------------- evidence: Keras masks

# the masked twins of the Keras classes' weighted paths (adapters/tensorflow.py
# derive_keras_mask_paths, which records these once it has declared them): the convention
# keras_masked_mean_divides_by_kept_count, the Keras versions SEEN_ON
KERAS_MASK_EVIDENCE = [
    dict(
        path="hinge/keras.losses.Hinge[..., None](masked input, sample_weight=)",
        case="hinge/per-sample-mean/none",
        call="keras.losses.Hinge[..., None](sample_weight=) (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 5) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="1.263333400070846 = sum(w l) / 15, the kept elements of the 20 (reference "
             "1.2633334); without the mask the reference gives 0.9475000501 = sum(w l) / 20 and "
             "keras.losses.Hinge[..., None](sample_weight=) gives 0.9475000501",
    ),
    dict(
        path="squared_hinge/keras.losses.SquaredHinge[..., None](masked input, sample_weight=)",
        case="squared_hinge/per-sample-mean/none",
        call="keras.losses.SquaredHinge[..., None](sample_weight=) (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4, 5) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="3.9498659714414 = sum(w l) / 15, the kept elements of the 20 (reference "
             "3.949865971); without the mask the reference gives 2.962399479 = sum(w l) / 20 and "
             "keras.losses.SquaredHinge[..., None](sample_weight=) gives 2.962399479",
    ),
    dict(
        path="categorical_hinge/keras.losses.CategoricalHinge(masked input, sample_weight=)",
        case="categorical_hinge/per-sample-mean/none",
        call="keras.losses.CategoricalHinge(sample_weight=) (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5, "
             "1. ], dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (5,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="2.3066733562625292 = sum(w l) / 4, the kept elements of the 5 (reference "
             "2.306673356); without the mask the reference gives 1.845338685 = sum(w l) / 5 and "
             "keras.losses.CategoricalHinge(sample_weight=) gives 1.845338685",
    ),
    dict(
        path="cosine_similarity/keras.losses.CosineSimilarity(masked input, sample_weight=)",
        case="cosine_similarity/per-sample-mean/none",
        call="keras.losses.CosineSimilarity(sample_weight=) (this module's call) with "
             "reduction='mean' (Keras 'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. , 1.5], "
             "dtype float64, on the inputs of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="-0.09929911354825435 = sum(w l) / 3, the kept elements of the 4 (reference "
             "-0.09929911355); without the mask the reference gives -0.07447433516 = sum(w l) / 4 "
             "and keras.losses.CosineSimilarity(sample_weight=) gives -0.07447433516",
    ),
    dict(
        path="circle/keras.losses.Circle(masked input, sample_weight=)",
        case="circle/per-sample-zero-positive-mean/none",
        call="keras.losses.Circle(sample_weight=) (this module's call) with reduction='mean' "
             "(Keras 'sum_over_batch_size'), sample_weight=[0.5, 0. , 1. , 1.5], dtype float64, "
             "on the inputs of case per-sample-zero-positive-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (4,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="0.3465742804726393 = sum(w l) / 1, the kept elements of the 4 (reference "
             "0.3465742805); without the mask the reference gives 0.1732871402 = sum(w l) / 2 and "
             "keras.losses.Circle(sample_weight=) gives 0.1732871402",
    ),
]
