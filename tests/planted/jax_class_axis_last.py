"""Planted bug: optax.softmax_cross_entropy left at its default axis=-1 on channels-first spatial
input (N, C, H, W): the softmax runs over W instead of the classes."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/spatial-2d-mean/one_hot-float64')
from adapters.jax_optax import JaxBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jax_class_axis_last", JaxBackend())


@bug.path("cross_entropy", "optax", call="optax.softmax_cross_entropy(x, y).mean()",
          encodings=["one_hot", "probs"])
def ce(input, target):
    import optax
    return optax.softmax_cross_entropy(input, target).mean()
