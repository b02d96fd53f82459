"""Planted bug: a port of paddle.nn.functional.ctc_loss that passes norm_by_times=True, read from
its docs ("Whether to normalize the gradients by the number of time-step") as a harmless
per-frame normalisation, and declares no convention for it: the values are unchanged, but each
sequence's gradient is divided by its input length."""
# the check that must fail because of this bug: (test file, fragment of its id)
CAUGHT_BY = ('test_gradient', 'ctc_loss/random-normalised-none-float64')
from adapters.families.ctc.paddle_lib import CONVENTIONS, CRASHES, PARAMS, refuse
from adapters.paddle_lib import PaddleBackend
from adapters.registry import declare_adapter

bug = declare_adapter("bug_paddle_ctc_norm_by_times", PaddleBackend())


@bug.path("ctc_loss", "functional", params=PARAMS, conventions=CONVENTIONS, ndims=[3],
          dtypes=["float64", "float32"], unsupported_when=CRASHES,
          call="paddle.nn.functional.ctc_loss(log_probs, targets.astype('int32'), input_lengths, "
               "target_lengths, blank=blank, reduction=reduction, norm_by_times=True, "
               "zero_infinity=zero_infinity)")
def ctc(log_probs, targets, input_lengths, target_lengths, *, blank, reduction, zero_infinity):
    import paddle.nn.functional as F
    refuse(log_probs, targets, input_lengths, target_lengths)   # never reach a crashing call
    return F.ctc_loss(log_probs, targets.astype("int32"), input_lengths, target_lengths,
                      blank=blank, reduction=reduction, norm_by_times=True,
                      zero_infinity=zero_infinity)
