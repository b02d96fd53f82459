"""Every timed call checked: a benchmark's forward and forward+backward results, on the
benchmark's own inputs, against the float64 reference under the path's conventions, with the
conformance suite's tolerance for the dtype (conformance/tolerances.py) and its failure format.

It covers what the conformance run does not check itself: a compiled call (torch.compile,
tf.function, jax.jit of the path), an eager JAX path in float32 (the conformance run checks eager
JAX in float64 only, for time), and the benchmarks' sizes. A failure fails the benchmark: asv
shows the message, and records no number.
"""
from __future__ import annotations

import numpy as np

from adapters import reference
from adapters.spec import LOSSES
from conformance.assertions import Context, assert_close
from conformance.tolerances import DEFAULTS


def check(adapter, path, mode: str, encoding: str, dtype: str, args, cotangent, value,
          value_grads, where: str = "") -> None:
    """Raise conformance.assertions.ConformanceFailure where `value` (the forward call's result)
    or the gradients in `value_grads` (forward+backward's (value, grads in the order of the
    loss's differentiable inputs; None for a backend of values only) differ from the reference
    on `args` as the framework holds them."""
    spec = LOSSES[path.loss]
    seen = {name: adapter.backend.to_numpy(a) for name, a in zip(spec.inputs, args, strict=True)}
    expected = reference.evaluate(path.loss, seen, {}, encoding, path.conventions,
                                  np.asarray(cotangent, dtype=np.float64), validate=False)
    tol = DEFAULTS[dtype]
    shapes = ", ".join(f"{n} {np.shape(a)}" for n, a in seen.items())

    def context(what):
        return Context(
            title=f"{path.id} ({mode}): {path.loss} {what} differs from the reference on the "
                  "benchmark's inputs",
            call=path.call if mode == "eager" else f"compiled ({mode}): {path.call}",
            case=f"benchmark inputs: {shapes}", params="the loss's defaults",
            dtype_device=dtype, expected_is="the float64 reference under the path's conventions "
                                            f"({', '.join(path.conventions) or 'none'})",
            reproduce=where, conventions=", ".join(path.conventions))

    assert_close(adapter.backend.to_numpy(value), expected.value, tol, context("value"))
    if value_grads is None:
        return
    out, grads = value_grads
    assert_close(adapter.backend.to_numpy(out), expected.value, tol,
                 context("value (of forward+backward)"))
    for name, grad in zip(spec.differentiable, grads, strict=True):
        assert_close(adapter.backend.to_numpy(grad), expected.grads[name], tol,
                     context(f"gradient with respect to {name}"))
