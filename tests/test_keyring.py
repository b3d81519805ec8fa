"""gonka.keyring reads the Cosmos SDK `file` keyring.

The keyring files are written here by an independent encoder: the JWE is assembled from `cryptography`
primitives exactly as jose2go does for 99designs/keyring (PBES2-HS256+A128KW, p2c 8192, 12-byte salt,
A256GCM), and the keyring record is serialized with cosmpy's generated `cosmos.crypto.keyring.v1.Record`
protobuf.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest
from cosmpy.protos.cosmos.crypto.hd.v1 import hd_pb2
from cosmpy.protos.cosmos.crypto.keyring.v1 import record_pb2
from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2 as secp_pb2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import aes_key_wrap
from gonka.keyring import FileKeyring, KeyringError, _parse_record
from google.protobuf import any_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

PASSWORD = "correct horse battery"
# The spec's test key: priv = SHA256("gonka-spec-test-key").
PRIV = bytes.fromhex("150b11d8da849e844a79beef5ead6177bd589dc393d6b26d9d07fba72d3009c4")
PUB = bytes.fromhex("025819a361c86a64a01976b6ececdaaa3291264fe218595f04a76332a25a76d512")
ADDRESS = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jose2go_encrypt(payload: bytes, password: str, p2c: int = 8192) -> str:
    """Compact JWE as jose2go's Encrypt(payload, PBES2_HS256_A128KW, A256GCM, password, created header)."""
    alg = "PBES2-HS256+A128KW"
    salt_input = os.urandom(12)
    header = {"alg": alg, "created": "2026-02-10 08:15:42.123 +0000 UTC", "enc": "A256GCM", "p2c": p2c}
    header["p2s"] = _b64url(salt_input)
    protected = _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())
    kdf = PBKDF2HMAC(
        algorithm=hashes.SHA256(), length=16, salt=alg.encode() + b"\0" + salt_input, iterations=p2c
    )
    kek = kdf.derive(password.encode())
    cek, iv = os.urandom(32), os.urandom(12)
    sealed = AESGCM(cek).encrypt(iv, payload, protected.encode())
    parts = [
        protected,
        _b64url(aes_key_wrap(kek, cek)),
        _b64url(iv),
        _b64url(sealed[:-16]),
        _b64url(sealed[-16:]),
    ]
    return ".".join(parts)


def _any(type_url: str, message: object) -> object:
    packed = any_pb2.Any()
    packed.type_url = type_url
    packed.value = message.SerializeToString()  # type: ignore[attr-defined]
    return packed


def local_record(name: str, priv: bytes = PRIV, pub: bytes = PUB) -> bytes:
    record = record_pb2.Record(name=name)
    record.pub_key.CopyFrom(_any("/cosmos.crypto.secp256k1.PubKey", secp_pb2.PubKey(key=pub)))
    record.local.priv_key.CopyFrom(_any("/cosmos.crypto.secp256k1.PrivKey", secp_pb2.PrivKey(key=priv)))
    return record.SerializeToString()


def ledger_record(name: str) -> bytes:
    record = record_pb2.Record(name=name)
    record.pub_key.CopyFrom(_any("/cosmos.crypto.secp256k1.PubKey", secp_pb2.PubKey(key=PUB)))
    record.ledger.path.CopyFrom(hd_pb2.BIP44Params(purpose=44, coin_type=1200))
    return record.SerializeToString()


def write_item(directory: Path, key: str, data: bytes, password: str = PASSWORD) -> None:
    item = {
        "Key": key,
        "Data": base64.b64encode(data).decode(),
        "Label": "",
        "Description": "",
        "KeychainNotTrustApplication": False,
        "KeychainNotSynchronizable": False,
    }
    (directory / key).write_text(jose2go_encrypt(json.dumps(item).encode(), password))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    directory = tmp_path / "keyring-file"
    directory.mkdir()
    write_item(directory, "cold.info", local_record("cold"))
    write_item(
        directory,
        f"{hashlib.new('ripemd160', hashlib.sha256(PUB).digest()).hexdigest()}.address",
        b"cold.info",
    )
    write_item(directory, "ledger.info", ledger_record("ledger"))
    write_item(directory, "broken.info", b"\x12\x05hello")  # not a Record (amino-era or corrupt)
    # inferenced's bcrypt hash of the passphrase sits beside the entries; the reader must not trip over it
    (directory / "keyhash").write_bytes(b"$2a$10$abcdefghijklmnopqrstuu7R9xqgBpGQ5v6Sx5XpFg0d1xJY1m3W")
    return tmp_path


def test_reads_local_secp256k1_record(home: Path) -> None:
    keyring = FileKeyring(home, PASSWORD)
    assert keyring.names() == ["broken", "cold", "ledger"]
    record = keyring.record("cold")
    assert record.name == "cold" and record.kind == "local"
    assert record.public_key_type == "/cosmos.crypto.secp256k1.PubKey" and record.public_key == PUB
    assert record.private_key_type == "/cosmos.crypto.secp256k1.PrivKey" and record.private_key == PRIV


def test_private_key_signs_for_the_recorded_address(home: Path) -> None:
    key = FileKeyring(home / "keyring-file", PASSWORD).private_key("cold")
    assert key.public_key.address() == ADDRESS


def test_wrong_password(home: Path) -> None:
    with pytest.raises(KeyringError, match="incorrect keyring passphrase"):
        FileKeyring(home, "wrong password").record("cold")


def test_tampered_entry(home: Path) -> None:
    path = home / "keyring-file" / "cold.info"
    header, ek, iv, ct, tag = path.read_text().split(".")
    flipped = bytearray(base64.urlsafe_b64decode(ct + "=" * (-len(ct) % 4)))
    flipped[0] ^= 1
    path.write_text(".".join([header, ek, iv, _b64url(bytes(flipped)), tag]))
    with pytest.raises(KeyringError, match="cannot decrypt"):
        FileKeyring(home, PASSWORD).record("cold")


def test_missing_key_names_the_known_ones(home: Path) -> None:
    with pytest.raises(KeyringError, match=r"'warm' not in .*keys: broken, cold, ledger"):
        FileKeyring(home, PASSWORD).record("warm")


def test_ledger_key_has_no_private_key(home: Path) -> None:
    keyring = FileKeyring(home, PASSWORD)
    record = keyring.record("ledger")
    assert record.kind == "ledger" and record.private_key is None and record.public_key == PUB
    with pytest.raises(KeyringError, match="ledger key"):
        keyring.private_key("ledger")


def test_non_protobuf_record_is_a_clear_error(home: Path) -> None:
    with pytest.raises(KeyringError, match="keys migrate"):
        FileKeyring(home, PASSWORD).record("broken")


def test_missing_directory_and_empty_password(tmp_path: Path, home: Path) -> None:
    with pytest.raises(KeyringError, match="no file keyring"):
        FileKeyring(tmp_path / "elsewhere", PASSWORD)
    with pytest.raises(KeyringError, match="empty"):
        FileKeyring(home, "")


def test_escaped_file_names(tmp_path: Path) -> None:
    directory = tmp_path / "keyring-file"
    directory.mkdir()
    write_item(directory, "a%2Fb.info", local_record("a/b"))  # the file name of item key "a/b.info"
    keyring = FileKeyring(tmp_path, PASSWORD)
    assert keyring.names() == ["a/b"]
    assert keyring.record("a/b").name == "a/b"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_record_parser_never_crashes(data: bytes) -> None:
    try:
        record = _parse_record(data)
    except (ValueError, UnicodeDecodeError):
        return
    assert record.name and record.kind in ("local", "ledger", "multi", "offline")


def test_record_parser_on_real_record_mutations() -> None:
    base = local_record("cold")
    for i in range(len(base)):
        for flip in (0x01, 0x80, 0xFF):
            mutated = bytearray(base)
            mutated[i] ^= flip
            try:
                _parse_record(bytes(mutated))
            except (ValueError, UnicodeDecodeError):
                pass


def test_lookup_by_account_address(home: Path) -> None:
    keyring = FileKeyring(home, PASSWORD)
    assert keyring.resolve(ADDRESS) == "cold" and keyring.resolve("cold") == "cold"
    assert keyring.record(ADDRESS).private_key == PRIV
    with pytest.raises(KeyringError, match="no key with address gonka1y2a9"):
        keyring.record("gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le")  # no such .address entry
