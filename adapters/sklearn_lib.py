"""The `sklearn` adapter's backend: scikit-learn's metrics (sklearn.metrics) on NumPy arrays.

scikit-learn computes values only, in NumPy: its backend declares `gradients = False`, so the
suite runs the value checks and skips every gradient check with the reason "sklearn computes
values only (no gradients)", counted in the summary (adapters/registry.py, Backend). The metrics
compute in the dtype of the arrays they get and return a Python float: float64 and float32 are
declared (log_loss clips at the machine epsilon of that dtype); float16 and bfloat16 are not
(NumPy has no bfloat16, and the metrics' input validation is not written for float16).

sklearn is imported when a path runs (`metrics` below is a LazyModule), so collection works
without it. The paths live in adapters/families/<family>/sklearn_lib.py; adapters.load()
registers them.
"""
from __future__ import annotations

import numpy as np

from .registry import LazyModule, NoGradients, declare_adapter, no_gradients_reason

INSTALL_HINT = "pip install scikit-learn==1.9.1  (or: pip install -e '.[ecosystem]')"
SEEN_ON = "scikit-learn 1.9.1, numpy float64 and float32"   # where the evidence was seen
DOCS = "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.{}.html"
DTYPES = ("float64", "float32")
DTYPE_NOTES = ("scikit-learn's metrics are checked in float64 and float32 (NumPy has no "
               "bfloat16; the metrics' input validation is not written for float16)")

sklearn = LazyModule("sklearn")
metrics = LazyModule("sklearn.metrics")
special = LazyModule("scipy.special")


class SklearnBackend:
    """NumPy arrays in, a Python float out; no gradients (`gradients = False`)."""

    gradients = False

    def unavailable(self):
        try:
            self.versions()     # imports sklearn
        except ImportError as err:
            return f"scikit-learn is not installed ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"scikit-learn": sklearn.__version__, "numpy": np.__version__}

    def devices(self):
        return ["cpu"]

    def asarray(self, array, dtype, device):
        a = np.asarray(array)
        return a.astype(np.int64 if np.issubdtype(a.dtype, np.integer) else dtype)

    def to_numpy(self, value):
        return np.asarray(value, dtype=np.float64)

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        raise NoGradients(no_gradients_reason("scikit-learn"))


adapter = declare_adapter("sklearn", SklearnBackend(),
                          "scikit-learn: sklearn.metrics (values only, no gradients)")
path = adapter.path


def averaged(reduction):
    """sklearn's averages for a canonical reduction: normalize=True is the (weighted) mean,
    normalize=False the (weighted) sum."""
    return reduction != "sum"


def derive_paths():
    """No derived paths: the metrics take sample_weight themselves (their own paths)."""
