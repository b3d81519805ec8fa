"""Exception classes. Every error gonka raises derives from :class:`GonkaError`.

The classes are defined in the native module so that Rust code raises them directly.
"""

from gonka._native import (
    GonkaError,
    InternalError,
    InvalidAddress,
    InvalidInput,
    InvalidKey,
    InvalidMnemonic,
    InvalidSignature,
)

__all__ = [
    "GonkaError",
    "InternalError",
    "InvalidAddress",
    "InvalidInput",
    "InvalidKey",
    "InvalidMnemonic",
    "InvalidSignature",
]
