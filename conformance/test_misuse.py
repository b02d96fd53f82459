"""Misuse checks: the wrong encoding or an invalid index errs as declared, or returns exactly the
number its declared reinterpretation gives (see conformance/misuse.py)."""
import importlib.util

import numpy as np
import pytest

from conformance.assertions import Context, assert_close
from conformance.misuse import MISUSES
from conformance.tolerances import DEFAULTS


@pytest.mark.parametrize("misuse", MISUSES, ids=[m.id for m in MISUSES])
def test_misuse(misuse, reproduce_test):
    if importlib.util.find_spec(misuse.framework) is None:
        pytest.skip(f"{misuse.framework} is not installed")
    if misuse.returns is None:
        with pytest.raises(Exception) as info:
            misuse.run()
        kind, message = type(info.value).__name__, str(info.value)
        assert kind == misuse.raises and misuse.match in message, (
            f"{misuse.call}: expected {misuse.raises} containing {misuse.match!r}, "
            f"got {kind}: {message[:300]}\n  reproduce   {reproduce_test}")
        return
    try:
        got = np.asarray(misuse.run(), dtype=np.float64)
    except Exception as err:
        pytest.fail(f"{misuse.call}: declared to return a number ({misuse.reinterpretation}), "
                    f"but raised {type(err).__name__}: {str(err)[:300]}\n"
                    f"  reproduce   {reproduce_test}")
    assert_close(got, misuse.returns(), DEFAULTS["float64"], Context(
        title=f"{misuse.id}: misuse no longer returns what it did", call=misuse.call,
        case=f"misuse {misuse.name}", params="reduction=none", dtype_device="float64 on cpu",
        expected_is=f"reference on the reinterpretation: {misuse.reinterpretation}",
        reproduce=reproduce_test))
