"""gradient checks: see conformance/checks.py for what a gradient check asserts."""
from conformance.checks import run

KIND = "gradient"


def test_gradient(check, reproduce, record_property):
    record_property("worst", run(check, reproduce))   # read by the --report plugin
