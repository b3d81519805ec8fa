"""Read keys from the Cosmos SDK ``file`` keyring that ``inferenced`` writes (``--keyring-backend file``).

Layout (Cosmos SDK 0.50/0.53 over the cosmos fork of 99designs/keyring): ``<home>/keyring-file/`` holds one
file per item, named by the item key with ``%`` and ``/`` percent-escaped: ``<name>.info`` (the key record),
``<hex address>.address`` (points at ``<name>.info``) and ``keyhash`` (a bcrypt hash of the passphrase, used
only by the SDK's prompt). Each item file is a compact JWE (``PBES2-HS256+A128KW`` key wrapping, ``A256GCM``
content encryption, passphrase-derived key) whose payload is the JSON of the keyring item ``{"Key", "Data"
(base64), ...}``; ``Data`` of a ``.info`` item is a protobuf ``cosmos.crypto.keyring.v1.Record``. The JWE's
authentication tag already proves the passphrase, so a wrong one is reported without consulting ``keyhash``.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jwcrypto import jwe, jwk  # type: ignore[import-untyped]
from jwcrypto.common import JWException  # type: ignore[import-untyped]

from gonka.errors import GonkaError

KEYRING_DIR = "keyring-file"
PASSWORD_ENV = "KEYRING_PASSWORD"
JWE_KEY_ALGORITHM = "PBES2-HS256+A128KW"
JWE_CONTENT_ALGORITHM = "A256GCM"
SECP256K1_PRIVKEY_TYPE = "/cosmos.crypto.secp256k1.PrivKey"
SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey"
# Record.item oneof field numbers.
_RECORD_KINDS = {3: "local", 4: "ledger", 5: "multi", 6: "offline"}


class KeyringError(GonkaError):
    """A keyring key could not be read: missing, wrong passphrase, or an entry this reader does not
    support.
    """


@dataclass(frozen=True)
class KeyRecord:
    """One decrypted ``<name>.info`` record. ``private_key`` is set only for local secp256k1 keys."""

    name: str
    kind: str  # local | ledger | multi | offline
    public_key_type: str
    public_key: bytes
    private_key_type: str = ""
    private_key: bytes | None = None


def _escape(item_key: str) -> str:
    # The fork of 99designs/keyring percent-escapes "%" and "/" in file names.
    return item_key.replace("%", "%25").replace("/", "%2F")


def _unescape(file_name: str) -> str:
    return file_name.replace("%2F", "/").replace("%2f", "/").replace("%25", "%")


class FileKeyring:
    """The ``file`` keyring under ``home`` (the ``inferenced`` home, or its ``keyring-file`` directory
    itself).
    """

    def __init__(self, home: str | os.PathLike[str], password: str) -> None:
        root = Path(home).expanduser()
        self.directory = root if root.name == KEYRING_DIR else root / KEYRING_DIR
        if not self.directory.is_dir():
            raise KeyringError(f"no file keyring at {self.directory} (expected <home>/{KEYRING_DIR}/)")
        if not password:
            raise KeyringError(f"the keyring passphrase is empty (prompted, or from ${PASSWORD_ENV})")
        self._key = jwk.JWK.from_password(password)

    def names(self) -> list[str]:
        """Names of the keys stored (from ``<name>.info`` file names; nothing is decrypted)."""
        return sorted(_unescape(p.name)[: -len(".info")] for p in self.directory.glob("*.info"))

    def _item(self, item_key: str) -> bytes:
        path = self.directory / _escape(item_key)
        if not path.is_file():
            known = ", ".join(self.names()) or "none"
            name = item_key.removesuffix(".info")
            raise KeyringError(f"key {name!r} not in {self.directory} (keys: {known})")
        token = jwe.JWE()
        token.allowed_algs = [JWE_KEY_ALGORITHM, JWE_CONTENT_ALGORITHM]
        try:
            token.deserialize(path.read_text().strip(), key=self._key)
        except JWException as e:
            raise KeyringError(
                f"cannot decrypt {path.name}: incorrect keyring passphrase, or not a keyring entry ({e})"
            ) from None
        try:
            item = json.loads(token.payload)
            return base64.b64decode(item["Data"], validate=True)
        except (ValueError, KeyError, TypeError) as e:
            raise KeyringError(f"{path.name} decrypted to an unexpected keyring item: {e}") from None

    def resolve(self, name_or_address: str) -> str:
        """The key name for a name or an account address (``gonka1...``, via its ``<hex>.address`` entry)."""
        from gonka.address import ACCOUNT_HRP, is_valid

        if not (name_or_address.startswith(ACCOUNT_HRP + "1") and is_valid(name_or_address, ACCOUNT_HRP)):
            return name_or_address
        if (self.directory / f"{name_or_address}.info").is_file():
            return name_or_address  # a key literally named like an address
        from gonka.address import decode

        item_key = f"{decode(name_or_address, ACCOUNT_HRP)[1].hex()}.address"
        if not (self.directory / _escape(item_key)).is_file():
            known = ", ".join(self.names()) or "none"
            raise KeyringError(f"no key with address {name_or_address} in {self.directory} (keys: {known})")
        pointer = self._item(item_key).decode()
        return pointer.removesuffix(".info")

    def record(self, name: str) -> KeyRecord:
        """The decrypted record of key ``name`` (or of the key with that account address)."""
        name = self.resolve(name)
        data = self._item(f"{name}.info")
        try:
            return _parse_record(data)
        except (ValueError, IndexError, UnicodeDecodeError) as e:
            raise KeyringError(
                f"key {name!r} is not a protobuf keyring record ({e}); entries written by Cosmos SDK < 0.46 "
                "(amino LocalInfo) must first be migrated with `inferenced keys migrate`"
            ) from None

    def private_key(self, name: str) -> Any:
        """Key ``name`` (or account address) as a :class:`gonka.keys.PrivateKey` (local secp256k1 keys
        only)."""
        record = self.record(name)
        if record.kind != "local" or record.private_key is None:
            raise KeyringError(f"key {name!r} is a {record.kind} key: its private key is not in the keyring")
        if record.private_key_type != SECP256K1_PRIVKEY_TYPE:
            raise KeyringError(
                f"key {name!r} has type {record.private_key_type}; only secp256k1 keys sign txs"
            )
        from gonka.keys import PrivateKey

        return PrivateKey.from_bytes(record.private_key)


# --- protobuf wire format (just what a keyring Record needs) ---


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _fields(data: bytes) -> dict[int, list[Any]]:
    """Field number -> values (ints for varints, bytes for length-delimited); other wire types are
    rejected.
    """
    out: dict[int, list[Any]] = {}
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if number == 0:
            raise ValueError("field number 0")
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ValueError("truncated length-delimited field")
            value, pos = data[pos : pos + length], pos + length
        else:
            raise ValueError(f"unexpected wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _bytes(fields: dict[int, list[Any]], number: int) -> bytes:
    """The last value of a length-delimited field (proto3: last one wins), b"" when absent."""
    values = fields.get(number)
    if not values:
        return b""
    if not isinstance(values[-1], bytes):
        raise ValueError(f"field {number} is not length-delimited")
    return values[-1]


def _any(data: bytes) -> tuple[str, bytes]:
    fields = _fields(data)
    return _bytes(fields, 1).decode(), _bytes(fields, 2)


def _parse_record(data: bytes) -> KeyRecord:
    fields = _fields(data)
    name = _bytes(fields, 1).decode()
    if not name:
        raise ValueError("record without a name")
    pub_type, pub_value = _any(_bytes(fields, 2))
    public_key = _bytes(_fields(pub_value), 1)
    kinds = [kind for number, kind in _RECORD_KINDS.items() if number in fields]
    if len(kinds) != 1:
        raise ValueError("record has no key kind (local/ledger/multi/offline)")
    record = KeyRecord(name=name, kind=kinds[0], public_key_type=pub_type, public_key=public_key)
    if record.kind != "local":
        return record
    priv_type, priv_value = _any(_bytes(_fields(_bytes(fields, 3)), 1))
    private_key = _bytes(_fields(priv_value), 1)
    return KeyRecord(
        name=name,
        kind="local",
        public_key_type=pub_type,
        public_key=public_key,
        private_key_type=priv_type,
        private_key=private_key,
    )
