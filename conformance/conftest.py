"""pytest wiring: options, adapter loading, parametrisation and order, skips with reasons,
contained faults, the failure display, parallel runs and the summary."""
from __future__ import annotations

import os
from collections import Counter

import pytest

# The checks run on arrays of a few elements, where an OpenMP thread pool only adds barrier waits:
# torch's cross_entropy on a (3, 5) tensor took 16 ms with 2 threads on a loaded 2-core machine and
# 3 us with 1. Set before any framework is imported; an explicit OMP_NUM_THREADS wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import adapters  # noqa: E402
from adapters.registry import DTYPES, has_gradients, load_plugin, no_gradients_reason  # noqa: E402
from adapters.registry import adapters as registered  # noqa: E402

from . import cases as case_loader  # noqa: E402
from . import contracts, faults, fuzz, memory, reproduce  # noqa: E402
from .assertions import ConformanceFailure  # noqa: E402
from .checks import KINDS, Check, plan, release  # noqa: E402
from .environment import Environment  # noqa: E402


def pytest_addoption(parser):
    group = parser.getgroup("conformance")
    group.addoption("--adapters", default=None,
                    help="comma-separated adapters to run (default: all built-in: "
                         f"{','.join(adapters.BUILTIN)}; with --adapter: only the plug-ins, which "
                         "always run)")
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
    group.addoption("--check-timeout", type=float, default=faults.CHECK_TIMEOUT, metavar="SECONDS",
                    help="fail a check that runs longer (default %(default)s; 0: no limit); the "
                         "path's remaining checks then fail at once")
    group.addoption("--fuzz-examples", type=int, default=None, metavar="N",
                    help="examples per fuzzed path and property (default: the Hypothesis "
                         f"profile's: {fuzz.DEFAULT_EXAMPLES}, or "
                         f"{fuzz.NIGHTLY_EXAMPLES} with --hypothesis-profile nightly)")
    group.addoption("--fuzz-strict", action="store_true",
                    help="fail a fuzz test on a precision finding (a float32/float16/bfloat16 "
                         "difference the same inputs do not have in float64); by default it is "
                         "reported as xfailed, with its message and case file")
    parser.addini("xdist_first", type="linelist", default=[],
                  help="test modules (or adapter path ids) that pytest-xdist hands out first, "
                       "longest first: each is one worker's unit (conformance/parallel.py)")


# ---------------------------------------------------------------- planning

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
    by_nodeid = {c.nodeid(config.rootpath): c for c in checks}
    fuzzed = fuzz.plan(chosen, dtypes, config.getoption("device"))
    fuzz.configure(config)
    worker = getattr(config, "workerinput", None)
    fault_folder = worker["conformance_faults"] if worker else faults.new_folder()
    config._conformance = {
        "adapters": chosen, "plugins": plugins, "checks": checks, "by_nodeid": by_nodeid,
        "fuzzed": fuzzed, "fuzz_by_nodeid": fuzz.nodeids(fuzzed, config.rootpath),
        "unsupported": unsupported, "cases": cases,
        "environment": Environment(chosen),
        "faults": faults.FaultLog(fault_folder), "fault_folder": fault_folder,
        "owns_fault_folder": worker is None}
    if config.getoption("report") and worker is None:
        from .report import ReportPlugin
        config.pluginmanager.register(ReportPlugin(config, config.getoption("report")),
                                      "conformance-report")


def pytest_unconfigure(config):
    state = getattr(config, "_conformance", None)
    if state and state["owns_fault_folder"]:
        faults.remove_folder(state["fault_folder"])


def pytest_generate_tests(metafunc):
    if "contract" in metafunc.fixturenames:
        entries = contracts.planned(metafunc.config._conformance["adapters"])
        metafunc.parametrize("contract", entries, ids=[contracts.entry_id(e) for e in entries])
    if "fuzzed" in metafunc.fixturenames:
        paths = fuzz.for_test(metafunc.config._conformance["fuzzed"], metafunc.function)
        metafunc.parametrize("fuzzed", paths, ids=[f.id for f in paths])
    if "check" not in metafunc.fixturenames:
        return
    state = metafunc.config._conformance
    kind = metafunc.module.KIND
    selected = [c for c in state["checks"] if c.kind == kind]
    metafunc.parametrize("check", selected, ids=[c.id for c in selected])


def check_of(item) -> Check | None:
    callspec = getattr(item, "callspec", None)
    check = callspec.params.get("check") if callspec else None
    return check if isinstance(check, Check) else None


def pytest_collection_modifyitems(config, items):
    """Run the checks path by path, and within a path case by case, every kind of one case and
    dtype together: they share the framework's outputs and its compiled functions, which are
    released when the path is done (pytest_runtest_teardown). Each check gets its timeout."""
    state = getattr(config, "_conformance", None)
    if state is None:
        return
    adapter_order = {a.name: i for i, a in enumerate(state["adapters"])}
    path_order = {(a.name, p.loss, p.name): i for a in state["adapters"]
                  for i, p in enumerate(a.paths)}
    case_order = {(c.loss, c.id): i for i, c in enumerate(state["cases"])}

    def key(indexed):
        i, item = indexed
        check = check_of(item)
        if check is None:
            return (1, i)
        path = (check.adapter.name, check.path.loss, check.path.name)
        return (0, adapter_order[check.adapter.name], path_order[path],
                case_order[(check.case.loss, check.case.id)], DTYPES.index(check.dtype),
                KINDS.index(check.kind), i)
    items[:] = [item for _, item in sorted(enumerate(items), key=key)]
    seconds = config.getoption("check_timeout")
    timeout_given = config.getoption("timeout", None) is not None   # pytest-timeout's --timeout
    if seconds and not timeout_given and config.pluginmanager.hasplugin("timeout"):
        for item in items:
            if check_of(item) is not None:
                item.add_marker(pytest.mark.timeout(seconds, method="signal"))


# ---------------------------------------------------------------- running a check

@pytest.fixture(name="reproduce")
def reproduce_fixture(check, request):
    """The check's reproduce line; skips (with the reason) what cannot run here."""
    state = request.config._conformance
    reason = state["environment"].unavailable(check.adapter.name)
    if reason:
        pytest.skip(f"{check.adapter.name}: {reason}")
    if check.device not in check.adapter.backend.devices():
        pytest.skip(f"{check.adapter.name}: no {check.device} device here "
                    f"(available: {check.adapter.backend.devices()})")
    if check.kind == "gradient" and not has_gradients(check.adapter.backend):
        pytest.skip(no_gradients_reason(check.adapter.name))
    return reproduce.line(request.config, request.node.nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """A check whose path timed out or crashed earlier in this run fails at once."""
    check = check_of(item)
    fault = check and item.config._conformance["faults"].of(check.path.id)
    if fault:
        pytest.fail(faults.fail_fast_message(check.path.id, fault), pytrace=False)


@pytest.fixture
def reproduce_fuzz(fuzzed, request):
    """A fuzzed path's reproduce line (the derandomised run draws the same examples again; the
    nightly profile replays failures from its database); skips an adapter that cannot run
    here."""
    reason = request.config._conformance["environment"].unavailable(fuzzed.adapter.name)
    if reason:
        pytest.skip(f"{fuzzed.adapter.name}: {reason}")
    return reproduce.line(request.config, request.node.nodeid, fuzzed.adapter.name,
                          fuzzed.device)


@pytest.fixture
def reproduce_test(request):
    """The reproduce line of any test of the suite (misuse, layout)."""
    return reproduce.line(request.config, request.node.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A timeout is remembered for the path's other checks; a failure that is no conformance
    failure (an exception of the path) gets its reproduce line; the worst comparison of a failing
    check travels with its report (plain numbers: pytest-xdist serialises reports), as a passing
    check's does (the test records it). (A conformance failure shows its own block, not the
    harness's frames: the helpers set __tracebackhide__.)"""
    outcome = yield
    rep = outcome.get_result()
    if call.when == "call" and fuzz.is_fuzz(item):
        if rep.failed:
            rep.sections.append(("fuzzed example", fuzz.write_failure(item)))
        elif rep.passed and (found := fuzz.precision_findings(item)):
            reason, details = found
            if item.config.getoption("fuzz_strict"):
                rep.outcome, rep.longrepr = "failed", details
            else:
                rep.outcome, rep.wasxfail = "skipped", reason
    check = check_of(item)
    if check is None or call.when != "call":
        return
    if rep.passed and item.config.getoption("report"):
        from .report import conventions_seen
        rep.user_properties.append(("conventions", conventions_seen(check)))
    if call.excinfo is None:
        return
    error = call.excinfo.value
    if isinstance(error, ConformanceFailure):
        if error.worst is not None:
            rep.user_properties.append(("worst", error.worst.as_dict()))
        return            # its message ends with the reproduce line
    if faults.TIMEOUT_MESSAGE in str(error) and "pytest-timeout" in str(error):
        item.config._conformance["faults"].record("timeout", check.path.id, item.nodeid)
    if rep.failed:      # an exception of the path: the line that re-runs it, below the traceback
        rep.sections.append(("reproduce", reproduce.line(item.config, item.nodeid)))


def pytest_runtest_teardown(item, nextitem):
    """Release a path's compiled functions and shared outputs once its last check has run, and
    keep the process's memory bounded in between (conformance/memory.py)."""
    check = check_of(item)
    if check is None:
        return
    following = check_of(nextitem) if nextitem is not None else None
    if following is None or following.path is not check.path:
        release(check.path, check.adapter.backend)
    memory.bound(check.adapter.backend)


# ---------------------------------------------------------------- pytest-xdist

@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Workers share the controller's fault log (a crash is recorded there by the controller)."""
    node.workerinput["conformance_faults"] = node.config._conformance["fault_folder"]


def pytest_sessionfinish(session):
    """A worker tells the controller which adapters can run and their versions."""
    state = getattr(session.config, "_conformance", None)
    if state is not None and hasattr(session.config, "workeroutput"):
        session.config.workeroutput["conformance_environment"] = state["environment"].as_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    known = getattr(node, "workeroutput", {}).get("conformance_environment")
    if known:
        node.config._conformance["environment"].update(known)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Unless --dist is given, each adapter path's checks go to one worker (parallel.py)."""
    args = config.invocation_params.args
    if any(a == "--dist" or a.startswith("--dist=") or a == "-d" for a in args):
        return None
    from .parallel import PathScheduling
    state = config._conformance
    scopes = {n: c.path.id for n, c in state["by_nodeid"].items()}
    scopes.update({n: f.path.id for n, f in state["fuzz_by_nodeid"].items()})
    return PathScheduling(config, log, scopes, config.getini("xdist_first"))


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem, report, sched):
    """A check that crashed its worker: its path's remaining checks fail at once."""
    state = sched.config._conformance
    check = state["by_nodeid"].get(crashitem)
    if check is not None:
        state["faults"].record("crash", check.path.id, crashitem)
        report.longrepr = (f"{report.longrepr}\n{check.path.id} crashed the worker process "
                           f"running {check.id}; its remaining checks fail without running\n"
                           f"  reproduce   {reproduce.line(sched.config, crashitem)}")


# ---------------------------------------------------------------- the summary

def pytest_terminal_summary(terminalreporter, config):
    state = getattr(config, "_conformance", None)
    if not state or getattr(config, "workerinput", None):
        return
    tr = terminalreporter
    tr.section("conformance summary")
    outcomes = Counter()
    for key in ("passed", "failed", "skipped", "xfailed"):
        for report in tr.stats.get(key, []):
            check = state["by_nodeid"].get(report.nodeid)
            if check is not None and report.when in ("call", "setup", "???"):
                outcomes[(check.adapter.name, key)] += 1
    for adapter in state["adapters"]:
        reason = state["environment"].unavailable(adapter.name)
        counts = Counter(c.kind for c in state["checks"] if c.adapter is adapter)
        planned = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])
        if reason:
            tr.write_line(f"{adapter.name:<10} SKIPPED: {reason}")
            continue
        versions = ", ".join(f"{k} {v}"
                             for k, v in state["environment"].versions(adapter.name).items())
        ran = ", ".join(f"{outcomes[(adapter.name, k)]} {k}"
                        for k in ("passed", "failed", "skipped", "xfailed")
                        if outcomes[(adapter.name, k)])
        tr.write_line(f"{adapter.name:<10} {versions}: {len(adapter.paths)} paths; "
                      f"planned {planned}; {ran or 'none selected'}")
        if not has_gradients(adapter.backend) and counts["gradient"]:
            tr.write_line(f"{'':<10} {counts['gradient']} gradient checks skipped: "
                          f"{no_gradients_reason(adapter.name)}")
        missing = [u for u in state["unsupported"] if u.adapter == adapter.name]
        if missing:
            reasons = Counter(u.reason.split(" (case sets")[0] for u in missing)
            top = "; ".join(f"{r} [{n}]" for r, n in reasons.most_common(3))
            tr.write_line(f"{'':<10} {len(missing)} case/path pairs unsupported, e.g. {top}")
