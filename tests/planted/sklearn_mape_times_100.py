"""Planted bug: Keras's or the definition's percentage ported as 100 times scikit-learn's
mean_absolute_percentage_error, which floors |target| at 2.2e-16: finite where the definition is
inf or nan (a target of 0)."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_value', 'mean_absolute_percentage_error/zero-target-mean-float64')
from sklearn import metrics

from adapters.registry import declare_adapter
from adapters.sklearn_lib import SklearnBackend

bug = declare_adapter("bug_sklearn_mape_times_100", SklearnBackend())


@bug.path("mean_absolute_percentage_error", "mape", ndims=[1, 2], dtypes=["float64"],
          params=["reduction"], unsupported_when={
              "reduction other than 'mean'": lambda p, e, i: p["reduction"] != "mean"},
          call="100 * sklearn.metrics.mean_absolute_percentage_error(target, input)")
def mape(input, target, *, reduction):
    return 100 * metrics.mean_absolute_percentage_error(target, input)
