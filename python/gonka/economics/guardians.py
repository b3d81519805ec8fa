"""The genesis-guardian rule (``module/genesis_guardian_enhancement.go``): while the network is immature, the
guardian validators' staking (hence governance) power is raised to a fixed share of the others' power.

Applies when enabled, the network is immature, there are at least 2 validators and at least one guardian among
them. Immature: total power below the maturity threshold, or (v0.2.7+) block height below the minimum height.
Then with G = guardians' power and O = everyone else's, ``E = O * multiplier`` (shopspring); if E < G nothing
changes, else each present guardian's power is replaced by ``IntPart(Div(E, guardians present))``. Values:
multiplier 0.52 and threshold 2,000,000 at launch; threshold 15,000,000 and minimum height 3,000,000 from
v0.2.7; multiplier 0.33334 from v0.2.13. Rewards never see this boost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gonka.economics.params import GenesisOnlyParams, GuardianParams
from gonka.economics.release import V0_2_7, V0_2_13, Release
from gonka.economics.shop_decimal import ShopDecimal
from gonka.errors import InvalidInput

V0_2_7_MATURITY_THRESHOLD = 15_000_000
V0_2_7_MATURITY_MIN_HEIGHT = 3_000_000
V0_2_13_MULTIPLIER = ShopDecimal(33334, -5)


@dataclass(frozen=True)
class GuardianResult:
    powers: tuple[int, ...]
    applied: bool
    reason: str


def guardian_params(
    genesis: GenesisOnlyParams,
    release: Release,
    *,
    params_section: GuardianParams | None = None,
) -> GuardianParams:
    """The guardian parameters in force at ``release``: the genesis values, with the v0.2.7 move of threshold,
    minimum height and addresses into ``params.genesis_guardian_params`` (``params_section``, when read from
    chain; else the values the v0.2.7 upgrade wrote) and the v0.2.13 multiplier.
    """
    multiplier = genesis.genesis_guardian_multiplier or ShopDecimal(0)
    if release >= V0_2_13:
        multiplier = V0_2_13_MULTIPLIER
    if release < V0_2_7:
        return GuardianParams(
            enabled=genesis.genesis_guardian_enabled,
            multiplier=multiplier,
            maturity_threshold=genesis.genesis_guardian_network_maturity_threshold,
            maturity_min_height=0,
            addresses=genesis.genesis_guardian_addresses,
        )
    if params_section is not None:
        return GuardianParams(
            enabled=genesis.genesis_guardian_enabled,
            multiplier=multiplier,
            maturity_threshold=params_section.maturity_threshold,
            maturity_min_height=params_section.maturity_min_height,
            addresses=params_section.addresses,
        )
    return GuardianParams(
        enabled=genesis.genesis_guardian_enabled,
        multiplier=multiplier,
        maturity_threshold=V0_2_7_MATURITY_THRESHOLD,
        maturity_min_height=V0_2_7_MATURITY_MIN_HEIGHT,
        addresses=genesis.genesis_guardian_addresses,
    )


def network_mature(total_power: int, height: int, params: GuardianParams) -> bool:
    """Mature: total power at the threshold and the height at the minimum (``InNetworkMature``).

    Follows v0.2.7+ (minimum height); at launch pass ``maturity_min_height = 0``.
    """
    return total_power >= params.maturity_threshold and height >= params.maturity_min_height


def apply_guardians(
    operators: Sequence[str], powers: Sequence[int], params: GuardianParams, *, height: int
) -> GuardianResult:
    """Staking powers after the guardian rule at block ``height`` (order preserved).

    Follows v0.2.0 - v0.2.16; the release's values come from :func:`guardian_params`.
    """
    if len(operators) != len(powers):
        raise InvalidInput("operators and powers must have the same length")
    values = tuple(int(p) for p in powers)
    total = sum(values)
    guardians = set(params.addresses)
    present = [i for i, operator in enumerate(operators) if operator in guardians]
    if not params.enabled:
        return GuardianResult(values, False, "guardian rule disabled")
    if network_mature(total, height, params):
        return GuardianResult(values, False, "network mature")
    if len(values) < 2:
        return GuardianResult(values, False, "fewer than 2 validators")
    if not present:
        return GuardianResult(values, False, "no guardian among the validators")
    guardian_power = sum(values[i] for i in present)
    enhancement = ShopDecimal(total - guardian_power) * params.multiplier
    if enhancement < ShopDecimal(guardian_power):
        return GuardianResult(values, False, "guardians already hold more than the boost")
    each = enhancement.div(ShopDecimal(len(present))).int_part()
    raised = set(present)
    boosted = tuple(each if i in raised else v for i, v in enumerate(values))
    return GuardianResult(boosted, True, f"{len(present)} guardian(s) raised to {each} each")
