"""Implementations under test, and the one list of loss families and of built-in adapters.

Layout (imports run one way, each layer importing only those above it):
    definitions.py                  Loss, Param, Convention, shared validators
    families/<family>/spec.py       the family's losses and conventions
    spec.py                         the catalogue, gathered from the families
    registry.py                     Adapter, Path, Evidence, declare_adapter: the plug-in API
    pytorch.py, tensorflow.py, jax_optax.py, numpy_reference.py
                                    each framework's Backend and shared helpers
    families/<family>/{pytorch,tensorflow,jax_optax}.py
                                    the family's paths on each framework
`load()` is the explicit step that registers the built-in adapters and their paths. Nothing here
imports a framework; frameworks are imported when a path runs.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys

# The loss families, in the order documents list them. Each has adapters/families/<family>/,
# cases/<family>/ and benchmarks/bench_<family>.py.
FAMILIES = ("classification", "regression", "distribution", "embedding", "margin", "likelihood",
            "focal_dice", "ctc")

# built-in adapter name -> (module that declares it, its paths' module in each family folder)
BUILTIN = {
    "reference": ("adapters.numpy_reference", None),   # one generic path per loss
    "torch": ("adapters.pytorch", "pytorch"),
    "tensorflow": ("adapters.tensorflow", "tensorflow"),
    "jax": ("adapters.jax_optax", "jax_optax"),
    "transformers": ("adapters.transformers_lib", "transformers_lib"),
    "sklearn": ("adapters.sklearn_lib", "sklearn_lib"),
    "paddle": ("adapters.paddle_lib", "paddle_lib"),
    "monai": ("adapters.monai_lib", "monai_lib"),
    "smp": ("adapters.smp_lib", "smp_lib"),
    "kornia": ("adapters.kornia_lib", "kornia_lib"),
    "torchvision": ("adapters.torchvision_lib", "torchvision_lib"),
    "timm": ("adapters.timm_lib", "timm_lib"),
}

# The first four are the reference and the frameworks; the other built-in adapters are libraries
# built on them or beside them (conformance/LIBRARIES.md tabulates those).
FRAMEWORK_ADAPTERS = ("reference", "torch", "tensorflow", "jax")
LIBRARIES = tuple(name for name in BUILTIN if name not in FRAMEWORK_ADAPTERS)


def cache_folder(*parts: str) -> str:
    """Where the project keeps what it may recompute (JAX's compilation cache, Hypothesis's
    examples): $XDG_CACHE_HOME/loss-conformance (~/.cache/loss-conformance)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(root, "loss-conformance", *parts)


def family_modules(role: str) -> dict:
    """{family: module} of adapters/families/<family>/<role>.py, for the families that have one."""
    found = {}
    for family in FAMILIES:
        name = f"adapters.families.{family}.{role}"
        if importlib.util.find_spec(name) is not None:
            found[family] = importlib.import_module(name)
    return found


def compiled_known_failures(role: str) -> dict:
    """{"loss/<twin name>": {key: reason}}: the families' COMPILED_KNOWN_FAILURES in their
    <role>.py, the checks where a compiled twin differs from the path it compiles."""
    return {k: v for module in family_modules(role).values()
            for k, v in getattr(module, "COMPILED_KNOWN_FAILURES", {}).items()}


def family_lists(role: str, name: str) -> list:
    """The families' lists called `name` in their <role>.py, one after another (the evidence a
    backend records on the paths it derives: KERAS_MASK_EVIDENCE)."""
    return [item for module in family_modules(role).values()
            for item in getattr(module, name, ())]


def load(names=None) -> None:
    """Register the built-in adapters `names` (default: all) with every family's paths. Importing
    a backend module declares its adapter; importing a family's paths module adds its paths.
    Loading twice changes nothing (a module is imported once)."""
    for name in names or BUILTIN:
        module, role = BUILTIN[name]
        backend = importlib.import_module(module)
        if role:
            family_modules(role)
            backend.derive_paths()


# ---------------------------------------------------------------- module names before the families

class _RenamedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Keeps plug-ins written against the flat layout working: `adapters.<role>_<family>` (e.g.
    adapters.jax_ctc, adapters.spec_margin) is the module adapters.families.<family>.<role>."""
    ROLES = {"spec": "spec", "reference": "reference", "pytorch": "pytorch",
             "tensorflow": "tensorflow", "jax": "jax_optax"}
    OLD = {f"adapters.{old}_{family}": f"adapters.families.{family}.{new}"
           for old, new in ROLES.items() for family in FAMILIES}

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.OLD:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return None   # a placeholder module, replaced below

    def exec_module(self, module):
        # the import system returns what sys.modules holds after this: the family module itself
        sys.modules[module.__name__] = importlib.import_module(self.OLD[module.__name__])


if not any(isinstance(f, _RenamedModules) for f in sys.meta_path):
    sys.meta_path.append(_RenamedModules())
