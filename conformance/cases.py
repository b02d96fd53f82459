"""Case files: read (YAML, safely loaded, or JSON), validate, build arrays, derive encoding twins.

Every problem is a CaseError naming the file, the case and the field; nothing is skipped silently.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import yaml

from adapters import cache_folder, reference
from adapters.definitions import class_axes, extended_domain
from adapters.numerics import log_softmax, sigmoid
from adapters.spec import LOSSES, SpecError, check_inputs, check_params, class_axis

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"
SCHEMA = json.loads((CASES_DIR / "schema.json").read_text())
VALIDATOR_VERSION = version("jsonschema")
SUFFIXES = (".yaml", ".yml", ".json")
# libyaml's parser where PyYAML has it: the documents of yaml.safe_load (the same constructor and
# resolver), parsed 6x faster; every pytest process (each xdist worker, each subprocess of tests/)
# parses all case files at start-up, 10 s of 30 in a collection of the suite
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str):
    return yaml.load(text, Loader=SAFE_LOADER)


class CaseError(ValueError):
    def __init__(self, file, case_id, field_name, message):
        self.file, self.case_id, self.field = str(file), case_id, field_name
        where = f"{file}: case {case_id!r}" if case_id else f"{file}"
        super().__init__(f"{where}: field {field_name!r}: {message}" if field_name
                         else f"{where}: {message}")


@dataclass(frozen=True)
class Tolerance:
    atol: float
    rtol: float
    why: str


@dataclass(frozen=True)
class Case:
    loss: str
    id: str
    file: str
    inputs: dict[str, np.ndarray]
    params: dict[str, Any]          # complete: defaults filled in
    encoding: str                   # "none" for losses without class targets
    provenance: str
    expected: np.ndarray | None = None
    expected_grad: np.ndarray | None = None
    tolerance: Tolerance | None = None
    dtype_tolerance: dict = field(default_factory=dict)
    low_precision: bool = False
    derived_from: str | None = None   # the encoding this twin was derived from

    @property
    def set_params(self) -> dict[str, Any]:
        """The parameters that differ from the canonical defaults (for ids and messages)."""
        spec = LOSSES[self.loss]
        return {k: v for k, v in self.params.items()
                if not _same(v, spec.params[k].default)}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return np.array_equal(np.asarray(a), np.asarray(b))


def case_files(paths) -> list[Path]:
    """Expand files and folders (recursively) into case files, sorted for stable test order."""
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*")
                            if f.suffix in SUFFIXES and f.name != "schema.json")
        elif p.is_file():
            files.append(p)
        else:
            raise CaseError(p, None, None, "no such case file or folder")
    return files


def load(paths=(CASES_DIR,)) -> list[Case]:
    """All cases of the given files and folders, twins included; raise on the first bad one."""
    cases, seen = [], {}
    for path in case_files(paths):
        for case in load_file(path):
            key = (case.loss, case.id, case.encoding)
            if key in seen:
                raise CaseError(path, case.id, "id", f"duplicate id for {case.loss} "
                                                     f"(first in {seen[key]})")
            seen[key] = path
            cases.append(case)
    return cases


def load_file(path: Path) -> list[Case]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        doc = json.loads(text) if Path(path).suffix == ".json" else read_yaml(text)
    except (yaml.YAMLError, json.JSONDecodeError) as err:
        kind = Path(path).suffix[1:].upper()
        raise CaseError(path, None, None, f"not valid {kind}: {err}") from None
    if not _validated_before(text):
        _validate_schema(path, doc)
        _remember_validated(text)
    if doc["loss"] not in LOSSES:
        raise CaseError(path, None, "loss",
                        f"unknown loss {doc['loss']!r}; known: {', '.join(LOSSES)}")
    ids = [c["id"] for c in doc["cases"]]
    for i, case_id in enumerate(ids):
        if case_id in ids[:i]:
            raise CaseError(path, case_id, "id", "duplicate id in this file")
    out = []
    for raw in doc["cases"]:
        case = _build(path, doc["loss"], raw)
        out += [case, *_twins(case)]
    return out


def _validated_marker(text: str) -> Path:
    """A file named by the hash of the schema, jsonschema's version and the document's text:
    present once that text was found valid. Validation is as slow as parsing (80 ms a file) and
    every pytest process (each xdist worker, each subprocess of tests/) validates every file; a
    changed file, schema or validator has another hash, so it is validated again."""
    key = hashlib.sha256("\0".join((json.dumps(SCHEMA, sort_keys=True), VALIDATOR_VERSION,
                                     text)).encode()).hexdigest()
    return Path(cache_folder("valid-cases", key))


def _validated_before(text: str) -> bool:
    return _validated_marker(text).is_file()


def _remember_validated(text: str) -> None:
    marker = _validated_marker(text)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:     # a read-only cache: validated again next time, nothing else changes
        pass


def _validate_schema(path, doc):
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc),
                    key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = errors[0]
    loc = list(err.absolute_path)
    case_id = None
    if len(loc) >= 2 and loc[0] == "cases" and isinstance(loc[1], int):
        case_id = (doc["cases"][loc[1]] or {}).get("id", f"#{loc[1]}") \
            if isinstance(doc["cases"][loc[1]], dict) else f"#{loc[1]}"
        loc = loc[2:]
    # oneOf errors report the whole alternative; the deepest sub-error says what was wrong
    best = jsonschema.exceptions.best_match([err])
    message = best.message if len(best.message) < 300 else best.message[:300] + "..."
    raise CaseError(path, case_id, ".".join(map(str, loc)) or "(top level)", message)


def _build(path, loss_name, raw) -> Case:
    spec = LOSSES[loss_name]
    case_id = raw["id"]

    def fail(field_name, message):
        return CaseError(path, case_id, field_name, message)

    inputs = {}
    for name, value in raw["inputs"].items():
        try:
            inputs[name] = make_array(value)
        except ValueError as err:
            raise fail(f"inputs.{name}", str(err)) from None
    encoding = raw.get("encoding", "index" if spec.target == "class" else "none")
    for name, a in inputs.items():   # index targets and integer inputs stay integers;
        if name in spec.integer_inputs:  # [5, 4, 2] logits are floats
            if np.issubdtype(a.dtype, np.floating) and np.all(a == np.round(a)):
                inputs[name] = a.astype(np.int64)
        elif not (name == "target" and encoding == "index"):
            inputs[name] = a.astype(np.float64)
    if spec.target != "class" and "encoding" in raw:
        raise fail("encoding", f"{loss_name} has no class targets; leave encoding out")
    if (encoding == "index" and "target" in inputs
            and np.issubdtype(inputs["target"].dtype, np.floating)):
        t = inputs["target"]
        if np.all(t == np.round(t)) and np.all(np.isfinite(t)):
            inputs["target"] = t.astype(np.int64)
    params = dict(raw.get("params") or {})
    for name, value in params.items():     # weights may be generated like inputs
        if name in spec.params and spec.params[name].array and value is not None:
            try:
                params[name] = make_array(value)
            except ValueError as err:
                raise fail(f"params.{name}", str(err)) from None
    try:
        params = check_params(spec, params)
        with extended_domain(raw.get("extended_domain", False)):
            check_inputs(spec, inputs, params, encoding)
    except SpecError as err:
        raise fail(err.field, err.message) from None
    expected = expected_grad = None
    if "expected" in raw:
        expected = make_array(raw["expected"])
    if "expected_grad" in raw:
        expected_grad = make_array(raw["expected_grad"])
    if not reference.supports(loss_name):
        raise fail("expected", f"no reference implementation of {loss_name} can compute the "
                               "expected value")
    try:   # inputs and parameters are checked just above; sample weights need the output shape
        out_shape = reference.evaluate(loss_name, inputs, params, encoding,
                                       validate=False).value.shape
    except SpecError as err:
        raise fail(err.field, err.message) from None
    if expected is not None and expected.shape != out_shape:
        raise fail("expected", f"shape {expected.shape} but {loss_name} gives shape {out_shape}")
    first = spec.differentiable[0] if spec.differentiable else spec.primary
    if expected_grad is not None and expected_grad.shape != inputs[first].shape:
        raise fail("expected_grad", f"shape {expected_grad.shape} but {first} has shape "
                                    f"{inputs[first].shape}")
    if ("expected" in raw or "expected_grad" in raw) and "tolerance" not in raw:
        raise fail("tolerance", "a published expected value needs a tolerance saying how it was "
                                "rounded (atol/rtol and why)")
    tol = raw.get("tolerance")
    return Case(
        loss=loss_name, id=case_id, file=str(path), inputs=inputs, params=params,
        encoding=encoding, provenance=raw["provenance"], expected=expected,
        expected_grad=expected_grad,
        tolerance=(Tolerance(tol.get("atol", 0.0), tol.get("rtol", 0.0), tol["why"])
                   if tol else None),
        dtype_tolerance={d: Tolerance(t.get("atol", 0.0), t.get("rtol", 0.0), t["why"])
                         for d, t in (raw.get("dtype_tolerance") or {}).items()},
        low_precision=raw.get("low_precision", False))


def _twins(case: Case) -> list[Case]:
    """Encodings with the same canonical value: index -> one_hot, and, when label smoothing is
    on without class weights, one_hot -> probs with the smoothing folded into the target."""
    if case.encoding != "index":
        return []
    target, x = case.inputs["target"], case.inputs["input"]
    if np.any(target == case.params["ignore_index"]):
        return []   # an ignored target has no one-hot form
    axes = class_axes(x, case.params.get("axis", 1))
    c = int(np.prod([x.shape[a] for a in axes]))
    one_hot = joint_one_hot(target, x.shape, axes)
    twin = replace(case, encoding="one_hot", inputs={**case.inputs, "target": one_hot},
                   derived_from="index")
    twins = [twin]
    eps = case.params.get("label_smoothing", 0.0)
    if eps and case.params.get("weight") is None:
        twins.append(replace(twin, encoding="probs", derived_from="index",
                             inputs={**case.inputs, "target": (1 - eps) * one_hot + eps / c},
                             params={**case.params, "label_smoothing": 0.0}))
    return twins


def joint_one_hot(index, shape, axes) -> np.ndarray:
    """The one-hot of class indices laid along the class axes `axes` of an input of `shape`: one
    axis, or joint axes (a flat index into them, unravelled row-major in the order given)."""
    sizes = tuple(shape[a] for a in axes)
    one_hot = np.eye(int(np.prod(sizes)))[index].reshape(np.shape(index) + sizes)
    return np.moveaxis(one_hot, tuple(range(np.ndim(index), one_hot.ndim)), axes)


# ---------------------------------------------------------------- arrays

def make_array(value) -> np.ndarray:
    """A literal, a seeded generator, or a function applied to either."""
    if isinstance(value, dict) and "generate" in value:
        return _generate(value)
    if isinstance(value, dict) and "apply" in value:
        a = make_array(value["to"]).astype(np.float64)
        fn = value["apply"]
        with np.errstate(divide="ignore"):
            if fn == "log":
                return np.log(a)
            if fn == "sigmoid":
                return sigmoid(a)
            axis = value.get("axis", class_axis(a))
            # a list of axes: one softmax over them jointly (numpy takes a tuple)
            logp = log_softmax(a, tuple(axis) if isinstance(axis, list) else axis)
            return np.exp(logp) if fn == "softmax" else logp
    try:
        a = np.asarray(_literal(value))
    except ValueError:
        raise ValueError("ragged array: rows of different lengths") from None
    if a.dtype.kind not in "iuf" and a.size:
        raise ValueError(f"not a numeric array (got {a.dtype})")
    return a if a.dtype.kind in "iu" else a.astype(np.float64)


def _literal(value):
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, str):
        return float(value)      # the schema allows only "inf", "-inf" and "nan"
    return value


def _generate(g) -> np.ndarray:
    rng = np.random.default_rng(g["seed"])
    shape = tuple(g["shape"])
    kind = g["generate"]
    if kind == "normal":
        return rng.normal(g.get("mean", 0.0), g.get("std", 1.0), shape)
    if kind == "uniform":
        return rng.uniform(g.get("low", 0.0), g.get("high", 1.0), shape)
    if kind == "full":
        if "value" not in g:
            raise ValueError("full needs `value`")
        return np.full(shape, float(g["value"]))
    if kind == "bernoulli":
        return (rng.uniform(size=shape) < g.get("p", 0.5)).astype(np.float64)
    if "high" not in g:
        raise ValueError("randint needs `high` (exclusive)")
    return rng.integers(int(g.get("low", 0)), int(g["high"]), shape, dtype=np.int64)


def plain(value):
    """Numbers and lists a case file holds; infinities and nan as the schema's strings."""
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return str(float(value))
    if isinstance(value, np.generic):
        return value.item()
    return value
