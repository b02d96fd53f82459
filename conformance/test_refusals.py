"""The 0-d refusals declared as `unsupported_when` still hold: each framework call below raises
the error the path's reason quotes. When one of these tests fails, the framework takes 0-d input
now: drop that refusal (KERAS_REFUSES_0D in adapters/tensorflow.py, OPTAX_REFUSES_0D in
adapters/families/distribution/jax_optax.py) and its line here, and let the 0-d cases
(scalar-0d-*) check the path."""
import importlib

import pytest

# (backend module, id, the call as the reason quotes it, error type, message fragment, call)
REFUSALS = [
    ("adapters.tensorflow", "keras-MeanSquaredError-0d",
     "keras.losses.MeanSquaredError()(0-d target, 0-d input)", "InvalidArgumentError",
     "Invalid reduction dimension (-1 for input with 0 dimension(s)",
     lambda m: m("keras").losses.MeanSquaredError()(m("tensorflow").constant(-0.5),
                                                    m("tensorflow").constant(0.75))),
    ("adapters.tensorflow", "keras-KLDivergence-0d",
     "keras.losses.KLDivergence(reduction='none')(0-d target, 0-d probability)",
     "InvalidArgumentError", "Invalid reduction dimension (-1 for input with 0 dimension(s)",
     lambda m: m("keras").losses.KLDivergence(reduction="none")(
         m("tensorflow").constant(0.25), m("tensorflow").constant(0.2))),
    ("adapters.jax_optax", "optax-kl_divergence-0d",
     "optax.losses.kl_divergence(0-d input, 0-d target)", "ValueError",
     "axis -1 is out of bounds for array of dimension 0",
     lambda m: m("optax").losses.kl_divergence(m("jax.numpy").array(-1.5),
                                               m("jax.numpy").array(0.25))),
    ("adapters.jax_optax", "optax-generalized_kl_divergence-0d",
     "optax.losses.generalized_kl_divergence(0-d input, 0-d target)", "ValueError",
     "axis -1 is out of bounds for array of dimension 0",
     lambda m: m("optax").losses.generalized_kl_divergence(m("jax.numpy").array(-0.5),
                                                           m("jax.numpy").array(1.5))),
]


@pytest.mark.parametrize("module, name, call, kind, match, fn", REFUSALS,
                         ids=[r[1] for r in REFUSALS])
def test_zero_d_refused(module, name, call, kind, match, fn):
    backend = importlib.import_module(module).adapter.backend
    why = backend.unavailable()
    if why:
        pytest.skip(why)
    with pytest.raises(Exception) as info:
        fn(importlib.import_module)
    assert type(info.value).__name__ == kind and match in str(info.value), (
        f"{call}: expected {kind} containing {match!r}, got {type(info.value).__name__}: "
        f"{str(info.value)[:300]}")
