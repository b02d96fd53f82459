"""encoding checks: conformance/checks.py says what an encoding check asserts."""
from conformance.checks import run

KIND = "encoding"


def test_encoding(check, reproduce, record_property):
    __tracebackhide__ = True   # a failure shows its message block alone
    record_property("worst", run(check, reproduce).as_dict())   # read by the report
