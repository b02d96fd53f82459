"""The library table, generated from the adapter registry (never typed by hand).

    python -m conformance.libraries > conformance/LIBRARIES.md

For each built-in library adapter (the adapters beyond the reference and the three frameworks):
each loss call it offers, the canonical loss it implements, the canonical parameters its path
maps, the conventions it follows, and whether it agrees with PyTorch's call: a library path
agrees with a torch path when both declare the same conventions (the reference then predicts the
same value for both on every case both take). tests/test_libraries.py checks that the committed
file is the generated one.
"""
from __future__ import annotations

import adapters as builtin
from adapters.registry import Adapter, Path, adapters

COMMAND = "python -m conformance.libraries > conformance/LIBRARIES.md"


def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def _anchor(convention: str) -> str:
    return f"[{convention}](CONVENTIONS.md#{convention.lower()})"


def libraries() -> list[Adapter]:
    builtin.load()
    return [adapters()[name] for name in builtin.LIBRARIES]


def _listed(path: Path) -> bool:
    """A path the table lists: the library's own calls, not the derived sample-weight
    compositions (the same call, weighted afterwards)."""
    return not path.name.endswith("*sample_weight")


def agreement(path: Path, torch: Adapter) -> str:
    """Which of torch's paths the library path agrees with: those declaring the same
    conventions, native first."""
    same = [p for p in torch.paths_for(path.loss)
            if _listed(p) and set(p.conventions) == set(path.conventions)]
    same.sort(key=lambda p: p.kind != "native")
    if same:
        return "yes, as " + _code(same[0].call)
    theirs = {c for p in torch.paths_for(path.loss) for c in p.conventions}
    extra = [c for c in path.conventions if c not in theirs]
    return "no: " + (", ".join(_anchor(c) for c in extra) if extra else
                     "a different set of torch's conventions")


def library_section(adapter: Adapter, torch: Adapter) -> list[str]:
    lines = [f"## {adapter.name}", "", f"{adapter.description}.", "",
             "| library call | canonical loss | canonical parameters mapped | conventions | "
             "agrees with PyTorch's |", "|---|---|---|---|---|"]
    for p in sorted(filter(_listed, adapter.paths), key=lambda p: (p.loss, p.name)):
        conventions = ", ".join(_anchor(c) for c in p.conventions) or "none: canonical"
        lines.append(f"| {_code(p.call)} | `{p.loss}` | "
                     f"{', '.join(sorted(p.params)) or 'none'} | {conventions} | "
                     f"{agreement(p, torch)} |")
    if adapter.no_paths:
        lines += ["", "No path, with the reason:", ""]
        lines += [f"- `{loss}`: {why}" for loss, why in sorted(adapter.no_paths.items())]
    return lines + [""]


def document() -> str:
    found = libraries()
    torch = adapters()["torch"]
    lines = ["# Loss libraries against the definitions", "",
             f"Generated from the adapter registry; do not edit. Regenerate with `{COMMAND}` "
             "(tests/test_libraries.py fails when this file is out of date).", "",
             "For each library adapter, each call it makes: the canonical loss it implements, "
             "the canonical parameters the path maps onto the library's options, the conventions "
             "it follows (each with its evidence in CONVENTIONS.md), and whether it agrees with "
             "PyTorch's: the torch call declaring the same conventions, or the conventions that "
             "only the library follows. The versions each convention was seen on are in its "
             "evidence; the conformance run checks every row (`pytest conformance/ -k "
             "<adapter>`).", ""]
    used = sorted({c for a in found for p in a.paths for c in p.conventions})
    lines += [f"Libraries: {', '.join(a.name for a in found)}; "
              f"{sum(len(list(filter(_listed, a.paths))) for a in found)} calls; "
              f"{len(used)} conventions.", ""]
    for adapter in found:
        lines += library_section(adapter, torch)
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(document(), end="")
