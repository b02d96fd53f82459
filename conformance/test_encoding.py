"""encoding checks: see conformance/checks.py for what a encoding check asserts."""
from conformance.checks import run

KIND = "encoding"


def test_encoding(check, reproduce, record_property):
    record_property("worst", run(check, reproduce))   # read by the --report plugin
