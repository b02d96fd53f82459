"""Faults stay contained (conformance/faults.py): a path that hangs fails its own checks with a
timeout, one that kills its worker fails its own checks under pytest-xdist; the run completes, and
the other checks pass."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("torch", reason="the faulty plug-ins are torch code")

PLUGIN = '''
import os
import time

import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

faulty = declare_adapter("faulty", TorchBackend())


@faulty.path("cross_entropy", "{name}", call="{fault}", encodings=["index"], ndims=[2],
             params=["reduction"])
def bad(input, target, *, reduction):
    {fault}
    return torch.nn.functional.cross_entropy(input, target, reduction=reduction)


@faulty.path("cross_entropy", "fine", call="F.cross_entropy", encodings=["index"], ndims=[2],
             params=["reduction"])
def fine(input, target, *, reduction):
    return torch.nn.functional.cross_entropy(input, target, reduction=reduction)
'''
SELECTION = ["--dtypes", "float64,float32", "-k", "seed-3x3 or batch-mean/index"]


def run(tmp_path, name, fault, *args):
    plugin = tmp_path / f"{name}.py"
    plugin.write_text(PLUGIN.format(name=name, fault=fault))
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-rf",
                          "-p", "no:cacheprovider", "--adapter", str(plugin), *SELECTION, *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "COLUMNS": "2000"})
    return out, time.monotonic() - start


def failures(stdout, path):
    return [line for line in stdout.splitlines()
            if line.startswith("FAILED") and f"[faulty/{path}:" in line]


def test_a_hanging_path_times_out_once(tmp_path):
    out, seconds = run(tmp_path, "hangs", "time.sleep(3600)", "--check-timeout", "2")
    assert out.returncode == 1, out.stdout[-3000:]
    failed = failures(out.stdout, "hangs")
    timed_out = [line for line in failed if "Timeout (>2.0s)" in line]
    earlier = [line for line in failed if "timed out earlier" in line]
    assert len(timed_out) == 1 and len(earlier) == len(failed) - 1 >= 3, out.stdout[-3000:]
    assert not failures(out.stdout, "fine")
    assert re.search(r"\d+ passed", out.stdout)
    assert seconds < 120, f"the run waited again after the first timeout ({seconds:.0f} s)"


def test_a_crashing_path_fails_its_checks_under_xdist(tmp_path):
    pytest.importorskip("xdist")
    out, _ = run(tmp_path, "crashes", "os.abort()", "-n", "2")
    assert out.returncode == 1, out.stdout[-3000:]
    failed = failures(out.stdout, "crashes")
    crashed = [line for line in failed if "crashed while running" in line]
    earlier = [line for line in failed if "crashed its worker earlier" in line]
    assert len(crashed) == 1 and len(earlier) == len(failed) - 1 >= 3, out.stdout[-3000:]
    assert not failures(out.stdout, "fine")
    assert re.search(r"\d+ passed", out.stdout)
