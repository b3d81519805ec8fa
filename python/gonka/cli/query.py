"""`gonka query`: query the chain (participants, epochs, rewards, governance, validator liveness)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gonka.cli._chain import (
    DEFAULT_NODE,
    JsonOption,
    NodeOption,
    TimeoutOption,
    console,
    emit,
    field_table,
    gnk,
    node_client,
)

app = typer.Typer(help="Query the chain.", no_args_is_help=True)


@app.command()
def tally(
    proposal_id: Annotated[int, typer.Argument(min=0, help="Governance proposal id.")],
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Current tally of a governance proposal (vote weight = PoC weight), with its status."""
    with node_client(node, timeout) as client:
        proposal = client.proposal(proposal_id)
        result = client.tally(proposal_id)

    def render() -> None:
        table = Table(
            title=f"Proposal {proposal.id}: {proposal.title}  [{proposal.status}]", title_justify="left"
        )
        for column in ("option", "votes", "share"):
            table.add_column(column, justify="right" if column != "option" else "left")
        total = result.total or 1
        for option, votes in (
            ("yes", result.yes_count),
            ("no", result.no_count),
            ("no_with_veto", result.no_with_veto_count),
            ("abstain", result.abstain_count),
        ):
            table.add_row(option, str(votes), f"{100 * votes / total:.2f}%")
        console.print(table)
        console.print(f"yes / (yes + no + no_with_veto) = {100 * result.yes_ratio:.2f}%")
        if proposal.voting_end_time:
            console.print(f"voting ends {proposal.voting_end_time.isoformat()}")

    emit({"proposal": proposal, "tally": result}, as_json, render)


@app.command()
def participant(
    address: Annotated[str, typer.Argument(help="Participant (cold account) address, gonka1...")],
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """A participant's on-chain record: status, weight, URL, keys, current epoch stats."""
    with node_client(node, timeout) as client:
        p = client.participant(address)

    def render() -> None:
        rows = [
            ("address", p.address),
            ("status", p.status),
            ("weight", p.weight),
            ("inference_url", p.inference_url),
            ("validator_key", p.validator_key),
            ("worker_public_key", p.worker_public_key),
            ("epochs_completed", p.epochs_completed),
            ("coin_balance", gnk(p.coin_balance)),
            ("join_height", p.join_height),
        ]
        if p.current_epoch_stats:
            s = p.current_epoch_stats
            rows += [
                ("epoch inferences", s.inference_count),
                ("epoch missed", s.missed_requests),
                ("epoch validated / invalidated", f"{s.validated_inferences} / {s.invalidated_inferences}"),
                ("epoch earned", gnk(s.earned_coins)),
            ]
        console.print(field_table("Participant", rows))

    emit(p, as_json, render)


@app.command()
def epoch(
    epoch_id: Annotated[str, typer.Argument(help="Epoch number, or 'current'.")] = "current",
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Active participants of an epoch (from the API node's /v1/epochs/{N|current}/participants)."""
    if epoch_id != "current" and not epoch_id.isdigit():
        raise typer.BadParameter(f"epoch must be a non-negative number or 'current', got {epoch_id!r}")
    with node_client(node, timeout) as client:
        ep = client.epoch_participants(epoch_id if epoch_id == "current" else int(epoch_id))

    def render() -> None:
        title = (
            f"Epoch {ep.epoch_id}: {len(ep.participants)} participants, total weight {ep.total_weight} "
            f"(PoC start {ep.poc_start_block_height}, effective {ep.effective_block_height})"
        )
        table = Table(title=title, title_justify="left")
        for column in ("participant", "weight", "share", "inference_url", "models"):
            table.add_column(column, justify="right" if column in ("weight", "share") else "left")
        total = ep.total_weight or 1
        for p in sorted(ep.participants, key=lambda p: -p.weight):
            table.add_row(
                p.index, str(p.weight), f"{100 * p.weight / total:.2f}%", p.inference_url, ", ".join(p.models)
            )
        console.print(table)
        for x in ep.excluded_participants:
            console.print(f"excluded: {x.address} ({x.reason}, block {x.exclusion_block_height})")

    emit(ep, as_json, render)


@app.command("signing-info")
def signing_info(
    address: Annotated[
        str, typer.Argument(help="Account (gonka1), operator (gonkavaloper1) or consensus address.")
    ],
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Validator liveness: jailed?, missed blocks in the slashing window."""
    with node_client(node, timeout) as client:
        s = client.validator_signing(address)

    def render() -> None:
        rows = [
            ("consensus address", s.consensus_address),
            ("operator address", s.operator_address),
            ("jailed", "YES" if s.jailed else "no"),
            ("jailed until", s.jailed_until.isoformat() if s.jailed_until else None),
            ("tombstoned", s.tombstoned),
            ("missed blocks", f"{s.missed_blocks} of the last {s.window} (jailed above {s.max_missed})"),
        ]
        console.print(field_table("Validator signing", rows))
        if s.jailed:
            console.print("unjail after the jail time with: gonka tx unjail")

    emit(s, as_json, render)


@app.command()
def perf(
    address: Annotated[str, typer.Argument(help="Participant address, gonka1...")],
    epoch_index: Annotated[
        int | None, typer.Option("--epoch", min=0, help="Epoch index (default: the last settled one).")
    ] = None,
    node: NodeOption = DEFAULT_NODE,
    as_json: JsonOption = False,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Epoch performance summary of a participant: inferences, misses, rewards, claimed or not."""
    with node_client(node, timeout) as client:
        if epoch_index is None:
            epoch_index = max(0, client.current_epoch() - 1)
        s = client.epoch_performance(epoch_index, address)

    def render() -> None:
        rows = [
            ("epoch", s.epoch_index),
            ("participant", s.participant_id),
            ("inferences", s.inference_count),
            ("missed requests", s.missed_requests),
            ("validated / invalidated", f"{s.validated_inferences} / {s.invalidated_inferences}"),
            ("earned (work)", gnk(s.earned_coins)),
            ("rewarded", gnk(s.rewarded_coins)),
            ("burned", gnk(s.burned_coins)),
            ("claimed", s.claimed),
        ]
        console.print(field_table("Epoch performance", rows))
        if s.unclaimed_rewards:
            console.print(f"rewards not claimed: gonka admin claim-recover --epoch {s.epoch_index}")

    emit(s, as_json, render)


@app.command()
def params(
    node: NodeOption = DEFAULT_NODE, as_json: JsonOption = False, timeout: TimeoutOption = 10.0
) -> None:
    """Inference module parameters: PoC (r_target when on chain), fees, epochs."""
    with node_client(node, timeout) as client:
        p = client.inference_params()

    def render() -> None:
        poc = p.poc_params
        rows = [
            (
                "r_target",
                p.r_target if p.r_target is not None else "not on chain (launch: 1.4013564660458173)",
            ),
            ("poc_v2_enabled", poc.poc_v2_enabled if poc else None),
            ("min_gas_price_ngonka", p.min_gas_price_ngonka),
            ("epoch_length", (p.epoch_params or {}).get("epoch_length")),
        ]
        console.print(field_table("Inference params", rows))

    emit(p, as_json, render)
