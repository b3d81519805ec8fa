"""The chain parameters the economic models read, as typed values.

Each class is built either from explicit values or, with ``from_json``, from the section of the chain's REST
answer that holds it (``/productscience/inference/inference/params``, ``/cosmos/slashing/v1beta1/params``,
``/cosmos/gov/v1/params/tallying``, the genesis file's ``genesis_only_params``). Inference-module decimals
arrive as ``{"value", "exponent"}`` and Cosmos module decimals as 18-digit strings; both are read exactly.
``MAINNET_GENESIS_*`` hold the values of the mainnet genesis file, for offline use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gonka.economics.legacy_dec import LegacyDec
from gonka.economics.shop_decimal import ShopDecimal
from gonka.errors import InvalidInput

_INT64 = 2**63
_MAX_EXPONENT = 1000  # far beyond any chain decimal; keeps hostile input from building huge numbers
MAX_SIGNED_BLOCKS_WINDOW = 10 * 1024 * 1024  # mainnet: 100


def _int(section: Mapping[str, Any], key: str, default: int | None = None, *, minimum: int = -_INT64) -> int:
    raw = section.get(key, default)
    if raw is None:
        raise InvalidInput(f"missing parameter {key!r}")
    if isinstance(raw, bool):
        raise InvalidInput(f"parameter {key!r} must be an integer, got {raw!r}")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"parameter {key!r} must be an integer, got {raw!r}") from None
    if not minimum <= value < 2**64:
        raise InvalidInput(f"parameter {key!r} is out of range: {value}")
    return value


def chain_decimal(raw: Any, what: str) -> ShopDecimal:
    """An inference-module ``Decimal{value, exponent}`` (int64, int32) as its exact value."""
    if isinstance(raw, ShopDecimal):
        return raw
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{what} must be a {{value, exponent}} decimal, got {raw!r}")
    value = _int(raw, "value", 0)
    exponent = _int(raw, "exponent", 0)
    if not -_INT64 <= value < _INT64 or abs(exponent) > _MAX_EXPONENT:
        raise InvalidInput(f"{what} is out of range: value {value}, exponent {exponent}")
    return ShopDecimal(value, exponent)


def chain_legacy_dec(raw: Any, what: str) -> LegacyDec:
    """A decimal as the chain converts it to LegacyDec: an inference ``Decimal`` via its shortest decimal
    string (``ToLegacyDec``; more than 18 fractional digits is an error), or a Cosmos 18-digit string.
    """
    if isinstance(raw, LegacyDec):
        return raw
    if isinstance(raw, str):
        return LegacyDec.from_str(raw)
    try:
        return LegacyDec.from_str(str(chain_decimal(raw, what)))
    except InvalidInput as e:
        raise InvalidInput(f"{what}: {e}") from None


def duration_ns(raw: Any, what: str) -> int:
    """A protobuf Duration as JSON (``"600s"``); fractions of a second are kept as whole nanoseconds."""
    text = str(raw).strip()
    if not text.endswith("s"):
        raise InvalidInput(f"{what} must be a duration like '600s', got {raw!r}")
    try:
        seconds = ShopDecimal.from_str(text[:-1])
    except InvalidInput:
        raise InvalidInput(f"{what} must be a duration like '600s', got {raw!r}") from None
    nanos = (seconds * ShopDecimal(10**9)).int_part()
    if nanos < 0:
        raise InvalidInput(f"{what} must not be negative, got {raw!r}")
    return nanos


# --- inference module ---


@dataclass(frozen=True)
class EpochParams:
    """``epoch_params`` (block counts)."""

    epoch_length: int
    epoch_shift: int
    poc_stage_duration: int
    poc_exchange_duration: int
    poc_validation_delay: int
    poc_validation_duration: int
    set_new_validators_delay: int
    inference_validation_cutoff: int

    def __post_init__(self) -> None:
        if self.epoch_length <= 0:
            raise InvalidInput(f"epoch_length must be positive, got {self.epoch_length}")
        for name in (
            "poc_stage_duration",
            "poc_exchange_duration",
            "poc_validation_delay",
            "poc_validation_duration",
            "set_new_validators_delay",
            "inference_validation_cutoff",
        ):
            if getattr(self, name) < 0:
                raise InvalidInput(f"{name} must not be negative, got {getattr(self, name)}")

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> EpochParams:
        return cls(
            epoch_length=_int(section, "epoch_length"),
            epoch_shift=_int(section, "epoch_shift", 0),
            poc_stage_duration=_int(section, "poc_stage_duration"),
            poc_exchange_duration=_int(section, "poc_exchange_duration", 0),
            poc_validation_delay=_int(section, "poc_validation_delay"),
            poc_validation_duration=_int(section, "poc_validation_duration"),
            set_new_validators_delay=_int(section, "set_new_validators_delay"),
            inference_validation_cutoff=_int(section, "inference_validation_cutoff", 0),
        )


@dataclass(frozen=True)
class CollateralParams:
    """``collateral_params``; decimals as the chain reads them (LegacyDec)."""

    base_weight_ratio: LegacyDec
    collateral_per_weight_unit: LegacyDec
    grace_period_end_epoch: int
    slash_fraction_invalid: LegacyDec
    slash_fraction_downtime: LegacyDec

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> CollateralParams:
        return cls(
            base_weight_ratio=chain_legacy_dec(section.get("base_weight_ratio"), "base_weight_ratio"),
            collateral_per_weight_unit=chain_legacy_dec(
                section.get("collateral_per_weight_unit"), "collateral_per_weight_unit"
            ),
            grace_period_end_epoch=_int(section, "grace_period_end_epoch", minimum=0),
            slash_fraction_invalid=chain_legacy_dec(
                section.get("slash_fraction_invalid", {"value": 0}), "slash_fraction_invalid"
            ),
            slash_fraction_downtime=chain_legacy_dec(
                section.get("slash_fraction_downtime", {"value": 0}), "slash_fraction_downtime"
            ),
        )


@dataclass(frozen=True)
class BitcoinRewardParams:
    """``bitcoin_reward_params``: R(e) = initial_epoch_reward decayed by ``decay_rate`` per epoch."""

    initial_epoch_reward: int
    decay_rate: ShopDecimal
    genesis_epoch: int

    def __post_init__(self) -> None:
        if self.initial_epoch_reward < 0 or self.genesis_epoch < 0:
            raise InvalidInput("initial_epoch_reward and genesis_epoch must not be negative")

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> BitcoinRewardParams:
        return cls(
            initial_epoch_reward=_int(section, "initial_epoch_reward", minimum=0),
            decay_rate=chain_decimal(section.get("decay_rate"), "decay_rate"),
            genesis_epoch=_int(section, "genesis_epoch", minimum=0),
        )


@dataclass(frozen=True)
class VestingParams:
    """``tokenomics_params`` vesting periods, in epochs (0 pays at once)."""

    work_vesting_period: int
    reward_vesting_period: int

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> VestingParams:
        return cls(
            work_vesting_period=_int(section, "work_vesting_period", 0, minimum=0),
            reward_vesting_period=_int(section, "reward_vesting_period", 0, minimum=0),
        )


@dataclass(frozen=True)
class ValidationParams:
    """``validation_params``: status tests (launch z-score, SPRT), validation sampling and reputation.

    Fields a chain version does not have are ``None``; a model that needs one says so.
    """

    false_positive_rate: ShopDecimal
    min_ramp_up_measurements: int = 0
    min_validation_average: ShopDecimal | None = None
    max_validation_average: ShopDecimal | None = None
    min_validation_halfway: ShopDecimal | None = None
    full_validation_traffic_cutoff: int = 0
    min_validation_traffic_cutoff: int = 0
    epochs_to_max: int = 0
    miss_percentage_cutoff: ShopDecimal | None = None
    miss_requests_penalty: ShopDecimal | None = None
    bad_participant_invalidation_rate: ShopDecimal | None = None
    invalidation_h_threshold: ShopDecimal | None = None
    downtime_good_percentage: ShopDecimal | None = None
    downtime_bad_percentage: ShopDecimal | None = None
    downtime_h_threshold: ShopDecimal | None = None
    quick_failure_threshold: ShopDecimal | None = None

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> ValidationParams:
        def optional(key: str) -> ShopDecimal | None:
            raw = section.get(key)
            return None if raw is None else chain_decimal(raw, key)

        return cls(
            false_positive_rate=chain_decimal(section.get("false_positive_rate"), "false_positive_rate"),
            min_ramp_up_measurements=_int(section, "min_ramp_up_measurements", 0),
            min_validation_average=optional("min_validation_average"),
            max_validation_average=optional("max_validation_average"),
            min_validation_halfway=optional("min_validation_halfway"),
            full_validation_traffic_cutoff=_int(section, "full_validation_traffic_cutoff", 0),
            min_validation_traffic_cutoff=_int(section, "min_validation_traffic_cutoff", 0),
            epochs_to_max=_int(section, "epochs_to_max", 0),
            miss_percentage_cutoff=optional("miss_percentage_cutoff"),
            miss_requests_penalty=optional("miss_requests_penalty"),
            bad_participant_invalidation_rate=optional("bad_participant_invalidation_rate"),
            invalidation_h_threshold=optional("invalidation_h_threshold"),
            downtime_good_percentage=optional("downtime_good_percentage"),
            downtime_bad_percentage=optional("downtime_bad_percentage"),
            downtime_h_threshold=optional("downtime_h_threshold"),
            quick_failure_threshold=optional("quick_failure_threshold"),
        )


@dataclass(frozen=True)
class GenesisOnlyParams:
    """``genesis_only_params`` of the genesis file: supply and, at launch, the power cap and guardians."""

    total_supply: int
    standard_reward_amount: int
    max_individual_power_percentage: ShopDecimal | None
    genesis_guardian_enabled: bool
    genesis_guardian_network_maturity_threshold: int
    genesis_guardian_multiplier: ShopDecimal | None
    genesis_guardian_addresses: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> GenesisOnlyParams:
        def optional(key: str) -> ShopDecimal | None:
            raw = section.get(key)
            return None if raw is None else chain_decimal(raw, key)

        addresses = section.get("genesis_guardian_addresses") or []
        if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
            raise InvalidInput("genesis_guardian_addresses must be a list of strings")
        return cls(
            total_supply=_int(section, "total_supply", 0, minimum=0),
            standard_reward_amount=_int(section, "standard_reward_amount", minimum=0),
            max_individual_power_percentage=optional("max_individual_power_percentage"),
            genesis_guardian_enabled=bool(section.get("genesis_guardian_enabled", False)),
            genesis_guardian_network_maturity_threshold=_int(
                section, "genesis_guardian_network_maturity_threshold", 0
            ),
            genesis_guardian_multiplier=optional("genesis_guardian_multiplier"),
            genesis_guardian_addresses=tuple(addresses),
        )


@dataclass(frozen=True)
class GuardianParams:
    """What the genesis-guardian rule reads: from ``genesis_only_params`` at launch; the threshold, a minimum
    height and the addresses moved to ``params.genesis_guardian_params`` in v0.2.7.
    """

    enabled: bool
    multiplier: ShopDecimal
    maturity_threshold: int
    maturity_min_height: int
    addresses: tuple[str, ...]


# --- Cosmos modules ---


@dataclass(frozen=True)
class SlashingParams:
    """``/cosmos/slashing/v1beta1/params``."""

    signed_blocks_window: int
    min_signed_per_window: LegacyDec
    downtime_jail_duration_ns: int
    slash_fraction_downtime: LegacyDec
    slash_fraction_double_sign: LegacyDec

    def __post_init__(self) -> None:
        if not 0 < self.signed_blocks_window <= MAX_SIGNED_BLOCKS_WINDOW:
            window = self.signed_blocks_window
            raise InvalidInput(f"signed_blocks_window must be in 1..{MAX_SIGNED_BLOCKS_WINDOW}, got {window}")
        if self.min_signed_per_window.is_negative() or self.min_signed_per_window > LegacyDec.from_int(1):
            raise InvalidInput(f"min_signed_per_window must lie in [0, 1], got {self.min_signed_per_window}")

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> SlashingParams:
        return cls(
            signed_blocks_window=_int(section, "signed_blocks_window"),
            min_signed_per_window=LegacyDec.from_str(str(section.get("min_signed_per_window"))),
            downtime_jail_duration_ns=duration_ns(
                section.get("downtime_jail_duration"), "downtime_jail_duration"
            ),
            slash_fraction_downtime=LegacyDec.from_str(str(section.get("slash_fraction_downtime", "0"))),
            slash_fraction_double_sign=LegacyDec.from_str(
                str(section.get("slash_fraction_double_sign", "0"))
            ),
        )


@dataclass(frozen=True)
class TallyParams:
    """The x/gov tally parameters (``/cosmos/gov/v1/params/tallying``)."""

    quorum: LegacyDec
    threshold: LegacyDec
    veto_threshold: LegacyDec
    expedited_threshold: LegacyDec
    burn_vote_veto: bool = True
    burn_vote_quorum: bool = False

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> TallyParams:
        def dec(key: str) -> LegacyDec:
            raw = section.get(key)
            if raw is None:
                raise InvalidInput(f"missing gov parameter {key!r}")
            return LegacyDec.from_str(str(raw))

        return cls(
            quorum=dec("quorum"),
            threshold=dec("threshold"),
            veto_threshold=dec("veto_threshold"),
            expedited_threshold=dec("expedited_threshold"),
            burn_vote_veto=bool(section.get("burn_vote_veto", True)),
            burn_vote_quorum=bool(section.get("burn_vote_quorum", False)),
        )


@dataclass(frozen=True)
class StakingParams:
    max_validators: int
    unbonding_time_ns: int = 0

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> StakingParams:
        unbonding = section.get("unbonding_time")
        return cls(
            max_validators=_int(section, "max_validators", minimum=0),
            unbonding_time_ns=duration_ns(unbonding, "unbonding_time") if unbonding else 0,
        )


# --- mainnet genesis values (genesis file of gonka-mainnet, 2025-08-22) ---

_D = ShopDecimal
MAINNET_GENESIS_EPOCH = EpochParams(
    epoch_length=17280,
    epoch_shift=16980,
    poc_stage_duration=60,
    poc_exchange_duration=5,
    poc_validation_delay=5,
    poc_validation_duration=20,
    set_new_validators_delay=120,
    inference_validation_cutoff=80,
)
# After governance proposals #1 (epoch_length 15391) and #3, and v0.2.9 (validation 480 blocks, cutoff 2).
MAINNET_2026_EPOCH = EpochParams(
    epoch_length=15391,
    epoch_shift=16980,
    poc_stage_duration=60,
    poc_exchange_duration=5,
    poc_validation_delay=5,
    poc_validation_duration=480,
    set_new_validators_delay=120,
    inference_validation_cutoff=2,
)
MAINNET_GENESIS_COLLATERAL = CollateralParams(
    base_weight_ratio=LegacyDec.from_str("0.2"),
    collateral_per_weight_unit=LegacyDec.from_str("4.2"),
    grace_period_end_epoch=180,
    slash_fraction_invalid=LegacyDec.from_str("0.2"),
    slash_fraction_downtime=LegacyDec.from_str("0.1"),
)
MAINNET_GENESIS_REWARD = BitcoinRewardParams(
    initial_epoch_reward=323_000_000_000_000, decay_rate=_D(-475, -6), genesis_epoch=1
)
MAINNET_GENESIS_VESTING = VestingParams(work_vesting_period=180, reward_vesting_period=180)
MAINNET_GENESIS_ONLY = GenesisOnlyParams(
    total_supply=10**18,
    standard_reward_amount=680_000_000 * 10**9,
    max_individual_power_percentage=_D(25, -2),
    genesis_guardian_enabled=True,
    genesis_guardian_network_maturity_threshold=2_000_000,
    genesis_guardian_multiplier=_D(52, -2),
    genesis_guardian_addresses=(
        "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5",
        "gonkavaloper1dkl4mah5erqggvhqkpc8j3qs5tyuetgdc59d0v",
        "gonkavaloper1kx9mca3xm8u8ypzfuhmxey66u0ufxhs70mtf0e",
    ),
)
MAINNET_GENESIS_SLASHING = SlashingParams(
    signed_blocks_window=100,
    min_signed_per_window=LegacyDec.from_str("0.5"),
    downtime_jail_duration_ns=600 * 10**9,
    slash_fraction_downtime=LegacyDec.from_str("0.01"),
    slash_fraction_double_sign=LegacyDec.from_str("0.05"),
)
MAINNET_GENESIS_TALLY = TallyParams(
    quorum=LegacyDec.from_str("0.334"),
    threshold=LegacyDec.from_str("0.5"),
    veto_threshold=LegacyDec.from_str("0.334"),
    expedited_threshold=LegacyDec.from_str("0.667"),
)
MAINNET_GENESIS_VALIDATION = ValidationParams(
    false_positive_rate=_D(5, -2),
    min_ramp_up_measurements=10,
    min_validation_average=_D(1, -2),
    max_validation_average=_D(1),
    min_validation_halfway=_D(5, -2),
    full_validation_traffic_cutoff=10000,
    min_validation_traffic_cutoff=100,
    epochs_to_max=30,
    miss_percentage_cutoff=_D(1, -2),
    miss_requests_penalty=_D(1),
)


@dataclass(frozen=True)
class GenesisValues:
    """All mainnet genesis values in one place (what the offline CLI starts from)."""

    epoch: EpochParams = field(default=MAINNET_GENESIS_EPOCH)
    collateral: CollateralParams = field(default=MAINNET_GENESIS_COLLATERAL)
    reward: BitcoinRewardParams = field(default=MAINNET_GENESIS_REWARD)
    vesting: VestingParams = field(default=MAINNET_GENESIS_VESTING)
    genesis_only: GenesisOnlyParams = field(default=MAINNET_GENESIS_ONLY)
    slashing: SlashingParams = field(default=MAINNET_GENESIS_SLASHING)
    tally: TallyParams = field(default=MAINNET_GENESIS_TALLY)
    validation: ValidationParams = field(default=MAINNET_GENESIS_VALIDATION)


MAINNET_GENESIS = GenesisValues()
