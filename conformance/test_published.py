"""published checks: conformance/checks.py says what a published check asserts."""
from conformance.checks import run

KIND = "published"


def test_published(check, reproduce, record_property):
    __tracebackhide__ = True   # a failure shows its message block alone
    record_property("worst", run(check, reproduce).as_dict())   # read by the report
