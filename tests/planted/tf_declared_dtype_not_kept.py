"""Planted bug: a path meant to compute and return in float32 on float64 data, as
keras.losses.BinaryCrossentropy(dtype='float32') does, written with the function form
keras.losses.binary_crossentropy, which takes no dtype= and keeps the inputs' float64. The
value is right to float32's tolerance; the result's dtype (checks_dtype) gives it away."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'binary_cross_entropy_with_logits/batch-mean-float32')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_declared_dtype_not_kept", TFBackend())


@bug.path("binary_cross_entropy_with_logits", "keras", dtypes=["float32"], checks_dtype=True,
          call="mean(keras.losses.binary_crossentropy(float64 target, float64 input, "
               "from_logits=True))  [meant to return float32]")
def bcel(input, target):
    import keras
    import tensorflow as tf
    x, y = tf.cast(input, tf.float64), tf.cast(target, tf.float64)
    return tf.reduce_mean(keras.losses.binary_crossentropy(y[..., None], x[..., None],
                                                           from_logits=True))
