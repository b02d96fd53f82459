"""conformance/ERRORS.md is generated from the families' contracts.yaml: it must be current."""
from pathlib import Path

from conformance import contracts

ROOT = Path(__file__).resolve().parent.parent


def test_errors_md_is_current():
    written = (ROOT / "conformance" / "ERRORS.md").read_text(encoding="utf-8")
    assert written == contracts.table(), (
        f"conformance/ERRORS.md is out of date: run `{contracts.COMMAND}`")


def test_every_builtin_path_has_its_contracts():
    """Each built-in path declares an outcome for every mistake that applies to it."""
    import adapters
    from adapters.registry import adapters as registered
    adapters.load()
    missing = [contracts.entry_id(e) for e in contracts.planned(list(registered().values()))
               if e[3] is None]
    assert not missing, (f"{len(missing)} undeclared, e.g. {missing[:5]}: run "
                         "`python -m conformance.contracts --record` and review the change")
