"""Imports run one way (adapters/__init__.py): the import graph of adapters/, conformance/ and
benchmarks/ has no cycle.

A module's dependencies are its static imports (anywhere in the module, function bodies included;
a submodule's parent packages too, which Python imports first) and its calls
`family_modules("<role>")`, which import adapters/families/*/<role>.py. `adapters.load()` is the
explicit load step: it imports the adapters when called, so it is no dependency of the package.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("adapters", "conformance", "benchmarks")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of `from <level dots><name> import ...` written in `module`."""
    if level == 0:
        return name or ""
    base = module.split(".")
    base = base[:len(base) - level + (1 if is_package else 0)]
    return ".".join(base + ([name] if name else []))


def import_graph(root: Path, packages=PACKAGES) -> dict[str, set[str]]:
    files = {module_name(p, root): p for pkg in packages for p in (root / pkg).rglob("*.py")}
    graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        is_package = path.name == "__init__.py"
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, is_package, node.level, node.module)
                targets.add(base)
                targets.update(f"{base}.{a.name}" for a in node.names)   # submodules imported
            elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "family_modules"
                  and node.args and isinstance(node.args[0], ast.Constant)):
                role = node.args[0].value
                targets.update(m for m in files if m.startswith("adapters.families.")
                               and m.endswith(f".{role}"))
        edges = set()
        for target in targets:
            parts = target.split(".")
            # the module itself and every parent package Python imports before it
            edges.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        graph[module] = {t for t in edges if t in files and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    found = cycles(import_graph(ROOT))
    assert not found, "import cycles (each line one cycle's modules):\n" + "\n".join(
        " <-> ".join(c) for c in found)


def test_the_graph_sees_the_layers():
    """The graph is not empty by accident: the layers of adapters/__init__.py are edges."""
    graph = import_graph(ROOT)
    assert "adapters.definitions" in graph["adapters.families.ctc.spec"]
    assert "adapters.families.ctc.spec" in graph["adapters.spec"]          # family_modules
    assert "adapters.pytorch" in graph["adapters.families.ctc.pytorch"]
    assert "adapters.registry" in graph["adapters.pytorch"]


def test_a_cycle_is_found(tmp_path):
    """The detector itself: a cycle through a relative import inside a function, and a package
    whose __init__ imports a child that imports the package, are each reported."""
    files = {"adapters/__init__.py": "", "adapters/a.py": "def f():\n    from .sub import c\n",
             "adapters/sub/__init__.py": "", "adapters/sub/c.py": "from ..a import f\n",
             "benchmarks/__init__.py": "from . import b\n",
             "benchmarks/b.py": "import benchmarks\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = cycles(import_graph(tmp_path, ("adapters", "benchmarks")))
    assert sorted(found) == [["adapters.a", "adapters.sub.c"], ["benchmarks", "benchmarks.b"]]
