"""Several class axes at once (a tuple `axis`, optax's axis=(2, 3)): the spec refuses what is not
a set of distinct axes of the input, naming the field; the reference is the one-axis loss on
those axes moved last and flattened; a path receives a tuple only where it declares it."""
import textwrap

import numpy as np
import pytest

from adapters import reference
from adapters.numpy_reference import ReferenceBackend
from adapters.registry import RegistryError, declare_adapter, forget
from adapters.spec import LOSSES
from conformance import cases
from conformance.cases import CaseError

X = np.random.default_rng(0).normal(size=(2, 3, 2, 4))


@pytest.mark.parametrize("axis, message", [
    ((1, 4), "4 (in (1, 4)) is not an axis of an input of 4 dimensions"),
    ((1, -5), "-5 (in (1, -5)) is not an axis of an input of 4 dimensions"),
    ((1, -3), "(1, -3) names axis 1 twice"),
    ((), "is out of domain"),
    ((1, 2.0), "is out of domain"),
])
def test_bad_axes_refused_naming_the_field(axis, message):
    with pytest.raises(reference.SpecError) as error:
        reference.evaluate("cross_entropy", {"input": X, "target": np.zeros((2, 2), int)},
                           {"axis": axis, "reduction": "none"}, encoding="index")
    assert error.value.field == "params.axis" and message in str(error.value)


def test_a_loss_without_joint_axes_refuses_a_tuple():
    logp = np.log(np.full((2, 3, 4), 1 / 12))
    with pytest.raises(reference.SpecError, match="params.axis: .*out of domain"):
        reference.evaluate("nll_loss", {"input": logp, "target": np.zeros(2, int)},
                           {"axis": (1, 2)}, encoding="index")


def test_index_target_shape_is_the_input_without_the_joint_axes():
    with pytest.raises(reference.SpecError, match=r"expected \(2, 2\)"):
        reference.evaluate("cross_entropy", {"input": X, "target": np.zeros((2, 3), int)},
                           {"axis": (1, 3)}, encoding="index")
    with pytest.raises(reference.SpecError, match=r"class index 12 out of range \[0, 12\)"):
        reference.evaluate("cross_entropy", {"input": X, "target": np.full((2, 2), 12)},
                           {"axis": (1, 3)}, encoding="index")


@pytest.mark.parametrize("loss", ["cross_entropy", "poly_loss_cross_entropy",
                                  "categorical_focal_crossentropy"])
@pytest.mark.parametrize("axis", [(1, 3), (3, 1), (-1, 1), (2, 3), (0, 1, 2, 3)])
def test_reference_is_the_one_axis_loss_on_the_flattened_axes(loss, axis):
    """The definition: the joint axes moved last in the order given and flattened; the flat index
    a row-major index over them in that order. Value and gradient."""
    axes = tuple(a % 4 for a in axis)
    rest = tuple(i for i in range(4) if i not in axes)
    c = int(np.prod([X.shape[a] for a in axes]))
    y = np.random.default_rng(1).integers(0, c, size=tuple(X.shape[i] for i in rest))
    flat = np.transpose(X, rest + axes).reshape(y.shape + (c,))
    v = np.random.default_rng(2).normal(size=y.shape)
    joint = reference.evaluate(loss, {"input": X, "target": y}, {"axis": axis, "reduction":
                               "none"}, "index", cotangent=v)
    one = reference.evaluate(loss, {"input": flat, "target": y}, {"axis": -1, "reduction":
                             "none"}, "index", cotangent=v)
    np.testing.assert_array_equal(joint.value, one.value)
    laid_back = np.transpose(one.grad.reshape(np.transpose(X, rest + axes).shape),
                             np.argsort(rest + axes))
    np.testing.assert_array_equal(joint.grad, laid_back)


def test_loader_builds_the_one_hot_twin_over_the_joint_axes(tmp_path):
    path = tmp_path / "joint.yaml"
    path.write_text(textwrap.dedent("""
        loss: cross_entropy
        cases:
          - id: joint
            inputs:
              input: {generate: normal, shape: [2, 2, 3], seed: 1}
              target: [4, 1]
            params: {axis: [2, 1], reduction: none}
            provenance: test
    """))
    index, one_hot = cases.load([path])
    assert index.params["axis"] == (2, 1) and one_hot.encoding == "one_hot"
    # axes (2, 1) of sizes (3, 2): the flat index 4 is (i_2, i_1) = (2, 0), 1 is (0, 1)
    expected = np.zeros((2, 2, 3))
    expected[0, 0, 2] = expected[1, 1, 0] = 1.0
    np.testing.assert_array_equal(one_hot.inputs["target"], expected)


def test_loader_names_the_file_case_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent("""
        loss: cross_entropy
        cases:
          - id: twice
            inputs:
              input: {generate: normal, shape: [2, 2, 3], seed: 1}
              target: [4, 1]
            params: {axis: [2, -1]}
            provenance: test
    """))
    with pytest.raises(CaseError) as info:
        cases.load([path])
    assert info.value.case_id == "twice" and info.value.field == "params.axis"
    assert "names axis 2 twice" in str(info.value)


@pytest.fixture
def adapter():
    a = declare_adapter("scratch_axes", ReferenceBackend())
    yield a
    forget("scratch_axes")


def ce(input, target, *, axis, reduction):
    return None


def test_a_path_receives_a_tuple_only_where_it_declares_it(adapter):
    loss = LOSSES["cross_entropy"]
    adapter.path("cross_entropy", "one", call="c", params=["axis", "reduction"])(ce)
    adapter.path("cross_entropy", "joint", call="c", params=["axis", "reduction"],
                 tuple_params=["axis"])(ce)
    one, joint = adapter.paths
    assert "takes one axis, not the tuple (1, 2)" in one.unsupported(
        loss, "index", {"axis": (1, 2)}, "float64")
    assert one.unsupported(loss, "index", {"axis": 2}, "float64") is None
    assert joint.unsupported(loss, "index", {"axis": (1, 2)}, "float64") is None


@pytest.mark.parametrize("loss, params, tuple_params, message", [
    ("cross_entropy", ["reduction"], ["axis"], "must be parameters it declares"),
    ("nll_loss", ["axis", "reduction"], ["axis"], "for nll_loss: []"),
])
def test_tuple_params_must_be_declared_and_take_tuples(adapter, loss, params, tuple_params,
                                                        message):
    def fn(input, target, *, reduction, axis=1):
        return None
    with pytest.raises(RegistryError) as info:
        adapter.path(loss, "p", call="c", params=params, tuple_params=tuple_params)(fn)
    assert message in str(info.value)


@pytest.mark.parametrize("dim, message", [
    ((1, 3), "3 (in (1, 3)) is not an axis of an input of 3 dimensions"),
    ((0, -3), "(0, -3) names axis 0 twice"),
    ((), "is out of domain"),
])
def test_bad_softmax_dims_refused_naming_the_field(dim, message):
    x = np.zeros((2, 3, 4))
    with pytest.raises(reference.SpecError) as error:
        reference.evaluate("softmax", {"input": x}, {"dim": dim})
    assert error.value.field == "params.dim" and message in str(error.value)


@pytest.mark.parametrize("loss", ["softmax", "log_softmax"])
def test_softmax_over_joint_dims_is_one_distribution(loss):
    """A tuple dim is one softmax over every entry of those axes: the one-axis softmax of the
    flattened axes, laid back."""
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    v = np.random.default_rng(4).normal(size=x.shape)
    joint = reference.evaluate(loss, {"input": x}, {"dim": (2, 0)}, cotangent=v)
    moved, mv = np.moveaxis(x, (2, 0), (1, 2)), np.moveaxis(v, (2, 0), (1, 2))
    one = reference.evaluate(loss, {"input": moved.reshape(3, 8)}, {"dim": -1},
                             cotangent=mv.reshape(3, 8))
    np.testing.assert_allclose(joint.value, np.moveaxis(one.value.reshape(moved.shape),
                                                        (1, 2), (2, 0)), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(joint.grad, np.moveaxis(one.grad.reshape(moved.shape),
                                                       (1, 2), (2, 0)), rtol=1e-13, atol=1e-16)


def test_keras_softmax_refuses_a_negative_axis_in_a_tuple():
    """keras.ops.softmax and log_softmax with a tuple holding a negative axis raise (the reason of
    KERAS_NEGATIVE_DIMS in adapters/families/classification/tensorflow.py): when this fails,
    Keras takes them now; drop the refusal and let the joint-negative-3d cases check it."""
    from adapters.tensorflow import adapter
    why = adapter.backend.unavailable()
    if why:
        pytest.skip(why)
    import keras
    x = np.random.default_rng(5).normal(size=(2, 3, 4))
    for fn in (keras.ops.softmax, keras.ops.log_softmax):
        with pytest.raises(Exception, match="must be a valid permutation of the input dimensions"):
            np.asarray(fn(x, axis=(-1, 0)))
        np.asarray(fn(x, axis=(2, 0)))       # the same axes counted from the front work


def test_keras_focal_smoothing_reads_the_last_axis_of_the_input_as_given():
    """keras_label_smoothing_over_last_axis_size with joint axes: the reference spreads eps over
    the input's own last axis (3 of (2, 2, 3)), not over the 6 joint classes, which canonical
    does; the two differ by exactly that divisor."""
    x = np.random.default_rng(6).normal(size=(2, 2, 3))
    y = np.eye(6)[[4, 1]].reshape(2, 2, 3)
    p = {"axis": (1, 2), "label_smoothing": 0.2, "reduction": "none"}
    keras = reference.evaluate("categorical_focal_crossentropy", {"input": x, "target": y}, p,
                               "one_hot", ("keras_label_smoothing_over_last_axis_size",)).value
    by_hand = 0.8 * y + 0.2 / 3        # smoothed over 3 (they sum to 1.2: not validated)
    over_3 = reference.evaluate("categorical_focal_crossentropy", {"input": x, "target": by_hand},
                                {**p, "label_smoothing": 0.0}, "probs", validate=False).value
    np.testing.assert_allclose(keras, over_3, rtol=1e-14)
    canonical = reference.evaluate("categorical_focal_crossentropy", {"input": x, "target": y}, p,
                                   "one_hot").value
    assert not np.allclose(keras, canonical, rtol=1e-3)


def test_keras_focal_refuses_a_negative_axis_in_a_tuple():
    """keras.losses.categorical_focal_crossentropy(from_logits=True) with a tuple holding a
    negative axis raises in keras.ops.softmax (the reason of KERAS_NEGATIVE_AXES in
    adapters/families/focal_dice/tensorflow.py): when this fails, Keras takes them now; drop the
    refusal and let the negative-axes cases check it."""
    from adapters.tensorflow import adapter
    why = adapter.backend.unavailable()
    if why:
        pytest.skip(why)
    import keras
    x = np.random.default_rng(7).normal(size=(2, 2, 3))
    y = np.eye(6)[[4, 1]].reshape(2, 2, 3)
    with pytest.raises(Exception, match="must be a valid permutation of the input dimensions"):
        np.asarray(keras.losses.categorical_focal_crossentropy(y, x, from_logits=True,
                                                               axis=(1, -1)))
    np.asarray(keras.losses.categorical_focal_crossentropy(y, x, from_logits=True, axis=(1, 2)))


# ---------------------------------------------------------------- cosine_similarity's joint axes

@pytest.mark.parametrize("axis, message", [
    ((1, 3), "3 (in (1, 3)) is not an axis of an input of 3 dimensions"),
    ((2, -1), "(2, -1) names axis 2 twice"),
    ((), "is out of domain"),
])
def test_bad_cosine_axes_refused_naming_the_field(axis, message):
    x = np.ones((2, 3, 4))
    with pytest.raises(reference.SpecError) as error:
        reference.evaluate("cosine_similarity", {"input": x, "target": x}, {"axis": axis})
    assert error.value.field == "params.axis" and message in str(error.value)


@pytest.mark.parametrize("axis", [(1, 2), (2, 1), (-1, 0), (0, 1, 2), (1,)])
@pytest.mark.parametrize("eps", [0.0, 2.0])
def test_cosine_over_joint_axes_is_the_cosine_of_the_flattened_vectors(axis, eps):
    """The definition: each vector is every element of the axes (moved last and flattened, in
    any order); value and gradients, eps flooring the joint norms (2.0 floors some here)."""
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    axes = tuple(a % 3 for a in axis)
    rest = tuple(i for i in range(3) if i not in axes)
    moved = [np.transpose(a, rest + axes) for a in (x, y)]
    flat = [m.reshape(m.shape[:len(rest)] + (-1,)) for m in moved]
    v = rng.normal(size=tuple(x.shape[i] for i in rest))
    joint = reference.evaluate("cosine_similarity", {"input": x, "target": y},
                               {"axis": axis, "eps": eps, "reduction": "none"}, cotangent=v)
    one = reference.evaluate("cosine_similarity", {"input": flat[0], "target": flat[1]},
                             {"axis": -1, "eps": eps, "reduction": "none"}, cotangent=v)
    np.testing.assert_allclose(joint.value, one.value, rtol=1e-14, atol=0)
    for name in ("input", "target"):
        laid_back = np.transpose(one.grads[name].reshape(moved[0].shape), np.argsort(rest + axes))
        np.testing.assert_allclose(joint.grads[name], laid_back, rtol=1e-13, atol=1e-16)


def test_torch_cosine_similarity_refuses_a_tuple_dim():
    """torch.nn.functional.cosine_similarity takes one dim (the reason the torch path moves and
    flattens the axes, -F.cosine_similarity(movedim+flatten) in adapters/families/embedding/
    pytorch.py): when this fails, torch takes a tuple now, and a native path can check it."""
    from adapters.pytorch import adapter
    why = adapter.backend.unavailable()
    if why:
        pytest.skip(why)
    import torch
    x = torch.ones(2, 3, 4, dtype=torch.float64)
    with pytest.raises(TypeError, match="argument 'dim' must be int, not tuple"):
        torch.nn.functional.cosine_similarity(x, x, dim=(1, 2))


def test_paddle_cosine_similarity_refuses_a_tuple_axis():
    """paddle.nn.functional.cosine_similarity indexes x1.shape[axis] (paddle/nn/functional/
    common.py, paddlepaddle 3.3.1), so a tuple raises: its paths take one axis. When this fails,
    paddle takes a tuple now: declare tuple_params=["axis"] on its cosine_similarity paths."""
    from adapters.paddle_lib import adapter
    why = adapter.backend.unavailable()
    if why:
        pytest.skip(why)
    import paddle
    x = paddle.ones([2, 3, 4], dtype="float64")
    with pytest.raises(TypeError, match="list indices must be integers or slices, not tuple"):
        paddle.nn.functional.cosine_similarity(x, x, axis=(1, 2))
