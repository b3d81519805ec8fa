"""Value types of transactions: :class:`Coin`, :class:`Timestamp` and :class:`VoteOption` (declared in
the gov ``.proto`` file)."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from gonka import _native
from gonka.errors import InvalidInput
from gonka.tx._generated import VoteOption

__all__ = ["Coin", "Timestamp", "TimestampLike", "VoteOption"]

_COIN_TEXT = re.compile(r"^\s*(\d+)\s*([a-zA-Z][a-zA-Z0-9/:._-]*)\s*$")


class Coin(_native.Coin):
    """An amount of one denomination: ``Coin("ngonka", 1000)`` (1 GNK = 10**9 ngonka).

    Immutable, compared and hashed by value. The denom must match the SDK's pattern and the
    amount be an int with ``0 <= amount < 2**256``; otherwise ``InvalidInput`` is raised.
    """

    # The fields live in the native base (checked once, read by the encoders without Python).
    __slots__ = ()

    @classmethod
    def parse(cls, text: str) -> Coin:
        """``"1000ngonka"`` -> ``Coin("ngonka", 1000)`` (the CLI form)."""
        match = _COIN_TEXT.match(text)
        if match is None:
            raise InvalidInput(f"{text!r} is not a coin like 1000ngonka")
        return cls(match.group(2), int(match.group(1)))

    def __str__(self) -> str:
        return f"{self.amount}{self.denom}"

    def to_json(self) -> dict[str, str]:
        return {"denom": self.denom, "amount": str(self.amount)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Coin:
        amount = data["amount"]
        if not (isinstance(amount, str) and amount.isascii() and amount.isdigit()):
            raise InvalidInput(f"coin amount {amount!r} is not a non-negative decimal integer")
        return cls(data["denom"], int(amount))


@dataclass(frozen=True, order=True)
class Timestamp:
    """A point in time with nanosecond precision (``google.protobuf.Timestamp``)."""

    seconds: int
    nanos: int = 0

    def __post_init__(self) -> None:
        # Checks the range (years 1-9999, 0 <= nanos < 1e9).
        _native.tx_format_timestamp(self.seconds, self.nanos)

    @classmethod
    def from_unix_nanos(cls, nanos: int) -> Timestamp:
        return cls(*divmod(nanos, 1_000_000_000))

    @classmethod
    def from_datetime(cls, when: _dt.datetime) -> Timestamp:
        if when.tzinfo is None:
            raise InvalidInput("timestamps need a timezone-aware datetime (e.g. tzinfo=timezone.utc)")
        delta = when - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return cls.from_unix_nanos(micros * 1_000)

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        """RFC 3339 text, e.g. ``2026-08-22T06:31:44.143457Z``."""
        return cls(*_native.tx_parse_timestamp(text))

    @classmethod
    def coerce(cls, value: TimestampLike) -> Timestamp:
        if isinstance(value, Timestamp):
            return value
        if isinstance(value, _dt.datetime):
            return cls.from_datetime(value)
        if isinstance(value, str):
            return cls.parse(value)
        raise InvalidInput(f"expected a Timestamp, an aware datetime or RFC 3339 text, got {value!r}")

    @property
    def unix_nanos(self) -> int:
        return self.seconds * 1_000_000_000 + self.nanos

    def to_datetime(self) -> _dt.datetime:
        """The aware UTC datetime (microsecond precision)."""
        epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return epoch + _dt.timedelta(seconds=self.seconds, microseconds=self.nanos // 1_000)

    def __str__(self) -> str:
        return _native.tx_format_timestamp(self.seconds, self.nanos)


TimestampLike = Timestamp | _dt.datetime | str


_native.tx_register_type("Coin", Coin)
_native.tx_register_type("Timestamp", Timestamp)
