"""Messages are declared once, in the .proto files: the committed classes are what the generator writes from
them, and a message declared in a descriptor alone (built here with protobuf's own classes, gonka's options
written as their protobuf fields) gets a class and is checked, encoded (as protobuf encodes it), decoded and
converted to and from JSON with no code of its own, in a signed transaction too."""

from __future__ import annotations

import math
from typing import Any

import pytest
from gonka import _codegen, _native
from gonka.errors import InvalidAddress, InvalidInput
from gonka.keys import PrivateKey
from gonka.tx import Coin, Msg, MsgSend, Timestamp, Tx, decode_tx, register_messages
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

SENDER = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
OTHER = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
T = descriptor_pb2.FieldDescriptorProto
# The gonka options (rust/gonka-tx/proto/gonka/options.proto): extension field numbers and Check values.
IMPLEMENTS, REQUIRED, CHECK, ACCEPTS = 51000, 51000, 51001, 51002
ACCOUNT_ADDRESS, OPTIONAL_POSITIVE_COINS, FINITE = 1, 5, 8


def test_the_committed_classes_are_what_the_generator_writes() -> None:
    written = _codegen.render(
        _native.tx_schema(),
        "Message classes generated from the .proto declarations of gonka-tx by ``python -m gonka._codegen``;"
        " do not edit: change the .proto file, rebuild and regenerate.",
    )
    assert _codegen.MODULE.read_text() == written, "regenerate: python -m gonka._codegen"


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _option(number: int, value: int | str) -> bytes:
    """One option as its protobuf field (how protoc stores a custom option)."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode()
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _ping_file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(
        name="gonka/test/v2/ping.proto",
        package="gonka.test.v2",
        syntax="proto3",
        dependency=[
            "google/protobuf/any.proto",
            "google/protobuf/timestamp.proto",
            "cosmos/base/v1beta1/coin.proto",
        ],
    )
    level = file.enum_type.add(name="Level")
    for number, name in enumerate(("LEVEL_UNSPECIFIED", "LEVEL_LOW", "LEVEL_HIGH")):
        level.value.add(name=name, number=number)
    note = file.message_type.add(name="Note")
    note.field.add(name="text", number=1, type=T.TYPE_STRING)
    note.field.add(name="delta", number=2, type=T.TYPE_SINT64)
    ping = file.message_type.add(name="MsgPing")
    ping.options.MergeFromString(_option(IMPLEMENTS, "Msg"))
    fields: list[tuple[str, int, Any, str, bytes]] = [
        (
            "sender",
            T.TYPE_STRING,
            T.LABEL_OPTIONAL,
            "",
            _option(REQUIRED, 1) + _option(CHECK, ACCOUNT_ADDRESS),
        ),
        (
            "amount",
            T.TYPE_MESSAGE,
            T.LABEL_REPEATED,
            ".cosmos.base.v1beta1.Coin",
            _option(CHECK, OPTIONAL_POSITIVE_COINS),
        ),
        ("nonce", T.TYPE_UINT64, T.LABEL_OPTIONAL, "", _option(REQUIRED, 1)),
        ("at", T.TYPE_MESSAGE, T.LABEL_OPTIONAL, ".google.protobuf.Timestamp", b""),
        ("inner", T.TYPE_MESSAGE, T.LABEL_REPEATED, ".google.protobuf.Any", _option(ACCEPTS, "Msg")),
        ("blob", T.TYPE_BYTES, T.LABEL_OPTIONAL, "", b""),
        ("dist", T.TYPE_DOUBLE, T.LABEL_REPEATED, "", _option(CHECK, FINITE)),
        ("level", T.TYPE_ENUM, T.LABEL_OPTIONAL, ".gonka.test.v2.Level", b""),
        ("note", T.TYPE_MESSAGE, T.LABEL_OPTIONAL, ".gonka.test.v2.Note", b""),
    ]
    for number, (name, kind, label, type_name, options) in enumerate(fields, start=1):
        field = ping.field.add(name=name, number=number, type=kind, label=label)
        if type_name:
            field.type_name = type_name
        if options:
            field.options.MergeFromString(options)
    return file


def _oracle_classes(file: descriptor_pb2.FileDescriptorProto) -> dict[str, Any]:
    """protobuf's own message classes of the same declarations: an independent encoder."""
    pool = descriptor_pool.DescriptorPool()
    for module in (any_pb2, timestamp_pb2):
        pool.AddSerializedFile(module.DESCRIPTOR.serialized_pb)
    coin = descriptor_pb2.FileDescriptorProto(
        name="cosmos/base/v1beta1/coin.proto", package="cosmos.base.v1beta1", syntax="proto3"
    )
    message = coin.message_type.add(name="Coin")
    message.field.add(name="denom", number=1, type=T.TYPE_STRING)
    message.field.add(name="amount", number=2, type=T.TYPE_STRING)
    pool.Add(coin)
    pool.Add(file)
    names = (
        "gonka.test.v2.MsgPing",
        "gonka.test.v2.Note",
        "google.protobuf.Any",
        "google.protobuf.Timestamp",
    )
    return {
        name.rsplit(".")[-1]: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
        for name in names
    }


@pytest.fixture(scope="module")
def ping_classes() -> dict[str, type]:
    file = _ping_file()
    descriptor_set = descriptor_pb2.FileDescriptorSet(file=[file]).SerializeToString()
    classes = register_messages(descriptor_set)
    assert register_messages(descriptor_set) == classes  # registering again changes nothing
    return classes


def test_a_message_declared_only_in_a_descriptor_works(ping_classes: dict[str, Any]) -> None:
    ping_class, note_class, level = ping_classes["MsgPing"], ping_classes["Note"], ping_classes["Level"]
    assert issubclass(ping_class, Msg) and ping_class.TYPE_URL == "/gonka.test.v2.MsgPing"
    send = MsgSend(SENDER, OTHER, [Coin("ngonka", 1000)])
    expiry = Timestamp(1787380304, 143457000)
    ping = ping_class(
        SENDER,
        7,
        amount=[Coin("ngonka", 5)],
        at=expiry,
        inner=[send],
        blob=b"\x01\x02",
        dist=[0.5, 2],
        level="high",
        note=note_class("hi", -3),
    )
    assert ping.level is level.HIGH and ping.dist == (0.5, 2.0) and ping.amount == (Coin("ngonka", 5),)

    oracle = _oracle_classes(_ping_file())
    theirs = oracle["MsgPing"](
        sender=SENDER,
        nonce=7,
        at=oracle["Timestamp"](seconds=expiry.seconds, nanos=expiry.nanos),
        inner=[oracle["Any"](type_url=send.type_url, value=send.encode())],
        blob=b"\x01\x02",
        dist=[0.5, 2.0],
        level=2,
        note=oracle["Note"](text="hi", delta=-3),
    )
    theirs.amount.add(denom="ngonka", amount="5")
    assert ping.encode() == theirs.SerializeToString(deterministic=True)

    assert Msg.decode(ping.type_url, ping.encode()) == ping
    data = ping.to_json()
    assert (
        data["nonce"] == "7"
        and data["level"] == "LEVEL_HIGH"
        and data["note"] == {"text": "hi", "delta": "-3"}
    )
    assert data["inner"] == [send.to_json()] and data["at"] == "2026-08-22T06:31:44.143457Z"
    assert Msg.from_json(data) == ping

    key = PrivateKey.from_bytes(bytes(range(1, 33)))
    decoded = decode_tx(Tx([ping, send], memo="ping").sign(key, "gonka-mainnet", 1, 0))
    assert decoded.messages == (ping, send) and decoded.json["body"]["messages"][0] == data


def test_its_annotations_are_its_checks(ping_classes: dict[str, Any]) -> None:
    ping_class = ping_classes["MsgPing"]
    with pytest.raises(InvalidAddress, match=r"MsgPing\.sender"):
        ping_class("gonka1nope", 1)
    with pytest.raises(InvalidInput, match=r"MsgPing\.dist\[0\]: must be a finite number"):
        ping_class(SENDER, 1, dist=[math.nan])
    with pytest.raises(InvalidInput, match="must be positive"):
        ping_class(SENDER, 1, amount=[Coin("ngonka", 0)])
    with pytest.raises(InvalidInput, match="unknown level 'loud'"):
        ping_class(SENDER, 1, level="loud")
    with pytest.raises(TypeError):
        ping_class(SENDER)  # nonce is required


def test_classes_of_nested_messages_read_and_write_their_json() -> None:
    from gonka.tx import CommissionRates, Description, VoteOption, WeightedVoteOption

    rates = CommissionRates.from_json({"rate": "0.1", "max_rate": "0.2", "max_change_rate": "0.01"})
    assert rates == CommissionRates("0.1", "0.2", "0.01") and rates.rate == "0.100000000000000000"
    assert rates.to_json()["max_change_rate"] == "0.010000000000000000"
    option = WeightedVoteOption.from_json({"option": "VOTE_OPTION_NO_WITH_VETO", "weight": "1"})
    assert option.option is VoteOption.NO_WITH_VETO and option.to_json() == {
        "option": "VOTE_OPTION_NO_WITH_VETO",
        "weight": "1",
    }
    assert Description.from_json({"moniker": "m"}) == Description("m")
    with pytest.raises(InvalidInput, match="decimal"):
        CommissionRates.from_json({"rate": "x", "max_rate": "0.2", "max_change_rate": "0.01"})
