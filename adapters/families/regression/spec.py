"""Canonical losses of the regression family, and the conventions that concern them.

Target kind "same": input any shape, at least 1-D; target the input's shape, any real values.
d = input - target element by element; 'mean' divides by the number of elements.

The gradient with respect to the input is written with sign(0) = 0, so at d = 0 the gradient of
|d| is 0 (torch.sign, tf.sign, jnp.sign all give 0 there). smooth_l1 and huber have continuous
first derivatives at |d| = beta and |d| = delta (both sides give sign(d) and delta sign(d)), so
those points need no choice.
"""
from __future__ import annotations

import numpy as np

from adapters.definitions import REDUCTION, Convention, Loss, Param, is_number

BETA = Param(name="beta", default=1.0, domain="a number >= 0 (0 gives the L1 loss)",
             check=lambda v: is_number(v) and v >= 0 and np.isfinite(v))
DELTA = Param(name="delta", default=1.0,
              domain="a number > 0 (torch.nn.HuberLoss rejects 0: the loss would vanish)",
              check=lambda v: is_number(v) and v > 0 and np.isfinite(v))

_ELEMENTS = "the number of elements"

LOSSES = [
    Loss(name="l1_loss", inputs=("input", "target"), differentiable=("input",), target="same",
         params={"reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = |d|, d = input - target. Gradient: sign(d), 0 at d = 0."),
    Loss(name="mse_loss", inputs=("input", "target"), differentiable=("input",), target="same",
         params={"reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = d^2, d = input - target (no factor 1/2). Gradient: 2 d."),
    Loss(name="smooth_l1_loss", inputs=("input", "target"), differentiable=("input",),
         target="same", params={"beta": BETA, "reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = 0.5 d^2 / beta if |d| < beta, else |d| - 0.5 beta; d = input - target. beta = "
             "0 is the L1 loss |d|. Gradient: d / beta if |d| < beta, else sign(d) (0 at d = 0 "
             "when beta = 0); continuous at |d| = beta. smooth_l1(beta) = huber(delta=beta) / "
             "beta for beta > 0."),
    Loss(name="huber_loss", inputs=("input", "target"), differentiable=("input",),
         target="same", params={"delta": DELTA, "reduction": REDUCTION}, mean_divisor=_ELEMENTS,
         doc="l = 0.5 d^2 if |d| <= delta, else delta (|d| - 0.5 delta); d = input - target. "
             "Gradient: d if |d| <= delta, else delta sign(d); continuous at |d| = delta."),
]

CONVENTIONS = [
    # JAX: seen by families/regression/jax_optax.py
    Convention(name="jax_abs_grad_at_0_is_1", losses=("l1_loss", "smooth_l1_loss"),
               description="jnp.abs (lax.abs) differentiates |d| as select(d >= 0, 1, -1), so at "
                           "d = input - target = 0 (also -0.0) the gradient of |d| is +1 instead "
                           "of sign(0) = 0: l1_loss, and smooth_l1_loss with beta = 0, get +1 "
                           "times the upstream gradient there (the values are right)"),
]

# Keras's MeanAbsoluteError, MeanSquaredError and Huber average over the last axis like its BCE
EXTENDS = {"keras_bce_mean_over_last_axis": ("l1_loss", "mse_loss", "huber_loss",
                                             "smooth_l1_loss")}
