"""convention checks: see conformance/checks.py for what a convention check asserts."""
from conformance.checks import run

KIND = "convention"


def test_convention(check, reproduce):
    run(check, reproduce)
