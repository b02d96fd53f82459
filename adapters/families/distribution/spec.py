"""Canonical losses of the distribution family, and the conventions that concern them.

kl_div is PyTorch's Kullback-Leibler divergence: the input is log-probabilities, the target
probabilities (or log-probabilities with log_target). generalized_kl_divergence is optax's
divergence between unnormalised distributions (the input the log of the prediction, the target
non-negative). Target kind "same": any shape, target of the input's shape.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import (
    REDUCTIONS,
    Convention,
    Loss,
    Param,
    SpecError,
    is_bool,
    largest_magnitude,
)

KL_REDUCTIONS = REDUCTIONS + ("batchmean",)
KL_REDUCTION = Param(name="reduction", default="mean",
                     domain="one of 'none', 'mean', 'sum', 'batchmean'", choices=KL_REDUCTIONS)
LOG_TARGET = Param(name="log_target", default=False,
                   domain="a bool: the target holds log-probabilities", check=is_bool)


def _check_kl_target(inputs, params):
    y = inputs["target"]
    if not params["log_target"] and y.size and np.any(y < 0):
        raise SpecError("inputs.target", "probabilities must be >= 0 (or set log_target)")


def _check_nonneg_target(inputs, params):
    y = inputs["target"]
    if y.size and np.any(y < 0):
        raise SpecError("inputs.target", "values must be >= 0 (an unnormalised distribution)")


def _generalized_kl_terms(inputs):
    """The terms t log t, t x, exp(x) and t that the definition adds and subtracts: at its minimum
    x = log t they cancel to 0."""
    x = np.asarray(inputs["input"], dtype=np.float64)
    t = np.asarray(inputs["target"], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t_log_t = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0)
        return largest_magnitude(t_log_t, t * x, np.exp(x), t)


LOSSES = [
    Loss(name="kl_div", inputs=("input", "target"), differentiable=("input",), target="same",
         params={"reduction": KL_REDUCTION, "log_target": LOG_TARGET},
         mean_divisor="the number of elements; reduction='batchmean' divides by input.shape[0] "
                      "instead",
         doc="Input x: log-probabilities (any real). Target t: probabilities >= 0, or "
             "log-probabilities when log_target. l = t (log t - x) with 0 log 0 = 0 (xlogy); "
             "with log_target l = exp(t) (t - x). Gradient: -t (-exp(t) with log_target). "
             "reduction='batchmean' is the sum divided by input.shape[0], the mathematical KL "
             "divergence per sample for (N, C) input.",
         check=_check_kl_target, values={"target": "nonneg"}),
    Loss(name="generalized_kl_divergence", inputs=("input", "target"), differentiable=("input",),
         target="same", params={"reduction": KL_REDUCTION},
         mean_divisor="the number of elements; reduction='batchmean' divides by input.shape[0] "
                      "instead",
         doc="Input x: the log of an unnormalised prediction q = exp(x) (any real). Target t >= "
             "0, not necessarily summing to 1. l = t (log t - x) + exp(x) - t, with 0 log 0 = 0 "
             "(so l = exp(x) at t = 0): the Bregman divergence of f(p) = p log p - p, >= 0 and "
             "0 only at exp(x) = t; equal to kl_div's elements plus exp(x) - t, and to the KL "
             "divergence when both sum to 1 over a row. Gradient: exp(x) - t. "
             "reduction='batchmean' is the sum divided by input.shape[0] (the divergence per "
             "sample for (N, C) input).",
         check=_check_nonneg_target, values={"target": "nonneg"}, cancels=_generalized_kl_terms),
]

CONVENTIONS = [
    Convention(name="paddle_kl_div_log_target_neg_inf_is_nan", losses=("kl_div",),
               description="kl_div_zero_target_on_infinite_log_ratio_is_nan with log_target=True "
                           "only: a log-target of -inf gives exp(-inf) * (-inf - x) = nan "
                           "instead of 0, while with probability targets a 0 target on an input "
                           "of -inf gives 0, as canonical (paddle)"),
    # as every framework computes it: seen by this family's pytorch, tensorflow and jax_optax
    Convention(name="kl_div_zero_target_on_infinite_log_ratio_is_nan",
               losses=("kl_div", "generalized_kl_divergence"),
               description="a zero target times an infinite log-ratio is computed as 0 * inf = "
                           "nan instead of 0 (t log(t / q) = 0 at t = 0 whatever q): a target of "
                           "0 on an input of -inf, and with log_target a target of -inf on any "
                           "input (exp(-inf) * (-inf - x)); the gradient there stays -t = 0 "
                           "(generalized_kl_divergence: the same term t (log t - x) at t = 0, x "
                           "= -inf, where exp(x) - t adds 0; its gradient exp(x) - t = 0)"),
    Convention(name="keras_kl_divergence_clipped_to_epsilon", losses=("kl_div",),
               description="keras.losses.KLDivergence takes probabilities: with q = exp(input), "
                           "the target t and q are both clipped to [1e-7, 1] "
                           "(keras.config.epsilon()) before l = t (log t - log q), so a zero "
                           "target adds 1e-7 (log 1e-7 - log q) instead of 0, and the gradient "
                           "is 0 where q was clipped (input > 0 or input < log 1e-7)"),
    Convention(name="keras_kl_divergence_mean_per_row", losses=("kl_div",),
               description="keras.losses.KLDivergence sums over the last axis (one value per "
                           "row: reduction='none' returns those sums) and "
                           "reduction='sum_over_batch_size' divides the total by the number of "
                           "rows (input.size / input.shape[-1]) instead of the number of "
                           "elements: for (N, C) input it is reduction='batchmean'"),
    Convention(name="optax_kl_divergence_sums_over_last_axis",
               losses=("kl_div", "generalized_kl_divergence"),
               description="optax.kl_divergence, kl_divergence_with_log_targets and "
                           "generalized_kl_divergence (default axis=-1) return one "
                           "divergence per example, summed over the last axis (shape "
                           "input.shape[:-1], a scalar for 1-D input): reduction='none' gives "
                           "those sums; 'sum', 'mean' (over all elements) and 'batchmean' are "
                           "unchanged"),
]

# keras.losses.KLDivergence takes sample_weight= as Keras's cross-entropies do
EXTENDS = {"keras_weighted_mean_divides_by_given_weights": ("kl_div",),
           "keras_mean_of_nothing_is_0": ("kl_div",),
           "keras_masked_mean_divides_by_kept_count": ("kl_div",)}
