"""gradient checks: see conformance/checks.py for what a gradient check asserts."""
from conformance.checks import run

KIND = "gradient"


def test_gradient(check, reproduce):
    run(check, reproduce)
