"""Do asv's figures match a bare loop of the same call?

    python -m benchmarks.fidelity [--bench REGEX ...] [--results FILE] [-- ASV RUN ARGS]

runs `asv run -E existing:<this python> --set-commit-hash <HEAD> --bench REGEX` (the default
selection: cross-entropy float32 forward, torch, tensorflow and jax, small and medium, eager and
compiled), reads asv's median of each timed benchmark from the results file it wrote, then times
the very same call with a bare `timeit` loop (in two new interpreters per benchmark, as asv runs
them in two processes: the benchmark's own `setup`, then timeit.Timer(time_...).autorange(), the
benchmark's warmup_time of calls and 25 repeats; the median per call of both processes' samples,
pooled as asv pools them) and prints a table: benchmark, asv median, bare median, their ratio, and
the two bare processes' medians against each other (the noise floor: how far two bare loops of
the very same call disagree on this machine). With --results, asv is not run: the figures are
read from that results file.

Not an asv benchmark. Run it on a quiet machine: both figures are medians, but a loaded machine
moves them apart.
"""
from __future__ import annotations

import argparse
import glob
import importlib
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# cross-entropy forward, float32, cpu: every built-in adapter, eager and compiled, small and
# medium (12 benchmarks, the figures issue 15 compared); --bench widens it
DEFAULT_BENCH = (r"^bench_classification\.CrossEntropy\.time_forward\("
                 r"'(torch|tensorflow|jax)', 'cross_entropy', '(small|medium)', 'float32', 'cpu'")
REPEATS = 25   # samples, as many as asv takes in one process (LossBenchmark.repeat)
PROCESSES = 2  # asv's default `processes`, whose samples it pools into one median


def run_asv(benches: list[str], extra: list[str]) -> str:
    """Run asv on this interpreter; the path of the results file it wrote."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    # the asv installed beside this interpreter (its virtualenv's), else the one on PATH
    beside = os.path.join(os.path.dirname(sys.executable), "asv")
    command = [beside if os.path.exists(beside) else "asv", "run",
               "-E", f"existing:{sys.executable}", "--set-commit-hash", commit,
               "--record-samples", *[a for b in benches for a in ("--bench", b)], *extra]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    found = glob.glob(os.path.join(ROOT, ".asv", "results", "*", f"{commit[:8]}-existing*.json"))
    if not found:
        raise SystemExit(f"asv wrote no results file for {commit[:8]} under .asv/results")
    return max(found, key=os.path.getmtime)


def asv_medians(path: str, timed_only: bool = True) -> list[tuple[str, tuple, float, int]]:
    """(benchmark name, parameters, asv's median in seconds, asv's number) of every timed
    benchmark with a result in an asv results file."""
    with open(path) as f:
        data = json.load(f)
    columns = data["result_columns"]
    out = []
    for name, row in data["results"].items():
        if timed_only and ".time_" not in name:
            continue
        entry = dict(zip(columns, row, strict=False))
        params = entry.get("params") or [[]]
        numbers = entry.get("stats_number") or []
        for i, combo in enumerate(itertools.product(*params)):
            value = entry["result"][i] if entry["result"] else None
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            number = numbers[i] if i < len(numbers) else None
            out.append((name, tuple(_unquote(p) for p in combo), value, number))
    return out


def _unquote(p: str):
    return p[1:-1] if isinstance(p, str) and len(p) > 1 and p[0] == p[-1] == "'" else p


def bare_samples(name: str, params: tuple) -> list[float]:
    """Seconds per call of benchmark `name` at `params`, one per sample of a bare timeit loop
    after the benchmark's own setup."""
    module_name, class_name, method = name.rsplit(".", 2)
    module = importlib.import_module(f"benchmarks.{module_name}")
    bench = getattr(module, class_name)()
    bench.setup({"bandwidth": math.nan}, *params)
    fn = getattr(bench, method)
    timer = timeit.Timer(lambda: fn(*params))
    number, _ = timer.autorange()
    warm_until = timeit.default_timer() + bench.warmup_time   # as asv warms up
    while timeit.default_timer() < warm_until:
        timer.timeit(number)
    return [t / number for t in timer.repeat(REPEATS, number)]


def bare_samples_in_new_process(name: str, params: tuple) -> list[float]:
    """bare_samples in a new interpreter, as asv runs each benchmark: compiled functions of one
    benchmark do not count against another's (torch.compile wraps every function in the same
    code object, and after torch._dynamo.config.recompile_limit (8) recompilations of it runs
    eagerly)."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.fidelity", "--bare",
                          json.dumps([name, list(params)])], cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode:
        raise SystemExit(f"timing {name}{params} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _time(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", action="append", default=None,
                        help=f"asv --bench regular expression (default: {DEFAULT_BENCH})")
    parser.add_argument("--results", default=None,
                        help="an asv results file to read instead of running asv")
    parser.add_argument("--bare", default=None, help=argparse.SUPPRESS)  # one bare timing
    parser.add_argument("asv_args", nargs="*", help="more arguments for asv run")
    args = parser.parse_args(argv)
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    if args.bare:
        name, params = json.loads(args.bare)
        print(json.dumps(bare_samples(name, tuple(params))))
        return 0
    path = args.results or run_asv(args.bench or [DEFAULT_BENCH], args.asv_args)
    rows = asv_medians(path)
    if not rows:
        raise SystemExit(f"{path}: no timed benchmark has a result")
    print(f"asv results: {os.path.relpath(path, ROOT)}\n")
    print("| benchmark | adapter | size | dtype | mode | asv number | asv median | bare median "
          "| asv / bare | bare process A / B |")
    print("|---|---|---|---|---|---:|---:|---:|---:|---:|")
    for name, params, asv, number in rows:
        runs = [bare_samples_in_new_process(name, params) for _ in range(PROCESSES)]
        bare = statistics.median(t for run in runs for t in run)
        a, b = (statistics.median(run) for run in runs)
        adapter, _, size, dtype, _, mode = params
        print(f"| {name.split('.', 1)[1]} | {adapter} | {size} | {dtype} | {mode} | {number} "
              f"| {_time(asv)} | {_time(bare)} | {asv / bare:.2f} | {a / b:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
