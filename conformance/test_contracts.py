"""Error contracts: every built-in path still does, with each input users get wrong, what its
family's contracts.yaml declares (conformance/contracts.py), and the reference raises SpecError."""
import pytest

from conformance import contracts


def test_contract(contract):
    adapter, path, bad, declared = contract
    why = adapter.backend.unavailable()
    if why:
        pytest.skip(f"{adapter.name}: {why}")
    if declared is None:
        pytest.fail(f"{path.id} ({path.loss}) has no declared outcome for {bad.mistake}: run "
                    f"`python -m conformance.contracts --record` and review the change")
    seen = contracts.outcome(adapter, path, bad)
    if adapter.name == "reference":
        assert seen.get("raises", {}).get("type") == "SpecError", (
            f"the reference must reject {bad.mistake} with SpecError, but did: {seen}")
    assert contracts.matches(declared, seen), (
        f"{path.id} ({path.loss}) on {bad.mistake} no longer does what is declared in "
        f"{contracts.contracts_file(contracts.FAMILY[path.loss]).name} of its family:\n"
        f"  declared  {declared}\n  seen      {seen}\n"
        f"record the new behaviour with `python -m conformance.contracts --record` once it is "
        f"understood (a new convention, or a framework's fix)")
