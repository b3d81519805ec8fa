"""Untrusted input never takes the process down: nested Anys are capped as the Cosmos SDK caps them
(10 levels, 100 Anys per message), deep JSON objects are refused, lengths that run past the input
and huge repeated fields are plain errors or plain work. The protobuf here is written by hand,
independently of the encoder under test."""

from __future__ import annotations

import pytest
from gonka.errors import GonkaError, InvalidInput
from gonka.tx import Msg, MsgExec, decode_tx, encode_json_tx
from hypothesis import given, settings
from hypothesis import strategies as st

EXEC = "/cosmos.authz.v1beta1.MsgExec"
SEND = "/cosmos.bank.v1beta1.MsgSend"
FROM = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
TO = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
MAX_DEPTH, MAX_UNPACKS = 10, 100


def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(number: int, data: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(data)) + data


def pack(type_url: str, value: bytes) -> bytes:
    return field(1, type_url.encode()) + field(2, value)


COIN = field(1, b"ngonka") + field(2, b"1000")
SEND_VALUE = field(1, FROM.encode()) + field(2, TO.encode()) + field(3, COIN)
SEND_ANY = pack(SEND, SEND_VALUE)


def exec_value(anys: list[bytes]) -> bytes:
    return field(1, TO.encode()) + b"".join(field(2, a) for a in anys)


def nested_exec_value(levels: int) -> bytes:
    """MsgExec in MsgExec ... around one MsgSend (``levels`` Anys with the outer one), in linear time:
    each level only adds a prefix, so the prefixes are computed inside out and joined once."""
    length, prefixes = len(SEND_ANY), []
    for level in range(levels - 1):
        value_prefix = field(1, TO.encode()) + varint(2 << 3 | 2) + varint(length)
        if level == levels - 2:
            prefixes.append(value_prefix)
            break
        any_prefix = field(1, EXEC.encode()) + varint(2 << 3 | 2) + varint(len(value_prefix) + length)
        length = len(any_prefix) + len(value_prefix) + length
        prefixes.append(any_prefix + value_prefix)
    return b"".join(reversed(prefixes)) + SEND_ANY


def tx_raw(body_messages: list[bytes]) -> bytes:
    body = b"".join(field(1, m) for m in body_messages)
    return field(1, body) + field(2, b"") + field(3, b"\x01" * 64)


def nested_exec_json(levels: int) -> dict[str, object]:
    msg: dict[str, object] = {
        "@type": SEND,
        "from_address": FROM,
        "to_address": TO,
        "amount": [{"denom": "ngonka", "amount": "1000"}],
    }
    for _ in range(levels - 1):
        msg = {"@type": EXEC, "grantee": TO, "msgs": [msg]}
    return msg


def depth(msg: Msg) -> int:
    return 1 + max(map(depth, msg.msgs)) if isinstance(msg, MsgExec) else 1


def test_ten_levels_decode_and_eleven_do_not() -> None:
    msg = Msg.decode(EXEC, nested_exec_value(MAX_DEPTH))
    assert depth(msg) == MAX_DEPTH
    assert depth(decode_tx(tx_raw([pack(EXEC, nested_exec_value(MAX_DEPTH))])).messages[0]) == MAX_DEPTH
    with pytest.raises(InvalidInput, match="nest deeper than 10 levels"):
        Msg.decode(EXEC, nested_exec_value(MAX_DEPTH + 1))
    with pytest.raises(InvalidInput, match="nest deeper than 10 levels"):
        decode_tx(tx_raw([pack(EXEC, nested_exec_value(MAX_DEPTH + 1))]))


def test_hostile_nesting_is_an_error_not_a_crash() -> None:
    # Uncapped, 200,000 levels overflow the native stack: an abort no `try` can catch.
    value = nested_exec_value(200_000)
    with pytest.raises(InvalidInput, match="nest deeper"):
        Msg.decode(EXEC, value)
    with pytest.raises(InvalidInput, match="nest deeper"):
        decode_tx(tx_raw([pack(EXEC, value)]))


def test_json_messages_follow_the_same_caps() -> None:
    assert depth(Msg.from_json(nested_exec_json(MAX_DEPTH))) == MAX_DEPTH
    with pytest.raises(InvalidInput, match="nest deeper than 10 levels"):
        Msg.from_json(nested_exec_json(MAX_DEPTH + 1))
    # Far deeper than Python's own recursion limit: refused up front, not a RecursionError.
    with pytest.raises(InvalidInput, match="nest deeper"):
        Msg.from_json(nested_exec_json(100_000))


def test_deep_or_cyclic_json_transactions_are_refused() -> None:
    deep: dict[str, object] = {"leaf": 1}
    for _ in range(100_000):
        deep = {"x": [deep]}
    with pytest.raises(InvalidInput, match="nested deeper than 128 levels"):
        encode_json_tx({"body": {"messages": [], "memo": deep}, "auth_info": {}, "signatures": []})
    cyclic: dict[str, object] = {}
    cyclic["self"] = cyclic
    with pytest.raises(InvalidInput, match="nested deeper than 128 levels"):
        encode_json_tx({"body": cyclic, "auth_info": {}, "signatures": []})


def test_unpacks_per_message_are_capped() -> None:
    assert len(Msg.decode(EXEC, exec_value([SEND_ANY] * (MAX_UNPACKS - 1))).msgs) == MAX_UNPACKS - 1
    with pytest.raises(InvalidInput, match="more than 100 nested Anys"):
        Msg.decode(EXEC, exec_value([SEND_ANY] * MAX_UNPACKS))
    # The count restarts with every message of a body.
    message = pack(EXEC, exec_value([SEND_ANY] * 60))
    assert len(decode_tx(tx_raw([message] * 4)).messages) == 4


@pytest.mark.parametrize("claimed", [2**64 - 1, 2**63, 2**32, 1000])
def test_lengths_past_the_input_are_errors(claimed: int) -> None:
    data = varint(1 << 3 | 2) + varint(claimed) + b"short"
    for decode in (decode_tx, lambda b: Msg.decode(EXEC, b), lambda b: decode_tx(field(1, b))):
        with pytest.raises(InvalidInput):
            decode(data)


def test_a_huge_repeated_field_is_plain_work() -> None:
    tiny = pack("/x", b"")
    decoded = decode_tx(tx_raw([tiny] * 100_000))
    assert len(decoded.messages) == 100_000


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 23), min_size=1, max_size=13))
def test_nested_messages_decode_exactly_within_the_caps(extra_sends: list[int]) -> None:
    any_bytes, levels, count = SEND_ANY, 1, 1
    for extra in extra_sends:
        any_bytes = pack(EXEC, exec_value([SEND_ANY] * extra + [any_bytes]))
        levels, count = levels + 1, count + 1 + extra
    within = levels <= MAX_DEPTH and count <= MAX_UNPACKS
    try:
        decoded = decode_tx(tx_raw([any_bytes]))
    except InvalidInput:
        assert not within
    else:
        assert within and depth(decoded.messages[0]) == levels


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 40),
    st.lists(st.tuples(st.integers(0, 2**32), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 2**32),
)
def test_mutated_deep_nesting_never_crashes(levels: int, edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(nested_exec_value(levels))
    for index, value in edits:
        data[index % len(data)] = value
    for candidate in (bytes(data), bytes(data[: cut % (len(data) + 1)])):
        for decode in (lambda b: Msg.decode(EXEC, b), lambda b: decode_tx(tx_raw([pack(EXEC, b)]))):
            try:
                decode(candidate)
            except GonkaError:
                pass
