"""Planted bug: a weighted binary cross-entropy whose mean divides by the summed weights instead
of the number of elements."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'binary_cross_entropy/weight-mean-float64')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_weights_as_divisor", TFBackend())


@bug.path("binary_cross_entropy", "xlogy", call="sum(w * l) / sum(w)",
          params=["weight", "reduction"])
def bce(input, target, *, weight, reduction):
    import tensorflow as tf
    loss = -(tf.math.xlogy(target, input) + tf.math.xlogy(1 - target, 1 - input))
    w = tf.ones_like(loss) if weight is None else tf.broadcast_to(weight, tf.shape(loss))
    total = tf.reduce_sum(w * loss)
    return {"none": w * loss, "sum": total, "mean": total / tf.reduce_sum(w)}[reduction]
