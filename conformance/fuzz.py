"""Fuzzing: Hypothesis strategies derived from the catalogue, and the properties every adapter path
must have on what they generate.

Strategies come from the spec, never from a loss by name. A loss's `layouts` give the shapes its
inputs take together, in named dimensions (N batch, C classes, D features, H W spatial, T frames,
S target length; a digit is a literal size, '' a 0-d input), and its `values` the kind of values of
each input; both default from the loss's target kind (`domain`). An example draws:
- one layout the path takes, and a size for each of its dimensions (N = 1 and C = 1 included);
- a dtype the path takes; then each input's values by its kind: real values at a drawn scale, or
  rows at very different scales, over the range the dtype holds without overflow or underflow in
  a product of two inputs (RANGE: magnitudes within [4 sqrt(tiny), sqrt(max) / 4] of the dtype,
  the bound of squares and norms; beyond it every implementation overflows in its intermediates,
  which is range, not semantics; smaller magnitudes are drawn as 0, and no subnormal numbers:
  TensorFlow's and XLA's CPU kernels flush them to zero, seen as BCE with a target of 2.2e-313
  at a probability of 0 giving 0 in tf.math.xlogy and jnp.log, not inf); exact zeros and ties
  (the target equal to the input in places, a value copied to another element); for class
  logits, rarely, -inf (a class of probability 0, which the definition covers; other infinities
  and nan are left to the hand-written cases, where the spec says what they mean); half the
  time the values stay around 1, where margins and thresholds of 1 make exact kinks;
- each parameter the path declares: half the time its default (most calls, and most bugs, use
  it), else one of its `choices`, or one of the candidates below (its default and the edges: 0,
  +-1, 0.5, 1e-12 ... 1e12, +-inf, booleans) that its check accepts, or a drawn number (an
  integer for an integer parameter) it accepts; array parameters (weights) as None or
  non-negative arrays with zeros and every element drawn, in every shape the spec accepts
  (sample weights over leading axes of the unreduced loss);
- a target encoding the path takes; a class axis anywhere where the path takes `axis`, and where
  it takes a tuple (tuple_params), half the time a spatial axis joined to it (both in a drawn
  order, maybe counted from the end) with a target drawn afresh over the joint classes, or, with
  no spatial axis, the class axis as a 1-tuple; where the path takes a tuple `axis` that holds
  no classes (cosine_similarity's vectors), half the time a drawn set of distinct axes in a
  drawn order, maybe counted from the end.
An example the spec rejects (check_params, check_inputs) is discarded, so a new loss, parameter or
input is fuzzed with no new strategy code; a loss whose inputs need more structure than its target
kind gives declares `layouts` and `values` in its family's spec.

Tolerance: the suite's tolerance for the dtype (conformance/tolerances.py), plus how far the
reference itself moves when every input value moves by EXTRA_ULPS units in the last place of the
dtype (two such perturbations, opposite signs, each value's sign a function of the value, so exact
ties and zeros stay exact). A backward-stable computation returns the exact result for inputs
perturbed that much (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., 2002,
sections 1.5-1.6: forward error <= condition number x backward error), so this is the error such
an implementation may have on ill-conditioned examples (logits of 1e8, rows of very different
scales), and nothing more on well-conditioned ones. Where a loss's definition subtracts
intermediates larger than its value (its spec's `cancels`: logsumexp(x) - x_y at logits of 1e6,
d(a, p) - d(a, n) of two distances of 1e8), the value's tolerance also has EXTRA_ULPS ulps of
them: rounded, they leave that absolute error in any implementation, the reference's too (Higham,
section 4.2: a computed sum is off by up to gamma_n sum |x_i|). The expected value is the reference
rounded to the dtype (a result beyond its range is inf); an element where the reference is nan
(the definition is undefined there: inf / inf) is not compared.
"""
from __future__ import annotations

import datetime
import hashlib
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from adapters import cache_folder, reference
from adapters.definitions import (
    CLASS_AXIS,
    SpecError,
    check_inputs,
    check_params,
    class_axes,
    class_axis,
    is_int,
)
from adapters.registry import has_gradients
from adapters.spec import FAMILY, LOSSES

from . import tolerances
from .assertions import ConformanceFailure, Worst, assert_close, assert_dtype, close_mask
from .cases import Case, Tolerance, joint_one_hot, plain
from .checks import Check, Prepared, context, shifted, worse

SIZES = {"N": (1, 4), "C": (1, 5), "D": (1, 4), "H": (1, 3), "W": (1, 2), "T": (1, 6),
         "S": (0, 3)}
# real values are drawn around 1 and multiplied by one of these (within the dtype's RANGE), or
# each row by its own power of 10
SCALES = (1.0, 1.0, 1e-30, 1e-15, 1e-8, 1e-3, 1e3, 1e8, 1e15, 1e30)
FINFO = {"float64": np.finfo(np.float64), "float32": np.finfo(np.float32),
         "float16": np.finfo(np.float16)}


def value_range(dtype: str) -> tuple[float, float]:
    """The magnitudes a real input takes in `dtype`: [4 sqrt(tiny), sqrt(max) / 4]."""
    if dtype == "bfloat16":     # float32's exponent range, 8 bits of mantissa
        info = FINFO["float32"]
    else:
        info = FINFO[dtype]
    return 4 * math.sqrt(float(info.tiny)), math.sqrt(float(info.max)) / 4
PARAM_CANDIDATES = (0, 1, -1, 2, 3, 0.5, 0.1, 0.9, 1e-12, 1e-6, 1e6, 1e12, -0.5, -2.0, 100,
                    -100, 0.25, 0.75, math.inf, -math.inf, True, False)
EXTRA_ULPS = 4
UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24, "float16": 2.0**-11,
                 "bfloat16": 2.0**-8}


@dataclass(frozen=True)
class Domain:
    layouts: tuple[dict[str, str], ...]
    values: dict[str, str]


def domain(loss) -> Domain:
    """The loss's declared layouts and value kinds, or those its target kind implies."""
    values = dict(loss.values)
    if loss.layouts:
        return Domain(tuple(loss.layouts), values)
    if loss.target is None:
        layouts = ({"input": "D"}, {"input": "N D"}, {"input": "N C H"})
    elif loss.target == "class":
        layouts = ({"input": "C", "target": ""}, {"input": "N C", "target": "N"},
                   {"input": "N C H", "target": "N H"}, {"input": "N C H W", "target": "N H W"})
        values.setdefault("target", "index")
    else:    # "binary" and "same": elementwise, the target the input's shape
        layouts = ({"input": "D", "target": "D"}, {"input": "N D", "target": "N D"},
                   {"input": "N D H", "target": "N D H"})
        values.setdefault("target", "unit" if loss.target == "binary" else "real")
    return Domain(layouts, values)


@dataclass
class Example:
    loss: str
    inputs: dict[str, np.ndarray]
    params: dict          # the parameters set (the path's); the others keep their defaults
    encoding: str
    dtype: str
    layout: dict = None   # each input's named dimensions (the batch axis is where "N" is)

    def variant(self, inputs=None, params=None, encoding=None, dtype=None) -> Example:
        return Example(self.loss, self.inputs if inputs is None else inputs,
                       self.params if params is None else params, encoding or self.encoding,
                       dtype or self.dtype, self.layout)


# ---------------------------------------------------------------- strategies

def _dims(dims: str) -> list[str]:
    return dims.split()


def _shape(dims: str, sizes: dict) -> tuple[int, ...]:
    return tuple(int(d) if d.isdigit() else sizes[d] for d in _dims(dims))


def _finite(shape):
    elements = st.one_of(st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False,
                                   allow_subnormal=False),
                         st.sampled_from([0.0, 1.0, -1.0]))
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def _real(draw, shape, dtype):
    lo, hi = value_range(dtype)
    x = draw(_finite(shape))
    if draw(st.booleans()):     # around 1, where a margin or threshold of 1 makes exact kinks
        return x
    if x.ndim and x.shape[0] > 1 and draw(st.booleans()):    # rows at very different scales
        top = int(math.log10(hi)) - 1
        exponents = draw(hnp.arrays(np.int64, x.shape[0], elements=st.integers(-top, top)))
        x = x * (10.0 ** exponents).reshape((-1,) + (1,) * (x.ndim - 1))
    else:
        x = x * draw(st.sampled_from([s for s in SCALES if lo <= s <= hi / 4] + [lo, hi / 4]))
    return np.where(np.abs(x) < lo, 0.0, x)     # below the RANGE: 0, as the dtype would give


def _values(kind: str, shape, sizes: dict, dims: str, dtype: str):
    """A strategy for an input of `shape` whose values are of `kind`."""
    if kind == "real":
        return _real(shape, dtype)
    if kind == "nonneg":
        return _real(shape, dtype).map(np.abs)
    if kind == "unit":
        return hnp.arrays(np.float64, shape, elements=st.one_of(
            st.floats(0.0, 1.0, allow_subnormal=False), st.sampled_from([0.0, 1.0, 0.5])))
    if kind == "sign":
        return hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    if kind == "binary":    # 0/1 labels
        return hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))
    if kind == "index":
        return hnp.arrays(np.int64, shape, elements=st.integers(0, sizes["C"] - 1))
    if kind == "label":   # class indices read up to the first -1
        return hnp.arrays(np.int64, shape, elements=st.integers(-1, sizes["C"] - 1))
    if kind.startswith("length:"):
        return hnp.arrays(np.int64, shape, elements=st.integers(0, sizes[kind[7:]]))
    if kind == "one_hot":
        axis = _dims(dims).index("C")
        return _values("index", tuple(s for i, s in enumerate(shape) if i != axis), sizes,
                       "", dtype).map(lambda y: np.moveaxis(np.eye(shape[axis])[y], -1, axis))
    if kind in ("probs", "log_probs"):    # a distribution over the C axis (exact 0 and 1 too)
        axis = _dims(dims).index("C")
        logits = hnp.arrays(np.float64, shape, elements=st.one_of(
            st.floats(-30.0, 30.0, allow_subnormal=False), st.sampled_from([-np.inf, 0.0])))
        normalized = logits.map(lambda z: _log_softmax(z, axis)).filter(
            lambda lp: not np.isnan(lp).any())
        return normalized if kind == "log_probs" else normalized.map(np.exp)
    raise ValueError(f"unknown value kind {kind!r}")


def _log_softmax(z, axis):
    with np.errstate(invalid="ignore", divide="ignore"):
        top = np.max(z, axis=axis, keepdims=True)
        shifted = z - top
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _class_target(draw, index, x, encoding):
    """A class target in `encoding`: one-hot of the drawn indices, or probabilities (a one-hot
    row mixed with a drawn distribution) over the input's class axis."""
    axis = 1 if x.ndim >= 2 else 0
    one_hot = np.moveaxis(np.eye(x.shape[axis])[index], -1, axis)
    if encoding == "one_hot":
        return one_hot
    mix = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    noise = draw(hnp.arrays(np.float64, x.shape,
                            elements=st.floats(0.0, 1.0, allow_subnormal=False)))
    total = noise.sum(axis=axis, keepdims=True)
    spread = np.divide(noise, total, out=np.full_like(noise, 1.0 / x.shape[axis]),
                       where=total > 0)
    return (1 - mix) * one_hot + mix * spread


def _move_class_axis(draw, inputs, layout, encoding) -> dict:
    """The class axis anywhere, for a path that takes `axis`: the channels-first example's class
    axis (1) moved to a drawn axis, in the input and a one-hot/probs target, and the layout with
    it; returns the parameter ({} for 1-D input, whose classes are its only axis)."""
    x = inputs["input"]
    if x.ndim < 2:
        return {}
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    dims = _dims(layout["input"])
    dims.insert(axis % x.ndim, dims.pop(1))
    inputs["input"], layout["input"] = np.moveaxis(x, 1, axis), " ".join(dims)
    if encoding != "index":     # a one-hot or probability target is laid out as the input
        inputs["target"], layout["target"] = np.moveaxis(inputs["target"], 1, axis), " ".join(dims)
    return {"axis": axis}


def _join_class_axes(draw, inputs, layout, encoding, params) -> dict:
    """Several class axes at once, for a path that takes a tuple `axis`: sometimes a spatial axis
    joins the class axis (one softmax over both, in a drawn order, each maybe counted from the
    end) with a target drawn afresh over the joint classes; without a spatial axis, sometimes
    the class axis as a 1-tuple. Returns the parameter ({} to keep the drawn one)."""
    x = inputs["input"]
    if "axis" not in params or not draw(st.booleans()):
        return {}
    dims = _dims(layout["input"])
    spatial = [i for i, d in enumerate(dims) if d not in ("N", "C")]
    if not spatial:
        return {"axis": (params["axis"],)}
    j = draw(st.sampled_from(spatial))
    axes = draw(st.sampled_from([(dims.index("C"), j), (j, dims.index("C"))]))
    given = tuple(a - x.ndim if draw(st.booleans()) else a for a in axes)
    c = int(np.prod([x.shape[a] for a in axes]))
    rest = tuple(s for i, s in enumerate(x.shape) if i not in axes)
    index = draw(hnp.arrays(np.int64, rest, elements=st.integers(0, max(c - 1, 0))))
    if encoding == "index":
        inputs["target"] = index
        layout["target"] = " ".join(d for i, d in enumerate(dims) if i not in axes)
        return {"axis": given}
    one_hot = joint_one_hot(index, x.shape, axes)
    if encoding == "probs":      # a one-hot mixed with a drawn distribution over the joint axes
        mix = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
        noise = draw(hnp.arrays(np.float64, x.shape,
                                elements=st.floats(0.0, 1.0, allow_subnormal=False)))
        total = noise.sum(axis=axes, keepdims=True)
        spread = np.divide(noise, total, out=np.full_like(noise, 1.0 / max(c, 1)),
                           where=total > 0)
        one_hot = (1 - mix) * one_hot + mix * spread
    inputs["target"] = one_hot
    return {"axis": given}


def _vector_axes(draw, x) -> dict:
    """Axes anywhere, for a path that takes a tuple `axis` of a loss whose axis holds no classes
    (cosine_similarity's vectors): half the time the default, else a drawn set of distinct axes
    in a drawn order, each maybe counted from the end, one of them sometimes given as an integer.
    Returns the parameter ({} for the default, and for 0-d input)."""
    if x.ndim == 0 or draw(st.booleans()):
        return {}
    if x.ndim >= 2 and draw(st.booleans()):   # several axes: each set of two or more alike
        sets = [c for k in range(2, x.ndim + 1) for c in itertools.combinations(range(x.ndim), k)]
        axes = draw(st.permutations(draw(st.sampled_from(sets))))
    else:
        axes = draw(st.permutations(range(x.ndim)))[:draw(st.integers(1, x.ndim))]
    given = tuple(a - x.ndim if draw(st.booleans()) else a for a in axes)
    return {"axis": given if len(given) > 1 or draw(st.booleans()) else given[0]}


def _param(draw, param, x, declared=()):
    if param.array:
        if draw(st.booleans()):
            return None
        shape = draw(st.sampled_from([(x.shape[1 if x.ndim >= 2 else 0],), x.shape[-1:],
                                      x.shape] if x.ndim else [()]))
        # every element drawn (no fill value): weights that differ from class to class
        return draw(hnp.arrays(np.float64, shape, elements=st.one_of(
            st.floats(0.0, 3.0, allow_subnormal=False), st.sampled_from([0.0, 1.0])),
            fill=st.nothing()))
    if draw(st.booleans()):     # the default: most calls, and most bugs, use it
        return param.default
    if param.choices:     # a value the path takes only with a parameter it lacks: not drawn
        lacking = {value for value, needed in param.requires if needed not in declared}
        return draw(st.sampled_from([v for v in param.choices if v not in lacking]))
    candidates = [v for v in (param.default, *PARAM_CANDIDATES) if _accepts(param, v)]
    if isinstance(param.default, bool):
        return draw(st.sampled_from(candidates))
    # an integer parameter (an axis, an index) accepts no drawn float
    numbers = (st.integers(-10, 10) if isinstance(param.default, int) else
               st.floats(-10.0, 10.0, allow_subnormal=False)).filter(lambda v: _accepts(param, v))
    return draw(st.one_of(st.sampled_from(candidates), numbers) if candidates else numbers)


@st.composite
def _sample_weight(draw, loss, inputs, params, encoding):
    """None, or sample weights over leading axes of the unreduced loss: (), per sample, or up to
    every element (definitions.align_leading), each axis its size or 1."""
    if draw(st.booleans()):
        return None
    shape = reference.evaluate(loss.name, inputs, {**params, "reduction": "none"}, encoding,
                               validate=False).value.shape
    rank = draw(st.integers(0, len(shape)))
    weight_shape = tuple(draw(st.sampled_from([n, 1])) for n in shape[:rank])
    if draw(st.booleans()):     # a 0/1 mask: holding both values is then common, not rare
        return draw(hnp.arrays(np.float64, weight_shape, elements=st.sampled_from([0.0, 1.0])))
    return draw(hnp.arrays(np.float64, weight_shape, elements=st.one_of(
        st.floats(0.0, 3.0, allow_subnormal=False), st.sampled_from([0.0, 1.0]))))


def _accepts(param, value) -> bool:
    try:
        return bool(param.check(value))
    except Exception:
        return False


@st.composite
def examples(draw, path, dtypes) -> Example:
    """Examples a path takes: a layout of its ranks, an encoding and a dtype of its."""
    loss = LOSSES[path.loss]
    dom = domain(loss)
    layouts = [lay for lay in dom.layouts
               if path.ndims is None or len(_dims(lay[loss.primary])) in path.ndims]
    if not layouts:
        reject()
    layout = dict(draw(st.sampled_from(layouts)))   # a copy: the class axis may move
    letters = sorted({d for dims in layout.values() for d in _dims(dims) if not d.isdigit()})
    sizes = {d: draw(st.integers(*SIZES[d])) for d in letters}
    dtype = draw(st.sampled_from(sorted(dtypes)))
    inputs = {name: draw(_values(_kind(draw, dom.values.get(name, "real")),
                                 _shape(layout[name], sizes), sizes, layout[name], dtype))
              for name in loss.inputs}
    encoding = "none"
    if loss.target == "class":
        x = inputs["input"]
        if x.size and draw(st.integers(0, 5)) == 0:     # a class of probability 0
            x.flat[draw(st.integers(0, x.size - 1))] = -np.inf
        encoding = draw(st.sampled_from(sorted(path.encodings)))
        if encoding != "index":
            inputs["target"] = _class_target(draw, inputs["target"], x, encoding)
    tie = draw(st.sampled_from(["none", "copy", "zero"]))
    _tie(draw, tie, inputs, dom)
    x = inputs[loss.primary]
    params = {name: _param(draw, loss.params[name], x, path.params) for name in sorted(path.params)
              if name not in ("sample_weight", "axis")}
    # a class loss's `axis`, or the Dice family's (target "other", the classes on axis 1 too)
    if "axis" in path.params and (loss.target == "class" or loss.params["axis"] is CLASS_AXIS):
        params.update(_move_class_axis(draw, inputs, layout, encoding))
        if "axis" in path.tuple_params:
            params.update(_join_class_axes(draw, inputs, layout, encoding, params))
        x = inputs[loss.primary]
    elif "axis" in path.tuple_params:     # no class axis: the vectors' axes (cosine_similarity)
        params.update(_vector_axes(draw, x))
    _ignore_pixels(draw, loss, inputs, params)
    try:
        full = check_params(loss, params)
        check_inputs(loss, inputs, full, encoding)
        if "sample_weight" in path.params:
            params["sample_weight"] = draw(_sample_weight(loss, inputs, full, encoding))
    except SpecError:
        reject()
    # refused on the drawn inputs, or on them rounded to the dtype, as the path receives them (a
    # probability of 1e-163 is 0 in float32)
    if path.unsupported(loss, encoding, params, dtype, x.ndim, inputs) or path.unsupported(
            loss, encoding, params, dtype, x.ndim, {n: _rounded(a, dtype) for n, a in
                                                   inputs.items()}):
        reject()
    return Example(loss.name, inputs, params, encoding, dtype, dict(layout))


def _ignore_pixels(draw, loss, inputs, params):
    """A Dice-family target (classes on params.axis) with drawn pixels set to its drawn
    ignore_index in every channel, as an index target's ignored label one-hot encoded."""
    k = params.get("ignore_index")
    if k is None or loss.target != "other" or loss.params.get("axis") is not CLASS_AXIS \
            or not is_int(k):
        return
    t = inputs["target"]
    pixels = list(t.shape)
    pixels[class_axis(t, params.get("axis", 1))] = 1
    ignored = draw(hnp.arrays(np.bool_, tuple(pixels)))
    inputs["target"] = np.where(ignored, float(k), t)


def _rounded(a: np.ndarray, dtype: str) -> np.ndarray:
    """Floating `a` rounded to `dtype` (bfloat16 through ml_dtypes, which JAX and TensorFlow
    install; without it, to float32), back in float64."""
    if not np.issubdtype(a.dtype, np.floating) or dtype == "float64":
        return a
    if dtype == "bfloat16":
        try:
            import ml_dtypes
            return a.astype(ml_dtypes.bfloat16).astype(np.float64)
        except ImportError:
            dtype = "float32"
    return a.astype(dtype).astype(np.float64)


def value_kinds(kinds) -> tuple[str, ...]:
    return (kinds,) if isinstance(kinds, str) else tuple(kinds)


def _kind(draw, kinds) -> str:
    """An input's kind of values: the one declared, or one of several alternatives."""
    return kinds if isinstance(kinds, str) else draw(st.sampled_from(kinds))


def _tie(draw, tie, inputs, dom):
    """Exact kinks and ties: the second real input equal to the first in places, or zeros."""
    real = [n for n in inputs if "real" in value_kinds(dom.values.get(n, "real"))
            and np.issubdtype(inputs[n].dtype, np.floating)]
    if tie == "none" or not real or not inputs[real[0]].size:
        return
    first = inputs[real[0]]
    mask = draw(hnp.arrays(np.bool_, first.shape))
    if tie == "zero":
        inputs[real[0]] = np.where(mask, 0.0, first)
        return
    for other in real[1:]:
        if inputs[other].shape == first.shape:
            inputs[other] = np.where(mask, first, inputs[other])
            return
    inputs[real[0]] = np.where(mask, first.flat[0], first)     # ties within one input


# ---------------------------------------------------------------- an example as a case

def example_id(example: Example) -> str:
    """A name for the example from its content: the same example, the same id."""
    digest = hashlib.sha1(repr((example.loss, example.encoding, example.dtype,
                                sorted((k, v.tolist()) for k, v in example.inputs.items()),
                                sorted((k, plain(v)) for k, v in example.params.items())))
                          .encode()).hexdigest()
    return f"fuzz-{digest[:10]}"


def as_case(example: Example, provenance: str) -> Case:
    loss = LOSSES[example.loss]
    return Case(loss=example.loss, id=example_id(example), file="(generated by fuzzing)",
                inputs=example.inputs, params=check_params(loss, dict(example.params)),
                encoding=example.encoding, provenance=provenance,
                low_precision=example.dtype in ("float16", "bfloat16"))


def case_file(example: Example, provenance: str, folder: Path) -> Path:
    """Write the example as a case file (cases/schema.json) ready to commit; return its path."""
    case = {"id": example_id(example), "inputs": {k: plain(v) for k, v in example.inputs.items()},
            "provenance": provenance}
    if LOSSES[example.loss].target == "class":
        case["encoding"] = example.encoding
    if example.params:
        case["params"] = {k: plain(v) for k, v in example.params.items()}
    if example.dtype in ("float16", "bfloat16"):
        case["low_precision"] = True
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{example.loss}-{case['id']}.yaml"
    path.write_text(yaml.safe_dump({"loss": example.loss, "cases": [case]}, sort_keys=False,
                                   width=100), encoding="utf-8")
    return path


# ---------------------------------------------------------------- tolerance

def _signs(a: np.ndarray) -> np.ndarray:
    """+1 or -1 for each element, a function of its value (equal values, equal signs)."""
    bits = np.array(a, dtype=np.float64).view(np.uint64)     # a copy, its shape kept (0-d too)
    with np.errstate(over="ignore"):
        mixed = bits * np.uint64(0x9E3779B97F4A7C15)
    return np.where((mixed >> np.uint64(63)) == 1, 1.0, -1.0)


def _perturbed(arrays: dict, step: float) -> dict:
    """Every non-integer value moved by `step` relative to itself (its sign by its value);
    integers (class indices, counts, one-hot entries, 0 and +-1) stay exact."""
    out = {}
    for name, a in arrays.items():
        a = np.asarray(a)
        if a.dtype.kind != "f":
            out[name] = a
            continue
        with np.errstate(invalid="ignore"):
            exact = ~np.isfinite(a) | (a == np.round(a))
        out[name] = np.where(exact, a, a * (1 + step * _signs(a)))
    return out


def tolerance(prep, cotangent, base: Tolerance):
    """`base` widened, element by element, by how far the reference moves (value and each
    gradient) when the inputs move by EXTRA_ULPS units in the last place of the dtype."""
    step = EXTRA_ULPS * UNIT_ROUNDOFF[prep.check.dtype]
    exact = prep.reference(cotangent=cotangent)
    spread_v = np.zeros(np.shape(exact.value))
    spread_g = {n: np.zeros(np.shape(g)) for n, g in exact.grads.items()}
    for sign in (1.0, -1.0):
        params = {k: v for k, v in prep.seen_params.items()}
        arrays = {k: v for k, v in params.items() if isinstance(v, np.ndarray)}
        moved = reference.evaluate(prep.case.loss, _perturbed(prep.seen, sign * step),
                                   {**params, **_perturbed(arrays, sign * step)},
                                   prep.case.encoding, prep.check.path.conventions, cotangent,
                                   validate=False)
        spread_v = np.maximum(spread_v, _spread(moved.value, exact.value))
        for n in spread_g:
            spread_g[n] = np.maximum(spread_g[n], _spread(moved.grads[n], exact.grads[n]))
    why = (f"{base.why}; plus how far the reference moves when the inputs move by {EXTRA_ULPS} "
           f"ulps of {prep.check.dtype} (conformance/fuzz.py)")
    if LOSSES[prep.case.loss].cancels is not None:
        value_cancels, grad_cancels = _cancels(LOSSES[prep.case.loss], prep.seen)
        spread_v = spread_v + step * value_cancels
        why += f", and for the value {EXTRA_ULPS} ulps of what the definition cancels"
        for n, c in grad_cancels.items():    # a gradient that cancels terms larger than itself
            spread_g[n] = spread_g[n] + step * np.broadcast_to(c, np.shape(spread_g[n]))
    return (Tolerance(base.atol + spread_v, base.rtol, why),
            {n: Tolerance(base.atol + s, base.rtol, why) for n, s in spread_g.items()})


def _cancels(loss, inputs) -> tuple[float, dict]:
    """What the definition cancels (the spec's `cancels`): the value's magnitude, and for a loss
    whose `cancels` returns {"value": v, "grads": {input: magnitudes}}, each gradient's (the
    cosine's gradient y / (|x| |y|) - c x / |x|^2 subtracts terms of size 1 / |x|)."""
    found = loss.cancels(inputs)
    if isinstance(found, dict):
        return found.get("value", 0.0), found.get("grads", {})
    return found, {}


def _spread(a, b) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        d = np.abs(np.asarray(a, float) - np.asarray(b, float))
    return np.where(np.isfinite(d), d, 0.0)


# ---------------------------------------------------------------- the properties

@dataclass(frozen=True, eq=False)    # compared and hashed by identity: one per path and run
class Fuzzed:
    """One adapter path to fuzz, with the dtypes and device of the run."""
    adapter: object
    path: object
    dtypes: tuple[str, ...]
    device: str

    @property
    def id(self) -> str:
        return f"{self.path.id}:{self.path.loss}"

    def __repr__(self):
        return f"Fuzzed({self.id!r}, dtypes={list(self.dtypes)}, device={self.device!r})"

    def _repr_pretty_(self, printer, cycle):    # how Hypothesis prints a failing test's arguments
        printer.text(repr(self))


def _check(fuzzed: Fuzzed, example: Example, provenance: str, kind: str = "value") -> Check:
    return Check(kind, fuzzed.adapter, fuzzed.path, as_case(example, provenance), example.dtype,
                 "cpu" if fuzzed.adapter.name == "reference" else fuzzed.device)


def agrees_with_reference(fuzzed: Fuzzed, example: Example, reproduce: str) -> Worst:
    """The path's value and gradients equal the reference under its conventions, within the
    dtype's tolerance widened by the example's conditioning (`tolerance`)."""
    __tracebackhide__ = True
    check = _check(fuzzed, example, "fuzzed")
    prep = Prepared(check)
    v = prep.cotangent()
    # a backend of values only: its value (its gradient checks say why they are skipped)
    value, grads = prep.outputs(v) if has_gradients(prep.backend) else (prep.value(), {})
    expected = prep.reference(cotangent=v)
    tol_value, tol_grads = tolerance(prep, v, tolerances.DEFAULTS[example.dtype])
    what = ("reference (float64) on the same rounded inputs, following the path's conventions, "
            "rounded to the dtype; not compared where it is nan (undefined)")
    ctx = context(check, "value differs from the reference (fuzzed example)", what, reproduce)
    worst = assert_close(value, _defined(prep, expected.value, value), tol_value, ctx)
    for name, got in grads.items():
        ctx.title = (f"{check.path.id} ({check.path.kind}): {check.case.loss} gradient"
                     + (f" with respect to {name}" if len(grads) > 1 else "")
                     + " differs from the reference (fuzzed example)")
        worst = worse(worst, assert_close(got, _defined(prep, expected.grads[name], got),
                                          tol_grads[name], ctx))
    if check.path.checks_dtype:     # the result itself, before to_numpy makes it float64
        assert_dtype(check.path.fn(*prep.args, **prep.kwargs), check.dtype, context(
            check, "result has another dtype than the check's (fuzzed example)",
            "the check's dtype, which the path declares it computes and returns in: "
            "checks_dtype", reproduce))
    return worst


def _defined(prep, expected, got):
    """The reference rounded to the check's dtype (beyond its range: inf), and the path's own
    value where the reference is nan: the definition says nothing there."""
    expected = np.asarray(expected, float)
    rounded = prep.backend.to_numpy(prep.backend.asarray(expected, prep.check.dtype,
                                                         prep.check.device))
    got = np.broadcast_to(np.asarray(got, float), expected.shape) if np.shape(got) == np.shape(
        expected) else expected
    return np.where(np.isnan(expected), got, rounded)


def holds_invariants(fuzzed: Fuzzed, example: Example, reproduce: str) -> Worst:
    """Relations between the path's own outputs, no oracle needed (the reference gives only the
    spec's divisors and what a convention shifts):
    - 'sum' is the sum of 'none', and 'mean' is 'sum' over the divisor;
    - permuting the batch permutes 'none' and leaves 'sum' and 'mean';
    - the batch split in two, recombined with each half's divisor, gives the whole (the bug of
      chunked cross-entropy kernels);
    class losses:
    - one-hot targets give what index targets give (shifted by what the conventions predict);
    - a row whose target is ignore_index counts as the row removed;
    - spatial input flattened to (N d1..dk, C) gives the same 'sum' and 'mean';
    - class weights scaled by 2 scale the loss as the spec says (a weighted mean not at all).
    Each relation is checked where the definition has it: computed on the reference's own
    outputs first, and skipped where they break it (a Dice summed over the batch does not split
    into halves, say). With sample weights only the reductions' relations are checked: the others
    move samples, and the weights would have to move with them."""
    __tracebackhide__ = True
    loss = LOSSES[example.loss]
    reductions = _reductions(fuzzed.path, loss, example)
    calls = _Calls(fuzzed)
    worst = Worst()
    weighted = example.params.get("sample_weight") is not None
    for name, relation in _RELATIONS[:1] if weighted else _RELATIONS:
        for got, expected, terms, what in relation(calls, example, loss, reductions):
            # where the reference is nan the definition says nothing (inf - inf)
            undefined = np.isnan(got.ref) | np.isnan(expected.ref)
            holds = close_mask(got.ref, expected.ref, _sum_tolerance(terms.ref, "float64"))
            if not np.all(holds | undefined):
                continue          # the definition itself does not have this relation here
            wanted = expected.path
            if np.shape(got.path) == np.shape(wanted) == np.shape(undefined):
                wanted = np.where(undefined, got.path, wanted)
            check = _check(fuzzed, example, "fuzzed")
            ctx = context(check, f"breaks the invariant: {name} (fuzzed example)", what, reproduce)
            tol = _sum_tolerance(terms.path, example.dtype)
            if loss.cancels is not None:     # each side cancels on its own (`tolerance`)
                tol = Tolerance(tol.atol + 2 * EXTRA_ULPS * UNIT_ROUNDOFF[example.dtype]
                                * _cancels(loss, example.inputs)[0], tol.rtol,
                                tol.why + f", and {EXTRA_ULPS} ulps of what the definition "
                                "cancels, on each side")
            worst = worse(worst, assert_close(got.path, wanted, tol, ctx))
    return worst


@dataclass
class Both:
    """The same quantity from the path and from the reference: relations are written once."""
    path: np.ndarray
    ref: np.ndarray

    def _map(self, fn, other=None):
        if isinstance(other, Both):
            return Both(fn(self.path, other.path), fn(self.ref, other.ref))
        return Both(fn(self.path, other), fn(self.ref, other)) if other is not None else Both(
            fn(self.path), fn(self.ref))

    def __truediv__(self, other):
        with np.errstate(invalid="ignore", divide="ignore"):
            return self._map(np.divide, other)

    def __add__(self, other):
        return self._map(np.add, other)

    def __mul__(self, other):
        return self._map(np.multiply, other)

    def sum(self):
        return self._map(np.sum)

    def rows(self, order):
        """Reordered along the first axis (a 0-d or reduced value stays)."""
        return self._map(lambda a: a[order] if np.ndim(a) else a)


class _Calls:
    """The path's value (forward only) and the reference's (under the path's conventions) on a
    variant of an example, and the reference's divisor of 'mean'."""

    def __init__(self, fuzzed: Fuzzed):
        self.fuzzed = fuzzed

    def __call__(self, example: Example, **params) -> tuple[Both, object]:
        variant = example.variant(params={**example.params, **params})
        prep = Prepared(_check(self.fuzzed, variant, "fuzzed"))
        value = prep.backend.to_numpy(prep.check.path.fn(*prep.args, **prep.kwargs))
        ref = prep.reference()
        return Both(np.asarray(value, float), np.asarray(ref.value, float)), ref.divisor


def _reductions(path, loss, example=None) -> tuple[str, ...]:
    """The reductions the path computes: the loss's, less those it refuses on `example`
    (transformers' losses, scikit-learn's metrics and MONAI's DiceCELoss have no
    'none')."""
    if "reduction" not in path.params:
        return ()
    return tuple(r for r in ("none", "sum", "mean") if r in loss.params["reduction"].choices
                 and (example is None or path.unsupported(
                     loss, example.encoding, {**example.params, "reduction": r}, example.dtype,
                     example.inputs[loss.primary].ndim, example.inputs) is None))


def _sum_tolerance(terms: np.ndarray, dtype: str) -> Tolerance:
    """Two ways of adding `terms` in `dtype` differ by at most n u sum|terms| (the bound of
    recursive summation, Higham 2002, section 4.2), plus the dtype's tolerance."""
    base = tolerances.DEFAULTS[dtype]
    terms = np.atleast_1d(np.asarray(terms, float))
    with np.errstate(invalid="ignore"):
        bound = terms.size * UNIT_ROUNDOFF[dtype] * float(np.nansum(np.abs(terms)))
    return Tolerance(base.atol + (bound if np.isfinite(bound) else 0.0), base.rtol,
                     f"{base.why}; plus n u sum|terms| for a sum of n terms in {dtype}")


def _reduction_relations(calls, example, loss, reductions):
    if not {"none", "sum"} <= set(reductions):
        return
    none, _ = calls(example, reduction="none")
    total, _ = calls(example, reduction="sum")
    yield total, none.sum(), none, "the sum of reduction='none'"
    if "mean" in reductions:
        mean, divisor = calls(example, reduction="mean")
        if np.ndim(divisor) == 0:       # not CTC's mean, which divides each loss by its length
            yield mean, total / divisor, none, "reduction='sum' over the spec's divisor"


def _batch_axes(example: Example) -> dict[str, int]:
    """Each input's batch axis (where its layout has N); empty when one has none."""
    axes = {n: _dims(dims).index("N") for n, dims in example.layout.items() if "N" in _dims(dims)}
    return axes if len(axes) == len(example.layout) else {}


def _batch(example: Example, loss) -> int:
    """The batch size when every input has a batch axis of 2 or more rows, else 0."""
    axes = _batch_axes(example)
    if not axes:
        return 0
    n = np.shape(example.inputs[loss.primary])[axes[loss.primary]]
    return n if n >= 2 else 0


def _rows(example: Example, loss, rows) -> Example:
    """The example restricted to (or permuted by) `rows` of the batch, element weights and
    sample weights (whose first axis is the batch) too."""
    axes = _batch_axes(example)
    x = example.inputs[loss.primary]

    def take(a, axis):
        return np.moveaxis(np.moveaxis(np.asarray(a), axis, 0)[rows], 0, axis)
    inputs = {n: take(a, axes[n]) for n, a in example.inputs.items()}
    n = x.shape[axes[loss.primary]]

    def rows_of(k, v):
        if not isinstance(v, np.ndarray):
            return v
        if v.shape == x.shape:
            return take(v, axes[loss.primary])
        if k == "sample_weight" and v.ndim and v.shape[0] == n:   # its axes: the loss's leading
            return take(v, 0)
        return v
    params = {k: rows_of(k, v) for k, v in example.params.items()}
    return example.variant(inputs=inputs, params=params)


def _permutation_relations(calls, example, loss, reductions):
    n = _batch(example, loss)
    if not n:
        return
    order = np.roll(np.arange(n), 1)
    permuted = _rows(example, loss, order)
    for reduction in reductions or (None,):
        params = {"reduction": reduction} if reduction else {}
        got, _ = calls(permuted, **params)
        whole, _ = calls(example, **params)
        if np.ndim(whole.ref) and np.shape(whole.ref)[0] == n:     # unreduced: rows move too
            whole = whole.rows(order)
        yield got, whole, whole, (
            f"the same path on the batch in another order (reduction={reduction or 'default'})")


def _chunk_relations(calls, example, loss, reductions):
    n = _batch(example, loss)
    if not n or not {"sum", "mean"} <= set(reductions):
        return
    whole, divisor = calls(example, reduction="mean")
    if np.ndim(divisor):
        return
    sums, divisors = [], 0.0
    for half in (_rows(example, loss, slice(0, n // 2)), _rows(example, loss, slice(n // 2, n))):
        total, _ = calls(half, reduction="sum")
        _, half_divisor = calls(half, reduction="mean")
        sums.append(total)
        divisors = divisors + half_divisor
    recombined = (sums[0] + sums[1]) / divisors
    yield whole, recombined, Both(np.asarray([s.path for s in sums]),
                                  np.asarray([s.ref for s in sums])), (
        "the halves' sums over the sum of their divisors (the spec's)")


def _class_relations(calls, example, loss, reductions):
    if loss.target != "class" or example.encoding != "index":
        return
    x, y = example.inputs["input"], example.inputs["target"]
    axes = class_axes(x, example.params.get("axis", 1))    # one, or joint class axes
    c = int(np.prod([x.shape[a] for a in axes]))
    ignore = example.params.get("ignore_index", loss.params["ignore_index"].default)
    twin = example.variant(inputs={**example.inputs, "target": joint_one_hot(
        np.clip(y, 0, c - 1), x.shape, axes)}, encoding="one_hot")
    if not np.any(y == ignore) and not calls.fuzzed.path.unsupported(
            loss, "one_hot", example.params, example.dtype, x.ndim, twin.inputs):
        got, _ = calls(twin)
        base, _ = calls(example)
        expected = Both(shifted(base.path, got.ref, base.ref), got.ref)
        yield got, expected, base, ("the same path on index targets, shifted by what the "
                                    "conventions predict")
    n = _batch(example, loss)
    if (n and "ignore_index" in calls.fuzzed.path.params and "sum" in reductions
            and not 0 <= ignore < c):
        dropped = example.variant(inputs={**example.inputs, "target": np.where(
            np.arange(n).reshape((-1,) + (1,) * (y.ndim - 1)) == 0, ignore, y)})
        got, _ = calls(dropped, reduction="sum")
        rest, _ = calls(_rows(example, loss, slice(1, n)), reduction="sum")
        yield got, rest, rest, "the same path with the ignored row removed (reduction='sum')"
    path = calls.fuzzed.path
    if x.ndim >= 3 and (path.ndims is None or 2 in path.ndims):
        flat_params = {**example.params, **({"axis": 1} if "axis" in example.params else {})}
        last = tuple(range(x.ndim - len(axes), x.ndim))
        flat = Example(example.loss, {"input": np.moveaxis(x, axes, last).reshape(-1, c),
                                      "target": y.reshape(-1)},
                       flat_params, "index", example.dtype, {"input": "N C", "target": "N"})
        for reduction in [r for r in reductions if r != "none"] or [None]:
            params = {"reduction": reduction} if reduction else {}
            got, _ = calls(flat, **params)
            whole, _ = calls(example, **params)
            yield got, whole, whole, ("the spatial input flattened to (N d1..dk, C) "
                                      f"(reduction={reduction or 'default'})")
    weight = example.params.get("weight")
    if "weight" in path.params and weight is not None:
        doubled, _ = calls(example, weight=2 * np.asarray(weight))
        base, _ = calls(example)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(base.ref != 0, doubled.ref / base.ref, 1.0)
        yield doubled, base * factor, base, "the class weights doubled, as the spec scales"


_RELATIONS = (("reductions", _reduction_relations), ("batch order", _permutation_relations),
              ("chunks", _chunk_relations), ("class targets", _class_relations))


# ---------------------------------------------------------------- running it

PROPERTY_CHECKS = {"reference": agrees_with_reference, "invariants": holds_invariants}
# the last example that failed a property of a path: Hypothesis runs the shrunk example last, so
# it is the minimal one
LAST_FAILURE: dict = {}
# precision findings by (path, property): [(example, message)], in the order found
PRECISION: dict = {}


def check_property(fuzzed: Fuzzed, prop: str, example: Example, reproduce: str) -> None:
    """Check property `prop` of the path on `example`. A failure in float32, float16 or bfloat16
    that the same path does not have in float64 on the same rounded inputs is a precision
    finding: the definition is followed, the dtype's arithmetic (an intermediate that overflows,
    underflows or cancels) is what differs. It is recorded, not raised, so that the search goes
    on for failures of the definition; conftest reports it (an xfail with the message and a case
    file, a failure under --fuzz-strict). Any other failure is raised (conftest writes its
    example, the shrunk one, as a case file)."""
    __tracebackhide__ = True
    try:
        PROPERTY_CHECKS[prop](fuzzed, example, reproduce)
    except ConformanceFailure as failure:
        if example.dtype == "float64" or "float64" not in fuzzed.path.dtypes:
            LAST_FAILURE[(fuzzed, prop)] = example
            raise
        wide = in_float64(fuzzed, example)
        try:
            PROPERTY_CHECKS[prop](fuzzed, wide, reproduce)
        except ConformanceFailure:
            LAST_FAILURE[(fuzzed, prop)] = wide     # the definition's failure, in float64
            raise
        PRECISION.setdefault((fuzzed, prop), []).append((example, str(failure)))
    except Exception:
        LAST_FAILURE[(fuzzed, prop)] = example
        raise


def in_float64(fuzzed: Fuzzed, example: Example) -> Example:
    """The example in float64, on its inputs as the path saw them (rounded to its dtype)."""
    prep = Prepared(_check(fuzzed, example, "fuzzed"))
    arrays = {k: v for k, v in prep.seen_params.items() if isinstance(v, np.ndarray)}
    return example.variant(inputs=dict(prep.seen), params={**example.params, **arrays},
                           dtype="float64")


DEFAULT_EXAMPLES = 2        # per path and property in `pytest conformance/`: under a minute added
NIGHTLY_EXAMPLES = 300      # --hypothesis-profile nightly
PROPERTIES = {"test_fuzz_reference": "reference", "test_fuzz_invariants": "invariants"}


def plan(adapters, dtypes, device: str) -> list[Fuzzed]:
    """Every path of the chosen adapters, with the dtypes of the run it takes, but compiled twins
    checked on representative cases (Path.representative): every drawn shape and parameter value
    would compile again (seconds a graph with torch.compile); their eager path is fuzzed."""
    out = []
    for adapter in adapters:
        for path in adapter.paths:
            if path.representative:
                continue
            wanted = tuple(d for d in dtypes if d in path.conformance_dtypes)
            if adapter.name == "reference":
                wanted = ("float64",) if "float64" in dtypes else ()
            if wanted:
                out.append(Fuzzed(adapter, path, wanted, device))
    return out


def for_test(fuzzed: list[Fuzzed], function) -> list[Fuzzed]:
    """The paths a fuzz test runs: the reference is its own oracle, so it has invariants only."""
    if PROPERTIES[function.__name__] == "reference":
        return [f for f in fuzzed if f.adapter.name != "reference"]
    return list(fuzzed)


def nodeids(fuzzed: list[Fuzzed], rootpath) -> dict:
    file = Path(__file__).with_name("test_fuzz.py").relative_to(rootpath).as_posix()
    return {f"{file}::{test}[{f.id}]": f for test in PROPERTIES for f in fuzzed}


def is_fuzz(item) -> bool:
    return getattr(item, "originalname", "") in PROPERTIES


def configure(config) -> None:
    """Hypothesis's settings for the run: the "conformance" profile (derandomised, a few
    examples) unless --hypothesis-profile names another ("nightly": random, NIGHTLY_EXAMPLES,
    with the example database in the project's cache folder); --fuzz-examples sets the count.
    --hypothesis-seed (Hypothesis's own option) overrides derandomisation: that seed's examples,
    reproducible from the seed alone (Hypothesis keeps no database for a forced seed)."""
    from hypothesis import HealthCheck, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    common = dict(deadline=None, print_blob=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.function_scoped_fixture,
                                         HealthCheck.data_too_large])
    # derandomised: the same examples every run, so a failure comes back by itself (Hypothesis
    # keeps no database then); random runs keep one, and replay its failures first
    settings.register_profile("conformance", max_examples=DEFAULT_EXAMPLES, derandomize=True,
                              **common)
    settings.register_profile("nightly", max_examples=NIGHTLY_EXAMPLES, **common,
                              database=DirectoryBasedExampleDatabase(cache_folder("hypothesis")))
    chosen = config.getoption("hypothesis_profile", None) or "conformance"
    examples = config.getoption("fuzz_examples")
    if examples is not None:
        settings.register_profile("conformance-run", settings.get_profile(chosen),
                                  max_examples=examples)
        chosen = "conformance-run"
    settings.load_profile(chosen)


def _written(item, example: Example, prop: str, what: str) -> Path:
    from hypothesis import __version__ as hypothesis_version
    fuzzed = item.callspec.params["fuzzed"]
    seed = item.config.getoption("hypothesis_seed", None)
    seeded = f"seed {seed}" if seed is not None else "derandomised or replayed from its database"
    provenance = (f"found by fuzzing: the {prop} property of {fuzzed.id} {what} in "
                  f"{example.dtype}; Hypothesis {hypothesis_version}, {seeded}, "
                  f"{datetime.date.today().isoformat()}")
    return case_file(example, provenance, Path(cache_folder("fuzz-cases")))


def _how_to_add(path: Path, example: Example) -> str:
    return (f"add it to the suite with `pytest conformance/ --cases {path}` (or copy it into "
            f"cases/{FAMILY[example.loss]}/), and it is checked like every case from then on")


def write_failure(item) -> str:
    """Write the property's last failing example (the shrunk one) as a case file; say where."""
    fuzzed = item.callspec.params["fuzzed"]
    prop = PROPERTIES[item.originalname]
    example = LAST_FAILURE.get((fuzzed, prop))
    if example is None:
        return "no example recorded (the failure came before an example was drawn)"
    path = _written(item, example, prop, "failed")
    return f"the shrunk example is written as a case file: {path}\n{_how_to_add(path, example)}"


def precision_findings(item) -> tuple[str, str] | None:
    """The precision findings of a fuzz test that passed otherwise: a one-line reason and the
    first finding's message, its example written as a case file; None when there are none."""
    fuzzed = item.callspec.params["fuzzed"]
    prop = PROPERTIES[item.originalname]
    findings = PRECISION.get((fuzzed, prop))
    if not findings:
        return None
    example, message = findings[0]
    path = _written(item, example, prop, "had a precision finding")
    dtypes = sorted({e.dtype for e, _ in findings})
    reason = (f"precision finding ({len(findings)} example(s), {', '.join(dtypes)}; the same "
              f"inputs agree in float64): {message.splitlines()[0]}; example: {path}")
    return reason, (f"{message}\n\nthe same path on the same rounded inputs in float64 agrees "
                    f"with the definition.\nthe example is written as a case file: {path}\n"
                    f"{_how_to_add(path, example)}")
