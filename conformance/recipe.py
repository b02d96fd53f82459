"""The conventions and recipes document, generated from the adapter registry (never typed by hand).

    python -m conformance.recipe > conformance/CONVENTIONS.md

For each loss: a table of representative parameter sets (the defaults, then each parameter set
alone) by framework adapter, naming the native paths that take those parameters and the paths
that agree with the canonical definition (no declared conventions); then each adapter's paths
with their exact calls and conventions. Last, every convention with its evidence.
tests/test_recipe.py checks that the committed file is the generated one.
"""
from __future__ import annotations

import adapters as builtin
from adapters.registry import Adapter, Path, adapters
from adapters.spec import CONVENTIONS, LOSSES, NAME_CLASHES

from .migrations import RECIPES, RTOL, SETUP

COMMAND = "python -m conformance.recipe > conformance/CONVENTIONS.md"


def load() -> list[Adapter]:
    """The built-in adapters, in declaration order."""
    builtin.load()
    return [a for a in adapters().values() if a.name in builtin.BUILTIN]


def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def _anchor(convention: str) -> str:
    return f"[{convention}](#{convention.lower()})"


def param_sets(loss: str) -> list[tuple[str, ...]]:
    return [()] + [(name,) for name in LOSSES[loss].params]


def takes(path: Path, params: tuple[str, ...]) -> bool:
    return set(params) <= path.params


def _names(paths: list[Path]) -> str:
    return ", ".join(_code(p.name) for p in paths)


def listed(adapter: Adapter, loss: str) -> list[Path]:
    """The paths a recipe shows: not the compiled twins checked on representative cases only
    (the path each compiles is listed)."""
    return [p for p in adapter.paths_for(loss) if not p.representative]


def cell(adapter: Adapter, loss: str, params: tuple[str, ...]) -> str:
    paths = [p for p in listed(adapter, loss) if takes(p, params)]
    if not paths:
        return "no path"
    native = [p for p in paths if p.kind == "native"]
    agree = _names([p for p in paths if not p.conventions])
    if not agree:   # the nearest recipe: the path with the fewest conventions
        near = min(paths, key=lambda p: len(p.conventions))
        agree = (f"none (fewest conventions: {_code(near.name)}, following "
                 f"{', '.join(_anchor(c) for c in near.conventions)})")
    return f"native: {_names(native) or 'none'}; agrees with canonical: {agree}"


def loss_section(loss: str, framework: list[Adapter]) -> list[str]:
    spec = LOSSES[loss]
    lines = [f"## {loss}", "", spec.doc, "",
             f"Inputs, in call order: {', '.join(_code(n) for n in spec.inputs)}; gradients with "
             f"respect to {', '.join(_code(n) for n in spec.differentiable)}.", ""]
    if spec.mean_divisor:
        lines += [f"Divisor of reduction='mean': {spec.mean_divisor}.", ""]
    lines += ["| parameters | " + " | ".join(a.name for a in framework) + " |",
              "|---" * (len(framework) + 1) + "|"]
    for params in param_sets(loss):
        label = "defaults" if not params else f"{params[0]} set"
        lines.append(f"| {label} | " + " | ".join(cell(a, loss, params) for a in framework) + " |")
    lines.append("")
    for adapter in framework:
        paths = listed(adapter, loss)
        if not paths:
            continue
        lines += [f"### {loss}: {adapter.name}", ""]
        for p in paths:
            takes_ = ", ".join(sorted(p.params)) or "no parameters"
            encodings = (f"; {', '.join(sorted(p.encodings))} targets"
                         if spec.target == "class" else "")
            lines.append(f"- {_code(p.name)} ({p.kind}; takes {takes_}{encodings}): "
                         f"{_code(p.call)}")
            if not p.conventions:
                lines.append("  - no conventions: agrees with the canonical definition")
            for name in p.conventions:
                lines.append(f"  - {_anchor(name)}: {CONVENTIONS[name].description}")
        lines.append("")
    return lines


def migrations_section() -> list[str]:
    lines = ["## Migration recipes", "",
             "A call in one framework, the calls in the others that give the same number, and "
             "the ports that look right but do not. Paste them after this setup; "
             "tests/test_migrations.py runs every one (Keras and JAX compute in float32 here, "
             f"so agreement is to a relative {RTOL:g}).", "", "```python", SETUP.rstrip(), "```",
             ""]
    for recipe in RECIPES:
        lines += [f"### {recipe.title}", "",
                  f"Canonical `{recipe.loss}` with "
                  + ", ".join(f"{k}={v}" for k, v in recipe.params.items())
                  + f": {recipe.canonical():.6g} on the setup's arrays.", ""]
        for port in recipe.ports:
            lines += [f"{port.framework}:", "", "```python", port.code, "```", ""]
        for trap in recipe.traps:
            result = (f"gives {trap.gives:.4g}" if trap.gives is not None
                      else f"raises \"{trap.raises}...\"")
            lines += [f"Trap ({trap.port.framework}, {result}): {trap.why}.", "", "```python",
                      trap.port.code, "```", ""]
    return lines


def convention_section(name: str, everyone: list[Adapter]) -> list[str]:
    conv = CONVENTIONS[name]
    declared = [p.id for a in everyone for p in a.paths if name in p.conventions]
    lines = [f"### {name}", "", conv.description, "",
             f"- losses: {', '.join(conv.losses)}",
             f"- declared by: {', '.join(_code(d) for d in declared) or 'no path'}"]
    # a compiled twin re-runs its base path's evidence; the record is the base path's
    evidence = [(a, e) for a in everyone for e in a.evidence if e.convention == name
                and e.path not in {f"{p.loss}/{p.name}" for p in a.paths if p.representative}]
    if not evidence:
        lines.append("- evidence: none recorded")
    for adapter, ev in evidence:
        lines += [f"- evidence ({adapter.name}, path {_code(ev.path)}, case {_code(ev.case)}):",
                  f"  - call: {_code(ev.call)}",
                  f"  - seen: {ev.seen}",
                  f"  - versions: {ev.versions}",
                  f"  - link: {ev.link}"]
    return lines + [""]


def document() -> str:
    everyone = load()
    framework = [a for a in everyone if a.name != "reference"]
    lines = ["# Conventions and recipes", "",
             f"Generated from the adapter registry; do not edit. Regenerate with `{COMMAND}` "
             "(tests/test_recipe.py fails when this file is out of date).", "",
             "For each loss and representative parameter set (the defaults, then each parameter "
             "set alone), per framework adapter: the native paths that take those parameters, "
             "and the paths that agree with the canonical definition (they declare no "
             "convention; where none does, the path with the fewest). A convention is listed where "
             "a path declares it, whatever the "
             "parameters: whether it changes the result on given inputs is what the conformance "
             "report (`pytest conformance/ --report PATH`) shows as `differs by`.", "",
             "Adapters: " + "; ".join(f"`{a.name}` ({a.description or 'no description'})"
                                      for a in everyone), ""]
    if NAME_CLASHES:
        lines += ["## Same name, different losses", ""]
        for clash in NAME_CLASHES:
            lines += [f"- **{clash.name}**: {', '.join(_code(n) for n in clash.losses)} are "
                      f"separate "
                      f"canonical losses. {clash.explanation}"]
        lines.append("")
    lines += migrations_section()
    for loss in LOSSES:
        lines += loss_section(loss, framework)
    lines += ["## Conventions", ""]
    for name in CONVENTIONS:
        lines += convention_section(name, everyone)
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(document(), end="")
