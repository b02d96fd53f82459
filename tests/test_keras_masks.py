"""The Keras SparseCategoricalCrossentropy paths and their masked twins (adapters/tensorflow.py
derive_keras_mask_paths) on one class (C = 1), whichever axis holds it: each runs the case and
matches the reference under its conventions, or refuses it, and then the very call raises the
Keras error its reason quotes (so a refusal goes stale loudly if Keras starts taking the case).
Found by the fuzzer's 0/1 masks: input (1, 3, 2) in layout 'C N H', axis 0, a 0-d sample weight of
0 ran (the refusal looked at axis 1) and raised "condition [3,2,1], then [3,2], and else [] must be
broadcastable" inside Keras, on the base path as on its masked twin."""
import numpy as np
import pytest

import adapters
from adapters import reference
from adapters.registry import adapters as registered
from adapters.spec import LOSSES
from conformance.tolerances import DEFAULTS

SPARSE = "keras.losses.SparseCategoricalCrossentropy"
PATHS = [SPARSE, f"{SPARSE}(masked input, sample_weight=)", f"{SPARSE}(flatten)",
         f"{SPARSE}(flatten)(masked input, sample_weight=)"]
# (input shape, axis, sample weight, refused): C = 1 runs only as (N, C), as the reason says
SHAPES = [
    ((1, 3, 2), 0, np.float64(0.0), True),         # the fuzzer's example: 'C N H', axis 0
    ((1, 3, 2), 0, np.array([1.0, 0.0, 1.0]), True),
    ((3, 1, 2), 1, np.array([[0.0, 1.0]]), True),
    ((3, 2, 1), -1, np.float64(1.0), True),
    ((2, 1, 1, 2), (1, 2), np.array([1.0, 0.0]), True),   # joint class axes of one class
    ((1, 3), 0, np.array([0.0, 1.0, 1.0]), False),      # (C, N) is (N, C) once classes are last
    ((3, 1), 1, np.array([1.0, 0.0, 1.0]), False),
    ((2, 3, 2), 0, np.array([1.0, 0.0, 1.0]), False),   # two classes: runs on every layout
]


@pytest.fixture(scope="module")
def keras_adapter():
    pytest.importorskip("tensorflow", reason="the Keras paths need tensorflow")
    adapters.load(["tensorflow"])
    return registered()["tensorflow"]


def _case(shape, axis, weight):
    axes = [a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))]
    inputs = {"input": np.random.default_rng(0).normal(size=shape),
              "target": np.zeros([n for i, n in enumerate(shape) if i not in axes], np.int64)}
    return inputs, {**LOSSES["cross_entropy"].defaults(), "axis": axis, "sample_weight": weight}


# a tuple of class axes only on the (flatten) paths, the ones that take it (tuple_params)
RUNS = [(name, *row) for row in SHAPES for name in PATHS
        if not isinstance(row[1], tuple) or "(flatten)" in name]


@pytest.mark.parametrize("name, shape, axis, weight, refused", RUNS,
                         ids=[f"{s}-axis{a}-w{np.shape(w)}-{n}" for n, s, a, w, _ in RUNS])
def test_one_class_runs_or_is_refused_as_keras_raises(keras_adapter, name, shape, axis, weight,
                                                      refused):
    (path,) = [p for p in keras_adapter.paths_for("cross_entropy") if p.name == name]
    inputs, params = _case(shape, axis, weight)
    backend = keras_adapter.backend
    args = [backend.asarray(inputs[n], "float64", "cpu") for n in ("input", "target")]
    kwargs = {k: backend.asarray(params[k], "float64", "cpu") if k == "sample_weight" else params[k]
              for k in path.params}
    why = path.unsupported(LOSSES["cross_entropy"], "index", params, "float64", inputs=inputs)
    assert bool(why) == refused, why
    if refused:
        assert "C = 1" in why
        import tensorflow as tf
        # the errors the reason quotes: SelectV2 (ignore_class's mask, one axis) or Reshape
        with pytest.raises(tf.errors.InvalidArgumentError, match="SelectV2|Reshape"):
            path.fn(*args, **kwargs)
        return
    got = backend.to_numpy(path.fn(*args, **kwargs))
    expected = reference.evaluate("cross_entropy", inputs, params, "index", path.conventions).value
    tol = DEFAULTS["float64"]                        # float64 on both sides
    np.testing.assert_allclose(got, expected, rtol=tol.rtol, atol=tol.atol)
