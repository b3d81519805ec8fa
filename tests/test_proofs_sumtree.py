"""The PoC v2 sum tree and the legacy MMR through gonka.proofs: the spec's vectors, agreement with an
independent hashlib implementation, proofs by nonce and by dense index, batch verification, JSON
transport, and every bit of a proof's inputs bound.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gonka.errors import InvalidInput, SumTreeError
from gonka.proofs import (
    SumTree,
    SumTreeProof,
    artifact_leaf,
    empty_tree_root,
    mmr_proof,
    mmr_root,
    verify_mmr_proof,
    verify_sum_tree_proof,
    verify_sum_tree_proofs,
)
from hypothesis import given, settings
from hypothesis import strategies as st

VECTORS = Path(__file__).resolve().parent / "vectors" / "gonka"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


def spec_vector(n: int) -> bytes:
    return bytes([n & 0xFF, (n >> 8) & 0xFF, 0xAB])


# An independent reference: the tree computed recursively over sorted nonces with hashlib.


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


EMPTY = [_h(b"\x00")]
for _ in range(32):
    EMPTY.append(_h(b"\x01" + EMPTY[-1] + EMPTY[-1] + struct.pack("<I", 0)))


def reference_root(artifacts: dict[int, bytes]) -> tuple[bytes, int, int]:
    depth = max(24, max(artifacts, default=0).bit_length())
    leaves = sorted(artifacts.items())

    def node(items: list[tuple[int, bytes]], height: int) -> bytes:
        if not items:
            return EMPTY[height]
        if height == 0:
            nonce, vector = items[0]
            return _h(b"\x00" + struct.pack("<I", nonce) + vector)
        bit = 1 << (height - 1)
        left = [it for it in items if not it[0] & bit]
        right = [it for it in items if it[0] & bit]
        return _h(b"\x01" + node(left, height - 1) + node(right, height - 1) + struct.pack("<I", len(items)))

    return node(leaves, depth), len(leaves), depth


def test_spec_vectors() -> None:
    data = load("smst.json")
    assert SumTree([], []).root.hex() == data["empty_root_depth_24"]
    assert empty_tree_root().hex() == data["empty_root_depth_24"]
    for case in data["cases"]:
        nonces = case["nonces"]
        tree = SumTree(nonces, [spec_vector(n) for n in nonces])
        assert (tree.root.hex(), tree.count, tree.depth) == (case["root"], case["count"], case["depth"])
        expect = case["proof"]
        proof = tree.proof_at(expect["dense_index"])
        assert proof.nonce == expect["nonce"]
        assert proof.vector == base64.b64decode(expect["vector_b64"])
        assert len(proof.elements) == expect["elements"]
        assert proof.elements[0] == base64.b64decode(expect["first_element_b64"])
        assert proof.elements[-1] == base64.b64decode(expect["last_element_b64"])
        proof.verify(tree.root, tree.count)


def test_build_forms_agree_and_match_the_reference() -> None:
    rng = np.random.default_rng(7)
    nonces = rng.choice(1 << 24, size=300, replace=False).astype(np.int64)
    vectors = rng.standard_normal((300, 12)).astype(np.float16)
    rows = [v.tobytes() for v in vectors]
    from_arrays = SumTree(nonces, vectors)
    from_lists = SumTree(nonces.tolist(), rows)
    from_pairs = SumTree.from_artifacts(list(zip(nonces.tolist(), rows, strict=True)))
    root, count, depth = reference_root(dict(zip(nonces.tolist(), rows, strict=True)))
    for tree in (from_arrays, from_lists, from_pairs):
        assert (tree.root, tree.count, tree.depth, len(tree)) == (root, count, depth, 300)
    assert SumTree(nonces, vectors, threads=1).root == root
    with pytest.raises(InvalidInput):
        SumTree(nonces, vectors, threads=0)
    assert list(from_arrays.nonces()) == sorted(nonces.tolist())


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.integers(0, (1 << 32) - 1), st.binary(max_size=8), max_size=24))
def test_random_trees_match_the_reference_and_prove_every_leaf(artifacts: dict[int, bytes]) -> None:
    tree = SumTree(list(artifacts), list(artifacts.values()))
    assert (tree.root, tree.count, tree.depth) == reference_root(artifacts)
    proofs = tree.proofs_at(list(range(tree.count)))
    assert verify_sum_tree_proofs(tree.root, tree.count, proofs) == [None] * tree.count
    for rank, nonce in enumerate(sorted(artifacts)):
        assert tree.dense_index(nonce) == rank
        assert tree.proof(nonce) == proofs[rank]
        assert tree.vector(rank) == artifacts[nonce]


def test_proofs_by_nonce_and_index_and_their_errors() -> None:
    tree = SumTree([5, 3, 1 << 20], [b"a", b"b", b"c"])
    proof = tree.proof(5)
    assert (proof.dense_index, proof.nonce, proof.vector) == (1, 5, b"a")
    assert proof == tree.proof_at(1)
    assert tree.dense_index(4) is None
    with pytest.raises(InvalidInput):
        tree.proof(4)
    with pytest.raises(InvalidInput):
        tree.proof_at(3)
    with pytest.raises(SumTreeError) as e:
        SumTree([3, 3], [b"x", b"y"])
    assert e.value.step == "smst.duplicate"
    with pytest.raises(InvalidInput):
        SumTree([1 << 32], [b"x"])
    with pytest.raises(InvalidInput):
        SumTree([1, 2], [b"x"])


def test_negative_int32_nonces_take_their_bit_pattern_and_depth_32() -> None:
    tree = SumTree([-1, 7], [b"neg", b"pos"])
    assert tree.depth == 32
    proof = tree.proof(-1)
    assert proof.nonce == 0xFFFFFFFF and proof.dense_index == 1
    assert proof.to_json()["nonce_value"] == -1
    proof.verify(tree.root, tree.count)
    assert artifact_leaf(-1, b"v") == b"\xff\xff\xff\xffv"


def test_json_transport_round_trip() -> None:
    tree = SumTree([10, 20, 30], [b"\x01\x02", b"\x03\x04", b"\x05\x06"])
    proof = tree.proof(20)
    doc = proof.to_json()
    assert set(doc) == {"leaf_index", "nonce_value", "vector_bytes", "proof"}
    again = SumTreeProof.from_json(json.dumps(doc))
    assert again == proof
    as_strings = dict(doc, leaf_index=str(doc["leaf_index"]), nonce_value=str(doc["nonce_value"]))
    assert SumTreeProof.from_json(as_strings) == proof
    for bad in ({**doc, "proof": "x"}, {**doc, "vector_bytes": "!!"}, {**doc, "leaf_index": None}):
        with pytest.raises(InvalidInput):
            SumTreeProof.from_json(bad)
    with pytest.raises(InvalidInput):
        SumTreeProof.from_json({**doc, "proof": [doc["proof"][0]] * 33})


def _spec_proof() -> tuple[SumTree, SumTreeProof]:
    nonces = load("smst.json")["cases"][0]["nonces"]
    tree = SumTree(nonces, [spec_vector(n) for n in nonces])
    return tree, tree.proof(30)


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def _step(root: bytes, count: int, proof: SumTreeProof) -> str:
    with pytest.raises(SumTreeError) as e:
        verify_sum_tree_proof(root, count, proof.dense_index, proof.nonce, proof.vector, proof.elements)
    return e.value.step


def test_every_bit_of_the_count_and_root_is_bound() -> None:
    tree, proof = _spec_proof()
    for bit in range(32):
        assert _step(tree.root, tree.count ^ (1 << bit), proof) == "smst.count"
    for bit in range(256):
        with pytest.raises(SumTreeError) as e:
            proof.verify(_flip(tree.root, bit), tree.count)
        assert e.value.step == "smst.root"
        assert e.value.expected == _flip(tree.root, bit) and e.value.actual == tree.root


def test_every_bit_of_the_elements_is_rejected() -> None:
    tree, proof = _spec_proof()
    for e, element in enumerate(proof.elements):
        for bit in range(0, 288, 7):
            elements = list(proof.elements)
            elements[e] = _flip(element, bit)
            changed = SumTreeProof(proof.dense_index, proof.nonce, proof.vector, elements)
            expected = {"smst.root"} if bit < 256 else {"smst.count", "smst.dense_index"}
            assert _step(tree.root, tree.count, changed) in expected


def test_malformed_proofs_name_their_check() -> None:
    tree, proof = _spec_proof()
    cases = {
        "smst.proof": SumTreeProof(2, 30, proof.vector, []),
        "smst.depth": SumTreeProof(2, 30, proof.vector, [proof.elements[0]] * 33),
        "smst.element": SumTreeProof(2, 30, proof.vector, [*proof.elements[:-1], proof.elements[-1][:35]]),
        "smst.nonce": SumTreeProof(2, 30 | (1 << 24), proof.vector, proof.elements),
        "smst.dense_index": SumTreeProof(3, 30, proof.vector, proof.elements),
    }
    for step, bad in cases.items():
        assert _step(tree.root, tree.count, bad) == step


def test_batch_verification_reports_each_proof_and_runs_in_threads() -> None:
    rng = np.random.default_rng(3)
    nonces = rng.choice(1 << 24, size=2000, replace=False)
    tree = SumTree(nonces, rng.integers(0, 255, size=(2000, 24), dtype=np.uint8))
    proofs = tree.proofs_at(list(range(0, 2000, 4)))
    bad = SumTreeProof(proofs[7].dense_index, proofs[7].nonce, b"forged", proofs[7].elements)
    results = verify_sum_tree_proofs(tree.root, tree.count, [*proofs, bad])
    assert results[:-1] == [None] * len(proofs)
    error = results[-1]
    assert isinstance(error, SumTreeError) and error.step == "smst.root"
    outcomes: list[list[SumTreeError | None]] = []
    threads = [
        threading.Thread(
            target=lambda: outcomes.append(verify_sum_tree_proofs(tree.root, tree.count, proofs))
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == [[None] * len(proofs)] * 4


def test_mmr_spec_vector_and_proofs() -> None:
    case = load("mmr.json")["cases"][0]
    leaves = [artifact_leaf(n, bytes([n, 0xAB])) for n in case["nonces"]]
    root = mmr_root(leaves)
    assert root.hex() == case["root"]
    for i, leaf in enumerate(leaves):
        proof = mmr_proof(leaves, i)
        verify_mmr_proof(root, len(leaves), i, leaf, proof)
        with pytest.raises(SumTreeError) as e:
            verify_mmr_proof(root, len(leaves), i, leaf + b"x", proof)
        assert e.value.step == "mmr.root"
        with pytest.raises(SumTreeError) as e:
            verify_mmr_proof(root, len(leaves), i, leaf, [*proof, root])
        assert e.value.step == "mmr.proof"
    with pytest.raises(SumTreeError):
        mmr_root([])
