"""How long the conformance suite takes, and how much memory its largest process holds:

    python -m benchmarks.suite_runtime [--runs 3] [--cold] [-- PYTEST ARGS]

runs `pytest conformance/ PYTEST ARGS` (default: -n auto) RUNS times and prints each run's wall
time and peak resident memory of its largest process (pytest, or one pytest-xdist worker:
getrusage's ru_maxrss over the finished children), then the medians. --cold gives every run a new,
empty JAX compilation cache (XDG_CACHE_HOME in a fresh temporary folder), as on a fresh machine;
otherwise the usual cache is used (warm after the first run). Not an asv benchmark: a whole test
run per sample, minutes long.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(pytest_args: list[str], cold: bool) -> tuple[float, float, int]:
    """(seconds, peak MiB of the largest process, exit status) of one run."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="suite-cache-") as cache:
        if cold:
            env["XDG_CACHE_HOME"] = cache
        # a fresh interpreter per run: getrusage(RUSAGE_CHILDREN) reports the largest finished
        # descendant of the process that asks, so each run is measured by its own parent
        probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                 "code = subprocess.call(sys.argv[1:]); "
                 "print(time.perf_counter() - t, "
                 "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")
        out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "pytest",
                              "conformance/", "-q", *pytest_args],
                             cwd=ROOT, env=env, capture_output=True, text=True)
    seconds, kib, code = out.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024, int(code)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="an empty JAX cache for every run")
    parser.add_argument("pytest_args", nargs="*", default=["-n", "auto"])
    args = parser.parse_args(argv)
    times, peaks = [], []
    for i in range(args.runs):
        start = time.strftime("%H:%M:%S")
        seconds, peak, code = run_once(args.pytest_args, args.cold)
        times.append(seconds)
        peaks.append(peak)
        print(f"run {i + 1} (started {start}): {seconds:.0f} s, largest process {peak:.0f} MiB, "
              f"exit status {code}", flush=True)
    print(f"median of {args.runs}: {statistics.median(times):.0f} s "
          f"({statistics.median(times) / 60:.1f} min), largest process "
          f"{statistics.median(peaks):.0f} MiB; pytest conformance/ -q "
          f"{' '.join(args.pytest_args)}{' (cold: empty JAX cache)' if args.cold else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
