"""Planted bug: labels shifted by hand (labels[..., 1:]) and then given to ForCausalLMLoss as
`labels`, which shifts them again: each position is scored against the token two ahead."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cross_entropy/batch-mean/index-float32')
import torch
from adapters.registry import declare_adapter
from adapters.transformers_lib import TransformersBackend, loss_utils

bug = declare_adapter("bug_transformers_shifted_twice", TransformersBackend())


@bug.path("cross_entropy", "causal", encodings=["index"], ndims=[2], dtypes=["float32"],
          params=["ignore_index", "reduction"],
          call="ForCausalLMLoss(cat([x, 0]), cat([pad, y]) shifted by hand, ...)")
def causal(input, target, *, ignore_index, reduction):
    logits = torch.cat([input, input.new_zeros(1, input.shape[1])])[None]
    labels = torch.cat([target.new_full((1,), ignore_index), target])[None]
    labels = torch.cat([labels[:, 1:], labels.new_full((1, 1), ignore_index)], dim=1)  # the bug
    return loss_utils.ForCausalLMLoss(logits, labels, vocab_size=input.shape[1],
                                      num_items_in_batch=1 if reduction == "sum" else None,
                                      ignore_index=ignore_index)
