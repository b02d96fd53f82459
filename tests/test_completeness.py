"""Every canonical loss is complete, as numpy's API tests keep its namespaces complete: a family,
a reference, a case file in its family's case folder, a path on every built-in framework adapter
(or a reason stated with adapter.no_path), and a benchmark in its family's benchmark module. The
same family names run through adapters/families/, cases/ and benchmarks/."""
import importlib
import inspect
from pathlib import Path

import pytest

import adapters
from adapters import reference
from adapters.registry import adapters as registered
from adapters.spec import FAMILY, LOSSES
from conformance import cases

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = [name for name, (_, role) in adapters.BUILTIN.items() if role]


def _folders(path: Path) -> set[str]:
    return {p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("_")}


def test_three_trees_have_the_same_families():
    assert _folders(ROOT / "adapters" / "families") == set(adapters.FAMILIES)
    assert _folders(ROOT / "cases") == set(adapters.FAMILIES)
    benches = {p.stem.removeprefix("bench_") for p in (ROOT / "benchmarks").glob("bench_*.py")}
    assert benches - {"machine"} == set(adapters.FAMILIES)


@pytest.fixture(scope="module")
def case_files():
    """loss -> the families of the case folders holding its cases."""
    found = {}
    for case in cases.load():
        family = Path(case.file).resolve().relative_to(ROOT / "cases").parts[0]
        found.setdefault(case.loss, set()).add(family)
    return found


@pytest.fixture(scope="module")
def benchmarked():
    """loss -> the family whose benchmark module measures it."""
    found = {}
    for family in adapters.FAMILIES:
        module = importlib.import_module(f"benchmarks.bench_{family}")
        for cls in vars(module).values():
            if inspect.isclass(cls) and getattr(cls, "loss", "") and not inspect.isabstract(cls):
                found[cls.loss] = family
    return found


@pytest.mark.parametrize("loss", list(LOSSES))
def test_every_loss_is_complete(loss, case_files, benchmarked):
    adapters.load()
    family = FAMILY[loss]
    problems = []
    if not reference.supports(loss):
        problems.append("no reference (adapters/families/<family>/reference.py PARTS)")
    if case_files.get(loss) != {family}:
        problems.append(f"cases in {sorted(case_files.get(loss, []))}, expected cases/{family}/")
    for name in FRAMEWORKS:
        adapter = registered()[name]
        if not adapter.paths_for(loss) and loss not in adapter.no_paths:
            problems.append(f"no path on {name} and no reason (adapter.no_path)")
    if benchmarked.get(loss) != family:
        problems.append(f"no benchmark class in benchmarks/bench_{family}.py")
    assert not problems, f"{loss} ({family}): " + "; ".join(problems)


def test_a_missing_piece_is_reported(monkeypatch, case_files, benchmarked):
    """The guard itself: a loss that loses its benchmark and its paths fails with both named."""
    adapters.load()
    torch = registered()["torch"]
    monkeypatch.setattr(torch, "paths", [p for p in torch.paths if p.loss != "kl_div"])
    with pytest.raises(AssertionError) as info:
        test_every_loss_is_complete("kl_div", case_files, {**benchmarked, "kl_div": None})
    assert "no path on torch" in str(info.value) and "no benchmark class" in str(info.value)
