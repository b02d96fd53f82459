"""The one comparison of the suite: nan matches nan, inf matches inf of the same sign only."""
import numpy as np
import pytest

from conformance.assertions import ConformanceFailure, Context, assert_close, close_mask
from conformance.cases import Tolerance

TOL = Tolerance(atol=1e-6, rtol=1e-6, why="test")
inf, nan = float("inf"), float("nan")


@pytest.mark.parametrize("got, expected, ok", [
    (1.0, 1.0 + 1e-7, True), (1.0, 1.1, False), (nan, nan, True), (inf, inf, True),
    (-inf, inf, False), (100.0, inf, False), (inf, 100.0, False), (nan, 1.0, False),
    (1.0, nan, False),
])
def test_close_mask(got, expected, ok):
    assert bool(close_mask(np.array(got), np.array(expected), TOL)) is ok


def test_failure_names_worst_element_and_reproduction():
    ctx = Context(title="t/p: loss value differs", call="f(x)", case="c (file.yaml)", params="p",
                  dtype_device="float32 on cpu", expected_is="reference", reproduce="pytest -k x")
    with pytest.raises(ConformanceFailure) as info:
        assert_close(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), TOL, ctx)
    text = str(info.value)
    for part in ("t/p: loss value differs", "call        f(x)", "at index (2,)", "got 3.5",
                 "expected 3.0", "1 of 3 elements", "reproduce   pytest -k x"):
        assert part in text
