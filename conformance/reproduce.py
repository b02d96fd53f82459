"""The reproduce line: a shell command that runs exactly one test, whatever characters the
adapter, path or case names hold. It selects the test by its pytest node id, quoted for the
shell, from the folder pytest was started in, with the options that plan the same check."""
from __future__ import annotations

import os
import shlex
from pathlib import Path


def command(nodeid: str, rootpath, invocation_dir, options=()) -> str:
    """`pytest '<node id>' <options>`, the node id's file relative to `invocation_dir`."""
    file, sep, rest = nodeid.partition("::")
    where = Path(os.path.relpath(Path(rootpath) / file, invocation_dir)).as_posix()
    return shlex.join(["pytest", f"{where}{sep}{rest}", *options])


def options(config, adapter: str, device: str) -> list[str]:
    """The command-line options that plan a check or fuzzed path again: its adapter, the
    plug-ins, the device and the extra case files of this run."""
    out = ["--adapters", adapter]
    for plugin in config.getoption("adapter"):
        out += ["--adapter", plugin]
    if device != "cpu":
        out += ["--device", device]
    for extra in config.getoption("cases"):
        out += ["--cases", extra]
    return out


def line(config, nodeid: str, adapter: str | None = None, device: str = "cpu") -> str:
    """The reproduce line of a test of this run: a check (or, with `adapter`, a fuzzed path)
    with the options it needs, or any other test (misuse, layout) by its node id alone."""
    check = config._conformance["by_nodeid"].get(nodeid)
    if check is not None:
        adapter, device = check.adapter.name, check.device
    opts = options(config, adapter, device) if adapter else []
    return command(nodeid, config.rootpath, config.invocation_params.dir, opts)
