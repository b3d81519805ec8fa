"""Typed results of chain, dapi and admin queries (pydantic models of the nodes' JSON).

The Cosmos REST gateway writes 64-bit integers as JSON strings and the dapi as numbers; the models accept
both. Unknown fields are kept (``extra="allow"``), so newer chain versions do not break parsing and nothing is
dropped.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from gonka.client.errors import BadResponse
from gonka.economics import params as econ
from gonka.economics.legacy_dec import LegacyDec
from gonka.economics.release import Release


class ChainModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# --- accounts, bank, txs ---


class CoinAmount(ChainModel):
    denom: str
    amount: int


class Account(ChainModel):
    address: str
    account_number: int = 0
    sequence: int = 0
    pub_key: dict[str, Any] | None = None

    @classmethod
    def from_response(cls, payload: dict[str, Any]) -> Account:
        """Unwraps the account from ``{"account": {...}}``; vesting and module accounts nest a
        BaseAccount.
        """
        account = payload["account"]
        for wrapper in ("base_vesting_account", "base_account"):
            while isinstance(account, dict) and wrapper in account and "address" not in account:
                account = account[wrapper]
        return cls.model_validate(account)


class SimulateResult(ChainModel):
    gas_used: int
    gas_wanted: int = 0


class TxResult(ChainModel):
    """A tx's outcome: from CheckTx (broadcast, ``height == 0``) or from the block that included it."""

    txhash: str
    height: int = 0
    code: int = 0
    codespace: str = ""
    raw_log: str = ""
    gas_wanted: int = 0
    gas_used: int = 0
    timestamp: str = ""
    events: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def included(self) -> bool:
        return self.height > 0


# --- inference module ---


class ChainDecimal(ChainModel):
    """The inference module's ``Decimal{value, exponent}`` = value x 10^exponent."""

    value: int = 0
    exponent: int = 0

    def to_decimal(self) -> Decimal:
        return Decimal(self.value).scaleb(self.exponent)

    def __float__(self) -> float:
        return float(self.to_decimal())


class CurrentEpochStats(ChainModel):
    """A participant's inference counters for an epoch (the chain's CurrentEpochStats)."""

    inference_count: int = 0
    missed_requests: int = 0
    earned_coins: int = 0
    rewarded_coins: int = 0
    burned_coins: int = 0
    validated_inferences: int = 0
    invalidated_inferences: int = 0


class Participant(ChainModel):
    index: str
    address: str
    weight: int = 0
    join_time: int = 0
    join_height: int = 0
    last_inference_time: int = 0
    inference_url: str = ""
    status: str = "UNSPECIFIED"
    coin_balance: int = 0
    validator_key: str = ""
    consecutive_invalid_inferences: int = 0
    worker_public_key: str = ""
    epochs_completed: int = 0
    current_epoch_stats: CurrentEpochStats | None = None


class RandomSeed(ChainModel):
    participant: str = ""
    epoch_index: int = 0
    signature: str = ""


class MLNodeInfo(ChainModel):
    node_id: str = ""
    throughput: int = 0
    poc_weight: int = 0
    timeslot_allocation: list[bool] = Field(default_factory=list)


class ModelMLNodes(ChainModel):
    ml_nodes: list[MLNodeInfo] = Field(default_factory=list)


class EpochParticipant(ChainModel):
    index: str
    validator_key: str = ""
    weight: int = 0
    inference_url: str = ""
    models: list[str] = Field(default_factory=list)
    seed: RandomSeed | None = None
    ml_nodes: list[ModelMLNodes] = Field(default_factory=list)
    voting_powers: list[dict[str, Any]] = Field(default_factory=list)


class ExcludedParticipant(ChainModel):
    address: str
    reason: str = ""
    exclusion_block_height: int = 0


class EpochParticipants(ChainModel):
    """``/v1/epochs/{N|current}/participants``: the active set with what proves it (proof ops, block)."""

    epoch_id: int = 0
    poc_start_block_height: int = 0
    effective_block_height: int = 0
    created_at_block_height: int = 0
    participants: list[EpochParticipant] = Field(default_factory=list)
    excluded_participants: list[ExcludedParticipant] = Field(default_factory=list)
    active_participants_bytes: str = ""
    proof_ops: dict[str, Any] | None = None

    @classmethod
    def from_response(cls, payload: dict[str, Any]) -> EpochParticipants:
        active = payload["active_participants"]
        return cls.model_validate(
            {
                **active,
                "excluded_participants": payload.get("excluded_participants") or [],
                "active_participants_bytes": payload.get("active_participants_bytes", ""),
                "proof_ops": payload.get("proof_ops"),
            }
        )

    @property
    def total_weight(self) -> int:
        return sum(p.weight for p in self.participants)


class EpochPerformanceSummary(CurrentEpochStats):
    """The settled counters of one participant in one epoch, and whether its reward was claimed."""

    epoch_index: int
    participant_id: str
    claimed: bool = False

    @property
    def unclaimed_rewards(self) -> bool:
        """Coins were earned but not claimed: the case for the admin API's claim-reward recover."""
        return not self.claimed and (self.earned_coins + self.rewarded_coins) > 0


class PocModelParams(ChainModel):
    dim: int = 0
    n_layers: int = 0
    n_heads: int = 0
    n_kv_heads: int = 0
    vocab_size: int = 0
    ffn_dim_multiplier: ChainDecimal | None = None
    multiple_of: int = 0
    norm_eps: ChainDecimal | None = None
    rope_theta: int = 0
    use_scaled_rope: bool = False
    seq_len: int = 0
    r_target: ChainDecimal | None = None


class PocParams(ChainModel):
    default_difficulty: int = 0
    validation_sample_size: int = 0
    poc_data_pruning_epoch_threshold: int = 0
    model_params: PocModelParams | None = None
    poc_v2_enabled: bool = False
    models: list[dict[str, Any]] = Field(default_factory=list)


class FeeParams(ChainModel):
    min_gas_price_ngonka: int = 0


class InferenceParams(ChainModel):
    """``/productscience/inference/inference/params``; sections absent in older chain versions stay
    ``None``.
    """

    epoch_params: dict[str, Any] | None = None
    validation_params: dict[str, Any] | None = None
    poc_params: PocParams | None = None
    tokenomics_params: dict[str, Any] | None = None
    collateral_params: dict[str, Any] | None = None
    bitcoin_reward_params: dict[str, Any] | None = None
    genesis_guardian_params: dict[str, Any] | None = None
    fee_params: FeeParams | None = None

    def _section(self, name: str) -> dict[str, Any]:
        section = getattr(self, name)
        if not section:
            raise BadResponse(f"the chain's inference params have no {name}")
        return dict(section)

    def epoch(self) -> econ.EpochParams:
        """``epoch_params`` as typed values."""
        return econ.EpochParams.from_json(self._section("epoch_params"))

    def collateral(self) -> econ.CollateralParams:
        return econ.CollateralParams.from_json(self._section("collateral_params"))

    def bitcoin_reward(self) -> econ.BitcoinRewardParams:
        return econ.BitcoinRewardParams.from_json(self._section("bitcoin_reward_params"))

    def validation(self) -> econ.ValidationParams:
        return econ.ValidationParams.from_json(self._section("validation_params"))

    def vesting(self) -> econ.VestingParams:
        return econ.VestingParams.from_json(self._section("tokenomics_params"))

    def guardian_section(self) -> dict[str, Any] | None:
        """``genesis_guardian_params`` (v0.2.7+), as the chain answered it; ``None`` on older chains."""
        return dict(self.genesis_guardian_params) if self.genesis_guardian_params else None

    @property
    def r_target(self) -> float | None:
        """PoC v1 distance threshold when the chain stores it (v0.2.8+); ``None`` on older chains."""
        model = self.poc_params.model_params if self.poc_params else None
        return float(model.r_target) if model and model.r_target else None

    @property
    def min_gas_price_ngonka(self) -> int:
        """Consensus minimum gas price (0 when the chain has no fee params)."""
        return self.fee_params.min_gas_price_ngonka if self.fee_params else 0


class EpochRef(ChainModel):
    index: int = 0
    poc_start_block_height: int = 0


class EpochInfo(ChainModel):
    """``/productscience/inference/inference/epoch_info``: the latest epoch, the params and the height they
    were read at.
    """

    block_height: int = 0
    latest_epoch: EpochRef = Field(default_factory=EpochRef)
    params: InferenceParams = Field(default_factory=InferenceParams)


class TokenomicsData(ChainModel):
    """Cumulative amounts (ngonka); ``total_subsidies`` is what epoch rewards have minted so far."""

    total_fees: int = 0
    total_subsidies: int = 0
    total_refunded: int = 0
    total_burned: int = 0


class ValidationWeight(ChainModel):
    member_address: str
    weight: int = 0
    reputation: int = 0
    confirmation_weight: int = 0
    ml_nodes: list[MLNodeInfo] = Field(default_factory=list)


class EpochGroupData(ChainModel):
    """``epoch_group_data/{epoch}``: the epoch's members and their weights after collateral and the cap."""

    epoch_index: int = 0
    poc_start_block_height: int = 0
    effective_block_height: int = 0
    last_block_height: int = 0
    model_id: str = ""
    total_weight: int = 0
    validation_weights: list[ValidationWeight] = Field(default_factory=list)
    confirmation_weight_scales: list[dict[str, Any]] = Field(default_factory=list)

    def weight_of(self, address: str) -> int:
        for entry in self.validation_weights:
            if entry.member_address == address:
                return entry.weight
        return 0


# --- governance ---


class TallyResult(ChainModel):
    yes_count: int = 0
    abstain_count: int = 0
    no_count: int = 0
    no_with_veto_count: int = 0

    @property
    def total(self) -> int:
        return self.yes_count + self.abstain_count + self.no_count + self.no_with_veto_count

    @property
    def yes_ratio(self) -> float:
        """yes / (yes + no + no_with_veto): the pass-threshold ratio of Cosmos SDK gov v1."""
        voted = self.yes_count + self.no_count + self.no_with_veto_count
        return self.yes_count / voted if voted else 0.0


class Proposal(ChainModel):
    id: int
    status: str = ""
    title: str = ""
    summary: str = ""
    metadata: str = ""
    proposer: str = ""
    expedited: bool = False
    messages: list[dict[str, Any]] = Field(default_factory=list)
    final_tally_result: TallyResult | None = None
    submit_time: datetime | None = None
    deposit_end_time: datetime | None = None
    voting_start_time: datetime | None = None
    voting_end_time: datetime | None = None
    total_deposit: list[CoinAmount] = Field(default_factory=list)


# --- slashing / staking ---


class SigningInfo(ChainModel):
    address: str
    start_height: int = 0
    index_offset: int = 0
    jailed_until: datetime | None = None
    tombstoned: bool = False
    missed_blocks_counter: int = 0


class SlashingParams(ChainModel):
    signed_blocks_window: int = 0
    min_signed_per_window: Decimal = Decimal(0)
    downtime_jail_duration: str = ""
    slash_fraction_downtime: Decimal = Decimal(0)
    slash_fraction_double_sign: Decimal = Decimal(0)

    def economics(self) -> econ.SlashingParams:
        """The exact values the liveness model reads."""
        return econ.SlashingParams(
            signed_blocks_window=self.signed_blocks_window,
            min_signed_per_window=LegacyDec.from_decimal(self.min_signed_per_window),
            downtime_jail_duration_ns=econ.duration_ns(self.downtime_jail_duration, "downtime_jail_duration"),
            slash_fraction_downtime=LegacyDec.from_decimal(self.slash_fraction_downtime),
            slash_fraction_double_sign=LegacyDec.from_decimal(self.slash_fraction_double_sign),
        )


class ValidatorSigning(ChainModel):
    """A validator's liveness: jailed?, missed blocks in the slashing window, how many it may still miss."""

    consensus_address: str
    operator_address: str | None = None
    jailed: bool
    jailed_until: datetime | None = None
    tombstoned: bool = False
    missed_blocks: int
    window: int
    min_signed_per_window: Decimal

    @property
    def max_missed(self) -> int:
        """Misses allowed in the window before jailing: window - RoundInt64(min_signed x window), rounded
        half to even as the chain does.
        """
        required = LegacyDec.from_decimal(self.min_signed_per_window).mul_int(self.window).round_int()
        return self.window - required


class Validator(ChainModel):
    """A staking validator; ``tokens`` is its consensus (and governance) power."""

    operator_address: str
    consensus_pubkey: dict[str, Any] | None = None
    jailed: bool = False
    status: str = ""
    tokens: int = 0
    delegator_shares: Decimal = Decimal(0)
    min_self_delegation: int = 0
    description: dict[str, Any] = Field(default_factory=dict)

    @property
    def bonded(self) -> bool:
        return self.status == "BOND_STATUS_BONDED"

    @property
    def moniker(self) -> str:
        return str(self.description.get("moniker", ""))


class StakingPool(ChainModel):
    bonded_tokens: int = 0
    not_bonded_tokens: int = 0


class ChainRelease(ChainModel):
    """The chain's software release, as detected: the newest applied upgrade plan and the node's version."""

    release: str
    source: str
    """``upgrade plan`` or ``node version``."""
    applied_plan: str | None = None
    applied_height: int | None = None
    node_version: str | None = None
    newer_than_known: bool = False

    def parsed(self) -> Release:
        return Release.parse(self.release)


# --- CometBFT ---


class NodeStatus(ChainModel):
    node_id: str
    network: str
    moniker: str = ""
    version: str = ""
    listen_addr: str = ""
    latest_block_height: int = 0
    latest_block_time: datetime | None = None
    catching_up: bool = False

    @classmethod
    def from_rpc(cls, result: dict[str, Any]) -> NodeStatus:
        info, sync = result["node_info"], result["sync_info"]
        return cls(
            node_id=info["id"],
            network=info["network"],
            moniker=info.get("moniker", ""),
            version=info.get("version", ""),
            listen_addr=info.get("listen_addr", ""),
            latest_block_height=sync["latest_block_height"],
            latest_block_time=sync.get("latest_block_time"),
            catching_up=sync.get("catching_up", False),
        )


_UNROUTABLE = ("", "0.0.0.0", "::", "localhost")


def _host_port(listen_addr: str) -> tuple[str, int | None]:
    parts = urlsplit(listen_addr if "://" in listen_addr else f"tcp://{listen_addr}")
    return parts.hostname or "", parts.port


class Peer(ChainModel):
    node_id: str
    moniker: str = ""
    listen_addr: str = ""
    remote_ip: str = ""
    is_outbound: bool = False

    def seed_address(self) -> str | None:
        """``id@host:port`` for a seed/persistent-peer list: the advertised P2P address, or the peer's
        remote IP when it advertises an unroutable one (``0.0.0.0``, loopback); ``None`` without a
        port.
        """
        host, port = _host_port(self.listen_addr)
        if host in _UNROUTABLE or host.startswith("127."):
            host = self.remote_ip
        if not host or port is None:
            return None
        return f"{self.node_id}@{host}:{port}"


class NetInfo(ChainModel):
    listening: bool = False
    n_peers: int = 0
    peers: list[Peer] = Field(default_factory=list)

    @classmethod
    def from_rpc(cls, result: dict[str, Any]) -> NetInfo:
        peers = [
            Peer(
                node_id=p["node_info"]["id"],
                moniker=p["node_info"].get("moniker", ""),
                listen_addr=p["node_info"].get("listen_addr", ""),
                remote_ip=p.get("remote_ip", ""),
                is_outbound=p.get("is_outbound", False),
            )
            for p in result.get("peers") or []
        ]
        return cls(
            listening=result.get("listening", False), n_peers=result.get("n_peers", len(peers)), peers=peers
        )

    def seed_list(self) -> list[str]:
        """Distinct ``id@host:port`` entries of the peers, in the node's order."""
        seen: dict[str, None] = {}
        for peer in self.peers:
            address = peer.seed_address()
            if address:
                seen.setdefault(address)
        return list(seen)


# --- API-node admin ---


class AdminNodeConfig(ChainModel):
    id: str
    host: str = ""
    inference_port: int = 0
    inference_segment: str = ""
    poc_port: int = 0
    poc_segment: str = ""
    max_concurrent: int = 0
    models: dict[str, Any] = Field(default_factory=dict)
    hardware: list[dict[str, Any]] | None = None


class AdminNodeState(ChainModel):
    current_status: str = ""
    intended_status: str = ""
    poc_current_status: str = ""
    poc_intended_status: str = ""
    failure_reason: str = ""
    admin_state: dict[str, Any] | None = None

    @property
    def enabled(self) -> bool | None:
        return None if self.admin_state is None else bool(self.admin_state.get("enabled", False))


class AdminNode(ChainModel):
    node: AdminNodeConfig
    state: AdminNodeState = Field(default_factory=AdminNodeState)


class AdminAck(ChainModel):
    message: str = ""
    node_id: str = ""


class ClaimRecoverResult(ChainModel):
    success: bool = False
    message: str = ""
    epoch_index: int = 0
    seed: int = 0
    missed_validations: int = 0
    already_claimed: bool = False
    claim_executed: bool = False


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
