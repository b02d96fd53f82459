"""The registry rejects malformed adapter and path declarations with a clear message."""
import pytest

from adapters.numpy_reference import ReferenceBackend
from adapters.registry import RegistryError, declare_adapter, forget


@pytest.fixture
def adapter():
    a = declare_adapter("scratch", ReferenceBackend())
    yield a
    forget("scratch")


def ce(input, target, *, reduction):
    return None


@pytest.mark.parametrize("kwargs, fn, message", [
    (dict(loss="cross_entropi", name="p", call="c"), ce, "unknown loss 'cross_entropi'"),
    (dict(loss="cross_entropy", name="p", call="c", encodings=["sparse"]), ce,
     "encodings ['sparse'] invalid"),
    (dict(loss="cross_entropy", name="p", call="c", params=["smoothing"]), ce,
     "unknown parameters ['smoothing']"),
    (dict(loss="cross_entropy", name="p", call="c", conventions=["made_up"]), ce,
     "unknown convention 'made_up'"),
    (dict(loss="cross_entropy", name="p", call="c", conventions=["bce_log_clamped_at_-100"]), ce,
     "belongs to ['binary_cross_entropy']"),
    (dict(loss="cross_entropy", name="p", call="c", kind="fused"), ce, "kind 'fused'"),
    (dict(loss="cross_entropy", name="p", call=""), ce, "must state the framework call"),
    (dict(loss="cross_entropy", name="a/b", call="c"), ce, "without '/'"),
    (dict(loss="cross_entropy", name="p", call="c", dtypes=["float8"]), ce, "unknown dtypes"),
    (dict(loss="cross_entropy", name="p", call="c", dtypes=["float64"],
          checked_dtypes=["float32"]), ce, "must be among its dtypes"),
    (dict(loss="cross_entropy", name="p", call="c", params=["weight"]), ce,
     "cannot be called with inputs"),
    (dict(loss="cross_entropy", name="p", call="c"), "not a function", "is not callable"),
])
def test_bad_path_declaration(adapter, kwargs, fn, message):
    with pytest.raises(RegistryError, match="adapter 'scratch'") as info:
        adapter.path(**kwargs)(fn)
    assert message in str(info.value)


def test_path_declared_twice(adapter):
    adapter.path("cross_entropy", "p", call="c", params=["reduction"])(ce)
    with pytest.raises(RegistryError, match="declared twice"):
        adapter.path("cross_entropy", "p", call="c", params=["reduction"])(ce)


def test_adapter_name_and_backend():
    with pytest.raises(RegistryError, match="must be an identifier"):
        declare_adapter("my-lib", ReferenceBackend())
    with pytest.raises(RegistryError, match="lacks .*value_and_grad"):
        declare_adapter("nobackend", object())
    with pytest.raises(RegistryError, match="declared twice"):
        declare_adapter("reference", ReferenceBackend())


def test_unsupported_says_why(adapter):
    from adapters.spec import LOSSES
    adapter.path("cross_entropy", "p", call="c", encodings=["index"], params=["reduction"])(ce)
    (path,) = adapter.paths
    loss = LOSSES["cross_entropy"]
    assert path.unsupported(loss, "index", {"reduction": "sum"}, "float32") is None
    assert "not 'probs'" in path.unsupported(loss, "probs", {}, "float32")
    assert "no parameter 'label_smoothing'" in path.unsupported(loss, "index",
                                                                {"label_smoothing": 0.1}, "float32")


def test_plugin_in_the_current_folder_comes_first(tmp_path, monkeypatch):
    """`--adapter my_losses` loads ./my_losses.py even where another my_losses is importable
    first (a file of that name in the repository, on pytest's pythonpath)."""
    from adapters.registry import load_plugin
    plugin = ("from adapters.numpy_reference import ReferenceBackend\n"
              "from adapters.registry import declare_adapter\n"
              "declare_adapter({name!r}, ReferenceBackend())\n")
    for folder, name in (("elsewhere", "decoy"), ("mine", "chosen")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "shadowed_losses.py").write_text(plugin.format(name=name))
    # as under `python -m pytest` with pythonpath = ["."]: the current folder is on sys.path,
    # behind the repository
    monkeypatch.syspath_prepend(str(tmp_path / "mine"))
    monkeypatch.syspath_prepend(str(tmp_path / "elsewhere"))
    monkeypatch.chdir(tmp_path / "mine")
    try:
        assert [a.name for a in load_plugin("shadowed_losses")] == ["chosen"]
    finally:
        forget("chosen")
