"""gradient checks: conformance/checks.py says what a gradient check asserts."""
from conformance.checks import run

KIND = "gradient"


def test_gradient(check, reproduce, record_property):
    __tracebackhide__ = True   # a failure shows its message block alone
    record_property("worst", run(check, reproduce).as_dict())   # read by the report
