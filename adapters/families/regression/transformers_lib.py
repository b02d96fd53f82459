"""Hugging Face transformers paths of the regression family (spec.py beside this file):
ForSequenceClassificationLoss with problem_type='regression', torch's MSELoss() (a mean).
"""
from __future__ import annotations

import types

from adapters.transformers_lib import loss_utils, path


@path("mse_loss", "ForSequenceClassificationLoss(regression)", kind="composed", ndims=[1, 2],
      params=["reduction"], unsupported_when={
          "reduction other than 'mean': MSELoss() is called with its default":
          lambda p, e, i: p["reduction"] != "mean"},
      call="transformers.loss.loss_utils.ForSequenceClassificationLoss(target, input, "
           "config=SimpleNamespace(num_labels=input.shape[-1] if input.ndim == 2 else 1, "
           "problem_type='regression'))  [torch.nn.MSELoss(); num_labels 1 squeezes both]")
def sequence_regression(input, target, *, reduction):
    labels = input.shape[-1] if input.dim() == 2 else 1
    config = types.SimpleNamespace(num_labels=labels, problem_type="regression")
    return loss_utils.ForSequenceClassificationLoss(target, input, config)
