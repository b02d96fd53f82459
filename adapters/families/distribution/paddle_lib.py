"""PaddlePaddle paths of the distribution family (spec.py beside this file): kl_div, functional
and class. paddle's kl_div follows torch's (input log-probabilities, log_target, 'batchmean');
its 'mean' warns that it divides by every element and will become 'batchmean'. Unlike torch
(kl_div_zero_target_on_infinite_log_ratio_is_nan), a 0 target on an input of -inf gives 0 here,
as canonical (case zero-target-neg-inf-input passes); only a log-target of -inf gives nan
(paddle_kl_div_log_target_neg_inf_is_nan)."""
from __future__ import annotations

from adapters.paddle_lib import DTYPES, NO_HALF, SEEN_ON, F, adapter, nn, path

KL_NAN = ["paddle_kl_div_log_target_neg_inf_is_nan"]


@path("kl_div", "functional", params=["reduction", "log_target"], conventions=KL_NAN,
      dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.functional.kl_div(input, target, reduction=reduction, "
           "log_target=log_target)")
def kl_div_functional(input, target, *, reduction, log_target):
    return F.kl_div(input, target, reduction=reduction, log_target=log_target)


@path("kl_div", "module", params=["reduction", "log_target"], conventions=KL_NAN,
      dtypes=DTYPES, notes=NO_HALF,
      call="paddle.nn.KLDivLoss(reduction=reduction, log_target=log_target)(input, target)")
def kl_div_module(input, target, *, reduction, log_target):
    return nn.KLDivLoss(reduction=reduction, log_target=log_target)(input, target)


adapter.saw(KL_NAN[0], path="kl_div/functional", case="kl_div/log-target-neg-inf/none",
            call="paddle.nn.functional.kl_div(x, t, reduction='none', log_target=True) with x = "
                 "[[-1.2, -.9, -1.1], [-.5, -1.5, -1.4]], t = [[-inf, log .75, log .25], "
                 "[log .5, -inf, log .5]]",
            seen="[[nan, 0.4592384457, -0.0715735903], [-0.0965735903, nan, 0.3534264097]] "
                 "(canonical 0 at the nans); gradient [[-0, -.75, -.25], [-.5, -0, -.5]] as "
                 "canonical; with log_target=False, a 0 target on an input of -inf gives 0",
            versions=SEEN_ON)
