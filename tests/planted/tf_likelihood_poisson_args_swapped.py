"""Planted bug: tf.nn.log_poisson_loss called as (log_input, targets), PyTorch's order, while its
signature is (targets, log_input): exp(y) - y x instead of exp(x) - y x."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'poisson_nll_loss/batch-mean-float64')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_likelihood_poisson_args_swapped", TFBackend())


@bug.path("poisson_nll_loss", "log_poisson_loss", params=["reduction"],
          call="tf.nn.log_poisson_loss(input, target)  [arguments swapped]")
def poisson(input, target, *, reduction):
    import tensorflow as tf
    loss = tf.nn.log_poisson_loss(input, target)
    return {"none": loss, "sum": tf.reduce_sum(loss), "mean": tf.reduce_mean(loss)}[reduction]
