"""PyTorch paths of the distribution family (spec.py beside this file): kl_div."""
from __future__ import annotations

from adapters.pytorch import SEEN_ON, F, adapter, nn, path

# ---------------------------------------------------------------- kl_div

KL_NAN = "kl_div_zero_target_on_infinite_log_ratio_is_nan"


@path("kl_div", "functional", params=["reduction", "log_target"], conventions=[KL_NAN],
      call="torch.nn.functional.kl_div(input, target, reduction=reduction, log_target=log_target)")
def kl_div_functional(input, target, *, reduction, log_target):
    return F.kl_div(input, target, reduction=reduction, log_target=log_target)


@path("kl_div", "module", params=["reduction", "log_target"], conventions=[KL_NAN],
      call="torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)(input, target)")
def kl_div_module(input, target, *, reduction, log_target):
    return nn.KLDivLoss(reduction=reduction, log_target=log_target)(input, target)


for _p in ("functional", "module"):
    adapter.saw(KL_NAN, path=f"kl_div/{_p}", case="kl_div/zero-target-neg-inf-input/none",
                call="F.kl_div(tensor([[-inf, log .25, log .75], [log .5, log .5, -inf]]), "
                     "tensor([[0, .25, .75], [.5, .5, 0]]), reduction='none')",
                seen="[[nan, 0, 0], [0, 0, nan]] (canonical all 0); x.grad with cotangent 1: "
                     "[[-0, -0.25, -0.75], [-0.5, -0.5, -0]]; log_target=True with log(target) "
                     "gives nan at the same places",
                versions=SEEN_ON,
                link="https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html "
                     "(documents L = y (log y - x) with 0 log 0 = 0 via xlogy; not the -inf input)")


