"""Properties: decode(encode(x)) == x for messages and signed transactions, and the decoder turns
any byte string (random or a mutated real tx) into a result or a GonkaError, never a crash."""

from __future__ import annotations

import hashlib
import json

from conftest import vector_path
from gonka import _native
from gonka.address import encode as bech32
from gonka.errors import GonkaError
from gonka.tx import (
    Coin,
    GenericAuthorization,
    Msg,
    MsgClaimRewards,
    MsgExec,
    MsgGrant,
    MsgSend,
    MsgSubmitPocBatch,
    MsgVote,
    Timestamp,
    Tx,
    decode_tx,
    encode_json_tx,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECRET = hashlib.sha256(b"gonka-spec-test-key").digest()
U64 = st.integers(0, 2**64 - 1)
I64 = st.integers(-(2**63), 2**63 - 1)

addresses = st.binary(min_size=20, max_size=20).map(lambda b: bech32("gonka", b))
denoms = st.from_regex(r"\A[a-zA-Z][a-zA-Z0-9/:._-]{2,20}\Z")
amounts = st.integers(1, 2**256 - 1)
coin_lists = st.dictionaries(denoms, amounts, min_size=1, max_size=3).map(
    lambda d: [Coin(k, v) for k, v in sorted(d.items())]
)
timestamps = st.builds(Timestamp, st.integers(0, 253_402_300_799), st.integers(0, 999_999_999))

sends = st.builds(MsgSend, addresses, addresses, coin_lists)
votes = st.builds(
    MsgVote, U64, addresses, st.sampled_from(["yes", "no", "no_with_veto", "abstain"]), st.text(max_size=20)
)
claims = st.builds(MsgClaimRewards, addresses, I64, U64)
batches = st.integers(0, 8).flatmap(
    lambda n: st.builds(
        MsgSubmitPocBatch,
        addresses,
        I64,
        st.text(max_size=36),
        st.lists(I64, min_size=n, max_size=n),
        st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=n, max_size=n),
        st.text(max_size=10),
    )
)
grants = st.builds(
    MsgGrant,
    addresses,
    addresses,
    st.builds(GenericAuthorization, st.from_regex(r"\A/[a-z]+\.[A-Za-z]+\Z")),
    st.none() | timestamps,
)
simple = st.one_of(sends, votes, claims, batches, grants)
messages = st.one_of(simple, st.builds(MsgExec, addresses, st.lists(simple, min_size=1, max_size=3)))


@settings(max_examples=150, deadline=None)
@given(messages)
def test_message_round_trip(msg: Msg) -> None:
    assert Msg.decode(msg.type_url, msg.encode()) == msg
    assert Msg.from_json(msg.to_json()) == msg


@settings(max_examples=60, deadline=None)
@given(
    st.lists(messages, min_size=1, max_size=3),
    st.text(max_size=50),
    st.lists(st.builds(Coin, st.just("ngonka"), st.integers(0, 10**12)), max_size=1),
    U64,
    U64,
    U64,
    st.none() | addresses,
)
def test_signed_tx_round_trip(
    msgs: list[Msg], memo: str, fee: list[Coin], gas: int, account: int, sequence: int, granter: str | None
) -> None:
    tx = Tx(msgs, memo=memo, fee=fee, gas_limit=gas, granter=granter or "")
    raw = tx.sign(SECRET, "gonka-mainnet", account, sequence)
    decoded = decode_tx(raw)
    assert decoded.messages == tuple(msgs)
    assert (decoded.memo, decoded.fee, decoded.gas_limit, decoded.granter) == (
        memo,
        tuple(fee),
        gas,
        granter or "",
    )
    assert decoded.signers[0].sequence == sequence
    decoded.verify("gonka-mainnet", account)


@settings(max_examples=150, deadline=None)
@given(sends)
def test_msg_send_typed_path_matches_the_json_path(msg: MsgSend) -> None:
    # MsgSend skips the JSON form on its way to Rust; both routes give the same Any.
    assert msg._any == _native.tx_encode_msg(msg.to_json())  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(
    st.text(min_size=0, max_size=50),
    st.sampled_from(["gonka", "gonkavaloper", "cosmos"]),
    st.binary(min_size=0, max_size=33),
    st.lists(st.tuples(denoms | st.text(max_size=5), st.integers(-5, 2**257)), max_size=3),
)
def test_msg_send_typed_path_fails_like_the_json_path(
    noise: str, prefix: str, data: bytes, coins: list[tuple[str, int]]
) -> None:
    # Valid, mistyped and garbage addresses, and any coin list: same outcome, same message.
    sender = noise if noise and data == b"" else bech32(prefix, data) if data else ""
    amount = []
    for denom, value in coins:
        try:
            amount.append(Coin(denom, value))
        except GonkaError:
            pass
    recipient = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
    json_form = {
        "@type": MsgSend.TYPE_URL,
        "from_address": sender,
        "to_address": recipient,
        "amount": [c.to_json() for c in amount],
    }
    try:
        expected: object = _native.tx_encode_msg(json_form)
    except GonkaError as err:
        expected = (type(err), str(err))
    try:
        got: object = MsgSend(sender, recipient, amount)._any  # type: ignore[attr-defined]
    except GonkaError as err:
        got = (type(err), str(err))
    assert got == expected


def _decodes_or_raises_cleanly(data: bytes) -> None:
    try:
        decode_tx(data)
    except GonkaError:
        pass


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_decoder_survives_random_bytes(data: bytes) -> None:
    _decodes_or_raises_cleanly(data)


_VALID = Tx(
    [
        MsgSend(
            "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l",
            "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le",
            [Coin("ngonka", 1000)],
        ),
        MsgGrant(
            "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l",
            "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le",
            GenericAuthorization("/inference.inference.MsgClaimRewards"),
            Timestamp(1787380304, 143457000),
        ),
    ],
    memo="fuzz",
    fee=[Coin("ngonka", 5)],
).sign(SECRET, "gonka-mainnet", 1, 2)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), min_size=1, max_size=6),
    st.data(),
)
def test_decoder_survives_mutated_transactions(edits: list[tuple[int, int]], data: st.DataObject) -> None:
    mutated = bytearray(_VALID)
    for index, value in edits:
        mutated[index] = value
    cut = data.draw(st.integers(0, len(mutated)))
    _decodes_or_raises_cleanly(bytes(mutated))
    _decodes_or_raises_cleanly(bytes(mutated[:cut]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["genparticipant-gonka-1", "gentx-gonka-1"]), st.data())
def test_decoder_survives_mutated_genesis_transactions(name: str, data: st.DataObject) -> None:
    raw = bytearray(_genesis_raw(name))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    _decodes_or_raises_cleanly(bytes(raw))
    _decodes_or_raises_cleanly(bytes(raw[: data.draw(st.integers(0, len(raw)))]))


_GENESIS: dict[str, bytes] = {}


def _genesis_raw(name: str) -> bytes:
    if name not in _GENESIS:
        path = vector_path("genesis", f"{name}.json")
        _GENESIS[name] = encode_json_tx(json.loads(path.read_text()))
    return _GENESIS[name]
