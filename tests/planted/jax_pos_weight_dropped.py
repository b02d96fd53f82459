"""Planted bug: pos_weight accepted but never applied (optax.sigmoid_binary_cross_entropy has no
such argument)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'binary_cross_entropy_with_logits/pos-weight-mean-float64')
from adapters.jax_optax import JaxBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jax_pos_weight_dropped", JaxBackend())


@bug.path("binary_cross_entropy_with_logits", "optax", call="optax.sigmoid_binary_cross_entropy",
          params=["pos_weight", "reduction"])
def bcel(input, target, *, pos_weight, reduction):
    import optax
    loss = optax.sigmoid_binary_cross_entropy(input, target)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
