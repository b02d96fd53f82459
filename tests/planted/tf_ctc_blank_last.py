"""Planted bug: tf.nn.ctc_loss called with blank_index=-1, the last class, as tf.compat.v1's
ctc_loss and the C++ kernel place the blank, while the labels use class 0 as the blank."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'ctc_loss/random-normalised-none-float32')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend
from adapters.tensorflow_ctc import TF_CONV, ctc_reduce

bug = declare_adapter("bug_tf_ctc_blank_last", TFBackend())


@bug.path("ctc_loss", "ctc", call="tf.nn.ctc_loss(..., logits_time_major=True, blank_index=-1)",
          kind="composed", params=["reduction"], conventions=TF_CONV,
          dtypes=["float32"], ndims=[3])
def ctc(log_probs, targets, input_lengths, target_lengths, *, reduction):
    import tensorflow as tf
    losses = tf.nn.ctc_loss(labels=targets, logits=log_probs, label_length=target_lengths,
                            logit_length=input_lengths, logits_time_major=True, blank_index=-1)
    return ctc_reduce(losses, target_lengths, reduction)
