"""The catalogue: every canonical loss, convention and name clash, gathered from the families
(adapters/families/<family>/spec.py, each declaring LOSSES, CONVENTIONS and optionally EXTENDS
and NAME_CLASHES).

This module only describes; `reference.py` computes. The words (Loss, Param, Convention, the
validators) are defined in `definitions.py` and re-exported here.
"""
from __future__ import annotations

from dataclasses import replace

from . import family_modules
from .definitions import (  # noqa: F401
    ENCODINGS,
    REDUCTIONS,
    Convention,
    Loss,
    NameClash,
    Param,
    SpecError,
    check_inputs,
    check_params,
    class_axis,
)


def _catalogue():
    losses: dict[str, Loss] = {}
    family_of: dict[str, str] = {}
    conventions: dict[str, Convention] = {}
    clashes: list[NameClash] = []
    extends: list[tuple[str, tuple[str, ...]]] = []
    for family, module in family_modules("spec").items():
        for loss in module.LOSSES:
            if loss.name in losses:
                raise ValueError(f"loss {loss.name!r} is declared by the families "
                                 f"{family_of[loss.name]} and {family}")
            losses[loss.name], family_of[loss.name] = loss, family
        for convention in module.CONVENTIONS:
            if convention.name in conventions:
                raise ValueError(f"{family}: convention {convention.name!r} is declared twice")
            conventions[convention.name] = convention
        clashes += getattr(module, "NAME_CLASHES", [])
        extends += getattr(module, "EXTENDS", {}).items()
    for name, more in extends:   # a convention that other families' losses follow too
        conventions[name] = replace(conventions[name], losses=conventions[name].losses + more)
    return losses, family_of, conventions, clashes


LOSSES, FAMILY, CONVENTIONS, NAME_CLASHES = _catalogue()
