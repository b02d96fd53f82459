"""JAX/optax paths of the embedding family (spec.py beside this file).

optax has triplet_margin_loss, hinge_loss and cosine_similarity; the others are composed from
jax.nn.relu (gradient 0 at 0: canonical at the kink). optax's losses end in jnp.maximum(z, 0),
which splits a tie's gradient evenly: hinge_kink_grad_half. optax.multiclass_hinge_loss is a
different loss from Keras's categorical_hinge (it leaves the target class out of the max, where
Keras's (1 - y) x puts a 0 there), so it is not a path of categorical_hinge.
"""
from __future__ import annotations

from adapters.jax_optax import OPTAX_DOC, SEEN_ON, adapter, jax, jnp, optax, path, reduce

HALF = ["hinge_kink_grad_half"]


def _relu(z):
    return jax.nn.relu(z)


# ---------------------------------------------------------------- margin_ranking_loss

@path("margin_ranking_loss", "jax.nn.relu", kind="composed", params=["margin", "reduction"],
      call="reduce(jax.nn.relu(-target * (input1 - input2) + margin), reduction)")
def margin_ranking_jax(input1, input2, target, *, margin, reduction):
    return reduce(_relu(-target * (input1 - input2) + margin), reduction)


# ---------------------------------------------------------------- hinge_embedding_loss

@path("hinge_embedding_loss", "jax.nn.relu", kind="composed", params=["margin", "reduction"],
      call="reduce(jnp.where(target != -1, input, 0) + jnp.where(target != 1, "
           "jax.nn.relu(margin - input), 0), reduction)")
def hinge_embedding_jax(input, target, *, margin, reduction):
    losses = jnp.where(target != -1, input, 0) + jnp.where(target != 1, _relu(margin - input), 0)
    return reduce(losses, reduction)


# ---------------------------------------------------------------- triplet_margin_loss

def p_norm(w, p):
    """||w||_p over the last axis with torch's gradients: sign(0) = 0 for a zero component
    (w * sign(w), where jnp.abs would give +1: jax_abs_grad_at_0_is_1), 0 at w = 0."""
    s = jnp.sum((w * jnp.sign(w)) ** p, axis=-1)
    safe = jnp.where(s > 0, s, 1.0)          # keeps the root's gradient finite at 0
    return jnp.where(s > 0, safe ** (1.0 / p), 0.0)


@path("triplet_margin_loss", "jnp.minimum", kind="composed",
      params=["margin", "p", "eps", "swap", "reduction"],
      call="d = lambda u, v: p_norm(u - v + eps, p); d_neg = jnp.minimum(d(anchor, negative), "
           "d(positive, negative)) if swap else d(anchor, negative); reduce(jax.nn.relu((d(anchor, "
           "positive) - d_neg) + margin), reduction)  [p_norm: "
           "adapters/families/embedding/jax_optax.py]")
def triplet_jax(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    def d(u, v):
        return p_norm(u - v + eps, p)
    d_neg = d(anchor, negative)
    if swap:
        d_neg = jnp.minimum(d_neg, d(positive, negative))   # a tie splits the gradient
    return reduce(_relu((d(anchor, positive) - d_neg) + margin), reduction)


# No `p` and no `swap`: optax's power carries no absolute value (a norm only for even degrees)
# and it has no swap; cases setting them are unsupported here, with the reason.
@path("triplet_margin_loss", "optax.losses.triplet_margin_loss", kind="composed",
      params=["margin", "eps", "axis", "reduction"],
      conventions=["optax_triplet_eps_added_to_power_sum", *HALF],
      call="reduce(optax.losses.triplet_margin_loss(anchor, positive, negative, axis=axis, "
           "norm_degree=2, margin=margin, eps=eps), reduction)")
def triplet_optax(anchor, positive, negative, *, margin, eps, axis, reduction):
    return reduce(optax.losses.triplet_margin_loss(anchor, positive, negative, axis=axis,
                                                      norm_degree=2, margin=margin, eps=eps),
                  reduction)


# ---------------------------------------------------------------- cosine_embedding_loss

_PARALLEL_TINY = ("parallel vectors of norms 8.2e-76 and 1.4e-30 (case "
                  "parallel-tiny-vectors): the cosine's gradient is a difference of two "
                  "terms of size 1/|input1| = 1.2e75 that cancel to 0, and this formula "
                  "leaves their rounding: seen [2.01e59, 2.01e59] (eager; jit: "
                  "[-3.27e58, -3.27e58]) with respect to input1 where the definition gives 0; "
                  "torch's and Keras's paths give 0. A precision limit of the formula, "
                  "not a convention")


@path("cosine_embedding_loss", "optax.losses.cosine_similarity", kind="composed",
      params=["margin", "reduction"],
      known_failures={"gradient:parallel-tiny-vectors-float64": _PARALLEL_TINY},
      call="c = optax.losses.cosine_similarity(input1, input2); reduce(jnp.where(target == 1, "
           "1 - c, 0) + jnp.where(target == -1, jax.nn.relu(c - margin), 0), reduction)  "
           "[epsilon=0., the default]")
def cosine_optax(input1, input2, target, *, margin, reduction):
    c = optax.losses.cosine_similarity(input1, input2)
    return reduce(jnp.where(target == 1, 1 - c, 0) + jnp.where(target == -1, _relu(c - margin), 0),
                  reduction)


# ---------------------------------------------------------------- cosine_similarity
# optax's cosine_similarity is +c: the path negates it (exact); cosine_distance is 1 - c, kept
# as it is under its convention. Both take epsilon as a floor of the squared norm, and a tuple
# axis, several axes at once ("axis: Axis or axes along which to compute"; optax/losses/
# _regression.py sums the squares and the product with .sum(axis=axis)), the joint cosine.

COSINE_SIMILARITY = ["optax_cosine_epsilon_bounds_squared_norm"]
_ONE_ELEMENT = ("vectors of one element, target of norm 1e-15 (case one-element-tiny-vectors, "
                "found by fuzzing): c = 1 and the gradient is 0, a difference of two terms of "
                "size 1 / |target| = 1e15 that cancel, and jnp.sqrt(jnp.square(b).sum()) leaves "
                "their rounding: seen with respect to target ")
_OPTAX_TINY = {
    "gradient:one-element-tiny-vectors-float64": _ONE_ELEMENT + (
        "[0.015625, ...] (eager; jit: [0.0111374, -0.0805]) where the definition gives [0, 0]; "
        "torch's path leaves [0.015625, -0.25]. A precision limit of the formula, not a "
        "convention"),
    "gradient:one-element-tiny-vectors-float32": _ONE_ELEMENT + (
        "[-2540858., 15386656.] (jit, float32: ulps of 1e15 are 6e7) where the definition gives "
        "[0, 0]. A precision limit of the formula, not a convention"),
}


@path("cosine_similarity", "-optax.losses.cosine_similarity", kind="composed",
      params=["axis", "eps", "reduction"], tuple_params=["axis"], conventions=COSINE_SIMILARITY,
      known_failures=_OPTAX_TINY,
      call="reduce(-optax.losses.cosine_similarity(input, target, epsilon=eps, axis=axis), "
           "reduction)")
def cosine_similarity_optax(input, target, *, axis, eps, reduction):
    return reduce(-optax.losses.cosine_similarity(input, target, epsilon=eps, axis=axis),
                  reduction)


@path("cosine_similarity", "optax.losses.cosine_distance", kind="composed",
      params=["axis", "eps", "reduction"], tuple_params=["axis"],
      conventions=[*COSINE_SIMILARITY, "optax_cosine_distance_is_1_minus_cosine"],
      known_failures=_OPTAX_TINY,
      call="reduce(optax.losses.cosine_distance(input, target, epsilon=eps, axis=axis), "
           "reduction)")
def cosine_distance_optax(input, target, *, axis, eps, reduction):
    return reduce(optax.losses.cosine_distance(input, target, epsilon=eps, axis=axis), reduction)


# ---------------------------------------------------------------- circle (composed)
# optax has no circle loss: keras.losses.circle's formula in jax.numpy, jax.nn.relu for the
# weights (slope 0 at 0: canonical)

@path("circle", "jax.nn.logsumexp", kind="composed",
      params=["gamma", "margin", "remove_diagonal", "reduction"],
      call="s = input @ input.T; same = target[:, None] == target[None, :]; pos = same & ~eye if "
           "remove_diagonal else same; z_p = -gamma * jax.nn.relu(1 + margin - s) * (s - (1 - "
           "margin)); z_n = gamma * jax.nn.relu(s + margin) * (s - margin); t = "
           "jax.nn.logsumexp(jnp.where(pos, z_p, -inf), 1) + jax.nn.logsumexp(jnp.where(~same, "
           "z_n, -inf), 1); reduce(jax.nn.softplus(t), reduction)")
def circle_jax(input, target, *, gamma, margin, remove_diagonal, reduction):
    s = input @ input.T
    same = target[:, None] == target[None, :]
    pos = same & ~jnp.eye(len(target), dtype=bool) if remove_diagonal else same
    z_p = -gamma * _relu(1 + margin - s) * (s - (1 - margin))
    z_n = gamma * _relu(s + margin) * (s - margin)
    t = (jax.nn.logsumexp(jnp.where(pos, z_p, -jnp.inf), axis=1)
         + jax.nn.logsumexp(jnp.where(~same, z_n, -jnp.inf), axis=1))
    return reduce(jax.nn.softplus(t), reduction)


# ---------------------------------------------------------------- Keras's hinge losses

def keras_labels(target):
    """Keras's conversion: 0/1 labels (the whole tensor) become -1/1, other labels stay."""
    return jnp.where(jnp.all((target == 0) | (target == 1)), 2 * target - 1, target)


@path("hinge", "optax.hinge_loss", kind="composed", params=["reduction"],
      conventions=["optax_hinge_targets_not_converted", *HALF],
      call="reduce(optax.hinge_loss(input, target), reduction)")
def hinge_optax(input, target, *, reduction):
    return reduce(optax.hinge_loss(input, target), reduction)


@path("hinge", "optax.hinge_loss(keras_labels)", kind="composed", params=["reduction"],
      conventions=HALF,
      call="reduce(optax.hinge_loss(input, keras_labels(target)), reduction)  "
           "[keras_labels: 2 t - 1 when every t is 0 or 1]")
def hinge_optax_converted(input, target, *, reduction):
    return reduce(optax.hinge_loss(input, keras_labels(target)), reduction)


@path("hinge", "jax.nn.relu", kind="composed", params=["reduction"],
      call="reduce(jax.nn.relu(1 - keras_labels(target) * input), reduction)")
def hinge_jax(input, target, *, reduction):
    return reduce(_relu(1 - keras_labels(target) * input), reduction)


@path("squared_hinge", "optax.hinge_loss**2", kind="composed", params=["reduction"],
      conventions=["optax_hinge_targets_not_converted"],
      call="reduce(optax.hinge_loss(input, target) ** 2, reduction)")
def squared_hinge_optax(input, target, *, reduction):
    return reduce(optax.hinge_loss(input, target) ** 2, reduction)


@path("squared_hinge", "jax.nn.relu", kind="composed", params=["reduction"],
      call="reduce(jax.nn.relu(1 - keras_labels(target) * input) ** 2, reduction)")
def squared_hinge_jax(input, target, *, reduction):
    return reduce(_relu(1 - keras_labels(target) * input) ** 2, reduction)


@path("categorical_hinge", "jnp.max", kind="composed", params=["reduction"],
      call="reduce(jax.nn.relu(jnp.max((1 - target) * input, axis=-1) - jnp.sum(target * input, "
           "axis=-1) + 1), reduction)")
def categorical_hinge_jax(input, target, *, reduction):
    neg = jnp.max((1 - target) * input, axis=-1)      # ties share the gradient equally
    return reduce(_relu(neg - jnp.sum(target * input, axis=-1) + 1), reduction)


# ---------------------------------------------------------------- evidence of the conventions

_JNP_MAXIMUM = ("jax/_src/lax/lax.py max jvp (_balanced_eq: half to each argument at a tie); "
                "optax/losses: jnp.maximum(..., 0) (no public documentation of the tie)")
for jit in ("", "+jit"):
    under = " under jax.jit" if jit else ""
    adapter.saw("optax_triplet_eps_added_to_power_sum",
                path="triplet_margin_loss/optax.losses.triplet_margin_loss" + jit,
                case="triplet_margin_loss/batch-none/none",
                call="optax.losses.triplet_margin_loss(a, p, n, norm_degree=2, margin=1., "
                     "eps=1e-6) on the (4, 3) arrays of case batch-none" + under,
                seen="[1.14567693, 1.64555764, 1.54696495, 0.0098514]; canonical (||u - v + "
                     "1e-6||) [1.14567489, 1.6455586, 1.54696568, 0.00984947]: differences "
                     "-2.0e-6, 9.6e-7, 7.3e-7, -1.9e-6",
                versions=SEEN_ON, link=OPTAX_DOC + " (triplet_margin_loss: 'eps: A small epsilon "
                "value to ensure numerical stability'; its placement: optax/losses/"
                "_self_supervised.py, jnp.power(jnp.power(anchors - positives, norm_degree)"
                ".sum(axis) + eps, 1 / norm_degree))")
    adapter.saw("hinge_kink_grad_half",
                path="triplet_margin_loss/optax.losses.triplet_margin_loss" + jit,
                case="triplet_margin_loss/at-kink/none",
                call="optax.losses.triplet_margin_loss with row 0 at margin + d(a, p) - d(a, n) "
                     "= 0 (eps = 0)" + under,
                seen="row 0: value 0; for a sum anchor.grad [-.5, .5], positive.grad [.5, 0.], "
                     "negative.grad [0., -.5] (half of torch's active [-1., 1.] ...); canonical 0",
                versions=SEEN_ON, link=_JNP_MAXIMUM)
    for p in ("hinge/optax.hinge_loss", "hinge/optax.hinge_loss(keras_labels)"):
        adapter.saw("hinge_kink_grad_half", path=p + jit, case="hinge/at-kink-pm1/none",
                    call=p.split("/", 1)[1] + " on input [1., .5, -1., 2.], target "
                         "[1., 1., -1., -1.]" + under,
                    seen="jax.grad of the sum: [-.5, -1., .5, 1.]; jax.nn.relu gives the "
                         "canonical [0., -1., 0., 1.]", versions=SEEN_ON, link=_JNP_MAXIMUM)
    for p in ("hinge/optax.hinge_loss", "squared_hinge/optax.hinge_loss**2"):
        loss = p.split("/")[0]
        adapter.saw("optax_hinge_targets_not_converted", path=p + jit,
                    case=f"{loss}/labels-01-none/none",
                    call=p.split("/", 1)[1] + " with 0/1 targets" + under,
                    seen="optax.hinge_loss(0.3, 0.) = 1.0 whatever the input (Keras converts the "
                         "label to -1: max(0, 1 + 0.3) = 1.3)", versions=SEEN_ON,
                    link=OPTAX_DOC + " (hinge_loss: 'targets: Target values. Should be in the "
                                     "set {-1, 1}')")

    for p in ("cosine_similarity/-optax.losses.cosine_similarity",
              "cosine_similarity/optax.losses.cosine_distance"):
        adapter.saw("optax_cosine_epsilon_bounds_squared_norm", path=p + jit,
                    case="cosine_similarity/tiny-and-zero-vectors-eps/none",
                    call=p.split("/", 1)[1] + "(input, target, epsilon=1e-8, axis=-1) with input "
                         "rows [3e-9, 4e-9, 0], [0, 0, 0], [1, 2, 3] and target rows [1, 0, 0], "
                         "[1, 2, 3], [3e-9, 0, 4e-9]" + under,
                    seen="-optax.losses.cosine_similarity: [-3e-05, -0., -4.00891863e-05] "
                         "(cosine_distance: [0.99997, 1., 0.99995991]): the norms of 5e-9 count "
                         "as sqrt(1e-8) = 1e-4; canonical eps = 1e-8 floors them at 1e-8: "
                         "[-0.3, 0., -0.40089186]", versions=SEEN_ON,
                    link=OPTAX_DOC + " (cosine_similarity: 'epsilon: minimum norm for terms in "
                    "the denominator'; optax/losses/_regression.py: a_norm = "
                    "jnp.sqrt(a_norm2.clip(epsilon)))")
    adapter.saw("optax_cosine_distance_is_1_minus_cosine",
                path="cosine_similarity/optax.losses.cosine_distance" + jit,
                case="cosine_similarity/keras-docstring/none",
                call="optax.losses.cosine_distance([[1., 0.], [1., 1.], [-1., -1.]], [[0., 1.], "
                     "[1., 1.], [1., 1.]])" + under,
                seen="[1., 2.22e-16, 2.]: 1 - c; the canonical loss -c is [0., -1., 1.]",
                versions=SEEN_ON, link=OPTAX_DOC + " (cosine_distance: '1 - cos(theta)')")

PROBED = (
    "optax.losses.triplet_margin_loss with norm_degree=1 takes no absolute value: "
    "(sum (a - p) + eps) can be negative (a signed sum, not the L1 norm); the path fixes "
    "norm_degree=2 and declares no p",
    "optax.losses.cosine_similarity(epsilon=0.) (the default) gives nan for a zero vector, as "
    "canonical; epsilon > 0 clips each squared norm at epsilon (sqrt(clip(||x||^2, epsilon)))",
    "optax.losses.multiclass_hinge_loss(scores, labels) = max_c(x_c + 1 - [c = y]) - x_y = "
    "max(0, 1 + max_{c != y} x_c - x_y): [[0.5, 0.2, -1.]] class 1 gives 1.3 like Keras, but "
    "when every other score is negative Keras's (1 - y) x puts 0 in the max and the two differ",
    "jnp.max splits a tie's gradient equally (jax.grad(jnp.max)([1., 1., 0.]) = [.5, .5, 0.])",
    "optax.losses.cosine_similarity and cosine_distance also take a `where` mask: not covered "
    "(the canonical loss reduces over every element of its axes)",
)
