"""Cross-checks against peer libraries: coincurve (libsecp256k1) and bip-utils."""

import hashlib

import coincurve
import pytest
from bip_utils import AtomAddrEncoder, Bip32Slip10Secp256k1, Bip39SeedGenerator
from gonka.keys import Mnemonic, PrivateKey, PublicKey, hd_path
from hypothesis import given, settings
from hypothesis import strategies as st

ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def coincurve_compact(secret: bytes, msg: bytes) -> bytes:
    # libsecp256k1 signs with RFC 6979 and normalizes to low-S; drop the recovery id.
    return coincurve.PrivateKey(secret).sign_recoverable(msg, hasher=sha256)[:64]


@settings(max_examples=100, deadline=None)
@given(secret=st.integers(1, ORDER - 1), msg=st.binary(max_size=300))
def test_signatures_are_byte_identical_to_libsecp256k1(secret: int, msg: bytes) -> None:
    raw = secret.to_bytes(32, "big")
    ours = PrivateKey.from_bytes(raw).sign(msg)
    assert ours == coincurve_compact(raw, msg)


@settings(max_examples=50, deadline=None)
@given(secret=st.integers(1, ORDER - 1), msg=st.binary(max_size=100))
def test_libsecp256k1_signatures_verify_and_keys_agree(secret: int, msg: bytes) -> None:
    raw = secret.to_bytes(32, "big")
    theirs = coincurve.PrivateKey(raw)
    public = PublicKey.from_bytes(theirs.public_key.format(compressed=True))
    assert public == PrivateKey.from_bytes(raw).public_key
    assert public.uncompressed == theirs.public_key.format(compressed=False)
    assert public.verify(msg, coincurve_compact(raw, msg))


def test_our_signatures_verify_in_libsecp256k1() -> None:
    key = PrivateKey.generate()
    sig = key.sign(b"cross")
    theirs = coincurve.PublicKey(key.public_key.compressed)
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    assert theirs.verify(encode_der(r, s), b"cross", hasher=sha256)


def encode_der(r: int, s: int) -> bytes:
    def integer(value: int) -> bytes:
        body = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return b"\x02" + bytes([len(body)]) + body

    content = integer(r) + integer(s)
    return b"\x30" + bytes([len(content)]) + content


PHRASES = [
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "legal winner thank year wave sausage worth useful legal winner thank yellow",
    Mnemonic.from_entropy(bytes(range(32))).phrase,
]


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize(("account", "index"), [(0, 0), (0, 1), (1, 7)])
@pytest.mark.parametrize("passphrase", ["", "TREZOR"])
def test_coin_1200_addresses_match_bip_utils(phrase: str, account: int, index: int, passphrase: str) -> None:
    path = hd_path(index, account=account)
    seed = Bip39SeedGenerator(phrase).Generate(passphrase)
    node = Bip32Slip10Secp256k1.FromSeedAndPath(seed, path)
    expected_public = node.PublicKey().RawCompressed().ToBytes()
    key = PrivateKey.from_mnemonic(phrase, passphrase=passphrase, path=path)
    assert key.to_bytes() == node.PrivateKey().Raw().ToBytes()
    assert key.public_key.compressed == expected_public
    assert key.public_key.address() == AtomAddrEncoder.EncodeKey(expected_public, hrp="gonka")
    assert key.public_key.address("gonkavaloper") == AtomAddrEncoder.EncodeKey(
        expected_public, hrp="gonkavaloper"
    )


def test_random_mnemonic_matches_bip_utils() -> None:
    mnemonic = Mnemonic.generate(24)
    seed = Bip39SeedGenerator(mnemonic.phrase).Generate("")
    assert mnemonic.to_seed() == seed
    node = Bip32Slip10Secp256k1.FromSeedAndPath(seed, "m/44'/1200'/0'/0/0")
    assert mnemonic.to_private_key().to_bytes() == node.PrivateKey().Raw().ToBytes()
