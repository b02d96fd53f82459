"""conformance/LIBRARIES.md is generated from the registry and committed: it must be current."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "conformance" / "LIBRARIES.md"


def test_committed_table_is_generated():
    # a fresh process, like tests/test_recipe.py: loading every built-in adapter must not leak
    # into this session's registry
    out = subprocess.run([sys.executable, "-m", "conformance.libraries"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert COMMITTED.read_text() == out.stdout, (
        "conformance/LIBRARIES.md is out of date: run "
        "`python -m conformance.libraries > conformance/LIBRARIES.md`")


def test_every_library_has_a_section():
    import adapters
    text = COMMITTED.read_text()
    assert adapters.LIBRARIES, "no library adapters are declared in adapters.BUILTIN"
    for name in adapters.LIBRARIES:
        assert f"\n## {name}\n" in text
