"""Bech32 addresses (BIP 173 bech32, not bech32m) with the chain's prefixes.

``gonka1...`` accounts and ``gonkavaloper1...`` operators share the same 20 bytes (hash160 of the
secp256k1 key); ``gonkavalcons1...`` holds a consensus key's address. Errors raise
:class:`~gonka.errors.InvalidAddress` and say what is wrong: bad checksum, mixed case, invalid
character, missing separator, wrong prefix, wrong data length, or too long.
"""

from gonka._native import (
    ACCOUNT_HRP,
    ACCOUNT_PUB_HRP,
    VALCONS_HRP,
    VALCONS_PUB_HRP,
    VALOPER_HRP,
    VALOPER_PUB_HRP,
    bech32_convert_hrp,
    bech32_decode,
    bech32_encode,
)
from gonka.errors import InvalidAddress

__all__ = [
    "ACCOUNT_HRP",
    "ACCOUNT_PUB_HRP",
    "VALCONS_HRP",
    "VALCONS_PUB_HRP",
    "VALOPER_HRP",
    "VALOPER_PUB_HRP",
    "convert_hrp",
    "decode",
    "encode",
    "is_valid",
    "to_account",
    "to_valoper",
]


def encode(hrp: str, data: bytes) -> str:
    """The lowercase bech32 string of ``data`` under the prefix ``hrp``."""
    return bech32_encode(hrp, data)


def decode(address: str, hrp: str | None = None, length: int | None = None) -> tuple[str, bytes]:
    """``(hrp, data)`` of a bech32 address.

    With ``hrp`` the prefix must match (``"gonka"``, ``"gonkavaloper"``...); with ``length`` the data
    must have that many bytes (20 for key addresses, 32 for module and contract accounts).
    """
    return bech32_decode(address, hrp, length)


def convert_hrp(address: str, hrp: str) -> str:
    """The same address bytes under another prefix, e.g. ``gonka1...`` -> ``gonkavaloper1...``."""
    return bech32_convert_hrp(address, hrp)


def to_valoper(address: str) -> str:
    """The operator address (``gonkavaloper1...``) of an account address."""
    decode(address, ACCOUNT_HRP)
    return convert_hrp(address, VALOPER_HRP)


def to_account(address: str) -> str:
    """The account address (``gonka1...``) of an operator address."""
    decode(address, VALOPER_HRP)
    return convert_hrp(address, ACCOUNT_HRP)


def is_valid(address: str, hrp: str | None = None, length: int | None = None) -> bool:
    """Whether ``decode(address, hrp, length)`` would succeed."""
    try:
        decode(address, hrp, length)
    except InvalidAddress:
        return False
    return True
