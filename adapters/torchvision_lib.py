"""The `torchvision` adapter's backend: torch's (TorchBackend), with torchvision imported through
`import_torchvision()`, which timm and segmentation_models_pytorch need as well.

torchvision is imported when a path runs, never at import of this module. Its paths live in
adapters/families/<family>/torchvision_lib.py; adapters.load() registers them.
"""
from __future__ import annotations

import glob
import importlib
import importlib.util
import os
import sys

from .pytorch import TorchBackend, torch, weighted_reduce
from .registry import LazyModule, declare_adapter, derive_sample_weight_paths
from .spec import LOSSES

INSTALL_HINT = "pip install torchvision  (or: pip install -e '.[ecosystem]')"
SEEN_ON = "torchvision 0.28.0 (pure-Python ops, C extension not loaded) on torch 2.13.0+cpu"

# The two operators torchvision/_meta_registrations.py registers fake (meta) kernels for with
# torch.library.register_fake, which fails unless the operator was defined first: by the C
# extension when it loads, by _declare_missing_ops below when it cannot.
_NMS_SCHEMA = "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor"
_MISSING_OPS = {"nms": "nms" + _NMS_SCHEMA, "qnms": "qnms" + _NMS_SCHEMA}
_state: dict = {}


def import_torchvision():
    """`import torchvision`, also where its C extension cannot load.

    The PyPI torchvision 0.28.0 wheel's _C.so is linked against CUDA libtorch (it needs
    libc10_cuda.so), so on a CPU-only torch 2.13.0+cpu it does not load; torchvision then still
    imports, except that torchvision/_meta_registrations.py (lines 163 and 177) calls
    torch.library.register_fake("torchvision::nms") and ("torchvision::qnms"), which raise
    "operator torchvision::nms does not exist" because only the extension defines them. Only in
    that case, the two schemas the extension would have defined are defined here first; every
    other operator stays missing (torchvision.ops raises its own "Couldn't load custom C++ ops"
    for them), and the pure-Python losses (torchvision.ops.sigmoid_focal_loss) work as shipped.
    timm and segmentation_models_pytorch import torchvision, so they call this first."""
    if "torchvision" in sys.modules and "module" in _state:
        return _state["module"]
    spec = importlib.util.find_spec("torchvision")
    if spec is None:
        raise ImportError(f"torchvision is not installed; {INSTALL_HINT}")
    if not _extension_loads(spec):
        _declare_missing_ops()
    _state["module"] = importlib.import_module("torchvision")
    return _state["module"]


def _extension_loads(spec) -> bool:
    """Whether torchvision's C extension loads (torchvision loads it the same way, and loading
    it twice is harmless)."""
    if "extension_loads" not in _state:
        folder = os.path.dirname(spec.origin)
        found = glob.glob(os.path.join(folder, "_C.*so")) + glob.glob(os.path.join(folder,
                                                                                  "_C.pyd"))
        try:
            torch.ops.load_library(found[0]) if found else None
            _state["extension_loads"] = bool(found)
        except (ImportError, OSError):
            _state["extension_loads"] = False
    return _state["extension_loads"]


def _declare_missing_ops() -> None:
    if "library" in _state:
        return
    lib = torch.library.Library("torchvision", "DEF")
    for name, schema in _MISSING_OPS.items():
        if not _defined(name):
            lib.define(schema)
    _state["library"] = lib          # the definitions live as long as this object


def _defined(name: str) -> bool:
    try:
        getattr(torch.ops.torchvision, name)
    except (AttributeError, RuntimeError):
        return False
    return True


class TorchvisionBackend(TorchBackend):
    """torch's backend; torchvision must import (through import_torchvision)."""

    def unavailable(self):
        missing = super().unavailable()
        if missing:
            return missing
        try:
            import_torchvision()
        except (ImportError, RuntimeError) as err:
            return f"torchvision is not importable ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {**super().versions(), "torchvision": import_torchvision().__version__}


ops = LazyModule("torchvision.ops", setup=import_torchvision)

adapter = declare_adapter("torchvision", TorchvisionBackend(),
                          "torchvision.ops: the losses torchvision ships (sigmoid_focal_loss)")
path = adapter.path


MISSING = ("torchvision.ops (0.28.0) has no {loss}: its losses are sigmoid_focal_loss and the box "
           "regression losses (generalized, distance and complete box IoU), not canonical losses "
           "here")


def derive_paths():
    """Paths made from the families' paths, once they are declared (adapters.load)."""
    derive_sample_weight_paths(adapter, weighted_reduce)
    for loss in LOSSES:
        if not adapter.paths_for(loss):
            adapter.no_path(loss, MISSING.format(loss=loss))
