"""Planted bug: categorical focal cross-entropy over several class axes by reshaping the input to
(other axes, C) directly, without moving the class axes last first: right where the joint axes
are already the last ones in order (axis=(1, 2) of (N, H, W)), but for non-adjacent ones (1 and 3
of (N, A, H, B)) each row of C mixes other axes' entries, and only such a case tells."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value',
             'categorical_focal_crossentropy/joint-non-adjacent-4d-none/index-float64')
import math

import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_focal_joint_axes_reshaped_in_place", TorchBackend())


@bug.path("categorical_focal_crossentropy", "reshape", encodings=["index"],
          params=["axis", "reduction"], tuple_params=["axis"],
          call="logp = F.log_softmax(input.reshape(*other sizes, C), -1); focal term of the "
               "target class")
def focal(input, target, *, axis, reduction):
    axes = {a % input.dim() for a in (axis if isinstance(axis, tuple) else (axis,))}
    rest = [s for i, s in enumerate(input.shape) if i not in axes]
    x = input.reshape(*rest, math.prod(input.shape[a] for a in axes))
    logp = torch.log_softmax(x, -1).gather(-1, target.unsqueeze(-1)).squeeze(-1)
    loss = -0.25 * (-torch.expm1(logp)) ** 2 * logp
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
