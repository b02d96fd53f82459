"""The `transformers` adapter's backend: Hugging Face transformers' loss functions
(transformers.loss.loss_utils: fixed_cross_entropy, ForCausalLMLoss, ForMaskedLMLoss,
ForTokenClassification, ForSequenceClassificationLoss, ForQuestionAnsweringLoss, and ForCTCLoss
of loss_ctc, which loss_utils imports), on torch tensors with torch's autograd
(adapters.pytorch.TorchBackend).

LOSS_MAPPING (transformers 5.24.0: 31 model-class suffixes) and what is checked:
- ForCausalLM, ForConditionalGeneration, CsmForConditionalGeneration -> ForCausalLMLoss;
  ForMaskedLM -> ForMaskedLMLoss; ForTokenClassification -> ForTokenClassification;
  ForQuestionAnswering -> ForQuestionAnsweringLoss (cross_entropy, families/classification);
  ForSequenceClassification, ForImageClassification, ForVideoClassification,
  ForAudioClassification -> ForSequenceClassificationLoss (problem_type 'regression': mse_loss,
  families/regression; 'single_label_classification': cross_entropy;
  'multi_label_classification': binary_cross_entropy_with_logits); ForCTC -> ForCTCLoss
  (ctc_loss, families/ctc).
- The other 18 entries are not one canonical loss: OUT_OF_SCOPE below says which and why.

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
                "ForTokenClassification, ForSequenceClassificationLoss, "
                "ForQuestionAnsweringLoss), torch's MSELoss and BCEWithLogitsLoss, and "
                "ForCTCLoss; the detection, segmentation, TTS and transducer losses have no "
                "canonical counterpart (OUT_OF_SCOPE)")))


# LOSS_MAPPING's entries that no path checks, by the function they map to: each composes
# several losses (and a matching or a resampling) that no one canonical loss defines.
OUT_OF_SCOPE = {
    "ForSemanticSegmentationLoss": (
        "ForSemanticSegmentation: bilinear upsampling of the logits to the labels' size "
        "(F.interpolate) before fixed_cross_entropy(ignore_index=255), plus an auxiliary head's "
        "loss times auxiliary_loss_weight; the cross-entropy itself is fixed_cross_entropy's "
        "path"),
    "ForObjectDetectionLoss": (
        "ForObjectDetection (DETR-style): Hungarian matching of predicted to target boxes, then "
        "a class cross-entropy with an end-of-sequence weight, L1 and generalised-IoU box losses "
        "and auxiliary decoder losses, weighted by the config"),
    "ForSegmentationLoss": (
        "ForSegmentation: as ForObjectDetectionLoss, plus mask losses on the matched masks "
        "(loss_for_object_detection.sigmoid_focal_loss and dice_loss, helpers that divide by "
        "the matching's num_boxes: not exposed as losses of their own in LOSS_MAPPING)"),
    "DeformableDetrForObjectDetectionLoss": (
        "DeformableDetr/ConditionalDetr/DabDetrForObjectDetection: matching, sigmoid focal class "
        "loss, L1 and GIoU box losses, auxiliary losses"),
    "DeformableDetrForSegmentationLoss": "ConditionalDetrForSegmentation: the above plus mask "
                                         "losses",
    "GroundingDinoForObjectDetectionLoss": (
        "GroundingDino/MMGroundingDinoForObjectDetection: matching against text-token "
        "alignments, focal, L1 and GIoU losses"),
    "RTDetrForObjectDetectionLoss": "RTDetr/RTDetrV2ForObjectDetection: matching, "
                                    "varifocal/focal, L1, GIoU and denoising losses",
    "DFineForObjectDetectionLoss": "DFineForObjectDetection: RT-DETR's losses plus "
                                   "fine-grained localisation and decoupled distillation",
    "Deimv2ForObjectDetectionLoss": "Deimv2ForObjectDetection: matching, a matchability-aware "
                                    "class loss (loss_mal), L1, GIoU, fine-grained "
                                    "localisation and decoupled distillation losses",
    "LwDetrForObjectDetectionLoss": "LwDetr/RfDetrForObjectDetection: matching, class, L1, "
                                    "GIoU and cardinality losses",
    "RfDetrForSegmentationLoss": "RfDetrForInstanceSegmentation: the above plus mask "
                                 "cross-entropy and dice losses",
    "PocketTTSForConditionalGenerationLoss": (
        "PocketTTS/GradiumPhononTTSForConditionalGeneration: a Lagrangian self-distillation "
        "flow loss (loss_lsd.py) that calls the model's flow head on sampled times and noise, "
        "plus an end-of-speech loss"),
    "ParakeetForRNNTLoss": "ParakeetForRNNT: the RNN-transducer loss (a lattice over frames "
                           "and labels); no canonical rnnt loss in the catalogue",
    "ParakeetForTDTLoss": "ParakeetForTDT: the token-and-duration transducer loss; no canonical "
                          "counterpart",
}

NEAR = {
    "binary_cross_entropy": "ForSequenceClassificationLoss's multi-label loss takes logits "
                            "(binary_cross_entropy_with_logits), not probabilities",
}
