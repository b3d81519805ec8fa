"""How an epoch's reward R is split among hosts at settlement, and the supply cap
(``keeper/bitcoin_rewards.go`` ``CalculateParticipantBitcoinRewards`` and ``GetBitcoinSettleAmounts``).

**Launch rule, v0.2.0 - v0.2.4.** ``W`` = sum of the epoch weights of participants whose status is not
INVALID; ``reward = (w * R) // W``. From v0.2.2 a host failing the downtime test gets weight 0 *after* W is
summed (W is not renormalised). The rounding remainder and any zeroed share go to the first participant (store
order: addresses ascending) with a non-zero reward and no debt. Launch settled only the first 100 participants
(a pagination bug fixed in v0.2.2); pass the participants the chain settled.

**Newest rule, v0.2.9+.** Every participant with a positive epoch weight counts in the denominator ``D``
(never renormalised). A non-ACTIVE participant gets nothing; an ACTIVE one's rewardable weight is its weight
after Confirmation PoC (``confirmed_weight``, at most its weight), the list of those weights is capped at 30 %
(:func:`~gonka.economics.power_cap.cap_weights`), a host failing the downtime test drops to 0, and ``reward =
(w * R) // D``. A debt (negative coin balance) is taken from the reward. Everything not paid out goes to the
governance module account.

Releases v0.2.5 - v0.2.8 used intermediate rules that are not modelled; :func:`settle` refuses them.

**Supply cap.** With ``paid = tokenomics_data.total_subsidies`` and ``cap = standard_reward_amount``: if
``paid >= cap`` nothing is minted and every reward is 0; if ``paid + R > cap`` only ``R' = cap - paid`` is
minted and each reward is scaled: through float64 (``uint64(float64(reward) * (R'/R))``) before v0.2.8,
exactly (``IntPart(Div(reward * R', R))``) from v0.2.8. The scaling remainder goes to the first host before
v0.2.7 and to governance from v0.2.7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gonka.economics.power_cap import LATER_CAP, cap_weights
from gonka.economics.release import V0_2_2, V0_2_5, V0_2_7, V0_2_8, V0_2_9, Release
from gonka.economics.shop_decimal import ShopDecimal
from gonka.errors import InvalidInput

ACTIVE = "ACTIVE"
INVALID = "INVALID"
NEGATIVE_BALANCE = "negative coin balance"
_UINT64 = 2**64


@dataclass(frozen=True)
class SettleParticipant:
    """A participant as settlement sees it.

    ``weight``: its ``validation_weights[].weight`` in the settled epoch (0 if absent). ``status``: its status
    at settlement. ``coin_balance``: work coins owed to it (negative: a debt). ``confirmed_weight``: v0.2.9+,
    the weight confirmed by Confirmation PoC (``None``: all of it); see :func:`confirmation_scaled_weight`.
    ``passes_downtime_test``: v0.2.2+, the outcome of the binomial missed-inference test.
    """

    address: str
    weight: int
    status: str = ACTIVE
    coin_balance: int = 0
    confirmed_weight: int | None = None
    passes_downtime_test: bool = True


@dataclass(frozen=True)
class SettleShare:
    address: str
    reward: int
    work: int
    error: str | None = None


@dataclass(frozen=True)
class Settlement:
    release: Release
    epoch_reward: int
    """R before the supply cap."""
    minted: int
    """What settlement mints (R, or less at the supply cap)."""
    denominator: int
    shares: tuple[SettleShare, ...]
    to_governance: int
    """Coins sent to the governance module account (v0.2.7+)."""
    undistributed: int
    """Minted coins that no host received and that stay in the module (launch rule only)."""

    @property
    def total_rewards(self) -> int:
        return sum(s.reward for s in self.shares)

    def share(self, address: str) -> SettleShare:
        for s in self.shares:
            if s.address == address:
                return s
        raise InvalidInput(f"{address} was not settled")


def confirmation_scaled_weight(weight: int, confirmation_weight: int, raw_confirmation_total: int) -> int:
    """v0.2.12+: the rewardable weight after Confirmation PoC, ``confirmation_weight * weight //
    raw_confirmation_total`` (0 when the raw total is 0), at most ``weight``.
    """
    if raw_confirmation_total <= 0:
        return 0
    scaled = max(0, confirmation_weight) * weight // raw_confirmation_total
    return min(scaled, weight)


def _check(participants: Sequence[SettleParticipant], epoch_reward: int) -> None:
    if epoch_reward < 0:
        raise InvalidInput(f"epoch reward must not be negative, got {epoch_reward}")
    seen: set[str] = set()
    for p in participants:
        if p.address in seen:
            raise InvalidInput(f"participant {p.address} is listed twice")
        seen.add(p.address)


def _launch(participants: Sequence[SettleParticipant], reward: int, release: Release) -> Settlement:
    ordered = sorted(participants, key=lambda p: p.address)
    weights = {p.address: max(0, p.weight) if p.status != INVALID else 0 for p in ordered}
    total = sum(weights.values())
    if release >= V0_2_2:
        for p in ordered:
            if not p.passes_downtime_test:
                weights[p.address] = 0
    shares: list[SettleShare] = []
    distributed = 0
    for p in ordered:
        error = NEGATIVE_BALANCE if p.coin_balance < 0 else None
        work = p.coin_balance if p.coin_balance > 0 and p.status != INVALID else 0
        amount = 0
        if p.status != INVALID and total > 0 and weights[p.address] > 0:
            amount = min(weights[p.address] * reward // total, _UINT64 - 1)
            distributed += amount
        shares.append(SettleShare(p.address, amount, work, error))
    remainder = reward - distributed
    undistributed = remainder
    if remainder > 0:
        for i, s in enumerate(shares):
            if s.error is None and s.reward > 0:
                shares[i] = replace(s, reward=s.reward + remainder)
                undistributed = 0
                break
    return Settlement(release, reward, reward, total, tuple(shares), 0, undistributed)


def _newest(participants: Sequence[SettleParticipant], reward: int, release: Release) -> Settlement:
    full = {p.address: max(0, p.weight) for p in participants}
    denominator = sum(full.values())
    capped_list = [p for p in participants if p.weight > 0 and p.status == ACTIVE]
    rewardable = []
    for p in capped_list:
        confirmed = p.weight if p.confirmed_weight is None else max(0, p.confirmed_weight)
        rewardable.append(min(confirmed, p.weight))
    capped = cap_weights(rewardable, LATER_CAP).weights
    weights = {p.address: 0 for p in participants}
    weights.update({p.address: max(0, w) for p, w in zip(capped_list, capped, strict=True)})
    for p in participants:
        if not p.passes_downtime_test:
            weights[p.address] = 0
    shares: list[SettleShare] = []
    distributed = 0
    for p in participants:
        work = p.coin_balance if p.coin_balance > 0 and p.status == ACTIVE else 0
        amount = 0
        if p.status == ACTIVE and denominator > 0 and weights[p.address] > 0:
            amount = min(weights[p.address] * reward // denominator, _UINT64 - 1)
            distributed += amount
        error = None
        if p.coin_balance < 0:
            debt = -p.coin_balance
            if amount >= debt:
                amount -= debt
                distributed -= debt
            else:
                distributed -= amount
                amount = 0
                error = NEGATIVE_BALANCE
        shares.append(SettleShare(p.address, amount, work, error))
    to_governance = max(0, reward - distributed)
    return Settlement(release, reward, reward, denominator, tuple(shares), to_governance, 0)


def _apply_supply_cap(result: Settlement, paid: int, cap: int) -> Settlement:
    reward = result.epoch_reward
    if paid >= cap:
        zeroed = tuple(replace(s, reward=0) for s in result.shares)
        return replace(result, minted=0, shares=zeroed, to_governance=0, undistributed=0)
    if paid + reward <= cap:
        return result
    minted = cap - paid
    scaled_shares = list(result.shares)
    distributed = 0
    for i, s in enumerate(scaled_shares):
        if s.error is not None:
            continue
        if result.release >= V0_2_8:
            scaled = (ShopDecimal(s.reward) * ShopDecimal(minted)).div(ShopDecimal(reward)).int_part()
        else:
            scaled = int(float(s.reward) * (float(minted) / float(reward)))
        scaled_shares[i] = replace(s, reward=scaled)
        distributed += scaled
    remainder = max(0, minted - distributed)
    if result.release >= V0_2_7:
        return replace(
            result, minted=minted, shares=tuple(scaled_shares), to_governance=result.to_governance + remainder
        )
    undistributed = remainder
    if remainder > 0:
        for i, s in enumerate(scaled_shares):
            if s.error is None and s.reward > 0:
                scaled_shares[i] = replace(s, reward=s.reward + remainder)
                undistributed = 0
                break
    return replace(result, minted=minted, shares=tuple(scaled_shares), undistributed=undistributed)


def settle(
    participants: Sequence[SettleParticipant],
    epoch_reward: int,
    release: Release,
    *,
    total_subsidies: int,
    standard_reward_amount: int,
) -> Settlement:
    """Rewards of an epoch with reward ``epoch_reward`` (R(e)) as the chain at ``release`` settles them.

    ``total_subsidies``: minted so far (``tokenomics_data.total_subsidies``); ``standard_reward_amount``: the
    supply cap (``genesis_only_params``).

    Follows the launch rule (v0.2.0 - v0.2.4) and the newest (v0.2.9+); the supply-cap scaling of v0.2.0 -
    v0.2.7 (float64) and v0.2.8+ (exact).
    """
    _check(participants, epoch_reward)
    if total_subsidies < 0 or standard_reward_amount < 0:
        raise InvalidInput("minted supply and supply cap must not be negative")
    if release < V0_2_5:
        result = _launch(participants, epoch_reward, release)
    elif release >= V0_2_9:
        result = _newest(participants, epoch_reward, release)
    else:
        raise InvalidInput(f"the reward split of {release} (v0.2.5 - v0.2.8) is not modelled")
    return _apply_supply_cap(result, total_subsidies, standard_reward_amount)
