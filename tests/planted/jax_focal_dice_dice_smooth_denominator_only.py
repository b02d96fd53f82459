"""Planted bug: soft Dice with the smoothing only in the denominator, 1 - 2 I / (P + T + smooth):
right to within smooth almost everywhere, but an empty mask (P = T = 0) scores loss 1 instead of 0,
so a network is punished for correctly predicting nothing."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_dice_loss/empty-mask-none-float64')
from adapters.jax_optax import JaxBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jax_dice_smooth_denominator_only", JaxBackend())


@bug.path("soft_dice_loss", "dice", kind="composed", params=["smooth", "sum_over", "reduction"],
          call="1 - 2 * sum(p * t) / (sum(p) + sum(t) + smooth)")
def dice(input, target, *, smooth, sum_over, reduction):
    import jax.numpy as jnp
    axes = {"spatial": tuple(range(2, input.ndim)),
            "batch_and_spatial": (0, *range(2, input.ndim)),
            "all": tuple(range(input.ndim))}[sum_over]
    loss = 1 - 2 * jnp.sum(input * target, axis=axes) / (
        jnp.sum(input, axis=axes) + jnp.sum(target, axis=axes) + smooth)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
