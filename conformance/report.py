"""The conformance report: `pytest conformance/ --report PATH` writes the outcome as a matrix.

Rows are cases (loss, the parameters the case sets, target encoding, case id); columns are
adapters. A cell aggregates every check of that adapter on that case (all paths, dtypes and kinds);
the worst outcome wins, in this order:

    FAIL > xfail > differs by <conventions> / pass > skipped > unsupported > deselected > not run

so `unsupported (...)` shows only when no path of the adapter could run the case at all, and
`deselected` only when every check of the cell was left out by -k (or another selection).
`differs by A, B` means the checks passed and the paths' conventions A, B change the result on this
case: the reference with the path's conventions differs from the reference without each of them,
in shape, value or gradient, at the check's tolerance.

How the outcome travels: the process that runs a check (a pytest-xdist worker, or the only one)
puts its worst comparison (`assertions.Worst` as plain numbers: |got - expected| over the allowed
error atol + rtol |expected|; above 1 fails) and, with --report, the conventions it saw into the
test report's user properties; the controller (ReportPlugin) collects the reports, so a parallel
run gives the same report as a serial one. A FAIL cell shows the largest ratio seen and the
reproduce line of that check.

Files: PATH ending in .md, .json or .html writes that format; any other PATH writes PATH.md,
PATH.json and PATH.html. All are written to temporary files first and moved into place only when
every format rendered, so a failed report leaves the previous one untouched.
"""
from __future__ import annotations

import datetime
import html
import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from adapters.spec import LOSSES

from . import checks, reproduce, tolerances
from .checks import Check

ORDER = ("not run", "deselected", "unsupported", "skipped", "pass", "xfail", "FAIL")  # worst last
# (a cell is unsupported only when the adapter has no check for its case at all)
FORMATS = (".md", ".json", ".html")


@dataclass
class Result:
    check: Check
    outcome: str                   # one of ORDER (never "unsupported": that is no check)
    reason: str = ""
    worst: dict = field(default_factory=dict)    # Worst.as_dict() of the check
    conventions: tuple = ()        # conventions that change the result on this case (passed)
    reproduce: str = ""


def _first_line(text: str, limit: int = 160) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[:limit - 3] + "..."


def conventions_seen(check: Check) -> list[str]:
    """The path's conventions that change the reference (shape, value or gradient) on the
    check's case."""
    conv = check.path.conventions
    if not conv:
        return []
    prep = checks.Prepared.of(check)
    v = prep.cotangent()
    tol = tolerances.for_dtype(check.case, check.dtype)
    full = prep.reference(conv, v)

    def differs(without):
        other = prep.reference_if_shaped(without, v)
        return other is None or not checks.same_result(full, other, tol)

    if not differs(()):
        return []
    return [c for c in conv if differs(tuple(x for x in conv if x != c))] or list(conv)


class ReportPlugin:
    """Registered by conftest (in the controller) when --report is given: collects the test
    reports of every check, from this process or from pytest-xdist's workers, writes the report."""

    def __init__(self, config, path: str):
        self.config, self.path = config, Path(path)
        self.results: dict[str, Result] = {}
        self.selected: set[str] = set()
        self.written: list[Path] = []
        self.error = ""

    def pytest_collection_finish(self, session):
        self.selected.update(item.nodeid for item in session.items)

    def pytest_xdist_node_collection_finished(self, node, ids):
        self.selected.update(ids)

    def pytest_runtest_logreport(self, report):
        check = self.config._conformance["by_nodeid"].get(report.nodeid)
        if check is None or report.when == "teardown" or (report.when == "setup"
                                                          and report.passed):
            return
        result = self.results.setdefault(report.nodeid, Result(check, "pass"))
        properties = dict(report.user_properties)
        result.worst = properties.get("worst") or result.worst
        if hasattr(report, "wasxfail"):
            result.outcome = "xfail"
            result.reason = _first_line(report.wasxfail.removeprefix("reason: "))
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            result.outcome = "skipped"
            result.reason = _first_line(str(reason).removeprefix("Skipped: "))
        elif report.failed:
            result.outcome = "FAIL"
            result.reason = _failure_reason(report)
        else:
            result.conventions = tuple(properties.get("conventions", ()))

    def pytest_sessionfinish(self, session):
        state = self.config._conformance
        results = []
        for nodeid, check in state["by_nodeid"].items():
            result = self.results.get(nodeid)
            if result is None:
                result = Result(check, "not run" if nodeid in self.selected else "deselected")
            result.reproduce = reproduce.line(self.config, nodeid)
            results.append(result)
        try:
            self.written = write(self.path, results, state, _command(self.config))
        except Exception as err:   # the previous report stays; the run says why and fails
            self.error = f"{type(err).__name__}: {err}"
            session.exitstatus = 1 if session.exitstatus == 0 else session.exitstatus

    def pytest_terminal_summary(self, terminalreporter):
        for p in self.written:
            terminalreporter.write_line(f"conformance report: {p}")
        if self.error:
            terminalreporter.write_line(f"conformance report NOT written ({self.path}): "
                                        f"{self.error}", red=True)


def _failure_reason(report) -> str:
    """The first line of a failure: the conformance failure's title, else the exception."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return _first_line(text.removeprefix("conformance.assertions.ConformanceFailure: "))


def _command(config) -> str:
    return shlex.join(["pytest", *config.invocation_params.args])


# ---------------------------------------------------------------- the matrix

def params_text(params: dict) -> str:
    """Parameters compactly: `weight=[0.2, 0.3, 0.5], reduction=sum`; `defaults` when none."""
    def one(v):
        if isinstance(v, (list, tuple, np.ndarray)):
            a = np.asarray(v, dtype=float).ravel()
            items = [f"{x:g}" for x in a[:6]] + (["..."] if a.size > 6 else [])
            return "[" + ", ".join(items) + "]"
        return f"{v:g}" if isinstance(v, float) else str(v)
    return ", ".join(f"{k}={one(v)}" for k, v in params.items()) or "defaults"


def _row_key(case) -> tuple:
    enc = "-" if case.encoding == "none" else case.encoding
    return case.loss, params_text(case.set_params), enc, case.id


def cell(results: list[Result], unsupported: list) -> dict:
    """One (row, adapter) cell: its text, status and the details behind it."""
    ran = [r for r in results if r.outcome in ("pass", "xfail", "FAIL")]
    if results:
        status = max((r.outcome for r in results), key=ORDER.index)
    else:
        status = "unsupported" if unsupported else ""
    detail = {"status": status, "checks": len(results)}
    if status == "FAIL":
        failed = [r for r in results if r.outcome == "FAIL"]
        top = max(failed, key=lambda r: r.worst.get("ratio", 0.0))
        c, m = top.check, top.worst
        where = f"{c.path.name} {c.kind} {c.dtype}"
        ratio = m.get("ratio", 0.0)
        if not ratio > 1:      # no comparison failed: an exception, or a strict known failure
            text = f"FAIL ({where}: {top.reason})"
        elif np.isfinite(ratio):
            text = f"FAIL (|error| {m['error']:.3g} = {ratio:.3g} x tolerance; {where})"
        else:
            text = f"FAIL (got {m['got']:g}, expected {m['expected']:g}; {where})"
        text += f" [{len(failed)} of {len(results)} checks]" if len(failed) > 1 else ""
        detail.update(max_error_ratio=ratio, max_abs_error=m.get("error"), worst_check=c.id,
                      reproduce=top.reproduce, failed=sorted(r.check.id for r in failed))
    elif status in ("xfail", "skipped"):
        text = f"{status} ({'; '.join(_unique(r.reason for r in results if r.outcome == status))})"
    elif status == "unsupported":
        reasons = _unique(u.reason.split(" (case sets")[0] for u in unsupported)
        text = f"unsupported ({'; '.join(reasons)})"
    elif status == "pass":
        text, detail["conventions"] = _pass_text(ran)
    elif status in ("deselected", "not run"):
        text = f"{status} ({len(results)} check{'s' * (len(results) > 1)})"
    else:
        text = "no path"
    if ran:
        detail["max_error_ratio"] = max(r.worst.get("ratio", 0.0) for r in ran)
    detail["text"] = text
    return detail


def _pass_text(ran: list[Result]):
    paths = _unique(r.check.path.name for r in ran)
    by_conv: dict[str, list] = {}
    for r in ran:
        for c in r.conventions:
            by_conv.setdefault(c, [])
            if r.check.path.name not in by_conv[c]:
                by_conv[c].append(r.check.path.name)
    if not by_conv:
        return "pass", {}
    parts = [c if len(p) == len(paths) else f"{c} [{', '.join(p)}]" for c, p in by_conv.items()]
    return "differs by " + ", ".join(parts), by_conv


def _unique(items) -> list:
    return list(dict.fromkeys(i for i in items if i))


def matrix(results: list[Result], state: dict):
    """The rows (sorted) and the cell details keyed (row key, adapter)."""
    names = [a.name for a in state["adapters"]]
    by_cell: dict = {}
    for r in results:
        by_cell.setdefault((_row_key(r.check.case), r.check.adapter.name), []).append(r)
    cases = {(c.loss, c.id, c.encoding): c for c in state["cases"]}
    missing: dict = {}
    for u in state["unsupported"]:
        case = cases.get(tuple(u.case.split("/")))
        if case is not None:
            missing.setdefault((_row_key(case), u.adapter), []).append(u)
    keys = {key for key, _ in by_cell} | {key for key, _ in missing}
    rows = sorted(keys, key=lambda k: (list(LOSSES).index(k[0]), k[1:]))
    details = {(row, a): cell(by_cell.get((row, a), []), missing.get((row, a), []))
               for row in rows for a in names}
    return rows, details


def summary(results: list[Result], details: dict, state: dict) -> dict:
    """Per adapter: its versions (or why it did not run), checks by outcome, cells by status."""
    out = {}
    for adapter in state["adapters"]:
        name = adapter.name
        checks_by = _count(r.outcome for r in results if r.check.adapter.name == name)
        cells_by = _count(("differs" if d.get("conventions") else d["status"])
                          for (_, a), d in details.items() if a == name and d["status"])
        why = state["environment"].unavailable(name)
        out[name] = {"versions": state["environment"].versions(name),
                     "unavailable": why, "checks": checks_by, "cells": cells_by}
    return out


def _count(items) -> dict:
    counts: dict[str, int] = {}
    for i in items:
        counts[i] = counts.get(i, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: ORDER.index(kv[0]) if kv[0] in ORDER
                       else len(ORDER)))


# ---------------------------------------------------------------- writing

def write(path: Path, results: list[Result], state: dict, command: str) -> list[Path]:
    rows, details = matrix(results, state)
    names = [a.name for a in state["adapters"]]
    totals = summary(results, details, state)
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    suffix = path.suffix if path.suffix in FORMATS else None
    targets = [path] if suffix else [path.with_name(path.name + s) for s in FORMATS]
    render = {".md": lambda: _markdown(rows, details, names, totals, generated, command),
              ".json": lambda: _json(rows, details, names, totals, results, generated, command),
              ".html": lambda: _html(rows, details, names, totals, generated, command)}
    texts = {t: render[t.suffix]() for t in targets}   # everything renders, or nothing is written
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = {t: t.with_name(f".{t.name}.tmp") for t in targets}
    try:
        for t, text in texts.items():
            temporary[t].write_text(text, encoding="utf-8")
        for t in targets:
            os.replace(temporary[t], t)
    finally:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
    return targets


def _versions_line(totals) -> str:
    return "; ".join(f"{a}: " + (", ".join(f"{k} {v}" for k, v in t["versions"].items())
                                 or f"did not run ({t['unavailable']})")
                     for a, t in totals.items())


def _markdown(rows, details, names, totals, generated, command) -> str:
    def esc(text):
        return str(text).replace("|", "\\|")
    lines = ["# Conformance report", "",
             f"Generated {generated} by `{command}`.", "",
             "Rows: cases; columns: adapters. A cell sums up every check of the adapter on the "
             "case (paths, dtypes, kinds): FAIL > xfail > differs by / pass > skipped > "
             "unsupported > deselected. `differs by X`: passed, and the path's convention X "
             "changes the result here.", "",
             "Versions: " + _versions_line(totals), "",
             "| adapter | checks | cells |", "|---|---|---|"]
    for name, t in totals.items():
        lines.append(f"| {name} | {_counts_text(t['checks'])} | {_counts_text(t['cells'])} |")
    lines += ["", "| loss | params | encoding | case | " + " | ".join(names) + " |",
              "|---" * (4 + len(names)) + "|"]
    for row in rows:
        cells = [esc(details[(row, a)]["text"]) for a in names]
        lines.append("| " + " | ".join([*map(esc, row), *cells]) + " |")
    return "\n".join(lines) + "\n"


def _counts_text(counts: dict) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items()) or "none"


def _json(rows, details, names, totals, results, generated, command) -> str:
    out_rows = [{"loss": r[0], "params": r[1], "encoding": r[2], "case": r[3],
                 "cells": {a: details[(r, a)] for a in names}} for r in rows]
    out_checks = [{"id": r.check.id, "adapter": r.check.adapter.name, "path": r.check.path.id,
                   "kind": r.check.kind, "dtype": r.check.dtype, "device": r.check.device,
                   "outcome": r.outcome, "reason": r.reason, "conventions": list(r.conventions),
                   "max_error_ratio": r.worst.get("ratio"),
                   "max_abs_error": r.worst.get("error"),
                   "reproduce": r.reproduce if r.outcome == "FAIL" else ""}
                  for r in sorted(results, key=lambda r: (r.check.kind, r.check.id))]
    document = {"generated": generated, "command": command, "adapters": names,
                "summary": totals, "rows": out_rows, "checks": out_checks}
    return json.dumps(_plain(document), indent=1, allow_nan=False) + "\n"


def _plain(value):
    """JSON-safe: NumPy scalars as Python numbers, inf and nan as the strings "inf", "nan"."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value


# ---------------------------------------------------------------- HTML

STATUS_CLASS = {"FAIL": "fail", "xfail": "xfail", "differs": "differs", "pass": "pass",
                "skipped": "skipped", "unsupported": "unsupported", "deselected": "deselected",
                "not run": "deselected", "": "none"}
LEGEND = (("FAIL", "a check failed: the worst error over its tolerance, and the line that re-runs "
                   "it"),
          ("xfail", "a declared known failure failed as declared"),
          ("differs", "passed; the named conventions change the result on this case"),
          ("pass", "every check passed, canonical"),
          ("skipped", "the adapter could not run here (framework or device missing)"),
          ("unsupported", "no path of the adapter takes this case"),
          ("deselected", "left out of this run by -k or another selection"))

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .2em}
.meta{color:#555;margin:.2em 0}
code{font:12px ui-monospace,monospace}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0}
th.sort{cursor:pointer}
th.sort:after{content:" \\2195";color:#999}
.fail{background:#f8c9c4}.xfail{background:#fbe3b8}.differs{background:#dce8fb}
.pass{background:#d9f2d9}.skipped{background:#eee;color:#666}
.unsupported{background:#fafafa;color:#999}.deselected{background:#fff;color:#bbb}
td .repro{display:block;margin-top:3px;word-break:break-all;color:#600}
.legend span{display:inline-block;padding:1px 6px;margin:2px;border:1px solid #ccc}
.filters{margin:1em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}
#summary td{text-align:right}#summary td:first-child{text-align:left}
#shown{color:#555}
"""

SCRIPT = """
const table = document.getElementById('matrix');
const body = table.tBodies[0];
const rows = Array.from(body.rows);
const adapters = JSON.parse(table.dataset.adapters);
function filter() {
  const loss = document.getElementById('f-loss').value.toLowerCase();
  const adapter = document.getElementById('f-adapter').value;
  const status = document.getElementById('f-status').value;
  const conv = document.getElementById('f-conv').value;
  let shown = 0;
  for (const row of rows) {
    const cells = adapter ? [row.cells[4 + adapters.indexOf(adapter)]]
                          : Array.from(row.cells).slice(4);
    const ok = (!loss || row.cells[0].textContent.toLowerCase().includes(loss))
      && (!status || cells.some(c => c.dataset.status === status))
      && (!conv || cells.some(c => (c.dataset.conv || '').split(' ').includes(conv)));
    row.hidden = !ok;
    shown += ok;
  }
  document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' rows';
}
for (const id of ['f-loss', 'f-adapter', 'f-status', 'f-conv']) {
  document.getElementById(id).addEventListener('input', filter);
}
const rank = %s;
table.tHead.querySelectorAll('th.sort').forEach((th, col) => {
  th.addEventListener('click', () => {
    const up = th.dataset.dir !== 'up';
    th.dataset.dir = up ? 'up' : 'down';
    const key = r => col < 4 ? r.cells[col].textContent
                             : String(9 - (rank[r.cells[col].dataset.status] ?? 9));
    rows.sort((a, b) => key(a).localeCompare(key(b), undefined, {numeric: true}) * (up ? 1 : -1));
    rows.forEach(r => body.appendChild(r));
  });
});
filter();
"""


def _html(rows, details, names, totals, generated, command) -> str:
    e = html.escape
    conventions = sorted({c for d in details.values() for c in d.get("conventions", {})})
    statuses = [s for s, _ in LEGEND]
    out = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
           "<title>Loss conformance report</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>Loss conformance report</h1>",
           f"<p class='meta'>Generated {e(generated)} by <code>{e(command)}</code></p>",
           f"<p class='meta'>Versions: {e(_versions_line(totals))}</p>",
           "<p class='legend'>" + "".join(
               f"<span class='{STATUS_CLASS[s]}'>"
               f"<b>{e(s)}</b>: {e(why)}</span>" for s, why in LEGEND) + "</p>",
           "<h2>Summary</h2>", _summary_table(totals),
           "<h2>Matrix</h2>",
           "<div class='filters'>"
           "<label>loss <input id='f-loss' placeholder='part of a name'></label>",
           "<label>adapter <select id='f-adapter'><option value=''>any</option>"
           + "".join(f"<option>{e(a)}</option>" for a in names) + "</select></label>",
           "<label>outcome <select id='f-status'><option value=''>any</option>"
           + "".join(f"<option>{e(s)}</option>" for s in statuses) + "</select></label>",
           "<label>convention <select id='f-conv'><option value=''>any</option>"
           + "".join(f"<option>{e(c)}</option>" for c in conventions) + "</select></label>",
           "<span id='shown'></span></div>",
           f"<table id='matrix' data-adapters='{e(json.dumps(names))}'><thead><tr>"
           + "".join(f"<th class='sort'>{e(h)}</th>"
                     for h in ["loss", "params", "encoding", "case", *names])
           + "</tr></thead><tbody>"]
    for row in rows:
        cells = "".join(_html_cell(details[(row, a)]) for a in names)
        out.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + cells + "</tr>")
    rank = {s: i for i, s in enumerate(("FAIL", "xfail", "differs", "pass", "skipped",
                                        "unsupported", "deselected"))}
    out += ["</tbody></table>", f"<script>{SCRIPT % json.dumps(rank)}</script>",
            "</body></html>"]
    return "\n".join(out) + "\n"


def _html_cell(d: dict) -> str:
    e = html.escape
    status = "differs" if d.get("conventions") else d["status"]
    if status == "not run":
        status = "deselected"
    conv = " ".join(d.get("conventions", {}))
    body = e(d["text"])
    if d["status"] == "FAIL" and d.get("reproduce"):
        body += f"<code class='repro'>{e(d['reproduce'])}</code>"
    return (f"<td class='{STATUS_CLASS.get(status, 'none')}' data-status='{e(status)}' "
            f"data-conv='{e(conv)}'>{body}</td>")


def _summary_table(totals) -> str:
    e = html.escape
    check_cols = [s for s in ORDER[::-1] if s != "unsupported"]
    cell_cols = ["FAIL", "xfail", "differs", "pass", "skipped", "unsupported", "deselected"]
    head = ("<tr><th rowspan='2'>adapter</th><th rowspan='2'>versions</th>"
            f"<th colspan='{len(check_cols)}'>checks</th>"
            f"<th colspan='{len(cell_cols)}'>cells (cases)</th></tr><tr>"
            + "".join(f"<th>{e(c)}</th>" for c in check_cols)
            + "".join(f"<th>{e(c)}</th>" for c in cell_cols) + "</tr>")
    body = []
    for name, t in totals.items():
        versions = ", ".join(f"{k} {v}" for k, v in t["versions"].items()) \
            or f"did not run: {t['unavailable']}"
        body.append(f"<tr><td>{e(name)}</td><td style='text-align:left'>{e(versions)}</td>"
                    + "".join(f"<td class='{STATUS_CLASS[c] if t['checks'].get(c) else ''}'>"
                              f"{t['checks'].get(c, 0)}</td>" for c in check_cols)
                    + "".join(f"<td class='{STATUS_CLASS[c] if t['cells'].get(c) else ''}'>"
                              f"{t['cells'].get(c, 0)}</td>" for c in cell_cols) + "</tr>")
    return f"<table id='summary'>{head}{''.join(body)}</table>"

