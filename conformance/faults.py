"""Faults stay contained: a path that hangs or kills its process fails its own checks, and the run
goes on.

- A hang: every check has a timeout (pytest-timeout's signal method; `--check-timeout SECONDS`,
  default CHECK_TIMEOUT). The check that times out fails with pytest-timeout's message.
- A crash (a native extension's segfault, os.abort): under pytest-xdist the worker dies, xdist
  reports the check that was running as failed and starts a new worker (conformance/parallel.py
  keeps the crashed check from running twice). Without -n a crash ends the whole run, as any
  crash of the Python process does.

After either, the path's remaining checks fail at once ("timed out earlier", "crashed its worker
earlier") instead of waiting or crashing again. Workers share what happened through a file in a
folder the controller creates (FaultLog); a serial run uses the same file.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

CHECK_TIMEOUT = 120.0   # seconds; the slowest check on a 2-core machine, cold, takes about 10
# pytest-timeout fails a check with "Timeout (>Ns) from pytest-timeout."
TIMEOUT_MESSAGE = "Timeout"


class FaultLog:
    """Paths that timed out or crashed in this run: one line each, `kind<TAB>path<TAB>check`,
    appended by whichever process saw it, read back (when the file changed) before each check."""

    def __init__(self, folder: str):
        self.file = Path(folder) / "faults.tsv"
        self._seen: dict[str, tuple[str, str]] = {}
        self._size = -1

    def record(self, kind: str, path: str, check: str) -> None:
        with open(self.file, "a", encoding="utf-8") as f:   # one short append: atomic enough
            f.write(f"{kind}\t{path}\t{check}\n")

    def of(self, path: str) -> tuple[str, str] | None:
        """(kind, check) of the first fault of `path` in this run, or None."""
        try:
            size = self.file.stat().st_size
        except FileNotFoundError:
            return None
        if size != self._size:
            self._size = size
            for line in self.file.read_text(encoding="utf-8").splitlines():
                kind, path_id, check = line.split("\t")
                self._seen.setdefault(path_id, (kind, check))
        return self._seen.get(path)


def new_folder() -> str:
    return tempfile.mkdtemp(prefix="loss-conformance-")


def remove_folder(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def fail_fast_message(path: str, fault: tuple[str, str]) -> str:
    kind, check = fault
    what = {"timeout": "timed out earlier", "crash": "crashed its worker earlier"}[kind]
    return (f"{path} {what} (in {check}); its remaining checks fail without running. "
            f"Fix the path, or run that check alone to see it.")

