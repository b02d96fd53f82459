"""Planted bug: the hinge written jnp.maximum(z, 0.) instead of jax.nn.relu(z). The values are
right, but jax splits the gradient of a tie: 0.5 at an exact kink z = 0, where the hinge is not
active (torch, tf.nn.relu and jax.nn.relu give 0)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_gradient', 'multi_margin_loss/at-kink-float64')
from adapters.jax_optax import JaxBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jax_margin_maximum_kink", JaxBackend())


@bug.path("multi_margin_loss", "maximum", call="sum_{i != y} w[y] jnp.maximum(margin - x[y] + x[i], 0.)^p / C",
          params=["p", "margin", "weight", "reduction"])
def multi_margin(input, target, *, p, margin, weight, reduction):
    import jax
    import jax.numpy as jnp
    x = input if input.ndim == 2 else input[None]
    y = jnp.reshape(target, (-1,))
    c = x.shape[1]
    hinge = jnp.maximum(margin - jnp.take_along_axis(x, y[:, None], 1) + x, 0.0) ** p
    loss = jnp.sum(hinge * (1 - jax.nn.one_hot(y, c, dtype=x.dtype)), axis=1) / c
    if weight is not None:
        loss = weight[y] * loss
    loss = loss if input.ndim == 2 else loss[0]
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
