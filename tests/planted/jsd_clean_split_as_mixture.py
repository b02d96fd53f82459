"""Planted bug: AugMix's consistency term ported as the divergence of each augmented split from
the clean split's prediction, KL(p_s || p_clean), instead of from the mixture M of all splits
(the Jensen-Shannon divergence): the clean split then contributes nothing and the divergence is
unbounded where a copy predicts what the clean split rules out."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'jsd_cross_entropy/augmix-mean/index-float64')
import torch
import torch.nn.functional as F

from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_jsd_clean_split_as_mixture", TorchBackend())


@bug.path("jsd_cross_entropy", "clean-as-mixture", encodings=["index"], ndims=[2],
          params=["num_splits", "alpha", "label_smoothing"],
          unsupported_when={"ignored targets": lambda p, e, i: bool(
              (torch.as_tensor(i["target"]) == p["ignore_index"]).any())},
          call="F.cross_entropy(clean, target[:B], label_smoothing) + alpha * mean_s "
               "F.kl_div(log_softmax(clean), softmax(split_s), reduction='batchmean')")
def jsd(input, target, *, num_splits, alpha, label_smoothing):
    splits = torch.split(input, input.shape[0] // num_splits)
    b = splits[0].shape[0]
    loss = F.cross_entropy(splits[0], target[:b], label_smoothing=label_smoothing)
    log_clean = F.log_softmax(splits[0], dim=1)
    kl = [F.kl_div(log_clean, F.softmax(s, dim=1), reduction="batchmean") for s in splits]
    return loss + alpha * sum(kl) / num_splits
