"""PyTorch paths of the distribution family (spec.py beside this file): kl_div, and
generalized_kl_divergence composed (torch has no such loss)."""
from __future__ import annotations

from adapters.pytorch import SEEN_ON, F, adapter, nn, path, reduce, torch

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


# ---------------------------------------------------------------- generalized_kl_divergence
# torch has no generalized KL divergence: kl_div's elements plus exp(input) - target, reduced as
# kl_div reduces ('batchmean': the sum over input.shape[0]).

def kl_reduce(losses, reduction, input):
    """PyTorch's kl_div reductions of unreduced elements."""
    if reduction == "batchmean":
        return losses.sum() / input.shape[0]
    return reduce(losses, reduction)


@path("generalized_kl_divergence", "kl_div+exp", kind="composed", params=["reduction"],
      conventions=[KL_NAN],
      call="kl_reduce(F.kl_div(input, target, reduction='none') + torch.exp(input) - target, "
           "reduction, input)  ['batchmean': the sum / input.shape[0]]")
def generalized_kl_torch(input, target, *, reduction):
    elements = F.kl_div(input, target, reduction="none") + torch.exp(input) - target
    return kl_reduce(elements, reduction, input)


adapter.saw(KL_NAN, path="generalized_kl_divergence/kl_div+exp",
            case="generalized_kl_divergence/zero-target-neg-inf-input/none",
            call="F.kl_div(x, t, reduction='none') + torch.exp(x) - t with x = [[-inf, log .5, "
                 "0.], [0., log 2, -inf]], t = [[0., .25, 1.], [.5, 2., 0.]]",
            seen="[[nan, 0.0767, 0.], [0.1534, 0., nan]] (canonical 0 where t = 0 and x = -inf: "
                 "l = exp(x) = 0); gradient exp(x) - t = [[0, .25, 0], [.5, 0, 0]], 0 there",
            versions=SEEN_ON,
            link="https://pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html "
                 "(xlogy for 0 log 0; not the -inf input)")
