"""Fuzzing: every adapter path against the reference, and the invariants of its own outputs, on
examples Hypothesis draws from the spec (conformance/fuzz.py). A failing example is shrunk,
written as a case file (its path is shown with the failure) and replayed first by the next run."""
from hypothesis import given
from hypothesis import strategies as st

from conformance import fuzz

KIND = "fuzz"


@given(data=st.data())
def test_fuzz_reference(fuzzed, reproduce_fuzz, data):
    __tracebackhide__ = True   # a failure shows its message block alone
    example = data.draw(fuzz.examples(fuzzed.path, fuzzed.dtypes), label="example")
    fuzz.check_property(fuzzed, "reference", example, reproduce_fuzz)


@given(data=st.data())
def test_fuzz_invariants(fuzzed, reproduce_fuzz, data):
    __tracebackhide__ = True
    example = data.draw(fuzz.examples(fuzzed.path, fuzzed.dtypes), label="example")
    fuzz.check_property(fuzzed, "invariants", example, reproduce_fuzz)
