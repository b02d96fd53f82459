"""Planted bug: triplet margin loss on squared Euclidean distances, ||a - p||^2 - ||a - n||^2 + margin
(a common variant, FaceNet's), where PyTorch's TripletMarginLoss uses the distances themselves."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'triplet_margin_loss/batch-none-float64')
from adapters.jax_optax import JaxBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jax_embedding_triplet_squared_distance", JaxBackend())


@bug.path("triplet_margin_loss", "squared", params=["margin", "eps", "reduction"],
          call="relu(margin + sum((a - p + eps)^2) - sum((a - n + eps)^2))")
def triplet(anchor, positive, negative, *, margin, eps, reduction):
    import jax
    import jax.numpy as jnp
    d_pos = jnp.sum((anchor - positive + eps) ** 2, axis=-1)
    d_neg = jnp.sum((anchor - negative + eps) ** 2, axis=-1)
    loss = jax.nn.relu(margin + d_pos - d_neg)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
