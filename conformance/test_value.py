"""value checks: conformance/checks.py says what a value check asserts."""
from conformance.checks import run

KIND = "value"


def test_value(check, reproduce, record_property):
    __tracebackhide__ = True   # a failure shows its message block alone
    record_property("worst", run(check, reproduce).as_dict())   # read by the report
