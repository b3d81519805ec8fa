"""Typed transaction messages with their real type URLs.

Every message is a frozen dataclass declared from its ``.proto`` file (``gonka.tx._generated``), checked,
normalized and encoded (in Rust, by the message's schema) when it is created, so a bad address, amount or
option raises a :mod:`gonka.errors` exception at the line that made it. ``to_json``/``Msg.from_json``
convert to and from the chain's JSON form (``"@type"`` inline, 64-bit integers as strings, bytes as base64,
timestamps as RFC 3339).
"""

from __future__ import annotations

from gonka.tx import _generated
from gonka.tx._base import AnyPayload, Msg, RawMsg
from gonka.tx._generated import *  # noqa: F403
from gonka.tx._mixins import module_address

__all__ = ["AnyPayload", "Msg", "RawMsg", "module_address"]
__all__ += _generated.__all__
