"""Planted bug: Keras's hinge written by hand as mean(relu(1 - y_true * y_pred)) without Keras's
conversion of 0/1 labels to -1/1: right for -1/1 labels, wrong for 0/1 ones (a label 0 gives 1)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'hinge/labels-01-none-float64')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_embedding_hinge_no_label_conversion", TFBackend())


@bug.path("hinge", "relu", params=["reduction"], call="tf.nn.relu(1 - target * input)")
def hinge(input, target, *, reduction):
    import tensorflow as tf
    loss = tf.nn.relu(1 - target * input)
    return {"none": loss, "sum": tf.reduce_sum(loss), "mean": tf.reduce_mean(loss)}[reduction]
