"""PyTorch paths of the ctc family (spec.py beside this file).

torch.nn.functional.ctc_loss takes the canonical layout as it is. Unbatched input (T, C) wants the
targets of that one sequence unpadded, (target_length,) (torch checks "Expected tensor to have size
L at dimension 0"), so the paths cut the padded row. On CPU torch 2.13 runs float64 and float32
only: float16 and bfloat16 raise '"ctc_loss_cpu" not implemented for 'Half'' ('BFloat16').
"""
from __future__ import annotations

from adapters.pytorch import SEEN_ON, F, adapter, nn, path, torch

PARAMS = ["blank", "reduction", "zero_infinity"]
TORCH_DTYPES = ["float64", "float32"]
NO_HALF = ("torch 2.13.0 raises '\"ctc_loss_cpu\" not implemented for 'Half'' (and 'BFloat16') "
           "on CPU")
ZERO_PROBABILITY = ["torch_ctc_grad_nan_at_zero_probability"]
GRAD = ["torch_ctc_grad_is_logits_grad", *ZERO_PROBABILITY]


def _targets(log_probs, targets, target_lengths):
    """The padded row as torch wants it: as it is when batched, cut to its length when not."""
    return targets if log_probs.ndim == 3 else targets[:int(target_lengths)]


@path("ctc_loss", "functional", params=PARAMS, conventions=GRAD, dtypes=TORCH_DTYPES, notes=NO_HALF,
      call="torch.nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths, "
           "blank=blank, reduction=reduction, zero_infinity=zero_infinity)  [unbatched: "
           "targets[:target_lengths]]")
def ctc_functional(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
                   zero_infinity):
    return F.ctc_loss(log_probs, _targets(log_probs, targets, target_lengths), input_lengths,
                         target_lengths, blank=blank, reduction=reduction,
                         zero_infinity=zero_infinity)


@path("ctc_loss", "module", params=PARAMS, conventions=GRAD, dtypes=TORCH_DTYPES, notes=NO_HALF,
      call="torch.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zero_infinity)"
           "(log_probs, targets, input_lengths, target_lengths)  [unbatched: "
           "targets[:target_lengths]]")
def ctc_module(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
               zero_infinity):
    loss = nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    return loss(log_probs, _targets(log_probs, targets, target_lengths), input_lengths,
                target_lengths)


@path("ctc_loss", "functional(concatenated targets)", params=PARAMS, conventions=GRAD,
      dtypes=TORCH_DTYPES, notes=NO_HALF, ndims=[3],
      call="torch.nn.functional.ctc_loss(log_probs, torch.cat([targets[n, :target_lengths[n]] "
           "for n in range(N)]), input_lengths, target_lengths, blank=blank, reduction=reduction, "
           "zero_infinity=zero_infinity)")
def ctc_concatenated(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
                     zero_infinity):
    flat = torch.cat([row[:int(n)] for row, n in zip(targets, target_lengths, strict=True)])
    return F.ctc_loss(log_probs, flat, input_lengths, target_lengths, blank=blank,
                         reduction=reduction, zero_infinity=zero_infinity)


def canonical_gradient_ctc(log_probs, targets, input_lengths, target_lengths, blank=0,
                           reduction="mean", zero_infinity=False):
    """torch's ctc_loss with its gradient made the gradient with respect to log_probs: torch
    returns (exp(log_probs) - posterior) * upstream (the logits' gradient, see
    torch_ctc_grad_is_logits_grad), so subtract exp(log_probs) on the frames each sequence uses,
    through a term whose value is 0 and whose gradient is -exp(log_probs)."""
    targets = _targets(log_probs, targets, target_lengths)
    losses = F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=blank,
                        reduction="none", zero_infinity=zero_infinity)
    frames = torch.arange(log_probs.shape[0], device=log_probs.device)
    used = frames[:, None] < input_lengths.reshape(-1)[None, :]            # (T, N)
    exp = (log_probs.reshape(log_probs.shape[0], -1, log_probs.shape[-1]).exp()
           * used[..., None]).sum(dim=(0, 2))                                # (N,)
    if zero_infinity:   # torch's gradient is 0 for a zeroed sequence: leave it so
        raw = F.ctc_loss(log_probs.detach(), targets, input_lengths, target_lengths, blank=blank,
                         reduction="none")
        exp = exp * torch.isfinite(raw).reshape(-1)
    losses = losses - (exp - exp.detach()).reshape(losses.shape)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return (losses / target_lengths.clamp(min=1).to(losses.dtype)).mean()


@path("ctc_loss", "ctc_loss-exp(log_probs)", kind="composed", params=PARAMS, dtypes=TORCH_DTYPES,
      notes=NO_HALF, conventions=ZERO_PROBABILITY,
      call="canonical_gradient_ctc(log_probs, targets, input_lengths, target_lengths, blank=blank, "
           "reduction=reduction, zero_infinity=zero_infinity): F.ctc_loss(..., reduction='none') "
           "- (e - e.detach()), e = sum over used frames and classes of exp(log_probs); then "
           "'mean' = (losses / target_lengths.clamp(min=1)).mean()  "
           "[adapters/families/ctc/pytorch.py]")
def ctc_canonical_gradient(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
                           zero_infinity):
    return canonical_gradient_ctc(log_probs, targets, input_lengths, target_lengths, blank=blank,
                                  reduction=reduction, zero_infinity=zero_infinity)


# ---------------------------------------------------------------- evidence

CTC_DOC = "https://pytorch.org/docs/stable/generated/torch.nn.CTCLoss.html"
for _p in ("functional", "module", "functional(concatenated targets)"):
    adapter.saw("torch_ctc_grad_is_logits_grad", path="ctc_loss/" + _p,
                case="ctc_loss/random-unnormalised-none/none",
                call="torch.autograd.grad(F.ctc_loss(x, targets, input_lengths, target_lengths, "
                     "reduction='none'), x, v) on x of case random-unnormalised-none (and on "
                     "log_softmax(x))",
                seen="values equal the reference (max difference 0.0 in float64); the gradient "
                     "equals (exp(x) - gamma) v to 1e-15 and differs from the canonical -gamma v "
                     "by "
                     "up to 5.56 (0.79 on normalised input)",
                versions=SEEN_ON,
                link="https://github.com/pytorch/pytorch/issues/52241 ('CTCLoss gradient is "
                     "incorrect', open) and https://github.com/pytorch/pytorch/issues/181534 "
                     "(gradcheck fails against log_probs); " + CTC_DOC)

ZERO_CASE = "ctc_loss/zero-probability-class-none/none"
for _p in ("functional", "module", "functional(concatenated targets)", "ctc_loss-exp(log_probs)"):
    adapter.saw("torch_ctc_grad_nan_at_zero_probability", path="ctc_loss/" + _p, case=ZERO_CASE,
                call="torch.autograd.grad(F.ctc_loss(x, [[1], [2]], [2, 3], [1, 1], "
                     "reduction='none').sum(), x) on x of case zero-probability-class-none "
                     "(x[1, 0, 2] = x[2, 0, 1] = -inf; sequence 0 uses frames 0 and 1)",
                seen="losses [0.4308, 0.9188] (finite, equal to the reference); gradient nan at "
                     "x[1, 0, 2] (a used frame) and 0.0 at x[2, 0, 1] (an unused frame), the "
                     "other entries equal to the reference",
                versions=SEEN_ON)
