"""Official vectors through the public API: BIP 39 (TREZOR), BIP 32 vectors 1-2, Wycheproof secp256k1."""

import json
from pathlib import Path
from typing import Any

import pytest
from bip_utils import Base58Decoder
from gonka.errors import InvalidSignature
from gonka.keys import Mnemonic, PrivateKey, PublicKey

VECTORS = Path(__file__).parent / "vectors"
ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


BIP39 = load("bip39_english.json")


@pytest.mark.parametrize("vector", BIP39["vectors"], ids=lambda v: v["entropy"][:8] + str(len(v["entropy"])))
def test_bip39_english_vectors(vector: dict[str, str]) -> None:
    entropy = bytes.fromhex(vector["entropy"])
    mnemonic = Mnemonic.from_entropy(entropy)
    assert mnemonic.phrase == vector["mnemonic"]
    parsed = Mnemonic(vector["mnemonic"])
    assert parsed.entropy == entropy
    assert parsed.to_seed(BIP39["passphrase"]).hex() == vector["seed"]


def test_bip39_vector_count() -> None:
    assert len(BIP39["vectors"]) == 24


def chain_id(value: object) -> str:
    return value["path"] if isinstance(value, dict) else ""


def case_id(value: object) -> str:
    return f"tc{value['tcId']}" if isinstance(value, dict) else ""


BIP32_CHAINS = [
    (vector["seed"], chain) for vector in load("bip32.json")["vectors"] for chain in vector["chains"]
]


def extended_key_parts(serialized: str) -> tuple[bytes, bytes]:
    """(chain code, key data) of a Base58Check xprv/xpub string."""
    raw = Base58Decoder.CheckDecode(serialized)
    assert len(raw) == 78
    return raw[13:45], raw[45:78]


@pytest.mark.parametrize(
    ("seed", "chain"), BIP32_CHAINS, ids=lambda x: x["path"] if isinstance(x, dict) else ""
)
def test_bip32_vectors(seed: str, chain: dict[str, str]) -> None:
    key = PrivateKey.from_seed(bytes.fromhex(seed), chain["path"])
    _, private_data = extended_key_parts(chain["xprv"])
    _, public_data = extended_key_parts(chain["xpub"])
    assert private_data == b"\x00" + key.to_bytes()
    assert public_data == key.public_key.compressed


def test_bip32_vector_count() -> None:
    assert len(BIP32_CHAINS) == 12


def low_s(sig: bytes) -> bytes:
    s = int.from_bytes(sig[32:], "big")
    return sig if s <= ORDER // 2 else sig[:32] + (ORDER - s).to_bytes(32, "big")


WYCHEPROOF = load("wycheproof_ecdsa_secp256k1_sha256_p1363_test.json")
WYCHEPROOF_CASES = [
    (group["publicKey"]["uncompressed"], test)
    for group in WYCHEPROOF["testGroups"]
    for test in group["tests"]
]


@pytest.mark.parametrize(
    ("public_hex", "test"), WYCHEPROOF_CASES, ids=lambda x: f"tc{x['tcId']}" if isinstance(x, dict) else ""
)
def test_wycheproof_secp256k1_sha256(public_hex: str, test: dict[str, Any]) -> None:
    public = PublicKey.from_bytes(bytes.fromhex(public_hex))
    msg, sig = bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
    if len(sig) != 64:
        # A malformed argument, not a failed check (documented on PublicKey.verify).
        assert test["result"] == "invalid"
        with pytest.raises(InvalidSignature):
            public.verify(msg, sig)
    elif test["result"] == "valid":
        # Wycheproof allows high-S; the chain requires low-S, whose twin must verify.
        assert public.verify(msg, low_s(sig))
        assert public.verify(msg, sig) == (low_s(sig) == sig)
    else:
        assert test["result"] == "invalid"
        assert not public.verify(msg, sig)


def test_wycheproof_case_count() -> None:
    assert len(WYCHEPROOF_CASES) == WYCHEPROOF["numberOfTests"] > 200
