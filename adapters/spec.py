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
    SAMPLE_WEIGHT,
    WEIGHTED_MEAN,
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
        for loss in map(_with_sample_weight, module.LOSSES):
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


def _with_sample_weight(loss: Loss) -> Loss:
    """Every loss with a reduction takes sample weights, and the mean they weigh (WEIGHTED_MEAN):
    written once here, not in each family. The reference applies them (reference.py)."""
    reduction = loss.params.get("reduction")
    if reduction is None or "sample_weight" in loss.params:
        return loss
    choices = (*reduction.choices, WEIGHTED_MEAN)
    reduction = replace(reduction, choices=choices, check=lambda v: v in choices,
                        domain=f"one of {', '.join(map(repr, choices))} ({WEIGHTED_MEAN!r}: "
                               "sum(w l) / sum(w), w the sample_weight)",
                        requires=((WEIGHTED_MEAN, "sample_weight"),))
    return replace(loss, params={**loss.params, "reduction": reduction,
                                 "sample_weight": SAMPLE_WEIGHT})


LOSSES, FAMILY, CONVENTIONS, NAME_CLASHES = _catalogue()
