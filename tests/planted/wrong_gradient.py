"""Planted bug: the right cross-entropy value with a hand-written backward that forgets the
1/N of the mean."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_gradient', 'cross_entropy/batch-mean/index-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_wrong_gradient", TorchBackend())


class MeanCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        logp = torch.log_softmax(x, dim=1)
        ctx.save_for_backward(logp, y)
        return -logp.gather(1, y[:, None]).mean()

    @staticmethod
    def backward(ctx, g):
        logp, y = ctx.saved_tensors
        grad = logp.exp() - torch.nn.functional.one_hot(y, logp.shape[1]).to(logp.dtype)
        return g * grad, None       # should be g * grad / N


@bug.path("cross_entropy", "ce", call="MeanCrossEntropy.apply(x, y)", encodings=["index"])
def ce(input, target):
    return MeanCrossEntropy.apply(input, target)
