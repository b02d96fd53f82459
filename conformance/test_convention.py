"""convention checks: see conformance/checks.py for what a convention check asserts."""
from conformance.checks import run

KIND = "convention"


def test_convention(check, reproduce, record_property):
    record_property("worst", run(check, reproduce))   # read by the --report plugin
