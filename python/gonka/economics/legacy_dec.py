"""Cosmos SDK ``math.LegacyDec`` (cosmossdk.io/math v1.5), exactly.

A LegacyDec is an integer scaled by 10^18. Addition and subtraction are exact; every product and quotient is
brought back to 18 digits with a rule of its own, and those rules decide the chain's rounding:

- ``mul``: exact product, then the 18 extra digits are dropped with banker's rounding (half to even);
- ``quo``: ``trunc(a * 10^36 / b)``, then banker's rounding of the last 18 digits (so a quotient is truncated
  at 36 digits before it is rounded at 18);
- ``quo_truncate``: ``trunc(a * 10^18 / b)``; ``quo_round_up``: the same quotient moved up by one unit when
  the division leaves a remainder (the rule of cosmossdk.io/math v1.4+);
- ``truncate_int`` drops the fraction toward zero, ``round_int`` rounds half to even.

Go panics where a result leaves the range +-(2^256 * 10^18 - 1) or divides by zero; here those raise
:class:`~gonka.errors.InvalidInput`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from gonka.errors import InvalidInput

PRECISION = 18
SCALE: int = 10**PRECISION
_HALF: int = SCALE // 2
MAX_RAW: int = 2**256 * SCALE - 1

_LITERAL = re.compile(r"\+?[0-9]+")


def _tdivmod(a: int, b: int) -> tuple[int, int]:
    """Go's big.Int QuoRem: the quotient truncated toward zero, the remainder with the dividend's sign."""
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - q * b


def chop_round(x: int) -> int:
    """``x / 10^18`` rounded half to even, symmetrically for negative ``x`` (chopPrecisionAndRound)."""
    if x < 0:
        return -chop_round(-x)
    q, r = divmod(x, SCALE)
    if r > _HALF or (r == _HALF and q % 2 == 1):
        q += 1
    return q


def chop_truncate(x: int) -> int:
    """``x / 10^18`` truncated toward zero."""
    return _tdivmod(x, SCALE)[0]


def chop_round_up(x: int) -> int:
    """``x / 10^18`` rounded toward +infinity (chopPrecisionAndRoundUp)."""
    return -((-x) // SCALE)


def _checked(raw: int) -> int:
    if not -MAX_RAW <= raw <= MAX_RAW:
        raise InvalidInput("LegacyDec overflow: the value leaves +-(2^256 x 10^18 - 1)")
    return raw


class LegacyDec:
    """An immutable LegacyDec; ``raw`` is the value times 10^18."""

    __slots__ = ("raw",)
    raw: int

    def __init__(self, raw: int) -> None:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise InvalidInput(f"LegacyDec raw value must be an int, got {type(raw).__name__}")
        object.__setattr__(self, "raw", _checked(raw))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("LegacyDec is immutable")

    # --- construction ---

    @classmethod
    def from_int(cls, value: int) -> LegacyDec:
        return cls(value * SCALE)

    @classmethod
    def from_str(cls, text: str) -> LegacyDec:
        """``LegacyNewDecFromStr``: ``[-]digits[.digits]`` with at most 18 fractional digits."""
        if not isinstance(text, str):
            raise InvalidInput(f"LegacyDec text must be a string, got {type(text).__name__}")
        body = text[1:] if text.startswith("-") else text
        if not body:
            raise InvalidInput("LegacyDec: decimal string cannot be empty")
        whole, dot, frac = body.partition(".")
        if dot and (not frac or not whole or "." in frac):
            raise InvalidInput(f"LegacyDec: invalid decimal string {text!r}")
        if len(frac) > PRECISION:
            raise InvalidInput(f"LegacyDec: {text!r} has more than {PRECISION} decimal places")
        digits = whole + frac
        if not _LITERAL.fullmatch(digits):
            raise InvalidInput(f"LegacyDec: invalid decimal string {text!r}")
        raw = int(digits) * 10 ** (PRECISION - len(frac))
        return cls(-raw if text.startswith("-") else raw)

    @classmethod
    def from_decimal(cls, value: Decimal) -> LegacyDec:
        """An exact Python Decimal with at most 18 fractional digits."""
        scaled = value.scaleb(PRECISION)
        if scaled != scaled.to_integral_value():
            raise InvalidInput(f"LegacyDec: {value} has more than {PRECISION} decimal places")
        return cls(int(scaled))

    # --- arithmetic ---

    def __add__(self, other: LegacyDec) -> LegacyDec:
        return LegacyDec(self.raw + other.raw)

    def __sub__(self, other: LegacyDec) -> LegacyDec:
        return LegacyDec(self.raw - other.raw)

    def __neg__(self) -> LegacyDec:
        return LegacyDec(-self.raw)

    def abs(self) -> LegacyDec:
        return LegacyDec(abs(self.raw))

    def mul(self, other: LegacyDec) -> LegacyDec:
        return LegacyDec(chop_round(self.raw * other.raw))

    def mul_truncate(self, other: LegacyDec) -> LegacyDec:
        return LegacyDec(chop_truncate(self.raw * other.raw))

    def mul_round_up(self, other: LegacyDec) -> LegacyDec:
        return LegacyDec(chop_round_up(self.raw * other.raw))

    def mul_int(self, value: int) -> LegacyDec:
        return LegacyDec(self.raw * value)

    def _divisor(self, other: LegacyDec) -> int:
        if other.raw == 0:
            raise InvalidInput("LegacyDec: division by zero")
        return other.raw

    def quo(self, other: LegacyDec) -> LegacyDec:
        quotient = _tdivmod(self.raw * SCALE * SCALE, self._divisor(other))[0]
        return LegacyDec(chop_round(quotient))

    def quo_truncate(self, other: LegacyDec) -> LegacyDec:
        return LegacyDec(_tdivmod(self.raw * SCALE, self._divisor(other))[0])

    def quo_round_up(self, other: LegacyDec) -> LegacyDec:
        divisor = self._divisor(other)
        quotient, remainder = _tdivmod(self.raw * SCALE, divisor)
        # The Go code tests the sign of the already-replaced quotient, not of the dividend.
        if (remainder > 0 and (quotient < 0) == (divisor < 0)) or (
            remainder < 0 and (quotient < 0) != (divisor < 0)
        ):
            quotient += 1
        return LegacyDec(quotient)

    def quo_int(self, value: int) -> LegacyDec:
        if value == 0:
            raise InvalidInput("LegacyDec: division by zero")
        return LegacyDec(_tdivmod(self.raw, value)[0])

    # --- conversion ---

    def truncate_int(self) -> int:
        return chop_truncate(self.raw)

    def round_int(self) -> int:
        return chop_round(self.raw)

    def ceil(self) -> LegacyDec:
        return LegacyDec.from_int(chop_round_up(self.raw))

    def to_fraction(self) -> Fraction:
        return Fraction(self.raw, SCALE)

    def to_decimal(self) -> Decimal:
        return Decimal(self.raw).scaleb(-PRECISION)

    def __float__(self) -> float:
        return float(self.to_fraction())

    def __str__(self) -> str:
        """Go's String(): always 18 fractional digits, e.g. ``0.500000000000000000``."""
        sign = "-" if self.raw < 0 else ""
        whole, frac = divmod(abs(self.raw), SCALE)
        return f"{sign}{whole}.{frac:018d}"

    def __repr__(self) -> str:
        return f"LegacyDec('{self}')"

    # --- comparison ---

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LegacyDec) and self.raw == other.raw

    def __hash__(self) -> int:
        return hash(("LegacyDec", self.raw))

    def __lt__(self, other: LegacyDec) -> bool:
        return self.raw < other.raw

    def __le__(self, other: LegacyDec) -> bool:
        return self.raw <= other.raw

    def __gt__(self, other: LegacyDec) -> bool:
        return self.raw > other.raw

    def __ge__(self, other: LegacyDec) -> bool:
        return self.raw >= other.raw

    def is_zero(self) -> bool:
        return self.raw == 0

    def is_negative(self) -> bool:
        return self.raw < 0


ZERO = LegacyDec(0)
ONE = LegacyDec(SCALE)


def min_dec(a: LegacyDec, b: LegacyDec) -> LegacyDec:
    """``LegacyMinDec``: ``a`` unless ``b`` is smaller."""
    return b if b < a else a
