"""The benchmarks time the path they name and check what they time (benchmarks/common.py,
benchmarks/verify.py); benchmarks.fidelity and benchmarks.plots read asv results files."""
import json

import numpy as np
import pytest

import adapters
from adapters.numpy_reference import ReferenceBackend
from adapters.registry import declare_adapter, forget
from adapters.spec import LOSSES
from benchmarks import bench_classification, common, fidelity, verify
from benchmarks.bench_machine import _as_number, version_text
from conformance.assertions import ConformanceFailure


def test_eager_jax_is_declared_in_every_dtype_and_checked_in_float64():
    """The eager JAX benchmark in float32 times the eager path (not its +jit twin); the
    conformance run checks that path in float64 only, and says so."""
    adapters.load()
    jax = adapters.registry.adapters()["jax"]
    path = common.choose_path(jax, "cross_entropy", "index", "float32")
    assert not path.name.endswith("+jit")
    assert "float32" in path.dtypes and path.conformance_dtypes == {"float64"}
    why = path.unsupported(LOSSES["cross_entropy"], "index", {}, "float32")
    assert "is checked in float64 only" in why
    assert path.unsupported(LOSSES["cross_entropy"], "index", {}, "float64") is None


def test_eager_jax_float32_benchmark_runs():
    """Its setup prepares the eager path in float32 (a dtype the conformance run does not check
    it in is no reason to skip the benchmark: the benchmark checks that call itself)."""
    pytest.importorskip("jax")
    bench = bench_classification.CrossEntropy()
    bench.setup({"bandwidth": 1.0}, "jax", "cross_entropy", "small", "float32", "cpu", "eager")
    bench.time_forward()


@pytest.fixture
def wrong():
    """An adapter whose cross-entropy is 1 % too large."""
    a = declare_adapter("wrong_by_one_percent", ReferenceBackend())

    @a.path("cross_entropy", "scaled", call="1.01 * reference", encodings=["index"],
            params=["reduction"])
    def scaled(input, target, *, reduction):
        from adapters import reference
        return 1.01 * reference.evaluate("cross_entropy", {"input": input, "target": target},
                                         {"reduction": reduction}, "index").value
    yield a
    forget(a.name)


def test_verify_fails_on_a_wrong_result(wrong):
    path = wrong.paths_for("cross_entropy")[0]
    rng = np.random.default_rng(0)
    args = [rng.standard_normal((4, 3)), np.array([0, 2, 1, 1])]
    value = path.fn(*args, reduction="mean")
    grads = (np.zeros((4, 3)),)
    with pytest.raises(ConformanceFailure, match="value differs from the reference"):
        verify.check(wrong, path, "eager", "index", "float64", args, np.float64(1), value,
                     (value, grads))


def test_setup_prepares_once_per_benchmark():
    """asv re-runs setup before every timed call: the second run reuses the prepared state."""
    bench = bench_classification.CrossEntropy()
    params = ("reference", "cross_entropy", "small", "float64", "cpu", "eager")
    bench.setup({"bandwidth": 1e10}, *params)
    first = bench.forward
    assert bench.number >= 1
    again = bench_classification.CrossEntropy()
    again.setup({"bandwidth": 1e10}, *params)
    assert again.forward is first


def test_version_text_reads_the_recorded_number():
    for version in ("0.10.2", "0.9.2", "2.13.0", "3.15.1"):
        assert version_text(_as_number(version)) == version


def _results(tmp_path, jax_version, seconds):
    """A small asv results file, in asv's format (result_columns, quoted parameters)."""
    name = "bench_classification.CrossEntropy.time_forward"
    params = [["'torch'", "'jax'"], ["'cross_entropy'"], ["'small'", "'medium'"],
              ["'float32'"], ["'cpu'"], ["'eager'", "'compiled'"]]
    n = 8
    data = {"commit_hash": "0" * 40, "env_name": f"virtualenv-jax{jax_version}",
            "date": 1796031335000, "params": {"machine": "test", "jax": jax_version},
            "result_columns": ["result", "params", "version", "started_at", "duration",
                               "stats_number"],
            "results": {
                name: [[seconds * (i + 1) for i in range(n)], params, "v", 1796031335000, 1.0,
                       [10] * n],
                name.replace("time_forward", "track_bandwidth_fraction_forward"):
                    [[0.1] * n, params, "v", 1796031335000, 1.0, [None] * n]},
            "version": 2}
    path = tmp_path / f"jax{jax_version}.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_fidelity_reads_asv_medians(tmp_path):
    rows = fidelity.asv_medians(_results(tmp_path, "0.10.2", 1e-5))
    assert len(rows) == 8
    name, params, value, number = rows[0]
    assert name.endswith("CrossEntropy.time_forward") and number == 10
    assert params == ("torch", "cross_entropy", "small", "float32", "cpu", "eager")
    assert value == pytest.approx(1e-5)


def test_plots_draw_each_environment_and_the_versions_side_by_side(tmp_path):
    pytest.importorskip("matplotlib", reason="benchmarks.plots needs matplotlib (bench extra)")
    from benchmarks import plots
    _results(tmp_path, "0.9.2", 1e-5)
    _results(tmp_path, "0.10.2", 2e-5)
    out = tmp_path / "out"
    assert plots.main([str(tmp_path), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "CrossEntropy-float32-cpu-versions.png" in names
    assert sum(n.startswith("CrossEntropy-float32-cpu-jax_0.") for n in names) == 2
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3 and "jax 0.9.2" in page


def _family_benchmarks():
    import importlib
    for family in adapters.FAMILIES:
        module = importlib.import_module(f"benchmarks.bench_{family}")
        classes = [v for v in vars(module).values() if isinstance(v, type)
                   and v.__module__ == module.__name__]
        yield family, ([c for c in classes if issubclass(c, common.LossBenchmark)],
                       [c for c in classes if issubclass(c, common.Limits)])


@pytest.mark.parametrize("family, found", list(_family_benchmarks()),
                         ids=[f for f in adapters.FAMILIES])
def test_every_benchmark_is_against_its_limit(family, found):
    """Each family's benchmarks report the bandwidth fraction (LossBenchmark's track_), and its
    one Limits suite reports the minimum bytes and operations of each of them, at every size."""
    benches, limits = found
    assert len(limits) == 1, f"bench_{family}.py needs one common.Limits suite"
    assert set(limits[0].benchmarks) == set(benches)
    for bench in benches:
        for size in bench.sizes:
            for backward in (False, True):
                shape = common.SIZES[size]
                assert bench.min_bytes(shape, "float32", backward) > 0, (bench.loss, size)
                assert bench.min_ops(shape, backward) > 0, (bench.loss, size)
        assert bench.min_bytes(common.SIZES[bench.sizes[0]], "float32", True) > \
            bench.min_bytes(common.SIZES[bench.sizes[0]], "float32", False)
