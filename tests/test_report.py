"""`pytest conformance/ --report PATH` writes the outcome matrix (conformance/report.py)."""
import html.parser
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conformance.assertions import worst_element
from conformance.cases import Tolerance

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("torch", reason="the report is shown on torch checks: "
                             "pip install torch==2.13.0")

# one plug-in module, two adapters: one whose framework is "missing" (skipped), and one naive
# cross-entropy with a declared known failure (xfail) on extreme logits
PLUGIN = '''
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter


class Missing(TorchBackend):
    def unavailable(self):
        return "not installed here"


absent = declare_adapter("absent", Missing())
naive = declare_adapter("naive", TorchBackend())


@absent.path("cross_entropy", "ce", call="F.cross_entropy(input, target)", encodings=["index"])
def absent_ce(input, target):
    return torch.nn.functional.cross_entropy(input, target)


@naive.path("cross_entropy", "ce", call="logsumexp(x) - x_y", encodings=["index"], ndims=[2],
            params=["reduction"],
            known_failures={f"{kind}:extreme-logits/index-float32": "cancellation at logits of 1e4"
                            for kind in ("value", "gradient")})
def naive_ce(input, target, *, reduction):
    loss = torch.logsumexp(input, dim=1) - input.gather(1, target[:, None])[:, 0]
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
'''

SELECTION = "seed-3x3 or weight-mean or neg-inf-logits-kept or extreme-logits"


def run_report(tmp, out, *args):
    """The selection with the plug-ins and a planted bug, its report written to `out`/report."""
    (tmp / "report_plugins.py").write_text(PLUGIN)
    bug = ROOT / "tests" / "planted" / "weighted_mean_divides_by_n.py"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
         "--adapter", str(tmp / "report_plugins.py"), "--adapter", str(bug),
         "--adapters", "reference,torch,absent,naive,bug_weighted_mean_by_n",
         "--dtypes", "float64,float32", "-k", SELECTION, "--report", str(out / "report"), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 1, done.stdout[-3000:]     # the planted bug fails
    return done.stdout


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="module")
def report(plugin_dir):
    return plugin_dir / "out", run_report(plugin_dir, plugin_dir / "out")


def rows(report):
    data = json.loads((report[0] / "report.json").read_text())
    return {(r["loss"], r["params"], r["encoding"], r["case"]): r["cells"] for r in data["rows"]}


def test_all_formats_are_written(report):
    folder, stdout = report
    for suffix in (".md", ".json", ".html"):
        assert (folder / f"report{suffix}").is_file()
        assert f"conformance report: {folder / 'report'}{suffix}" in stdout
    md = (folder / "report.md").read_text()
    assert "| loss " in md and "| torch " in md and "| bug_weighted_mean_by_n" in md
    assert "<table id='matrix'" in (folder / "report.html").read_text()


def test_pass_and_conventions(report):
    cells = rows(report)
    plain = cells[("cross_entropy", "reduction=none", "index", "seed-3x3-index-none")]
    assert plain["reference"]["text"] == plain["torch"]["text"] == "pass"
    assert plain["torch"]["max_error_ratio"] <= 1
    nan = cells[("cross_entropy", "defaults", "one_hot", "neg-inf-logits-kept")]["torch"]
    assert nan["text"] == "differs by probs_zero_target_on_neg_inf_logit_is_nan"
    weighted = cells[("cross_entropy", "weight=[0.5, 2, 1, 0, 3]", "one_hot", "weight-mean")]
    assert weighted["torch"]["text"] == "differs by probs_weighted_mean_divides_by_count"


def test_unsupported_skipped_xfail(report):
    cells = rows(report)
    one_hot = cells[("cross_entropy", "reduction=none", "one_hot", "seed-3x3-index-none")]
    assert one_hot["naive"]["text"] == ("unsupported (naive/ce takes ['index'] targets, "
                                        "not 'one_hot')")
    index = cells[("cross_entropy", "defaults", "index", "neg-inf-logits-kept")]
    assert index["absent"]["text"] == "skipped (absent: not installed here)"
    assert index["naive"]["text"] == "pass"
    extreme = cells[("cross_entropy", "reduction=none", "index", "extreme-logits")]["naive"]
    assert extreme["status"] == "xfail"
    assert extreme["text"].startswith("xfail (known failure of naive/ce: cancellation at logits")


def test_failure_shows_the_largest_error(report):
    cell = rows(report)[("cross_entropy", "weight=[0.5, 2, 1, 0, 3]", "index", "weight-mean")]
    bug = cell["bug_weighted_mean_by_n"]
    assert bug["status"] == "FAIL" and bug["max_error_ratio"] > 1e3
    assert bug["text"].startswith("FAIL (|error| ")
    assert "x tolerance; ce value float" in bug["text"]
    assert cell["reference"]["text"] == "pass"
    assert cell["torch"]["text"] == "pass"


def test_worst_is_error_over_allowed_error():
    tol = Tolerance(atol=1e-3, rtol=0.0, why="test")
    w = worst_element(np.array([1.0, 2.0005]), np.array([1.0, 2.0]), tol)
    assert w.ratio == pytest.approx(0.5) and w.error == pytest.approx(5e-4) and w.index == (1,)
    w = worst_element(np.array([np.nan]), np.array([1.0]), tol)
    assert w.ratio == np.inf and np.isnan(w.got)
    w = worst_element(np.array([np.nan, np.inf]), np.array([np.nan, np.inf]), tol)   # matching
    assert w.ratio == 0.0


def test_deselected_checks_are_labelled(report):
    cells = rows(report)
    other = cells[("cross_entropy", "defaults", "index", "batch-mean")]
    assert other["torch"]["status"] == "deselected"
    assert other["torch"]["text"].startswith("deselected (")
    data = json.loads((report[0] / "report.json").read_text())
    assert data["summary"]["torch"]["checks"]["deselected"] > 1000


def test_failure_cell_has_its_reproduce_line(report):
    cell = rows(report)[("cross_entropy", "weight=[0.5, 2, 1, 0, 3]", "index", "weight-mean")]
    line = cell["bug_weighted_mean_by_n"]["reproduce"]
    assert line.startswith("pytest 'conformance/test_") and "--adapter" in line


class _Html(html.parser.HTMLParser):
    """The written page's structure: its tables, their header cells and data-status cells."""

    def __init__(self):
        super().__init__()
        self.tables, self.statuses, self.script, self.title = {}, [], False, ""
        self._table, self._in_title = None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = 0
        elif tag == "tr" and self._table:
            self.tables[self._table] += 1
        elif tag == "td" and "data-status" in attrs:
            self.statuses.append((attrs["data-status"], attrs.get("class")))
        elif tag == "script":
            self.script = True
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def test_html_page_structure(report):
    page = _Html()
    page.feed((report[0] / "report.html").read_text())
    assert page.title == "Loss conformance report"
    assert set(page.tables) == {"summary", "matrix"} and page.script
    assert page.tables["summary"] == 2 + 5                 # two header rows, one per adapter
    data = json.loads((report[0] / "report.json").read_text())
    assert page.tables["matrix"] == 1 + len(data["rows"])
    statuses = dict(page.statuses)
    assert statuses["FAIL"] == "fail" and statuses["differs"] == "differs"
    assert {"pass", "xfail", "skipped", "unsupported", "deselected"} <= set(statuses)


def test_parallel_and_repeated_runs_give_the_same_report(report, plugin_dir, tmp_path):
    """Determinism, and pytest-xdist: a second serial run and a run on two workers write the
    same report (the time and command aside)."""
    pytest.importorskip("xdist")

    def content(folder):
        data = json.loads((folder / "report.json").read_text())
        return {k: v for k, v in data.items() if k not in ("generated", "command")}
    first = content(report[0])
    run_report(plugin_dir, tmp_path / "again")
    assert content(tmp_path / "again") == first
    run_report(plugin_dir, tmp_path / "parallel", "-n", "2")
    assert content(tmp_path / "parallel") == first


def test_a_failed_report_leaves_the_previous_one(tmp_path, monkeypatch):
    from conformance import report as module
    target = tmp_path / "report.md"
    target.write_text("previous")
    monkeypatch.setattr(module, "_markdown", lambda *a: 1 / 0)
    state = {"adapters": [], "cases": [], "unsupported": [], "unavailable": {}}
    with pytest.raises(ZeroDivisionError):
        module.write(target, [], state, "pytest")
    assert target.read_text() == "previous" and sorted(p.name for p in tmp_path.iterdir()) == [
        "report.md"]
