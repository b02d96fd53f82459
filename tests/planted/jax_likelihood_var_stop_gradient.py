"""Planted bug: the Gaussian NLL with the variance behind jax.lax.stop_gradient (copied from a
fixed-variance loss): the values are right, the gradient with respect to var is 0."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_gradient', 'gaussian_nll_loss/batch-none-float64')
from adapters.jax_optax import JaxBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jax_likelihood_var_stop_gradient", JaxBackend())


@bug.path("gaussian_nll_loss", "stop_gradient(var)", params=["eps", "reduction"],
          call="v = jnp.maximum(jax.lax.stop_gradient(var), eps); 0.5 * (log v + d**2 / v)")
def gaussian(input, target, var, *, eps, reduction):
    import jax
    import jax.numpy as jnp
    if var.shape != input.shape and var.shape == input.shape[:-1]:
        var = var[..., None]
    v = jnp.maximum(jax.lax.stop_gradient(var), eps)
    loss = 0.5 * (jnp.log(v) + (input - target) ** 2 / v)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
