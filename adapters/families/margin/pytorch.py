"""PyTorch paths of the margin family (spec.py beside this file).

torch has none of optax's perceptron, multiclass hinge and sparsemax losses: they are composed from
F.relu (gradient 0 at 0, the canonical hinge kink), Tensor.amax (which shares a tied maximum's
gradient equally, the canonical choice; Tensor.max(dim) gives all of it to one index) and, for
sparsemax, torch.sort and torch.cumsum (Martins and Astudillo's Algorithm 1).
"""
from __future__ import annotations

from adapters.pytorch import (  # noqa: F401
    SEEN_ON,
    TORCH_DOCS,
    F,
    adapter,
    nn,
    path,
    reduce,
    torch,
)

# ---------------------------------------------------------------- soft_margin_loss
# torch computes log1p(exp(-y x)) in the input's dtype: exp overflows past log(max) of that dtype
# (709.78 float64, 88.72 float32 and bfloat16, 11.09 float16), giving inf and a nan gradient. One
# path per threshold, so that each declares exactly the overflow it has.
SOFT_MARGIN_DTYPES = {"torch_soft_margin_exp_overflows": ("", ["float64"]),
                      "torch_soft_margin_exp_overflows_float32": ("-float32",
                                                                  ["float32", "bfloat16"]),
                      "torch_soft_margin_exp_overflows_float16": ("-float16", ["float16"])}


def soft_margin_functional(input, target, *, reduction):
    return F.soft_margin_loss(input, target, reduction=reduction)


def soft_margin_module(input, target, *, reduction):
    return nn.SoftMarginLoss(reduction=reduction)(input, target)


for _conv, (_suffix, _dtypes) in SOFT_MARGIN_DTYPES.items():
    path("soft_margin_loss", "functional" + _suffix, params=["reduction"], conventions=[_conv],
         dtypes=_dtypes, notes="each dtype's overflow threshold is its own path and convention",
         call="torch.nn.functional.soft_margin_loss(input, target, reduction=reduction)")(
        soft_margin_functional)
    path("soft_margin_loss", "module" + _suffix, params=["reduction"], conventions=[_conv],
         dtypes=_dtypes, notes="each dtype's overflow threshold is its own path and convention",
         call="torch.nn.SoftMarginLoss(reduction=reduction)(input, target)")(soft_margin_module)


@path("soft_margin_loss", "softplus", kind="composed", params=["reduction"],
      conventions=["torch_softplus_linear_above_20"],
      call="reduce(torch.nn.functional.softplus(-target * input), reduction)  [overflow-safe]")
def soft_margin_softplus(input, target, *, reduction):
    return reduce(F.softplus(-target * input), reduction)


# ---------------------------------------------------------------- multilabel_soft_margin_loss

@path("multilabel_soft_margin_loss", "functional", params=["weight", "reduction"],
      call="torch.nn.functional.multilabel_soft_margin_loss(input, target, weight=weight, "
           "reduction=reduction)")
def multilabel_soft_margin_functional(input, target, *, weight, reduction):
    return F.multilabel_soft_margin_loss(input, target, weight=weight, reduction=reduction)


@path("multilabel_soft_margin_loss", "module", params=["weight", "reduction"],
      call="torch.nn.MultiLabelSoftMarginLoss(weight=weight, reduction=reduction)(input, target)")
def multilabel_soft_margin_module(input, target, *, weight, reduction):
    return nn.MultiLabelSoftMarginLoss(weight=weight, reduction=reduction)(input, target)


@path("multilabel_soft_margin_loss", "binary_cross_entropy_with_logits.mean(-1)", kind="composed",
      params=["weight", "reduction"],
      call="reduce(torch.nn.functional.binary_cross_entropy_with_logits(input, target, "
           "weight=weight, reduction='none').mean(-1), reduction)")
def multilabel_soft_margin_bce(input, target, *, weight, reduction):
    per_class = F.binary_cross_entropy_with_logits(input, target, weight=weight,
                                                      reduction="none")
    return reduce(per_class.mean(-1), reduction)


# ---------------------------------------------------------------- multi_margin_loss
MULTI_MARGIN_PARAMS = ["p", "margin", "weight", "reduction"]
NO_HALF = ("torch 2.13.0 has no float16 or bfloat16 CPU kernel for it (RuntimeError "
           "\"multi_margin_loss_cpu_kernel\" not implemented for 'Half')")


@path("multi_margin_loss", "functional", params=MULTI_MARGIN_PARAMS, dtypes=["float64", "float32"],
      notes=NO_HALF,
      call="torch.nn.functional.multi_margin_loss(input, target, p=p, margin=margin, "
           "weight=weight, reduction=reduction)")
def multi_margin_functional(input, target, *, p, margin, weight, reduction):
    return F.multi_margin_loss(input, target, p=p, margin=margin, weight=weight,
                                  reduction=reduction)


@path("multi_margin_loss", "module", params=MULTI_MARGIN_PARAMS, dtypes=["float64", "float32"],
      notes=NO_HALF,
      call="torch.nn.MultiMarginLoss(p=p, margin=margin, weight=weight, "
           "reduction=reduction)(input, target)")
def multi_margin_module(input, target, *, p, margin, weight, reduction):
    return nn.MultiMarginLoss(p=p, margin=margin, weight=weight,
                                 reduction=reduction)(input, target)


# ---------------------------------------------------------------- multilabel_margin_loss
# No float16 or bfloat16 CPU kernel either ("multilabel_margin_loss_forward_out_frame").

DUPLICATES = ["torch_multilabel_margin_duplicate_targets_counted"]


@path("multilabel_margin_loss", "functional", params=["reduction"], conventions=DUPLICATES,
      dtypes=["float64", "float32"], notes=NO_HALF,
      call="torch.nn.functional.multilabel_margin_loss(input, target, reduction=reduction)")
def multilabel_margin_functional(input, target, *, reduction):
    return F.multilabel_margin_loss(input, target, reduction=reduction)


@path("multilabel_margin_loss", "module", params=["reduction"], conventions=DUPLICATES,
      dtypes=["float64", "float32"], notes=NO_HALF,
      call="torch.nn.MultiLabelMarginLoss(reduction=reduction)(input, target)")
def multilabel_margin_module(input, target, *, reduction):
    return nn.MultiLabelMarginLoss(reduction=reduction)(input, target)



# ---------------------------------------------------------------- perceptron, hinge, sparsemax

def _target_score(input, target):
    """x[y] per row: (N, C), (N,) -> (N,); (C,), () -> ()."""
    return input.gather(-1, target.unsqueeze(-1)).squeeze(-1)


@path("perceptron_loss", "relu", kind="composed", params=["reduction"],
      call="reduce(torch.nn.functional.relu(-target * input), reduction)")
def perceptron_relu(input, target, *, reduction):
    return reduce(F.relu(-target * input), reduction)


@path("multiclass_perceptron_loss", "amax", kind="composed", params=["reduction"],
      call="reduce(input.amax(-1) - input.gather(-1, target.unsqueeze(-1)).squeeze(-1), "
           "reduction)")
def multiclass_perceptron_amax(input, target, *, reduction):
    return reduce(input.amax(-1) - _target_score(input, target), reduction)


@path("multiclass_hinge_loss", "amax", kind="composed", params=["reduction"],
      call="reduce((input + 1 - F.one_hot(target, C).to(input.dtype)).amax(-1) - "
           "input.gather(-1, target.unsqueeze(-1)).squeeze(-1), reduction)")
def multiclass_hinge_amax(input, target, *, reduction):
    augmented = input + 1 - F.one_hot(target, input.shape[-1]).to(input.dtype)
    return reduce(augmented.amax(-1) - _target_score(input, target), reduction)


def sparse_plus(z):
    """0 for z <= -1, (z + 1)^2 / 4 for -1 < z < 1, z for z >= 1 (jax.nn.sparse_plus)."""
    return torch.where(z <= -1, torch.zeros_like(z), torch.where(z >= 1, z, (z + 1) ** 2 / 4))


@path("sparsemax_loss", "sparse_plus", kind="composed", params=["reduction"],
      call="z = torch.where(target == 1, -input, input); reduce(torch.where(z <= -1, 0, "
           "torch.where(z >= 1, z, (z + 1)**2 / 4)), reduction)")
def sparsemax_sparse_plus(input, target, *, reduction):
    return reduce(sparse_plus(torch.where(target == 1, -input, input)), reduction)


def sparsemax(x):
    """The projection of each row of x (N, C) onto the simplex (Martins and Astudillo 2016,
    Algorithm 1): sort descending, k = the largest k with 1 + k u_k > sum_{j <= k} u_j (at least
    1), tau = (sum_{j <= k} u_j - 1) / k, relu(x - tau); on x - max(x), so that the 1 is not
    rounded away next to large scores."""
    x = x - x.amax(-1, keepdim=True).detach()
    u = torch.sort(x, dim=-1, descending=True).values
    partial = torch.cumsum(u, dim=-1)
    k = torch.arange(1, x.shape[-1] + 1, device=x.device)
    k_x = torch.where(1 + k * u > partial, k, 1).amax(-1, keepdim=True)
    tau = (partial.gather(-1, k_x - 1) - 1) / k_x
    return F.relu(x - tau)


@path("multiclass_sparsemax_loss", "sort-cumsum", kind="composed", params=["reduction"],
      call="z = x - x.amax(-1).detach(); p = relu(z - tau), tau from torch.sort(z, "
           "descending=True) and torch.cumsum (Martins and Astudillo 2016, Algorithm 1); "
           "reduce((p * (x - x[y])).sum(-1) + (1 - (p * p).sum(-1)) / 2, reduction)  "
           "[x = input as (N, C); p detached]")
def multiclass_sparsemax_sort(input, target, *, reduction):
    x, y = input.reshape(-1, input.shape[-1]), target.reshape(-1)
    p = sparsemax(x).detach()     # the gradient p - e_y (Proposition 2), without the cancelling
    x_y = _target_score(x, y).unsqueeze(-1)    # terms (x - x[y]) dp of autodiff through p
    losses = (p * (x - x_y)).sum(-1) + (1 - (p * p).sum(-1)) / 2
    return reduce(losses.reshape(target.shape), reduction)

# ---------------------------------------------------------------- evidence of the conventions

_OVERFLOW_SEEN = {
    "torch_soft_margin_exp_overflows": (
        "float64", "[12.000006144193478, 12.000006144193478, 50., 100., inf, 0.4740769841801067]: "
                   "only -y x = 800 overflows (exp(800) > DBL_MAX); x.grad [0.99999386, "
                   "-0.99999386, 1., 1., nan, -0.37754067]. F.soft_margin_loss(tensor([-709., "
                   "-710.]), tensor([1., 1.])) gives [709., inf]"),
    "torch_soft_margin_exp_overflows_float32": (
        "float32", "[12.000006, 12.000006, 50., inf, inf, 0.474077]: -y x = 100 and 800 overflow "
                   "(> 88.72); x.grad [0.99999386, -0.99999386, 1., nan, nan, -0.377541]; bfloat16 "
                   "[12., 12., 50., inf, inf, 0.4727], x.grad [1., -1., 1., nan, nan, -0.3770]; "
                   "float32 [-88., -89.] gives [88., inf]"),
    "torch_soft_margin_exp_overflows_float16": (
        "float16", "[inf, inf, inf, inf, inf, 0.4741]: every -y x > 11.09 overflows; x.grad "
                   "[nan, nan, nan, nan, nan, -0.3774]; -y x = 11 gives 11.0, 12 gives inf"),
}
for _conv, (_suffix, _dtypes) in SOFT_MARGIN_DTYPES.items():
    _dtype, _seen = _OVERFLOW_SEEN[_conv]
    adapter.saw(_conv, path="soft_margin_loss/functional" + _suffix,
                case="soft_margin_loss/overflow-thresholds/none",
                call=f"F.soft_margin_loss(x, y, reduction='none') with x = [12., -12., 50., 100., "
                     f"-800., .5], y = [-1., 1., -1., -1., 1., 1.] in {_dtype}, then "
                     "l.sum().backward()",
                seen=_seen + "; canonical [12.000006, 12.000006, 50., 100., 800., 0.474077] "
                             "(softplus(-y x))",
                versions=SEEN_ON,
                link="https://github.com/pytorch/pytorch/issues/77529 ('softmarginloss should "
                     "use log1p', open); " + TORCH_DOCS.format("SoftMarginLoss")
                     + " (loss = log(1 + exp(-y x)) as written)")

adapter.saw("torch_softplus_linear_above_20", path="soft_margin_loss/softplus",
            case="soft_margin_loss/softplus-threshold/none",
            call="F.softplus(-y * x) with x = [20.5, -24., 19.5, -3.], y = [-1., 1., -1., 1.], "
                 "float64",
            seen="[20.5, 24.0, 19.500000003398, 3.048587351573742]: exactly z above 20 "
                 "(canonical 20.500000001250, 24.000000000038); gradient -y there exactly",
            versions=SEEN_ON,
            link=TORCH_DOCS.format("Softplus") + " ('For numerical stability the implementation "
                 "reverts to the linear function when input x beta > threshold', threshold=20)")

adapter.saw("torch_multilabel_margin_duplicate_targets_counted",
            path="multilabel_margin_loss/functional", case="multilabel_margin_loss/duplicates/none",
            call="F.multilabel_margin_loss(tensor([[.1, .2, .4, .8]]), tensor([[3, 3, -1, 1]]), "
                 "reduction='none')",
            seen="0.65, twice the 0.325 of target [[3, -1, -1, -1]]; x.grad [.5, .5, .5, -1.5] "
                 "(twice [.25, .25, .25, -.75]); [[3, 0, 3, -1]] gives 1.1 for 0.85",
            versions=SEEN_ON,
            link=TORCH_DOCS.format("MultiLabelMarginLoss") + " (sum over j of the target "
                 "entries y[j], not over a set of classes; duplicates are not mentioned)")

# Seen, but no convention (torch computes the canonical value):
PROBED = (
    "Tensor.amax shares the gradient of a tied maximum equally: [[1., 3., 3., 0.]].amax(-1) "
    "gives the gradient [0., .5, .5, 0.] (as jnp.max and tf.reduce_max), where "
    "Tensor.max(-1).values gives [0., 1., 0., 0.] (all to the returned index); the "
    "multiclass perceptron and hinge compositions use amax",
    "multi_margin_loss weight: w[y] multiplies each term after the power: p=2, w=[1, 2, 3, .5], "
    "x=[.1, .2, .4, .8], y=3 gives 0.07625 = sum .5 max(0, z)^2 / 4, not (w z)^2 (0.038125). The "
    "docs read max(0, w[y] (margin - x[y] + x[i]))^p until pytorch/pytorch#104844 (2023)",
    "multi_margin_loss 'mean' divides by N, not by sum w[y]: 0.39375 = sum / 2 (sum / sum w[y] "
    "would be 0.525)",
    "multi_margin_loss(p=3) and MultiMarginLoss(p=3)(...) raise ValueError('only p == 1 and p == "
    "2 supported'); a 2-D weight raises 'weight must be one-dimensional'; a target outside "
    "[0, C) (also -1) raises RuntimeError('target out of range')",
    "multi_margin_loss and multilabel_margin_loss: the hinge counts where z > 0, so the gradient "
    "at z = 0 is 0: x = [[1., 0., .5]], y = [0], reduction='sum' gives x.grad [-1/3, 0, 1/3] for "
    "p = 1 and p = 2",
    "multilabel_margin_loss validates every target entry, also after the first -1: -2 or C "
    "anywhere raises RuntimeError(\"argument #2 'target' is out of range\"); a row of -1 gives 0",
    "multi_margin_loss and multilabel_margin_loss have no float16/bfloat16 CPU kernel "
    "(RuntimeError '... not implemented for 'Half''); soft_margin_loss and "
    "multilabel_soft_margin_loss take both",
    "multilabel_soft_margin_loss sums over input.dim() - 1, the last axis, whatever the rank "
    "(a 3-D input is read as (N, d, C), unlike the channels-first class losses); 1-D input gives "
    "a 0-D loss",
    "multi_margin_loss and multilabel_margin_loss on an empty (0, C) batch with reduction='mean' "
    "return an arbitrary number (float32: -3.67e21, 0., 1020.46 on three calls; float64 "
    "4.7e-310): uninitialised memory rather than nan (0 / 0); no case covers N = 0",
)


# ---------------------------------------------------------------- compiled twins

# Checks where torch.compile of a path differs from the path (adapters.pytorch derive_paths),
# each with the values seen (torch 2.13.0+cpu, inductor on CPU; conformance/test_convention.py).
COMPILED_KNOWN_FAILURES = {
    "soft_margin_loss/functional+compile": {
        "convention:overflow-thresholds-float64":
            "torch.compile's gradient does not overflow: x = [12, -12, 50, 100, -800, .5], "
            "y = [-1, 1, -1, -1, 1, 1] give a finite gradient at x = -800 (1.4186420026 with "
            "the check's cotangent, the canonical value) where eager's exp overflows to nan",
    },
    "soft_margin_loss/functional-float32+compile": {
        "convention:overflow-thresholds-float32":
            "UNSTABLE: in the full conformance run (2026-11-30) torch.compile's float32 "
            "gradient does not overflow, run with only the soft-margin checks it does (as "
            "eager): at x = 100, y = -1 and "
            "x = -800, y = 1 it gives the canonical 0.2228034 and 1.418642 (check's "
            "cotangent) where eager gives nan",
    },
    "multilabel_margin_loss/functional+compile": {
        "convention:duplicates-float64":
            "torch.compile computes another value when a target index repeats: case "
            "'duplicates' gives [2.35, 0.5625], eager (duplicates counted twice) [0.65, 0.375], "
            "canonical [0.325, 0.1875]; the compiled decomposition counts the repeated target "
            "class otherwise",
        **{f"{kind}:docs-example-{dtype}": (
            "UNSTABLE: torch.compile of torch's own documentation example (x = [[0.1, 0.2, 0.4, "
            "0.8]], y = [[3, 0, -1, 1]], 0.85 eagerly and by the definition) gave 2.05 in a "
            "session compiling it first (2026-11-30), as if the -1 ending the target list were "
            "not read; in another session it gave 0.85")
           for kind in ("value", "gradient", "published") for dtype in ("float32", "float64")},
    },
}
