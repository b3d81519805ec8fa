"""The governance tally (Cosmos SDK v0.53 ``x/gov/keeper/tally.go``, unmodified by the chain; LegacyDec).

Voting power is the validators' bonded tokens, i.e. their compute weight (top ``max_validators`` bonded ones,
taken at the end of the voting period). With ``total`` = yes + no + veto + abstain and ``bonded`` = total
bonded tokens, in order:

1. ``bonded == 0``: rejected;
2. ``total Quo bonded < quorum``: rejected (quorum 0.334 at launch, 0.25 from v0.2.13);
3. ``total - abstain == 0``: rejected;
4. ``veto Quo total > veto_threshold``: rejected and the deposit burned (``burn_vote_veto``);
5. ``yes Quo (total - abstain) > threshold`` (expedited: ``expedited_threshold``): passes; otherwise rejected.

A failing expedited proposal is not rejected but becomes a regular one with a fresh voting period.
:func:`smallest_flip` finds, for each option, the least additional voting power that changes the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from gonka.economics.legacy_dec import ZERO, LegacyDec
from gonka.economics.params import MAINNET_GENESIS_TALLY, TallyParams
from gonka.economics.release import V0_2_13, Release
from gonka.errors import InvalidInput

OPTIONS = ("yes", "no", "no_with_veto", "abstain")
V0_2_13_QUORUM = LegacyDec.from_str("0.25")


def mainnet_tally_params(release: Release) -> TallyParams:
    """The mainnet tally parameters as releases set them: genesis values, quorum 0.25 from v0.2.13 (governance
    may have changed any of them since; read them live when you can).
    """
    if release >= V0_2_13:
        return replace(MAINNET_GENESIS_TALLY, quorum=V0_2_13_QUORUM)
    return MAINNET_GENESIS_TALLY


@dataclass(frozen=True)
class Votes:
    """Voting power per option (integers: tokens, one per unit of weight)."""

    yes: int = 0
    no: int = 0
    no_with_veto: int = 0
    abstain: int = 0

    def __post_init__(self) -> None:
        for option in OPTIONS:
            if getattr(self, option) < 0:
                raise InvalidInput(f"{option} votes must not be negative")

    @property
    def total(self) -> int:
        return self.yes + self.no + self.no_with_veto + self.abstain

    def plus(self, option: str, power: int) -> Votes:
        if option not in OPTIONS:
            raise InvalidInput(f"unknown vote option {option!r}; expected one of {', '.join(OPTIONS)}")
        values = {o: getattr(self, o) for o in OPTIONS}
        values[option] += power
        return Votes(**values)


@dataclass(frozen=True)
class TallyOutcome:
    passes: bool
    reason: str
    """``passes``, ``no bonded power``, ``quorum not reached``, ``all abstain``, ``vetoed`` or ``threshold not
    met``."""
    burns_deposit: bool
    turnout: LegacyDec
    """``total Quo bonded`` (0 without bonded power)."""
    veto_share: LegacyDec
    yes_share: LegacyDec
    """``yes Quo (total - abstain)``."""
    becomes_regular: bool = False
    """An expedited proposal that fails is converted into a regular one rather than rejected."""


def tally(votes: Votes, bonded: int, params: TallyParams, *, expedited: bool = False) -> TallyOutcome:
    """The outcome if voting ended now with ``votes`` and ``bonded`` total bonded tokens.

    Follows v0.2.0 - v0.2.16 (Cosmos SDK x/gov; the quorum parameter became 0.25 in v0.2.13).
    """
    if bonded < 0:
        raise InvalidInput("bonded tokens must not be negative")
    total = LegacyDec.from_int(votes.total)
    abstain = LegacyDec.from_int(votes.abstain)
    voted = total - abstain
    turnout = total.quo(LegacyDec.from_int(bonded)) if bonded else ZERO
    veto_share = LegacyDec.from_int(votes.no_with_veto).quo(total) if votes.total else ZERO
    yes_share = LegacyDec.from_int(votes.yes).quo(voted) if not voted.is_zero() else ZERO

    def outcome(passes: bool, reason: str, burns: bool = False) -> TallyOutcome:
        return TallyOutcome(
            passes, reason, burns, turnout, veto_share, yes_share, becomes_regular=expedited and not passes
        )

    if bonded == 0:
        return outcome(False, "no bonded power")
    if turnout < params.quorum:
        return outcome(False, "quorum not reached", params.burn_vote_quorum)
    if voted.is_zero():
        return outcome(False, "all abstain")
    if veto_share > params.veto_threshold:
        return outcome(False, "vetoed", params.burn_vote_veto)
    threshold = params.expedited_threshold if expedited else params.threshold
    if yes_share > threshold:
        return outcome(True, "passes")
    return outcome(False, "threshold not met")


@dataclass(frozen=True)
class Flip:
    option: str
    power: int | None
    """Least additional voting power cast for ``option`` that changes the outcome; ``None`` if no amount up to
    the power that has not voted does."""
    outcome: TallyOutcome | None


def _first_true(predicate: Callable[[int], bool], low: int, high: int) -> int | None:
    """Smallest v in [low, high] with predicate(v) for a predicate monotone in v, else None."""
    if low > high or not predicate(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if predicate(middle):
            high = middle
        else:
            low = middle + 1
    return low


def smallest_flip(
    votes: Votes, bonded: int, params: TallyParams, option: str, *, expedited: bool = False, available: int
) -> Flip:
    """The least extra power for ``option`` (at most ``available``, the bonded power that has not voted) that
    changes whether the proposal passes.

    Each test in the tally is monotone in the added power, so the outcome can change only where one of them
    does; those points are found by bisection and checked in order.

    Follows v0.2.0 - v0.2.16.
    """
    if option not in OPTIONS:
        raise InvalidInput(f"unknown vote option {option!r}; expected one of {', '.join(OPTIONS)}")
    now = tally(votes, bonded, params, expedited=expedited).passes
    if available <= 0:
        return Flip(option, None, None)

    def at(v: int) -> TallyOutcome:
        return tally(votes.plus(option, v), bonded, params, expedited=expedited)

    threshold = params.expedited_threshold if expedited else params.threshold
    tests: list[Callable[[int], bool]] = [
        lambda v: at(v).turnout >= params.quorum,
        lambda v: at(v).veto_share > params.veto_threshold,
        lambda v: at(v).yes_share > threshold,
        lambda v: votes.plus(option, v).total - votes.plus(option, v).abstain > 0,
    ]
    candidates = {1}
    for test in tests:
        start = test(1)

        def flipped(v: int, test: Callable[[int], bool] = test, start: bool = start) -> bool:
            return test(v) != start

        point = _first_true(flipped, 1, available)
        if point is not None:
            candidates.add(point)
    for power in sorted(candidates):
        result = at(power)
        if result.passes != now:
            return Flip(option, power, result)
    return Flip(option, None, None)
