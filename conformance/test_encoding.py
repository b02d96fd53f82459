"""encoding checks: see conformance/checks.py for what a encoding check asserts."""
from conformance.checks import run

KIND = "encoding"


def test_encoding(check, reproduce):
    run(check, reproduce)
