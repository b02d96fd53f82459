"""The `smp` adapter's backend: segmentation_models_pytorch's losses (smp.losses) on torch's
backend.

smp is imported when a path runs (`losses` below is a LazyModule whose setup runs the torchvision
shim first), never at import of this module, so collection works without it and its checks are
skipped with INSTALL_HINT. The paths live in adapters/families/<family>/smp_lib.py;
adapters.load() registers them.
"""
from __future__ import annotations

from .pytorch import TorchBackend, weighted_reduce
from .registry import LazyModule, declare_adapter, derive_sample_weight_paths
from .spec import LOSSES
from .torchvision_lib import import_torchvision  # smp imports timm, which imports torchvision

INSTALL_HINT = ("pip install segmentation-models-pytorch==0.6.0  (or: pip install -e "
                "'.[ecosystem]')")
SEEN_ON = "segmentation_models_pytorch 0.6.0, torch 2.13.0+cpu, float64 and float32"
SMP_DOCS = "https://smp.readthedocs.io/en/latest/losses.html"


smp = LazyModule("segmentation_models_pytorch", setup=import_torchvision)
losses = LazyModule("segmentation_models_pytorch.losses", setup=import_torchvision)


class SmpBackend(TorchBackend):
    """torch's backend; unavailable also where smp is missing, and smp's version shown."""

    def unavailable(self):
        why = super().unavailable()
        if why:
            return why
        try:
            self.versions()     # imports segmentation_models_pytorch
        except ImportError as err:
            return f"segmentation_models_pytorch is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {**super().versions(), "segmentation_models_pytorch": smp.__version__}


adapter = declare_adapter("smp", SmpBackend(),
                          "segmentation_models_pytorch: smp.losses (on torch)")
path = adapter.path

# the canonical losses its paths compute (adapters/families/<family>/smp_lib.py)
COMPUTED = ("soft_dice_loss", "jaccard", "tversky", "sigmoid_focal_loss",
            "binary_cross_entropy_with_logits", "cross_entropy", "lovasz_hinge", "lovasz_softmax")
for _loss in LOSSES:
    if _loss not in COMPUTED:
        adapter.no_path(_loss, (
            f"segmentation_models_pytorch 0.6.0 has no {_loss} loss (smp.losses offers Dice, "
            "Jaccard, Tversky, focal, Lovasz, MCC, soft BCE and soft cross-entropy losses)"))


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load). smp's Dice,
    Jaccard and Tversky losses take no reduction (always the mean over the classes), so their
    paths declare none and none is derived."""
    derive_sample_weight_paths(adapter, weighted_reduce)
