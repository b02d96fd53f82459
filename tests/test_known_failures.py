"""A declared known failure must fail (reported xfail); if it passes, the suite fails (strict)."""
from tests.test_planted_bugs import run_conformance

NAIVE = '''
import torch
from adapters.pytorch import TorchBackend
from adapters.registry import declare_adapter

naive = declare_adapter("naive", TorchBackend())


@naive.path("cross_entropy", "ce", call="logsumexp(x) - x_y", encodings=["index"], ndims=[2],
            params=["reduction"], known_failures=KNOWN)
def ce(input, target, *, reduction):
    loss = torch.logsumexp(input, dim=1) - input.gather(1, target[:, None])[:, 0]
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
'''


def plugin(tmp_path, known):
    path = tmp_path / "naive_plugin.py"
    path.write_text(NAIVE.replace("KNOWN", known))
    return str(path)


def test_declared_failure_is_xfail(tmp_path):
    known = '{"value:extreme-logits/index-float32": "cancellation at logits of 1e4"}'
    out = run_conformance("--adapter", plugin(tmp_path, known), "-k", "test_value and "
                                                                      "extreme-logits/index-float32",
                          "-rx")
    assert out.returncode == 0, out.stdout[-3000:]
    assert "1 xfailed" in out.stdout and "cancellation at logits of 1e4" in out.stdout


def test_unexpected_pass_fails(tmp_path):
    known = '{"value:batch-mean/index-float64": "claimed, but not true"}'
    out = run_conformance("--adapter", plugin(tmp_path, known), "-k", "batch-mean/index-float64")
    assert out.returncode == 1, out.stdout[-3000:]
    assert "but the check passed: remove the declaration" in out.stdout
