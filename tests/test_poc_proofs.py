"""Proof batches, the validator's fraud test (against scipy), distances and nonce scheduling."""

from __future__ import annotations

import json
import math
from itertools import islice

import numpy as np
import pytest
from gonka.errors import GonkaError, InvalidInput
from gonka.poc import (
    DEFAULT_FRAUD_THRESHOLD,
    PROBABILITY_MISMATCH,
    R_TARGET_LAUNCH,
    R_TARGET_V0_2_6,
    ProofBatch,
    ValidatedBatch,
    binomial_p_value,
    distances_from_logits,
    nonce_iterator,
    parse_nonces,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

PK = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc"
BH = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6"


def batch(nonces: list[int], dist: list[float], **kw) -> ProofBatch:
    fields = {"public_key": PK, "block_hash": BH, "block_height": 100, "node_id": 1, **kw}
    return ProofBatch(nonces=nonces, dist=dist, **fields)


def test_constants() -> None:
    assert R_TARGET_LAUNCH == 1.4013564660458173
    assert R_TARGET_V0_2_6 == 1.398077
    assert PROBABILITY_MISMATCH == 5e-4
    assert DEFAULT_FRAUD_THRESHOLD == 1e-7


def test_sub_batch_is_strict() -> None:
    b = batch([5, 6, 7, 8], [1.3, R_TARGET_V0_2_6, 1.5, 1.39807699])
    sub = b.sub_batch(R_TARGET_V0_2_6)
    assert sub.nonces == [5, 8] and sub.dist == [1.3, 1.39807699]
    assert (sub.public_key, sub.block_hash, sub.block_height, sub.node_id) == (PK, BH, 100, 1)
    assert len(b) == 4 and len(sub) == 2


def test_split_merge_sort_roundtrip() -> None:
    b = batch([9, 3, 7, 1, 5], [0.9, 0.3, 0.7, 0.1, 0.5])
    parts = b.split(2)
    assert [p.nonces for p in parts] == [[9, 3], [7, 1], [5]]
    merged = ProofBatch.merge(parts)
    assert merged == b
    s = merged.sort_by_nonce()
    assert s.nonces == [1, 3, 5, 7, 9] and s.dist == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert ProofBatch.merge([]) == ProofBatch.empty()
    assert ProofBatch.empty().block_height == -1
    with pytest.raises(InvalidInput):
        b.split(0)


@pytest.mark.parametrize("field", ["block_hash", "block_height", "public_key"])
def test_merge_refuses_mixed_batches(field: str) -> None:
    other = {"block_hash": "X", "block_height": 7, "public_key": "other"}[field]
    with pytest.raises(InvalidInput, match=field):
        ProofBatch.merge([batch([1], [1.0]), batch([2], [1.0], **{field: other})])


def test_json_field_names_match_the_reference() -> None:
    b = batch([1, 2], [1.25, 1.3999999999999999])
    d = b.to_dict()
    assert list(d) == ["public_key", "block_hash", "block_height", "nonces", "dist", "node_id"]
    assert ProofBatch.from_dict(json.loads(json.dumps(d))) == b  # floats survive exactly
    with pytest.raises(InvalidInput, match="dist"):
        ProofBatch.from_dict({k: v for k, v in d.items() if k != "dist"})


def test_numpy_values_are_accepted_and_normalized() -> None:
    b = batch(np.arange(3), np.array([1.0, 2.0, 3.0]))
    assert b.nonces == [0, 1, 2] and all(type(n) is int for n in b.nonces)
    assert all(type(d) is float for d in b.dist)
    json.dumps(b.to_dict())


@pytest.mark.parametrize(
    ("nonces", "dist", "match"),
    [
        ([1, 2], [1.0], "pair up"),
        ([-1], [1.0], "non-negative"),
        ([1.5], [1.0], "integers"),
        ([True], [1.0], "integers"),
        ([1], ["x"], "numbers"),
    ],
)
def test_bad_batches_raise(nonces: list, dist: list, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        batch(nonces, dist)
    assert issubclass(InvalidInput, GonkaError)


def test_bad_header_fields_raise() -> None:
    with pytest.raises(InvalidInput, match="block_height"):
        batch([1], [1.0], block_height="100")
    with pytest.raises(InvalidInput, match="public_key"):
        batch([1], [1.0], public_key=None)


@given(
    n=st.integers(min_value=1, max_value=3000),
    p=st.sampled_from([PROBABILITY_MISMATCH, 1e-3, 0.01, 0.2, 0.5]),
    data=st.data(),
)
@settings(max_examples=200, deadline=None)
def test_binomial_p_value_matches_scipy(n: int, p: float, data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=0, max_value=min(n, 60)))
    expected = binomtest(k, n, p, alternative="greater").pvalue
    assert binomial_p_value(k, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_binomial_rejects_bad_arguments() -> None:
    with pytest.raises(InvalidInput):
        binomial_p_value(5, 4)
    with pytest.raises(InvalidInput):
        binomial_p_value(1, 4, 1.5)


def validated(n: int, n_bad: int, *, threshold: float = DEFAULT_FRAUD_THRESHOLD) -> ValidatedBatch:
    r = R_TARGET_V0_2_6
    received = batch(list(range(n)), [r - 0.01] * n)
    recomputed = [r + 0.001] * n_bad + [r - 0.01] * (n - n_bad)
    return ValidatedBatch.from_recomputed(received, recomputed, r_target=r, fraud_threshold=threshold)


def test_fraud_rule_for_200_nonces() -> None:
    assert not validated(200, 4).fraud_detected
    v = validated(200, 5)
    assert v.fraud_detected and v.n_invalid == 5
    assert v.probability_honest == pytest.approx(7.306e-8, rel=1e-3)
    assert validated(200, 4).probability_honest == pytest.approx(3.738e-6, rel=1e-3)
    # Looser thresholds as in the reference's tests and notebooks.
    assert not validated(200, 1, threshold=0.01).fraud_detected
    assert validated(200, 2, threshold=0.01).fraud_detected
    assert validated(2000, 10).probability_honest == pytest.approx(1.09e-7, rel=1e-2)


def test_validated_counting_rules() -> None:
    r = 1.4
    received = batch([1, 2, 3, 4], [1.39, 1.4, 1.39, 1.39])
    v = ValidatedBatch.from_recomputed(received, {1: 1.4, 2: 1.0, 3: 1.41, 4: 1.0}, r_target=r)
    # nonce 1: recomputed == r_target is valid; 2: received not below r_target; 3: recomputed above.
    assert v.n_invalid == 2
    assert v.dist == [1.4, 1.0, 1.41, 1.0] and v.received_dist == received.dist
    d = v.to_dict()
    assert list(d) == [
        "public_key",
        "block_hash",
        "block_height",
        "nonces",
        "dist",
        "node_id",
        "received_dist",
        "r_target",
        "fraud_threshold",
        "n_invalid",
        "probability_honest",
        "fraud_detected",
    ]
    assert ValidatedBatch.from_dict(json.loads(json.dumps(d))) == v
    recomputed = {
        k: v for k, v in d.items() if k not in ("n_invalid", "probability_honest", "fraud_detected")
    }
    assert ValidatedBatch.from_dict(recomputed) == v


def test_validated_empty_and_errors() -> None:
    empty = ValidatedBatch.from_recomputed(batch([], []), [], r_target=1.4)
    assert empty.probability_honest == 1.0 and not empty.fraud_detected and empty.n_invalid == 0
    with pytest.raises(InvalidInput, match="nonce"):
        ValidatedBatch.from_recomputed(batch([1, 2], [1.0, 1.0]), {1: 1.0}, r_target=1.4)
    with pytest.raises(InvalidInput, match="recomputed"):
        ValidatedBatch.from_recomputed(batch([1, 2], [1.0, 1.0]), [1.0], r_target=1.4)


def test_distances_from_logits_matches_the_reference_arithmetic() -> None:
    gen = np.random.default_rng(1)
    logits = gen.standard_normal((4, 300)).astype(np.float32)
    perms = np.stack([gen.permutation(300) for _ in range(4)])
    target = gen.standard_normal(300)
    target /= np.linalg.norm(target)
    got = distances_from_logits(logits, perms, target)
    assert got.dtype == np.float64
    for b in range(4):
        row = logits[b][perms[b]]
        unit = row / np.float32(math.sqrt(float(np.sum(row.astype(np.float64) ** 2))))
        assert got[b] == pytest.approx(np.linalg.norm(unit.astype(np.float64) - target), abs=1e-6)
    with pytest.raises(InvalidInput):
        distances_from_logits(logits.astype(np.float64), perms, target)
    with pytest.raises(InvalidInput):
        distances_from_logits(logits, perms[:, :10], target)


def test_nonce_iterator_interleaves_nodes_and_groups() -> None:
    assert list(islice(nonce_iterator(1, 3), 4)) == [1, 4, 7, 10]
    assert list(islice(nonce_iterator(2, 3, group_id=1, n_groups=2), 3)) == [5, 11, 17]
    seen = []
    for node in range(1, 4):
        for group in range(2):
            seen += list(islice(nonce_iterator(node, 3, group, 2), 50))
    assert len(set(seen)) == len(seen)  # no two workers try the same nonce
    assert set(range(1, 101)) <= set(seen)


@pytest.mark.parametrize(
    "args", [(-1, 1, 0, 1), (1, 0, 0, 1), (1, 1, 1, 1), (1, 1, 0, 0), (1.0, 1, 0, 1), (1, 1, -1, 2)]
)
def test_nonce_iterator_bad_arguments(args: tuple) -> None:
    with pytest.raises(InvalidInput):
        nonce_iterator(*args)


def test_parse_nonces() -> None:
    assert parse_nonces("0-3") == [0, 1, 2, 3]
    assert parse_nonces("5, 1-2,9") == [5, 1, 2, 9]
    for bad in ("", "a", "3-1", "-2", "1-x"):
        with pytest.raises(InvalidInput):
            parse_nonces(bad)
