"""Every planted bug (tests/planted/*.py, one typical mistake each) is caught by the suite when
plugged in with --adapter: the named check fails with a conformance failure, not a crash."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# planted module -> a check that must fail because of that bug (test file, id fragment)
CAUGHT_BY = {
    "weighted_mean_divides_by_n": ("test_value", "cross_entropy/weight-mean/index-float64"),
    "no_logsumexp": ("test_value", "cross_entropy/extreme-logits/index-float64"),
    "smoothing_over_c_minus_1": ("test_value", "cross_entropy/smoothing/index-float64"),
    "ignored_in_divisor": ("test_value", "nll_loss/ignore-mean/index-float64"),
    "weight_after_reduction": ("test_value", "cross_entropy/weight-mean/index-float64"),
    "bce_no_clamp": ("test_value", "binary_cross_entropy/probs-0-and-1-matching-float64"),
    "softmax_wrong_axis": ("test_value", "softmax/columns-float64"),
    "wrong_gradient": ("test_gradient", "cross_entropy/batch-mean/index-float64"),
    "probs_as_argmax": ("test_value", "cross_entropy/probs-soft/probs-float64"),
    "convention_no_longer_holds": (
        "test_convention", "probs-0-and-1-opposite:bce_log_clamped_at_-100-float64"),
    "tf_from_logits_default": ("test_value", "cross_entropy/batch-mean/index-float64"),
    "tf_sample_weights_as_divisor": ("test_value", "binary_cross_entropy/weight-mean-float64"),
    "jax_class_axis_last": ("test_value", "cross_entropy/spatial-2d-mean/one_hot-float64"),
    "jax_pos_weight_dropped": ("test_value", "binary_cross_entropy_with_logits/pos-weight-mean-float64"),
    "smooth_l1_beta_squared": ("test_value", "smooth_l1_loss/beta-0.5-none-float64"),
    "kl_div_mean_is_batchmean": ("test_value", "kl_div/batch-mean-float64"),
}
def framework(module: str) -> str:
    """The framework a planted module is written in, from its prefix: tf_..., jax_..., else torch."""
    return {"tf": "tensorflow", "jax": "jax"}.get(module.split("_")[0], "torch")


def run_conformance(*args):
    return subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-rf",
                           "-p", "no:cacheprovider", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "2000"})   # keep messages in -rf lines


def test_every_planted_module_is_listed():
    planted = {p.stem for p in (ROOT / "tests" / "planted").glob("*.py")}
    assert planted == set(CAUGHT_BY)


@pytest.mark.parametrize("module", sorted(CAUGHT_BY))
def test_planted_bug_is_caught(module):
    pytest.importorskip(framework(module), reason=f"planted bug {module} needs {framework(module)}")
    test_file, fragment = CAUGHT_BY[module]
    out = run_conformance("--adapter", f"tests/planted/{module}.py")
    assert out.returncode == 1, f"suite did not fail on {module}:\n{out.stdout[-3000:]}"
    failed = [line for line in out.stdout.splitlines() if line.startswith("FAILED")]
    hit = [line for line in failed
           if f"{test_file}.py::" in line and fragment in line and "ConformanceFailure" in line]
    assert hit, (f"{module}: no conformance failure of {test_file} [{fragment}]; failed:\n"
                 + "\n".join(failed[:20]))


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
