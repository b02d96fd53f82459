"""Planted bug: the focal factor (1 - p_t)^gamma put under tf.stop_gradient, as if it were a fixed
per-element weight: the value is right, the gradient loses the factor's own derivative."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_gradient', 'sigmoid_focal_loss/default-mean-float64')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_focal_factor_detached", TFBackend())


@bug.path("sigmoid_focal_loss", "focal", kind="composed", params=["alpha", "gamma", "reduction"],
          call="alpha_t * tf.stop_gradient((1 - p_t) ** gamma) * "
               "tf.nn.sigmoid_cross_entropy_with_logits(y, x)")
def focal(input, target, *, alpha, gamma, reduction):
    import tensorflow as tf
    p = tf.sigmoid(input)
    p_t = p * target + (1 - p) * (1 - target)
    loss = tf.stop_gradient((1 - p_t) ** gamma) * tf.nn.sigmoid_cross_entropy_with_logits(target, input)
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return {"none": lambda: loss, "sum": lambda: tf.reduce_sum(loss),
            "mean": lambda: tf.reduce_mean(loss)}[reduction]()
