"""Planted bug: Keras SparseCategoricalCrossentropy with from_logits left at its default (False)
on logits: Keras takes them for probabilities."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/batch-mean/index-float64')
from adapters.registry import declare_adapter
from adapters.tensorflow import TFBackend

bug = declare_adapter("bug_tf_from_logits_default", TFBackend())


@bug.path("cross_entropy", "keras", call="keras.losses.SparseCategoricalCrossentropy()(y, x)",
          encodings=["index"], ndims=[2])
def ce(input, target):
    import keras
    return keras.losses.SparseCategoricalCrossentropy(dtype=input.dtype.name)(target, input)
