"""The `torch` adapter: torch.nn.functional and torch.nn module paths, gradients by autograd.

torch is imported when a path runs, never at import of this module, so collection works without
it. Functional and module forms are separate paths because users mix them.
"""
from __future__ import annotations

import functools
import importlib

import numpy as np

from .registry import declare_adapter

INSTALL_HINT = "pip install torch==2.13.0  (or: pip install -e '.[torch]')"


def _torch():
    return importlib.import_module("torch")


class TorchBackend:
    """NumPy <-> torch tensors, devices and autograd. Reusable by plug-in adapters."""

    def unavailable(self):
        try:
            _torch()
        except ImportError as err:
            return f"torch is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"torch": _torch().__version__}

    def devices(self):
        torch = _torch()
        return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])

    def asarray(self, array, dtype, device):
        torch = _torch()
        a = np.asarray(array)
        kind = torch.int64 if np.issubdtype(a.dtype, np.integer) else getattr(torch, dtype)
        return torch.as_tensor(a).to(device=device, dtype=kind)

    def to_numpy(self, value):
        torch = _torch()
        return value.detach().to(device="cpu", dtype=torch.float64).numpy()

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        torch = _torch()
        # new leaves on the same storage (no copy) for the inputs differentiated
        args = [a.detach().requires_grad_(True) if i in wrt else a for i, a in enumerate(args)]
        out = fn(*args)
        v = torch.as_tensor(np.asarray(cotangent)).to(device=out.device, dtype=out.dtype)
        grads = torch.autograd.grad(out, [args[i] for i in wrt], grad_outputs=v,
                                    allow_unused=True)
        return out, tuple(torch.zeros_like(args[i]) if g is None else g
                          for i, g in zip(wrt, grads))


adapter = declare_adapter("torch", TorchBackend(), "PyTorch: torch.nn.functional and torch.nn")
path = adapter.path


def _F():
    return importlib.import_module("torch.nn.functional")


def _nn():
    return importlib.import_module("torch.nn")


def reduce(losses, reduction):
    """PyTorch's reductions of an unreduced loss: 'mean' divides by the number of elements."""
    return {"none": lambda: losses, "sum": losses.sum, "mean": losses.mean}[reduction]()


# ---------------------------------------------------------------- softmax, log_softmax

@path("softmax", "functional", call="torch.nn.functional.softmax(input, dim=dim)", params=["dim"])
def softmax_functional(input, *, dim):
    return _F().softmax(input, dim=dim)


@path("softmax", "module", call="torch.nn.Softmax(dim=dim)(input)", params=["dim"])
def softmax_module(input, *, dim):
    return _nn().Softmax(dim=dim)(input)


@path("log_softmax", "functional", call="torch.nn.functional.log_softmax(input, dim=dim)",
      params=["dim"])
def log_softmax_functional(input, *, dim):
    return _F().log_softmax(input, dim=dim)


@path("log_softmax", "module", call="torch.nn.LogSoftmax(dim=dim)(input)", params=["dim"])
def log_softmax_module(input, *, dim):
    return _nn().LogSoftmax(dim=dim)(input)


# ---------------------------------------------------------------- cross_entropy, nll_loss

CE_PARAMS = ["weight", "ignore_index", "label_smoothing", "reduction"]
CE_CONVENTIONS = ["probs_weighted_mean_divides_by_count", "probs_zero_target_on_neg_inf_logit_is_nan",
                  "all_ignored_mean_gradient_is_zero"]


@path("cross_entropy", "functional", params=CE_PARAMS, conventions=CE_CONVENTIONS,
      call="torch.nn.functional.cross_entropy(input, target, weight=weight, "
           "ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)")
def cross_entropy_functional(input, target, *, weight, ignore_index, label_smoothing, reduction):
    return _F().cross_entropy(input, target, weight=weight, ignore_index=ignore_index,
                              reduction=reduction, label_smoothing=label_smoothing)


@path("cross_entropy", "module", params=CE_PARAMS, conventions=CE_CONVENTIONS,
      call="torch.nn.CrossEntropyLoss(weight=weight, ignore_index=ignore_index, "
           "reduction=reduction, label_smoothing=label_smoothing)(input, target)")
def cross_entropy_module(input, target, *, weight, ignore_index, label_smoothing, reduction):
    return _nn().CrossEntropyLoss(weight=weight, ignore_index=ignore_index, reduction=reduction,
                                  label_smoothing=label_smoothing)(input, target)


# The decomposition the seeds spell out (000_fd22db6a8044b2f9.txt): log_softmax, then nll_loss.
@path("cross_entropy", "log_softmax+nll_loss", kind="composed", encodings=["index"],
      params=["weight", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.nn.functional.nll_loss(torch.nn.functional.log_softmax(input, dim=1 if "
           "input.ndim > 1 else 0), target, weight=weight, ignore_index=ignore_index, "
           "reduction=reduction)")
def cross_entropy_composed(input, target, *, weight, ignore_index, reduction):
    F = _F()
    logp = F.log_softmax(input, dim=1 if input.ndim > 1 else 0)
    return F.nll_loss(logp, target, weight=weight, ignore_index=ignore_index, reduction=reduction)


NLL_PARAMS = ["weight", "ignore_index", "reduction"]


@path("nll_loss", "functional", encodings=["index"], params=NLL_PARAMS,
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.nn.functional.nll_loss(input, target, weight=weight, "
           "ignore_index=ignore_index, reduction=reduction)")
def nll_loss_functional(input, target, *, weight, ignore_index, reduction):
    return _F().nll_loss(input, target, weight=weight, ignore_index=ignore_index,
                         reduction=reduction)


@path("nll_loss", "module", encodings=["index"], params=NLL_PARAMS,
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="torch.nn.NLLLoss(weight=weight, ignore_index=ignore_index, "
           "reduction=reduction)(input, target)")
def nll_loss_module(input, target, *, weight, ignore_index, reduction):
    return _nn().NLLLoss(weight=weight, ignore_index=ignore_index, reduction=reduction)(input, target)


# ---------------------------------------------------------------- binary cross-entropy

BCE_CONVENTIONS = ["bce_log_clamped_at_-100", "bce_grad_denominator_clamped_at_1e-12"]


@path("binary_cross_entropy", "functional", params=["weight", "reduction"],
      conventions=BCE_CONVENTIONS,
      call="torch.nn.functional.binary_cross_entropy(input, target, weight=weight, "
           "reduction=reduction)")
def bce_functional(input, target, *, weight, reduction):
    return _F().binary_cross_entropy(input, target, weight=weight, reduction=reduction)


@path("binary_cross_entropy", "module", params=["weight", "reduction"],
      conventions=BCE_CONVENTIONS,
      call="torch.nn.BCELoss(weight=weight, reduction=reduction)(input, target)")
def bce_module(input, target, *, weight, reduction):
    return _nn().BCELoss(weight=weight, reduction=reduction)(input, target)


BCEL_PARAMS = ["weight", "pos_weight", "reduction"]


@path("binary_cross_entropy_with_logits", "functional", params=BCEL_PARAMS,
      call="torch.nn.functional.binary_cross_entropy_with_logits(input, target, weight=weight, "
           "pos_weight=pos_weight, reduction=reduction)")
def bce_logits_functional(input, target, *, weight, pos_weight, reduction):
    return _F().binary_cross_entropy_with_logits(input, target, weight=weight,
                                                 pos_weight=pos_weight, reduction=reduction)


@path("binary_cross_entropy_with_logits", "module", params=BCEL_PARAMS,
      call="torch.nn.BCEWithLogitsLoss(weight=weight, pos_weight=pos_weight, "
           "reduction=reduction)(input, target)")
def bce_logits_module(input, target, *, weight, pos_weight, reduction):
    return _nn().BCEWithLogitsLoss(weight=weight, pos_weight=pos_weight,
                                   reduction=reduction)(input, target)


# ---------------------------------------------------------------- regression: l1, mse, smooth_l1, huber

@path("l1_loss", "functional", params=["reduction"],
      call="torch.nn.functional.l1_loss(input, target, reduction=reduction)")
def l1_functional(input, target, *, reduction):
    return _F().l1_loss(input, target, reduction=reduction)


@path("l1_loss", "module", params=["reduction"],
      call="torch.nn.L1Loss(reduction=reduction)(input, target)")
def l1_module(input, target, *, reduction):
    return _nn().L1Loss(reduction=reduction)(input, target)


@path("mse_loss", "functional", params=["reduction"],
      call="torch.nn.functional.mse_loss(input, target, reduction=reduction)")
def mse_functional(input, target, *, reduction):
    return _F().mse_loss(input, target, reduction=reduction)


@path("mse_loss", "module", params=["reduction"],
      call="torch.nn.MSELoss(reduction=reduction)(input, target)")
def mse_module(input, target, *, reduction):
    return _nn().MSELoss(reduction=reduction)(input, target)


# The two custom MSEs the seeds contrast with nn.MSELoss (002_56437d9d0e5a06b9.txt): a function
# and an nn.Module subclass, both torch.mean(torch.square(...)): reduction='mean' only.
def custom_mean_square_error(y_predictions, target):
    square = _torch().square(y_predictions - target)
    return _torch().mean(square)


@path("mse_loss", "custom_mean_square_error", kind="composed",
      call="torch.mean(torch.square(input - target))  [a hand-written function]")
def mse_custom_function(input, target):
    return custom_mean_square_error(input, target)


@functools.lru_cache(maxsize=None)
def _custom_mse_class():
    nn = _nn()

    class Custom_MSE(nn.Module):
        def forward(self, predictions, target):
            square = _torch().square(predictions - target)
            return _torch().mean(square)
    return Custom_MSE


@path("mse_loss", "Custom_MSE(nn.Module)", kind="composed",
      call="Custom_MSE()(input, target), forward = torch.mean(torch.square(predictions - target))"
           "  [an nn.Module subclass]")
def mse_custom_module(input, target):
    return _custom_mse_class()()(input, target)


@path("smooth_l1_loss", "functional", params=["beta", "reduction"],
      call="torch.nn.functional.smooth_l1_loss(input, target, reduction=reduction, beta=beta)")
def smooth_l1_functional(input, target, *, beta, reduction):
    return _F().smooth_l1_loss(input, target, reduction=reduction, beta=beta)


@path("smooth_l1_loss", "module", params=["beta", "reduction"],
      call="torch.nn.SmoothL1Loss(reduction=reduction, beta=beta)(input, target)")
def smooth_l1_module(input, target, *, beta, reduction):
    return _nn().SmoothL1Loss(reduction=reduction, beta=beta)(input, target)


@path("smooth_l1_loss", "huber_loss(delta=beta).div(beta)", kind="composed", params=["beta", "reduction"],
      call="torch.nn.functional.huber_loss(input, target, reduction=reduction, delta=beta) / beta "
           "if beta > 0 else torch.nn.functional.l1_loss(input, target, reduction=reduction)")
def smooth_l1_via_huber(input, target, *, beta, reduction):
    F = _F()
    if beta == 0:
        return F.l1_loss(input, target, reduction=reduction)
    return F.huber_loss(input, target, reduction=reduction, delta=beta) / beta


@path("huber_loss", "functional", params=["delta", "reduction"],
      call="torch.nn.functional.huber_loss(input, target, reduction=reduction, delta=delta)")
def huber_functional(input, target, *, delta, reduction):
    return _F().huber_loss(input, target, reduction=reduction, delta=delta)


@path("huber_loss", "module", params=["delta", "reduction"],
      call="torch.nn.HuberLoss(reduction=reduction, delta=delta)(input, target)")
def huber_module(input, target, *, delta, reduction):
    return _nn().HuberLoss(reduction=reduction, delta=delta)(input, target)


# ---------------------------------------------------------------- evidence of the conventions

SEEN_ON = "torch 2.13.0+cpu, float64 and float32"
TORCH_DOCS = "https://pytorch.org/docs/stable/generated/torch.nn.{}.html"

adapter.saw("bce_log_clamped_at_-100", path="binary_cross_entropy/functional",
            case="binary_cross_entropy/probs-0-and-1-opposite/none",
            call="F.binary_cross_entropy(tensor([0., 1., 0.3]), tensor([1., 0., 1.]), "
                 "reduction='none')",
            seen="[100.0, 100.0, 1.2039728043259361]; canonical [inf, inf, 1.2039728043259361]",
            versions=SEEN_ON, link=TORCH_DOCS.format("BCELoss") + " (BCELoss clamps its log "
                                                                  "function outputs to >= -100)")
adapter.saw("bce_grad_denominator_clamped_at_1e-12", path="binary_cross_entropy/functional",
            case="binary_cross_entropy/probs-0-and-1-opposite/none",
            call="F.binary_cross_entropy(p, y, reduction='none').sum().backward() with "
                 "p = [0., 1., 0.3], y = [1., 0., 1.]",
            seen="p.grad [-1000000003995.8029, 1000000003995.8029, -3.3333333333333]: "
                 "1 / float32(1e-12); canonical [-inf, inf, -3.3333333333333]",
            versions=SEEN_ON)
adapter.saw("probs_weighted_mean_divides_by_count", path="cross_entropy/functional",
            case="cross_entropy/weight-mean/one_hot",
            call="F.cross_entropy(x, one_hot(y), weight=w) vs F.cross_entropy(x, y, weight=w)",
            seen="3.04290650716641 with one-hot targets, 1.6228834704887518 with index targets "
                 "(x, y, w of case weight-mean)",
            versions=SEEN_ON, link=TORCH_DOCS.format("CrossEntropyLoss")
            + " (for probability targets, reduction='mean' divides by N)")
adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan", path="cross_entropy/functional",
            case="cross_entropy/neg-inf-logits-kept/one_hot",
            call="F.cross_entropy(tensor([[-inf, 1., .5], [2., -inf, -inf]]), "
                 "tensor([[0., 1., 0.], [1., 0., 0.]]))",
            seen="nan; the same targets as indices [1, 0] give 0.23703849209005334",
            versions=SEEN_ON)
adapter.saw("all_ignored_mean_gradient_is_zero", path="cross_entropy/functional",
            case="cross_entropy/all-ignored-mean/index",
            call="F.cross_entropy(x, tensor([-100, -100, -100])).backward()",
            seen="value nan, x.grad all 0.0 (canonical gradient: nan, from 0/0)",
            versions=SEEN_ON)
adapter.saw("all_ignored_mean_gradient_is_zero", path="nll_loss/functional",
            case="nll_loss/all-ignored-mean/index",
            call="F.nll_loss(x, tensor([-100, -100])).backward()",
            seen="value nan, x.grad all 0.0", versions=SEEN_ON)


# ---------------------------------------------------------------- kl_div (registered after the evidence
# above; placement does not matter to the registry)

KL_NAN = "kl_div_zero_target_on_infinite_log_ratio_is_nan"


@path("kl_div", "functional", params=["reduction", "log_target"], conventions=[KL_NAN],
      call="torch.nn.functional.kl_div(input, target, reduction=reduction, log_target=log_target)")
def kl_div_functional(input, target, *, reduction, log_target):
    return _F().kl_div(input, target, reduction=reduction, log_target=log_target)


@path("kl_div", "module", params=["reduction", "log_target"], conventions=[KL_NAN],
      call="torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)(input, target)")
def kl_div_module(input, target, *, reduction, log_target):
    return _nn().KLDivLoss(reduction=reduction, log_target=log_target)(input, target)


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


# The other families' paths, one module each; imported last, as they use the definitions above.
from . import (pytorch_ctc, pytorch_embedding, pytorch_focal_dice, pytorch_likelihood, pytorch_margin)  # noqa: E402,F401
