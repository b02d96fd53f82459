"""The `reference` adapter: the float64 oracle declared through the same API as the frameworks,
with one path per canonical loss.

Its value is the definition itself, so the suite checks it differently (see conformance/checks.py):
against published values, against central finite differences, and across target encodings. Where
central differences cannot confirm the analytic gradient (at exact kinks), the family's reference
module declares it in KNOWN_FAILURES, with the numbers.
"""
from __future__ import annotations

import functools

import numpy as np

from . import reference
from .registry import declare_adapter
from .spec import LOSSES


class ReferenceBackend:
    def unavailable(self):
        return None

    def versions(self):
        return {"numpy": np.__version__}

    def devices(self):
        return ["cpu"]

    def asarray(self, array, dtype, device):
        # the oracle always computes in float64, on the values the framework saw at `dtype`
        a = np.asarray(array)
        return a if np.issubdtype(a.dtype, np.integer) else a.astype(np.float64)

    def to_numpy(self, value):
        return np.asarray(value.value if isinstance(value, reference.Result) else value,
                          dtype=np.float64)

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        result = fn(*args, cotangent=cotangent)
        # the checks ask for every differentiable input, in spec order, as the grads are
        return result.value, tuple(result.grads.values())


def _path_fn(loss, *inputs, cotangent=None, **params):
    spec = LOSSES[loss]
    arrays = dict(zip(spec.inputs, inputs, strict=True))
    encoding = "none"
    if spec.target == "class":
        integer = np.issubdtype(np.asarray(arrays["target"]).dtype, np.integer)
        encoding = "index" if integer else "probs"
    return reference.evaluate(loss, arrays, params, encoding, cotangent=cotangent)


adapter = declare_adapter("reference", ReferenceBackend(),
                          "NumPy float64 oracle (adapters/reference.py)")
for _name, _loss in LOSSES.items():
    adapter.path(_name, "numpy", call=f"adapters.reference.evaluate({_name!r}, ...)",
                 params=tuple(_loss.params),
                 tuple_params=[n for n, p in _loss.params.items() if p.tuples],
                 known_failures=reference.KNOWN_FAILURES.get(_name))(
        functools.partial(_path_fn, _name))
