"""Host economics of the Gonka chain, number for number: epoch schedule, epoch reward R(e) and its split,
supply cap, vesting and claim windows, collateral, the power cap, the genesis-guardian rule, jailing, the
governance tally, participant status and validation sampling.

Pure Python with the chain's own arithmetic: :class:`LegacyDec` (Cosmos, 18 digits, banker's rounding) and
:class:`ShopDecimal` (shopspring, 16-digit division rounded half away from zero); float64 only where the chain
uses it. Every model names the releases it follows and takes a :class:`Release` where the rules changed;
parameters are typed objects (:mod:`gonka.economics.params`), read live with :mod:`gonka.client` or taken from
``MAINNET_GENESIS``.

>>> from gonka.economics import MAINNET_GENESIS, Release, epoch_reward
>>> epoch_reward(2, MAINNET_GENESIS.reward, Release.parse("v0.2.8"))
322846611432668
"""

from gonka.economics.collateral import (
    SUGGESTED_BUFFER,
    CollateralNeed,
    CollateralSlash,
    WeightAdjustment,
    adjust_weight,
    collateral_for_weight,
    required_collateral,
    slash_base,
    slash_collateral,
)
from gonka.economics.guardians import GuardianResult, apply_guardians, guardian_params, network_mature
from gonka.economics.jailing import (
    DowntimeSlash,
    Liveness,
    SigningState,
    UnjailOptions,
    downtime_slash,
    jailed_until,
    liveness,
    max_missed,
    unjail_options,
)
from gonka.economics.legacy_dec import LegacyDec
from gonka.economics.params import (
    MAINNET_GENESIS,
    BitcoinRewardParams,
    CollateralParams,
    EpochParams,
    GenesisOnlyParams,
    GenesisValues,
    GuardianParams,
    SlashingParams,
    StakingParams,
    TallyParams,
    ValidationParams,
    VestingParams,
)
from gonka.economics.power_cap import CapResult, apply_power_cap, cap_weights
from gonka.economics.release import KNOWN_RELEASES, LAUNCH, NEWEST_KNOWN, Release
from gonka.economics.rewards import (
    SupplyPoint,
    decay_factor,
    epoch_reward,
    epoch_rewards,
    launch_reward,
    supply_projection,
    table_reward,
)
from gonka.economics.sampling import (
    SamplingDecision,
    deterministic_fraction,
    min_validation_average,
    miss_rate,
    reputation,
    should_validate,
)
from gonka.economics.schedule import BlockClock, EpochSchedule, Stage
from gonka.economics.settlement import (
    Settlement,
    SettleParticipant,
    SettleShare,
    confirmation_scaled_weight,
    settle,
)
from gonka.economics.shop_decimal import ShopDecimal
from gonka.economics.status import Sprt, StatusDecision, launch_status, sprt_status, z_score
from gonka.economics.tally import Flip, TallyOutcome, Votes, mainnet_tally_params, smallest_flip, tally
from gonka.economics.vesting import ClaimWindow, add_vesting, advance, claim_window, vesting_schedule

__all__ = [
    "KNOWN_RELEASES",
    "LAUNCH",
    "MAINNET_GENESIS",
    "NEWEST_KNOWN",
    "SUGGESTED_BUFFER",
    "BitcoinRewardParams",
    "BlockClock",
    "CapResult",
    "ClaimWindow",
    "CollateralNeed",
    "CollateralParams",
    "CollateralSlash",
    "DowntimeSlash",
    "EpochParams",
    "EpochSchedule",
    "Flip",
    "GenesisOnlyParams",
    "GenesisValues",
    "GuardianParams",
    "GuardianResult",
    "LegacyDec",
    "Liveness",
    "Release",
    "SamplingDecision",
    "SettleParticipant",
    "SettleShare",
    "Settlement",
    "ShopDecimal",
    "SigningState",
    "SlashingParams",
    "Sprt",
    "Stage",
    "StakingParams",
    "StatusDecision",
    "SupplyPoint",
    "TallyOutcome",
    "TallyParams",
    "UnjailOptions",
    "ValidationParams",
    "VestingParams",
    "Votes",
    "WeightAdjustment",
    "add_vesting",
    "adjust_weight",
    "advance",
    "apply_guardians",
    "apply_power_cap",
    "cap_weights",
    "claim_window",
    "collateral_for_weight",
    "confirmation_scaled_weight",
    "decay_factor",
    "deterministic_fraction",
    "downtime_slash",
    "epoch_reward",
    "epoch_rewards",
    "guardian_params",
    "jailed_until",
    "launch_reward",
    "launch_status",
    "liveness",
    "mainnet_tally_params",
    "max_missed",
    "min_validation_average",
    "miss_rate",
    "network_mature",
    "reputation",
    "required_collateral",
    "settle",
    "should_validate",
    "slash_base",
    "slash_collateral",
    "smallest_flip",
    "sprt_status",
    "supply_projection",
    "table_reward",
    "tally",
    "unjail_options",
    "vesting_schedule",
    "z_score",
]
