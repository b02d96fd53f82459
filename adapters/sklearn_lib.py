"""The `sklearn` adapter's backend: scikit-learn's metrics (sklearn.metrics) on NumPy arrays.

scikit-learn computes values only, in NumPy: its backend declares `gradients = False`, so the
suite runs the value checks and skips every gradient check with the reason "sklearn computes
values only (no gradients)", counted in the summary (adapters/registry.py, Backend). The metrics
compute in the dtype of the arrays they get and return a Python float: float64 and float32 are
declared (log_loss clips at the machine epsilon of that dtype); float16 and bfloat16 are not
(NumPy has no bfloat16, and the metrics' input validation is not written for float16). Sample
weights reach the metrics in float64, as a user's list of numbers does (`weights`).

sklearn is imported when a path runs (`metrics` below is a LazyModule), so collection works
without it. The paths live in adapters/families/<family>/sklearn_lib.py; adapters.load()
registers them.
"""
from __future__ import annotations

import numpy as np

from .registry import LazyModule, NoGradients, declare_adapter, no_gradients_reason
from .spec import LOSSES

INSTALL_HINT = "pip install scikit-learn==1.9.1  (or: pip install -e '.[ecosystem]')"
SEEN_ON = "scikit-learn 1.9.1, numpy float64 and float32"   # where the evidence was seen
DOCS = "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.{}.html"
DTYPES = ("float64", "float32")
DTYPE_NOTES = ("scikit-learn's metrics are checked in float64 and float32 (NumPy has no "
               "bfloat16; the metrics' input validation is not written for float16)")


def weights(sample_weight):
    """Sample weights as a user's list of numbers reaches sklearn: float64, also beside float32
    inputs (np.average in float32 loses a subnormal weight's value: 16.0 for 15.942385 with a
    weight of 1.4e-45, found by fuzzing; the values are the check's, already rounded)."""
    return None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

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


# losses sklearn.metrics has a near relative of, and why it is not that loss
NEAR = {
    "poisson_nll_loss": "mean_poisson_deviance(y, mu) is the deviance 2 (y log(y / mu) - y + "
                        "mu), not the negative log-likelihood mu - y log mu: it differs by a "
                        "factor 2 and terms of the target alone (no canonical deviance yet)",
    "gaussian_nll_loss": "sklearn.metrics has no Gaussian likelihood with a variance input "
                         "(mean_gamma_deviance and mean_tweedie_deviance are deviances of "
                         "other distributions)",
    "huber_loss": "sklearn.metrics has no Huber loss (HuberRegressor fits one, it does not "
                  "score one)",
    "smooth_l1_loss": "sklearn.metrics has no smooth L1 loss",
    "kl_div": "sklearn.metrics has no KL divergence between distributions",
    "multi_margin_loss": "sklearn.metrics.hinge_loss (multi-class) is the Crammer-Singer hinge "
                         "(multiclass_hinge_loss), not torch's sum over the classes / C",
    "categorical_hinge": "sklearn.metrics.hinge_loss (multi-class) takes class labels, Crammer-"
                         "Singer's max over the other classes (multiclass_hinge_loss)",
    "squared_hinge": "sklearn.metrics.hinge_loss has no squared form",
    "binary_cross_entropy_with_logits": "log_loss takes probabilities, not logits (the path "
                                        "for probabilities is binary_cross_entropy's)",
}


# the conventions every metric that takes sample_weight follows (np.average(l, weights=w))
WEIGHTED = "sklearn_average_divides_by_sample_weight_sum"


def per_sample_weights(params, encoding, inputs) -> bool:
    """Sample weights sklearn cannot take: anything but one weight per sample, (N,), and weights
    that are all 0 (ValueError 'Sample weights must contain at least one non-zero number', where
    the metric averages; found by fuzzing)."""
    w = params["sample_weight"]
    return w is not None and (np.shape(w) != np.shape(inputs["input"])[:1]
                              or (params["reduction"] != "sum" and not np.any(w)))


def derive_paths():
    """No derived paths (the metrics take sample_weight themselves); the reason for every loss
    without a path (tests/test_completeness.py asks for one)."""
    for loss in LOSSES:
        if not adapter.paths_for(loss):
            adapter.no_path(loss, why=NEAR.get(loss, f"sklearn.metrics has no {loss}: its "
                                    "losses are log_loss, hinge_loss and the regression "
                                    "metrics (mean squared, absolute, percentage, squared log "
                                    "errors, deviances)"))
