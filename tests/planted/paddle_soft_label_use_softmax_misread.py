"""Planted bug: a port of soft-label cross-entropy to paddle that reads use_softmax=False as "my
input is already logits, do not apply softmax twice": paddle then takes the logits for
probabilities and computes -sum_c t_c log(x_c)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/batch-mean/one_hot-float64')
from adapters.paddle_lib import PaddleBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_paddle_use_softmax_misread", PaddleBackend())


@bug.path("cross_entropy", "soft_label", encodings=["one_hot", "probs"], ndims=[2],
          dtypes=["float64", "float32"],
          call="paddle.nn.functional.cross_entropy(x, t, soft_label=True, use_softmax=False)")
def ce(input, target):
    import paddle.nn.functional as F
    return F.cross_entropy(input, target, soft_label=True, use_softmax=False)
