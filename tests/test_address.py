"""Bech32 addresses: BIP 173 vectors, the chain's prefixes, and clear, distinct errors."""

import json
from pathlib import Path

import pytest
from gonka.address import (
    ACCOUNT_HRP,
    VALCONS_HRP,
    VALOPER_HRP,
    convert_hrp,
    decode,
    encode,
    is_valid,
    to_account,
    to_valoper,
)
from gonka.errors import InvalidAddress
from hypothesis import given, settings
from hypothesis import strategies as st

BIP173 = json.loads((Path(__file__).parent / "vectors" / "bip173.json").read_text())
ACCOUNT = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
VALOPER = "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5"
DATA = bytes.fromhex("22ba50d35663eb58abdc263606e4dff0a0752614")


def test_prefixes() -> None:
    assert (ACCOUNT_HRP, VALOPER_HRP, VALCONS_HRP) == ("gonka", "gonkavaloper", "gonkavalcons")


def test_network_example() -> None:
    assert decode(ACCOUNT) == ("gonka", DATA)
    assert encode("gonka", DATA) == ACCOUNT
    assert encode("gonkavaloper", DATA) == VALOPER
    assert convert_hrp(ACCOUNT, VALOPER_HRP) == VALOPER
    assert convert_hrp(VALOPER, ACCOUNT_HRP) == ACCOUNT
    assert to_valoper(ACCOUNT) == VALOPER and to_account(VALOPER) == ACCOUNT
    assert decode(ACCOUNT.upper()) == ("gonka", DATA)


@pytest.mark.parametrize("string", BIP173["valid"])
def test_bip173_valid(string: str) -> None:
    hrp, data = decode(string)
    assert encode(hrp, data) == string.lower()


@pytest.mark.parametrize("case", BIP173["invalid"], ids=lambda c: c["reason"])
def test_bip173_invalid(case: dict[str, str]) -> None:
    with pytest.raises(InvalidAddress):
        decode(case["string"])
    assert not is_valid(case["string"])


@pytest.mark.parametrize(
    ("address", "kwargs", "message"),
    [
        (ACCOUNT[:-1] + "a", {}, "bad checksum"),
        (ACCOUNT[:10] + ACCOUNT[10:].upper(), {}, "mixed upper and lower case"),
        (ACCOUNT, {"hrp": "gonkavaloper"}, 'wrong address prefix: expected "gonkavaloper", got "gonka"'),
        (ACCOUNT, {"hrp": "gonka", "length": 32}, "wrong address data length: expected 32 bytes, got 20"),
        (ACCOUNT.replace("1", "", 1), {}, "separator"),
        (ACCOUNT[:-3] + "b" + ACCOUNT[-2:], {}, "invalid data character 'b'"),
        ("gonka1" + "q" * 100, {}, "too long"),
        ("gonka1qqqqq", {}, "too short to hold a checksum"),
        ("1qzzfhee", {}, "empty prefix"),
    ],
)
def test_errors_say_what_is_wrong(address: str, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidAddress, match=message):
        decode(address, **kwargs)  # type: ignore[arg-type]


def test_bech32m_checksum_is_rejected() -> None:
    # Valid bech32m (BIP 350) strings are not bech32.
    with pytest.raises(InvalidAddress, match="bad checksum"):
        decode("a1lqfn3a")


def test_operator_helpers_check_the_prefix() -> None:
    with pytest.raises(InvalidAddress, match="wrong address prefix"):
        to_valoper(VALOPER)
    with pytest.raises(InvalidAddress, match="wrong address prefix"):
        to_account(ACCOUNT)


def test_encode_rejects_bad_prefixes() -> None:
    for hrp in ["", "GONKA", "gon ka"]:
        with pytest.raises(InvalidAddress, match="prefix"):
            encode(hrp, DATA)


def test_is_valid_checks_prefix_and_length() -> None:
    assert is_valid(ACCOUNT)
    assert is_valid(ACCOUNT, "gonka", 20)
    assert not is_valid(ACCOUNT, "gonkavaloper")
    assert not is_valid(ACCOUNT, length=32)


@settings(max_examples=100, deadline=None)
@given(
    hrp=st.sampled_from([ACCOUNT_HRP, VALOPER_HRP, VALCONS_HRP]),
    data=st.binary(min_size=0, max_size=32),
)
def test_property_round_trip(hrp: str, data: bytes) -> None:
    address = encode(hrp, data)
    assert decode(address, hrp, len(data)) == (hrp, data)
    for other in (ACCOUNT_HRP, VALOPER_HRP, VALCONS_HRP):
        assert decode(convert_hrp(address, other)) == (other, data)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(min_size=20, max_size=20), index=st.integers(6, 44), char=st.sampled_from("qpzry9x8"))
def test_property_single_substitution_is_detected(data: bytes, index: int, char: str) -> None:
    address = encode(ACCOUNT_HRP, data)
    mutated = address[:index] + char + address[index + 1 :]
    if mutated != address:
        with pytest.raises(InvalidAddress, match="bad checksum"):
            decode(mutated)
