"""Decoders under arbitrary input (hypothesis): node answers, proofs and values are untrusted bytes, so every
failure must be a ProofError (or InvalidInput for arguments), never a crash or another exception.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from gonka.errors import InvalidInput, ProofError
from gonka.proofs import (
    SumTreeProof,
    TrustedState,
    decode_active_participants,
    parse_proof_ops,
    prove_participants,
    verify_commit,
    verify_header,
    verify_membership,
    verify_non_membership,
    verify_sum_tree_proof,
    verify_tx,
)
from hypothesis import given, settings
from hypothesis import strategies as st

VECTORS = Path(__file__).resolve().parent / "vectors"
DOCS = json.loads((VECTORS / "gonka" / "docs_participants.json").read_text())["response"]
KEYS = [
    "ops",
    "proof_ops",
    "proofOps",
    "type",
    "key",
    "data",
    "signed_header",
    "header",
    "commit",
    "validators",
    "result",
    "response",
    "tx",
    "proof",
    "hash",
    "height",
    "total",
    "aunts",
    "active_participants_bytes",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(["ics23:iavl", "AAEC", "00"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    ),
    max_leaves=20,
)


def rejects(call: Any, *args: Any) -> None:
    try:
        call(*args)
    except (ProofError, InvalidInput):
        pass


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600), st.binary(max_size=40))
def test_proof_bytes(data: bytes, key: bytes) -> None:
    for spec in ("iavl", "tendermint"):
        rejects(verify_membership, spec, data, bytes(32), key, b"v")
        rejects(verify_non_membership, spec, data, bytes(32), key)
    rejects(decode_active_participants, data)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_json_answers(doc: Any) -> None:
    rejects(parse_proof_ops, doc)
    rejects(prove_participants, 1, doc)
    rejects(verify_commit, doc, doc, "gonka-mainnet")
    rejects(verify_header, TrustedState.mainnet_genesis(), doc, [doc])
    rejects(verify_tx, doc)
    rejects(SumTreeProof.from_json, doc)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([0, 1, 2]), st.integers(0, 10_000), st.integers(0, 255))
def test_changed_bytes_of_an_honest_answer_never_verify(part: int, position: int, byte: int) -> None:
    answer = json.loads(json.dumps(DOCS))
    if part == 0:
        raw = bytearray(bytes.fromhex(answer["active_participants_bytes"]))
    else:
        raw = bytearray(base64.b64decode(answer["proof_ops"]["ops"][part - 1]["data"]))
    i = position % len(raw)
    if raw[i] == byte:
        return
    raw[i] = byte
    if part == 0:
        answer["active_participants_bytes"] = raw.hex()
    else:
        answer["proof_ops"]["ops"][part - 1]["data"] = base64.b64encode(bytes(raw)).decode()
    try:
        proven = prove_participants(1, answer)
    except ProofError:
        return
    # A change the proof chain tolerates (none is known) must still change the proven app hash.
    assert (
        proven.app_hash.hex().upper()
        != json.loads((VECTORS / "gonka" / "docs_participants.json").read_text())["expected_app_hash"]
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=40), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_sum_tree_proof_parts(elements: list[bytes], count: int, nonce: int) -> None:
    rejects(verify_sum_tree_proof, bytes(32), count, 0, nonce, b"v", elements)
