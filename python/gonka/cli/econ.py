"""`gonka econ`: a host's money and power, to the ngonka, live from the chain or offline from numbers.

Every command prints a Rich table, or JSON with ``--json``. Live commands read the node given by ``--node``
and apply the rules of the chain's release (detected, or ``--release``); offline variants take numbers instead
of an address or proposal and start from the mainnet values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from gonka.cli._chain import (
    DEFAULT_NODE,
    JsonOption,
    NodeOption,
    TimeoutOption,
    console,
    field_table,
    gnk,
    gnk_value,
    node_client,
    reported_errors,
    to_jsonable,
)
from gonka.economics import collateral as collateral_model
from gonka.economics import jailing, params, rewards
from gonka.economics.legacy_dec import LegacyDec
from gonka.economics.release import NEWEST_KNOWN, V0_2_8, Release
from gonka.economics.schedule import BlockClock, EpochSchedule
from gonka.economics.shop_decimal import ShopDecimal
from gonka.economics.tally import OPTIONS, Votes, mainnet_tally_params, smallest_flip
from gonka.economics.tally import tally as tally_votes
from gonka.errors import InvalidInput

app = typer.Typer(
    help="Host economics: rewards, collateral, vote weight, jailing, tallies and the epoch schedule.",
    no_args_is_help=True,
)

ReleaseOption = Annotated[
    str | None,
    typer.Option(
        "--release",
        help=f"Chain release whose rules apply (e.g. v0.2.15). Live: detected when omitted; offline: "
        f"{NEWEST_KNOWN}.",
    ),
]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Use the numbers given instead of the chain.")]
PlotOption = Annotated[Path | None, typer.Option("--plot", help="Also draw a PNG to this path.")]

# Plots without a range show the reward curve from the first epoch until minting stops (~17,600 epochs).
DEFAULT_PLOT_EPOCHS = 20_000
MAX_EPOCHS = 1_000_000


# --- output ---


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(to_jsonable(value), indent=2))


def _plain(value: LegacyDec | ShopDecimal) -> str:
    """A decimal without trailing zeros, for tables (JSON keeps the chain's own form)."""
    text = format(value.to_decimal().normalize(), "f")
    return text


def _percent(value: LegacyDec) -> str:
    return f"{value.to_decimal() * 100:.4f}%"


def _when(clock: BlockClock | None, height: int) -> str:
    if clock is None:
        return ""
    return clock.time_at(height).strftime("%Y-%m-%d %H:%M UTC")


def _release(text: str | None) -> Release | None:
    if text is None:
        return None
    try:
        return Release.parse(text)
    except InvalidInput as e:
        raise typer.BadParameter(str(e), param_hint="--release") from None


def _offline_release(text: str | None) -> Release:
    return _release(text) or NEWEST_KNOWN


def _formula(release: Release) -> str:
    return "table power q^n (v0.2.8+)" if release >= V0_2_8 else "float64 exp (launch)"


def _legacy(text: str, name: str) -> LegacyDec:
    try:
        return LegacyDec.from_str(text)
    except InvalidInput as e:
        raise typer.BadParameter(str(e), param_hint=name) from None


# --- reward ---


def _reward_points(
    first: int,
    last: int,
    reward_params: params.BitcoinRewardParams,
    release: Release,
    minted: int,
    cap: int | None,
) -> list[rewards.SupplyPoint]:
    return rewards.supply_projection(
        first,
        last,
        reward_params,
        release,
        minted_before=minted,
        supply_cap=cap if cap is not None else 2**63,
    )


def _reward_table(rows: list[tuple[int, int]], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("epoch", justify="right")
    table.add_column("R(e) ngonka", justify="right")
    table.add_column("GNK", justify="right")
    shown = rows if len(rows) <= 24 else [*rows[:12], (-1, -1), *rows[-12:]]
    for epoch, reward in shown:
        if epoch < 0:
            table.add_row("...", "...", "...")
        else:
            table.add_row(str(epoch), str(reward), gnk_value(reward))
    return table


@app.command()
def reward(
    epoch: Annotated[
        int | None, typer.Option("--epoch", min=0, help="Epoch to settle (default: latest).")
    ] = None,
    first: Annotated[int | None, typer.Option("--from", min=0, help="First epoch of a range.")] = None,
    last: Annotated[int | None, typer.Option("--to", min=0, help="Last epoch of a range.")] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Host (gonka1...): its expected share of the epoch.")
    ] = None,
    plot: PlotOption = None,
    release_text: ReleaseOption = None,
    offline: OfflineOption = False,
    initial_reward: Annotated[
        int | None, typer.Option("--initial-reward", min=0, help="Offline: initial_epoch_reward (ngonka).")
    ] = None,
    decay_rate: Annotated[
        str | None, typer.Option("--decay-rate", help="Offline: decay_rate, e.g. -0.000475.")
    ] = None,
    genesis_epoch: Annotated[
        int | None, typer.Option("--genesis-epoch", min=0, help="Offline: genesis_epoch.")
    ] = None,
    minted: Annotated[
        int, typer.Option("--minted", min=0, help="Offline: supply minted before the first epoch (ngonka).")
    ] = 0,
    cap: Annotated[int | None, typer.Option("--cap", min=0, help="Offline: supply cap (ngonka).")] = None,
    weight: Annotated[int | None, typer.Option("--weight", min=0, help="Offline: the host's weight.")] = None,
    total_weight: Annotated[
        int | None, typer.Option("--total-weight", min=1, help="Offline: total weight of the epoch.")
    ] = None,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Epoch reward R(e) for an epoch or a range, a host's expected share, and the supply curve (--plot)."""
    if epoch is not None and (first is not None or last is not None):
        raise typer.BadParameter("give --epoch or --from/--to, not both")
    if last is not None and first is None:
        raise typer.BadParameter("--to needs --from")
    start = epoch if epoch is not None else first
    end = epoch if epoch is not None else (last if last is not None else first)
    outlook: Any = None
    if offline:
        release = _offline_release(release_text)
        base = params.MAINNET_GENESIS.reward
        try:
            reward_params = params.BitcoinRewardParams(
                initial_epoch_reward=base.initial_epoch_reward if initial_reward is None else initial_reward,
                decay_rate=base.decay_rate if decay_rate is None else ShopDecimal.from_str(decay_rate),
                genesis_epoch=base.genesis_epoch if genesis_epoch is None else genesis_epoch,
            )
        except InvalidInput as e:
            raise typer.BadParameter(str(e)) from None
        supply_cap: int | None = (
            params.MAINNET_GENESIS.genesis_only.standard_reward_amount if cap is None else cap
        )
        current: int | None = None
        minted_now = minted
    else:
        offline_only = (initial_reward, decay_rate, genesis_epoch, cap, weight, total_weight)
        if any(v is not None for v in offline_only) or minted:
            raise typer.BadParameter(
                "--initial-reward, --decay-rate, --genesis-epoch, --minted, --cap, --weight and "
                "--total-weight are for --offline"
            )
        with node_client(node, timeout) as client:
            outlook = client.reward_outlook(start, end, address=address, release=_release(release_text))
        release, reward_params, supply_cap = outlook.release, outlook.params, outlook.supply_cap
        current = outlook.current_epoch
        minted_now = outlook.total_subsidies
        if start is None and plot is None:
            start = end = current
    if start is None or end is None:
        if plot is None:
            raise typer.BadParameter("offline: give --epoch or --from/--to")
        start, end = reward_params.genesis_epoch, reward_params.genesis_epoch + DEFAULT_PLOT_EPOCHS
    with reported_errors():
        if end < start or end - start >= MAX_EPOCHS:
            raise InvalidInput(
                f"epoch range {start}..{end} must be ascending and hold at most {MAX_EPOCHS:,} epochs"
            )
        minted_before = minted_now
        if current is not None and start != current:
            # Live supply counts epochs settled before the latest one; move it to the range's first epoch.
            low, high = sorted((start, current))
            moved = sum(rewards.epoch_rewards(low, high - 1, reward_params, release))
            minted_before = max(0, minted_now - moved) if start < current else minted_now + moved
        points = _reward_points(start, end, reward_params, release, minted_before, supply_cap)
        host_offline = None
        if offline and (weight is not None or total_weight is not None):
            if weight is None or total_weight is None or start != end:
                raise InvalidInput("a host's share needs --weight, --total-weight and a single epoch")
            host_offline = {
                "weight": weight,
                "total_weight": total_weight,
                "share": weight * points[0].reward // total_weight,
            }
        picture = None
        if plot is not None:
            from gonka.economics.plots import plot_rewards

            title = f"Gonka epoch reward and minted supply ({release}, {_formula(release)})"
            picture = plot_rewards(points, supply_cap, plot, title=title, mark_epoch=current)
    rows = [(p.epoch, p.reward) for p in points]
    total = sum(r for _, r in rows)
    supported = release < V0_2_8 or rewards.decay_factor(reward_params.decay_rate) is not None
    result = {
        "release": release,
        "formula": _formula(release),
        "decay_rate_supported": supported,
        "params": reward_params,
        "current_epoch": current,
        "rewards": [{"epoch": p.epoch, "reward": p.reward, "minted": p.minted} for p in points],
        "total": total,
        "minted_before": minted_before,
        "supply_cap": supply_cap,
        "host": outlook.host if outlook is not None else host_offline,
        "plot": picture,
    }
    if as_json:
        _print_json(result)
        return
    console.print(_reward_table(rows, f"Epoch reward, {release} ({_formula(release)})"))
    console.print(f"total over {len(rows)} epoch(s): {gnk(total)}")
    if not supported:
        console.print(
            f"[yellow]decay rate {reward_params.decay_rate} is not in the chain's table: R = 0[/yellow]"
        )
    if supply_cap is not None:
        console.print(f"minted before epoch {start}: {gnk(minted_before)} of the {gnk(supply_cap)} cap")
    else:
        console.print("[yellow]the node does not serve the genesis file: supply cap unknown[/yellow]")
    if outlook is not None and outlook.host is not None:
        h = outlook.host
        expected = gnk(h.expected) if h.expected is not None else "split rule not modelled for this release"
        rows_host: list[tuple[str, Any]] = [
            ("host", h.address),
            ("epoch", h.epoch),
            ("weight", f"{h.weight} of {h.total_weight} (weights of epoch {h.weights_epoch})"),
            ("expected reward", expected),
            ("settled reward", gnk(h.settled) if h.settled is not None else "not settled"),
            ("claimed", h.claimed),
        ]
        console.print(
            field_table("Host share (if ACTIVE, fully confirmed, passing the downtime test)", rows_host)
        )
    elif host_offline is not None:
        console.print(f"host share (before the power cap): {gnk(host_offline['share'])}")
    if picture is not None:
        console.print(f"plot written to {picture}")


# --- collateral ---


@app.command()
def collateral(
    weight: Annotated[int, typer.Option("--weight", min=0, help="Potential (PoC) weight W.")],
    held: Annotated[
        int | None,
        typer.Option("--collateral", min=0, help="Collateral held (ngonka): what weight it activates."),
    ] = None,
    upcoming_epoch: Annotated[
        int | None,
        typer.Option("--epoch", min=0, help="Epoch the weight is for (live default: the next one)."),
    ] = None,
    offline: OfflineOption = False,
    base_weight_ratio: Annotated[
        str | None, typer.Option("--base-weight-ratio", help="Offline: base_weight_ratio (genesis 0.2).")
    ] = None,
    per_weight_unit: Annotated[
        str | None,
        typer.Option("--per-weight-unit", help="Offline: collateral_per_weight_unit (genesis 4.2)."),
    ] = None,
    grace_end: Annotated[
        int | None, typer.Option("--grace-end", min=0, help="Offline: grace_period_end_epoch (genesis 180).")
    ] = None,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Collateral needed for weight W (with the suggested 2x buffer) and what a deposit activates."""
    if offline:
        base = params.MAINNET_GENESIS.collateral
        collateral_params = params.CollateralParams(
            base_weight_ratio=base.base_weight_ratio
            if base_weight_ratio is None
            else _legacy(base_weight_ratio, "--base-weight-ratio"),
            collateral_per_weight_unit=base.collateral_per_weight_unit
            if per_weight_unit is None
            else _legacy(per_weight_unit, "--per-weight-unit"),
            grace_period_end_epoch=base.grace_period_end_epoch if grace_end is None else grace_end,
            slash_fraction_invalid=base.slash_fraction_invalid,
            slash_fraction_downtime=base.slash_fraction_downtime,
        )
        if upcoming_epoch is None:
            raise typer.BadParameter("offline: give --epoch (the epoch the weight is for)")
        target_epoch = upcoming_epoch
    else:
        if any(v is not None for v in (base_weight_ratio, per_weight_unit, grace_end)):
            raise typer.BadParameter(
                "--base-weight-ratio, --per-weight-unit and --grace-end are for --offline"
            )
        with node_client(node, timeout) as client:
            info = client.epoch_info()
            collateral_params = info.params.collateral()
            schedule = EpochSchedule(
                info.latest_epoch.index, info.latest_epoch.poc_start_block_height, info.params.epoch()
            )
        # Weights are fixed at the latest epoch's end-of-validation block; after it, the next epoch's count.
        upcoming = info.latest_epoch.index + (0 if info.block_height < schedule.end_of_validation else 1)
        target_epoch = upcoming if upcoming_epoch is None else upcoming_epoch
    with reported_errors():
        need = collateral_model.required_collateral(weight, collateral_params, upcoming_epoch=target_epoch)
        adjusted = (
            collateral_model.adjust_weight(weight, held, collateral_params, upcoming_epoch=target_epoch)
            if held is not None
            else None
        )
    result = {"epoch": target_epoch, "params": collateral_params, "need": need, "with_collateral": adjusted}
    if as_json:
        _print_json(result)
        return
    rows: list[tuple[str, Any]] = [
        ("weight (potential)", weight),
        ("for epoch", target_epoch),
        (
            "base_weight_ratio / per weight unit",
            f"{_plain(collateral_params.base_weight_ratio)} / "
            f"{_plain(collateral_params.collateral_per_weight_unit)} ngonka",
        ),
    ]
    if need.in_grace_period:
        rows.append(
            (
                "collateral needed",
                f"none: epoch {target_epoch} is within the grace period "
                f"(<= {collateral_params.grace_period_end_epoch})",
            )
        )
    else:
        rows += [
            ("required for full weight", gnk(need.full_activation)),
            (f"suggested ({collateral_model.SUGGESTED_BUFFER}x buffer)", gnk(need.suggested)),
            ("slash base (required collateral, v0.2.11+)", gnk(need.slash_base)),
            (
                "weight without collateral",
                collateral_model.adjust_weight(
                    weight, 0, collateral_params, upcoming_epoch=target_epoch
                ).effective_weight,
            ),
        ]
    if adjusted is not None:
        rows.append((f"weight with {held} ngonka", adjusted.effective_weight))
    console.print(field_table("Collateral", rows))


# --- vote weight ---


@app.command("vote-weight")
def vote_weight(
    address: Annotated[
        str | None, typer.Argument(help="Host account (gonka1) or operator (gonkavaloper1).")
    ] = None,
    power: Annotated[int | None, typer.Option("--power", min=0, help="Offline: the host's power.")] = None,
    bonded: Annotated[
        int | None, typer.Option("--bonded", min=1, help="Offline: total bonded power.")
    ] = None,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Governance power of a host: its power, share, and whether it counts (bonded, top 100, not jailed)."""
    if address is None:
        if power is None or bonded is None:
            raise typer.BadParameter("give an ADDRESS, or --power and --bonded for the offline share")
        share = LegacyDec.from_int(power).quo(LegacyDec.from_int(bonded))
        result: Any = {"power": power, "bonded_total": bonded, "share": share}
        if as_json:
            _print_json(result)
        else:
            console.print(
                field_table("Vote weight", [("power", power), ("bonded", bonded), ("share", _percent(share))])
            )
        return
    if power is not None or bonded is not None:
        raise typer.BadParameter("--power and --bonded replace the ADDRESS; give one or the other")
    with node_client(node, timeout) as client:
        weight = client.vote_weight(address)
    if as_json:
        _print_json(weight)
        return
    rows: list[tuple[str, Any]] = [
        ("operator", weight.operator_address),
        ("moniker", weight.moniker),
        ("power (tokens)", weight.power),
        ("share of bonded power", f"{_percent(weight.share)} of {weight.bonded_total}"),
        ("status", weight.status + (" (jailed)" if weight.jailed else "")),
        ("rank among bonded", f"{weight.rank} of max {weight.max_validators}" if weight.rank else "-"),
        ("counts in a tally now", "yes" if weight.counts else "no: " + "; ".join(weight.reasons)),
    ]
    console.print(field_table("Vote weight", rows))


# --- jail ---


@app.command()
def jail(
    address: Annotated[
        str | None, typer.Argument(help="Account (gonka1), operator (gonkavaloper1) or consensus address.")
    ] = None,
    missed: Annotated[
        int | None, typer.Option("--missed", min=0, help="Offline: misses in the window.")
    ] = None,
    power: Annotated[int | None, typer.Option("--power", min=0, help="Offline: consensus power.")] = None,
    held: Annotated[int, typer.Option("--collateral", min=0, help="Offline: collateral held (ngonka).")] = 0,
    release_text: ReleaseOption = None,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Misses in the signing window, blocks of margin left, jailed_until, and how to get unjailed."""
    if address is None:
        if missed is None:
            raise typer.BadParameter("give an ADDRESS, or --missed (and --power) for the offline margin")
        release = _offline_release(release_text)
        slashing = params.MAINNET_GENESIS.slashing
        with reported_errors():
            state = jailing.SigningState(start_height=0, index_offset=10**9, missed_blocks_counter=missed)
            margin = jailing.liveness(state, slashing, next_height=10**9)
            slash = (
                jailing.downtime_slash(power, power, slashing, release, collateral_active=held)
                if power is not None
                else None
            )
        result: Any = {"liveness": margin, "slash_if_jailed": slash, "params": slashing}
        if as_json:
            _print_json(result)
            return
        rows: list[tuple[str, Any]] = [
            ("missed in window", f"{missed} of {margin.window} (jailed above {margin.max_missed})"),
            ("misses in a row to jail", f"{margin.misses_to_jail} or more (lower bound without the bitmap)"),
        ]
        if slash is not None:
            rows += _slash_rows(slash)
        console.print(field_table("Liveness (offline)", rows))
        return
    if missed is not None or power is not None:
        raise typer.BadParameter("--missed and --power replace the ADDRESS; give one or the other")
    with node_client(node, timeout) as client:
        status = client.jail_status(address)
        release = _release(release_text) or client.chain_release().parsed()
    slash = (
        jailing.downtime_slash(status.power, status.power, status.params, release)
        if status.power is not None
        else None
    )
    if as_json:
        _print_json({"status": status, "release": release, "slash_if_jailed": slash})
        return
    live = status.liveness
    rows = [
        ("consensus address", status.consensus_address),
        ("operator", status.operator_address),
        ("jailed", "YES" if status.jailed else "no"),
        ("missed in window", f"{live.missed} of {live.window} (jailed above {live.max_missed})"),
        (
            "margin",
            f"{live.margin} more block(s) may be missed in a row"
            + ("" if live.exact else " at least (bitmap not served: assumes no miss leaves the window)"),
        ),
        (
            "latest block",
            f"{status.latest_height} at {status.latest_time:%Y-%m-%d %H:%M:%S UTC}"
            if status.latest_time
            else status.latest_height,
        ),
    ]
    if status.latest_height + 1 < live.jail_possible_from:
        rows.append(("grace", f"cannot be jailed before block {live.jail_possible_from}"))
    if status.signing.jailed_until is not None:
        rows.append(("jailed_until", status.signing.jailed_until.isoformat()))
    unjail = status.unjail
    if unjail.jailed and unjail.tombstoned:
        rows.append(("unjail", "never: tombstoned (double sign)"))
    elif unjail.jailed:
        manual = (
            "now"
            if unjail.manual_now
            else f"from {unjail.manual_from:%Y-%m-%d %H:%M:%S UTC}"
            if unjail.manual_from
            else "now"
        )
        rows.append(("unjail by tx", f"{manual}: gonka tx unjail"))
        when = _when(status.clock, status.next_epoch_switch)
        rows.append(
            (
                "automatic unjail",
                f"at the epoch switch, block {status.next_epoch_switch}"
                + (f" (~{when})" if when else "")
                + ", if still in the active set",
            )
        )
    if slash is not None:
        rows += _slash_rows(slash)
    console.print(field_table("Liveness", rows))


def _slash_rows(slash: jailing.DowntimeSlash) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("if jailed: power cut", f"{slash.power_burned} (until the next epoch)"),
    ]
    if slash.collateral is not None:
        rows.append(
            (
                "if jailed: collateral slash",
                f"{gnk(slash.collateral.slashed)} "
                f"(fraction {_plain(slash.fraction)}, to {slash.collateral.destination})",
            )
        )
    return rows


# --- tally ---


@app.command("tally")
def tally_command(
    proposal_id: Annotated[int | None, typer.Argument(min=0, help="Governance proposal id.")] = None,
    yes: Annotated[int | None, typer.Option("--yes", min=0, help="Offline: yes power.")] = None,
    no: Annotated[int, typer.Option("--no", min=0, help="Offline: no power.")] = 0,
    veto: Annotated[int, typer.Option("--veto", min=0, help="Offline: no-with-veto power.")] = 0,
    abstain: Annotated[int, typer.Option("--abstain", min=0, help="Offline: abstain power.")] = 0,
    bonded: Annotated[
        int | None, typer.Option("--bonded", min=0, help="Offline: total bonded power.")
    ] = None,
    expedited: Annotated[bool, typer.Option("--expedited", help="Offline: an expedited proposal.")] = False,
    release_text: ReleaseOption = None,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Quorum, veto and threshold arithmetic of a proposal now, and the smallest vote that flips it."""
    if proposal_id is None:
        if yes is None or bonded is None:
            raise typer.BadParameter("give a PROPOSAL_ID, or --yes/--no/--veto/--abstain and --bonded")
        votes = Votes(yes, no, veto, abstain)
        tally_params = mainnet_tally_params(_offline_release(release_text))
        with reported_errors():
            outcome = tally_votes(votes, bonded, tally_params, expedited=expedited)
            available = max(0, bonded - votes.total)
            flips = tuple(
                smallest_flip(votes, bonded, tally_params, o, expedited=expedited, available=available)
                for o in OPTIONS
            )
        title, final = "Tally (offline)", False
    else:
        if yes is not None or bonded is not None:
            raise typer.BadParameter("vote counts replace the PROPOSAL_ID; give one or the other")
        with node_client(node, timeout) as client:
            now = client.tally_outlook(proposal_id)
        votes, bonded, tally_params, outcome, flips, final = (
            now.votes,
            now.bonded_total,
            now.params,
            now.outcome,
            now.flips,
            now.final,
        )
        expedited = now.proposal.expedited
        title = f"Proposal {now.proposal.id}: {now.proposal.title} [{now.proposal.status}]"
    result = {
        "votes": votes,
        "bonded_total": bonded,
        "params": tally_params,
        "expedited": expedited,
        "final": final,
        "outcome": outcome,
        "flips": flips,
    }
    if as_json:
        _print_json(result)
        return
    table = Table(title=title, title_justify="left")
    for column in ("test", "value", "needs", "ok"):
        table.add_column(column)
    threshold = tally_params.expedited_threshold if expedited else tally_params.threshold
    table.add_row(
        "turnout",
        _percent(outcome.turnout),
        f">= {_percent(tally_params.quorum)}",
        "yes" if outcome.turnout >= tally_params.quorum else "no",
    )
    table.add_row(
        "veto",
        _percent(outcome.veto_share),
        f"<= {_percent(tally_params.veto_threshold)}",
        "yes" if outcome.veto_share <= tally_params.veto_threshold else "no",
    )
    table.add_row(
        "yes / (yes + no + veto)",
        _percent(outcome.yes_share),
        f"> {_percent(threshold)}",
        "yes" if outcome.yes_share > threshold else "no",
    )
    console.print(table)
    verdict = "PASSES" if outcome.passes else f"REJECTED ({outcome.reason})"
    note = " (final votes, today's bonded power)" if final else " if voting ended now"
    console.print(f"{verdict}{note}; votes {votes.total} of {bonded} bonded")
    if outcome.burns_deposit:
        console.print("[red]the deposit would be burned[/red]")
    if outcome.becomes_regular:
        console.print(
            "expedited: a failing expedited proposal becomes a regular one with a new voting period"
        )
    for flip in flips:
        if flip.power is not None and flip.outcome is not None:
            console.print(
                f"  {flip.power} more {flip.option} -> "
                f"{'passes' if flip.outcome.passes else 'rejected (' + flip.outcome.reason + ')'}"
            )
        else:
            console.print(f"  no amount of {flip.option} changes the outcome")


# --- schedule ---


@app.command()
def schedule(
    plot: PlotOption = None,
    epoch_index: Annotated[int | None, typer.Option("--epoch", min=0, help="Offline: epoch index.")] = None,
    poc_start: Annotated[
        int | None, typer.Option("--poc-start", min=0, help="Offline: its PoC start height.")
    ] = None,
    height: Annotated[int | None, typer.Option("--height", min=0, help="Offline: mark this height.")] = None,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """The current epoch's stage boundaries, with wall-clock estimates from recent block times."""
    clock: BlockClock | None = None
    if epoch_index is not None or poc_start is not None:
        if epoch_index is None or poc_start is None:
            raise typer.BadParameter("offline: give both --epoch and --poc-start")
        with reported_errors():
            plan = EpochSchedule(epoch_index, poc_start, params.MAINNET_2026_EPOCH)
        now_height, phase = height, plan.phase_at(height) if height is not None else None
    else:
        if height is not None:
            raise typer.BadParameter("--height is for the offline schedule (with --epoch and --poc-start)")
        with node_client(node, timeout) as client:
            now = client.epoch_schedule()
        plan, now_height, phase, clock = now.schedule, now.height, now.phase, now.clock
    times = {s.height: clock.time_at(s.height) for s in plan.stages()} if clock else {}
    picture = None
    if plot is not None:
        from gonka.economics.plots import plot_schedule

        with reported_errors():
            picture = plot_schedule(plan, plot, height=now_height, times=times)
    result = {
        "epoch": plan.epoch_index,
        "poc_start": plan.poc_start,
        "params": plan.params,
        "height": now_height,
        "phase": phase,
        "seconds_per_block": float(clock.seconds_per_block) if clock else None,
        "stages": [
            {
                "name": s.name,
                "height": s.height,
                "description": s.description,
                "estimated_time": times.get(s.height),
            }
            for s in plan.stages()
        ],
        "plot": picture,
    }
    if as_json:
        _print_json(result)
        return
    title = f"Epoch {plan.epoch_index}" + (
        f" at block {now_height} ({phase})" if now_height is not None else ""
    )
    table = Table(title=title, title_justify="left")
    table.add_column("stage", no_wrap=True)
    table.add_column("block", justify="right")
    if now_height is not None:
        table.add_column("in blocks", justify="right")
    if clock is not None:
        table.add_column("estimated time", no_wrap=True)
    table.add_column("what happens")
    for stage in plan.stages():
        cells = [stage.name, str(stage.height)]
        if now_height is not None:
            cells.append(str(stage.height - now_height))
        if clock is not None:
            cells.append(_when(clock, stage.height))
        table.add_row(*cells, stage.description)
    console.print(table)
    if clock is not None:
        console.print(
            f"block time {float(clock.seconds_per_block):.3f} s over blocks "
            f"{clock.earlier_height}..{clock.latest_height}"
        )
    if picture is not None:
        console.print(f"plot written to {picture}")
