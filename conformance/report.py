"""The conformance report: `pytest conformance/ --report PATH` writes the outcome as a matrix.

Rows are cases (loss, the parameters the case sets, target encoding, case id); columns are
adapters. A cell aggregates every check of that adapter on that case (all paths, dtypes and kinds);
the worst outcome wins, in this order:

    FAIL > xfail > differs by <conventions> / pass > skipped > unsupported

so `unsupported (...)` shows only when no path of the adapter could run the case at all.
`differs by A, B` means the checks passed and the paths' conventions A, B change the result on this
case (the reference with the path's conventions differs from the reference without each of them,
value or gradient, at the check's tolerance), exactly as the checks compute it.

How errors are measured: every check returns its worst comparison (`assertions.Worst`: the
element's |got - expected| over the allowed error atol + rtol |expected|; above 1 fails), which the
test function records as the user property "worst"; a failing check's ConformanceFailure carries
it. A FAIL cell shows the largest ratio seen.

Files: PATH ending in .md, .json or .html writes that format; any other PATH writes PATH.md,
PATH.json and PATH.html.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.spec import LOSSES

from . import checks, tolerances
from .assertions import Worst, close_mask

ORDER = ("unsupported", "skipped", "pass", "xfail", "FAIL")   # worst last
FORMATS = (".md", ".json", ".html")


@dataclass
class Result:
    check: checks.Check
    outcome: str                   # one of ORDER
    reason: str = ""
    worst: Worst = field(default_factory=Worst)
    conventions: tuple = ()        # conventions that change the result on this case (passed)


def _first_line(text: str, limit: int = 120) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[:limit - 3] + "..."


def conventions_seen(check: checks.Check) -> tuple:
    """The path's conventions that change the reference (value or gradient) on the check's case."""
    conv = check.path.conventions
    if not conv:
        return ()
    prep = checks.Prepared(check)
    v = prep.cotangent()
    tol = tolerances.for_dtype(check.case, check.dtype)
    full = prep.reference(conv, v)

    def differs(without):
        other = prep.reference(without, v)
        return not (np.all(close_mask(full.value, other.value, tol))
                    and all(np.all(close_mask(full.grads[n], other.grads[n], tol))
                            for n in full.grads))

    if not differs(()):
        return ()
    return tuple(c for c in conv if differs(tuple(x for x in conv if x != c))) or conv


class ReportPlugin:
    """Registered by conftest when --report is given: collects outcomes, writes the report."""

    def __init__(self, config, path: str):
        self.config, self.path, self.results = config, Path(path), {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        rep, check = outcome.get_result(), _check_of(item)
        if check is None or rep.when == "teardown" or (rep.when == "setup" and rep.passed):
            return
        result = self.results.setdefault(item.nodeid, Result(check, "pass"))
        if hasattr(rep, "wasxfail"):
            result.outcome = "xfail"
            result.reason = _first_line(rep.wasxfail.removeprefix("reason: "))
        elif rep.skipped:
            reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
            result.outcome, result.reason = "skipped", _first_line(reason.removeprefix("Skipped: "))
        elif rep.failed:
            result.outcome = "FAIL"
            result.worst = getattr(call.excinfo and call.excinfo.value, "worst", None) or Worst()
            result.reason = _first_line(_error(call.excinfo) if call.excinfo else rep.longreprtext)
        elif rep.passed:
            result.worst = dict(item.user_properties).get("worst") or Worst()
            result.conventions = conventions_seen(check)

    def pytest_sessionfinish(self, session):
        state = getattr(self.config, "_conformance", None)
        if state is None:
            return
        self.written = write(self.path, list(self.results.values()), state)

    def pytest_terminal_summary(self, terminalreporter):
        for p in getattr(self, "written", ()):
            terminalreporter.write_line(f"conformance report: {p}")


def _error(excinfo) -> str:
    """A conformance failure by its message; any other exception with its type."""
    if isinstance(excinfo.value, AssertionError):
        return str(excinfo.value)
    return f"{excinfo.typename}: {excinfo.value}"


def _check_of(item):
    callspec = getattr(item, "callspec", None)
    check = callspec.params.get("check") if callspec else None
    return check if isinstance(check, checks.Check) else None


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
    status = max([r.outcome for r in results] + ["unsupported"] * bool(unsupported),
                 key=ORDER.index, default="")
    detail = {"status": status, "checks": len(results)}
    if status == "FAIL":
        failed = [r for r in results if r.outcome == "FAIL"]
        top = max(failed, key=lambda r: r.worst.ratio)
        c, m = top.check, top.worst
        where = f"{c.path.name} {c.kind} {c.dtype}"
        if not m.ratio > 1:      # no comparison failed: an exception, or a strict known failure
            text = f"FAIL ({where}: {top.reason})"
        elif np.isfinite(m.ratio):
            text = f"FAIL (|error| {m.error:.3g} = {m.ratio:.3g} x tolerance; {where})"
        else:
            text = f"FAIL (got {m.got:g}, expected {m.expected:g}; {where})"
        text += f" [{len(failed)} of {len(results)} checks]" if len(failed) > 1 else ""
        detail.update(max_error_ratio=m.ratio, max_abs_error=m.error, worst_check=c.id,
                      failed=[r.check.id for r in failed])
    elif status in ("xfail", "skipped"):
        text = f"{status} ({'; '.join(_unique(r.reason for r in results if r.outcome == status))})"
    elif status == "unsupported":
        reasons = _unique(u.reason.split(" (case sets")[0] for u in unsupported)
        text = f"unsupported ({'; '.join(reasons)})"
    elif status == "pass":
        text, detail["conventions"] = _pass_text(ran)
    else:
        text = "no path"
    if ran:
        detail["max_error_ratio"] = max(r.worst.ratio for r in ran)
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
    """The DataFrame of cell texts, and the cell details keyed (row key, adapter)."""
    names = [a.name for a in state["adapters"]]
    by_cell: dict = {}
    for r in results:
        by_cell.setdefault((_row_key(r.check.case), r.check.adapter.name), []).append(r)
    rows = sorted({key for key, _ in by_cell}, key=lambda k: (list(LOSSES).index(k[0]), k[1:]))
    cases = {(c.loss, c.id, c.encoding): c for c in state["cases"]}
    missing: dict = {}
    for u in state["unsupported"]:
        case = cases.get(tuple(u.case.split("/")))
        if case is not None:
            missing.setdefault((_row_key(case), u.adapter), []).append(u)
    details = {(row, a): cell(by_cell.get((row, a), []), missing.get((row, a), []))
               for row in rows for a in names}
    frame = pd.DataFrame([[*row, *(details[(row, a)]["text"] for a in names)] for row in rows],
                         columns=["loss", "params", "encoding", "case", *names])
    return frame, details


def write(path: Path, results: list[Result], state: dict) -> list[Path]:
    frame, details = matrix(results, state)
    suffix = path.suffix if path.suffix in FORMATS else None
    targets = [path] if suffix else [path.with_name(path.name + s) for s in FORMATS]
    path.parent.mkdir(parents=True, exist_ok=True)
    versions = {a.name: a.backend.versions() for a in state["adapters"]
                if not state["unavailable"][a.name]}
    counts = pd.Series([d["status"] + (" (differs by)" if d.get("conventions") else "")
                        for d in details.values() if d["status"]]).value_counts()
    for target in targets:
        if target.suffix == ".md":
            target.write_text(_markdown(frame, versions, counts))
        elif target.suffix == ".html":
            target.write_text(frame.to_html(index=False, na_rep=""))
        else:
            target.write_text(json.dumps(_plain(_json(frame, details, versions, results)),
                                         indent=1, allow_nan=False) + "\n")
    return targets


def _markdown(frame, versions, counts) -> str:
    lines = ["# Conformance report", "",
             "Rows: cases; columns: adapters. A cell sums up every check of the adapter on the "
             "case "
             "(paths, dtypes, kinds): FAIL > xfail > differs by / pass > skipped > unsupported. "
             "`differs by X`: passed, and the path's convention X changes the result here.", "",
             "Versions: " + ("; ".join(f"{a}: " + ", ".join(f"{k} {v}" for k, v in vs.items())
                                       for a, vs in versions.items()) or "none ran"),
             "", "Cells: " + ", ".join(f"{n} {k}" for k, n in counts.items()), "",
             frame.replace("|", "\\|", regex=False).to_markdown(index=False), ""]
    return "\n".join(lines)


def _json(frame, details, versions, results) -> dict:
    names = list(frame.columns[4:])
    rows = []
    for record in frame.to_dict(orient="records"):
        key = tuple(record[c] for c in ("loss", "params", "encoding", "case"))
        rows.append({"loss": key[0], "params": key[1], "encoding": key[2], "case": key[3],
                     "cells": {a: details[(key, a)] for a in names}})
    checks_out = [{"id": r.check.id, "adapter": r.check.adapter.name, "path": r.check.path.id,
                   "kind": r.check.kind, "dtype": r.check.dtype, "device": r.check.device,
                   "outcome": r.outcome, "reason": r.reason, "conventions": list(r.conventions),
                   "max_error_ratio": r.worst.ratio, "max_abs_error": r.worst.error}
                  for r in results]
    return {"versions": versions, "adapters": names, "rows": rows, "checks": checks_out}


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
