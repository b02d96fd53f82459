"""pytest wiring: options, adapter loading, parametrisation, skips with reasons, the summary."""
from __future__ import annotations

import os
from collections import Counter

import pytest

# The checks run on arrays of a few elements, where an OpenMP thread pool only adds barrier waits:
# torch's cross_entropy on a (3, 5) tensor took 16 ms with 2 threads on a loaded 2-core machine and
# 3 us with 1. Set before any framework is imported; an explicit OMP_NUM_THREADS wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import adapters  # noqa: E402
from adapters.registry import (
    DTYPES,  # noqa: E402
    load_plugin,  # noqa: E402
)
from adapters.registry import adapters as registered  # noqa: E402

from . import cases as case_loader  # noqa: E402
from .checks import KINDS, plan, reproduce_line  # noqa: E402


def pytest_addoption(parser):
    group = parser.getgroup("conformance")
    group.addoption("--adapters", default=None,
                    help="comma-separated adapters to run (default: all built-in: "
                         f"{','.join(adapters.BUILTIN)}; with --adapter: only the plug-ins, which "
                         f"always "
                         "run)")
    group.addoption("--adapter", action="append", default=[], metavar="MODULE",
                    help="a module (dotted name or .py file) declaring your own adapter; "
                         "repeatable")
    group.addoption("--dtypes", default=",".join(DTYPES),
                    help="comma-separated dtypes (default: all; float16/bfloat16 run only on "
                         "cases marked low_precision)")
    group.addoption("--device", default="cpu", choices=("cpu", "cuda"),
                    help="device for framework adapters (the reference always runs on cpu)")
    group.addoption("--cases", action="append", default=[], metavar="PATH",
                    help="extra case files or folders, added to cases/; repeatable")
    group.addoption("--report", default=None, metavar="PATH",
                    help="write the outcome matrix (conformance/report.py): PATH.md, PATH.json "
                         "and PATH.html, or only the format PATH's suffix names")


def _load_plugin(spec: str):
    """A plug-in by module name (importable from the current directory) or by file path."""
    try:
        return load_plugin(spec)
    except Exception as err:   # a broken plug-in is a usage error, not an internal error
        raise pytest.UsageError(f"--adapter {spec}: importing it raised "
                                f"{type(err).__name__}: {err}") from None


def _select_adapters(config):
    adapters.load()
    # a plug-in's adapters are those its own module declares, not those of modules it imports
    plugins = [a.name for spec in config.getoption("adapter") for a in _load_plugin(spec)]
    if config.getoption("adapter") and not plugins:
        raise pytest.UsageError(f"--adapter {config.getoption('adapter')}: the module declared no "
                                "adapter (call adapters.registry.declare_adapter)")
    wanted = config.getoption("adapters")
    names = wanted.split(",") if wanted else (plugins or list(adapters.BUILTIN))
    names += [p for p in plugins if p not in names]   # a plug-in asked for always runs
    unknown = [n for n in names if n not in registered()]
    if unknown:
        raise pytest.UsageError(f"--adapters: unknown {unknown}; known: {list(registered())}")
    return [registered()[n] for n in names], plugins


def pytest_configure(config):
    if not hasattr(config.option, "adapters"):
        return
    chosen, plugins = _select_adapters(config)
    dtypes = config.getoption("dtypes").split(",")
    bad = [d for d in dtypes if d not in DTYPES]
    if bad:
        raise pytest.UsageError(f"--dtypes: unknown {bad}; known: {list(DTYPES)}")
    try:
        cases = case_loader.load([case_loader.CASES_DIR, *config.getoption("cases")])
    except case_loader.CaseError as err:
        raise pytest.UsageError(f"invalid case file: {err}") from None
    try:
        checks, unsupported = plan(chosen, cases, dtypes, config.getoption("device"))
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
    config._conformance = {"adapters": chosen, "plugins": plugins, "checks": checks,
                           "unsupported": unsupported, "cases": cases,
                           "unavailable": {a.name: a.backend.unavailable() for a in chosen}}
    if config.getoption("report"):
        from .report import ReportPlugin
        config.pluginmanager.register(ReportPlugin(config, config.getoption("report")),
                                      "conformance-report")


def pytest_generate_tests(metafunc):
    if "check" not in metafunc.fixturenames:
        return
    state = metafunc.config._conformance
    kind = metafunc.module.KIND
    selected = [c for c in state["checks"] if c.kind == kind]
    metafunc.parametrize("check", selected, ids=[c.id for c in selected])


@pytest.fixture
def reproduce(check, request):
    state = request.config._conformance
    reason = state["unavailable"][check.adapter.name]
    if reason:
        pytest.skip(f"{check.adapter.name}: {reason}")
    if check.device not in check.adapter.backend.devices():
        pytest.skip(f"{check.adapter.name}: no {check.device} device here "
                    f"(available: {check.adapter.backend.devices()})")
    return reproduce_line(check, request.config.getoption("adapter"))


def pytest_terminal_summary(terminalreporter, config):
    state = getattr(config, "_conformance", None)
    if not state:
        return
    tr = terminalreporter
    tr.section("conformance summary")
    outcomes = Counter()
    for key in ("passed", "failed", "skipped", "xfailed"):
        for report in tr.stats.get(key, []):
            if report.when in ("call", "setup") and "[" in report.nodeid:
                name = report.nodeid.split("[", 1)[1].split("/", 1)[0]
                outcomes[(name, key)] += 1
    for adapter in state["adapters"]:
        reason = state["unavailable"][adapter.name]
        counts = Counter(c.kind for c in state["checks"] if c.adapter is adapter)
        planned = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])
        if reason:
            tr.write_line(f"{adapter.name:<10} SKIPPED: {reason}")
            continue
        versions = ", ".join(f"{k} {v}" for k, v in adapter.backend.versions().items())
        ran = ", ".join(f"{outcomes[(adapter.name, k)]} {k}"
                        for k in ("passed", "failed", "skipped", "xfailed")
                        if outcomes[(adapter.name, k)])
        tr.write_line(f"{adapter.name:<10} {versions}: {len(adapter.paths)} paths; "
                      f"planned {planned}; {ran or 'none selected'}")
        missing = [u for u in state["unsupported"] if u.adapter == adapter.name]
        if missing:
            reasons = Counter(u.reason.split(" (case sets")[0] for u in missing)
            top = "; ".join(f"{r} [{n}]" for r, n in reasons.most_common(3))
            tr.write_line(f"{'':<10} {len(missing)} case/path pairs unsupported, e.g. {top}")
