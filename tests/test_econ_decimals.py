"""The two decimal emulations against exact rational arithmetic (fractions), on the rounding edges."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from gonka.economics.legacy_dec import SCALE, LegacyDec
from gonka.economics.shop_decimal import ShopDecimal
from gonka.errors import InvalidInput
from hypothesis import example, given, settings
from hypothesis import strategies as st

# Raw LegacyDec values: small, around 18-digit boundaries, and large, of both signs.
raws = st.one_of(
    st.integers(-(10**20), 10**20),
    st.integers(-(10**40), 10**40),
    st.sampled_from([1, -1, SCALE - 1, SCALE, SCALE + 1, SCALE // 2, -SCALE // 2, 10**36, -(10**36)]),
)
nonzero_raws = raws.filter(lambda r: r != 0)


def half_away(q: Fraction) -> int:
    """Round to an integer, ties away from zero (an independent spelling of the rule)."""
    magnitude = abs(q) + Fraction(1, 2)
    n = magnitude.numerator // magnitude.denominator
    return n if q >= 0 else -n


def trunc(q: Fraction) -> int:
    return int(q)  # int() of a Fraction truncates toward zero


# --- LegacyDec: hand-derived ---


def test_legacy_dec_worked_examples() -> None:
    # 0.5 * 100 = 50 exactly; RoundInt64 of it is 50 (mainnet min_signed).
    assert LegacyDec.from_str("0.5").mul_int(100).round_int() == 50
    # 0.5 * 101 = 50.5 -> half to even -> 50 (a ceiling would give 51).
    assert LegacyDec.from_str("0.5").mul_int(101).round_int() == 50
    # 0.5 * 103 = 51.5 -> half to even -> 52.
    assert LegacyDec.from_str("0.5").mul_int(103).round_int() == 52
    # 1 / 3 = 0.333333333333333333 (36-digit truncation, then the 19th digit 3 rounds down).
    assert str(LegacyDec.from_int(1).quo(LegacyDec.from_int(3))) == "0.333333333333333333"
    # 2 / 3 = 0.666...67 (19th digit 6 rounds up).
    assert str(LegacyDec.from_int(2).quo(LegacyDec.from_int(3))) == "0.666666666666666667"
    # 160 / 510 = 0.31372549019607843137... -> ...431 (the veto share of the spec's tally example).
    assert str(LegacyDec.from_int(160).quo(LegacyDec.from_int(510))) == "0.313725490196078431"
    # QuoTruncate and QuoRoundUp of 2/3 differ in the last digit.
    assert str(LegacyDec.from_int(2).quo_truncate(LegacyDec.from_int(3))) == "0.666666666666666666"
    assert str(LegacyDec.from_int(1).quo_round_up(LegacyDec.from_int(3))) == "0.333333333333333334"
    # 50 / 5000 = 0.01 exactly: no round-up (the spec's staking slash example).
    assert str(LegacyDec.from_int(50).quo_round_up(LegacyDec.from_int(5000))) == "0.010000000000000000"
    # 10000 * 0.2 = 2000; 1001 * 0.2 = 200.2 -> TruncateInt 200.
    assert LegacyDec.from_int(1001).mul(LegacyDec.from_str("0.2")).truncate_int() == 200
    assert LegacyDec.from_str("-2.5").truncate_int() == -2 and LegacyDec.from_str("-2.5").round_int() == -2
    assert LegacyDec.from_str("-3.5").round_int() == -4
    assert str(LegacyDec.from_str("-0.000000000000000001").ceil()) == "0.000000000000000000"


def test_legacy_dec_parsing_errors() -> None:
    for bad in ("", "-", ".5", "5.", "1.2.3", "1e5", " 1", "1_000", "0x10", "--5"):
        with pytest.raises(InvalidInput):
            LegacyDec.from_str(bad)
    with pytest.raises(InvalidInput, match="more than 18 decimal places"):
        LegacyDec.from_str("0.0000000000000000001")
    assert LegacyDec.from_str("+1.5") == LegacyDec.from_str("1.5")
    with pytest.raises(InvalidInput, match="division by zero"):
        LegacyDec.from_int(1).quo(LegacyDec(0))
    with pytest.raises(InvalidInput, match="overflow"):
        LegacyDec.from_int(2**200).mul(LegacyDec.from_int(2**100))


# --- LegacyDec: properties against fractions ---


@settings(max_examples=300, deadline=None)
@given(raws, raws)
@example(3, SCALE // 2)  # 3e-18 * 0.5: a tie at the 18th digit, rounds to the even 2e-18
@example(-3, SCALE // 2)
@example(5, SCALE // 2)  # 2.5e-18 -> 2e-18
def test_legacy_mul_is_half_even_of_exact_product(a: int, b: int) -> None:
    exact = Fraction(a * b, SCALE)  # raw of the exact product
    assert LegacyDec(a).mul(LegacyDec(b)).raw == round(exact)  # round() of a Fraction is half to even
    assert LegacyDec(a).mul_truncate(LegacyDec(b)).raw == trunc(exact)


@settings(max_examples=300, deadline=None)
@given(raws, nonzero_raws)
@example(1, 2 * SCALE)  # 1e-18 / 2 = 0.5e-18: a tie, rounds to 0
@example(3, 2 * SCALE)  # 1.5e-18 -> 2e-18
@example(-3, 2 * SCALE)
def test_legacy_quo_matches_its_two_stage_rounding(a: int, b: int) -> None:
    exact = Fraction(a * SCALE, b)  # raw of the exact quotient
    truncated_36 = trunc(Fraction(a * SCALE * SCALE, b))
    assert LegacyDec(a).quo(LegacyDec(b)).raw == round(Fraction(truncated_36, SCALE))
    # within half a unit of the exact quotient (plus the 36-digit truncation)
    assert abs(LegacyDec(a).quo(LegacyDec(b)).raw - exact) <= Fraction(1, 2) + Fraction(1, SCALE)
    assert LegacyDec(a).quo_truncate(LegacyDec(b)).raw == trunc(exact)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**30), st.integers(1, 10**30))
def test_legacy_quo_round_up_is_ceiling_for_positive_operands(a: int, b: int) -> None:
    exact = Fraction(a * SCALE, b)
    assert LegacyDec(a).quo_round_up(LegacyDec(b)).raw == -((-exact.numerator) // exact.denominator)


@settings(max_examples=200, deadline=None)
@given(raws)
def test_legacy_string_round_trip_and_integer_parts(raw: int) -> None:
    value = LegacyDec(raw)
    assert LegacyDec.from_str(str(value)) == value
    assert Fraction(Decimal(str(value))) == value.to_fraction()
    assert value.truncate_int() == trunc(value.to_fraction())
    assert value.round_int() == round(value.to_fraction())


# --- shopspring: hand-derived ---


def test_shop_decimal_worked_examples() -> None:
    one, three = ShopDecimal(1), ShopDecimal(3)
    assert str(one.div(three)) == "0.3333333333333333"  # 16 digits, the 17th (3) rounds down
    assert str(ShopDecimal(2).div(three)) == "0.6666666666666667"
    assert str((-ShopDecimal(2)).div(three)) == "-0.6666666666666667"
    # 1e-16 / 2 = 0.5e-16: a tie, away from zero -> 1e-16 (banker's would give 0).
    assert ShopDecimal(1, -16).div(ShopDecimal(2)) == ShopDecimal(1, -16)
    assert ShopDecimal(-1, -16).div(ShopDecimal(2)) == ShopDecimal(-1, -16)
    # 0.25 * 400 / 0.75 = 133.333... -> IntPart 133 (the spec's power-cap example).
    cap = (ShopDecimal(25, -2) * ShopDecimal(400)).div(ShopDecimal(1) - ShopDecimal(25, -2) * ShopDecimal(1))
    assert cap.int_part() == 133
    assert ShopDecimal.from_str("-7.99").int_part() == -7
    assert (
        str(ShopDecimal.from_str("0.125").round(2)) == "0.13"
        and str(ShopDecimal.from_str("-0.125").round(2)) == "-0.13"
    )
    assert str(ShopDecimal.from_str("0.129").truncate(2)) == "0.12"
    assert ShopDecimal.from_str("4.20") == ShopDecimal.from_str("4.2") and hash(ShopDecimal(42, -1)) == hash(
        ShopDecimal(420, -2)
    )
    assert str(ShopDecimal(-475, -6)) == "-0.000475" and str(ShopDecimal(42, 1)) == "420"
    assert ShopDecimal.from_float(0.1) == ShopDecimal(
        1, -1
    )  # shortest round-trip digits, not the binary value
    assert ShopDecimal.from_str("1.5e3") == ShopDecimal(1500)
    assert ShopDecimal(9995251127946402, -16).pow_int(2) == ShopDecimal(9995251127946402**2, -32)
    with pytest.raises(InvalidInput):
        ShopDecimal(1).div(ShopDecimal(0))
    with pytest.raises(InvalidInput):
        ShopDecimal.from_str("1.2.3")


# --- shopspring: properties against fractions ---

shop_values = st.builds(ShopDecimal, st.integers(-(10**24), 10**24), st.integers(-24, 6))
nonzero_shop = shop_values.filter(lambda d: not d.is_zero())


@settings(max_examples=300, deadline=None)
@given(shop_values, nonzero_shop)
@example(ShopDecimal(1, -16), ShopDecimal(2))
@example(ShopDecimal(3, -16), ShopDecimal(-2))
@example(ShopDecimal(5, -17), ShopDecimal(1))
def test_shop_div_is_half_away_from_zero_at_16_digits(a: ShopDecimal, b: ShopDecimal) -> None:
    exact = a.to_fraction() / b.to_fraction()
    assert a.div(b).to_fraction() == Fraction(half_away(exact * 10**16), 10**16)


@settings(max_examples=300, deadline=None)
@given(shop_values, shop_values)
def test_shop_exact_operations(a: ShopDecimal, b: ShopDecimal) -> None:
    assert (a + b).to_fraction() == a.to_fraction() + b.to_fraction()
    assert (a - b).to_fraction() == a.to_fraction() - b.to_fraction()
    assert (a * b).to_fraction() == a.to_fraction() * b.to_fraction()
    assert (a < b) == (a.to_fraction() < b.to_fraction()) and (a == b) == (a.to_fraction() == b.to_fraction())


@settings(max_examples=300, deadline=None)
@given(shop_values, st.integers(0, 20))
def test_shop_integer_part_truncate_and_round(a: ShopDecimal, places: int) -> None:
    value = a.to_fraction()
    assert a.int_part() == trunc(value)
    assert a.truncate(places).to_fraction() == Fraction(trunc(value * 10**places), 10**places)
    assert a.round(places).to_fraction() == Fraction(half_away(value * 10**places), 10**places)
    assert ShopDecimal.from_str(str(a)) == a


# --- chain decimals as the params read them ---


def test_chain_decimals_and_bad_parameters() -> None:
    from gonka.economics.params import (
        CollateralParams,
        EpochParams,
        SlashingParams,
        chain_decimal,
        chain_legacy_dec,
        duration_ns,
    )

    # {"value": "42", "exponent": -1} is 4.2; ToLegacyDec goes through the shortest string "4.2".
    assert chain_decimal({"value": "42", "exponent": -1}, "x") == ShopDecimal(42, -1)
    assert str(chain_legacy_dec({"value": 42, "exponent": "-1"}, "x")) == "4.200000000000000000"
    # 400e-20 prints as 0.000000000000000004 (trailing zeros trimmed): 18 places, accepted.
    assert str(chain_legacy_dec({"value": "400", "exponent": -20}, "x")) == "0.000000000000000004"
    with pytest.raises(InvalidInput, match="more than 18 decimal places"):
        chain_legacy_dec({"value": "41", "exponent": -20}, "x")  # 4.1e-19 cannot be a LegacyDec
    with pytest.raises(InvalidInput, match="out of range"):
        chain_decimal({"value": "1", "exponent": 10**9}, "x")  # would build a billion-digit number
    with pytest.raises(InvalidInput, match="out of range"):
        chain_decimal({"value": str(2**63), "exponent": 0}, "x")  # not an int64
    with pytest.raises(InvalidInput, match="decimal"):
        chain_decimal("0.5", "x")
    assert duration_ns("600s", "d") == 600 * 10**9 and duration_ns("0.5s", "d") == 5 * 10**8
    for bad in ("600", "-1s", "abc s"):
        with pytest.raises(InvalidInput):
            duration_ns(bad, "d")
    with pytest.raises(InvalidInput, match="epoch_length"):
        EpochParams.from_json(
            {
                "epoch_length": "0",
                "poc_stage_duration": 1,
                "poc_validation_delay": 1,
                "poc_validation_duration": 1,
                "set_new_validators_delay": 1,
            }
        )
    with pytest.raises(InvalidInput, match="collateral_per_weight_unit"):
        CollateralParams.from_json({"base_weight_ratio": {"value": 2, "exponent": -1}})
    with pytest.raises(InvalidInput, match="signed_blocks_window"):
        SlashingParams.from_json(
            {
                "signed_blocks_window": str(10**12),
                "min_signed_per_window": "0.5",
                "downtime_jail_duration": "600s",
            }
        )
