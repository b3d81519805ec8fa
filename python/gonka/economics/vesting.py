"""Vesting of claimed coins (``x/streamvesting/keeper/keeper.go``, unchanged v0.2.0 - v0.2.16) and the claim
window of a settled epoch.

Vesting: adding A over N epochs puts ``A // N`` in each of the first N slots of the host's schedule (extending
it to N slots) and ``A % N`` more in slot 0. At every end-of-validation block slot 0 is paid out and dropped,
so a claim made during epoch k starts paying at the next end-of-validation block. N = 0 pays at once (the
claim skips vesting); mainnet uses 180 epochs for both work and reward coins.

Claim window (``msg_server_claim_rewards.go``): rewards of epoch E are settled at the end-of-validation block
of epoch E+1's PoC. From v0.2.2 a claim is accepted only while the effective epoch is E+1: from the block
after E+1's set-new-validators block through E+2's set-new-validators block, or only through E+2's
end-of-validation block if that settlement gives the host a new non-zero amount, which replaces the unclaimed
one. Before v0.2.2 the window opened after settlement and lasted until the settlement after next removed the
amount. An unclaimed amount is burned (launch) or sent to governance (v0.2.7+).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gonka.economics.release import V0_2_2, V0_2_7, Release
from gonka.economics.schedule import EpochSchedule
from gonka.errors import InvalidInput


def add_vesting(schedule: Sequence[int], amount: int, epochs: int) -> tuple[int, ...]:
    """The schedule (ngonka per future epoch, slot 0 next) after vesting ``amount`` over ``epochs``.

    Follows v0.2.0 - v0.2.16 (unchanged).
    """
    if amount < 0 or epochs < 0 or any(s < 0 for s in schedule):
        raise InvalidInput("vesting amounts and periods must not be negative")
    if epochs == 0:
        raise InvalidInput("vesting over 0 epochs is not vesting: the claim pays at once")
    slots = list(schedule) + [0] * max(0, epochs - len(schedule))
    if amount == 0:
        return tuple(slots)
    per_epoch, remainder = divmod(amount, epochs)
    for i in range(epochs):
        slots[i] += per_epoch
    slots[0] += remainder
    return tuple(slots)


def vesting_schedule(amount: int, epochs: int) -> tuple[int, ...]:
    """A fresh schedule for ``amount`` over ``epochs`` (``epochs == 0``: paid at once).

    Follows v0.2.0 - v0.2.16 (unchanged).
    """
    if epochs == 0:
        if amount < 0:
            raise InvalidInput("vesting amounts must not be negative")
        return (amount,)
    return add_vesting((), amount, epochs)


def advance(schedule: Sequence[int]) -> tuple[int, tuple[int, ...]]:
    """One end-of-validation block: ``(paid now, schedule left)``.

    Follows v0.2.0 - v0.2.16 (unchanged).
    """
    if not schedule:
        return 0, ()
    return schedule[0], tuple(schedule[1:])


@dataclass(frozen=True)
class ClaimWindow:
    epoch: int
    opens_at: int
    """First block a claim can be included in."""
    closes_before: int
    """The claim must be included before this block."""
    replaced_before: int
    """If the next settlement gives the host a new non-zero amount, the claim must be included before this
    block (the settlement runs at the end of the block before it)."""
    unclaimed_goes_to: str

    def accepts(self, height: int, *, replaced: bool = False) -> bool:
        """Whether a claim included at ``height`` is accepted (``replaced``: the host gets a new amount at the
        next settlement).
        """
        end = min(self.closes_before, self.replaced_before) if replaced else self.closes_before
        return self.opens_at <= height < end


def claim_window(settling: EpochSchedule, release: Release) -> ClaimWindow:
    """The window to claim the rewards of epoch E, given the schedule of epoch E+1 (``settling``: its
    end-of-validation block settles E). Phase changes happen in EndBlock, so a transaction sees them from the
    next block on. Heights after E+1 assume the epoch params stay as they are.

    Follows launch (v0.2.0 - v0.2.1) and the effective-epoch rule of v0.2.2+.
    """
    if settling.epoch_index < 2:
        raise InvalidInput("epoch 0 is never settled: pass the schedule of the epoch after the claimed one")
    following = settling.next()
    if release >= V0_2_2:
        opens, closes = settling.set_new_validators + 1, following.set_new_validators + 1
    else:
        # No effective-epoch rule: open from settlement until the settlement after next removes it.
        opens, closes = settling.end_of_validation + 1, following.next().end_of_validation + 1
    return ClaimWindow(
        epoch=settling.epoch_index - 1,
        opens_at=opens,
        closes_before=closes,
        replaced_before=following.end_of_validation + 1,
        unclaimed_goes_to="governance" if release >= V0_2_7 else "burned",
    )
