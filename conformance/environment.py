"""Which of the chosen adapters can run here, and their frameworks' versions.

Answering imports the frameworks, which takes seconds and a gigabyte. So it is answered where the
checks run: in a serial run on first use; under pytest-xdist by the workers, which send it to the
controller when they finish (xdist's workeroutput), so that the controller, which only plans,
collects and reports, never imports a framework.
"""
from __future__ import annotations


class Environment:
    def __init__(self, adapters):
        self.adapters = {a.name: a for a in adapters}
        self.known: dict[str, dict] = {}

    def _entry(self, name: str) -> dict:
        if name not in self.known:
            backend = self.adapters[name].backend
            why = backend.unavailable()
            versions = {} if why else backend.versions()
            # plain strings: the controller receives them through execnet (torch's version is
            # a str subclass it cannot send)
            self.known[name] = {"unavailable": str(why or ""),
                                "versions": {str(k): f"{v}" for k, v in versions.items()}}
        return self.known[name]

    def unavailable(self, name: str) -> str:
        """Why the adapter cannot run here ('' when it can)."""
        return self._entry(name)["unavailable"]

    def versions(self, name: str) -> dict[str, str]:
        return self._entry(name)["versions"]

    def as_dict(self) -> dict:
        return {name: self._entry(name) for name in self.adapters}

    def update(self, known: dict) -> None:
        """What a worker found (the same for every worker of one machine)."""
        self.known.update(known)
