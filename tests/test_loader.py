"""The case loader rejects malformed files with an error naming the file, the case and the field."""
import json
import textwrap

import pytest

from adapters import reference
from conformance import cases
from conformance.cases import CaseError

GOOD = """
loss: cross_entropy
cases:
  - id: ok
    inputs:
      input: [[0.9, 0.2, 0.8], [0.5, 0.2, 0.4]]
      target: [0, 2]
    provenance: test
"""


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def error_of(path) -> CaseError:
    with pytest.raises(CaseError) as info:
        cases.load([path])
    return info.value


def test_good_file_loads_with_twins(tmp_path):
    loaded = cases.load([write(tmp_path, GOOD)])
    assert [c.encoding for c in loaded] == ["index", "one_hot"]


@pytest.mark.parametrize("text, case_id, field, message", [
    ("loss: cross_entropy\ncases: [\n", None, None, "not valid YAML"),
    (GOOD.replace("loss: cross_entropy", "loss: cross_entropi"), None, "loss", "unknown loss"),
    (GOOD.replace("provenance: test", "provenance: test\n    params: {smoothing: 0.1}"),
     "ok", "params.smoothing", "unknown parameter"),
    (GOOD.replace("provenance: test", "provenance: test\n    params: {label_smoothing: 1.5}"),
     "ok", "params.label_smoothing", "out of domain"),
    (GOOD.replace("provenance: test", "provenance: test\n    params: {reduction: avg}"),
     "ok", "params.reduction", "out of domain"),
    (GOOD.replace("provenance: test", "provenance: test\n    params: {weight: [1, 2]}"),
     "ok", "params.weight", "one weight per class"),
    (GOOD.replace("target: [0, 2]", "target: [0, 2, 1]"), "ok", "inputs.target", "do not match"),
    (GOOD.replace("provenance: test", "provenance: test\n    params: {axis: 2}"),
     "ok", "params.axis", "is not an axis"),
    (GOOD.replace("provenance: test", "provenance: test\n    params: {axis: 0}"),
     "ok", "inputs.target", "expected (3,)"),
    (GOOD.replace("target: [0, 2]", "target: [0, 3]"), "ok", "inputs.target", "out of range"),
    (GOOD.replace("target: [0, 2]", "target: [0, -1]"), "ok", "inputs.target", "out of range"),
    (GOOD.replace("[0.5, 0.2, 0.4]]", "[0.5, 0.2]]"), "ok", "inputs.input", "ragged"),
    (GOOD + GOOD.split("cases:\n")[1], "ok", "id", "duplicate id"),
    (GOOD.replace("provenance: test", "provenance: test\n    expected: 1.0\n"
                  "    tolerance: {atol: small, why: rounding}"),
     "ok", "tolerance.atol", "not of type 'number'"),
    (GOOD.replace("provenance: test", "provenance: test\n    expected: 1.0"),
     "ok", "tolerance", "needs a tolerance"),
    (GOOD.replace("provenance: test", "provenance: test\n    expected: [1.0, 2.0, 3.0]\n"
                  "    tolerance: {atol: 0.1, why: rounding}"),
     "ok", "expected", "shape"),
    (GOOD.replace("    provenance: test\n", ""), "ok", "(top level)", "'provenance' is a required"),
    (GOOD.replace("target: [0, 2]", "target: {generate: randint, shape: [2], seed: 1}"),
     "ok", "inputs.target", "randint needs `high`"),
])
def test_malformed_file_is_named(tmp_path, text, case_id, field, message):
    path = write(tmp_path, text)
    err = error_of(path)
    assert err.file == str(path)
    assert err.case_id == case_id
    assert err.field == field
    assert message in str(err)
    assert str(path) in str(err)


def test_bce_shape_mismatch_between_inputs(tmp_path):
    path = write(tmp_path, """
        loss: binary_cross_entropy
        cases:
          - id: mismatch
            inputs: {input: [0.1, 0.2, 0.3], target: [1.0, 0.0]}
            provenance: test
        """)
    err = error_of(path)
    assert (err.case_id, err.field) == ("mismatch", "inputs.target")
    assert "does not match input shape" in str(err)


def test_duplicate_id_across_files(tmp_path):
    first = write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    err = error_of(tmp_path)
    assert (err.case_id, err.field) == ("ok", "id")
    assert str(first) in str(err)


def test_json_case_file(tmp_path):
    doc = {"loss": "softmax", "cases": [{"id": "j", "inputs": {"input": [1.0, "-inf"]},
                                         "params": {"dim": 0}, "provenance": "test"}]}
    (tmp_path / "c.json").write_text(json.dumps(doc))
    (case,) = cases.load([tmp_path / "c.json"])
    assert case.inputs["input"][1] == float("-inf")


def test_invalid_json(tmp_path):
    err = error_of(write(tmp_path, '{"loss": "softmax",', "c.json"))
    assert "not valid JSON" in str(err)


def test_no_reference_for_the_loss(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "supports", lambda loss: False)
    err = error_of(write(tmp_path, GOOD))
    assert (err.case_id, err.field) == ("ok", "expected")
    assert "no reference implementation" in str(err)


def test_missing_path(tmp_path):
    err = error_of(tmp_path / "nowhere.yaml")
    assert "no such case file" in str(err)


def test_yaml_is_read_safely(tmp_path):
    path = write(tmp_path, GOOD.replace("provenance: test", "provenance: "
                                                            "!!python/object/apply:os.system "
                                                            "['true']"))
    assert "not valid YAML" in str(error_of(path))


SEED_CASES = {  # every worked example of shared/seeds/ named in the foundation issue
    ("cross_entropy", "seed-3x3-index-none"), ("log_softmax", "seed-3x3"),
    ("binary_cross_entropy", "seed-sigmoid-3"), ("binary_cross_entropy_with_logits", "seed-raw-3"),
    ("cross_entropy", "seed-single-sample-class-1"), ("softmax", "seed-2-1-0.1"),
    ("nll_loss", "seed-model-one"), ("nll_loss", "seed-model-two"),
    ("cross_entropy", "seed-5x3-sum-value"), ("cross_entropy", "seed-5x3-sum-grad"),
    ("binary_cross_entropy_with_logits", "seed-10x64-pos-weight-ones"),
    ("cross_entropy", "seed-randn-3x5-none"), ("cross_entropy", "seed-randn-3x5-mean"),
    ("cross_entropy", "seed-randn-3x5-sum"),
    # the catalogue issue's worked examples that can be reproduced from what the seeds print
    ("hinge_embedding_loss", "seed-002-hinge-embedding"),
    ("margin_ranking_loss", "seed-002-margin-ranking"),
    ("cosine_embedding_loss", "seed-002-cosine-embedding"),
}


def test_builtin_cases_load_with_every_seed_example():
    loaded = cases.load()
    seeds = {(c.loss, c.id): c for c in loaded if c.id.startswith("seed-")}
    assert SEED_CASES <= set(seeds)
    for key in SEED_CASES:
        case = seeds[key]
        assert case.expected is not None or case.expected_grad is not None, key
        assert ".txt" in case.provenance and case.tolerance.why, key


def test_every_parameter_a_case_sets_changes_the_result():
    """A case that sets a parameter must exercise it: resetting the parameter to its default
    changes the reference's value or gradient, canonically or under one of the loss's conventions
    (a case may exist to show one). Seed cases reproduce a published call as it was made, so they
    are exempt. (A parameter without which the inputs leave the domain, say an ignore_index the
    targets use, changes the result to an error.)"""
    import numpy as np

    from adapters.definitions import SpecError
    from adapters.spec import CONVENTIONS, LOSSES

    def run(case, params, conv):
        out = reference.evaluate(case.loss, case.inputs, params, case.encoding, conv)
        v = np.random.default_rng(0).normal(size=out.value.shape) if out.value.shape else 1.0
        return reference.evaluate(case.loss, case.inputs, params, case.encoding, conv, v)

    def same(case, name, conv):
        a = run(case, case.params, conv)
        try:
            b = run(case, {**case.params, name: LOSSES[case.loss].params[name].default}, conv)
        except SpecError:     # the inputs are outside the domain without it: it matters
            return False
        if np.shape(a.value) != np.shape(b.value):    # the class axis moves: another shape
            return False
        return (np.allclose(a.value, b.value, equal_nan=True)
                and np.allclose(a.grad, b.grad, equal_nan=True))

    idle = []
    for case in cases.load():
        if case.id.startswith("seed-"):
            continue
        ways = [()] + [(c.name,) for c in CONVENTIONS.values() if case.loss in c.losses]
        for name in case.set_params:
            if name != "reduction" and all(same(case, name, conv) for conv in ways):
                idle.append(f"{case.loss}/{case.id}/{case.encoding}: {name}")
    assert not idle, "parameters that change nothing:\n" + "\n".join(idle)


@pytest.mark.parametrize("target, encoding, field, message", [
    ([0, -1], "index", "inputs.target", "class index -1 out of range [0, 3)"),
    ([0, 3], "index", "inputs.target", "class index 3 out of range [0, 3)"),
    ([[1, 0, 0], [0, 0, 1.5]], "probs", "inputs.target", ""),
])
def test_reference_refuses_inputs_outside_the_domain(target, encoding, field, message):
    """reference.evaluate raises SpecError naming the field for an input outside the loss's
    domain, never a silent wrap (index -1 would otherwise pick class C - 1) or a number."""
    x = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
    with pytest.raises(reference.SpecError) as error:
        reference.evaluate("cross_entropy", {"input": x, "target": target},
                           {"reduction": "none"}, encoding=encoding)
    assert error.value.field == field and message in str(error.value)


def test_reference_refuses_integer_logits_and_an_empty_mean():
    with pytest.raises(reference.SpecError, match="float"):
        reference.evaluate("cross_entropy", {"input": [[1, 2, 3]], "target": [0]},
                           {"reduction": "none"}, encoding="index")
    with pytest.raises(reference.SpecError, match="empty"):
        reference.evaluate("mse_loss", {"input": [], "target": []}, {"reduction": "mean"})


REAL_TARGETS = """
loss: binary_cross_entropy_with_logits
cases:
  - id: beyond
    inputs: {input: [0.5, -1.0], target: [1.5, -0.5]}
    provenance: test
"""


def test_extended_domain_waives_value_checks_only(tmp_path):
    err = error_of(write(tmp_path, REAL_TARGETS))
    assert (err.case_id, err.field) == ("beyond", "inputs.target")
    assert "[0, 1]" in str(err)
    extended = REAL_TARGETS.replace("provenance: test",
                                    "provenance: test\n    extended_domain: true")
    (case,) = cases.load([write(tmp_path, extended, "ok.yaml")])
    assert case.inputs["target"].tolist() == [1.5, -0.5]
    wrong_shape = extended.replace("target: [1.5, -0.5]", "target: [1.5]")
    err = error_of(write(tmp_path, wrong_shape, "shape.yaml"))
    assert (err.case_id, err.field) == ("beyond", "inputs.target")


@pytest.mark.parametrize("weight, message", [
    ("[1.0, 2.0, 3.0]", "does not match the leading axes of the unreduced loss"),
    ("[-1.0, 1.0]", "out of domain"),
])
def test_bad_sample_weight_is_named(tmp_path, weight, message):
    text = GOOD.replace("provenance: test",
                        f"params: {{sample_weight: {weight}}}\n    provenance: test")
    err = error_of(write(tmp_path, text))
    assert (err.case_id, err.field) == ("ok", "params.sample_weight")
    assert message in str(err)


def test_weighted_mean_needs_a_path_with_sample_weights():
    from adapters.registry import Path
    from adapters.spec import LOSSES
    def fn(input, target, *, reduction):
        return None
    plain = Path("a", "cross_entropy", "p", fn, "call", encodings=frozenset({"index"}),
                 params=frozenset({"reduction"}))
    why = plain.unsupported(LOSSES["cross_entropy"], "index", {"reduction": "weighted_mean"},
                            "float64")
    assert "has no parameter 'sample_weight'" in why
