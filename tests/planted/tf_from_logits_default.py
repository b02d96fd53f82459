"""Planted bug: Keras SparseCategoricalCrossentropy with from_logits left at its default (False)
on logits: Keras takes them for probabilities."""
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_from_logits_default", TFBackend())


@bug.path("cross_entropy", "keras", call="keras.losses.SparseCategoricalCrossentropy()(y, x)",
          encodings=["index"], ndims=[2])
def ce(input, target):
    import keras
    return keras.losses.SparseCategoricalCrossentropy(dtype=input.dtype.name)(target, input)
