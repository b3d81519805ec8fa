"""gonka.economics models: the spec's worked examples (economics.md section 9), one hand-derived example per
function (derivations in the comments), and property tests of the invariants.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from gonka.economics import (
    MAINNET_GENESIS,
    BlockClock,
    EpochSchedule,
    LegacyDec,
    Release,
    SettleParticipant,
    ShopDecimal,
    SigningState,
    Votes,
    add_vesting,
    adjust_weight,
    advance,
    apply_guardians,
    apply_power_cap,
    cap_weights,
    claim_window,
    collateral_for_weight,
    confirmation_scaled_weight,
    deterministic_fraction,
    downtime_slash,
    epoch_reward,
    epoch_rewards,
    guardian_params,
    jailed_until,
    launch_reward,
    launch_status,
    liveness,
    max_missed,
    min_validation_average,
    miss_rate,
    reputation,
    required_collateral,
    settle,
    should_validate,
    slash_base,
    slash_collateral,
    smallest_flip,
    sprt_status,
    supply_projection,
    table_reward,
    tally,
    unjail_options,
    vesting_schedule,
    z_score,
)
from gonka.economics.params import MAINNET_2026_EPOCH, BitcoinRewardParams, ValidationParams
from gonka.economics.tally import OPTIONS, mainnet_tally_params
from gonka.errors import InvalidInput
from hypothesis import given, settings
from hypothesis import strategies as st

G = MAINNET_GENESIS
LAUNCH = Release(0, 2, 0)
V022, V027, V028, V029, V0211, V0213, NEWEST = (
    Release.parse(v) for v in ("v0.2.2", "v0.2.7", "v0.2.8", "v0.2.9", "v0.2.11", "v0.2.13", "v0.2.16")
)
D = ShopDecimal.from_str


# --- epoch schedule ---


def test_schedule_genesis_offsets() -> None:
    # Spec section 2 (genesis params): S+48 (int(60*0.8)), S+60, S+65, S+65+int(20*0.8) = S+81, S+85,
    # S+205, S+206.
    s = EpochSchedule(1, 300, G.epoch)
    assert [st.height - 300 for st in s.stages()] == [0, 48, 60, 65, 65, 81, 85, 205, 206, 17200, 17280]
    # Epoch 0 runs no PoC; its next PoC starts at 17280 - 16980 = 300.
    assert EpochSchedule(0, 0, G.epoch).next_poc_start == 300
    assert [st.name for st in EpochSchedule(0, 0, G.epoch).stages()] == ["next_poc_start"]


def test_schedule_2026_offsets_and_phases() -> None:
    # 2026 params: validation 480 -> wind-down S+65+384=S+449, end S+545, switch S+665, claim S+666,
    # cutoff 15391-2 after S.
    s = EpochSchedule(174, 2_000_000, MAINNET_2026_EPOCH)
    assert (s.validation_wind_down, s.end_of_validation, s.set_new_validators, s.claim_money) == (
        2_000_449,
        2_000_545,
        2_000_665,
        2_000_666,
    )
    assert (s.inference_validation_cutoff, s.next_poc_start) == (2_015_389, 2_015_391)
    assert [s.phase_at(h) for h in (1_999_999, 2_000_000, 2_000_048, 2_000_065, 2_000_449, 2_000_545)] == [
        "Inference",
        "PoCGenerate",
        "PoCGenerateWindDown",
        "PoCValidate",
        "PoCValidateWindDown",
        "Inference",
    ]
    assert s.next().poc_start == 2_015_391 and s.next().epoch_index == 175


def test_block_clock() -> None:
    # 1000 blocks in 5600 s -> 5.6 s per block; block latest+100 is 560 s after the latest.
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    clock = BlockClock(1000, t0, 2000, t0 + timedelta(seconds=5600))
    assert clock.seconds_per_block == Fraction(28, 5)
    assert clock.time_at(2100) == t0 + timedelta(seconds=6160)
    with pytest.raises(InvalidInput):
        BlockClock(2000, t0, 1000, t0)


# --- epoch reward ---


def test_epoch_reward_spec_values() -> None:
    # Spec section 9.1.
    assert launch_reward(1, G.reward) == 323_000_000_000_000
    assert launch_reward(2, G.reward) == 322_846_611_432_668
    assert launch_reward(10, G.reward) == 321_622_122_312_022
    assert table_reward(2, G.reward) == 322_846_611_432_668
    assert epoch_reward(2, G.reward, LAUNCH) == epoch_reward(2, G.reward, V028)


def test_table_reward_by_hand_and_refusals() -> None:
    # R(3) = IntPart(323e12 * 0.9995251127946402^2) = 323e12 * 0.99905045130 ... computed exactly:
    q = 9995251127946402
    assert table_reward(3, G.reward) == 323_000_000_000_000 * q * q // 10**32
    # decay 0 -> q = 1 -> R = I for every epoch; an unknown decay rate -> the chain's error -> 0.
    flat = BitcoinRewardParams(1000, ShopDecimal(0), 1)
    assert table_reward(5000, flat) == 1000
    odd = BitcoinRewardParams(1000, D("-0.0005"), 1)
    assert table_reward(5, odd) == 0 and launch_reward(5, odd) == int(1000 * math.exp(-0.002))
    with pytest.raises(InvalidInput, match="never settled"):
        epoch_reward(0, G.reward, NEWEST)
    # Decayed below one ngonka: ln(3.23e14) / 0.000475 ~ 70,000 epochs.
    assert table_reward(80_000, G.reward) == 0


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40_000), st.integers(0, 40))
def test_reward_runs_equal_single_epochs(first: int, length: int) -> None:
    run = list(epoch_rewards(first, first + length, G.reward, NEWEST))
    assert run == [table_reward(e, G.reward) for e in range(first, first + length + 1)]


def test_supply_projection_stops_at_the_cap() -> None:
    # minted 680e15 - 100 before the epoch: it mints 100, the next epoch mints 0.
    cap = G.genesis_only.standard_reward_amount
    points = supply_projection(5, 6, G.reward, NEWEST, minted_before=cap - 100, supply_cap=cap)
    assert [p.minted for p in points] == [100, 0] and points[-1].cumulative == cap


# --- settlement ---


def test_launch_split_by_hand() -> None:
    # W = 1 + 2 = 3, R = 10: a = 10*1//3 = 3, b = 20//3 = 6, remainder 1 to the first (address order) -> 4, 6.
    result = settle(
        [SettleParticipant("b", 2, coin_balance=7), SettleParticipant("a", 1)],
        10,
        LAUNCH,
        total_subsidies=0,
        standard_reward_amount=10**9,
    )
    assert [(s.address, s.reward, s.work) for s in result.shares] == [("a", 4, 0), ("b", 6, 7)]
    # An INVALID host drops out of W: W = 2, b gets all 10 and no work coins.
    invalid = settle(
        [SettleParticipant("a", 1), SettleParticipant("b", 2, status="INVALID", coin_balance=7)],
        10,
        LAUNCH,
        total_subsidies=0,
        standard_reward_amount=10**9,
    )
    assert [(s.reward, s.work) for s in invalid.shares] == [(10, 0), (0, 0)]


def test_v0_2_2_downtime_share_goes_to_the_first_host() -> None:
    # W = 3 is summed before b fails the downtime test: a = 3, b = 0, remainder 7 -> a = 10.
    result = settle(
        [SettleParticipant("a", 1), SettleParticipant("b", 2, passes_downtime_test=False)],
        10,
        V022,
        total_subsidies=0,
        standard_reward_amount=10**9,
    )
    assert [s.reward for s in result.shares] == [10, 0]


def test_newest_split_by_hand() -> None:
    # D = 100 + 300 + 600 = 1000 (everyone with weight). c is INACTIVE: 0. Rewardable [100, 300] over N=2 gets
    # the 0.5 cap: 300 > 0.5*(100+300*1) = 200 -> cap = IntPart(0.5*100 / (1-0.5)) = 100 -> [100, 100].
    # R = 1000: a = 100*1000//1000 = 100, b = 100, governance = 800.
    result = settle(
        [
            SettleParticipant("a", 100),
            SettleParticipant("b", 300),
            SettleParticipant("c", 600, status="INACTIVE"),
        ],
        1000,
        NEWEST,
        total_subsidies=0,
        standard_reward_amount=10**9,
    )
    assert [s.reward for s in result.shares] == [100, 100, 0] and result.to_governance == 800
    # A debt of 30 comes out of a's reward and goes to governance; confirmed weight halves b.
    hosts = [
        SettleParticipant(
            x, 100, coin_balance=-30 if x == "h0" else 0, confirmed_weight=50 if x == "h1" else None
        )
        for x in ("h0", "h1", "h2", "h3", "h4")
    ]
    # D = 500, rewardable [100, 50, 100, 100, 100]: 0.3 cap -> k=1: 100 > 0.3*(50+100*4)=135? no -> no cap.
    result = settle(hosts, 500, NEWEST, total_subsidies=0, standard_reward_amount=10**9)
    assert [s.reward for s in result.shares] == [70, 50, 100, 100, 100] and result.to_governance == 80
    assert confirmation_scaled_weight(100, 30, 60) == 50 and confirmation_scaled_weight(100, 90, 60) == 100
    with pytest.raises(InvalidInput, match="not modelled"):
        settle(hosts, 500, Release(0, 2, 6), total_subsidies=0, standard_reward_amount=10**9)


def test_supply_cap_scaling() -> None:
    # paid = cap - 5, R = 10: minted 5; launch scales through float64: 6 * 0.5 = 3, 4 * 0.5 = 2, remainder 0.
    hosts = [SettleParticipant("a", 6), SettleParticipant("b", 4)]
    launch = settle(hosts, 10, LAUNCH, total_subsidies=95, standard_reward_amount=100)
    assert launch.minted == 5 and [s.reward for s in launch.shares] == [3, 2]
    # Newest: the 0.5 cap (N = 2) makes the weights [4, 4] -> rewards 4, 4 and 2 to governance; scaling is
    # IntPart(Div(4 * 5, 10)) = 2 each, and the chain adds the scaling remainder 5 - 4 = 1 to the 2 it already
    # owed governance: 3 (more than the 1 minted but not paid out; the chain's own accounting).
    newest = settle(hosts, 10, NEWEST, total_subsidies=95, standard_reward_amount=100)
    assert newest.minted == 5 and [s.reward for s in newest.shares] == [2, 2] and newest.to_governance == 3
    done = settle(hosts, 10, NEWEST, total_subsidies=100, standard_reward_amount=100)
    assert done.minted == 0 and done.total_rewards == 0 and done.to_governance == 0


participants = st.lists(
    st.builds(
        SettleParticipant,
        address=st.text("abcdef", min_size=1, max_size=6),
        weight=st.integers(0, 10**6),
        status=st.sampled_from(["ACTIVE", "ACTIVE", "INVALID", "INACTIVE"]),
        coin_balance=st.integers(-(10**6), 10**6),
        passes_downtime_test=st.booleans(),
    ),
    max_size=12,
    unique_by=lambda p: p.address,
)


@settings(max_examples=150, deadline=None)
@given(participants, st.integers(0, 10**15), st.sampled_from([LAUNCH, V022, V029, NEWEST]))
def test_split_plus_remainder_equals_the_reward(
    hosts: list[SettleParticipant], reward: int, release: Release
) -> None:
    result = settle(hosts, reward, release, total_subsidies=0, standard_reward_amount=10**18)
    assert result.total_rewards + result.to_governance + result.undistributed == reward
    assert all(s.reward >= 0 for s in result.shares)


# --- vesting and claims ---


def test_vesting_by_hand() -> None:
    # 100 over 3 epochs: 33 each, remainder 1 in slot 0 -> (34, 33, 33); adding 10 over 2 -> (39, 38, 33).
    assert vesting_schedule(100, 3) == (34, 33, 33)
    assert add_vesting((34, 33, 33), 10, 2) == (39, 38, 33)
    assert advance((39, 38, 33)) == (39, (38, 33)) and advance(()) == (0, ())
    assert vesting_schedule(7, 0) == (7,)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**12), max_size=20), st.integers(0, 10**15), st.integers(1, 400))
def test_vesting_schedule_sums_to_its_amount(existing: list[int], amount: int, epochs: int) -> None:
    after = add_vesting(existing, amount, epochs)
    assert sum(after) == sum(existing) + amount and len(after) == max(len(existing), epochs)
    assert max(after[:epochs]) - min(after[:epochs]) <= amount % epochs + max(existing, default=0)


def test_claim_window_by_hand() -> None:
    # Epoch 174 (2026 params) settles epoch 173 at 2,000,545. v0.2.2+: open from 2,000,666 (after the
    # switch at 2,000,665) until E+2's switch at 2,015,391 + 665 inclusive; a new amount at E+2's settlement
    # (2,015,936) replaces it from the next block.
    w = claim_window(EpochSchedule(174, 2_000_000, MAINNET_2026_EPOCH), NEWEST)
    assert (w.epoch, w.opens_at, w.closes_before, w.replaced_before) == (173, 2_000_666, 2_016_057, 2_015_937)
    assert w.accepts(2_016_056) and not w.accepts(2_016_057) and not w.accepts(2_015_937, replaced=True)
    assert w.unclaimed_goes_to == "governance"
    launch = claim_window(EpochSchedule(174, 2_000_000, MAINNET_2026_EPOCH), LAUNCH)
    assert launch.opens_at == 2_000_546 and launch.unclaimed_goes_to == "burned"


# --- collateral ---


def test_collateral_spec_values() -> None:
    # Spec section 9.2.
    c = G.collateral
    assert [
        adjust_weight(10_000, x, c, upcoming_epoch=181).effective_weight for x in (0, 16_800, 33_600)
    ] == [
        2_000,
        6_000,
        10_000,
    ]
    assert adjust_weight(1_001, 0, c, upcoming_epoch=181).effective_weight == 200
    assert adjust_weight(10_000, 0, c, upcoming_epoch=180).effective_weight == 10_000
    big = replace(c, collateral_per_weight_unit=LegacyDec.from_int(32_000_000))
    assert required_collateral(10_000, big, upcoming_epoch=181).full_activation == 256_000_000_000
    assert adjust_weight(10_000, 128 * 10**9, big, upcoming_epoch=181).effective_weight == 6_000


def test_collateral_need_by_hand() -> None:
    # W = 1001: eligible 800.8 needs 800.8 * 4.2 = 3363.36 -> 3364 ngonka; 3363 gives 1001 - 0.24/4.2 -> 1000.
    c = G.collateral
    need = required_collateral(1001, c, upcoming_epoch=200)
    assert (need.full_activation, need.suggested, need.slash_base) == (3364, 6728, 3363)
    assert adjust_weight(1001, 3363, c, upcoming_epoch=200).effective_weight == 1000
    # Weight 500 of 1001 needs (500 - 200.2) * 4.2 = 1259.16 -> 1260.
    assert collateral_for_weight(1001, c, upcoming_epoch=200, target_weight=500) == 1260
    assert required_collateral(1001, c, upcoming_epoch=180).full_activation == 0
    assert slash_base(10_000, c) == 33_600


def test_collateral_slash_by_hand() -> None:
    # Launch: 20 % of 1000 active and of 501 unbonding -> 200 and trunc(100.2) = 100, burned.
    launch = slash_collateral(1000, [501], LegacyDec.from_str("0.2"), LAUNCH)
    assert (launch.active_after, launch.unbonding_after, launch.slashed, launch.destination) == (
        800,
        (401,),
        300,
        "burned",
    )
    # v0.2.11: required 500 of total 1501 -> f_eff = 500*0.2/1501 = 0.066622251832111925 -> 66 and 33.
    later = slash_collateral(1000, [501], LegacyDec.from_str("0.2"), V0211, required=500)
    assert str(later.fraction) == "0.066622251832111925"
    assert (later.slashed, later.destination) == (66 + 33, "governance")


# --- power cap ---


def test_power_cap_spec_values() -> None:
    # Spec section 9.3.
    quarter = D("0.25")
    assert apply_power_cap([100, 100, 100, 100, 1000], quarter, LAUNCH).weights == (100, 100, 100, 100, 133)
    assert apply_power_cap([100, 100, 100, 100, 1000], quarter, NEWEST).weights == (100, 100, 100, 100, 171)
    assert apply_power_cap([1000, 3000], quarter, LAUNCH).weights == (1000, 1000)
    assert apply_power_cap([*range(10, 100, 10), 1000], quarter, LAUNCH).cap == 150


def test_power_cap_by_hand() -> None:
    # [5, 5, 90] at 0.4 (N = 3): k=2: 90 > 0.4*(10+90) = 40 -> cap = IntPart(0.4*10 / (1-0.4)) = 6.
    assert cap_weights([90, 5, 5], D("0.25")).weights == (6, 5, 5)
    # Disabled by a zero or missing percentage; one host is never capped.
    assert (
        not apply_power_cap([1, 1000], None, LAUNCH).capped
        and not apply_power_cap([7], D("0.25"), NEWEST).capped
    )


def _div16(q: Fraction) -> Fraction:
    """shopspring Div by fractions: 16 digits, ties away from zero."""
    scaled = abs(q) * 10**16 + Fraction(1, 2)
    return Fraction(scaled.numerator // scaled.denominator, 10**16) * (1 if q >= 0 else -1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**9), max_size=30), st.sampled_from(["0.1", "0.25", "0.3", "0.5"]))
def test_power_cap_never_raises_a_weight(weights: list[int], limit: str) -> None:
    result = cap_weights(weights, D(limit))
    assert all(after <= before for before, after in zip(weights, result.weights, strict=True))
    if result.cap is None:
        return
    assert all(w == min(v, result.cap) for v, w in zip(weights, result.weights, strict=True))
    # Reference by fractions: the first sorted k with w_k > p (sum_prev + w_k (N - k)), then Div and IntPart.
    small = {2: Fraction(1, 2), 3: Fraction(2, 5)}
    p = max(Fraction(limit), small.get(len(weights), Fraction(0)))
    ordered = sorted(weights)
    n = len(ordered)
    k = next(i for i, w in enumerate(ordered) if w > p * (sum(ordered[:i]) + w * (n - i)))
    denominator = 1 - p * (n - k)
    expected = ordered[k] if denominator <= 0 else int(_div16(p * sum(ordered[:k]) / denominator))
    assert result.cap == expected


# --- guardians ---


def test_guardian_rule_by_hand() -> None:
    # Launch: O = 200, E = 200 * 0.52 = 104 >= G = 20 -> each of the 2 guardians gets IntPart(104/2) = 52.
    gp = guardian_params(G.genesis_only, LAUNCH)
    g1, g2 = G.genesis_only.genesis_guardian_addresses[:2]
    result = apply_guardians([g1, g2, "x", "y"], [10, 10, 100, 100], gp, height=1000)
    assert result.powers == (52, 52, 100, 100) and result.applied
    # v0.2.13: multiplier 0.33334 -> E = 66.668 -> 33 each; a network at 15M power and height 3M is mature.
    late = guardian_params(G.genesis_only, V0213)
    assert apply_guardians([g1, g2, "x", "y"], [10, 10, 100, 100], late, height=10).powers == (
        33,
        33,
        100,
        100,
    )
    mature = apply_guardians([g1, "x"], [1, 15_000_000], late, height=3_000_000)
    assert not mature.applied and mature.reason == "network mature"
    assert apply_guardians([g1, "x"], [1, 15_000_000], late, height=2_999_999).applied
    # Guardians already above the boost keep their power.
    assert not apply_guardians([g1, "x"], [100, 100], gp, height=1).applied


# --- jailing ---


def test_jailing_spec_values() -> None:
    # Spec section 9.7: clean window, offline from h: the 51st miss jails; 5000 power -> -50 tokens and a 0.01
    # collateral slash (1e9 -> -1e7); 99 power -> nothing.
    p = G.slashing
    assert max_missed(p) == 50
    clean = SigningState(start_height=0, index_offset=5000, missed_blocks_counter=0, missed=(False,) * 100)
    assert liveness(clean, p, next_height=10_000).misses_to_jail == 51
    slash = downtime_slash(5000, 5000, p, LAUNCH, collateral_active=10**9)
    assert (
        slash.power_burned == 50 and slash.collateral is not None and slash.collateral.slashed == 10_000_000
    )
    assert downtime_slash(99, 99, p, LAUNCH).power_burned == 0
    t = datetime(2026, 2, 1, tzinfo=timezone.utc)
    assert jailed_until(t, p) == t + timedelta(seconds=600)


def test_liveness_with_bitmap_by_hand() -> None:
    # 50 misses in slots 0..49, next slot 0 (offset 100): each new miss replaces an old one for 50 blocks, so
    # the counter stays 50 until slot 50, where miss 51 arrives: 51 misses in a row jail.
    p = G.slashing
    bitmap = tuple(i < 50 for i in range(100))
    state = SigningState(start_height=0, index_offset=100, missed_blocks_counter=50, missed=bitmap)
    exact = liveness(state, p, next_height=1000)
    assert (exact.misses_to_jail, exact.margin, exact.exact) == (51, 50, True)
    # Without the bitmap the lower bound assumes nothing rolls off: one more miss jails.
    assert liveness(replace(state, missed=None), p, next_height=1000).misses_to_jail == 1
    # Freshly bonded at 1000: no jail before block 1101 however many blocks are missed.
    fresh = SigningState(start_height=1000, index_offset=0, missed_blocks_counter=0)
    assert liveness(fresh, p, next_height=1001).misses_to_jail == 101


def _handle_signatures(state: SigningState, window: int, limit: int, height: int) -> int:
    """Block by block as x/slashing's HandleValidatorSignature treats an absent validator: blocks until the
    jail.
    """
    assert state.missed is not None
    bits = list(state.missed)
    counter, offset = state.missed_blocks_counter, state.index_offset
    blocks = 0
    while True:
        blocks += 1
        index = offset % window
        offset += 1
        if not bits[index]:
            bits[index] = True
            counter += 1
        if height > state.start_height + window and counter > limit:
            return blocks
        height += 1


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.booleans(), min_size=100, max_size=100),
    st.integers(0, 10**6),
    st.integers(0, 300),
    st.integers(0, 300),
)
def test_liveness_matches_block_by_block_signing(
    bitmap: list[bool], offset: int, start: int, ahead: int
) -> None:
    p = G.slashing
    state = SigningState(
        start_height=start, index_offset=offset, missed_blocks_counter=sum(bitmap), missed=tuple(bitmap)
    )
    next_height = start + ahead
    exact = liveness(state, p, next_height=next_height)
    assert exact.misses_to_jail == _handle_signatures(state, 100, 50, next_height)
    assert (
        liveness(replace(state, missed=None), p, next_height=next_height).misses_to_jail
        <= exact.misses_to_jail
    )


def test_unjail_options() -> None:
    until = datetime(2026, 2, 1, 12, 0, tzinfo=timezone.utc)
    state = SigningState(0, 0, 0, jailed_until=until)
    early = unjail_options(jailed=True, state=state, now=until - timedelta(seconds=1), next_epoch_switch=500)
    assert not early.manual_now and early.manual_from == until and early.automatic_at_height == 500
    assert unjail_options(jailed=True, state=state, now=until, next_epoch_switch=None).manual_now
    assert (
        unjail_options(
            jailed=True, state=replace(state, tombstoned=True), now=until, next_epoch_switch=1
        ).manual_from
        is None
    )


# --- tally ---


def test_tally_spec_values() -> None:
    # Spec section 9.8 (quorum 0.334).
    p = mainnet_tally_params(LAUNCH)
    assert tally(Votes(300, 100, 0, 50), 1000, p).passes
    veto = tally(Votes(300, 0, 160, 50), 1000, p)
    assert veto.passes and str(veto.veto_share) == "0.313725490196078431"
    assert tally(Votes(334, 0, 0, 0), 1000, p).passes  # turnout exactly 0.334 meets the quorum
    half = tally(Votes(200, 200, 0, 0), 1000, p)
    assert not half.passes and half.reason == "threshold not met"  # exactly 50 % fails
    assert tally(Votes(333, 0, 0, 0), 1000, p).reason == "quorum not reached"
    assert mainnet_tally_params(V0213).quorum == LegacyDec.from_str("0.25")


def test_tally_by_hand() -> None:
    # Veto 350 of 1000 voted = 0.35 > 0.334 -> vetoed, deposit burned; all-abstain -> rejected.
    p = mainnet_tally_params(LAUNCH)
    vetoed = tally(Votes(650, 0, 350, 0), 1000, p)
    assert (vetoed.passes, vetoed.reason, vetoed.burns_deposit) == (False, "vetoed", True)
    assert tally(Votes(0, 0, 0, 400), 1000, p).reason == "all abstain"
    # Expedited needs > 0.667: 667 of 1000 fails and becomes a regular proposal.
    exp = tally(Votes(667, 333, 0, 0), 1000, p, expedited=True)
    assert not exp.passes and exp.becomes_regular
    # 300 yes of 1000 bonded misses the quorum by 34: 34 more yes pass it.
    flip = smallest_flip(Votes(300, 0, 0, 0), 1000, p, "yes", available=700)
    assert flip.power == 34


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 80))
def test_smallest_flip_matches_a_linear_scan(yes: int, no: int, veto: int, abstain: int, extra: int) -> None:
    votes = Votes(yes, no, veto, abstain)
    bonded = votes.total + extra
    p = mainnet_tally_params(LAUNCH)
    now = tally(votes, bonded, p).passes
    for option in OPTIONS:
        scan = next(
            (v for v in range(1, extra + 1) if tally(votes.plus(option, v), bonded, p).passes != now), None
        )
        assert smallest_flip(votes, bonded, p, option, available=extra).power == scan


# --- participant status ---


def test_launch_status_spec_values() -> None:
    # Spec section 9.9: z(90, 10) = (0.1 - 0.05) / sqrt(0.0475/100) = 2.294 -> INVALID; z(94, 6) = 0.459.
    v = G.validation
    assert z_score(0.05, 90, 10) == pytest.approx(2.294157338705618)
    assert (
        launch_status(v, consecutive_invalid=0, inference_count=100, validated=90, invalidated=10).status
        == "INVALID"
    )
    assert (
        launch_status(v, consecutive_invalid=0, inference_count=100, validated=94, invalidated=6).status
        == "ACTIVE"
    )
    assert (
        launch_status(v, consecutive_invalid=4, inference_count=100, validated=94, invalidated=6).status
        == "ACTIVE"
    )
    assert (
        launch_status(v, consecutive_invalid=5, inference_count=100, validated=94, invalidated=6).status
        == "INVALID"
    )
    # Ramping: min(ceil(2.618/0.05) = 53, 10) = 10 inferences.
    assert (
        launch_status(v, consecutive_invalid=0, inference_count=9, validated=0, invalidated=5).status
        == "RAMPING"
    )


def test_sprt_status_by_hand() -> None:
    # p0 0.05, p1 0.1: ln(2) = 0.693147180560 per failure; six failures = 4.15888308336 >= H 4 -> INVALID.
    # ln(0.9/0.95) = ln(0.9473684210526316) = -0.054067221270 per pass.
    v = replace(
        G.validation,
        bad_participant_invalidation_rate=D("0.1"),
        invalidation_h_threshold=D("4"),
        downtime_good_percentage=D("0.98"),
        downtime_bad_percentage=D("0.99"),
        downtime_h_threshold=D("100"),
        quick_failure_threshold=D("0.000001"),
    )
    common = {"consecutive_invalid": 0, "new_missed": 0, "new_inferences": 0}
    five = sprt_status(v, new_invalidations=5, new_validations=0, **common)
    assert five.status == "ACTIVE" and five.invalid_llr == D("3.465735902800")
    six = sprt_status(v, new_invalidations=6, new_validations=0, **common)
    assert six.status == "INVALID" and six.invalid_llr == D("4.158883083360")
    passes = sprt_status(v, new_invalidations=0, new_validations=2, **common)
    assert passes.invalid_llr == D("-0.108134442540")
    assert (
        sprt_status(v, new_invalidations=0, new_validations=0, **{**common, "consecutive_invalid": 5}).status
        == "INVALID"
    )
    alpha = sprt_status(
        v,
        new_invalidations=0,
        new_validations=0,
        confirmation_ratio=D("0.4"),
        alpha_threshold=D("0.5"),
        **common,
    )
    assert alpha.status == "INACTIVE" and alpha.reason == "failed confirmation PoC"
    with pytest.raises(InvalidInput, match="needed"):
        sprt_status(
            ValidationParams(false_positive_rate=D("0.05")), new_invalidations=1, new_validations=0, **common
        )


# --- validation sampling and reputation ---


def test_min_validation_average_by_hand() -> None:
    v = G.validation
    # >= 10000 -> 0.01; 7500 -> 0.04 * Div(2500, 5000) + 0.01 = 0.03; 2550 -> 0.05 + 0.95 * Div(2450, 4900) =
    # 0.525; <= 100 -> 1.
    assert [min_validation_average(t, v) for t in (10_000, 7_500, 5_000, 2_550, 100)] == [
        D("0.01"),
        D("0.03"),
        D("0.05"),
        D("0.525"),
        D("1"),
    ]


def test_should_validate_by_hand() -> None:
    # reputation 100 -> target = min_avg = 0.01 at >= 10000 traffic; 0.01 * 10 / (100 - 20) = 0.00125.
    v = G.validation
    draw_int = int.from_bytes(hashlib.sha256(b"42:inf-1").digest()[:8], "big")
    decision = should_validate(
        42,
        "inf-1",
        executor_reputation=100,
        traffic_basis=20_000,
        total_power=100,
        validator_power=10,
        executor_power=20,
        params=v,
    )
    assert decision.probability == D("0.00125") and decision.target_rate == D("0.01")
    assert decision.draw == deterministic_fraction(42, "inf-1")
    assert decision.validate == (Fraction(draw_int, 2**64 - 1) < Fraction(1, 800))
    # reputation 0 -> target = max = 1 -> p = min(1, 10/80) = 0.125; executor holding all power -> never.
    assert should_validate(
        42,
        "x",
        executor_reputation=0,
        traffic_basis=0,
        total_power=100,
        validator_power=10,
        executor_power=20,
        params=v,
    ).probability == D("0.125")
    assert not should_validate(
        1,
        "x",
        executor_reputation=0,
        traffic_basis=0,
        total_power=5,
        validator_power=5,
        executor_power=5,
        params=v,
    ).validate


def test_reputation_by_hand() -> None:
    v = G.validation
    # 30 clean epochs -> actual 30, not > 30 -> Truncate(30/30, 2) * 100 = 100; 10 clean -> 0.33 -> 33.
    assert reputation([D("0")] * 30, v) == 100 and reputation([D("0")] * 31, v) == 100
    assert reputation([D("0")] * 10, v) == 33
    # One epoch missing half its requests: cost = 0.5 * Div(1, 30) * 1 * 30 = 0.4999999999999995 (16-digit
    # Div)
    # -> actual 9.5000000000000005 -> Div(, 30) = 0.3166666666666667 -> 0.31 -> 31.
    assert reputation([miss_rate(50, 100)] + [D("0")] * 9, v) == 31
    assert miss_rate(3, 0) == D("0") and reputation([D("1")] * 2, v) == 0
