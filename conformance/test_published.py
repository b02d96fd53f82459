"""published checks: see conformance/checks.py for what a published check asserts."""
from conformance.checks import run

KIND = "published"


def test_published(check, reproduce, record_property):
    record_property("worst", run(check, reproduce))   # read by the --report plugin
