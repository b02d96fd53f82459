"""The framework options table, generated from the adapter registry and the installed frameworks.

    python -m conformance.options > conformance/OPTIONS.md
    python -m conformance.options --missing     # the (callable, option) pairs without a reason

For each framework loss callable that the built-in paths call (a torch function or loss module, a
Keras loss class or function, a tf.nn loss, an optax loss): the options the framework offers (its
signature), the options the project checks (the keywords the paths' `call` strings pass to it,
and the options they pass by position), and the options left unchecked, each with the reason
written in LEFT below. tests/test_options.py checks that the committed document is the
generated one, that every left option has a reason and that every reason names an option that
is still left.

Which callables: every dotted name in a path's `call` that starts with torch.nn.functional.,
torch.nn., keras.losses., keras.ops., tf.nn., optax., optax.losses., jax.nn.,
paddle.nn.functional., paddle.nn. or one of the library modules of LIBRARIES (monai.losses.,
smp.losses., kornia.losses., torchvision.ops., timm.loss., sklearn.metrics.,
transformers.loss.loss_utils., transformers.loss.loss_ctc.) (F. and nn. are
torch.nn.functional. and torch.nn., as adapters/pytorch.py names them), kept when it is a loss:
torch.nn.functional.*, keras.losses.*, optax(.losses).*, everything in a library module of
LIBRARIES (each holds losses, or metrics used as losses), a torch.nn or paddle.nn class ending
in Loss, a tf.nn, keras.ops, jax.nn or torchvision.ops function named *loss*, *cross_entropy* or
*crossentropy*, or any of them named after a canonical loss of the catalogue (tf.nn.softmax:
softmax is a loss here).

Offered options: the parameters of the function, or of a class's __init__ and of the call that
computes the loss (a torch module's forward, a Keras loss's __call__: its sample_weight), less
the data arguments (DATA) and `self`. torch's deprecated size_average and reduce, private
parameters (_stacklevel) and **kwargs are listed beside the offered options, not counted.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import importlib.metadata
import inspect
import json
import re
import sys
from dataclasses import dataclass, field

import adapters as builtin
from adapters.registry import Adapter, Path, adapters
from adapters.spec import LOSSES

COMMAND = "python -m conformance.options > conformance/OPTIONS.md"

# framework root as written in a call -> (the backend module's LazyModule that imports it, the
# distribution whose version is shown, the section title)
FRAMEWORKS = {
    "torch": ("adapters.pytorch", "torch", "torch", "PyTorch: torch.nn.functional and torch.nn"),
    "keras": ("adapters.tensorflow", "keras", "keras", "Keras: keras.losses and keras.ops"),
    "tf": ("adapters.tensorflow", "tf", "tensorflow", "TensorFlow: tf.nn"),
    "optax": ("adapters.jax_optax", "optax", "optax", "optax: optax and optax.losses"),
    "jax": ("adapters.jax_optax", "jax", "jax", "JAX: jax.nn"),
    "paddle": ("adapters.paddle_lib", "paddle", "paddlepaddle",
               "PaddlePaddle: paddle.nn.functional and paddle.nn"),
    # the library adapters (adapters/<name>_lib.py): the LazyModule runs the library's setup
    # (the torchvision shim) and imports it
    "transformers": ("adapters.transformers_lib", "loss_utils", "transformers",
                     "Hugging Face transformers: transformers.loss"),
    "timm": ("adapters.timm_lib", "loss", "timm", "timm: timm.loss"),
    "monai": ("adapters.monai_lib", "losses", "monai", "MONAI: monai.losses"),
    "kornia": ("adapters.kornia_lib", "losses", "kornia", "kornia: kornia.losses"),
    "torchvision": ("adapters.torchvision_lib", "ops", "torchvision",
                    "torchvision: torchvision.ops"),
    "smp": ("adapters.smp_lib", "losses", "segmentation_models_pytorch",
            "segmentation_models_pytorch: smp.losses"),
    "sklearn": ("adapters.sklearn_lib", "metrics", "scikit-learn",
                "scikit-learn: sklearn.metrics"),
}
# the library modules whose every callable a path calls is a loss (or a metric used as one),
# and the package a call's root names where the call abbreviates it (smp, as the library's
# documentation writes it)
LIBRARIES = ("monai.losses", "smp.losses", "kornia.losses", "timm.loss", "sklearn.metrics",
             "transformers.loss.loss_utils", "transformers.loss.loss_ctc")
PACKAGES = {"smp": "segmentation_models_pytorch"}
# the abbreviations adapters/pytorch.py defines (F = LazyModule("torch.nn.functional"))
ALIASES = {"F": "torch.nn.functional", "nn": "torch.nn"}
PREFIXES = ("torch.nn.functional", "torch.nn", "keras.losses", "keras.ops", "tf.nn",
            "optax.losses", "optax", "jax.nn", "paddle.nn.functional", "paddle.nn", *LIBRARIES,
            "torchvision.ops", *ALIASES)
NAME = re.compile(r"(?<![\w.])(" + "|".join(re.escape(p) for p in PREFIXES)
                  + r")\.([A-Za-z_]\w*)")

# the data a loss is computed from, not options (as the frameworks name them)
DATA = frozenset({
    "input", "target", "input1", "input2", "x", "x1", "x2", "y_true", "y_pred", "logits",
    "labels", "predictions", "targets", "predictor_outputs", "log_predictions", "log_targets",
    "anchor", "positive", "negative", "anchors", "positives", "negatives", "var", "log_probs",
    "input_lengths", "target_lengths", "output", "target_length", "output_length",
    "label_length", "logit_length", "logit_paddings", "label_paddings",
    "label", "logit", "other", "variance",    # paddle's names
    "pred", "inputs", "pred_decision", "source", "pooled_logits", "start_logits", "end_logits",
    "start_positions", "end_positions", "logit_lengths", "y_proba"})   # the libraries' names
# data everywhere but in these modules, where it is an option (sklearn.metrics' labels= is the
# list of the classes, not the targets)
OPTION_IN = {"labels": ("sklearn.metrics.",)}
# data only where it has no default: tf.nn.log_poisson_loss(targets, log_input) takes the log
# rate, where torch's PoissonNLLLoss(log_input=True) is a flag
DATA_WHEN_REQUIRED = frozenset({"log_input"})
DEPRECATED = {"size_average": "deprecated, use reduction", "reduce": "deprecated, use reduction"}

# ---------------------------------------------------------------- why an offered option is left
# (callable, option) -> why no path passes it. tests/test_options.py fails on an option left
# without a reason here, and on a reason for an option no longer left.

_NAME = "a label for the loss object (Keras metrics and logs); no effect on values"
_TF_NAME = "the name of the TensorFlow op (graph and profiler labels); no effect on values"
_TORCH_DTYPE = ("casts the input before the op; the paths pass inputs already in the dtype "
                "checked, so only the default (None: no cast) is run")
_KERAS_SAMPLE_WEIGHT = (
    "not yet passed to this class: Keras's own sample_weight is checked on every other Keras "
    "loss class the paths call (their `(sample_weight=)` paths and the `[..., None]` forms); a "
    "composed `*sample_weight` path multiplies the unreduced loss by the weights itself")
_SPARSE_AXIS = (
    "Keras's TensorFlow backend takes axis=-1 only (axis=1 raises ValueError 'Only axis=-1 is "
    "currently supported. Received: axis=1', keras 3.15.1): the paths move the canonical class "
    "axis last themselves (classes_last(input, axis)) and run the default; "
    "keras.losses.CategoricalCrossentropy and categorical_crossentropy are checked with axis=")
_OPTAX_FEATURE_MASK = (
    "a mask of the coordinates within each vector (the cosine of the kept coordinates only), not "
    "of whole losses: no canonical parameter is that (sample weights weigh whole losses), and "
    "a row left out entirely gives 0/0 norms")


_PADDLE_NAME = ("the name of the operator in a static program (paddle's `name` argument); no "
                "effect on values")


# the library adapters' shared reasons
_MONAI_OTHER_ACT = (
    "any callable applied to the input first (e.g. torch.tanh): no canonical form; sigmoid= and "
    "softmax= are checked (the `(logit)` and `(log)` paths, which pass the activation's inverse "
    "of the probabilities), other_act's default None is run")
_MONAI_SOFT_LABEL = (
    "True selects MONAI's soft-label formulation (written for targets that are not 0/1); the "
    "canonical loss is the sum-of-products form that the default False computes, so only False "
    "is run")
_MONAI_CLASS_WEIGHT = (
    "weights for each class's loss; the canonical loss has no class weights (the default None "
    "is run)")
_SMP_EPS = (
    "the floor of the score's denominator (clamp_min(eps), 1e-7 by default); the canonical loss "
    "has no floor (its smooth is passed as smooth=), so only the default is run; it matters only "
    "where the denominator is below 1e-7")
_SKLEARN_MULTIOUTPUT = (
    "how the per-output means of 2-D targets are combined; the canonical mean divides by every "
    "element, which the default 'uniform_average' equals for one output and for outputs "
    "weighted alike; 'raw_values' returns one mean per output column, no canonical reduction")


def reason(callable_name: str, option: str) -> str:
    """Why an option is left: its entry in LEFT, else the reason every Keras loss class shares
    for `name` (a label) and `sample_weight` (not yet passed natively), and every paddle
    callable for `name`."""
    if (callable_name, option) in LEFT:
        return LEFT[(callable_name, option)]
    if callable_name.startswith("paddle.") and option == "name":
        return _PADDLE_NAME
    keras_class = callable_name.startswith("keras.losses.") and callable_name[13:14].isupper()
    return {"name": _NAME, "sample_weight": _KERAS_SAMPLE_WEIGHT}.get(option, "") \
        if keras_class else ""


LEFT = {
    # ------------------------------------------------------------------ transformers
    ("transformers.loss.loss_ctc.ForCTCLoss", "ignore_index"): (
        "the value marking the labels' padding (-100 by default): ForCTCLoss drops labels equal "
        "to it or to blank_token_id; the path writes the default into each row's padding past "
        "target_lengths, and another value only renames that padding"),
    # ------------------------------------------------------------------ timm
    ("timm.loss.PolyCrossEntropy", "smoothing"): (
        "label smoothing of index targets before the poly term; the canonical "
        "poly_loss_cross_entropy has no label_smoothing parameter (the default 0 is run)"),
    # ------------------------------------------------------------------ monai
    ("monai.losses.DiceCELoss", "other_act"): _MONAI_OTHER_ACT,
    ("monai.losses.DiceFocalLoss", "other_act"): _MONAI_OTHER_ACT,
    ("monai.losses.DiceLoss", "other_act"): _MONAI_OTHER_ACT,
    ("monai.losses.DiceLoss", "soft_label"): _MONAI_SOFT_LABEL,
    ("monai.losses.GeneralizedDiceLoss", "other_act"): _MONAI_OTHER_ACT,
    ("monai.losses.GeneralizedDiceLoss", "soft_label"): _MONAI_SOFT_LABEL,
    ("monai.losses.TverskyLoss", "other_act"): _MONAI_OTHER_ACT,
    ("monai.losses.TverskyLoss", "soft_label"): _MONAI_SOFT_LABEL,
    # ------------------------------------------------------------------ kornia
    # ------------------------------------------------------------------ smp
    ("smp.losses.DiceLoss", "eps"): _SMP_EPS,
    ("smp.losses.JaccardLoss", "eps"): _SMP_EPS,
    ("smp.losses.TverskyLoss", "eps"): _SMP_EPS,
    ("smp.losses.FocalLoss", "from_logits"): (
        "False clamps the input to [eps, 1 - eps] and takes its logit log(p / (1 - p)) (binary, "
        "multilabel) or its log (multiclass) before the loss; the canonical sigmoid_focal_loss "
        "takes logits, so the paths pass logits with the default True (sigmoid(x) passed back "
        "through that logit is x only to the precision of 1 - p: in float32 about 1e-4 at "
        "|x| = 8, and clamped at |x| = 16.1)"),
    ("smp.losses.FocalLoss", "eps"): (
        "the clamp of the probabilities that from_logits=False takes the logit of; with the "
        "default from_logits=True, which the paths run, it is not used"),
    # ------------------------------------------------------------------ sklearn
    ("sklearn.metrics.mean_absolute_error", "multioutput"): _SKLEARN_MULTIOUTPUT,
    ("sklearn.metrics.mean_absolute_percentage_error", "multioutput"): _SKLEARN_MULTIOUTPUT,
    ("sklearn.metrics.mean_squared_error", "multioutput"): _SKLEARN_MULTIOUTPUT,
    ("sklearn.metrics.mean_squared_log_error", "multioutput"): _SKLEARN_MULTIOUTPUT,
    # ------------------------------------------------------------------ paddle
    ("paddle.nn.CrossEntropyLoss", "use_softmax"): (
        "checked on the functional form (path softmax+cross_entropy(use_softmax=False)); the "
        "class passes it to the same function"),
    ("paddle.nn.CTCLoss", "norm_by_times"): (
        "an argument of its forward, passed on to paddle.nn.functional.ctc_loss unchanged "
        "(paddle/nn/layer/loss.py CTCLoss.forward): checked there, on the path "
        "ctc_loss/functional(norm_by_times=True); the class runs the default False"),
    ("paddle.nn.functional.log_softmax", "dtype"): (
        "casts the input before the op; the paths pass inputs already in the dtype checked"),
    ("paddle.nn.functional.softmax", "dtype"): (
        "casts the input before the op; the paths pass inputs already in the dtype checked"),
    ("paddle.nn.functional.softmax", "out"): "a tensor to write the result into; no effect on "
                                             "values",
    ("paddle.nn.functional.softmax_with_cross_entropy", "soft_label"): (
        "probability targets are checked on paddle.nn.functional.cross_entropy(soft_label=True), "
        "which calls the same kernel; this deprecated op is checked on index targets"),
    ("paddle.nn.functional.softmax_with_cross_entropy", "numeric_stable_mode"): (
        "only True, the default, is run: False exponentiates without subtracting the maximum "
        "(deprecated; overflows at logits of 1e4)"),
    ("paddle.nn.functional.softmax_with_cross_entropy", "return_softmax"): (
        "also returns the softmax; the loss is the same"),
    # ------------------------------------------------------------------ torch
    ("torch.nn.functional.log_softmax", "dtype"): _TORCH_DTYPE,
    ("torch.nn.functional.softmax", "dtype"): _TORCH_DTYPE,
    ("torch.nn.functional.softplus", "beta"): (
        "the composed soft_margin_loss/softplus path needs log(1 + exp(z)) itself: beta=1, the "
        "default (beta gives log(1 + exp(beta z)) / beta)"),
    ("torch.nn.functional.softplus", "threshold"): (
        "above it (20, the default) softplus returns its input; only the default is run, by the "
        "soft_margin_loss/softplus path"),
    ("torch.nn.functional.pairwise_distance", "keepdim"): (
        "output shape only (keeps the reduced feature axis); TripletMarginWithDistanceLoss needs "
        "one distance per example: keepdim=False, the default"),
    # ------------------------------------------------------------------ keras
    ("keras.losses.BinaryCrossentropy", "name"): _NAME,
    ("keras.losses.BinaryFocalCrossentropy", "name"): _NAME,
    ("keras.losses.CategoricalCrossentropy", "name"): _NAME,
    ("keras.losses.SparseCategoricalCrossentropy", "axis"): _SPARSE_AXIS,
    ("keras.losses.SparseCategoricalCrossentropy", "name"): _NAME,
    ("keras.losses.sparse_categorical_crossentropy", "axis"): _SPARSE_AXIS,
    ("keras.losses.CategoricalHinge", "name"): _NAME,
    ("keras.losses.CTC", "name"): _NAME,
    ("keras.losses.CTC", "dtype"): (
        "not passed: the keras.losses.CTC path keeps dtype=None, Keras's floatx (float32), and "
        "runs float32, float16 and bfloat16 inputs; float64 is not run (the path's notes: the "
        "tf.nn.ctc_loss underneath rejects it)"),
    ("keras.losses.Dice", "name"): _NAME,
    ("keras.losses.Hinge", "name"): _NAME,
    ("keras.losses.Huber", "name"): _NAME,
    ("keras.losses.KLDivergence", "name"): _NAME,
    ("keras.losses.MeanAbsoluteError", "name"): _NAME,
    ("keras.losses.MeanSquaredError", "name"): _NAME,
    ("keras.losses.Poisson", "name"): _NAME,
    ("keras.losses.SquaredHinge", "name"): _NAME,
    # ------------------------------------------------------------------ tf.nn
    ("tf.nn.ctc_loss", "unique"): (
        "precomputed unique labels (tf.nn.ctc_unique_labels), documented as an optimisation "
        "for TPU with the same loss; not run"),
    ("tf.nn.ctc_loss", "name"): _TF_NAME,
    ("tf.nn.log_poisson_loss", "name"): _TF_NAME,
    ("tf.nn.log_softmax", "name"): _TF_NAME,
    ("tf.nn.sigmoid_cross_entropy_with_logits", "name"): _TF_NAME,
    ("tf.nn.softmax", "name"): _TF_NAME,
    ("tf.nn.softmax_cross_entropy_with_logits", "name"): _TF_NAME,
    ("tf.nn.sparse_softmax_cross_entropy_with_logits", "name"): _TF_NAME,
    ("tf.nn.weighted_cross_entropy_with_logits", "name"): _TF_NAME,
    # ------------------------------------------------------------------ optax
    ("optax.ctc_loss", "log_epsilon"): (
        "the number standing for log(0) in the alignment lattice; only the default (-1e5) is "
        "run"),
    ("optax.losses.cosine_similarity", "where"): _OPTAX_FEATURE_MASK,
    ("optax.smooth_labels", "where"): (
        "the classes to smooth over (the mass eps spread over the kept classes only): the "
        "canonical label_smoothing spreads it over all C, and no case masks classes"),
    ("torch.nn.LinearCrossEntropyLoss", "device"): (
        "where the module's own parameters are created; the module path replaces them with the "
        "case's arrays (torch.func.functional_call), on the check's device"),
    ("torch.nn.LinearCrossEntropyLoss", "options"): (
        "the chunking options: checked on the functional form "
        "(linear_cross_entropy/functional-chunked, LinearCrossEntropyOptions()); the module runs "
        "the default (None)"),
    ("torch.nn.functional.relu", "inplace"): (
        "overwrites its input; the composed paths apply relu to a fresh intermediate, where it "
        "changes no value"),
    ("optax.losses.cosine_distance", "where"): _OPTAX_FEATURE_MASK,
    ("keras.losses.circle", "ref_labels"): (
        "labels of a second set of embeddings to compare against (the canonical circle loss "
        "compares the batch with itself; the default None is run)"),
    ("keras.losses.circle", "ref_embeddings"): (
        "a second set of embeddings to compare against (the default None: the batch itself)"),
    # ------------------------------------------------------------------ jax.nn
    ("jax.nn.log_softmax", "where"): (
        "a mask of the elements to include; the canonical log_softmax has none"),
    ("jax.nn.softmax", "where"): (
        "a mask of the elements to include; the canonical softmax has none"),
}


# ---------------------------------------------------------------- parsing the call strings

@dataclass
class Use:
    """One path's call of one callable: the keywords and positional arguments it passes."""
    path: Path
    init_kw: list = field(default_factory=list)
    init_pos: int = 0
    call_kw: list | None = None     # the second parenthesised group: a class instance called
    call_pos: int = 0


def _group(text: str, start: int) -> tuple[list[str], int] | None:
    """The top-level arguments of the parenthesised group opening at text[start] (a '('), and
    the index after its ')'; None when it does not close."""
    depth, quote, pieces, begin = 0, None, [], start + 1
    for i in range(start, len(text)):
        c = text[i]
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                pieces.append(text[begin:i])
                return [p.strip() for p in pieces if p.strip()], i + 1
        elif c == "," and depth == 1:
            pieces.append(text[begin:i])
            begin = i + 1
    return None


_KEYWORD = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)")


def _arguments(pieces: list[str]) -> tuple[list[str], int]:
    """(keywords passed, number of positional arguments before the first keyword)."""
    keywords, positional = [], 0
    for piece in pieces:
        m = _KEYWORD.match(piece)
        if m:
            keywords.append(m.group(1))
        elif not keywords and not piece.startswith("*"):
            positional += 1
    return keywords, positional


def uses(path: Path) -> dict[str, list[Use]]:
    """{callable as written, aliases expanded: [its calls in path.call]}, loss callables only."""
    found: dict[str, list[Use]] = {}
    for m in NAME.finditer(path.call):
        name = f"{ALIASES.get(m.group(1), m.group(1))}.{m.group(2)}"
        if not is_loss(name):
            continue
        use = Use(path)
        opened = _group(path.call, m.end()) if path.call[m.end():m.end() + 1] == "(" else None
        if opened:
            (use.init_kw, use.init_pos), end = _arguments(opened[0]), opened[1]
            second = _group(path.call, end) if path.call[end:end + 1] == "(" else None
            if second:
                use.call_kw, use.call_pos = _arguments(second[0])
        found.setdefault(name, []).append(use)
    return found


def _squash(name: str) -> str:
    return name.lower().replace("_", "")


def is_loss(name: str) -> bool:
    """Whether a dotted framework name is a loss callable (the module docstring says which)."""
    module, _, leaf = name.rpartition(".")
    if _squash(leaf) in {_squash(loss) for loss in LOSSES}:
        return True
    if module in ("torch.nn.functional", "keras.losses", "optax", "optax.losses", *LIBRARIES):
        return True
    if module in ("torch.nn", "paddle.nn"):
        return leaf.endswith("Loss")
    return any(word in leaf.lower() for word in ("loss", "cross_entropy", "crossentropy"))


# ---------------------------------------------------------------- the frameworks' signatures

def framework_of(name: str) -> str:
    return name.split(".", 1)[0]


def versions() -> dict[str, str]:
    found = {}
    for root, (_, _, dist, _) in FRAMEWORKS.items():
        try:
            found[root] = f"{dist} {importlib.metadata.version(dist)}"
        except importlib.metadata.PackageNotFoundError:
            found[root] = f"{dist} not installed"
    return found


def unavailable(root: str) -> str | None:
    """Why the framework cannot be imported here, or None."""
    module, attr, dist, _ = FRAMEWORKS[root]
    try:
        # the first attribute looked up imports the framework (a LazyModule, with its setup)
        hasattr(getattr(importlib.import_module(module), attr), "__spec__")
    except ImportError as err:
        return f"{dist} cannot be imported here ({err})"
    return None


def resolve(name: str):
    root, *rest = name.split(".")
    module, attr, _, _ = FRAMEWORKS[root]
    obj = getattr(importlib.import_module(module), attr)    # imports it, after its setup
    if attr != root:    # a library's submodule: walk from its package
        obj = importlib.import_module(PACKAGES.get(root, root))
    for part in rest:
        try:
            obj = getattr(obj, part)
        except AttributeError:      # a submodule its package does not import, or missing
            try:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
            except ImportError:
                raise AttributeError(f"{obj.__name__!r} has no attribute {part!r}") from None
    return obj


@dataclass
class Signature:
    init: list            # [inspect.Parameter] of the function or the class's __init__
    call: list            # of the class's forward/__call__ ([] for a function)
    is_class: bool


def signature(obj) -> Signature | None:
    try:
        if inspect.isclass(obj):
            call = getattr(obj, "forward", None) or obj.__call__
            return Signature(_params(inspect.signature(obj.__init__)),
                             _params(inspect.signature(call)), True)
        return Signature(_params(inspect.signature(obj)), [], False)
    except (TypeError, ValueError):
        documented = _documented_signature(obj)
        return None if documented is None else Signature(_params(documented), [], False)


def _documented_signature(obj) -> inspect.Signature | None:
    """A builtin's signature from the first line of its docstring, as torch writes it
    ("softplus(input, beta=1, threshold=20) -> Tensor"): parsed, never evaluated."""
    first = next((line.strip() for line in (obj.__doc__ or "").splitlines() if line.strip()), "")
    m = re.match(r"[A-Za-z_]\w*\((.*)\)\s*(->.*)?$", first)
    if not m:
        return None
    try:
        args = ast.parse(f"def f({m.group(1)}): pass").body[0].args
    except SyntaxError:
        return None
    kind = inspect.Parameter
    params = [kind(a.arg, kind.POSITIONAL_OR_KEYWORD) for a in args.args]
    for i, default in enumerate(args.defaults, len(params) - len(args.defaults)):
        params[i] = params[i].replace(default=ast.unparse(default))
    params += [kind(a.arg, kind.KEYWORD_ONLY, default=None if d is None else ast.unparse(d))
               for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    return inspect.Signature(params)


def _params(sig: inspect.Signature) -> list:
    return [p for p in sig.parameters.values() if p.name != "self"]


def is_data(p: inspect.Parameter, callable_name: str = "") -> bool:
    if callable_name.startswith(OPTION_IN.get(p.name, ())):
        return False
    return p.name in DATA or (p.name in DATA_WHEN_REQUIRED and p.default is p.empty)


def _positional(params: list, count: int) -> list[str]:
    """The names of the first `count` positional arguments."""
    names = []
    for p in params:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) or len(names) == count:
            break
        names.append(p.name)
    return names


# ---------------------------------------------------------------- one row per callable

@dataclass
class Row:
    name: str
    paths: list = field(default_factory=list)         # [Path], in registry order, no repeats
    offered: list = field(default_factory=list)       # option names, in signature order
    aside: list = field(default_factory=list)         # "size_average (deprecated ...)", ...
    checked: dict = field(default_factory=dict)       # option -> [Path] passing it
    unknown: dict = field(default_factory=dict)       # passed, not in the signature -> [Path]
    missing: str | None = None                        # why the signature is unknown

    @property
    def left(self) -> list[str]:
        return [o for o in self.offered if o not in self.checked]


def build_row(name: str, calls: list[Use], why_not: str | None) -> Row:
    row = Row(name)
    _extend(row.paths, [use.path for use in calls])
    sig = None
    if why_not:
        row.missing = why_not
    else:
        try:
            sig = signature(resolve(name))
            if sig is None:
                row.missing = "its signature cannot be read"
        except AttributeError as err:
            row.missing = f"not found in the installed framework ({err})"
    params = [] if sig is None else sig.init + sig.call
    varkw = False
    for p in params:
        if p.kind == p.VAR_KEYWORD:
            varkw = True
            row.aside.append(f"**{p.name}")
        elif p.kind == p.VAR_POSITIONAL:
            row.aside.append(f"*{p.name}")
        elif is_data(p, name) or p.name in row.offered:
            continue
        elif p.name in DEPRECATED:
            row.aside.append(f"{p.name} ({DEPRECATED[p.name]})")
        elif p.name.startswith("_"):
            row.aside.append(f"{p.name} (private)")
        else:
            row.offered.append(p.name)
    for use in calls:
        passed = list(use.init_kw) + list(use.call_kw or [])
        if sig is not None:
            passed += _positional(sig.init, use.init_pos)
            if use.call_kw is not None:
                passed += _positional(sig.call, use.call_pos)
        for option in passed:
            if option in row.offered:
                target = row.checked
            elif sig is None or not (option in {p.name for p in params} or varkw):
                target = row.unknown if sig is not None else row.checked
            else:
                continue   # data, deprecated or private
            if use.path not in target.setdefault(option, []):
                target[option].append(use.path)
    if sig is not None:
        row.checked = {o: row.checked[o] for o in row.offered if o in row.checked}
    return row


def load() -> list[Adapter]:
    builtin.load()
    return [a for a in adapters().values() if a.name in builtin.BUILTIN]


def rows() -> tuple[dict[str, list[Row]], dict[str, str | None]]:
    """({framework root: [Row], sorted by name}, {framework root: why it is unavailable})."""
    calls: dict[str, list[Use]] = {}
    for adapter in load():
        for path in adapter.paths:
            if path.representative:
                continue    # a compiled twin: its options are those of the path it compiles
            for name, found in uses(path).items():
                calls.setdefault(name, []).extend(found)
    roots = sorted({framework_of(n) for n in calls}, key=list(FRAMEWORKS).index)
    why = {root: unavailable(root) for root in roots}
    table: dict[str, list[Row]] = {root: [] for root in roots}
    merged: dict[int, Row] = {}    # one row per object: optax.losses.X is optax.X
    for name in sorted(calls, key=lambda n: (len(n.split(".")), n)):
        root = framework_of(name)
        row = build_row(name, calls[name], why[root])
        obj_id = None if why[root] or row.missing else id(resolve(name))
        if obj_id in merged:
            _merge(merged[obj_id], row)
            continue
        if obj_id is not None:
            merged[obj_id] = row
        table[root].append(row)
    for found in table.values():
        found.sort(key=lambda r: r.name)
    return table, why


def _merge(into: Row, other: Row) -> None:
    """Add `other`'s paths and options to `into`: two names of one object."""
    _extend(into.paths, other.paths)
    for option, paths in other.checked.items():
        _extend(into.checked.setdefault(option, []), paths)
    into.checked = {o: into.checked[o] for o in into.offered if o in into.checked}
    for option, paths in other.unknown.items():
        _extend(into.unknown.setdefault(option, []), paths)


def _extend(into: list, more: list) -> None:
    into += [x for x in more if x not in into]


# ---------------------------------------------------------------- reasons: missing and stale

def left_pairs(table) -> list[tuple[str, str]]:
    return [(row.name, option) for found in table.values() for row in found for option in row.left]


def missing(table) -> list[tuple[str, str]]:
    """Left options without a reason in LEFT."""
    return [pair for pair in left_pairs(table) if not reason(*pair)]


def stale(table, why) -> list[tuple[str, str]]:
    """Reasons in LEFT that name no option left (a framework not importable here excepted)."""
    real = set(left_pairs(table))
    return [key for key in LEFT if key not in real and not why.get(framework_of(key[0]))]


# ---------------------------------------------------------------- the document

def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def _path_names(paths: list[Path], row: Row) -> str:
    several = len({p.adapter for p in row.paths}) > 1
    return ", ".join(_code(f"{p.adapter}:{p.loss}/{p.name}" if several else f"{p.loss}/{p.name}")
                     for p in paths)


def cells(row: Row) -> list[str]:
    paths = f"{len(row.paths)}: {_path_names(row.paths, row)}"
    if row.missing:
        checked = "; ".join(f"{_code(o)} ({_path_names(ps, row)})" for o, ps in row.checked.items())
        return [_code(row.name), paths, f"unknown: {row.missing}", checked or "none", "unknown"]
    offered = ", ".join(_code(o) for o in row.offered) or "none"
    if row.aside:
        offered += "; not counted: " + ", ".join(row.aside)
    checked = []
    for option, ps in row.checked.items():
        by = "all paths" if len(ps) == len(row.paths) else _path_names(ps, row)
        checked.append(f"{_code(option)} ({by})")
    for option, ps in row.unknown.items():
        checked.append(f"{_code(option)} (passed by {_path_names(ps, row)}, but not in the "
                       "signature)")
    left = "<br>".join(f"{_code(o)}: {reason(row.name, o) or '**no reason given**'}"
                       for o in row.left)
    return [_code(row.name), paths, offered, "; ".join(checked) or "none", left or "none"]


def counts(found: list[Row]) -> tuple[int, int, int, int]:
    known = [r for r in found if not r.missing]
    return (len(found), sum(len(r.offered) for r in known), sum(len(r.checked) for r in known),
            sum(len(r.left) for r in known))


def document(table=None, why=None) -> str:
    if table is None:
        table, why = rows()
    version = versions()
    lines = ["# Framework options: offered, checked, left", "",
             f"Generated from the adapter registry and the installed frameworks; do not edit. "
             f"Regenerate with `{COMMAND}` (tests/test_options.py fails when this file is out of "
             "date, or when an option left has no reason in `LEFT` in conformance/options.py: "
             "`python -m conformance.options --missing` lists those).", "",
             "Versions: " + ", ".join(version[root] for root in FRAMEWORKS) + ".", "",
             "For each framework loss callable that a built-in path calls: the options its "
             "signature offers (for a class, its constructor's and the loss call's: Keras's "
             "`sample_weight`), less the data arguments; the options checked, that is passed by "
             "the paths' calls (by keyword or by position, a value mapped from the canonical "
             "parameter or a constant), with the paths that pass them; and the options left, "
             "each with the reason. An option left is still run at its default by every path "
             "calling the callable. See conformance/CONVENTIONS.md for each path's exact call.",
             "", "| framework | callables | options offered | checked | left |",
             "|---|---|---|---|---|"]
    for root, found in table.items():
        n, offered, checked, left = counts(found)
        if why[root]:
            offered = checked = left = "unknown"
        lines.append(f"| {root} | {n} | {offered} | {checked} | {left} |")
    lines.append("")
    for root, found in table.items():
        lines += [f"## {FRAMEWORKS[root][3]}", "", f"{version[root]}.", ""]
        if why[root]:
            lines += [f"{why[root]}: its callables are listed without the options they offer.",
                      ""]
        lines += ["| callable | paths | options offered | checked (by which paths) | "
                  "left, with reasons |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(cells(row)) + " |" for row in found]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missing", action="store_true",
                        help="print the (callable, option) pairs left without a reason in LEFT, "
                             "as LEFT entries to fill in; exit 1 when there is any")
    parser.add_argument("--json", action="store_true",
                        help="print the document, the missing pairs and the stale reasons as JSON "
                             "(tests/test_options.py)")
    args = parser.parse_args(argv)
    if args.missing:
        table, _ = rows()
        pairs = missing(table)
        for callable_, option in pairs:
            print(f"    ({callable_!r}, {option!r}): \"\",")
        return 1 if pairs else 0
    if args.json:
        table, why = rows()
        print(json.dumps({"document": document(table, why), "missing": missing(table),
                          "stale": stale(table, why),
                          "unavailable": {k: v for k, v in why.items() if v}}))
        return 0
    print(document(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
