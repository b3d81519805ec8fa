"""Read keys from the Cosmos SDK ``file`` keyring that ``inferenced`` writes (``--keyring-backend file``).

Layout (Cosmos SDK 0.50/0.53 over the cosmos fork of 99designs/keyring): ``<home>/keyring-file/`` holds one
file per item, named by the item key with ``%`` and ``/`` percent-escaped: ``<name>.info`` (the key record),
``<hex address>.address`` (points at ``<name>.info``) and ``keyhash`` (a bcrypt hash of the passphrase, used
only by the SDK's prompt). Each item file is a compact JWE (``PBES2-HS256+A128KW`` key wrapping, ``A256GCM``
content encryption, passphrase-derived key) whose payload is the JSON of the keyring item ``{"Key", "Data"
(base64), ...}``; ``Data`` of a ``.info`` item is a protobuf ``cosmos.crypto.keyring.v1.Record``. The JWE's
authentication tag already proves the passphrase, so a wrong one is reported without consulting ``keyhash``.

Items are decrypted and records parsed natively (gonka-keyring): the private key stays in native memory, wiped
when freed, and reaches Python as a :class:`gonka.keys.PrivateKey`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gonka import _native
from gonka.errors import GonkaError
from gonka.keys import PrivateKey

KEYRING_DIR = "keyring-file"
PASSWORD_ENV = "KEYRING_PASSWORD"
JWE_KEY_ALGORITHM = "PBES2-HS256+A128KW"
JWE_CONTENT_ALGORITHM = "A256GCM"
SECP256K1_PRIVKEY_TYPE = "/cosmos.crypto.secp256k1.PrivKey"
SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey"


class KeyringError(GonkaError):
    """A keyring key could not be read: missing, wrong passphrase, or an entry this reader does not
    support.
    """


@dataclass(frozen=True)
class KeyRecord:
    """One decrypted ``<name>.info`` record. A local key's private key stays in native memory:
    :meth:`FileKeyring.private_key` turns it into a key object."""

    name: str
    kind: str  # local | ledger | multi | offline
    public_key_type: str
    public_key: bytes
    private_key_type: str = ""
    _native_record: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def _of(cls, record: Any) -> KeyRecord:
        return cls(
            name=record.name,
            kind=record.kind,
            public_key_type=record.public_key_type,
            public_key=record.public_key,
            private_key_type=record.private_key_type,
            _native_record=record,
        )

    @property
    def private_key(self) -> bytes | None:
        """The private key's bytes, set only for local keys: a copy made on each read (a signer needs
        :meth:`FileKeyring.private_key`, which never exposes them)."""
        if self._native_record is None:
            return None
        secret: bytes | None = self._native_record.secret_bytes()
        return secret


def _escape(item_key: str) -> str:
    # The fork of 99designs/keyring percent-escapes "%" and "/" in file names.
    return item_key.replace("%", "%25").replace("/", "%2F")


def _unescape(file_name: str) -> str:
    return file_name.replace("%2F", "/").replace("%2f", "/").replace("%25", "%")


def _parse_record(data: bytes) -> KeyRecord:
    """An encoded ``cosmos.crypto.keyring.v1.Record``; malformed data raises ``ValueError``."""
    try:
        return KeyRecord._of(_native.keyring_parse_record(data))
    except GonkaError as e:
        raise ValueError(str(e)) from None


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
        self._password = password

    def names(self) -> list[str]:
        """Names of the keys stored (from ``<name>.info`` file names; nothing is decrypted)."""
        return sorted(_unescape(p.name)[: -len(".info")] for p in self.directory.glob("*.info"))

    def _token(self, item_key: str) -> tuple[Path, str]:
        path = self.directory / _escape(item_key)
        if not path.is_file():
            known = ", ".join(self.names()) or "none"
            name = item_key.removesuffix(".info")
            raise KeyringError(f"key {name!r} not in {self.directory} (keys: {known})")
        return path, path.read_text()

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
        path, token = self._token(item_key)
        try:
            pointer = _native.keyring_read_pointer(token, self._password, path.name)
        except GonkaError as e:
            raise KeyringError(str(e)) from None
        return pointer.removesuffix(".info")

    def record(self, name: str) -> KeyRecord:
        """The decrypted record of key ``name`` (or of the key with that account address)."""
        name = self.resolve(name)
        path, token = self._token(f"{name}.info")
        try:
            return KeyRecord._of(_native.keyring_read_record(token, self._password, path.name, name))
        except GonkaError as e:
            raise KeyringError(str(e)) from None

    def private_key(self, name: str) -> PrivateKey:
        """Key ``name`` (or account address) as a :class:`gonka.keys.PrivateKey` (local secp256k1 keys
        only); its bytes never pass through Python."""
        record = self.record(name)
        if (
            record.kind != "local"
            or record._native_record is None
            or not record._native_record.has_private_key
        ):
            raise KeyringError(f"key {name!r} is a {record.kind} key: its private key is not in the keyring")
        if record.private_key_type != SECP256K1_PRIVKEY_TYPE:
            raise KeyringError(
                f"key {name!r} has type {record.private_key_type}; only secp256k1 keys sign txs"
            )
        try:
            key: PrivateKey = record._native_record.private_key()
        except GonkaError as e:
            raise KeyringError(f"key {name!r}: {e}") from None
        return key
