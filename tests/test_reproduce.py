"""Every reproduce line, pasted into a shell as printed, runs exactly that one check: node ids,
quoted for the shell, whatever characters the adapter, path or case names hold."""
import os
import re
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from conformance import reproduce

ROOT = Path(__file__).resolve().parent.parent

# A plug-in whose path names hold "(", ",", "[", "+", spaces and a quote, with a bug (the
# weighted mean divided by N): its failures must each re-run alone.
WEIRD = '''
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

weird = declare_adapter("weird", TorchBackend())

NAMES = ["ce (mean, by N)", "ce[+weight] it's", "a b+c(d,e)[f]"]


def ce(input, target, *, weight, reduction):
    nll = -torch.log_softmax(input, dim=1).gather(1, target[:, None])[:, 0]
    loss = nll if weight is None else weight[target] * nll
    return {"none": loss, "sum": loss.sum(), "mean": loss.sum() / len(loss)}[reduction]


for name in NAMES:
    weird.path("cross_entropy", name, call=f"{name}: sum(w[y] nll) / N", encodings=["index"],
               ndims=[2], params=["weight", "reduction"])(ce)
'''


def run(args, cwd=ROOT, timeout=600):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "2000"})


def test_printed_lines_rerun_one_check_each(tmp_path):
    pytest.importorskip("torch")
    plugin = tmp_path / "weird plugin.py"
    plugin.write_text(WEIRD)
    out = run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
               "--adapter", str(plugin), "--dtypes", "float64", "-k",
               "weight-mean/index and not ignore"])
    assert out.returncode == 1, out.stdout[-3000:]
    lines = sorted(set(re.findall(r"^\s*reproduce\s+(pytest .*)$", out.stdout, re.M)))
    assert len(lines) == 6, out.stdout[-3000:]    # the value and the gradient check of each path
    for line in lines:
        assert "'" in line and "-k" not in line
        # as a user pastes it; `pytest` is this environment's
        again = run(["bash", "-c", line.replace("pytest ", f"{sys.executable} -m pytest -q ", 1)])
        assert again.returncode == 1, again.stdout[-2000:]
        assert re.search(r"^1 failed in ", again.stdout, re.M), (line, again.stdout[-2000:])


def test_every_check_of_the_matrix_is_selected_by_its_line(tmp_path):
    """The full matrix: the reproduce command of every check, misuse and layout test selects
    exactly that test. Commands with the same options are checked in one collection each."""
    listed = run([sys.executable, "-m", "pytest", "conformance", "--collect-only", "-q",
                  "-p", "no:cacheprovider"])
    nodeids = [line for line in listed.stdout.splitlines() if "::" in line]
    assert len(nodeids) > 10000, listed.stdout[-2000:]
    by_options = defaultdict(list)
    for nodeid in nodeids:
        adapter = re.match(r".*::test_\w+\[(\w+)/", nodeid)
        options = ["--adapters", adapter.group(1)] if adapter else []
        argv = shlex.split(reproduce.command(nodeid, ROOT, ROOT, options))
        assert argv[:2] == ["pytest", nodeid] and argv[2:] == options
        by_options[tuple(options)].append(nodeid)
    for options, ids in by_options.items():
        argfile = tmp_path / "ids.txt"
        argfile.write_text("\n".join(ids) + "\n")
        collected = run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                         "-p", "no:cacheprovider", *options, f"@{argfile}"])
        got = [line for line in collected.stdout.splitlines() if "::" in line]
        assert sorted(got) == sorted(ids), (options, collected.stdout[-2000:])
