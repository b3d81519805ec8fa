"""Consensus (ed25519) keys: RFC 8032 and Wycheproof vectors, ZIP 215, addresses, tmkms key files."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from gonka.errors import InvalidKey, InvalidSignature
from gonka.keys import ConsensusKey, ConsensusPublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

VECTORS = Path(__file__).parent / "vectors"
RFC8032 = json.loads((VECTORS / "rfc8032_ed25519.json").read_text())["vectors"]
WYCHEPROOF = json.loads((VECTORS / "wycheproof_ed25519_test.json").read_text())
WYCHEPROOF_CASES = [
    (group["publicKey"]["pk"], test) for group in WYCHEPROOF["testGroups"] for test in group["tests"]
]
# protocol spec §1: a real consensus key and its addresses
NETWORK_KEY = "OPwcpfQYOoWDuHKYivRVq5jxrELH0moP5qdznvj3Dps="


@pytest.mark.parametrize("vector", RFC8032, ids=lambda v: v["name"])
def test_rfc8032_vectors(vector: dict[str, str]) -> None:
    key = ConsensusKey.from_seed(bytes.fromhex(vector["secret_key"]))
    assert key.public_key.to_bytes().hex() == vector["public_key"]
    msg = bytes.fromhex(vector["message"])
    assert key.sign(msg).hex() == vector["signature"]
    assert key.verify(msg, bytes.fromhex(vector["signature"]))


@pytest.mark.parametrize(
    ("public_hex", "test"), WYCHEPROOF_CASES, ids=lambda x: f"tc{x['tcId']}" if isinstance(x, dict) else ""
)
def test_wycheproof_ed25519(public_hex: str, test: dict[str, Any]) -> None:
    public = ConsensusPublicKey.from_bytes(bytes.fromhex(public_hex))
    msg, sig = bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
    if len(sig) != 64:
        assert test["result"] == "invalid"
        with pytest.raises(InvalidSignature):
            public.verify(msg, sig)
    else:
        assert public.verify(msg, sig) == (test["result"] == "valid")


def test_zip215_accepts_small_order_edge_case() -> None:
    """CometBFT's rules (ZIP 215) accept an identity key with R = identity, s = 0."""
    identity = b"\x01" + b"\x00" * 31
    public = ConsensusPublicKey.from_bytes(identity)
    assert public.verify(b"anything", identity + b"\x00" * 32)


def test_network_consensus_address() -> None:
    public = ConsensusPublicKey.from_base64(NETWORK_KEY)
    assert public.address_hex == "139ECB529EDB0BCDF45C583D4DC2FDC95F66B1E8"
    assert public.address() == "gonkavalcons1zw0vk557mv9umazutq75mshae90kdv0g0q0s9t"
    assert public.base64 == NETWORK_KEY
    assert public.address_bytes.hex().upper() == public.address_hex


def write(path: Path, raw: bytes, newline: bool = True) -> Path:
    path.write_text(base64.b64encode(raw).decode() + ("\n" if newline else ""))
    return path


def test_tmkms_file_seed_and_seed_with_public_key(tmp_path: Path) -> None:
    key = ConsensusKey.generate()
    seed, public = key.to_seed(), key.public_key.to_bytes()
    for name, raw in [("seed", seed), ("both", seed + public)]:
        loaded = ConsensusKey.from_tmkms_file(write(tmp_path / name, raw))
        assert loaded.public_key == key.public_key
        assert loaded.public_key_base64 == key.public_key_base64 == base64.b64encode(public).decode()
    assert ConsensusKey.from_tmkms_file(str(tmp_path / "seed")).address_hex == key.address_hex
    assert ConsensusKey.from_tmkms_base64(key.to_tmkms_base64()).public_key == key.public_key


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (base64.b64encode(b"\x01" * 31).decode(), "holds 31 bytes"),
        ("%%% not base64", "not valid base64"),
        (base64.b64encode(b"\x01" * 32 + b"\x02" * 32).decode(), "does not match its seed"),
    ],
)
def test_bad_tmkms_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "priv_validator_key.softsign"
    path.write_text(content)
    with pytest.raises(InvalidKey, match=message) as info:
        ConsensusKey.from_tmkms_file(path)
    assert str(path) in str(info.value)


def test_missing_tmkms_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="consensus key file"):
        ConsensusKey.from_tmkms_file(tmp_path / "absent")


def test_bad_seed_and_public_key_lengths() -> None:
    with pytest.raises(InvalidKey, match="32 bytes"):
        ConsensusKey.from_seed(b"\x00" * 31)
    with pytest.raises(InvalidKey, match="32 bytes"):
        ConsensusPublicKey.from_bytes(b"\x00" * 33)


def test_repr_hides_the_seed() -> None:
    key = ConsensusKey.generate()
    assert repr(key) == f"ConsensusKey(public_key='{key.public_key_base64}')"
    assert key.to_tmkms_base64() not in repr(key)
    assert repr(key.public_key) == f"ConsensusPublicKey('{key.public_key_base64}')"


def test_address_prefix_is_valcons_by_default() -> None:
    key = ConsensusKey.generate()
    assert key.address().startswith("gonkavalcons1")
    assert key.address() == key.public_key.address()


FIXED = ConsensusKey.from_seed(bytes(range(32)))


@settings(max_examples=50, deadline=None)
@given(msg=st.binary(max_size=256), index=st.integers(0, 63), flip=st.integers(1, 255))
def test_property_sign_verify_and_tamper(msg: bytes, index: int, flip: int) -> None:
    sig = FIXED.sign(msg)
    assert FIXED.verify(msg, sig)
    assert not FIXED.verify(msg + b"x", sig)
    tampered = bytearray(sig)
    tampered[index] ^= flip
    assert not FIXED.verify(msg, bytes(tampered))


@settings(max_examples=30, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32))
def test_property_key_round_trips(seed: bytes) -> None:
    key = ConsensusKey.from_seed(seed)
    assert key.to_seed() == seed
    assert ConsensusPublicKey.from_base64(key.public_key_base64) == key.public_key
    assert ConsensusKey.from_tmkms_base64(key.to_tmkms_base64()).public_key == key.public_key
