"""PoC v2 transaction messages: byte-exact with protobuf messages declared from the chain's protos."""

from __future__ import annotations

from typing import Any

import pytest
from gonka.errors import InvalidAddress, InvalidInput
from gonka.keys import PrivateKey
from gonka.tx import (
    MLNodeDistributionEntry,
    MLNodeWeight,
    Msg,
    MsgMLNodeWeightDistribution,
    MsgPoCV2StoreCommit,
    MsgSubmitPocValidationsV2,
    PoCV2CommitEntry,
    PoCValidationEntryV2,
    Tx,
    decode_tx,
)
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

CREATOR = PrivateKey.from_bytes(bytes(range(1, 33))).address()
PARTICIPANT = PrivateKey.from_bytes(bytes(range(2, 34))).address()
ROOT = bytes(range(32))


def _classes() -> dict[str, Any]:
    """The chain's v0.2.14 `poc_v2.proto`/`tx.proto` shapes, field numbers as declared there."""
    T = descriptor_pb2.FieldDescriptorProto
    S, I64, U32, BYTES, MSG = T.TYPE_STRING, T.TYPE_INT64, T.TYPE_UINT32, T.TYPE_BYTES, T.TYPE_MESSAGE
    REP, OPT = T.LABEL_REPEATED, T.LABEL_OPTIONAL
    tables: dict[str, list[tuple[str, int, int, int, str]]] = {
        "PoCV2CommitEntry": [
            ("model_id", 1, S, OPT, ""),
            ("count", 2, U32, OPT, ""),
            ("root_hash", 3, BYTES, OPT, ""),
        ],
        "MLNodeWeight": [("node_id", 1, S, OPT, ""), ("weight", 2, U32, OPT, "")],
        "MLNodeDistributionEntry": [("model_id", 1, S, OPT, ""), ("weights", 2, MSG, REP, "MLNodeWeight")],
        "PoCValidationEntryV2": [
            ("participant_address", 1, S, OPT, ""),
            ("validated_weight", 2, I64, OPT, ""),
            ("model_id", 3, S, OPT, ""),
        ],
        "MsgPoCV2StoreCommit": [
            ("creator", 1, S, OPT, ""),
            ("poc_stage_start_block_height", 2, I64, OPT, ""),
            ("count", 3, U32, OPT, ""),
            ("root_hash", 4, BYTES, OPT, ""),
            ("entries", 5, MSG, REP, "PoCV2CommitEntry"),
        ],
        "MsgSubmitPocValidationsV2": [
            ("creator", 1, S, OPT, ""),
            ("poc_stage_start_block_height", 2, I64, OPT, ""),
            ("validations", 3, MSG, REP, "PoCValidationEntryV2"),
        ],
        "MsgMLNodeWeightDistribution": [
            ("creator", 1, S, OPT, ""),
            ("poc_stage_start_block_height", 2, I64, OPT, ""),
            ("weights", 3, MSG, REP, "MLNodeWeight"),
            ("entries", 4, MSG, REP, "MLNodeDistributionEntry"),
        ],
    }
    file = descriptor_pb2.FileDescriptorProto(
        name="spec_pocv2.proto", package="inference.inference", syntax="proto3"
    )
    for name, fields in tables.items():
        message = file.message_type.add(name=name)
        for field, number, kind, label, type_name in fields:
            f = message.field.add(name=field, number=number, type=kind, label=label)
            if type_name:
                f.type_name = f".inference.inference.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"inference.inference.{name}"))
        for name in tables
    }


def _cases() -> list[tuple[Msg, Any]]:
    c = _classes()
    return [
        (
            MsgPoCV2StoreCommit(
                CREATOR, 123456, [PoCV2CommitEntry("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", 52_000, ROOT)]
            ),
            c["MsgPoCV2StoreCommit"](
                creator=CREATOR,
                poc_stage_start_block_height=123456,
                entries=[
                    c["PoCV2CommitEntry"](
                        model_id="Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", count=52_000, root_hash=ROOT
                    )
                ],
            ),
        ),
        (
            # The v0.2.9 single-model form.
            MsgPoCV2StoreCommit(CREATOR, 7, count=4_000_000_000, root_hash=ROOT),
            c["MsgPoCV2StoreCommit"](
                creator=CREATOR, poc_stage_start_block_height=7, count=4_000_000_000, root_hash=ROOT
            ),
        ),
        (
            MsgSubmitPocValidationsV2(
                CREATOR,
                99,
                [PoCValidationEntryV2(PARTICIPANT, 200, "m"), PoCValidationEntryV2(CREATOR, -1, "m")],
            ),
            c["MsgSubmitPocValidationsV2"](
                creator=CREATOR,
                poc_stage_start_block_height=99,
                validations=[
                    c["PoCValidationEntryV2"](
                        participant_address=PARTICIPANT, validated_weight=200, model_id="m"
                    ),
                    c["PoCValidationEntryV2"](participant_address=CREATOR, validated_weight=-1, model_id="m"),
                ],
            ),
        ),
        (
            MsgMLNodeWeightDistribution(
                CREATOR,
                99,
                [MLNodeDistributionEntry("m", [MLNodeWeight("node-1", 10), MLNodeWeight("node-2", 0)])],
                weights=[MLNodeWeight("legacy", 3)],
            ),
            c["MsgMLNodeWeightDistribution"](
                creator=CREATOR,
                poc_stage_start_block_height=99,
                weights=[c["MLNodeWeight"](node_id="legacy", weight=3)],
                entries=[
                    c["MLNodeDistributionEntry"](
                        model_id="m",
                        weights=[
                            c["MLNodeWeight"](node_id="node-1", weight=10),
                            c["MLNodeWeight"](node_id="node-2", weight=0),
                        ],
                    )
                ],
            ),
        ),
    ]


@pytest.mark.parametrize("ours, theirs", _cases())
def test_encoding_matches_protobuf_and_round_trips(ours: Msg, theirs: Any) -> None:
    assert ours.encode() == theirs.SerializeToString()
    assert Msg.decode(ours.type_url, ours.encode()) == ours
    assert Msg.from_json(ours.to_json()) == ours


def test_in_a_signed_transaction() -> None:
    key = PrivateKey.from_bytes(bytes(range(1, 33)))
    msgs = [m for m, _ in _cases()]
    raw = Tx(msgs, gas_limit=500_000).sign(key, chain_id="gonka-mainnet", account_number=1, sequence=2)
    assert list(decode_tx(raw).messages) == msgs


def test_invalid_messages_name_the_field() -> None:
    with pytest.raises(InvalidInput, match="root_hash"):
        MsgPoCV2StoreCommit(CREATOR, 1, [PoCV2CommitEntry("m", 5, b"short")])
    with pytest.raises(InvalidInput, match="count"):
        MsgPoCV2StoreCommit(CREATOR, 1, [PoCV2CommitEntry("m", 0, ROOT)])
    with pytest.raises(InvalidInput, match="entries"):
        MsgPoCV2StoreCommit(CREATOR, 1)
    with pytest.raises(InvalidAddress, match="participant_address"):
        MsgSubmitPocValidationsV2(CREATOR, 1, [PoCValidationEntryV2("not-an-address", 1)])
    with pytest.raises(InvalidInput, match="model_id"):
        MsgMLNodeWeightDistribution(CREATOR, 1, [MLNodeDistributionEntry("", [])])
