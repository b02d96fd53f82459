"""Every planted bug (tests/planted/*.py, one typical mistake each) is caught by the suite when
plugged in with --adapter: the named check of that module's adapter fails with a conformance
failure, not a crash. All planted modules run in one conformance session (one start-up of the
frameworks instead of one per module); each failure line names its adapter, so every module is
judged on its own checks."""
import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLANTED = ROOT / "tests" / "planted"


def caught_by(module: str) -> tuple[str, str]:
    """A planted module's CAUGHT_BY = (test file, id fragment): the check its bug must fail.
    Read without importing (importing would declare the planted adapter)."""
    tree = ast.parse((PLANTED / f"{module}.py").read_text())
    for node in tree.body:
        names = [getattr(t, "id", "") for t in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and names == ["CAUGHT_BY"]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"tests/planted/{module}.py has no CAUGHT_BY = (test file, id fragment)")


MODULES = sorted(p.stem for p in PLANTED.glob("*.py"))


def framework(module: str) -> str:
    """The framework or library a planted module is written in, by its prefix (tf_..., jax_...,
    paddle_..., a library's adapter name), else torch: the module whose absence skips it."""
    prefix = module.split("_")[0]
    return {"tf": "tensorflow", "jax": "jax", "paddle": "paddle", "transformers": "transformers",
            "sklearn": "sklearn", "monai": "monai", "smp": "segmentation_models_pytorch",
            "kornia": "kornia", "torchvision": "torchvision", "timm": "timm"}.get(prefix, "torch")


def declared_adapters(module: str) -> list[str]:
    """The adapter names a planted module declares (declare_adapter("name", ...))."""
    tree = ast.parse((PLANTED / f"{module}.py").read_text())
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "declare_adapter"]


def run_conformance(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-rf",
                           "-p", "no:cacheprovider", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "2000"})   # keep messages in -rf lines


def named_checks(modules) -> str:
    """A -k expression selecting the checks the modules' CAUGHT_BY name (each test file's checks
    whose id holds the fragment), the only ones judged below: 89 checks, where the whole suite on
    the 42 planted adapters is 3,853."""
    return " or ".join(sorted({"({} and {})".format(*caught_by(m)) for m in modules}))


@pytest.fixture(scope="module")
def planted_run():
    """One conformance session with every planted module whose framework is installed, on the
    checks their CAUGHT_BY name."""
    runnable = [m for m in MODULES if importlib.util.find_spec(framework(m))]
    out = run_conformance(*[a for m in runnable for a in ("--adapter", f"tests/planted/{m}.py")],
                          "-k", named_checks(runnable), timeout=1200)
    assert out.returncode == 1, f"the suite did not fail on the planted bugs:\n{out.stdout[-3000:]}"
    return [line for line in out.stdout.splitlines() if line.startswith("FAILED")]


@pytest.mark.parametrize("module", MODULES)
def test_planted_bug_is_caught(module, planted_run):
    test_file, fragment = caught_by(module)
    # find_spec, as planted_run selects them: importing torchvision here (smp and timm import it)
    # fails on a CPU torch unless adapters.torchvision_lib's shim ran first
    if importlib.util.find_spec(framework(module)) is None:
        pytest.skip(f"planted bug {module} needs {framework(module)}")
    names = declared_adapters(module)
    assert names, f"tests/planted/{module}.py declares no adapter"
    hit = [line for line in planted_run
           if any(f"[{name}/" in line for name in names) and f"{test_file}.py::" in line
           and fragment in line and "ConformanceFailure" in line]
    assert hit, (f"{module}: no conformance failure of {test_file} [{fragment}] on its adapter "
                 f"{names}; its failures:\n" + "\n".join(
                     [line for line in planted_run if any(f"[{n}/" in line for n in names)][:20]))


def test_a_correct_plugin_passes(tmp_path):
    pytest.importorskip("torch")
    """Control: a faithful plug-in passes, so the failures above are the bugs' doing."""
    plugin = tmp_path / "faithful.py"
    plugin.write_text(
        "import torch\n"
        "from adapters.pytorch import TorchBackend\n"
        "from adapters.registry import declare_adapter\n"
        "ok = declare_adapter('faithful', TorchBackend())\n"
        "@ok.path('cross_entropy', 'ce', call='F.cross_entropy', encodings=['index'],\n"
        "         params=['weight', 'ignore_index', 'label_smoothing', 'reduction'],\n"
        "         conventions=['all_ignored_mean_gradient_is_zero'])\n"
        "def ce(input, target, **params):\n"
        "    return torch.nn.functional.cross_entropy(input, target, **params)\n")
    out = run_conformance("--adapter", str(plugin))
    assert out.returncode == 0, out.stdout[-3000:]
    assert re.search(r"\d+ passed", out.stdout)
