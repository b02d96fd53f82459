"""Every migration recipe (conformance/migrations.py) gives the canonical value in every
framework, and every trap gives the different value, or raises the error, it states."""
import importlib.util

import numpy as np
import pytest

from conformance.migrations import RECIPES, RTOL, run

MODULES = {"torch": "torch", "keras": "keras", "optax": "optax"}


def _needs(framework):
    if importlib.util.find_spec(MODULES[framework]) is None:
        pytest.skip(f"{framework} is not installed")


PORTS = [pytest.param(r, p, id=f"{r.title[:60]}|{p.framework}") for r in RECIPES for p in r.ports]
TRAPS = [pytest.param(r, t, id=f"{r.title[:60]}|{t.port.framework}|{i}")
         for r in RECIPES for i, t in enumerate(r.traps)]


@pytest.mark.parametrize("recipe,port", PORTS)
def test_port_gives_the_canonical_value(recipe, port):
    _needs(port.framework)
    np.testing.assert_allclose(run(port), recipe.canonical(), rtol=RTOL)


@pytest.mark.parametrize("recipe,trap", TRAPS)
def test_trap_gives_what_it_states(recipe, trap):
    _needs(trap.port.framework)
    if trap.raises:
        with pytest.raises(Exception, match=trap.raises):
            run(trap.port)
        return
    got = run(trap.port)
    # stated to 4 significant digits; and the trap must really differ from the canonical value
    np.testing.assert_allclose(got, trap.gives, rtol=5e-4)
    assert abs(got - recipe.canonical()) > 100 * RTOL * abs(recipe.canonical())


def test_every_recipe_is_ported_to_every_framework():
    for recipe in RECIPES:
        assert {p.framework for p in recipe.ports} == set(MODULES), recipe.title
