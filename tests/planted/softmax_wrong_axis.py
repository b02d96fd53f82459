"""Planted bug: softmax always over the last axis, whatever `dim` says."""
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_softmax_wrong_axis", TorchBackend())


@bug.path("softmax", "softmax", call="torch.softmax(x, dim=-1)", params=["dim"])
def softmax(input, *, dim):
    return torch.softmax(input, dim=-1)
