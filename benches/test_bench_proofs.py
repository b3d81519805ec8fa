"""Proofs: gonka (Rust) side by side with plain Python, in one run.

Groups:
- ``smst-root-20k``: the sum-tree root of 20,000 artifacts (sequential nonces, 12 fp16 values each):
  gonka vs a plain-Python sum tree written with hashlib below (the reference path);
- ``smst-root-1m``: the root of 1,000,000 artifacts, sequential nonces and random ones below 2^24, on one
  core (``threads=1``; goal: under 1 s) and on all;
- ``smst-verify-500``: 500 proofs of one commitment (one validator request): gonka's batch call, the same
  check called per proof from Python, and plain-Python hashlib verification (goal: batch under 5 ms);
- ``participants``: a participant set's ICS23 proof and its header's commit check (30 and 100 validators):
  the one-call check, and the ics23-based checks called per proof op from Python with the commit checked
  by a separate call (goal: under 2 ms).

Ratios (reference time / gonka time) are printed at the end. Run with ``make bench`` or
``pytest benches/test_bench_proofs.py --benchmark-enable``.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gonka.proofs import (
    SumTree,
    SumTreeProof,
    TrustedState,
    verify_commit,
    verify_membership,
    verify_participants,
    verify_sum_tree_proof,
    verify_sum_tree_proofs,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fixtures.chain import Chain, Participant, make_validators, participants_state

_stats: dict[tuple[str, str], tuple[float, float]] = {}

# --- the plain-Python sum tree (hashlib), the reference the Rust tree is compared with ---

_NODE = struct.Struct("<I")
_EMPTY = [hashlib.sha256(b"\x00").digest()]
for _ in range(32):
    _EMPTY.append(hashlib.sha256(b"\x01" + _EMPTY[-1] + _EMPTY[-1] + _NODE.pack(0)).digest())


def python_root(nonces: list[int], vectors: list[bytes], depth: int = 24) -> bytes:
    """Level by level over sorted (nonce, hash, count), as a careful Python implementation would."""
    sha = hashlib.sha256
    level = sorted(
        (n, sha(b"\x00" + _NODE.pack(n) + v).digest(), 1) for n, v in zip(nonces, vectors, strict=True)
    )
    for height in range(1, depth + 1):
        below = _EMPTY[height - 1]
        up = []
        i = 0
        while i < len(level):
            prefix, h, c = level[i]
            if not prefix & 1 and i + 1 < len(level) and level[i + 1][0] == prefix | 1:
                _, rh, rc = level[i + 1]
                up.append((prefix >> 1, sha(b"\x01" + h + rh + _NODE.pack(c + rc)).digest(), c + rc))
                i += 2
                continue
            pair = h + below if not prefix & 1 else below + h
            up.append((prefix >> 1, sha(b"\x01" + pair + _NODE.pack(c)).digest(), c))
            i += 1
        level = up
    return level[0][1]


def python_verify(root: bytes, count: int, proof: SumTreeProof) -> bool:
    sha = hashlib.sha256
    elements = proof.elements
    depth = len(elements)
    h = sha(b"\x00" + _NODE.pack(proof.nonce) + proof.vector).digest()
    total, left = 1, 0
    for i in range(depth - 1, -1, -1):
        sibling, sibling_count = elements[i][:32], _NODE.unpack(elements[i][32:])[0]
        total += sibling_count
        if (proof.nonce >> (depth - 1 - i)) & 1:
            left += sibling_count
            h = sha(b"\x01" + sibling + h + _NODE.pack(total)).digest()
        else:
            h = sha(b"\x01" + h + sibling + _NODE.pack(total)).digest()
    return total == count and left == proof.dense_index and h == root


# --- data ---

RNG = np.random.default_rng(12)
VECTORS_1M = RNG.standard_normal((1_000_000, 12)).astype(np.float16)
SEQUENTIAL_1M = np.arange(1_000_000, dtype=np.int64)
RANDOM_1M = RNG.choice(1 << 24, size=1_000_000, replace=False).astype(np.int64)
SMALL = 20_000
SMALL_NONCES = SEQUENTIAL_1M[:SMALL].tolist()
SMALL_VECTORS = [row.tobytes() for row in VECTORS_1M[:SMALL]]

TREE = SumTree(RANDOM_1M[:200_000], VECTORS_1M[:200_000])
PROOFS = TREE.proofs_at(sorted(RNG.choice(TREE.count, size=500, replace=False).tolist()))


def _participants_case(validators: int) -> tuple[Callable[[], object], Callable[[], object]]:
    people = {
        e: [Participant(f"gonka1p{e}x{i}", "a2V5", 10 + i, f"http://h{i}:8000", ("qwen",)) for i in range(40)]
        for e in (11, 12)
    }
    state = participants_state(people, created_at=100, epoch=12)
    chain = Chain(
        "gonka-mainnet", datetime.now(timezone.utc) - timedelta(hours=1), make_validators(validators, 5)
    )
    chain.app_hashes[101] = state.app_hash
    chain.grow(101)
    commit, pages = chain.commit_answer(101), chain.validators_answer(101)
    anchor = TrustedState.genesis(
        chain.chain_id,
        chain.genesis_time.isoformat(),
        [(v.public, v.power) for v in chain.genesis_validators],
    )
    ops = state.answer["proof_ops"]["ops"]
    key, iavl, multistore = (
        base64.b64decode(ops[0]["key"]),
        base64.b64decode(ops[0]["data"]),
        base64.b64decode(ops[1]["data"]),
    )
    value = bytes.fromhex(state.answer["active_participants_bytes"])
    store_root = participants_store_root(state)

    def one_call() -> object:
        return verify_participants(12, state.answer, commit, pages, anchor)

    def per_op() -> object:
        verify_membership("iavl", iavl, store_root, key, value)
        verify_membership("tendermint", multistore, state.app_hash, b"inference", store_root)
        header = verify_commit(commit, pages, "gonka-mainnet", 101)
        assert header.app_hash == state.app_hash
        return header

    return one_call, per_op


def participants_store_root(state: Any) -> bytes:
    from gonka.proofs import prove_participants

    return prove_participants(None, state.answer).store_root


CASES = {n: _participants_case(n) for n in (30, 100)}


# --- reporting ---


@pytest.fixture(scope="module", autouse=True)
def report_ratios(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not _stats:
        return
    lines = ["", "proofs: min / median per group (ratio = reference time / gonka time by min)"]
    for (group, side), (low, median) in sorted(_stats.items()):
        ours = _stats.get((group, "gonka"))
        ratio = f"{low / ours[0]:8.1f}x" if ours and side != "gonka" else ""
        lines.append(
            f"  {group:22s} {side:22s} min {low * 1e3:10.3f} ms  median {median * 1e3:10.3f} ms {ratio}"
        )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def run(benchmark, group: str, side: str, func: Callable[[], object], *, rounds: int | None = None) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = group
    if rounds:
        benchmark.pedantic(func, rounds=rounds, iterations=1)
    else:
        benchmark(func)
    if benchmark.stats is not None:
        _stats[(group, side)] = (benchmark.stats.stats.min, benchmark.stats.stats.median)


def test_both_sides_agree() -> None:
    assert python_root(SMALL_NONCES, SMALL_VECTORS) == SumTree(SMALL_NONCES, SMALL_VECTORS).root
    assert all(python_verify(TREE.root, TREE.count, p) for p in PROOFS)
    assert verify_sum_tree_proofs(TREE.root, TREE.count, PROOFS) == [None] * 500
    for one_call, per_op in CASES.values():
        one_call()
        per_op()


def test_smst_root_20k_gonka(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "smst-root-20k", "gonka", lambda: SumTree(SMALL_NONCES, SMALL_VECTORS, threads=1).root)


def test_smst_root_20k_python(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(
        benchmark,
        "smst-root-20k",
        "python-hashlib",
        lambda: python_root(SMALL_NONCES, SMALL_VECTORS),
        rounds=3,
    )


def test_smst_root_1m_sequential_one_core(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(
        benchmark,
        "smst-root-1m",
        "gonka",
        lambda: SumTree(SEQUENTIAL_1M, VECTORS_1M, threads=1).root,
        rounds=5,
    )


def test_smst_root_1m_sequential_all_cores(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(
        benchmark,
        "smst-root-1m",
        "gonka-all-cores",
        lambda: SumTree(SEQUENTIAL_1M, VECTORS_1M).root,
        rounds=5,
    )


def test_smst_root_1m_random_one_core(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(
        benchmark,
        "smst-root-1m",
        "gonka-random-nonces-1-core",
        lambda: SumTree(RANDOM_1M, VECTORS_1M, threads=1).root,
        rounds=5,
    )


def test_smst_root_1m_random_all_cores(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(
        benchmark,
        "smst-root-1m",
        "gonka-random-nonces",
        lambda: SumTree(RANDOM_1M, VECTORS_1M).root,
        rounds=5,
    )


def test_smst_verify_500_batch(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "smst-verify-500", "gonka", lambda: verify_sum_tree_proofs(TREE.root, TREE.count, PROOFS))


def test_smst_verify_500_per_proof(benchmark) -> None:  # type: ignore[no-untyped-def]
    def per_proof() -> None:
        for p in PROOFS:
            verify_sum_tree_proof(TREE.root, TREE.count, p.dense_index, p.nonce, p.vector, p.elements)

    run(benchmark, "smst-verify-500", "per-proof-calls", per_proof)


def test_smst_verify_500_python(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(
        benchmark,
        "smst-verify-500",
        "python-hashlib",
        lambda: [python_verify(TREE.root, TREE.count, p) for p in PROOFS],
    )


@pytest.mark.parametrize("validators", [30, 100])
def test_participants_one_call(benchmark, validators: int) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, f"participants-{validators}-vals", "gonka", CASES[validators][0])


@pytest.mark.parametrize("validators", [30, 100])
def test_participants_per_op(benchmark, validators: int) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, f"participants-{validators}-vals", "ics23-per-op-calls", CASES[validators][1])
