"""The `kornia` adapter's backend: torch's (TorchBackend), reporting kornia missing too.

kornia is imported when a path runs, never at import of this module (`losses` below is a
LazyModule). Its paths live in adapters/families/<family>/kornia_lib.py; adapters.load()
registers them.
"""
from __future__ import annotations

import importlib.metadata

from .pytorch import TorchBackend, weighted_reduce
from .registry import LazyModule, declare_adapter, derive_sample_weight_paths
from .spec import LOSSES

INSTALL_HINT = "pip install kornia==0.9.0  (or: pip install -e '.[ecosystem]')"
SEEN_ON = "kornia 0.9.0 on torch 2.13.0+cpu, float64 and float32"   # where evidence was seen
KORNIA_DOCS = "https://kornia.readthedocs.io/en/latest/losses.html"

losses = LazyModule("kornia.losses")


class KorniaBackend(TorchBackend):
    """torch's backend; kornia must be installed."""

    def unavailable(self):
        missing = super().unavailable()
        if missing:
            return missing
        try:
            importlib.metadata.version("kornia")
            losses.focal_loss      # noqa: B018 -- imports kornia.losses
        except (ImportError, importlib.metadata.PackageNotFoundError) as err:
            return f"kornia is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {**super().versions(), "kornia": importlib.metadata.version("kornia")}


adapter = declare_adapter("kornia", KorniaBackend(),
                          "kornia.losses: focal, binary focal, Dice, Tversky and Lovasz losses")
path = adapter.path


MISSING = ("kornia.losses (0.9.0) has no {loss}: among the project's losses it offers the focal, "
           "binary focal, Dice, Tversky and Lovasz losses only (its others: SSIM, PSNR, total "
           "variation, Hausdorff, the robust Charbonnier/Cauchy/Welsch/Geman-McClure losses and "
           "the 2-D heatmap divergences kl_div_loss_2d/js_div_loss_2d, not canonical losses here)")


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load)."""
    derive_sample_weight_paths(adapter, weighted_reduce)
    for loss in LOSSES:
        if not adapter.paths_for(loss):
            adapter.no_path(loss, MISSING.format(loss=loss))
