"""Bounded memory: what the frameworks compile for the checks (JAX keeps every executable of every
shape it saw) is released when a path's checks are done (checks.release), and also whenever the
process's resident memory passes SOFT_LIMIT between two checks (an eager JAX path over many shapes
grew a worker by 1 GB within the path). Freed memory is handed back to the system (glibc's
malloc_trim), so the next path starts from a small heap instead of a fragmented large one.

Measured (python -m benchmarks.suite_runtime --runs 1 -- -n auto, twice each, alternating, 2-core
machine): the largest worker of a full run held 2362 and 2363 MiB with per-path release alone,
1595 and 1602 MiB with this.
"""
from __future__ import annotations

import ctypes
import os

SOFT_LIMIT = 1.5 * 2**30     # bytes; a worker with torch, TensorFlow and JAX imported holds ~1 GB


def resident() -> int | None:
    """This process's resident memory in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def trim() -> None:
    """Give the memory the allocator holds free back to the system (glibc only)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def bound(backend) -> None:
    """Past SOFT_LIMIT: release what the backend compiled (its optional `release`) and trim."""
    size = resident()
    if size is None or size < SOFT_LIMIT:
        return
    release = getattr(backend, "release", None)
    if release is not None:
        release()
    trim()
