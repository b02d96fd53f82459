"""TensorFlow/Keras paths of the ctc family (spec.py beside this file).

tf.nn.ctc_loss with dense labels (ctc_ops.ctc_loss_dense) takes logits: it applies log_softmax,
returns one loss per sequence and has no reduction argument, so its paths reduce explicitly
(`composed`). It computes in float32: float64 raises InvalidArgumentError ("cannot compute Mul as
input #1(zero-based) was expected to be a double tensor but is a float tensor": its state
probabilities are float32 constants), float16 and bfloat16 are cast to float32 and back. Keras
casts float64 to float32 itself (keras/src/backend/tensorflow/nn.py ctc_loss: "it will raise an
error when the input is float64") and returns float32, so float64 is not declared for any path:
the results have float32 precision.

With SparseTensor labels tf.nn.ctc_loss runs the C++ CTCLoss kernel instead (float64 too), but that
kernel rejects a zero-length target ("Labels length is zero in batch 3") and an infeasible one
("Not enough time for target transition sequence (required: 3, available: 1)"): it is not declared
here, as the suite has no way to mark single cases of a path unsupported.
"""
from __future__ import annotations

from adapters.tensorflow import (
    KERAS_REDUCTION,
    KERAS_WEIGHTED,
    SEEN_ON,
    adapter,
    keras,
    keras_sample_weight,
    keras_weighted_twin,
    path,
    tf,
)

LOW = ["float32", "float16", "bfloat16"]
NO_FLOAT64 = ("tf.nn.ctc_loss (dense labels) rejects float64 ('expected to be a double tensor but "
              "is a float tensor'); Keras casts float64 to float32 and returns float32")
TF_CONV = ["ctc_input_normalised_with_log_softmax", "tf_ctc_log_zero_is_log_1e-307",
           "tf_ctc_nan_at_neg_inf_log_prob", "tf_ctc_empty_label_matrix_subtracts_log_2"]


def ctc_reduce(losses, target_lengths, reduction):
    """PyTorch's reductions of per-sequence CTC losses: 'mean' divides each by its target length
    (at least 1), then averages."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return tf.reduce_sum(losses)
    return tf.reduce_mean(losses / tf.cast(tf.maximum(target_lengths, 1), losses.dtype))


def _batched(log_probs, targets, input_lengths, target_lengths):
    """Unbatched (T, C) input as a batch of one."""
    if log_probs.ndim == 3:
        return log_probs, targets, input_lengths, target_lengths, False
    return (log_probs[:, None, :], targets[None], input_lengths[None], target_lengths[None], True)


@path("ctc_loss", "tf.nn.ctc_loss", kind="composed", params=["blank", "reduction"],
      conventions=TF_CONV, dtypes=LOW, notes=NO_FLOAT64,
      call="ctc_reduce(tf.nn.ctc_loss(labels=targets, logits=log_probs, label_length="
           "target_lengths, logit_length=input_lengths, logits_time_major=True, "
           "blank_index=blank), target_lengths, reduction)  [unbatched: a batch of one]")
def ctc_tf(log_probs, targets, input_lengths, target_lengths, *, blank, reduction):
    x, y, il, tl, single = _batched(log_probs, targets, input_lengths, target_lengths)
    losses = tf.nn.ctc_loss(labels=y, logits=x, label_length=tl, logit_length=il,
                               logits_time_major=True, blank_index=blank)
    return ctc_reduce(losses[0] if single else losses, target_lengths, reduction)


@path("ctc_loss", "keras.ops.ctc_loss", kind="composed", params=["blank", "reduction"],
      conventions=TF_CONV, dtypes=LOW, notes=NO_FLOAT64, ndims=[3],
      call="ctc_reduce(keras.ops.ctc_loss(targets, transpose(log_probs, (1, 0, 2)), "
           "target_lengths, input_lengths, mask_index=blank), target_lengths, reduction)")
def ctc_keras_ops(log_probs, targets, input_lengths, target_lengths, *, blank, reduction):
    losses = keras.ops.ctc_loss(targets, tf.transpose(log_probs, (1, 0, 2)), target_lengths,
                                   input_lengths, mask_index=blank)
    return ctc_reduce(losses, target_lengths, reduction)




def keras_labels(targets, target_lengths):
    """keras.losses.CTC reads the target length as the count of labels != 0 (its blank): the
    padding must be 0."""
    positions = tf.range(tf.shape(targets)[1], dtype=target_lengths.dtype)
    keep = positions[None, :] < target_lengths[:, None]
    return tf.where(keep, targets, tf.zeros_like(targets))


def _one_class(params, encoding, inputs) -> bool:
    return inputs["log_probs"].shape[-1] == 1


@path("ctc_loss", "keras.losses.CTC", params=["reduction"], dtypes=LOW, notes=NO_FLOAT64, ndims=[3],
      unsupported_when={"C = 1: LossFunctionWrapper.call squeezes y_pred's last axis of size 1 "
                        "(squeeze_or_expand_to_same_rank), then CTC raises ValueError 'Logits "
                        "`y_pred` are expected to be a tensor of shape (batch_size, max_length, "
                        "num_classes)'": _one_class},
      conventions=TF_CONV + ["keras_ctc_uses_every_frame", "keras_ctc_mean_divides_by_batch_size"],
      call="keras.losses.CTC(reduction={'none': 'none', 'mean': 'sum_over_batch_size', "
           "'sum': 'sum'}[reduction])(keras_labels(targets, target_lengths), "
           "transpose(log_probs, (1, 0, 2)))  [keras_labels: padding set to 0]")
def ctc_keras_class(log_probs, targets, input_lengths, target_lengths, *, reduction,
                    sample_weight=None):
    loss = keras.losses.CTC(reduction=KERAS_REDUCTION[reduction])
    return loss(keras_labels(targets, target_lengths), tf.transpose(log_probs, (1, 0, 2)),
                sample_weight=keras_sample_weight(sample_weight, 1))   # (N,) sequences


KERAS_CTC = TF_CONV + ["keras_ctc_uses_every_frame", "keras_ctc_mean_divides_by_batch_size"]
path("ctc_loss", "keras.losses.CTC(sample_weight=)", params=["reduction", "sample_weight"],
     dtypes=LOW, notes=NO_FLOAT64, ndims=[3], conventions=KERAS_CTC + KERAS_WEIGHTED,
     unsupported_when={"C = 1: as for keras.losses.CTC": _one_class,
                       **keras_weighted_twin("keras.losses.CTC", "ctc_loss",
                                             KERAS_CTC + KERAS_WEIGHTED)},
     call="keras.losses.CTC(reduction=...)(keras_labels(targets, target_lengths), "
          "transpose(log_probs, (1, 0, 2)), sample_weight=keras_sample_weight(sample_weight, "
          "1))  [as keras.losses.CTC]")(ctc_keras_class)


# ---------------------------------------------------------------- evidence

TF_DOC = "https://www.tensorflow.org/api_docs/python/tf/nn/ctc_loss"
KERAS_DOC = "https://keras.io/api/losses/probabilistic_losses/#ctc-class"
saw = adapter.saw
for _p in ("ctc_loss/tf.nn.ctc_loss", "ctc_loss/keras.ops.ctc_loss"):
    saw("ctc_input_normalised_with_log_softmax", path=_p,
        case="ctc_loss/random-unnormalised-none/none",
        call="tf.nn.ctc_loss(labels, logits=x, ...) on x of case random-unnormalised-none "
             "(unnormalised) and on log_softmax(x)",
        seen="unnormalised x: the canonical loss of log_softmax(x) (3.6393576 for 3.6393573 of "
             "canonical(log_softmax(x)); canonical(x) is -1.56...); gradient softmax(x) - gamma "
             "(to 4e-7 in float32)",
        versions=SEEN_ON, link=TF_DOC + " ('logits: tensor of shape [frames, batch_size, "
                                        "num_labels]'; ctc_ops.ctc_loss_and_grad applies "
                                        "nn_ops.log_softmax(logits))")
    saw("tf_ctc_log_zero_is_log_1e-307", path=_p, case="ctc_loss/infeasible-repeat-none/none",
        call="tf.nn.ctc_loss on targets [[1, 1], ...] with input_lengths [2, ...]: the repeated "
             "label needs 3 frames",
        seen="finite loss 707.79 (= -log p of the alignments ending in a wrong state, each with "
             "log-weight float32(log(1e-307)) = -706.8936) where canonical is inf; finite "
             "gradient (the posterior of the lattice with the same log-weights at the start too)",
        versions=SEEN_ON, link="no public documentation found (ctc_ops.ctc_state_log_probs: "
                               "'log_0 = log(0 + 1e-307)')")
saw("ctc_input_normalised_with_log_softmax", path="ctc_loss/keras.losses.CTC",
    case="ctc_loss/random-unnormalised-all-frames-none/none",
    call="keras.losses.CTC(reduction='none')(labels, transpose(x, (1, 0, 2)))",
    seen="the canonical loss of log_softmax(x), as tf.nn.ctc_loss (Keras calls it)",
    versions=SEEN_ON, link=KERAS_DOC + " (keras.losses.ctc: 'y_pred ... containing logits')")
saw("tf_ctc_log_zero_is_log_1e-307", path="ctc_loss/keras.losses.CTC",
    case="ctc_loss/infeasible-repeat-all-frames-none/none",
    call="keras.losses.CTC(reduction='none') on a target that T frames cannot hold",
    seen="a finite loss of about 707, as tf.nn.ctc_loss", versions=SEEN_ON)
saw("keras_ctc_uses_every_frame", path="ctc_loss/keras.losses.CTC",
    case="ctc_loss/random-unnormalised-none/none",
    call="keras.losses.CTC(reduction='none')(labels, transpose(x, (1, 0, 2))) on a batch with "
         "input_lengths [6, 5, 6, 2] of T = 6",
    seen="every sequence's loss over all 6 frames (keras.losses.ctc builds input_length = "
         "T * ones)", versions=SEEN_ON, link=KERAS_DOC)
saw("keras_ctc_mean_divides_by_batch_size", path="ctc_loss/keras.losses.CTC",
    case="ctc_loss/random-normalised-all-frames-mean/none",
    call="keras.losses.CTC()(labels, transpose(x, (1, 0, 2))) (reduction 'sum_over_batch_size')",
    seen="6.090033 = mean of the per-sequence losses, not of the losses divided by the target "
         "lengths", versions=SEEN_ON, link=KERAS_DOC + " ('sum_over_batch_size ... divide by "
                                                       "the sample size')")

for _p in ("ctc_loss/tf.nn.ctc_loss", "ctc_loss/keras.ops.ctc_loss", "ctc_loss/keras.losses.CTC"):
    saw("tf_ctc_nan_at_neg_inf_log_prob", path=_p,
        case="ctc_loss/zero-probability-class-none/none",
        call="tf.nn.ctc_loss(labels=[[1], [2]], logits=x, label_length=[1, 1], "
             "logit_length=[2, 3], logits_time_major=True, blank_index=0) on x of case "
             "zero-probability-class-none in float32 (sequence 0 has -inf at class 2, not its "
             "label 1, on frame 1, and at its label class 1 on frame 2)",
        seen="losses [nan, 0.91879404]; the gradient of sequence 0 nan everywhere. With only "
             "the -inf at its label class: [0.5260931, 0.91879404], finite. With labels [[0]], "
             "target_lengths [0] and -inf at class 1 of any frame, input_length 0 to 3: nan",
        versions=SEEN_ON)
    saw("tf_ctc_empty_label_matrix_subtracts_log_2", path=_p,
        case="ctc_loss/empty-label-matrix-none/none",
        call="tf.nn.ctc_loss(labels=zeros((N, 0)), logits=x, label_length=zeros(N), "
             "logit_length=..., logits_time_major=True, blank_index=0) in float32",
        seen="log_probs = log(1/2) on 2 frames, C = 2: 0.6931472 where canonical is 1.3862944; "
             "with C = 3: 1.5040774 for 2.1972246 (canonical - log 2); input_length 0: -0.0; "
             "with labels of shape (N, 1) and target_lengths 0: the canonical loss",
        versions=SEEN_ON)


# ---------------------------------------------------------------- evidence: Keras masks

# the masked twins of the Keras classes' weighted paths (adapters/tensorflow.py
# derive_keras_mask_paths, which records these once it has declared them): the convention
# keras_masked_mean_divides_by_kept_count, the Keras versions SEEN_ON
KERAS_MASK_EVIDENCE = [
    dict(
        path="ctc_loss/keras.losses.CTC(masked input, sample_weight=)",
        case="ctc_loss/per-sample-mean/none",
        call="keras.losses.CTC(sample_weight=) (this module's call) with reduction='mean' (Keras "
             "'sum_over_batch_size'), sample_weight=[0.5, 2. , 0. ], dtype float32, on the inputs "
             "of case per-sample-mean; its y_pred carrying "
             "keras.src.backend.set_keras_mask(y_pred, sample_weight != 0 broadcast to the (3,) "
             "unreduced loss) (adapters/tensorflow.py keras_mask_of)",
        seen="10.959418296813965 = sum(w l) / 2, the kept elements of the 3 (reference "
             "10.95941702); without the mask the reference gives 7.306278014 = sum(w l) / 3 and "
             "keras.losses.CTC(sample_weight=) gives 7.306278229",
    ),
]
