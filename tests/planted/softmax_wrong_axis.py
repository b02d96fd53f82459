"""Planted bug: softmax always over the last axis, whatever `dim` says."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'softmax/columns-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_softmax_wrong_axis", TorchBackend())


@bug.path("softmax", "softmax", call="torch.softmax(x, dim=-1)", params=["dim"])
def softmax(input, *, dim):
    return torch.softmax(input, dim=-1)
