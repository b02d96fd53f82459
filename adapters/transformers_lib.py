"""The `transformers` adapter's backend: Hugging Face transformers' loss functions
(transformers.loss.loss_utils: fixed_cross_entropy, ForCausalLMLoss, ForMaskedLMLoss,
ForTokenClassification), on torch tensors with torch's autograd (adapters.pytorch.TorchBackend).

transformers is imported when a path runs (`loss_utils` below), never at import of this module,
so collection works without it. The paths live in adapters/families/<family>/transformers_lib.py;
adapters.load() registers them.
"""
from __future__ import annotations

import importlib

from .pytorch import TorchBackend
from .registry import declare_adapter
from .spec import LOSSES
from .torchvision_lib import import_torchvision

INSTALL_HINT = "pip install transformers==5.24.0  (or: pip install -e '.[ecosystem]')"
SEEN_ON = "transformers 5.24.0, torch 2.13.0+cpu"      # where the recorded evidence was seen
SOURCE = ("https://github.com/huggingface/transformers/blob/v5.24.0/src/transformers/loss/"
          "loss_utils.py")


class _LossUtils:
    """transformers.loss.loss_utils, imported at first use (after the torchvision shim)."""

    def __getattr__(self, attr):
        if "_module" not in self.__dict__:
            import_torchvision()   # loss_utils imports image_utils, which imports it
            self.__dict__["_module"] = importlib.import_module("transformers.loss.loss_utils")
        return getattr(self.__dict__["_module"], attr)


loss_utils = _LossUtils()


class TransformersBackend(TorchBackend):
    """torch's arrays and autograd; unavailable also when transformers is missing."""

    def unavailable(self):
        why = super().unavailable()
        if why:
            return why
        try:
            self.versions()
        except ImportError as err:
            return f"transformers is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        import transformers
        return {**super().versions(), "transformers": transformers.__version__}


adapter = declare_adapter("transformers", TransformersBackend(),
                          "Hugging Face transformers: transformers.loss.loss_utils")
path = adapter.path


def derive_paths():
    """No derived paths: derive_sample_weight_paths composes a loss's reduction='none', and
    transformers' losses always reduce (a mean, or a sum divided by num_items_in_batch). The
    reason for every loss without a path (tests/test_completeness.py asks for one)."""
    for loss in LOSSES:
        if not adapter.paths_for(loss):
            adapter.no_path(loss, why=NEAR.get(loss, (
                f"transformers.loss.loss_utils has no {loss}: its losses for this catalogue "
                "are cross-entropies (fixed_cross_entropy, ForCausalLMLoss, ForMaskedLMLoss, "
                "ForTokenClassification, ForSequenceClassificationLoss) and torch's MSELoss "
                "and BCEWithLogitsLoss; the detection and RNN-T losses have no canonical "
                "counterpart")))


NEAR = {
    "ctc_loss": "ForCTCLoss (transformers/loss/loss_ctc.py) takes a model's logits and attention "
                "mask and calls torch's ctc_loss; not checked yet (torch's ctc_loss paths are)",
    "binary_cross_entropy": "ForSequenceClassificationLoss's multi-label loss takes logits "
                            "(binary_cross_entropy_with_logits), not probabilities",
}
