"""The `monai` adapter's backend: MONAI's losses (monai.losses) on torch's backend.

MONAI is imported when a path runs, never at import of this module (`monai` and `losses` below
are LazyModules), so collection works without it and its checks are skipped with INSTALL_HINT.
The paths live in adapters/families/<family>/monai_lib.py; adapters.load() registers them.
"""
from __future__ import annotations

from .pytorch import TorchBackend, weighted_reduce
from .registry import LazyModule, declare_adapter, derive_sample_weight_paths
from .spec import LOSSES

INSTALL_HINT = "pip install monai==1.6.1  (or: pip install -e '.[ecosystem]')"
SEEN_ON = "monai 1.6.1, torch 2.13.0+cpu, float64 and float32"   # where the evidence was seen
MONAI_DOCS = "https://docs.monai.io/en/stable/losses.html"

monai = LazyModule("monai")
losses = LazyModule("monai.losses")


class MonaiBackend(TorchBackend):
    """torch's backend; unavailable also where MONAI is missing, and MONAI's version shown."""

    def unavailable(self):
        why = super().unavailable()
        if why:
            return why
        try:
            self.versions()     # imports monai
        except ImportError as err:
            return f"monai is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {**super().versions(), "monai": monai.__version__}


adapter = declare_adapter("monai", MonaiBackend(), "MONAI: monai.losses (on torch)")
path = adapter.path

# the canonical losses its paths compute (adapters/families/<family>/monai_lib.py)
COMPUTED = ("cross_entropy", "sigmoid_focal_loss", "soft_dice_loss", "tversky", "generalized_dice",
            "jaccard", "categorical_focal_crossentropy")
NOT_MAPPED = {
    "binary_cross_entropy_with_logits": (
        "monai.losses.DiceCELoss on one channel adds torch.nn.BCEWithLogitsLoss: not mapped "
        "(torch's own paths check that call; the multi-channel cross-entropy term is mapped)"),
}
for _loss in LOSSES:
    if _loss not in COMPUTED:
        adapter.no_path(_loss, NOT_MAPPED.get(_loss, (
            f"monai.losses 1.6.1 has no {_loss} loss (it offers "
            "segmentation, registration and image-similarity losses)")))


# DiceCELoss and DiceFocalLoss refuse reduction='none', which a sample-weighted path needs: none
# of their paths may be the base one is made from
NO_SAMPLE_WEIGHT = ("monai.losses.DiceCELoss(", "monai.losses.DiceFocalLoss(")


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load()): the
    combined classes' paths are set aside while deriving (the base is the path without
    conventions, which one of theirs may be), then the declared order restored, the derived
    paths after it."""
    declared = list(adapter.paths)
    adapter.paths[:] = [p for p in declared if not p.name.startswith(NO_SAMPLE_WEIGHT)]
    try:
        derive_sample_weight_paths(adapter, weighted_reduce)
    finally:
        derived = [p for p in adapter.paths if all(p is not d for d in declared)]
        adapter.paths[:] = declared + derived
