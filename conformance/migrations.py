"""Migration recipes: a call in one framework, the calls in the others that give the same number,
and the ports that look right but do not. Written as plain code a user can paste (the arrays come
from SETUP), and run by tests/test_migrations.py: each recipe against the reference, each trap
against the value it states. conformance/recipe.py prints them at the top of CONVENTIONS.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapters import reference

# The arrays every recipe starts from (NumPy float64): 4 samples, 5 classes.
SETUP = """\
import numpy as np
rng = np.random.default_rng(0)
x = rng.normal(size=(4, 5))                # logits
y = np.array([0, 3, 1, 4])                 # class indices
y_onehot = np.eye(5)[y]
w = np.array([0.2, 1.0, 2.0, 0.5, 3.0])    # one weight per class
s = np.array([1.0, 0.5, 2.0, 0.0])         # one weight per sample
y_ign = np.array([0, -1, 1, 4])            # class indices, sample 1 ignored (-1)
s_kept = s * (y_ign != -1)                 # the weights of the kept samples (0 where ignored)
xt = x.T.copy()                            # the same logits, classes first: (5, 4)
seg = rng.normal(size=(2, 4, 4, 3))        # segmentation logits, channels last: (N, H, W, C)
seg_p = np.exp(seg) / np.exp(seg).sum(-1, keepdims=True)   # their softmax over the 3 classes
seg_y = np.eye(3)[rng.integers(0, 3, size=(2, 4, 4))]      # one-hot masks, channels last
heat = rng.normal(size=(2, 3, 4, 4))       # keypoint heatmap logits (N, K, H, W)
pos = rng.integers(0, 16, size=(2, 3))     # each keypoint's position on the 4 x 4 map, h * 4 + w
"""

# Keras and JAX compute in float32 by default (keras.config.floatx(), jax_enable_x64 off), as a
# pasted recipe does: agreement is to float32 rounding of values of order 1
RTOL = 1e-5


@dataclass(frozen=True)
class Port:
    framework: str     # "torch", "keras" or "optax"
    code: str          # sets `loss`; may use the SETUP arrays


@dataclass(frozen=True)
class Trap:
    port: Port
    why: str
    gives: float | None = None   # what it gives on SETUP's arrays (4 significant digits), or
    raises: str = ""             # part of the error it raises instead: checked either way


@dataclass(frozen=True)
class Recipe:
    title: str                    # the call a user starts from
    loss: str                     # the canonical loss, and its inputs and parameters as
    inputs: dict[str, str]        # names of SETUP arrays (strings) or values
    params: dict
    ports: tuple[Port, ...]       # every one gives the canonical value
    traps: tuple[Trap, ...] = ()
    encoding: str = "index"

    def canonical(self) -> float:
        env = setup()
        value = reference.evaluate(self.loss, _resolve(self.inputs, env),
                                   _resolve(self.params, env), self.encoding).value
        return float(value)


def setup() -> dict:
    env: dict = {}
    exec(SETUP, env)     # noqa: S102 (the recipes' own text, run as a user would)
    return env


def run(port: Port) -> float:
    """Run a port's code on SETUP's arrays as a user would paste it; return `loss`."""
    env = setup()
    exec(port.code, env)     # noqa: S102
    return float(np.asarray(env["loss"]))


def _resolve(d: dict, env: dict) -> dict:
    return {k: env[v] if isinstance(v, str) and v in env else v for k, v in d.items()}


TORCH_WEIGHTED_SMOOTHED = Port("torch", """\
import torch
loss = torch.nn.CrossEntropyLoss(weight=torch.tensor(w), label_smoothing=0.1)(
    torch.tensor(x), torch.tensor(y))""")

RECIPES = (
    Recipe(
        title="torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)(x, y)",
        loss="cross_entropy", inputs={"input": "x", "target": "y"},
        params={"weight": "w", "label_smoothing": 0.1},
        ports=(
            TORCH_WEIGHTED_SMOOTHED,
            Port("keras", """\
import keras
q = 0.9 * y_onehot + 0.1 / 5               # the smoothed target, weighted class by class
loss = keras.losses.CategoricalCrossentropy(from_logits=True, reduction="sum")(
    q * w, x) / w[y].sum()"""),
            Port("optax", """\
import optax
q = 0.9 * y_onehot + 0.1 / 5
loss = optax.softmax_cross_entropy(x, q * w).sum() / w[y].sum()"""),
        ),
        traps=(
            Trap(Port("keras", """\
import keras
loss = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(
    y_onehot, x, sample_weight=w[y])"""),
                 why="the natural port: the default reduction ('sum_over_batch_size') divides "
                     "by the 4 samples, not by the weights' sum w[y].sum(), and the smoothed "
                     "share of every class is weighted by w[y] instead of by its own w_c",
                 gives=1.351),
            Trap(Port("keras", """\
import keras
loss = keras.losses.CategoricalCrossentropy(
    from_logits=True, label_smoothing=0.1, reduction="mean_with_sample_weight")(
    y_onehot, x, sample_weight=w[y])"""),
                 why="the right divisor, but the smoothed share of class c is still weighted "
                     "by w[y] instead of w_c: equal only without label smoothing",
                 gives=1.150),
        )),
    Recipe(
        title="torch.nn.CrossEntropyLoss(weight=w)(x, y)",
        loss="cross_entropy", inputs={"input": "x", "target": "y"}, params={"weight": "w"},
        ports=(
            Port("torch", """\
import torch
loss = torch.nn.CrossEntropyLoss(weight=torch.tensor(w))(torch.tensor(x), torch.tensor(y))"""),
            Port("keras", """\
import keras
loss = keras.losses.SparseCategoricalCrossentropy(
    from_logits=True, reduction="mean_with_sample_weight")(y, x, sample_weight=w[y])"""),
            Port("optax", """\
import optax
loss = (optax.softmax_cross_entropy_with_integer_labels(x, y) * w[y]).sum() / w[y].sum()"""),
        ),
        traps=(
            Trap(Port("keras", """\
import keras
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, x, sample_weight=w[y])"""),
                 why="the default reduction ('sum_over_batch_size') divides the weighted sum by "
                     "the number of samples; torch's weighted mean divides by w[y].sum()",
                 gives=1.258),
            Trap(Port("optax", """\
import optax
loss = (optax.softmax_cross_entropy_with_integer_labels(x, y) * w[y]).mean()"""),
                 why=".mean() divides by the number of samples, not by w[y].sum()",
                 gives=1.258),
        )),
    Recipe(
        title="keras.losses.CategoricalCrossentropy(from_logits=True)(y_onehot, x, "
              "sample_weight=s)",
        loss="cross_entropy", inputs={"input": "x", "target": "y"},
        params={"sample_weight": "s"},
        ports=(
            Port("keras", """\
import keras
loss = keras.losses.CategoricalCrossentropy(from_logits=True)(y_onehot, x, sample_weight=s)"""),
            Port("torch", """\
import torch
loss = (torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y), reduction="none")
        * torch.tensor(s)).mean()"""),
            Port("optax", """\
import optax
loss = (optax.softmax_cross_entropy(x, y_onehot) * s).mean()"""),
        ),
        traps=(
            Trap(Port("torch", """\
import torch
per_sample = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y),
                                               reduction="none")
loss = (per_sample * torch.tensor(s)).sum() / torch.tensor(s).sum()"""),
                 why="a weighted average divides by the weights' sum (3.5), Keras's default "
                     "divides by the number of samples (4): that is reduction="
                     "'mean_with_sample_weight'",
                 gives=1.420),
        )),
    Recipe(
        title="keras.losses.CategoricalCrossentropy(from_logits=True, "
              "reduction='mean_with_sample_weight')(y_onehot, x, sample_weight=s)",
        loss="cross_entropy", inputs={"input": "x", "target": "y"},
        params={"sample_weight": "s", "reduction": "weighted_mean"},
        ports=(
            Port("keras", """\
import keras
loss = keras.losses.CategoricalCrossentropy(
    from_logits=True, reduction="mean_with_sample_weight")(y_onehot, x, sample_weight=s)"""),
            Port("torch", """\
import torch
per_sample = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y),
                                               reduction="none")
loss = (per_sample * torch.tensor(s)).sum() / torch.tensor(s).sum()"""),
            Port("optax", """\
import optax
loss = (optax.softmax_cross_entropy(x, y_onehot) * s).sum() / s.sum()"""),
        ),
        traps=(
            Trap(Port("torch", """\
import torch
loss = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y),
                                         weight=torch.tensor(s))"""),
                 why="torch's `weight` is one weight per class, not per sample: with 4 samples "
                     "and 5 classes it fails (\"weight tensor should be defined either for all "
                     "5 classes or no classes\"); it cannot carry sample weights",
                 raises="weight tensor should be defined either for all"),
        )),
    Recipe(
        title="keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, "
              "reduction='mean_with_sample_weight')(y_ign, x, sample_weight=s)",
        loss="cross_entropy", inputs={"input": "x", "target": "y_ign"},
        # Keras's mask of the ignored targets multiplies the weights: an ignored sample's weight
        # leaves the divisor (keras_weighted_mean_drops_masked_weights)
        params={"ignore_index": -1, "sample_weight": "s_kept", "reduction": "weighted_mean"},
        ports=(
            Port("keras", """\
import keras
loss = keras.losses.SparseCategoricalCrossentropy(
    from_logits=True, ignore_class=-1, reduction="mean_with_sample_weight")(
    y_ign, x, sample_weight=s)"""),
            Port("torch", """\
import torch
per_sample = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y_ign),
                                               ignore_index=-1, reduction="none")
kept = torch.tensor(y_ign != -1)
loss = (per_sample * torch.tensor(s)).sum() / (torch.tensor(s) * kept).sum()"""),
            Port("optax", """\
import optax
kept = y_ign != -1
per_sample = optax.softmax_cross_entropy_with_integer_labels(x, np.where(kept, y_ign, 0),
                                                             where=kept[:, None])
loss = (per_sample * s).sum() / (s * kept).sum()"""),
        ),
        traps=(
            Trap(Port("torch", """\
import torch
per_sample = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y_ign),
                                               ignore_index=-1, reduction="none")
loss = (per_sample * torch.tensor(s)).sum() / torch.tensor(s).sum()"""),
                 why="the weighted average of the per-sample losses keeps the ignored sample's "
                     "weight (0.5) in the divisor, 3.5; Keras's ignore_class drops it: 3.0",
                 gives=1.015),
        )),
    Recipe(
        title="optax.softmax_cross_entropy(xt, optax.smooth_labels(y_onehot.T, 0.1, axis=0), "
              "axis=0).mean()  (classes on axis 0)",
        loss="cross_entropy", inputs={"input": "xt", "target": "y"},
        params={"axis": 0, "label_smoothing": 0.1},
        ports=(
            Port("optax", """\
import optax
loss = optax.softmax_cross_entropy(
    xt, optax.smooth_labels(y_onehot.T, 0.1, axis=0), axis=0).mean()"""),
            Port("torch", """\
import torch
loss = torch.nn.functional.cross_entropy(torch.movedim(torch.tensor(xt), 0, 1),
                                         torch.tensor(y), label_smoothing=0.1)"""),
            Port("keras", """\
import keras
loss = keras.losses.CategoricalCrossentropy(from_logits=True, axis=0)(
    0.9 * y_onehot.T + 0.1 / 5, xt)"""),
        ),
        traps=(
            Trap(Port("torch", """\
import torch
loss = torch.nn.functional.cross_entropy(torch.tensor(xt), torch.tensor(y),
                                         label_smoothing=0.1)"""),
                 why="torch reads the class axis at 1: (5, 4) logits are 5 samples of 4 classes, "
                     "and the 4 targets do not match them (with as many samples as classes it "
                     "would run, on the wrong axis); move the classes to axis 1 first",
                 raises="to match target batch_size"),
            Trap(Port("keras", """\
import keras
loss = keras.losses.CategoricalCrossentropy(from_logits=True, axis=0, label_smoothing=0.1)(
    y_onehot.T, xt)"""),
                 why="Keras spreads the smoothing as 0.1 / y_true.shape[-1]: the 4 samples, not "
                     "the 5 classes on axis 0 (keras_label_smoothing_over_last_axis_size)",
                 gives=1.624),
            Trap(Port("keras", """\
import keras
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, axis=0)(y, xt)"""),
                 why="Keras's TensorFlow backend takes the class axis last only; move it there "
                     "(xt.T) or use CategoricalCrossentropy(axis=0) on one-hot targets",
                 raises="Only axis=-1 is currently supported"),
        )),
    Recipe(
        title="optax.softmax_cross_entropy_with_integer_labels(heat, pos, axis=(2, 3)).mean()  "
              "(one softmax over the H W positions of each heatmap; pos a flat index h * W + w)",
        loss="cross_entropy", inputs={"input": "heat", "target": "pos"}, params={"axis": (2, 3)},
        ports=(
            Port("optax", """\
import optax
loss = optax.softmax_cross_entropy_with_integer_labels(heat, pos, axis=(2, 3)).mean()"""),
            Port("torch", """\
import torch
flat = torch.tensor(heat).flatten(2)       # (N, K, H W): the joint classes, row-major
loss = torch.nn.functional.cross_entropy(flat.movedim(-1, 1), torch.tensor(pos))"""),
            Port("keras", """\
import keras
flat = heat.reshape(2, 3, 16)              # (N, K, H W): the joint classes last
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(pos, flat)"""),
        ),
        traps=(
            Trap(Port("optax", """\
import optax
loss = optax.softmax_cross_entropy_with_integer_labels(heat, pos, axis=(3, 2)).mean()"""),
                 why="the flat index is read in the order the axes are given: with (3, 2) "
                     "pos = w * 4 + h, another position for the same numbers, and nothing fails",
                 gives=3.060),
            Trap(Port("torch", """\
import torch
flat = torch.tensor(heat).transpose(2, 3).flatten(2)   # (N, K, W H): column-major positions
loss = torch.nn.functional.cross_entropy(flat.movedim(-1, 1), torch.tensor(pos))"""),
                 why="flattened (W, H) instead of (H, W): the softmax is the same, but pos = "
                     "h * 4 + w now names the position (w, h)",
                 gives=3.060),
            Trap(Port("keras", """\
import keras
import numpy as np
onehot = np.eye(16)[pos].reshape(2, 3, 4, 4)
loss = keras.losses.CategoricalCrossentropy(from_logits=True, axis=(2, 3))(onehot, heat)"""),
                 why="Keras's categorical_crossentropy takes one int axis (its docstring: 'Int "
                     "specifying the channels axis'): a tuple reaches "
                     "tf.nn.softmax_cross_entropy_with_logits, which raises InvalidArgumentError; "
                     "flatten the joint axes last first",
                 raises="limit must be a scalar"),
        )),
    Recipe(
        title="keras.losses.Dice(axis=(1, 2))(seg_y, seg_p)  (channels-last masks (N, H, W, C): "
              "one Dice per sample and class)",
        loss="soft_dice_loss", inputs={"input": "seg_p", "target": "seg_y"},
        # Keras adds 1e-7 to the denominator only (keras_dice_epsilon_in_denominator_only): with
        # sums P + T of about 10 here, a change of 1e-8, below float32's rounding
        params={"axis": -1, "smooth": 0.0}, encoding="none",
        ports=(
            Port("keras", """\
import keras
loss = keras.losses.Dice(axis=(1, 2))(seg_y, seg_p)"""),
            Port("optax", """\
import optax
loss = optax.losses.dice_loss(seg_p, seg_y, smooth=0.0, apply_softmax=False).mean()"""),
            Port("torch", """\
import torch
p, t = (torch.movedim(torch.tensor(a), -1, 1) for a in (seg_p, seg_y))   # (N, C, H, W)
inter = (p * t).sum((2, 3))
loss = (1 - 2 * inter / (p.sum((2, 3)) + t.sum((2, 3)))).mean()"""),
        ),
        traps=(
            Trap(Port("keras", """\
import keras
loss = keras.losses.Dice(axis=-1)(seg_y, seg_p)"""),
                 why="Dice's axis names the axes summed over, not the class axis (as "
                     "CategoricalCrossentropy's does): axis=-1 sums over the classes, one Dice "
                     "per pixel (with one-hot masks and softmax probabilities, 1 - mean p_y: "
                     "the same as axis=None's one Dice over everything)",
                 gives=0.6262),
            Trap(Port("keras", """\
import keras
loss = keras.losses.Dice()(seg_y, seg_p)"""),
                 why="the default axis=None sums over every axis: one Dice over the whole batch "
                     "(canonical sum_over='all'), not one per sample and class",
                 gives=0.6262),
            Trap(Port("optax", """\
import numpy as np
import optax
loss = optax.losses.dice_loss(np.moveaxis(seg_p, -1, 1), np.moveaxis(seg_y, -1, 1), smooth=0.0,
                              apply_softmax=False).mean()"""),
                 why="optax reads the classes last: channels-first (N, C, H, W) input has W = 4 "
                     "'classes', which do not sum to 1",
                 raises="must be valid probability distributions"),
        )),
    Recipe(
        title="keras.losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1)("
              "seg_y, seg)  (channels-last (N, H, W, C) logits)",
        loss="categorical_focal_crossentropy", inputs={"input": "seg", "target": "seg_y"},
        # Keras clips the probabilities to [1e-7, 1 - 1e-7] (keras_focal_probs_clipped_to_epsilon):
        # none of these logits comes near
        params={"axis": -1, "label_smoothing": 0.1}, encoding="one_hot",
        ports=(
            Port("keras", """\
import keras
loss = keras.losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1)(
    seg_y, seg)"""),
            Port("torch", """\
import torch
logp = torch.log_softmax(torch.tensor(seg), dim=-1)          # the classes where they are
t = 0.9 * torch.tensor(seg_y) + 0.1 / 3
loss = (-0.25 * (t * (1 - logp.exp()) ** 2 * logp).sum(-1)).mean()"""),
            Port("optax", """\
import jax
logp = jax.nn.log_softmax(seg, axis=-1)
t = 0.9 * seg_y + 0.1 / 3
loss = (-0.25 * (t * (1 - jax.numpy.exp(logp)) ** 2 * logp).sum(-1)).mean()"""),
        ),
        traps=(
            Trap(Port("torch", """\
import torch
logp = torch.log_softmax(torch.tensor(seg), dim=1)           # dim=1, as for (N, C, H, W)
t = 0.9 * torch.tensor(seg_y) + 0.1 / 3
loss = (-0.25 * (t * (1 - logp.exp()) ** 2 * logp).sum(-1)).mean()"""),
                 why="a port written for channels-first tensors: dim=1 is H here, so the "
                     "softmax runs over the 4 rows instead of the 3 classes, and nothing fails",
                 gives=0.2989),
            Trap(Port("keras", """\
import keras
import numpy as np
loss = keras.losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1, axis=1)(
    np.moveaxis(seg_y, -1, 1), np.moveaxis(seg, -1, 1))"""),
                 why="moved channels-first with axis=1, Keras spreads the smoothing as 0.1 / "
                     "y_true.shape[-1]: over W = 4, not the 3 classes "
                     "(keras_label_smoothing_over_last_axis_size)",
                 gives=0.1811),
        )),
    Recipe(
        title="-optax.losses.cosine_similarity(seg, seg_y, axis=(1, 2, 3)).mean()  (one cosine "
              "per sample over its H W C values together)",
        loss="cosine_similarity", inputs={"input": "seg", "target": "seg_y"},
        params={"axis": (1, 2, 3)}, encoding="none",
        ports=(
            Port("optax", """\
import optax
loss = -optax.losses.cosine_similarity(seg, seg_y, axis=(1, 2, 3)).mean()"""),
            Port("keras", """\
import keras
loss = keras.losses.CosineSimilarity(axis=(1, 2, 3))(seg_y, seg)"""),
            Port("torch", """\
import torch
a, b = (torch.tensor(v).flatten(1) for v in (seg, seg_y))   # (N, H W C): one vector a sample
loss = -torch.nn.functional.cosine_similarity(a, b, dim=1).mean()"""),
        ),
        traps=(
            Trap(Port("torch", """\
import torch
loss = -torch.nn.functional.cosine_similarity(torch.tensor(seg), torch.tensor(seg_y),
                                               dim=(1, 2, 3)).mean()"""),
                 why="torch's cosine_similarity takes one int dim: flatten the axes into one "
                     "first (the order does not matter to a cosine)",
                 raises="argument 'dim' must be int, not tuple"),
            Trap(Port("torch", """\
import torch
loss = -torch.nn.functional.cosine_similarity(torch.tensor(seg), torch.tensor(seg_y)).mean()"""),
                 why="torch's default dim is 1 (H here): one cosine per column of 4 values, "
                     "averaged over (N, W, C), and nothing fails",
                 gives=-0.09099),
            Trap(Port("keras", """\
import keras
loss = keras.losses.CosineSimilarity()(seg_y, seg)"""),
                 why="the default axis=-1 (optax's too) takes one cosine per pixel over its 3 "
                     "channels, not one per sample",
                 gives=-0.08641),
        )),
)
