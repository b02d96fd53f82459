"""timm paths of the classification family (spec.py beside this file): timm.loss's
LabelSmoothingCrossEntropy, SoftTargetCrossEntropy, PolyCrossEntropy, BinaryCrossEntropy and
JsdCrossEntropy. Each averages over the batch only (the class axis last, (N, C) input), except
BinaryCrossEntropy and PolyCrossEntropy, which take a reduction."""
from __future__ import annotations

import numpy as np

from adapters.timm_lib import SEEN_ON, TIMM_SOURCE, adapter, loss, path

from .spec import TIMM_TARGET_THRESHOLD

# timm asserts smoothing < 1 (canonical: up to 1)
SMOOTHING_BELOW_1 = {"label_smoothing = 1 (timm asserts smoothing < 1.0)":
                     lambda p, e, i: p["label_smoothing"] >= 1}


# ---------------------------------------------------------------- cross_entropy
# LabelSmoothingCrossEntropy: (1 - eps) nll + eps mean_c(-log p_c), the canonical smoothing
# eps / C (torch's); a mean over the rows, no class weight and no ignore_index.

@path("cross_entropy", "LabelSmoothingCrossEntropy", encodings=["index"], ndims=[2],
      params=["label_smoothing"], conventions=["timm_smoothing_term_nan_at_neg_inf_logit"],
      unsupported_when={**SMOOTHING_BELOW_1,
                        "targets equal to ignore_index (timm ignores none: its gather raises)":
                            lambda p, e, i: bool(np.any(np.asarray(i.get("target"))
                                                        == p["ignore_index"]))},
      call="timm.loss.LabelSmoothingCrossEntropy(smoothing=label_smoothing)(input, target)")
def label_smoothing_ce(input, target, *, label_smoothing):
    return loss.LabelSmoothingCrossEntropy(smoothing=label_smoothing)(input, target)


# SoftTargetCrossEntropy: sum_c -t log_softmax(x), averaged over the rows
@path("cross_entropy", "SoftTargetCrossEntropy", encodings=["one_hot", "probs"], ndims=[1, 2],
      conventions=["probs_weighted_mean_divides_by_count",
                   "probs_zero_target_on_neg_inf_logit_is_nan"],
      call="timm.loss.SoftTargetCrossEntropy()(input, target)")
def soft_target_ce(input, target):
    return loss.SoftTargetCrossEntropy()(input, target)


# ---------------------------------------------------------------- poly_loss_cross_entropy
# PolyCrossEntropy(epsilon, smoothing, reduction): CE + epsilon (1 - sum_c t_c p_c), index targets
# one-hot encoded (smoothing, not canonical here, left at 0), dense targets as given. It computes
# in float32 whatever the input (F.log_softmax(x.float())), so only float32 is checked.

def _ignored_target(params, encoding, inputs) -> bool:
    return encoding == "index" and bool(np.any(np.asarray(inputs.get("target"))
                                               == params["ignore_index"]))


@path("poly_loss_cross_entropy", "PolyCrossEntropy", ndims=[2], params=["epsilon", "reduction"],
      conventions=["probs_zero_target_on_neg_inf_logit_is_nan"],
      dtypes=["float32"], notes="it computes in float32 whatever the input dtype "
                                "(F.log_softmax(x.float(), dim=-1)) and returns float32",
      unsupported_when={"targets equal to ignore_index (timm ignores none: one_hot raises)":
                        _ignored_target},
      call="timm.loss.PolyCrossEntropy(epsilon=epsilon, reduction=reduction)(input, target)")
def poly_ce(input, target, *, epsilon, reduction):
    return loss.PolyCrossEntropy(epsilon=epsilon, reduction=reduction)(input, target)


# ---------------------------------------------------------------- binary_cross_entropy_with_logits
# BinaryCrossEntropy(smoothing, target_threshold, weight, reduction, sum_classes, pos_weight,
# smooth_dense). Dense targets (the input's shape) with smooth_dense=True are smoothed to
# y (1 - eps) + eps / 2, the canonical binary smoothing; timm's default smoothing is 0.1, so every
# path passes it.

BCE_PARAMS = ["weight", "pos_weight", "label_smoothing", "reduction"]


def _bce(input, target, label_smoothing, **options):
    return loss.BinaryCrossEntropy(smoothing=label_smoothing, smooth_dense=True, **options)(
        input, target)


@path("binary_cross_entropy_with_logits", "BinaryCrossEntropy", ndims=[1, 2, 3, 4, 5],
      params=BCE_PARAMS, unsupported_when=SMOOTHING_BELOW_1,
      call="timm.loss.BinaryCrossEntropy(smoothing=label_smoothing, weight=weight, "
           "pos_weight=pos_weight, reduction=reduction, smooth_dense=True)(input, target)")
def bce(input, target, *, weight, pos_weight, label_smoothing, reduction):
    return _bce(input, target, label_smoothing, weight=weight, pos_weight=pos_weight,
                reduction=reduction)


def _not_one_hot_rows(params, encoding, inputs) -> bool:
    t = np.asarray(inputs.get("target"))
    return not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=-1) == 1))


# index targets (N,): timm one-hot encodes them itself, smoothing with eps / C
@path("binary_cross_entropy_with_logits", "BinaryCrossEntropy-index-targets", ndims=[2],
      params=BCE_PARAMS, conventions=["timm_bce_index_smoothing_over_classes"],
      unsupported_when={**SMOOTHING_BELOW_1,
                        "targets that are not one-hot rows (the path passes target.argmax(-1))":
                            _not_one_hot_rows},
      call="timm.loss.BinaryCrossEntropy(smoothing=label_smoothing, weight=weight, "
           "pos_weight=pos_weight, reduction=reduction)(input, target.argmax(-1))")
def bce_index(input, target, *, weight, pos_weight, label_smoothing, reduction):
    return loss.BinaryCrossEntropy(smoothing=label_smoothing, weight=weight,
                                   pos_weight=pos_weight, reduction=reduction)(
        input, target.argmax(-1))


@path("binary_cross_entropy_with_logits", "BinaryCrossEntropy-target_threshold",
      ndims=[1, 2, 3, 4, 5], params=BCE_PARAMS,
      conventions=["timm_bce_targets_binarised_at_threshold"],
      unsupported_when=SMOOTHING_BELOW_1,
      call=f"timm.loss.BinaryCrossEntropy(smoothing=label_smoothing, target_threshold="
           f"{TIMM_TARGET_THRESHOLD}, weight=weight, pos_weight=pos_weight, reduction=reduction, "
           f"smooth_dense=True)(input, target)")
def bce_threshold(input, target, *, weight, pos_weight, label_smoothing, reduction):
    return _bce(input, target, label_smoothing, target_threshold=TIMM_TARGET_THRESHOLD,
                weight=weight, pos_weight=pos_weight, reduction=reduction)


# sum_classes=True: the loss summed over the last axis, then the mean over the rest (the only
# reduction: the path declares none, so it runs the canonical default 'mean')
@path("binary_cross_entropy_with_logits", "BinaryCrossEntropy-sum_classes",
      ndims=[1, 2, 3, 4, 5], params=["weight", "pos_weight", "label_smoothing"],
      conventions=["timm_bce_sum_classes_mean_over_rows"], unsupported_when=SMOOTHING_BELOW_1,
      call="timm.loss.BinaryCrossEntropy(smoothing=label_smoothing, weight=weight, "
           "pos_weight=pos_weight, sum_classes=True, smooth_dense=True)(input, target)")
def bce_sum_classes(input, target, *, weight, pos_weight, label_smoothing):
    return _bce(input, target, label_smoothing, weight=weight, pos_weight=pos_weight,
                sum_classes=True)


# ---------------------------------------------------------------- evidence

adapter.saw("timm_smoothing_term_nan_at_neg_inf_logit",
            path="cross_entropy/LabelSmoothingCrossEntropy",
            case="cross_entropy/neg-inf-logits-kept/index",
            call="timm.loss.LabelSmoothingCrossEntropy(smoothing=0.0)(input, target) on input "
                 "[[-inf, 1., 0.5], [2., -inf, -inf]] and target [1, 0]",
            seen="nan where canonical (and torch's F.cross_entropy) gives 0.23703849209005334; "
                 "the gradient is canonical: [[0, -0.1887703344, 0.1887703344], [0, 0, 0]]",
            versions=SEEN_ON,
            link=TIMM_SOURCE.format("cross_entropy") + " (loss = self.confidence * nll_loss + "
                 "self.smoothing * smooth_loss)")
adapter.saw("probs_weighted_mean_divides_by_count", path="cross_entropy/SoftTargetCrossEntropy",
            case="cross_entropy/probs-rows-not-summing-to-1-mean/probs",
            call="timm.loss.SoftTargetCrossEntropy()(input, target) on (4, 5) logits and "
                 "targets uniform in [0, 0.5) (rows summing to about 1.25)",
            seen="2.5243966413548384 (the sum over the 4 rows / 4) where canonical divides by "
                 "the summed targets: 1.815849043672533; gradient [0, 0] -0.0807955807 "
                 "(canonical -0.0581178787)",
            versions=SEEN_ON,
            link=TIMM_SOURCE.format("cross_entropy") + " (torch.sum(-target * F.log_softmax(x, "
                 "dim=-1), dim=-1).mean())")
adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan",
            path="cross_entropy/SoftTargetCrossEntropy",
            case="cross_entropy/neg-inf-logits-kept/one_hot",
            call="timm.loss.SoftTargetCrossEntropy()(input, target) on input [[-inf, 1., 0.5], "
                 "[2., -inf, -inf]] and one-hot targets of [1, 0]",
            seen="nan (0 * -inf) where canonical gives 0.23703849209005334; the gradient is "
                 "canonical: [[0, -0.1887703344, 0.1887703344], [0, 0, 0]]",
            versions=SEEN_ON)
adapter.saw("timm_bce_index_smoothing_over_classes",
            path="binary_cross_entropy_with_logits/BinaryCrossEntropy-index-targets",
            case="binary_cross_entropy_with_logits/one-hot-smoothing-0.2-none/none",
            call="timm.loss.BinaryCrossEntropy(smoothing=0.2, reduction='none')(input, "
                 "target.argmax(-1)) on (4, 5) logits and index targets [1, 4, 0, 2]",
            seen="row 0 [1.2545124273, 1.1276430575, 1.5179817498, 0.1714906274, 3.2336118544] "
                 "(targets 0.04 and 0.84) where the binary smoothing (targets 0.1 and 0.9) gives "
                 "[1.1961466588, 1.1849300949, 1.4376609955, 0.3379659728, 3.0337052428]",
            versions=SEEN_ON,
            link=TIMM_SOURCE.format("binary_cross_entropy") + " (off_value = self.smoothing / "
                 "num_classes; on_value = 1. - self.smoothing + off_value)")
adapter.saw("timm_bce_targets_binarised_at_threshold",
            path="binary_cross_entropy_with_logits/BinaryCrossEntropy-target_threshold",
            case="binary_cross_entropy_with_logits/batch-none-soft/none",
            call=f"timm.loss.BinaryCrossEntropy(smoothing=0.0, target_threshold="
                 f"{TIMM_TARGET_THRESHOLD}, reduction='none', smooth_dense=True)(input, target) "
                 f"on (4, 3) logits and uniform targets",
            seen="row 0 [2.3811816235, 0.1113723584, 1.7132960459] where the soft targets give "
                 "[1.8648555081, 1.0499898982, 1.4991404726]",
            versions=SEEN_ON,
            link=TIMM_SOURCE.format("binary_cross_entropy") + " (target = target.gt("
                 "self.target_threshold).to(dtype=target.dtype))")
adapter.saw("timm_bce_sum_classes_mean_over_rows",
            path="binary_cross_entropy_with_logits/BinaryCrossEntropy-sum_classes",
            case="binary_cross_entropy_with_logits/batch-mean/none",
            call="timm.loss.BinaryCrossEntropy(smoothing=0.0, sum_classes=True, "
                 "smooth_dense=True)(input, target) on (4, 3) logits and 0/1 targets",
            seen="3.2785964555646374 = 3 x the canonical mean 1.0928654851882125 (the sum over "
                 "12 elements / 4 rows instead of / 12); the gradient 3 times canonical",
            versions=SEEN_ON,
            link=TIMM_SOURCE.format("binary_cross_entropy") + " (loss = loss.sum(-1).mean())")
adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan",
            path="poly_loss_cross_entropy/PolyCrossEntropy",
            case="poly_loss_cross_entropy/neg-inf-logits/index",
            call="timm.loss.PolyCrossEntropy(epsilon=2.0, reduction='none')(input, target) in "
                 "float32 on input [[-inf, 1., 0.5], [2., -inf, -inf], [0., 0., -inf]] and "
                 "index targets [1, 0, 2] (one-hot encoded inside)",
            seen="[nan, nan, inf] where canonical gives [1.2291583218, 0, inf]: -(target * "
                 "log_probs).sum(-1) multiplies the one-hot's zeros by -inf; the gradient is "
                 "canonical ([[0, -0.8475481272, 0.8475481868], [0, 0, 0], [0.5, 0.5, -1]])",
            versions="timm 1.0.31 on torch 2.13.0+cpu, float32",
            link=TIMM_SOURCE.format("poly_loss") + " (loss = -(target * log_probs).sum(dim=-1))")


# ---------------------------------------------------------------- jsd_cross_entropy
# JsdCrossEntropy(num_splits, alpha, smoothing): AugMix's loss, the mean over the clean split's
# examples only (no reduction). smoothing > 0 takes LabelSmoothingCrossEntropy (eps / C, index
# targets only), smoothing 0 torch.nn.CrossEntropyLoss() (index or probability targets).

JSD_CONVENTIONS = ["timm_jsd_mixture_clamped_at_1e-7", "timm_jsd_grad_nan_at_zero_probability"]


def _ignored_clean_target(params, encoding, inputs) -> bool:
    t = np.asarray(inputs.get("target"))
    b = t.shape[0] // params["num_splits"] if t.ndim else 0
    return encoding == "index" and bool(np.any(t[:b] == params["ignore_index"]))


JSD_IGNORED = {"clean targets equal to ignore_index (timm ignores none: with smoothing its "
               "gather raises; without, CrossEntropyLoss leaves them out of the cross-entropy's "
               "mean but not the divergence's)": _ignored_clean_target}


@path("jsd_cross_entropy", "JsdCrossEntropy", encodings=["index"], ndims=[2],
      params=["num_splits", "alpha", "label_smoothing"], conventions=JSD_CONVENTIONS,
      unsupported_when={**SMOOTHING_BELOW_1, **JSD_IGNORED},
      call="timm.loss.JsdCrossEntropy(num_splits=num_splits, alpha=alpha, "
           "smoothing=label_smoothing)(input, target)")
def jsd(input, target, *, num_splits, alpha, label_smoothing):
    return loss.JsdCrossEntropy(num_splits=num_splits, alpha=alpha,
                                smoothing=label_smoothing)(input, target)


@path("jsd_cross_entropy", "JsdCrossEntropy(smoothing=0)", encodings=["one_hot", "probs"],
      ndims=[2], params=["num_splits", "alpha"],
      conventions=[*JSD_CONVENTIONS, "probs_zero_target_on_neg_inf_logit_is_nan"],
      notes="smoothing=0 makes timm take torch's CrossEntropyLoss, which takes probability "
            "targets (LabelSmoothingCrossEntropy gathers index targets)",
      call="timm.loss.JsdCrossEntropy(num_splits=num_splits, alpha=alpha, smoothing=0)(input, "
           "target)")
def jsd_probs(input, target, *, num_splits, alpha):
    return loss.JsdCrossEntropy(num_splits=num_splits, alpha=alpha, smoothing=0)(input, target)


adapter.saw("timm_jsd_mixture_clamped_at_1e-7", path="jsd_cross_entropy/JsdCrossEntropy",
            case="jsd_cross_entropy/mixture-below-1e-7/index",
            call="timm.loss.JsdCrossEntropy(num_splits=3, alpha=12, smoothing=0)(input, target) "
                 "on input [[0, -15.5, -15.5, -15.5], [0, -40, -40, -40], [0, -40, -40, -40]] "
                 "and target [0, 0, 0] (mixture 6.2e-8 on classes 1..3)",
            seen="1.9327868582048675e-06 where canonical gives 3.0026432e-06; gradient row 0 "
                 "[-4.15925351e-06, 1.38641784e-06 x 3] (canonical [-3.00264210e-06, "
                 "1.00088070e-06 x 3])",
            versions=SEEN_ON,
            link=TIMM_SOURCE.format("jsd") + " (logp_mixture = torch.clamp(torch.stack(probs)"
                 ".mean(axis=0), 1e-7, 1).log())")
adapter.saw("timm_jsd_grad_nan_at_zero_probability", path="jsd_cross_entropy/JsdCrossEntropy",
            case="jsd_cross_entropy/neg-inf-logits-mean/index",
            call="timm.loss.JsdCrossEntropy(num_splits=3, alpha=12, smoothing=0)(input, target) "
                 "on input [[-inf, 1, 0.5], [2, -inf, 0], [0, 1, 0.5], [2, 1, -inf], [0.5, 0.5, "
                 "0.5], [-inf, -inf, 1]] and target [1, 0, 2, 0, 1, 2]",
            seen="the value 4.473369975911159 is canonical; the gradient is nan on rows 0, 1, 3 "
                 "and 5 (each holding a probability of 0) where canonical gives row 0 [0, "
                 "-0.1239485764, 0.1239485764], row 5 [0, 0, 0]; rows 2 and 4 are canonical",
            versions=SEEN_ON,
            link=TIMM_SOURCE.format("jsd") + " (F.kl_div(logp_mixture, p_split, "
                 "reduction='batchmean'), p_split = F.softmax(logits, dim=1))")
