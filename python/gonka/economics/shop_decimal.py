"""shopspring/decimal v1.4 (the Go library the inference module computes rewards with), exactly.

A value is ``coefficient x 10^exponent`` with an unbounded integer coefficient. ``+``, ``-`` and ``*`` are
exact; ``div`` is ``DivRound(x, 16)``: the exact quotient rounded to 16 fractional digits, half away from
zero. ``int_part`` and ``truncate`` cut toward zero, ``round`` rounds half away from zero, ``pow_int``
multiplies exactly. Equality and order compare values (``4.2 == 4.20``); ``coefficient``/``exponent`` keep the
representation, as Go's ``CoefficientInt64``/``Exponent`` do.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext
from fractions import Fraction

from gonka.errors import InvalidInput

DIVISION_PRECISION = 16

_LITERAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def pow10(n: int) -> int:
    """10^n for n >= 0, typed as an int."""
    result: int = 10**n
    return result


def _round_half_away(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (denominator > 0) rounded to an integer, ties away from zero."""
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return -q if numerator < 0 else q


class ShopDecimal:
    __slots__ = ("coefficient", "exponent")
    coefficient: int
    exponent: int

    def __init__(self, coefficient: int, exponent: int = 0) -> None:
        for name, v in (("coefficient", coefficient), ("exponent", exponent)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise InvalidInput(f"decimal {name} must be an int, got {type(v).__name__}")
        object.__setattr__(self, "coefficient", coefficient)
        object.__setattr__(self, "exponent", exponent)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ShopDecimal is immutable")

    # --- construction ---

    @classmethod
    def from_int(cls, value: int) -> ShopDecimal:
        return cls(value, 0)

    @classmethod
    def from_str(cls, text: str) -> ShopDecimal:
        """``NewFromString``: ``[-]digits[.digits][e[-]digits]``."""
        m = _LITERAL.fullmatch(text.strip()) if isinstance(text, str) else None
        if m is None or not (m.group(2) or m.group(3)):
            raise InvalidInput(f"can't convert {text!r} to a decimal")
        sign, whole, frac, exp = m.group(1), m.group(2), m.group(3) or "", m.group(4)
        coefficient = int((whole + frac) or "0")
        exponent = -len(frac) + (int(exp) if exp else 0)
        return cls(-coefficient if sign == "-" else coefficient, exponent)

    @classmethod
    def from_float(cls, value: float) -> ShopDecimal:
        """``NewFromFloat``: the shortest decimal that reads back as ``value`` (Python's repr)."""
        if not math.isfinite(value):
            raise InvalidInput(f"cannot create a decimal from {value!r}")
        return cls.from_decimal(Decimal(repr(float(value))))

    @classmethod
    def from_decimal(cls, value: Decimal) -> ShopDecimal:
        sign, digits, exponent = value.as_tuple()
        if not isinstance(exponent, int):
            raise InvalidInput(f"cannot create a decimal from {value}")
        coefficient = int("".join(map(str, digits)) or "0")
        return cls(-coefficient if sign else coefficient, exponent)

    # --- exact arithmetic ---

    def _aligned(self, other: ShopDecimal) -> tuple[int, int, int]:
        exponent = min(self.exponent, other.exponent)
        a = self.coefficient * pow10(self.exponent - exponent)
        b = other.coefficient * pow10(other.exponent - exponent)
        return a, b, exponent

    def __add__(self, other: ShopDecimal) -> ShopDecimal:
        a, b, exponent = self._aligned(other)
        return ShopDecimal(a + b, exponent)

    def __sub__(self, other: ShopDecimal) -> ShopDecimal:
        a, b, exponent = self._aligned(other)
        return ShopDecimal(a - b, exponent)

    def __mul__(self, other: ShopDecimal) -> ShopDecimal:
        return ShopDecimal(self.coefficient * other.coefficient, self.exponent + other.exponent)

    def __neg__(self) -> ShopDecimal:
        return ShopDecimal(-self.coefficient, self.exponent)

    def abs(self) -> ShopDecimal:
        return ShopDecimal(abs(self.coefficient), self.exponent)

    def pow_int(self, n: int) -> ShopDecimal:
        """``PowInt32`` for ``n >= 0``: exact."""
        if n < 0:
            raise InvalidInput("negative powers round; only n >= 0 is exact")
        if n == 0 and self.coefficient == 0:
            raise InvalidInput("0 to the power 0 is undefined")
        return ShopDecimal(self.coefficient**n, self.exponent * n)

    # --- rounding operations ---

    def div_round(self, other: ShopDecimal, places: int) -> ShopDecimal:
        """The exact quotient rounded to ``places`` fractional digits, half away from zero."""
        if other.coefficient == 0:
            raise InvalidInput("decimal division by zero")
        shift = self.exponent - other.exponent + places
        numerator = self.coefficient * pow10(shift) if shift >= 0 else self.coefficient
        denominator = other.coefficient if shift >= 0 else other.coefficient * pow10(-shift)
        if denominator < 0:
            numerator, denominator = -numerator, -denominator
        return ShopDecimal(_round_half_away(numerator, denominator), -places)

    def div(self, other: ShopDecimal) -> ShopDecimal:
        """``Div``: ``DivRound(other, 16)``."""
        return self.div_round(other, DIVISION_PRECISION)

    def round(self, places: int) -> ShopDecimal:
        """``Round``: to ``places`` fractional digits, half away from zero."""
        if self.exponent >= -places:
            return self
        return ShopDecimal(_round_half_away(self.coefficient, pow10(-places - self.exponent)), -places)

    def truncate(self, places: int) -> ShopDecimal:
        """``Truncate``: drop digits beyond ``places`` toward zero."""
        if self.exponent >= -places:
            return self
        q = abs(self.coefficient) // pow10(-places - self.exponent)
        return ShopDecimal(-q if self.coefficient < 0 else q, -places)

    def int_part(self) -> int:
        """``IntPart``: the integer part, truncated toward zero."""
        if self.exponent >= 0:
            return self.coefficient * pow10(self.exponent)
        q = abs(self.coefficient) // pow10(-self.exponent)
        return -q if self.coefficient < 0 else q

    def ln(self, places: int) -> ShopDecimal:
        """``Ln(places)``: the natural logarithm rounded half away from zero at ``places`` digits.

        shopspring iterates to ``places + 2`` digits before rounding, so it agrees with this correctly
        rounded value except when the logarithm lies within ~10^-(places+2) of a rounding tie.
        """
        if self.coefficient <= 0:
            raise InvalidInput("the logarithm needs a positive decimal")
        with localcontext() as ctx:
            ctx.prec = places + 40
            exact = self.to_decimal().ln()
        return ShopDecimal.from_decimal(exact).round(places)

    # --- conversion ---

    def to_fraction(self) -> Fraction:
        if self.exponent >= 0:
            return Fraction(self.coefficient * pow10(self.exponent))
        return Fraction(self.coefficient, pow10(-self.exponent))

    def to_decimal(self) -> Decimal:
        return Decimal(self.coefficient).scaleb(self.exponent)

    def __float__(self) -> float:
        """``InexactFloat64``: the double nearest to the exact value."""
        return float(self.to_fraction())

    def __str__(self) -> str:
        """Go's String(): plain notation without trailing fractional zeros."""
        if self.exponent >= 0:
            return str(self.coefficient * pow10(self.exponent))
        sign = "-" if self.coefficient < 0 else ""
        whole, frac = divmod(abs(self.coefficient), pow10(-self.exponent))
        digits = f"{frac:0{-self.exponent}d}".rstrip("0")
        return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"

    def __repr__(self) -> str:
        return f"ShopDecimal('{self}')"

    # --- comparison by value ---

    def _cmp(self, other: ShopDecimal) -> int:
        a, b, _ = self._aligned(other)
        return (a > b) - (a < b)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ShopDecimal) and self._cmp(other) == 0

    def __hash__(self) -> int:
        return hash(self.to_fraction())

    def __lt__(self, other: ShopDecimal) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: ShopDecimal) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: ShopDecimal) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: ShopDecimal) -> bool:
        return self._cmp(other) >= 0

    def is_zero(self) -> bool:
        return self.coefficient == 0

    def is_negative(self) -> bool:
        return self.coefficient < 0


ZERO = ShopDecimal(0)
ONE = ShopDecimal(1)
