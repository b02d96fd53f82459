"""value checks: see conformance/checks.py for what a value check asserts."""
from conformance.checks import run

KIND = "value"


def test_value(check, reproduce, record_property):
    record_property("worst", run(check, reproduce))   # read by the --report plugin
