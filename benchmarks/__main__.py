"""python -m benchmarks: which adapter path each benchmark measures, per loss and dtype (the
path that `pytest conformance/` checks under the same name)."""
import importlib

from . import common  # first: it puts this checkout on sys.path (asv imports this module too)

adapters = common.adapters

if __name__ == "__main__":
    for family in adapters.FAMILIES:
        module = importlib.import_module(f"benchmarks.bench_{family}")
        suites = [v for v in vars(module).values() if isinstance(v, type)
                  and issubclass(v, common.LossBenchmark) and v is not common.LossBenchmark]
        for suite in suites:
            for name in common.adapter_names():
                for dtype in common.DTYPES:
                    try:
                        adapter = common.get_adapter(name)
                        path = common.choose_path(adapter, suite.loss, suite.encoding, dtype).id
                    except NotImplementedError as err:
                        path = f"{name}: {err}"
                    print(f"{family:15s} {suite.loss:34s} {dtype:8s} {path}")
