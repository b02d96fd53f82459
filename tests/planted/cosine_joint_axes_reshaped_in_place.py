"""Planted bug: cosine similarity over several axes by reshaping in place, flatten(min(axes),
max(axes)), without moving the axes together first: right for adjacent axes, but for
non-adjacent ones (0 and 2 of (A, B, C, D)) each flattened vector mixes the axis in between, and
only a case with non-adjacent axes tells."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'cosine_similarity/joint-non-adjacent-4d-sum-float64')
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_cosine_joint_axes_reshaped_in_place", TorchBackend())


@bug.path("cosine_similarity", "flatten", params=["axis", "reduction"], tuple_params=["axis"],
          call="-F.cosine_similarity(x.flatten(lo, hi), t.flatten(lo, hi), dim=lo)")
def cosine(input, target, *, axis, reduction):
    axes = sorted(a % input.dim() for a in (axis if isinstance(axis, tuple) else (axis,)))
    lo, hi = axes[0], axes[-1]
    c = torch.nn.functional.cosine_similarity(input.flatten(lo, hi), target.flatten(lo, hi),
                                              dim=lo, eps=0.0)
    loss = -c
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
