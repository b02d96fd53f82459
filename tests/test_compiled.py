"""Compiled twins (registry.derive_compiled_paths): declared from the paths the benchmarks time,
keeping what the base path declares, checked on representative cases, and the very calls the
compiled benchmarks time."""
import dataclasses
import functools

import numpy as np
import pytest

import adapters
from adapters import registry
from adapters.numpy_reference import ReferenceBackend
from adapters.registry import (
    COMPILED_DTYPES,
    Compiled,
    compile_value_and_grad,
    compiled_twin,
    declare_adapter,
    derive_compiled_paths,
    forget,
)
from benchmarks import common
from conformance import cases as case_loader
from conformance.checks import plan, representative


def ce(input, target, *, reduction="mean"):
    return np.float64(0.0)


class Recording(ReferenceBackend):
    """A backend whose 'compiler' records what it compiles and returns the function itself."""

    def __init__(self):
        self.compiled = []

    def compile(self, fn):
        self.compiled.append(fn)
        return fn


@pytest.fixture
def scratch():
    a = declare_adapter("scratch", Recording())
    yield a
    forget("scratch")


def test_twin_keeps_the_base_declaration(scratch):
    scratch.path("cross_entropy", "composed", call="c()", kind="composed", encodings=["index"],
                 params=["reduction"])(ce)
    scratch.path("cross_entropy", "native", call="native(x)", encodings=["index"],
                 params=["reduction"], dtypes=["float32", "float64", "float16"],
                 known_failures={"value:x/index-float32": "why"},
                 unsupported_when={"odd cases": lambda p, e, i: False})(ce)
    derive_compiled_paths(scratch, "+c", scratch.backend.compile, call="compile({call})")
    derive_compiled_paths(scratch, "+c", scratch.backend.compile, call="compile({call})")
    (twin,) = [p for p in scratch.paths if p.compiles]
    assert twin.name == "native+c" and twin.call == "compile(native(x))"
    assert twin.kind == "native" and twin.representative
    assert twin.dtypes == {"float32", "float64"}            # COMPILED_DTYPES of the base's
    assert twin.encodings == {"index"} and twin.params == {"reduction"}
    assert dict(twin.known_failures) == {"value:x/index-float32": "why"}
    assert [w for w, _ in twin.unsupported_when] == ["odd cases"]
    assert scratch.backend.compiled == []                  # compiled at the first call only
    assert isinstance(twin.fn, Compiled) and twin.fn(1, 2, reduction="sum") == 0.0
    assert scratch.backend.compiled == [ce]
    assert compiled_twin(scratch, scratch.paths[1]) is twin
    assert compiled_twin(scratch, scratch.paths[0]) is None   # not what the benchmarks time


def test_compiles_names_a_declared_path(scratch):
    from adapters.registry import RegistryError
    with pytest.raises(RegistryError, match="compiles 'nothing', which is no path"):
        scratch.path("cross_entropy", "p+c", call="c", params=["reduction"],
                     compiles="nothing")(ce)


def test_step_is_made_once_per_cotangent_and_parameters(scratch):
    made = []

    def step(fn, cotangent, wrt):
        made.append((fn.keywords, cotangent.shape, wrt))
        return lambda *args, **arrays: (fn(*args, **arrays), ())

    scratch.path("cross_entropy", "native", call="n", encodings=["index"],
                 params=["reduction", "weight"])(
        lambda input, target, *, reduction, weight: np.sum(weight))
    derive_compiled_paths(scratch, "+c", scratch.backend.compile, call="c({call})", step=step)
    twin = scratch.paths[-1]
    fn = functools.partial(twin.fn, reduction="sum", weight=np.ones(3))
    for _ in range(2):
        compiled = compile_value_and_grad(scratch.backend, fn, np.array(1.0), (0,))
        assert compiled(np.zeros(3), np.zeros(3)) == (3.0, ())
    assert made == [({"reduction": "sum"}, (), (0,))]     # the array parameter is an argument
    twin.fn.cache_clear()
    compile_value_and_grad(scratch.backend, fn, np.array(1.0), (0,))
    assert len(made) == 2


@pytest.fixture(scope="module")
def builtin():
    adapters.load()
    return registry.adapters()


@pytest.mark.parametrize("name, suffixes", [("torch", ["+compile"]),
                                            ("tensorflow", ["+function", "+xla"])])
def test_every_compiled_benchmark_times_a_checked_twin(builtin, name, suffixes):
    """Each (loss, encoding, dtype) a compiled benchmark runs has the twins, which conftest
    plans checks for (representative cases), and the benchmark times the first."""
    adapter = builtin[name]
    suites = [cls for module in common_modules() for cls in vars(module).values()
              if isinstance(cls, type) and issubclass(cls, common.LossBenchmark)
              and cls is not common.LossBenchmark and cls.loss]
    assert suites
    for suite in suites:
        for dtype in common.DTYPES:
            try:
                path = common.choose_path(adapter, suite.loss, suite.encoding, dtype)
            except NotImplementedError:    # no eager path either (CTC in float64 on TF)
                continue
            for suffix in suffixes:
                twin = compiled_twin(adapter, path, suffix)
                assert twin is not None and twin.name == path.name + suffix, (suite, dtype)
                assert dtype in twin.dtypes and isinstance(twin.fn, Compiled)
            assert compiled_twin(adapter, path).name == path.name + suffixes[0]


def common_modules():
    import importlib
    return [importlib.import_module(f"benchmarks.bench_{f}") for f in adapters.FAMILIES]


def test_representative_cases_run_in_both_dtypes(builtin):
    cases = case_loader.load()
    torch = builtin["torch"]
    twin = next(p for p in torch.paths_for("cross_entropy") if p.compiles)
    ((case_id, encoding),) = representative(twin, cases)
    case = next(c for c in cases if (c.loss, c.id, c.encoding) ==
                ("cross_entropy", case_id, encoding))
    assert encoding == "index" and not case.set_params and case.inputs["input"].ndim >= 2
    checks, unsupported = plan([dataclasses.replace(torch, evidence=[])],
                               [c for c in cases if c.loss == "cross_entropy"],
                               list(COMPILED_DTYPES) + ["float16"], "cpu")
    mine = {(c.kind, c.case.id, c.dtype) for c in checks if c.path is twin}
    assert {("value", case_id, d) for d in COMPILED_DTYPES} <= mine
    assert {("gradient", case_id, d) for d in COMPILED_DTYPES} <= mine
    assert all(c.case.id == case_id for c in checks if c.path is twin)
    others = [u for u in unsupported if u.path == twin.id and u.case.startswith("cross_entropy/")]
    assert others and all("representative cases only" in u.reason or "float16" in u.reason
                          for u in others)


def test_compiled_twins_are_not_fuzzed_nor_given_contracts(builtin):
    from conformance import contracts, fuzz
    chosen = [builtin["torch"], builtin["tensorflow"]]
    assert not any(f.path.representative for f in fuzz.plan(chosen, ["float32"], "cpu"))
    assert not any(e[1].representative for e in contracts.planned(chosen))


def test_compiled_known_failures_name_a_twin(scratch):
    from adapters.registry import RegistryError
    scratch.path("cross_entropy", "native", call="n", encodings=["index"],
                 params=["reduction"])(ce)
    derive_compiled_paths(scratch, "+c", scratch.backend.compile, call="c({call})",
                          known_failures={"cross_entropy/native+c": {"value:x-float32": "seen"},
                                          "cross_entropy/other+d": {"value:x-float32": "no"}})
    assert dict(scratch.paths[-1].known_failures) == {"value:x-float32": "seen"}
    with pytest.raises(RegistryError, match=r"no compiled twins"):
        derive_compiled_paths(scratch, "+c", scratch.backend.compile, call="c({call})",
                              known_failures={"cross_entropy/gone+c": {"value:x": "stale"}})
