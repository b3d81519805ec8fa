"""Live answers to a host's economic questions: flows that read the chain and apply :mod:`gonka.economics`.

Like :mod:`gonka.client.flows`, each flow is a generator of calls, run by the sync or the async client.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gonka.client import queries
from gonka.client.errors import (
    BadResponse,
    ChainError,
    HeightNotAvailable,
    NotFound,
    RequestRejected,
    UnknownChainVersion,
)
from gonka.client.models import ChainRelease, EpochInfo, NodeStatus, Proposal, TallyResult, Validator
from gonka.client.transport import Flow
from gonka.economics import params as econ
from gonka.economics.jailing import Liveness, SigningState, UnjailOptions, liveness, unjail_options
from gonka.economics.legacy_dec import ZERO, LegacyDec
from gonka.economics.release import KNOWN_RELEASES, NEWEST_KNOWN, Release
from gonka.economics.schedule import BlockClock, EpochSchedule
from gonka.economics.tally import OPTIONS, Flip, TallyOutcome, Votes, smallest_flip, tally
from gonka.errors import InvalidInput

MAX_PAGES = 1000
MAX_GENESIS_CHUNKS = 4096
MISSED_BLOCK_CHUNK = 1024  # bits per stored chunk of the slashing module's missed-block bitmap
DEFAULT_CLOCK_SAMPLE = 1000  # blocks back from the latest for block-time estimates

_ANSWER_ERRORS = (NotFound, ChainError, BadResponse, RequestRejected)


# --- chain version ---


def chain_release_flow() -> Flow[ChainRelease]:
    """The release whose rules apply: the newest applied upgrade plan (``v0.2.N``) or the node's version,
    whichever is newer. :class:`UnknownChainVersion` when neither says.
    """
    node_version: str | None = None
    try:
        node_version = (yield queries.node_version()) or None
    except _ANSWER_ERRORS:
        node_version = None
    from_node: Release | None = None
    if node_version:
        try:
            from_node = Release.parse(node_version)
        except InvalidInput:
            from_node = None
    applied: tuple[Release, int] | None = None
    plans_answered = False
    for release in reversed(KNOWN_RELEASES[1:]):
        try:
            height = yield queries.applied_plan(str(release))
        except _ANSWER_ERRORS:
            break
        plans_answered = True
        if height > 0:
            applied = (release, height)
            break
    candidates = [r for r in (applied[0] if applied else None, from_node) if r is not None]
    if not candidates:
        said = f"node version {node_version!r}" if node_version else "no node version"
        plans = "no known upgrade plan applied" if plans_answered else "upgrade plans not served"
        raise UnknownChainVersion(
            f"cannot tell the chain's release ({said}; {plans}); give it explicitly, e.g. --release v0.2.15"
        )
    release = max(candidates)
    source = "upgrade plan" if applied and release == applied[0] else "node version"
    return ChainRelease(
        release=str(release),
        source=source,
        applied_plan=str(applied[0]) if applied else None,
        applied_height=applied[1] if applied else None,
        node_version=node_version,
        newer_than_known=release > NEWEST_KNOWN,
    )


# --- genesis-only params ---


def genesis_only_params_flow() -> Flow[econ.GenesisOnlyParams]:
    """``genesis_only_params`` from the genesis file (chunked when the node asks for it)."""
    try:
        document = yield queries.genesis()
    except BadResponse as e:
        if "genesis_chunked" not in str(e):
            raise
        data, total = yield queries.genesis_chunk(0)
        if not 0 < total <= MAX_GENESIS_CHUNKS:
            raise BadResponse(f"implausible genesis chunk count {total}") from None
        parts = [data]
        for index in range(1, total):
            part, _ = yield queries.genesis_chunk(index)
            parts.append(part)
        try:
            document = json.loads(b"".join(parts))
        except ValueError:
            raise BadResponse("the genesis chunks do not form JSON") from None
    try:
        section = document["app_state"]["inference"]["genesis_only_params"]
    except (KeyError, TypeError):
        raise BadResponse("the genesis file has no inference genesis_only_params") from None
    return econ.GenesisOnlyParams.from_json(section)


# --- validators ---


def validators_flow(status: str = "BOND_STATUS_BONDED") -> Flow[list[Validator]]:
    """All validators with ``status``, page by page."""
    found: list[Validator] = []
    key: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page, next_key = yield queries.validators_page(status, key)
        found.extend(page)
        if not next_key:
            return found
        if next_key in seen:
            raise BadResponse("the node repeats a pagination key")
        seen.add(next_key)
        key = next_key
    raise BadResponse(f"more than {MAX_PAGES} pages of validators")


def power_order(validators: Sequence[Validator]) -> list[Validator]:
    """Validators in the staking power index's order: power descending, then operator address bytes
    ascending.
    """
    from gonka.address import decode

    return sorted(validators, key=lambda v: (-v.tokens, decode(v.operator_address)[1]))


# --- missed-block bitmap ---


def missed_block_key(consensus_address: str, chunk: int) -> bytes:
    """Store key of a chunk of the slashing module's missed-block bitmap (prefix 0x02)."""
    from gonka.address import VALCONS_HRP, decode

    _, raw = decode(consensus_address, VALCONS_HRP)
    return b"\x02" + bytes([len(raw)]) + raw + chunk.to_bytes(8, "little")


def decode_bitmap_chunk(value: bytes) -> list[bool]:
    """A serialized bitset (uint64 length, then uint64 words, big-endian; bit i is bit i%64 of word i/64)."""
    if len(value) < 8 or (len(value) - 8) % 8:
        raise BadResponse(f"malformed missed-block bitmap chunk of {len(value)} bytes")
    length = int.from_bytes(value[:8], "big")
    words = [int.from_bytes(value[i : i + 8], "big") for i in range(8, len(value), 8)]
    if length > 64 * len(words):
        raise BadResponse(f"missed-block bitmap chunk claims {length} bits but holds {64 * len(words)}")
    return [bool((words[i // 64] >> (i % 64)) & 1) for i in range(length)]


def missed_blocks_flow(consensus_address: str, window: int) -> Flow[tuple[bool, ...] | None]:
    """The missed-block bitmap of a validator (slot i of the window), or ``None`` when the node does not serve
    raw store queries.
    """
    if not 0 < window <= econ.MAX_SIGNED_BLOCKS_WINDOW:
        raise InvalidInput(f"implausible signed-blocks window {window}")
    slots: list[bool] = []
    for chunk in range((window + MISSED_BLOCK_CHUNK - 1) // MISSED_BLOCK_CHUNK):
        try:
            value = yield queries.store_value("slashing", missed_block_key(consensus_address, chunk))
        except _ANSWER_ERRORS:
            return None
        bits = decode_bitmap_chunk(value) if value else []
        wanted = min(MISSED_BLOCK_CHUNK, window - chunk * MISSED_BLOCK_CHUNK)
        slots.extend((bits + [False] * wanted)[:wanted])
    return tuple(slots)


# --- block clock ---


def block_clock_flow(status: NodeStatus, sample: int = DEFAULT_CLOCK_SAMPLE) -> Flow[BlockClock | None]:
    """Block-time estimate over the last ``sample`` blocks, or fewer when the node has pruned them
    (``None`` if it keeps fewer than two).
    """
    latest = status.latest_block_height
    if status.latest_block_time is None or latest < 2:
        return None
    height = max(1, latest - sample)
    for _ in range(2):
        try:
            earlier = yield queries.block_time(height)
        except HeightNotAvailable as e:
            if e.lowest_height is None or not height < e.lowest_height < latest:
                return None
            height = e.lowest_height
            continue
        return BlockClock(height, earlier, latest, status.latest_block_time)
    return None


# --- epoch schedule ---


@dataclass(frozen=True)
class ScheduleNow:
    schedule: EpochSchedule
    height: int
    phase: str
    clock: BlockClock | None

    def time_at(self, height: int) -> datetime | None:
        return self.clock.time_at(height) if self.clock else None


def schedule_flow(sample: int = DEFAULT_CLOCK_SAMPLE) -> Flow[ScheduleNow]:
    """The latest epoch's stage boundaries, where the chain is now, and wall-clock estimates."""
    info: EpochInfo = yield queries.epoch_info()
    status: NodeStatus = yield queries.node_status()
    schedule = EpochSchedule(
        info.latest_epoch.index, info.latest_epoch.poc_start_block_height, info.params.epoch()
    )
    clock = yield from block_clock_flow(status, sample)
    height = max(info.block_height, status.latest_block_height)
    return ScheduleNow(schedule, height, schedule.phase_at(height), clock)


def next_epoch_switch(schedule: EpochSchedule, height: int) -> int:
    """The next set-new-validators block after ``height``."""
    return (
        schedule.set_new_validators
        if height < schedule.set_new_validators
        else schedule.next().set_new_validators
    )


# --- vote weight ---


@dataclass(frozen=True)
class VoteWeight:
    operator_address: str
    moniker: str
    power: int
    status: str
    jailed: bool
    rank: int | None
    """1-based place among bonded validators in the power index (``None`` if not bonded)."""
    max_validators: int
    bonded_total: int
    """Sum of the bonded validators' tokens: the tally's denominator."""
    share: LegacyDec
    counts: bool
    reasons: tuple[str, ...]
    """Why the power does not count in a tally now (empty when it does)."""


def vote_weight_flow(address: str) -> Flow[VoteWeight]:
    """Governance power of the host behind an account (gonka1) or operator (gonkavaloper1) address."""
    from gonka.address import ACCOUNT_HRP, VALOPER_HRP, convert_hrp, decode

    prefix, _ = decode(address.strip())
    if prefix not in (ACCOUNT_HRP, VALOPER_HRP):
        raise InvalidInput(f"expected a gonka1 or gonkavaloper1 address, got {address!r}")
    operator = convert_hrp(address.strip(), VALOPER_HRP)
    validator: Validator = yield queries.staking_validator(operator)
    staking: econ.StakingParams = yield queries.staking_params()
    bonded = yield from validators_flow("BOND_STATUS_BONDED")
    ordered = power_order(bonded)
    total = sum(v.tokens for v in bonded)
    rank = next((i + 1 for i, v in enumerate(ordered) if v.operator_address == operator), None)
    reasons = []
    if validator.jailed:
        reasons.append("jailed")
    if not validator.bonded:
        reasons.append(f"not bonded ({validator.status})")
    if rank is not None and rank > staking.max_validators:
        reasons.append(f"outside the top {staking.max_validators} bonded validators (rank {rank})")
    if validator.tokens <= 0:
        reasons.append("no power")
    share = LegacyDec.from_int(validator.tokens).quo(LegacyDec.from_int(total)) if total else ZERO
    return VoteWeight(
        operator_address=operator,
        moniker=validator.moniker,
        power=validator.tokens,
        status=validator.status,
        jailed=validator.jailed,
        rank=rank,
        max_validators=staking.max_validators,
        bonded_total=total,
        share=share if validator.bonded else ZERO,
        counts=not reasons,
        reasons=tuple(reasons),
    )


# --- jail ---


@dataclass(frozen=True)
class JailStatus:
    consensus_address: str
    operator_address: str | None
    jailed: bool
    power: int | None
    params: econ.SlashingParams
    signing: SigningState
    liveness: Liveness
    latest_height: int
    latest_time: datetime | None
    unjail: UnjailOptions
    next_epoch_switch: int
    clock: BlockClock | None

    def time_at(self, height: int) -> datetime | None:
        return self.clock.time_at(height) if self.clock else None


def jail_flow(address: str, sample: int = DEFAULT_CLOCK_SAMPLE) -> Flow[JailStatus]:
    """Liveness of the validator behind an account, operator or consensus address: misses in the window, the
    margin left, ``jailed_until`` and the ways out.
    """
    from gonka.address import ACCOUNT_HRP, VALCONS_HRP, VALOPER_HRP, convert_hrp, decode
    from gonka.keys import ConsensusPublicKey

    text = address.strip()
    prefix, _ = decode(text)
    operator: str | None = None
    validator: Validator | None = None
    if prefix == VALCONS_HRP:
        consensus = text
    elif prefix in (ACCOUNT_HRP, VALOPER_HRP):
        operator = convert_hrp(text, VALOPER_HRP)
        validator = yield queries.staking_validator(operator)
        pubkey = (validator.consensus_pubkey or {}).get("key")
        if not isinstance(pubkey, str):
            raise BadResponse(f"validator {operator} has no consensus key in the answer")
        consensus = ConsensusPublicKey.from_base64(pubkey).address()
    else:
        raise InvalidInput(f"expected a gonka1, gonkavaloper1 or gonkavalcons1 address, got {address!r}")
    info = yield queries.signing_info(consensus)
    raw_params = yield queries.slashing_params()
    params = raw_params.economics()
    bitmap = yield from missed_blocks_flow(consensus, params.signed_blocks_window)
    status: NodeStatus = yield queries.node_status()
    epoch: EpochInfo = yield queries.epoch_info()
    schedule = EpochSchedule(
        epoch.latest_epoch.index, epoch.latest_epoch.poc_start_block_height, epoch.params.epoch()
    )
    clock = yield from block_clock_flow(status, sample)
    signing = SigningState(
        start_height=info.start_height,
        index_offset=info.index_offset,
        missed_blocks_counter=info.missed_blocks_counter,
        jailed_until=info.jailed_until,
        tombstoned=info.tombstoned,
        missed=bitmap,
    )
    now = status.latest_block_time
    if validator is not None:
        jailed = validator.jailed
    else:
        jailed = info.jailed_until is not None and now is not None and info.jailed_until > now
    height = status.latest_block_height
    switch = next_epoch_switch(schedule, height)
    return JailStatus(
        consensus_address=consensus,
        operator_address=operator,
        jailed=jailed,
        power=validator.tokens if validator is not None else None,
        params=params,
        signing=signing,
        liveness=liveness(signing, params, next_height=height + 1),
        latest_height=height,
        latest_time=now,
        unjail=unjail_options(jailed=jailed, state=signing, now=now, next_epoch_switch=switch),
        next_epoch_switch=switch,
        clock=clock,
    )


# --- governance tally ---


@dataclass(frozen=True)
class TallyNow:
    proposal: Proposal
    votes: Votes
    bonded_total: int
    params: econ.TallyParams
    outcome: TallyOutcome
    flips: tuple[Flip, ...]
    final: bool
    """The voting period is over: the votes are the stored final tally, the bonded power today's."""


_FINAL = ("PROPOSAL_STATUS_PASSED", "PROPOSAL_STATUS_REJECTED", "PROPOSAL_STATUS_FAILED")


def _votes(result: TallyResult) -> Votes:
    return Votes(
        yes=result.yes_count,
        no=result.no_count,
        no_with_veto=result.no_with_veto_count,
        abstain=result.abstain_count,
    )


def tally_flow(proposal_id: int) -> Flow[TallyNow]:
    """The tally of a proposal as if voting ended now, and the smallest vote of each kind that would flip
    it.
    """
    proposal: Proposal = yield queries.proposal(proposal_id)
    final = proposal.status in _FINAL
    if final and proposal.final_tally_result is not None:
        result = proposal.final_tally_result
    else:
        result = yield queries.tally(proposal_id)
    params: econ.TallyParams = yield queries.tally_params()
    bonded = yield from validators_flow("BOND_STATUS_BONDED")
    total = sum(v.tokens for v in bonded)
    votes = _votes(result)
    outcome = tally(votes, total, params, expedited=proposal.expedited)
    available = max(0, total - votes.total)
    flips = tuple(
        smallest_flip(votes, total, params, option, expedited=proposal.expedited, available=available)
        for option in OPTIONS
    )
    return TallyNow(proposal, votes, total, params, outcome, flips, final)


# --- epoch reward ---


@dataclass(frozen=True)
class HostShare:
    address: str
    epoch: int
    weights_epoch: int
    """The epoch whose weights were used (the latest one for a future epoch)."""
    weight: int
    total_weight: int
    expected: int | None
    """By the release's split rule, if the host is ACTIVE, fully confirmed and passes the downtime test
    (``None`` for releases whose split is not modelled)."""
    settled: int | None
    """``rewarded_coins`` of the epoch's performance summary once settled."""
    claimed: bool | None


@dataclass(frozen=True)
class RewardOutlook:
    release: Release
    params: econ.BitcoinRewardParams
    current_epoch: int
    rewards: tuple[tuple[int, int], ...]
    """(epoch, R(e)) pairs."""
    total_subsidies: int
    supply_cap: int | None
    """``standard_reward_amount`` (``None`` when the node does not serve the genesis file)."""
    host: HostShare | None


MAX_EPOCH_RANGE = 1_000_000


def reward_flow(
    first: int | None = None,
    last: int | None = None,
    *,
    address: str | None = None,
    release: Release | None = None,
) -> Flow[RewardOutlook]:
    """R(e) for ``first..last`` (default: the latest epoch) and, with ``address``, the host's expected share
    of a single epoch.
    """
    from gonka.economics.rewards import epoch_rewards
    from gonka.economics.settlement import SettleParticipant, settle

    if release is None:
        release = (yield from chain_release_flow()).parsed()
    info: EpochInfo = yield queries.epoch_info()
    params = info.params.bitcoin_reward()
    current = info.latest_epoch.index
    start = current if first is None else first
    end = start if last is None else last
    if end < start or end - start >= MAX_EPOCH_RANGE:
        raise InvalidInput(
            f"epoch range {start}..{end} must be ascending and hold at most {MAX_EPOCH_RANGE} epochs"
        )
    if address is not None and end != start:
        raise InvalidInput("a host's share is computed for one epoch; give a single epoch")
    rewards = tuple(zip(range(start, end + 1), epoch_rewards(start, end, params, release), strict=True))
    tokenomics = yield queries.tokenomics_data()
    try:
        cap: int | None = (yield from genesis_only_params_flow()).standard_reward_amount
    except _ANSWER_ERRORS:
        cap = None
    host = None
    if address is not None:
        weights_epoch = min(start, current)
        group = yield queries.epoch_group_data(weights_epoch)
        participants = [SettleParticipant(w.member_address, w.weight) for w in group.validation_weights]
        weight = group.weight_of(address)
        expected: int | None = None
        if weight > 0:
            try:
                result = settle(
                    participants,
                    rewards[0][1],
                    release,
                    total_subsidies=tokenomics.total_subsidies,
                    standard_reward_amount=cap
                    if cap is not None
                    else tokenomics.total_subsidies + rewards[0][1],
                )
                expected = result.share(address).reward
            except InvalidInput:
                expected = None
        else:
            expected = 0
        settled: int | None = None
        claimed: bool | None = None
        if start < current:
            try:
                summary = yield queries.epoch_performance(start, address)
                settled, claimed = summary.rewarded_coins, summary.claimed
            except NotFound:
                pass
        host = HostShare(
            address=address,
            epoch=start,
            weights_epoch=weights_epoch,
            weight=weight,
            total_weight=sum(max(0, w.weight) for w in group.validation_weights),
            expected=expected,
            settled=settled,
            claimed=claimed,
        )
    return RewardOutlook(release, params, current, rewards, tokenomics.total_subsidies, cap, host)
