"""The fuzzer (conformance/fuzz.py) on its own: it catches every planted bug with the hand-written
cases switched off (only conformance/test_fuzz.py runs), and the shrunk example it reports is a
case file that reproduces the failure with --cases."""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_planted_bugs import MODULES, declared_adapters, framework

ROOT = Path(__file__).resolve().parent.parent
PLANTED = ROOT / "tests" / "planted"
# examples per path and property: with 40 and with 60 the derandomised search missed one or two of
# the 33 planted bugs (they need two parameters at once: p = 2 with unequal class weights); 100
# catches all (7 min 56 s on 2 cores). The hand-written cases are not loaded by test_fuzz.py.
EXAMPLES = "100"
# planted bugs the fuzzer does not reach yet, each with why (tests/test_planted_bugs.py still
# requires its hand-written case to catch it)
NOT_REACHED: dict[str, str] = {}


def run(args, env=None, timeout=1800):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "2000", **(env or {})})


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory):
    """One fuzzing session with every planted module whose framework is installed: its output."""
    cache = tmp_path_factory.mktemp("cache")
    runnable = [m for m in MODULES if importlib.util.find_spec(framework(m))]
    args = [a for m in runnable for a in ("--adapter", f"tests/planted/{m}.py")]
    out = run(["conformance/test_fuzz.py", "--fuzz-examples", EXAMPLES, *args],
              env={"XDG_CACHE_HOME": str(cache)})
    assert out.returncode == 1, out.stdout[-3000:]
    return out.stdout


@pytest.mark.parametrize("module", MODULES)
def test_the_fuzzer_alone_catches_the_planted_bug(module, fuzz_run):
    # find_spec, not an import: importing torchvision (smp and timm import it) fails on a CPU
    # torch unless adapters.torchvision_lib's shim ran first in this process
    if importlib.util.find_spec(framework(module)) is None:
        pytest.skip(f"planted bug {module} needs {framework(module)}")
    if module in NOT_REACHED:
        pytest.skip(f"the fuzzer does not reach {module} yet: {NOT_REACHED[module]}")
    names = declared_adapters(module)
    # a conformance failure of its adapter, among the failures Hypothesis found (a path may also
    # fail by an error on an input it was not written for: that alone does not count)
    caught = [name for name in names if f"ConformanceFailure: {name}/" in fuzz_run]
    assert caught, f"{module}: no fuzz test of its adapter {names} failed by a conformance failure"


def test_a_falsifying_example_is_a_case_file_that_reproduces_it(tmp_path):
    pytest.importorskip("torch")
    bug = "tests/planted/weighted_mean_divides_by_n.py"
    out = run(["conformance/test_fuzz.py", "-k", "reference", "--fuzz-examples", EXAMPLES,
               "--adapter", bug], env={"XDG_CACHE_HOME": str(tmp_path)})
    assert out.returncode == 1, out.stdout[-3000:]
    (written,) = set(re.findall(r"written as a case file: (\S+\.yaml)", out.stdout))
    doc = yaml.safe_load(Path(written).read_text())
    (case,) = doc["cases"]
    assert doc["loss"] == "cross_entropy" and case["provenance"].startswith("found by fuzzing")
    again = run(["conformance/", "--cases", written, "--adapter", bug, "-k", case["id"]])
    assert again.returncode == 1 and "ConformanceFailure" in again.stdout, again.stdout[-3000:]
