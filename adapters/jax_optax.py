"""The `jax` adapter: jax.nn and optax paths, gradients by jax.vjp.

jax and optax are imported when a path runs, never at import of this module; the import enables
float64 (jax_enable_x64) and, unless a compilation cache is configured already
(JAX_COMPILATION_CACHE_DIR or jax.config), JAX's persistent compilation cache in
$XDG_CACHE_HOME/loss-conformance/jax (~/.cache/...) for compilations of any duration: XLA's CPU
compiler takes 30-100 ms per shape and dtype, most of a cold run; a warm run reads them back.

Every path is declared twice: eager (float64 only: EAGER_FLOAT64 says why), and compiled with
jax.jit ("<name>+jit", every dtype). The compiled
functions are cached per parameter set (functools.lru_cache on the hashable scalar parameters);
array parameters (weight, pos_weight) are jit arguments, so a shape and dtype compile once. The
gradient of a "+jit" path is jax.jit of its value and jax.vjp together (one compilation, as in a
jitted training step); the gradient of an eager path is jax.vjp run eagerly.

optax losses return one loss per example and take no reduction argument (the user reduces), so
every optax path here ends with an explicit reduction and is `composed`.
"""
from __future__ import annotations

import functools
import importlib
import os

import numpy as np

from .registry import DTYPES, declare_adapter

INSTALL_HINT = "pip install jax optax  (or: pip install -e '.[jax]')"


@functools.lru_cache(maxsize=None)
def _jax():
    jax = importlib.import_module("jax")
    jax.config.update("jax_enable_x64", True)
    if not jax.config.jax_compilation_cache_dir:
        cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                             "loss-conformance", "jax")
        jax.config.update("jax_compilation_cache_dir", cache)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return jax


def _jnp():
    _jax()
    return importlib.import_module("jax.numpy")


def _optax():
    _jax()
    return importlib.import_module("optax")


class JaxBackend:
    """NumPy <-> jax.Array (float64 enabled), devices and jax.vjp."""

    def unavailable(self):
        try:
            _jax()
            _optax()
        except ImportError as err:
            return f"jax/optax cannot be used ({err}); {INSTALL_HINT}"
        return None

    def versions(self):
        return {"jax": _jax().__version__, "optax": _optax().__version__}

    def devices(self):
        jax = _jax()
        try:
            gpu = bool(jax.devices("gpu"))
        except RuntimeError:
            gpu = False
        return ["cpu"] + (["cuda"] if gpu else [])

    def asarray(self, array, dtype, device):
        jax, jnp = _jax(), _jnp()
        a = np.asarray(array)
        kind = jnp.int64 if np.issubdtype(a.dtype, np.integer) else getattr(jnp, dtype)
        return jax.device_put(jnp.asarray(a, dtype=kind), jax.devices("gpu" if device == "cuda" else "cpu")[0])

    def to_numpy(self, value):
        return np.asarray(value).astype(np.float64)

    def value_and_grad(self, fn, args, cotangent, wrt=(0,)):
        compiled = getattr(getattr(fn, "func", fn), "compiled_value_and_grad", None)
        if compiled is not None:    # a "+jit" path (through functools.partial): one compilation
            return compiled(args, cotangent, tuple(wrt), **getattr(fn, "keywords", {}))
        out, vjp = _jax().vjp(_with_args(fn, args, wrt), *[args[i] for i in wrt])
        return out, vjp(_jnp().asarray(np.asarray(cotangent), dtype=out.dtype))


adapter = declare_adapter("jax", JaxBackend(), "JAX jax.nn and optax")


def path(loss, name, **kw):
    """Declare `fn` twice: eager as `name`, and compiled as `name+jit`."""
    def register(fn):
        dtypes = kw.get("dtypes", DTYPES)
        eager = {**kw, "dtypes": ["float64"], "notes": EAGER_FLOAT64} if "float64" in dtypes else kw
        adapter.path(loss, name, **eager)(fn)
        call = kw.pop("call")
        adapter.path(loss, name + "+jit", call=f"jax.jit({call})", **kw)(_jitted(fn))
        return fn
    return register


# Eager JAX lowers every operation once per shape and dtype (even a persistent-cache hit is lowered
# to be looked up): 175 ms a check on average, two thirds of the whole conformance run when eager
# paths ran every dtype. The eager variant checks the semantics in float64; its "+jit" twin, the
# same function, runs every dtype.
EAGER_FLOAT64 = "eager JAX runs float64 only; the path's +jit twin runs every dtype"


def _jitted(fn):
    @functools.lru_cache(maxsize=None)
    def compiled(**scalars):
        return _jax().jit(lambda *arrays, **array_params: fn(*arrays, **array_params, **scalars))

    @functools.lru_cache(maxsize=None)
    def compiled_vjp(wrt, **scalars):
        jax = _jax()

        def value_and_vjp(args, cotangent, array_params):
            bound = functools.partial(fn, **array_params, **scalars)
            out, vjp = jax.vjp(_with_args(bound, args, wrt), *[args[i] for i in wrt])
            return out, vjp(cotangent.astype(out.dtype))
        return jax.jit(value_and_vjp)

    def split(params):
        arrays = {k: v for k, v in params.items() if v is not None and not _is_scalar(v)}
        return arrays, {k: v for k, v in params.items() if k not in arrays}

    @functools.wraps(fn)
    def run(*inputs, **params):
        arrays, scalars = split(params)
        return compiled(**scalars)(*inputs, **arrays)

    def value_and_grad(args, cotangent, wrt, **params):
        """jax.jit(value and jax.vjp) of the path: what JaxBackend.value_and_grad uses."""
        arrays, scalars = split(params)
        v = _jnp().asarray(np.asarray(cotangent))
        return compiled_vjp(wrt, **scalars)(tuple(args), v, arrays)
    run.compiled_value_and_grad = value_and_grad
    return run


def _with_args(fn, args, wrt):
    """fn as a function of the inputs at positions `wrt` only, the others fixed."""
    def of(*varying):
        full = list(args)
        for i, a in zip(wrt, varying):
            full[i] = a
        return fn(*full)
    return of


def _is_scalar(v):
    return isinstance(v, (bool, int, float, str, np.integer, np.floating))


# ---------------------------------------------------------------- helpers a user would copy

def reduce(losses, reduction, divisor=None):
    """PyTorch's reductions: 'mean' divides by `divisor` (default: the number of elements)."""
    jnp = _jnp()
    if reduction == "none":
        return losses
    total = jnp.sum(losses)
    if reduction == "sum":
        return total
    return total / (losses.size if divisor is None else divisor)


def class_loss(logp, target, weight, ignore_index, label_smoothing, reduction):
    """-sum_c w_c ((1 - eps) t_c + eps / C) logp_c over the class axis, t the target distribution
    (one-hot for index targets, 0 on ignored ones); 'mean' divides by sum w_c t_c."""
    jax, jnp = _jax(), _jnp()
    axis = 1 if logp.ndim > 1 else 0
    logp = jnp.moveaxis(logp, axis, -1)
    c = logp.shape[-1]
    if jnp.issubdtype(target.dtype, jnp.integer):
        kept = (target != ignore_index)[..., None]
        t = jax.nn.one_hot(jnp.where(target != ignore_index, target, 0), c, dtype=logp.dtype) * kept
    else:
        kept, t = 1.0, jnp.moveaxis(target, axis, -1)
    w = jnp.ones(c, logp.dtype) if weight is None else weight
    coef = w * ((1 - label_smoothing) * t + label_smoothing / c * kept)
    losses = -jnp.sum(jnp.where(coef != 0, coef * logp, 0), axis=-1)   # 0 log 0 = 0
    return reduce(losses, reduction, jnp.sum(w * t))


def _axis(x):
    return 1 if x.ndim > 1 else -1


# ---------------------------------------------------------------- softmax, log_softmax

@path("softmax", "jax.nn.softmax", call="jax.nn.softmax(input, axis=dim)", params=["dim"])
def softmax(input, *, dim):
    return _jax().nn.softmax(input, axis=dim)


@path("log_softmax", "jax.nn.log_softmax", call="jax.nn.log_softmax(input, axis=dim)",
      params=["dim"])
def log_softmax(input, *, dim):
    return _jax().nn.log_softmax(input, axis=dim)


# ---------------------------------------------------------------- cross_entropy

@path("cross_entropy", "optax.softmax_cross_entropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      conventions=["probs_zero_target_on_neg_inf_logit_is_nan"],
      call="reduce(optax.softmax_cross_entropy(input, optax.smooth_labels(target, label_smoothing, "
           "axis=1 if input.ndim > 1 else -1), axis=1 if input.ndim > 1 else -1), reduction)")
def ce_optax(input, target, *, label_smoothing, reduction):
    optax = _optax()
    labels = optax.smooth_labels(target, label_smoothing, axis=_axis(input))
    return reduce(optax.softmax_cross_entropy(input, labels, axis=_axis(input)), reduction,
                  _jnp().sum(target))


@path("cross_entropy", "optax.safe_softmax_cross_entropy", kind="composed",
      encodings=["one_hot", "probs"], params=["label_smoothing", "reduction"],
      call="reduce(optax.safe_softmax_cross_entropy(moveaxis(input, 1, -1), "
           "optax.smooth_labels(moveaxis(target, 1, -1), label_smoothing)), reduction)")
def ce_optax_safe(input, target, *, label_smoothing, reduction):
    optax, jnp = _optax(), _jnp()
    x, y = jnp.moveaxis(input, _axis(input), -1), jnp.moveaxis(target, _axis(input), -1)
    return reduce(optax.safe_softmax_cross_entropy(x, optax.smooth_labels(y, label_smoothing)),
                  reduction, jnp.sum(target))


@path("cross_entropy", "optax.softmax_cross_entropy_with_integer_labels", kind="composed",
      encodings=["index"], params=["ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      known_failures={"value:extreme-logits/index-float32": (
          "optax computes logsumexp(x) - x[y] in float32, which cancels at logits of 1e4 (float32 "
          "spacing there is 9.8e-4): seen [20000.0, 0.693359375, 0.3134765625], reference "
          "[20000.0, 0.6931471806, 0.3132616875], |error| 2.1e-4 > 1.04e-5 allowed; the gradient "
          "(softmax - one_hot) is within tolerance; jax 0.10.2, optax 0.2.8, eager and jit")},
      call="kept = target != ignore_index; reduce(optax.softmax_cross_entropy_with_integer_labels("
           "input, jnp.where(kept, target, 0), axis=1 if input.ndim > 1 else -1, where=kept), "
           "reduction, divisor=kept.sum())")
def ce_optax_int(input, target, *, ignore_index, reduction):
    jnp = _jnp()
    kept = target != ignore_index
    losses = _optax().softmax_cross_entropy_with_integer_labels(
        input, jnp.where(kept, target, 0), axis=_axis(input), where=kept)
    return reduce(losses, reduction, jnp.sum(kept))


@path("cross_entropy", "jax.nn.log_softmax+class_loss", kind="composed",
      params=["weight", "ignore_index", "label_smoothing", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(jax.nn.log_softmax(input, axis=1 if input.ndim > 1 else -1), target, weight, "
           "ignore_index, label_smoothing, reduction)  [adapters/jax_optax.py class_loss]")
def ce_composed(input, target, *, weight, ignore_index, label_smoothing, reduction):
    logp = _jax().nn.log_softmax(input, axis=_axis(input))
    return class_loss(logp, target, weight, ignore_index, label_smoothing, reduction)


# ---------------------------------------------------------------- nll_loss

@path("nll_loss", "class_loss", kind="composed", params=["weight", "ignore_index", "reduction"],
      conventions=["all_ignored_mean_gradient_is_zero"],
      call="class_loss(input, target, weight, ignore_index, 0.0, reduction)  "
           "[adapters/jax_optax.py class_loss]")
def nll_composed(input, target, *, weight, ignore_index, reduction):
    return class_loss(input, target, weight, ignore_index, 0.0, reduction)


# ---------------------------------------------------------------- binary cross-entropy

@path("binary_cross_entropy", "jnp.log", kind="composed", params=["weight", "reduction"],
      call="reduce(-weight * (jnp.where(target > 0, target * jnp.log(input), 0) + "
           "jnp.where(target < 1, (1 - target) * jnp.log1p(-input), 0)), reduction)")
def bce_composed(input, target, *, weight, reduction):
    jnp = _jnp()
    # 0 log 0 = 0, also in the gradient: the log sees 1 where its coefficient is 0
    log_p = jnp.log(jnp.where(target > 0, input, 1))
    log_q = jnp.log1p(-jnp.where(target < 1, input, 0))
    losses = -(target * log_p + (1 - target) * log_q)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "optax.sigmoid_binary_cross_entropy", kind="composed",
      params=["weight", "reduction"],
      call="reduce(weight * optax.sigmoid_binary_cross_entropy(input, target), reduction)")
def bcel_optax(input, target, *, weight, reduction):
    losses = _optax().sigmoid_binary_cross_entropy(input, target)
    return reduce(losses if weight is None else weight * losses, reduction)


@path("binary_cross_entropy_with_logits", "jax.nn.log_sigmoid", kind="composed",
      params=["weight", "pos_weight", "reduction"],
      call="reduce(-weight * (pos_weight * target * jax.nn.log_sigmoid(input) + (1 - target) * "
           "jax.nn.log_sigmoid(-input)), reduction)")
def bcel_composed(input, target, *, weight, pos_weight, reduction):
    jax = _jax()
    pos = target if pos_weight is None else pos_weight * target
    losses = -(pos * jax.nn.log_sigmoid(input) + (1 - target) * jax.nn.log_sigmoid(-input))
    return reduce(losses if weight is None else weight * losses, reduction)


# ---------------------------------------------------------------- regression: l1, mse, smooth_l1, huber
# optax has no L1 loss; optax.l2_loss is 0.5 d^2 (Bishop's convention), optax.squared_error is d^2.

ABS_AT_0 = ["jax_abs_grad_at_0_is_1"]


@path("l1_loss", "jnp.abs", kind="composed", params=["reduction"], conventions=ABS_AT_0,
      call="reduce(jnp.abs(input - target), reduction)")
def l1_jnp(input, target, *, reduction):
    return reduce(_jnp().abs(input - target), reduction)


@path("mse_loss", "optax.squared_error", kind="composed", params=["reduction"],
      call="reduce(optax.squared_error(input, target), reduction)")
def mse_optax(input, target, *, reduction):
    return reduce(_optax().squared_error(input, target), reduction)


@path("mse_loss", "2*optax.l2_loss", kind="composed", params=["reduction"],
      call="reduce(2 * optax.l2_loss(input, target), reduction)  [l2_loss is 0.5 d^2]")
def mse_optax_l2(input, target, *, reduction):
    return reduce(2 * _optax().l2_loss(input, target), reduction)


@path("mse_loss", "jnp.square", kind="composed", params=["reduction"],
      call="reduce(jnp.square(input - target), reduction)")
def mse_jnp(input, target, *, reduction):
    return reduce(_jnp().square(input - target), reduction)


@path("huber_loss", "optax.huber_loss", kind="composed", params=["delta", "reduction"],
      call="reduce(optax.huber_loss(input, target, delta=delta), reduction)")
def huber_optax(input, target, *, delta, reduction):
    return reduce(_optax().huber_loss(input, target, delta=delta), reduction)


@path("huber_loss", "jnp.where", kind="composed", params=["delta", "reduction"],
      call="a = jnp.abs(input - target); reduce(jnp.where(a <= delta, 0.5 * a**2, "
           "delta * (a - 0.5 * delta)), reduction)")
def huber_jnp(input, target, *, delta, reduction):
    jnp = _jnp()
    a = jnp.abs(input - target)
    return reduce(jnp.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta)), reduction)


@path("smooth_l1_loss", "optax.huber_loss(delta=beta).div(beta)", kind="composed",
      params=["beta", "reduction"], conventions=ABS_AT_0,
      call="reduce(optax.huber_loss(input, target, delta=beta) / beta if beta > 0 else "
           "jnp.abs(input - target), reduction)")
def smooth_l1_optax(input, target, *, beta, reduction):
    if beta == 0:
        return reduce(_jnp().abs(input - target), reduction)
    return reduce(_optax().huber_loss(input, target, delta=beta) / beta, reduction)


@path("smooth_l1_loss", "jnp.where", kind="composed", params=["beta", "reduction"],
      conventions=ABS_AT_0,
      call="a = jnp.abs(input - target); reduce(jnp.where(a < beta, 0.5 * a**2 / beta, "
           "a - 0.5 * beta) if beta > 0 else a, reduction)")
def smooth_l1_jnp(input, target, *, beta, reduction):
    jnp = _jnp()
    a = jnp.abs(input - target)
    if beta == 0:
        return reduce(a, reduction)
    return reduce(jnp.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta), reduction)


# ---------------------------------------------------------------- evidence of the conventions
# Each record names a built-in case that exercises the convention on that path, eager and "+jit";
# the convention check (conformance/test_convention.py) re-runs it at float64.

# ---------------------------------------------------------------- kl_div
# optax's KL divergences return one value per example (summed over the last axis); 'mean' divides
# the total by the number of elements and 'batchmean' by input.shape[0], as PyTorch does.

KL_NAN = "kl_div_zero_target_on_infinite_log_ratio_is_nan"
KL_PER_EXAMPLE = ["optax_kl_divergence_sums_over_last_axis", KL_NAN]


def kl_reduce(losses, reduction, input):
    """PyTorch's kl_div reductions on per-element or per-example losses."""
    if reduction == "batchmean":
        return _jnp().sum(losses) / input.shape[0]
    return reduce(losses, reduction, divisor=input.size)


def _optax_kl(input, target, log_target):
    losses = _optax().losses
    fn = losses.kl_divergence_with_log_targets if log_target else losses.kl_divergence
    return fn(input, target)


# Per-example output does not have the canonical 'none' shape for N-D input, so the path that
# takes every reduction is declared for 1-D input only; the other runs reduction='mean' at any rank.
@path("kl_div", "optax.kl_divergence", kind="composed", params=["log_target"], conventions=[KL_NAN],
      call="jnp.sum((optax.kl_divergence_with_log_targets if log_target else "
           "optax.kl_divergence)(input, target)) / input.size  [reduction='mean' only]")
def kl_optax(input, target, *, log_target):
    return kl_reduce(_optax_kl(input, target, log_target), "mean", input)


@path("kl_div", "optax.kl_divergence(1-D)", kind="composed", params=["reduction", "log_target"],
      conventions=KL_PER_EXAMPLE, ndims=[1],
      call="kl_reduce((optax.kl_divergence_with_log_targets if log_target else "
           "optax.kl_divergence)(input, target), reduction, input)  [1-D input; a scalar per "
           "example]")
def kl_optax_1d(input, target, *, reduction, log_target):
    return kl_reduce(_optax_kl(input, target, log_target), reduction, input)


@path("kl_div", "jax.scipy.special.xlogy", kind="composed", params=["reduction", "log_target"],
      conventions=[KL_NAN],
      call="kl_reduce(exp(target) * (target - input) if log_target else "
           "xlogy(target, target) - target * input, reduction, input)")
def kl_jnp(input, target, *, reduction, log_target):
    jnp = _jnp()
    if log_target:
        elements = jnp.exp(target) * (target - input)
    else:
        elements = importlib.import_module("jax.scipy.special").xlogy(target, target) - target * input
    return kl_reduce(elements, reduction, input)


SEEN_ON = "jax 0.10.2, optax 0.2.8, numpy 2.4.6; CPU, jax_enable_x64, float64, eager and jax.jit"
OPTAX_DOC = "https://optax.readthedocs.io/en/latest/api/losses.html"

for jit in ("", "+jit"):
    adapter.saw("probs_zero_target_on_neg_inf_logit_is_nan",
                path="cross_entropy/optax.softmax_cross_entropy" + jit,
                case="cross_entropy/neg-inf-logits/one_hot",
                call="optax.softmax_cross_entropy([[-inf, 1., .5], [2., -inf, -inf], [0., 0., -inf]], "
                     "one_hot([1, 0, 2]), axis=1)" + (" under jax.jit" if jit else ""),
                seen="[nan, nan, inf] (-(labels * log_softmax).sum(): 0 * -inf); canonical "
                     "[0.4740769842, 0, inf]; gradient finite, as canonical. "
                     "optax.safe_softmax_cross_entropy gives the canonical values",
                versions=SEEN_ON, link=OPTAX_DOC + " (safe_softmax_cross_entropy: 'handles "
                "labels*logsoftmax(logits) as 0 when logits=-inf and labels=0')")
    for p in ("cross_entropy/optax.softmax_cross_entropy_with_integer_labels",
              "cross_entropy/jax.nn.log_softmax+class_loss", "nll_loss/class_loss"):
        loss = p.split("/")[0]
        adapter.saw("all_ignored_mean_gradient_is_zero", path=p + jit,
                    case=f"{loss}/all-ignored-mean/index",
                    call=p.split("/", 1)[1] + " (this module's composition) with every target "
                         "-100, reduction='mean'" + (", under jax.jit" if jit else ""),
                    seen="value nan (0 / 0), gradient all 0: jnp.where (where= in optax) masks "
                         "every element before the sum; canonical gradient nan", versions=SEEN_ON)

    for p, case in (("l1_loss/jnp.abs", "l1_loss/at-zero/none"),
                    ("smooth_l1_loss/optax.huber_loss(delta=beta).div(beta)",
                     "smooth_l1_loss/beta-0-at-zero/none"),
                    ("smooth_l1_loss/jnp.where", "smooth_l1_loss/beta-0-at-zero/none")):
        adapter.saw("jax_abs_grad_at_0_is_1", path=p + jit, case=case,
                    call="jax.vjp of " + p.split("/", 1)[1] + " (this module's composition), "
                         "reduction='none', on input [0.5, -1., 2.25, 0., 3.] and target "
                         "[0.5, -1., 1., 0.25, 3.]" + (" under jax.jit" if jit else ""),
                    seen="jax.grad(lambda x: jnp.abs(x).sum())([0., -0., 1., -1.]) = [1, 1, 1, -1]; "
                         "the case's gradient is v * [1, 1, 1, -1, 1] (canonical v * [0, 0, 1, -1, "
                         "0]), values as canonical",
                    versions=SEEN_ON,
                    link="jax/_src/lax/lax.py _abs_jvp_rule: select(ge(x, 0), g, neg(g)) "
                         "(no public doc found)")

    adapter.saw("optax_kl_divergence_sums_over_last_axis", path="kl_div/optax.kl_divergence(1-D)" + jit,
                case="kl_div/vector-none/none",
                call="optax.kl_divergence(log_softmax(x), softmax(y)) on (5,) arrays, "
                     "reduction='none'" + (" under jax.jit" if jit else ""),
                seen="a scalar, the sum of the canonical (5,) elements (on (4, 5) arrays: shape "
                     "(4,), the per-row sums); "
                     "optax.losses.kl_divergence_with_log_targets likewise",
                versions=SEEN_ON, link=OPTAX_DOC + " (kl_divergence: 'Returns: Kullback-Leibler "
                "divergence ... with shape [...]', the last axis summed)")

    for p, case in (("kl_div/optax.kl_divergence", "kl_div/zero-target-neg-inf-input-mean/none"),
                    ("kl_div/optax.kl_divergence(1-D)", "kl_div/vector-zero-target-neg-inf-input/none"),
                    ("kl_div/jax.scipy.special.xlogy", "kl_div/zero-target-neg-inf-input/none")):
        adapter.saw(KL_NAN, path=p + jit, case=case,
                    call=p.split("/", 1)[1] + " on input [[-inf, log .25, log .75], [log .5, log .5, "
                         "-inf]] and target [[0, .25, .75], [.5, .5, 0]]" + (" under jax.jit" if jit else ""),
                    seen="optax.kl_divergence: [nan, nan] (per-row sums); xlogy(t, t) - t * x: "
                         "[[nan, 0, 0], [0, 0, nan]] (canonical 0); gradient -t, finite",
                    versions=SEEN_ON, link=OPTAX_DOC + " (kl_divergence; not the -inf input)")

# Seen, but no convention (no canonical difference reaches a checked value):
PROBED = (
    "optax losses return one loss per example and take no reduction argument: "
    "optax.softmax_cross_entropy_with_integer_labels([[0.1, 0.5, -0.2], [1., 2., 3.]], [1, 2]) "
    "gives [0.77330004, 0.40760596]; softmax_cross_entropy and sigmoid_binary_cross_entropy "
    "likewise; every path here reduces explicitly (" + OPTAX_DOC + ")",
    "optax.smooth_labels(labels, alpha) = (1 - alpha) labels + alpha / C = canonical",
    "optax.l2_loss(p, t) = 0.5 (p - t)^2 (its docstring: Bishop's 1/2), optax.squared_error = "
    "(p - t)^2: the mse_loss path '2*optax.l2_loss' multiplies by 2",
    "optax.huber_loss(p, t, delta) = 0.5 min(|d|, delta)^2 + delta (|d| - min(|d|, delta)) = "
    "canonical huber, value and gradient, also at |d| = delta and d = 0 (jnp.minimum and the "
    "product with min(|d|, delta) = 0 hide the abs gradient there)",
)


# The other families' paths, one module each; imported last, as they use the definitions above.
from . import (jax_ctc, jax_embedding, jax_focal_dice, jax_likelihood, jax_margin)  # noqa: E402,F401
