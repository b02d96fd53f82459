"""conformance/CONVENTIONS.md is generated from the registry and committed: it must be current."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "conformance" / "CONVENTIONS.md"


def generated() -> str:
    # a fresh process: the document imports the tensorflow and jax plug-in declarations, which
    # must not leak into this session's registry
    out = subprocess.run([sys.executable, "-m", "conformance.recipe"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_committed_document_is_generated():
    assert COMMITTED.read_text() == generated(), (
        "conformance/CONVENTIONS.md is out of date: run "
        "`python -m conformance.recipe > conformance/CONVENTIONS.md`")


def test_document_covers_every_convention_and_adapter():
    text = COMMITTED.read_text()
    from adapters.spec import CONVENTIONS, LOSSES
    for name in CONVENTIONS:
        assert f"\n### {name}\n" in text
    for loss in LOSSES:
        assert f"\n## {loss}\n" in text
    assert "python -m conformance.recipe > conformance/CONVENTIONS.md" in text.splitlines()[2]
    assert "### cross_entropy: torch" in text
    assert "`torch.nn.functional.cross_entropy(input, target, weight=weight" in text


def test_name_clashes_name_real_losses():
    from adapters.spec import LOSSES, NAME_CLASHES
    for clash in NAME_CLASHES:
        assert len(clash.losses) >= 2 and set(clash.losses) <= set(LOSSES), clash
        assert f"**{clash.name}**" in COMMITTED.read_text()
