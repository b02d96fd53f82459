"""JAX/optax paths of the likelihood family (spec.py beside this file).

optax 0.2.8 has neither a Poisson nor a Gaussian NLL loss (nothing under optax.losses matches
poisson, gaussian or nll), so every path is composed from jax.numpy; jax.scipy.stats.norm.logpdf
gives the Gaussian one with full=True.
"""
from __future__ import annotations

import importlib
import math

from adapters.jax_optax import SEEN_ON, adapter, jnp, path, reduce  # noqa: F401


def stirling(target):
    """PyTorch's Stirling term: y log y - y + 0.5 log(2 pi y) where y > 1, else 0."""
    big = target > 1
    y = jnp.where(big, target, 2.0)          # finite logs where masked
    return jnp.where(big, y * jnp.log(y) - y + 0.5 * jnp.log(2 * math.pi * y), 0.0)


@path("poisson_nll_loss", "jnp.exp", kind="composed",
      params=["log_input", "full", "eps", "reduction"],
      call="reduce(jnp.exp(input) - target * input if log_input else input - target * "
           "jnp.log(input + eps) (+ jnp.where(target > 1, Stirling, 0) if full), reduction)")
def poisson_jnp(input, target, *, log_input, full, eps, reduction):
    if log_input:
        losses = jnp.exp(input) - target * input
    else:
        losses = input - target * jnp.log(input + eps)
    return reduce(losses + stirling(target) if full else losses, reduction)


def per_row(var, input):
    """PyTorch's homoscedastic layout: var of shape input.shape[:-1] gets a trailing axis."""
    if var.shape != input.shape and var.shape == input.shape[:-1]:
        return var[..., None]
    return var


@path("gaussian_nll_loss", "jnp.maximum", kind="composed", params=["full", "eps", "reduction"],
      conventions=["jax_maximum_grad_at_tie_is_half"],
      call="v = jnp.maximum(var (var[..., None] if var.shape == input.shape[:-1]), eps); "
           "reduce(0.5 * (jnp.log(v) + (input - target)**2 / v) (+ 0.5 * log(2 pi) if full), "
           "reduction)")
def gaussian_jnp(input, target, var, *, full, eps, reduction):
    v = jnp.maximum(per_row(var, input), eps)
    losses = 0.5 * (jnp.log(v) + jnp.square(input - target) / v)
    return reduce(losses + 0.5 * math.log(2 * math.pi) if full else losses, reduction)


@path("gaussian_nll_loss", "jax.scipy.stats.norm.logpdf", kind="composed",
      params=["full", "eps", "reduction"],
      call="v = jnp.where(var < eps, eps, var (var[..., None] if var.shape == "
           "input.shape[:-1])); reduce(-jax.scipy.stats.norm.logpdf(target, input, jnp.sqrt(v)) "
           "(- 0.5 * log(2 pi) unless full), reduction)")
def gaussian_norm_logpdf(input, target, var, *, full, eps, reduction):
    norm = importlib.import_module("jax.scipy.stats").norm
    v = per_row(var, input)
    v = jnp.where(v < eps, eps, v)           # the whole gradient to var at var == eps
    losses = -norm.logpdf(target, input, jnp.sqrt(v))
    return reduce(losses if full else losses - 0.5 * math.log(2 * math.pi), reduction)


# ---------------------------------------------------------------- evidence of the conventions

for jit in ("", "+jit"):
    adapter.saw("jax_maximum_grad_at_tie_is_half", path="gaussian_nll_loss/jnp.maximum" + jit,
                case="gaussian_nll_loss/var-at-eps/none",
                call="jax.vjp of this module's jnp.maximum composition, reduction='none', var "
                     "exactly eps at some elements" + (" under jax.jit" if jit else ""),
                seen="jax.grad(lambda v: jnp.maximum(v, .25).sum())([.5, .25, .1]) = [1, .5, 0] "
                     "(jnp.clip likewise); var gradient at var == eps is half the canonical "
                     "0.5 (1/eps - d^2/eps^2); values canonical; jnp.where(var < eps, eps, var) "
                     "gives [1, 1, 0]",
                versions=SEEN_ON,
                link="jax/_src/lax/lax.py max JVP (_balanced_eq: 0.5 to each of equal operands); "
                     "no public doc found")

PROBED = (
    "optax 0.2.8: no Poisson or Gaussian NLL loss ([n for n in dir(optax.losses) if 'poiss' in n "
    "or 'gauss' in n or 'nll' in n] == [])",
    "-jax.scipy.stats.poisson.logpmf(y, r) = r - y log r + lgamma(y + 1): the exact log(y!) "
    "(3., 2. -> 1.7123179275482199), not the Stirling term with torch's y > 1 rule, so it is "
    "not a poisson_nll_loss path",
)
