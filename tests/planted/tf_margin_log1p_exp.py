"""Planted bug: the soft margin loss written as it reads, tf.math.log1p(tf.exp(-y x)): exact for
moderate scores, inf (and a nan gradient) once exp(-y x) overflows, at y x = -1e4 here."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'soft_margin_loss/large-logits-float64')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_margin_log1p_exp", TFBackend())


@bug.path("soft_margin_loss", "log1p_exp", call="tf.math.log1p(tf.exp(-target * input))",
          params=["reduction"])
def soft_margin(input, target, *, reduction):
    import tensorflow as tf
    loss = tf.math.log1p(tf.exp(-target * input))
    return {"none": loss, "sum": tf.reduce_sum(loss), "mean": tf.reduce_mean(loss)}[reduction]
