"""Planted bug: optax.ctc_loss given label paddings built with `>` instead of `>=`
(arange(S) > target_lengths), so the first padding label of every short target counts as a label."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'ctc_loss/random-normalised-none-float64')
from adapters.jax_ctc import OPTAX_CONV, ctc_reduce, paddings
from adapters.jax_optax import JaxBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jax_ctc_label_paddings", JaxBackend())


@bug.path("ctc_loss", "optax.ctc_loss", call="optax.ctc_loss(..., labels, arange(S) > target_lengths)",
          kind="composed", params=["blank", "reduction"], conventions=OPTAX_CONV, ndims=[3])
def ctc(log_probs, targets, input_lengths, target_lengths, *, blank, reduction):
    import jax.numpy as jnp
    import optax
    label_paddings = (jnp.arange(targets.shape[1])[None, :] > target_lengths[:, None])
    losses = optax.ctc_loss(jnp.transpose(log_probs, (1, 0, 2)),
                            paddings(input_lengths, log_probs.shape[0], log_probs.dtype), targets,
                            label_paddings.astype(log_probs.dtype), blank_id=blank)
    return ctc_reduce(losses, target_lengths, reduction)
