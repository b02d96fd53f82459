"""The `timm` adapter's backend: torch's (TorchBackend), reporting timm missing too. timm imports
torchvision, so it is imported after adapters.torchvision_lib.import_torchvision().

timm is imported when a path runs, never at import of this module (`loss` below is a
LazyModule). Its paths live in adapters/families/<family>/timm_lib.py; adapters.load() registers
them.
"""
from __future__ import annotations

import importlib.metadata

from .pytorch import TorchBackend, weighted_reduce
from .registry import LazyModule, declare_adapter, derive_sample_weight_paths
from .spec import LOSSES
from .torchvision_lib import import_torchvision

INSTALL_HINT = "pip install timm==1.0.31  (or: pip install -e '.[ecosystem]')"
SEEN_ON = "timm 1.0.31 on torch 2.13.0+cpu, float64 and float32"    # where evidence was seen
TIMM_SOURCE = "https://github.com/huggingface/pytorch-image-models/blob/main/timm/loss/{}.py"

loss = LazyModule("timm.loss", setup=import_torchvision)


class TimmBackend(TorchBackend):
    """torch's backend; timm (and the torchvision it imports) must import."""

    def unavailable(self):
        missing = super().unavailable()
        if missing:
            return missing
        try:
            importlib.metadata.version("timm")
            loss.SoftTargetCrossEntropy      # noqa: B018 -- imports timm.loss
        except (ImportError, RuntimeError, importlib.metadata.PackageNotFoundError) as err:
            return f"timm is not importable ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {**super().versions(), "timm": importlib.metadata.version("timm")}


adapter = declare_adapter("timm", TimmBackend(),
                          "timm.loss: label-smoothing, soft-target, Poly-1, binary and "
                          "Jensen-Shannon (AugMix) cross-entropies")
path = adapter.path


MISSING = ("timm.loss (1.0.31) has no {loss}: among the project's losses it offers the "
           "label-smoothing, soft-target, Poly-1, binary and AugMix's JSD cross-entropies only "
           "(its others: AsymmetricLoss*, DistributionBalancedLoss, TwoWayLoss, ZlprLoss, "
           "PolyBinaryCrossEntropy, not canonical losses here)")


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load)."""
    derive_sample_weight_paths(adapter, weighted_reduce)
    for loss in LOSSES:
        if not adapter.paths_for(loss):
            adapter.no_path(loss, MISSING.format(loss=loss))
