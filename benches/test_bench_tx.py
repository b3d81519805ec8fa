"""Transactions: gonka vs cosmpy, side by side in one run.

Groups: ``msgsend-build-sign`` (build a MsgSend tx with fee, gas and memo, sign it SIGN_MODE_DIRECT
and serialize the TxRaw: the whole path a wallet runs per transaction), ``sign-only`` (the ECDSA
signature of the same sign doc: the floor of build+sign, so build+sign can be at most cosmpy's total
over this much faster), and ``decode-*`` of three transactions (a MsgSend, a MsgVote, and a real genesis
transaction of 26 messages: MsgSubmitNewParticipant and 25 MsgGrants). Decoding is the same work on both
sides: every protobuf message in the bytes is parsed (TxRaw, body, auth info, each message by its type,
the Anys nested in them and the signer's public key); gonka also checks every field and keeps the exact
signed bytes, and makes the Python objects of messages and JSON form when they are first read. The
``decode+messages-*`` groups add reading the typed messages (``.messages``, ``.fee``).

Both sides produce the same bytes and decode the same content (checked below). The ratios (cosmpy time /
gonka time, above 1 means gonka is faster; goals: 20x for build+sign, 1.5x for decoding) are printed at
the end of the module.

Run with ``make bench`` (or ``pytest benches/test_bench_tx.py --benchmark-enable``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cosmpy.aerial.tx import SigningCfg, Transaction, TxFee
from cosmpy.crypto.keypairs import PrivateKey as CosmpyKey
from cosmpy.protos.cosmos.authz.v1beta1.authz_pb2 import GenericAuthorization as CosmpyGenericAuthorization
from cosmpy.protos.cosmos.authz.v1beta1.tx_pb2 import MsgGrant as CosmpyMsgGrant
from cosmpy.protos.cosmos.bank.v1beta1.tx_pb2 import MsgSend as CosmpyMsgSend
from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin as CosmpyCoin
from cosmpy.protos.cosmos.crypto.secp256k1.keys_pb2 import PubKey as CosmpyPubKey
from cosmpy.protos.cosmos.gov.v1.tx_pb2 import MsgVote as CosmpyMsgVote
from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import AuthInfo as CosmpyAuthInfo
from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import TxBody as CosmpyTxBody
from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import TxRaw as CosmpyTxRaw
from gonka.keys import PrivateKey
from gonka.tx import Coin, MsgSend, MsgVote, Tx, decode_tx, encode_json_tx
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SECRET = hashlib.sha256(b"gonka-bench-key").digest()
OURS = PrivateKey.from_bytes(SECRET)
THEIRS = CosmpyKey(SECRET)
SENDER = OURS.public_key.address()
RECIPIENT = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
CHAIN, ACCOUNT, SEQUENCE = "gonka-mainnet", 7, 3
GENESIS = (
    Path(__file__).resolve().parent.parent / "tests" / "vectors" / "genesis" / "genparticipant-gonka-1.json"
)

# (group, side) -> (min, median) seconds; the min is the steadiest on a shared machine.
_stats: dict[tuple[str, str], tuple[float, float]] = {}


def ours_build_sign() -> bytes:
    tx = Tx(
        [MsgSend(from_address=SENDER, to_address=RECIPIENT, amount=[Coin("ngonka", 1000)])],
        memo="bench",
        gas_limit=200000,
        fee=[Coin("ngonka", 2000)],
    )
    return tx.sign(OURS, chain_id=CHAIN, account_number=ACCOUNT, sequence=SEQUENCE)


def cosmpy_build_sign() -> bytes:
    tx = Transaction()
    tx.add_message(
        CosmpyMsgSend(
            from_address=SENDER, to_address=RECIPIENT, amount=[CosmpyCoin(denom="ngonka", amount="1000")]
        )
    )
    tx.seal(
        SigningCfg.direct(THEIRS.public_key, SEQUENCE),
        fee=TxFee(amount="2000ngonka", gas_limit=200000),
        memo="bench",
    )
    tx.sign(THEIRS, CHAIN, ACCOUNT, deterministic=True)
    tx.complete()
    return bytes(tx.tx.SerializeToString())


def _participant_class() -> Any:
    """inference.inference.MsgSubmitNewParticipant for protobuf (cosmpy has no Gonka messages)."""
    string = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
    file = descriptor_pb2.FileDescriptorProto(name="bench_inference.proto", package="inference.inference")
    message = file.message_type.add(name="MsgSubmitNewParticipant")
    for number, name in enumerate(("creator", "url", "validator_key", "worker_key"), start=1):
        message.field.add(name=name, number=number, type=string)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(
        pool.FindMessageTypeByName("inference.inference.MsgSubmitNewParticipant")
    )


COSMPY_MESSAGES: dict[str, Any] = {
    "/cosmos.bank.v1beta1.MsgSend": CosmpyMsgSend,
    "/cosmos.gov.v1.MsgVote": CosmpyMsgVote,
    "/cosmos.authz.v1beta1.MsgGrant": CosmpyMsgGrant,
    "/inference.inference.MsgSubmitNewParticipant": _participant_class(),
}
GRANT = "/cosmos.authz.v1beta1.MsgGrant"


def cosmpy_decode(raw: bytes) -> tuple[Any, Any, list[Any], list[Any]]:
    """Every protobuf message of the bytes parsed, nested Anys included."""
    tx = CosmpyTxRaw.FromString(raw)
    body = CosmpyTxBody.FromString(tx.body_bytes)
    messages = []
    for any_msg in body.messages:
        message = COSMPY_MESSAGES[any_msg.type_url].FromString(any_msg.value)
        if any_msg.type_url == GRANT:
            CosmpyGenericAuthorization.FromString(message.grant.authorization.value)
        messages.append(message)
    auth = CosmpyAuthInfo.FromString(tx.auth_info_bytes)
    keys = [CosmpyPubKey.FromString(signer.public_key.value) for signer in auth.signer_infos]
    return body, auth, messages, keys


RAW = ours_build_sign()
SIGN_DOC = Tx(
    [MsgSend(from_address=SENDER, to_address=RECIPIENT, amount=[Coin("ngonka", 1000)])],
    memo="bench",
    gas_limit=200000,
    fee=[Coin("ngonka", 2000)],
).sign_doc_bytes(OURS.public_key, CHAIN, ACCOUNT, SEQUENCE)
VOTE_RAW = Tx(
    [MsgVote(proposal_id=42, voter=SENDER, option="yes")],
    memo="vote",
    gas_limit=2000000,
    fee=[Coin("ngonka", 1)],
).sign(OURS, CHAIN, ACCOUNT, SEQUENCE)
GENESIS_RAW = encode_json_tx(json.loads(GENESIS.read_text()))
DECODED = {"msgsend": RAW, "msgvote": VOTE_RAW, "genesis-26-msgs": GENESIS_RAW}


def test_both_sides_produce_the_same_bytes() -> None:
    assert ours_build_sign() == cosmpy_build_sign()
    assert OURS.sign(SIGN_DOC) == THEIRS.sign(SIGN_DOC, deterministic=True)


@pytest.mark.parametrize("raw", DECODED.values(), ids=DECODED.keys())
def test_both_sides_decode_the_same_content(raw: bytes) -> None:
    ours = decode_tx(raw)
    body, auth, messages, keys = cosmpy_decode(raw)
    assert len(ours.messages) == len(messages) == len(body.messages) > 0
    for mine, theirs in zip(ours.messages, messages, strict=True):
        assert mine.encode() == theirs.SerializeToString(deterministic=True)
    assert ours.memo == body.memo and ours.gas_limit == auth.fee.gas_limit
    assert [s.public_key for s in ours.signers] == [k.key for k in keys]


@pytest.fixture(scope="module", autouse=True)
def report_ratios(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not _stats:
        return
    lines = [
        "",
        "tx: cosmpy time / gonka time, by min and by median (above 1: gonka faster; goals 20x build+sign, "
        "1.5x decode)",
    ]
    for (group, side), (peer_min, peer_median) in sorted(_stats.items()):
        ours = _stats.get((group, "gonka"))
        if side != "gonka" and ours:
            by_min, by_median = peer_min / ours[0], peer_median / ours[1]
            lines.append(
                f"  {group:26s} {side:8s} min {by_min:6.1f}x  median {by_median:6.1f}x"
                f"   (gonka min {ours[0] * 1e6:8.1f} us, median {ours[1] * 1e6:8.1f} us)"
            )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def run(benchmark, group: str, side: str, func: Callable[[], object]) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = group
    benchmark(func)
    if benchmark.stats is not None:
        _stats[(group, side)] = (benchmark.stats.stats.min, benchmark.stats.stats.median)


def test_build_sign_gonka(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "msgsend-build-sign", "gonka", ours_build_sign)


def test_build_sign_cosmpy(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "msgsend-build-sign", "cosmpy", cosmpy_build_sign)


def test_sign_only_gonka(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "sign-only", "gonka", lambda: OURS.sign(SIGN_DOC))


def test_sign_only_cosmpy(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "sign-only", "cosmpy", lambda: THEIRS.sign(SIGN_DOC, deterministic=True))


@pytest.mark.parametrize("name", DECODED.keys())
def test_decode_gonka(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    raw = DECODED[name]
    run(benchmark, f"decode-{name}", "gonka", lambda: decode_tx(raw))


@pytest.mark.parametrize("name", DECODED.keys())
def test_decode_cosmpy(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    raw = DECODED[name]
    run(benchmark, f"decode-{name}", "cosmpy", lambda: cosmpy_decode(raw))


def _decode_and_read(raw: bytes) -> object:
    decoded = decode_tx(raw)
    return decoded.messages, decoded.fee


@pytest.mark.parametrize("name", DECODED.keys())
def test_decode_read_gonka(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    raw = DECODED[name]
    run(benchmark, f"decode+messages-{name}", "gonka", lambda: _decode_and_read(raw))


@pytest.mark.parametrize("name", DECODED.keys())
def test_decode_read_cosmpy(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    raw = DECODED[name]
    run(benchmark, f"decode+messages-{name}", "cosmpy", lambda: cosmpy_decode(raw))
