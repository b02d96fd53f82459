"""conformance/OPTIONS.md is generated from the registry and the installed frameworks and
committed: it must be current, every option left unchecked must have a reason in
conformance/options.py LEFT, and every reason must name an option that is still left."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.registry import Path as LossPath
from conformance import options

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "conformance" / "OPTIONS.md"


@pytest.fixture(scope="module")
def generated() -> dict:
    # a fresh process: loading every built-in adapter must not leak into this session's
    # registry, and the frameworks are imported there only
    out = subprocess.run([sys.executable, "-m", "conformance.options", "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def _versions(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Versions: "))


def test_committed_document_is_generated(generated):
    committed = COMMITTED.read_text()
    if _versions(committed) != _versions(generated["document"]):
        pytest.skip(f"conformance/OPTIONS.md was generated on other framework versions "
                    f"({_versions(committed)}; here {_versions(generated['document'])}): the "
                    "options offered depend on them")
    assert committed == generated["document"], (
        f"conformance/OPTIONS.md is out of date: run `{options.COMMAND}`")


def test_every_option_left_has_a_reason(generated):
    missing = [tuple(pair) for pair in generated["missing"]]
    assert not missing, (
        f"{len(missing)} framework option(s) no path passes have no reason in LEFT in "
        "conformance/options.py; check them in a path or add to LEFT (output of "
        "`python -m conformance.options --missing`):\n"
        + "\n".join(f"    ({c!r}, {o!r}): \"\"," for c, o in missing))


def test_every_reason_names_an_option_left(generated):
    stale = [tuple(pair) for pair in generated["stale"]]
    assert not stale, (
        "reasons in LEFT in conformance/options.py for (callable, option) pairs that are no "
        "longer left (now checked, renamed, or no path calls the callable): remove them:\n"
        + "\n".join(f"    {pair!r}" for pair in stale))
    assert all(reason.strip() for reason in options.LEFT.values())


def test_document_header_and_summary():
    text = COMMITTED.read_text()
    assert options.COMMAND in text.splitlines()[2]
    assert _versions(text).startswith("Versions: torch ")
    for root, (_, _, _, title) in options.FRAMEWORKS.items():
        assert f"\n## {title}\n" in text
        assert f"\n| {root} | " in text
    assert "| `torch.nn.CrossEntropyLoss` |" in text
    assert "| `keras.losses.CategoricalCrossentropy` |" in text


def _path(call: str) -> LossPath:
    return LossPath(adapter="x", loss="cross_entropy", name="p", fn=lambda *a: None, call=call)


def test_calls_are_parsed_into_keywords_and_positions():
    found = options.uses(_path(
        "reduce(optax.smooth_labels(target, label_smoothing, axis=1 if x.ndim > 1 else -1), r); "
        "keras.losses.CategoricalCrossentropy(from_logits=True, axis=f(a, b=2))(target, input, "
        "sample_weight=w == 1)  [F.softplus(x, beta=2); jax.nn.relu(x); tf.math.xlogy(x, y)]"))
    assert sorted(found) == ["keras.losses.CategoricalCrossentropy", "optax.smooth_labels",
                             "torch.nn.functional.softplus"]
    smooth, = found["optax.smooth_labels"]
    assert (smooth.init_kw, smooth.init_pos, smooth.call_kw) == (["axis"], 2, None)
    keras_use, = found["keras.losses.CategoricalCrossentropy"]
    assert keras_use.init_kw == ["from_logits", "axis"]
    assert (keras_use.call_kw, keras_use.call_pos) == (["sample_weight"], 2)


def test_loss_callables():
    assert options.is_loss("torch.nn.functional.kl_div")
    assert options.is_loss("torch.nn.CrossEntropyLoss")
    assert options.is_loss("torch.nn.LogSoftmax")       # log_softmax is a canonical loss
    assert not options.is_loss("torch.nn.Module")
    assert options.is_loss("tf.nn.weighted_cross_entropy_with_logits")
    assert options.is_loss("keras.ops.ctc_loss")
    assert not options.is_loss("jax.nn.relu")
    assert not options.is_loss("tf.nn.softplus")


def test_a_framework_not_installed_gives_a_line_not_a_crash():
    use = options.uses(_path("torch.nn.functional.cross_entropy(input, target, weight=w)"))
    row = options.build_row("torch.nn.functional.cross_entropy",
                            use["torch.nn.functional.cross_entropy"],
                            "torch cannot be imported here (No module named 'torch')")
    cells = options.cells(row)
    assert cells[2].startswith("unknown: torch cannot be imported here")
    assert "`weight`" in cells[3]
    assert options.counts([row]) == (1, 0, 0, 0)
