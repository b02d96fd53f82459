"""Error contracts: what every built-in path does with the inputs users get wrong.

The bad inputs come from the spec: each mistake of MISTAKES (below, with what it is) applied to
one valid example of the loss, drawn from its domain (conformance/fuzz.py) with a fixed seed.
A mistake that the spec accepts for a loss (softmax takes any rank, and an empty batch) is not
one for that loss and is left out; so the reference, which validates before it computes, raises
SpecError for every mistake listed.
For each built-in path and each mistake that applies to it (its encodings, ranks and
parameters), the family's contracts.yaml declares the outcome: `raises: {type: ..., match: ...}`
(the exception's class name and the start of its message), `returns: [...]` (the value the path
gives instead of an error, compared at float64's tolerance: a silent answer, so that a change in
it is seen too) or `unstable: ...` (a value that differs from one process to the next: any value
passes, an exception fails).

    python -m conformance.contracts --record    # write every family's contracts.yaml anew
    python -m conformance.contracts > conformance/ERRORS.md     # the table, generated

conformance/test_contracts.py re-runs every declaration and fails when a framework changes what it
does; tests/test_contracts_table.py fails while ERRORS.md is out of date.
"""
from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

import adapters
from adapters.definitions import SpecError, check_inputs, check_params, class_axis
from adapters.registry import adapters as registered
from adapters.spec import FAMILY, LOSSES

from .cases import plain, read_yaml
from .fuzz import domain, value_kinds

FOLDER = Path(adapters.__file__).parent / "families"
SIZES = {"N": 2, "C": 3, "D": 3, "H": 2, "W": 2, "T": 5, "S": 2}
SEED = 20261130
MISTAKE_TEXT = {   # the mistakes users make, and what each is
    "shape_mismatch": "the last input one element longer on its last axis than the example's",
    "wrong_rank": "the first input with an extra leading axis of length 1",
    "index_too_large": "a class index equal to the number of classes C",
    "negative_index": "a class index of -1 that is not the ignore_index",
    "integer_input": "the first input as int64 (integer logits)",
    "empty_batch": "a batch of 0 samples, default parameters (reduction='mean' where it has one)",
    "nan_weight": "a nan in the weights, at a class (or element) the example uses",
}
MISTAKES = tuple(MISTAKE_TEXT)
COMMAND = "python -m conformance.contracts > conformance/ERRORS.md"


@dataclass(frozen=True)
class Bad:
    """One mistake applied to a loss's valid example: the inputs and parameters a path gets."""
    loss: str
    mistake: str
    layout: int             # which of the loss's layouts the example has
    inputs: dict
    params: dict
    encoding: str


def valid_example(loss_name: str, layout_index: int) -> tuple[dict, str]:
    """A valid example of the loss in one of its layouts: fixed sizes, seeded values by kind."""
    loss = LOSSES[loss_name]
    dom = domain(loss)
    layout = dom.layouts[layout_index]
    rng = np.random.default_rng(SEED)
    inputs = {}
    for name in loss.inputs:
        dims = layout[name].split()
        shape = tuple(int(d) if d.isdigit() else SIZES[d] for d in dims)
        kind = value_kinds(dom.values.get(name, "real"))[0]
        if kind == "real":
            a = rng.normal(size=shape)
        elif kind in ("nonneg", "unit"):
            a = rng.uniform(0.05, 0.95, size=shape)
        elif kind == "sign":
            a = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
        elif kind == "binary":
            a = np.where(rng.uniform(size=shape) < 0.5, 0.0, 1.0)
        elif kind == "index":
            a = rng.integers(0, SIZES["C"], size=shape)
        elif kind == "label":
            a = np.full(shape, -1)
            a[..., 0] = 0
        elif kind.startswith("length:"):
            a = np.full(shape, SIZES[kind[7:]])
        elif kind in ("probs", "log_probs"):
            z = rng.normal(size=shape)
            lp = z - np.log(np.sum(np.exp(z), axis=dims.index("C"), keepdims=True))
            a = lp if kind == "log_probs" else np.exp(lp)
        elif kind == "one_hot":
            axis = dims.index("C")
            a = np.moveaxis(np.eye(SIZES["C"])[rng.integers(0, SIZES["C"], size=tuple(
                s for i, s in enumerate(shape) if i != axis))], -1, axis)
        else:
            raise ValueError(f"unknown value kind {kind!r}")
        inputs[name] = a
    encoding = "index" if loss.target == "class" else "none"
    if loss.name == "ctc_loss":   # a feasible alignment: labels other than the blank (0)
        inputs["targets"] = np.ones_like(inputs["targets"])
    return inputs, encoding


def bad_inputs(path) -> list[Bad]:
    """Every mistake that applies to a path: on a layout it takes (one with a batch if it takes
    one), in the target encoding it takes (index first), with the parameters it has."""
    loss = LOSSES[path.loss]
    dom = domain(loss)
    takes = [i for i, lay in enumerate(dom.layouts)
             if path.ndims is None or len(lay[loss.primary].split()) in path.ndims]
    index = next((i for i in takes if "N" in dom.layouts[i][loss.primary].split()),
                 takes[0] if takes else 0)
    layout = dom.layouts[index]
    inputs, encoding = valid_example(path.loss, index)
    if encoding == "index" and "index" not in path.encodings:
        encoding = "one_hot"
        x, y = inputs["input"], inputs["target"]
        inputs["target"] = np.moveaxis(np.eye(x.shape[class_axis(x)])[y], -1, class_axis(x))
    primary, last = loss.primary, loss.inputs[-1]
    out = []
    # a path that runs only with sample weights (Keras's own sample_weight= paths) gets weights
    # of 1, so that the mistakes reach the framework rather than the path's refusal
    base = {}
    if "sample_weight" in path.params and path.unsupported(
            loss, encoding, {}, "float64", inputs[primary].ndim, inputs):
        batch = "N" in layout[primary].split()
        base = {"sample_weight": np.ones(inputs[primary].shape[0]) if batch else np.array(1.0)}

    def add(mistake, changed=None, params=None):
        bad = Bad(path.loss, mistake, index, {**inputs, **(changed or {})},
                  {**base, **(params or {})}, encoding)
        if not _in_domain(loss, bad):     # softmax takes any rank: no mistake there
            out.append(bad)

    x = inputs[primary]
    if last != primary:
        y = inputs[last]
        grown = np.concatenate([y, y[..., :1]], axis=-1) if y.ndim else np.stack([y, y])
        add("shape_mismatch", {last: grown})
    add("wrong_rank", {primary: x[None]})
    indices = [n for n in loss.inputs if dom.values.get(n) == "index"
               and (n != "target" or encoding == "index") and inputs[n].size]
    for name in indices:
        too_large, negative = inputs[name].copy(), inputs[name].copy()
        too_large.flat[0] = SIZES["C"]
        negative.flat[0] = -1
        add("index_too_large", {name: too_large})
        add("negative_index", {name: negative})
    if np.issubdtype(x.dtype, np.floating):
        add("integer_input", {primary: np.round(x).astype(np.int64)})
    batched = {n: layout[n].split().index("N") for n in loss.inputs if "N" in layout[n].split()}
    if batched:
        add("empty_batch", {n: np.take(inputs[n], [], axis=axis) for n, axis in batched.items()})
    weights = [n for n, p in loss.params.items() if p.array and n in path.params]
    if weights:
        add("nan_weight", params={weights[0]: _nan_weight(loss, weights[0], inputs, encoding)})
    return out


def _nan_weight(loss, name, inputs, encoding) -> np.ndarray:
    """All ones but a nan where it counts: the class of the first target (class weights), or
    the first element (element weights); a sample weight of nan for every sample."""
    if name == "sample_weight":
        return np.array(np.nan)
    x = inputs[loss.primary]
    if loss.target in ("class", "other") and "target" in inputs:
        c = x.shape[class_axis(x)]
        y = inputs["target"]
        if np.issubdtype(y.dtype, np.integer):      # class indices
            first = int(y.flat[0])
        else:                                       # one-hot or probabilities over the classes
            first = int(np.argmax(np.moveaxis(y, class_axis(x), -1).reshape(-1, c)[0]))
        w = np.ones(c)
        w[first % c] = np.nan
        return w
    w = np.ones(x.shape)
    w.flat[0] = np.nan
    return w


def _in_domain(loss, bad: Bad) -> bool:
    try:
        check_inputs(loss, bad.inputs, check_params(loss, dict(bad.params)), bad.encoding)
    except SpecError:
        return False
    return True


# ---------------------------------------------------------------- running a path on one

def outcome(adapter, path, bad: Bad, dtype: str = "float64") -> dict:
    """What `path` does with `bad`: {"raises": {"type": ..., "match": ...}} or
    {"returns": [...]}."""
    loss = LOSSES[bad.loss]
    if dtype not in path.dtypes:
        dtype = sorted(path.dtypes)[0]
    backend = adapter.backend
    try:
        args = [backend.asarray(np.asarray(bad.inputs[n]), dtype, "cpu") for n in loss.inputs]
        kwargs = {}
        for name in path.params:
            value = bad.params.get(name, loss.params[name].default)
            if loss.params[name].array and value is not None:
                value = backend.asarray(np.asarray(value, dtype=np.float64), dtype, "cpu")
            kwargs[name] = value
        value = backend.to_numpy(path.fn(*args, **kwargs))
    except Exception as err:    # the declared behaviour: which exception, with which message
        return {"raises": {"type": type(err).__name__, "match": _message(err)}}
    a = np.asarray(value, dtype=np.float64)
    return {"returns": plain(a.ravel() if a.ndim else a)}


def _message(err: BaseException) -> str:
    """A part of the message that identifies it: its first line, without TensorFlow's
    {{function_node ...}} prefix (it names the device), at most 90 characters."""
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", str(err)).strip()
    return text.splitlines()[0][:90] if text else ""


def matches(declared: dict, seen: dict) -> bool:
    """Whether what a path did is what is declared (a returned value at float64's tolerance;
    for `unstable`, any returned value)."""
    if "unstable" in declared:
        return "returns" in seen
    if set(declared) != set(seen):
        return False
    if "raises" in declared:
        d, s = declared["raises"], seen["raises"]
        return d["type"] == s["type"] and d["match"] in s["match"]
    if "returns" in declared:
        d = np.asarray(_floats(declared["returns"]), dtype=np.float64)
        s = np.asarray(_floats(seen["returns"]), dtype=np.float64)
        return d.shape == s.shape and bool(np.all(
            (np.isnan(d) & np.isnan(s)) | (d == s) | (np.abs(d - s) <= 1e-12 + 1e-9 * np.abs(d))))
    return True


def _floats(v):
    if isinstance(v, list):
        return [_floats(x) for x in v]
    return float(v)


# ---------------------------------------------------------------- the declarations

def contracts_file(family: str) -> Path:
    return FOLDER / family / "contracts.yaml"


@functools.cache
def declared(family: str) -> dict:
    """{adapter: {path id: {loss: {mistake: outcome}}}} of a family's contracts.yaml."""
    path = contracts_file(family)
    return read_yaml(path.read_text()) if path.is_file() else {}


def observed() -> dict:
    """{family: {adapter: {"loss/path": {mistake: outcome}}}} for every built-in path."""
    adapters.load()
    by_family: dict = {}
    for name in adapters.BUILTIN:
        adapter = registered()[name]
        if adapter.backend.unavailable():
            raise SystemExit(f"{name} is not available here: {adapter.backend.unavailable()}")
        for path in adapter.paths:
            if path.representative:
                continue       # compiled twins: see planned()
            entry = by_family.setdefault(FAMILY[path.loss], {}).setdefault(name, {}).setdefault(
                f"{path.loss}/{path.name}", {})
            for bad in bad_inputs(path):
                entry[bad.mistake] = outcome(adapter, path, bad)
    return by_family


def record() -> None:
    """Run every built-in path on every mistake, here and in a second process, and write each
    family's contracts.yaml. A value that differs between the two processes is declared
    `unstable` (uninitialised memory: within one process the same block is often reused)."""
    by_family = observed()
    again = json.loads(subprocess.run(
        [sys.executable, "-m", "conformance.contracts", "--observed"], check=True,
        capture_output=True, text=True).stdout)
    for family, by_adapter in by_family.items():
        for name, paths in by_adapter.items():
            for key, outcomes in paths.items():
                for mistake, first in outcomes.items():
                    second = again[family][name][key][mistake]
                    if "returns" in first and "returns" in second and not np.array_equal(
                            _floats(first["returns"]), _floats(second["returns"]), equal_nan=True):
                        outcomes[mistake] = {"unstable": "returns a different value in each "
                                                         "process (uninitialised memory)"}
    for family, content in by_family.items():
        contracts_file(family).write_text(
            "# generated by `python -m conformance.contracts --record`: what each built-in path "
            "does with the\n# inputs users get wrong (conformance/contracts.py); review the "
            "changes before committing\n" + yaml.safe_dump(content, sort_keys=False, width=100),
            encoding="utf-8")


def table() -> str:
    """The contracts as a Markdown document (conformance/ERRORS.md)."""
    rows = [(loss, adapter, key.split("/", 1)[1], outcomes)
            for loss in LOSSES
            for adapter, paths in declared(FAMILY[loss]).items()
            for key, outcomes in paths.items() if key.split("/")[0] == loss]
    lines = ["# Error contracts", "",
             f"Generated by `{COMMAND}` from each family's `contracts.yaml` (recorded by "
             "`python -m conformance.contracts --record`, checked by "
             "`conformance/test_contracts.py`, which fails when a framework changes what it "
             "does). For each loss and built-in path: what it does with the inputs users get "
             "wrong, each applied to one valid example of the loss (`conformance/contracts.py`):",
             "", *[f"- `{m}`: {MISTAKE_TEXT[m]}" for m in MISTAKES], "",
             "A cell is the exception raised (its class and the start of its message) or, in "
             "bold, the value returned instead of an error. The reference raises `SpecError` for "
             "every mistake (it validates before it computes).", "",
             "## Summary: how many paths return a value instead of raising", "",
             "| adapter | " + " | ".join(MISTAKES) + " |", "|---|" + "---|" * len(MISTAKES)]
    for adapter in dict.fromkeys(a for _, a, _, _ in rows):
        cells = []
        for m in MISTAKES:
            seen = [o[m] for _, a, _, o in rows if a == adapter and m in o]
            silent = sum('returns' in o or 'unstable' in o for o in seen)
            cells.append(f"{silent} of {len(seen)}" if seen else "")
        lines.append(f"| {adapter} | " + " | ".join(cells) + " |")
    lines.append("")
    for loss in LOSSES:
        mine = [r for r in rows if r[0] == loss]
        if not mine:
            continue
        mistakes = [m for m in MISTAKES if any(m in o for _, _, _, o in mine)]
        lines += [f"## {loss}", "", "| adapter | path | " + " | ".join(mistakes) + " |",
                  "|---|---|" + "---|" * len(mistakes)]
        for _, adapter, name, outcomes in mine:
            cells = [_cell(outcomes.get(m)) for m in mistakes]
            lines.append(f"| {adapter} | `{name}` | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)




def _cell(o) -> str:
    if o is None:
        return ""
    if "unstable" in o:
        return "**returns a different value in each process**"
    if "raises" in o:
        message = o["raises"]["match"]
        text = o["raises"]["type"] + (f": {message[:48]}" + ("…" if len(message) > 48 else "")
                                      if message else "")
    else:
        values = np.atleast_1d(np.asarray(_floats(o["returns"]), dtype=np.float64)).ravel()
        shown = ", ".join(f"{v:.4g}" for v in values[:2]) + (", …" if values.size > 2 else "")
        text = f"**returns [{shown}]**" if values.size != 1 else f"**returns {shown}**"
    return text.replace("|", "\\|").replace("\n", " ")


def planned(chosen) -> list[tuple]:
    """(adapter, path, bad input, declared outcome or None) for the chosen built-in adapters.
    Compiled twins checked on representative cases (Path.representative) are left out: each
    mistake would compile its own graph; their eager path's contracts are recorded."""
    out = []
    for adapter in chosen:
        if adapter.name not in adapters.BUILTIN:
            continue
        for path in adapter.paths:
            if path.representative:
                continue
            declared_path = declared(FAMILY[path.loss]).get(adapter.name, {}).get(
                f"{path.loss}/{path.name}", {})
            for bad in bad_inputs(path):
                out.append((adapter, path, bad, declared_path.get(bad.mistake)))
    return out


def entry_id(entry) -> str:
    adapter, path, bad, _ = entry
    return f"{path.id}:{path.loss}:{bad.mistake}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true",
                        help="run every built-in path on every mistake; write contracts.yaml")
    parser.add_argument("--observed", action="store_true",
                        help="print what every built-in path does with every mistake (JSON)")
    args = parser.parse_args(argv)
    if args.record:
        record()
        return 0
    if args.observed:
        json.dump(observed(), sys.stdout)
        return 0
    adapters.load()
    sys.stdout.write(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
