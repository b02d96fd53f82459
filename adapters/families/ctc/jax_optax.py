"""JAX/optax paths of the ctc family (spec.py beside this file).

optax.ctc_loss takes logits (B, T, K), batch first, with padding indicators instead of lengths
(1.0 marks a padded frame or label), normalises the logits with log_softmax, and returns one loss
per sequence: the path transposes, builds the paddings from the lengths and reduces explicitly.
"""
from __future__ import annotations

from adapters.jax_optax import SEEN_ON, adapter, jnp, optax, path

OPTAX_CONV = ["ctc_input_normalised_with_log_softmax", "optax_ctc_log_epsilon",
              "optax_ctc_nan_at_neg_inf_logit"]


def paddings(lengths, size, dtype):
    """optax's padding indicators: 1.0 at positions >= length, 0.0 before."""
    return (jnp.arange(size)[None, :] >= lengths[:, None]).astype(dtype)


def ctc_reduce(losses, target_lengths, reduction):
    """PyTorch's reductions: 'mean' divides each loss by its target length (at least 1), then
    averages over the batch."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return jnp.sum(losses)
    return jnp.mean(losses / jnp.maximum(target_lengths, 1).astype(losses.dtype))


# Where jax.jit of the path differs from the eager call (XLA simplifies 0 * -inf, as it does for
# Keras's cross-entropies under tf.function(jit_compile=True)), with the values seen (jax 0.10.2,
# optax 0.2.8, CPU): case 'zero-probability-target-none', whose sequence 1 has an empty target
# and -inf logits on classes 1 and 2.
_JIT_EMPTY_TARGET = ("under jax.jit a sequence with an empty target is not poisoned by its -inf "
                     "logits: losses [nan, -0.] where eager optax gives [nan, nan] "
                     "(optax_ctc_nan_at_neg_inf_logit) and canonical is [inf, 0]")
JIT_KNOWN_FAILURES = {f"{kind}:zero-probability-target-none-{dtype}": _JIT_EMPTY_TARGET
                      for kind in ("value", "gradient") for dtype in ("float64", "float32")}


@path("ctc_loss", "optax.ctc_loss", kind="composed", params=["blank", "reduction"],
      conventions=OPTAX_CONV, jit_known_failures=JIT_KNOWN_FAILURES,
      call="ctc_reduce(optax.ctc_loss(transpose(log_probs, (1, 0, 2)), paddings(input_lengths, "
           "T), targets, paddings(target_lengths, S), blank_id=blank), target_lengths, reduction)"
           "  [unbatched: a batch of one]")
def ctc_optax(log_probs, targets, input_lengths, target_lengths, *, blank, reduction):
    single = log_probs.ndim == 2
    x, y, il, tl = (log_probs, targets, input_lengths, target_lengths)
    if single:
        x, y, il, tl = x[:, None, :], y[None], il[None], tl[None]
    losses = optax.ctc_loss(jnp.transpose(x, (1, 0, 2)), paddings(il, x.shape[0], x.dtype), y,
                               paddings(tl, y.shape[1], x.dtype), blank_id=blank)
    return ctc_reduce(losses[0] if single else losses, target_lengths, reduction)


OPTAX_CTC_DOC = "https://optax.readthedocs.io/en/latest/api/losses.html#optax.losses.ctc_loss"
for _jit in ("", "+jit"):
    adapter.saw("ctc_input_normalised_with_log_softmax", path="ctc_loss/optax.ctc_loss" + _jit,
                case="ctc_loss/random-unnormalised-none/none",
                call="optax.ctc_loss(transpose(x), paddings, targets, paddings) on unnormalised x"
                     + (" under jax.jit" if _jit else ""),
                seen="[3.63935728, 6.09582388, 4.51559654, 4.25782819] = the canonical losses of "
                     "log_softmax(x) (to 1e-15); gradient softmax(x) - gamma",
                versions=SEEN_ON, link=OPTAX_CTC_DOC + " ('logits: (B, T, K)-array containing "
                                                       "logits')")
    adapter.saw("optax_ctc_log_epsilon", path="ctc_loss/optax.ctc_loss" + _jit,
                case="ctc_loss/infeasible-repeat-none/none",
                call="optax.ctc_loss on targets [[1, 1], ...] with 2 frames (3 needed)"
                     + (" under jax.jit" if _jit else ""),
                seen="a finite loss of about 1.0000008e5 where canonical is inf, and a finite "
                     "gradient; feasible sequences unchanged",
                versions=SEEN_ON, link=OPTAX_CTC_DOC + " ('log_epsilon: Numerically-stable "
                                                   "approximation of log(+0)')")

for _jit in ("", "+jit"):
    adapter.saw("optax_ctc_nan_at_neg_inf_logit", path="ctc_loss/optax.ctc_loss" + _jit,
                case="ctc_loss/zero-probability-class-none/none",
                call="optax.ctc_loss(transpose(x), paddings([2, 3], 3), [[1], [2]], "
                     "paddings([1, 1], 1)) on x of case zero-probability-class-none (sequence 0 "
                     "has -inf on frame 1, which it uses, and on frame 2, which it does not)"
                     + (" under jax.jit" if _jit else ""),
                seen="losses [nan, 0.9187939]; all 9 gradient entries of sequence 0 nan. With "
                     "-inf only on the unused frame 2 the loss of sequence 0 is still nan",
                versions=SEEN_ON, link=OPTAX_CTC_DOC)
