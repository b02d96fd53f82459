"""Running the matrix on several processes (pytest-xdist, `pytest conformance/ -n auto`).

The checks of one adapter path go to one worker, in order: the worker imports a framework once,
traces and compiles each of the path's functions once (value and gradient checks share one
compilation), and releases the path's compiled functions when it moves on. This is xdist's
`loadscope` scheduling with the path as the scope; it is used unless `--dist` is given.
Everything else (the misuse and layout checks, the project's own tests) is scoped by module, as
loadscope does.
"""
from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling


class PathScheduling(LoadScopeScheduling):
    """loadscope with each check's scope its adapter path (`scopes`: node id -> scope)."""

    def __init__(self, config, log, scopes: dict[str, str], first=()):
        super().__init__(config, log)
        self.scopes = scopes
        self.first = list(first)

    def _assign_work_unit(self, node):
        """The scopes named `first` (the ini option xdist_first: the long ones) go out before the
        others, which loadscope orders by their number of tests: a module of a few tests that runs
        the suite in a subprocess would otherwise start last and keep one worker busy alone."""
        for scope in reversed(self.first):
            if scope in self.workqueue:
                self.workqueue.move_to_end(scope, last=False)
        super()._assign_work_unit(node)

    def _split_scope(self, nodeid: str) -> str:
        return self.scopes.get(nodeid) or super()._split_scope(nodeid)

    def remove_node(self, node):
        """As loadscope, but the check that crashed its worker is not sent to another worker to
        crash again: it is reported once (by xdist) and the rest of its scope is rescheduled."""
        crashed = None
        for unit in self.assigned_work.get(node, {}).values():
            crashed = next((nodeid for nodeid, done in unit.items() if not done), None)
            if crashed is not None:
                unit[crashed] = True
                break
        super().remove_node(node)
        return crashed
