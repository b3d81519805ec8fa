"""Live economics: the client's typed queries and flows, and `gonka econ ...`, against a scripted loopback
node serving recorded response shapes (tests/fixtures/node), with the error paths: a missing proposal, a
pruned height, an unknown chain version. Expected numbers are derived by hand in the comments.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fixtures.node_server import NodeServer, fixture, json_reply, reply
from gonka.cli import app
from gonka.client import AsyncClient, Client, UnknownChainVersion
from gonka.client.economics import decode_bitmap_chunk, missed_block_key
from gonka.economics import MAINNET_GENESIS, Release, table_reward
from typer.testing import CliRunner

A = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
VALOPER = "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5"
VALCONS = "gonkavalcons1zw0vk557mv9umazutq75mshae90kdv0g0q0s9t"
INF = "/chain-api/productscience/inference/inference"
REST = "/chain-api"
RPC = "/chain-rpc"

runner = CliRunner(env={"COLUMNS": "220"})


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["econ", *args])
    return result.exit_code, result.stdout, result.stderr


def _all_bonded() -> dict[str, object]:
    pages = [fixture(f"validators_bonded_page{i}")["validators"] for i in (1, 2)]
    return {"validators": pages[0] + pages[1], "pagination": {"next_key": None, "total": "5"}}


def serve_chain(node: NodeServer) -> None:
    """A mainnet-like node at block 1,523,377 of epoch 174 (PoC start 1,520,000), release v0.2.15."""
    node.route("GET", f"{REST}/cosmos/base/tendermint/v1beta1/node_info", reply("node_info"))
    node.route("GET", f"{REST}/cosmos/upgrade/v1beta1/applied_plan/v0.2.16", reply("applied_plan_none"))
    node.route("GET", f"{REST}/cosmos/upgrade/v1beta1/applied_plan/v0.2.15", reply("applied_plan"))
    node.route("GET", f"{INF}/epoch_info", reply("epoch_info"))
    node.route("GET", f"{INF}/tokenomics_data", reply("tokenomics_data"))
    node.route("GET", f"{INF}/epoch_group_data/174", reply("epoch_group_data"))
    node.route("GET", f"{INF}/epoch_group_data/173", reply("epoch_group_data"))
    node.route("GET", f"{INF}/epoch_performance_summary/173/{A}", reply("epoch_performance"))
    node.route("GET", f"{RPC}/genesis", reply("genesis"))
    node.route("GET", f"{RPC}/status", reply("status"))
    node.route("GET", f"{RPC}/header", reply("header"))
    node.route("GET", f"{REST}/cosmos/gov/v1/params/tallying", reply("gov_params_tallying"))
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/params", reply("staking_params"))
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/validators", json_reply(_all_bonded()))
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/validators/{VALOPER}", reply("validator_bonded"))
    node.route("GET", f"{REST}/cosmos/slashing/v1beta1/signing_infos/{VALCONS}", reply("signing_info"))
    node.route("GET", f"{REST}/cosmos/slashing/v1beta1/params", reply("slashing_params"))
    node.route("GET", f"{RPC}/abci_query", reply("abci_missed_bitmap"))


# --- chain version ---


def test_chain_release_from_the_applied_plan(node: NodeServer) -> None:
    serve_chain(node)
    with Client(node.url, timeout=2) as client:
        release = client.chain_release()
    assert (release.release, release.source, release.applied_height) == ("v0.2.15", "upgrade plan", 1402000)
    assert release.parsed() == Release(0, 2, 15) and not release.newer_than_known
    # Probed newest first: v0.2.16 (not applied), then v0.2.15, and no further.
    probed = [r.path.rsplit("/", 1)[1] for r in node.requests if "applied_plan" in r.path]
    assert probed == ["v0.2.16", "v0.2.15"]


def test_chain_release_newer_node_version_wins(node: NodeServer) -> None:
    serve_chain(node)
    node.route(
        "GET",
        f"{REST}/cosmos/base/tendermint/v1beta1/node_info",
        json_reply({"application_version": {"version": "v0.3.1-rc2"}}),
    )
    with Client(node.url, timeout=2) as client:
        release = client.chain_release()
    assert (release.release, release.source, release.newer_than_known) == ("v0.3.1", "node version", True)


def test_unknown_chain_version(node: NodeServer) -> None:
    # No parsable node version and no upgrade-plan endpoint: the library refuses to guess.
    node.route(
        "GET",
        f"{REST}/cosmos/base/tendermint/v1beta1/node_info",
        json_reply({"application_version": {"version": "main-3f1c2b7"}}),
    )
    with Client(node.url, timeout=2) as client, pytest.raises(UnknownChainVersion, match="--release"):
        client.chain_release()
    code, _, err = invoke("reward", "--node", node.url)
    assert code == 1 and "cannot tell the chain's release" in err
    # Naming the release skips the detection.
    serve_chain(node)
    node.route(
        "GET",
        f"{REST}/cosmos/base/tendermint/v1beta1/node_info",
        json_reply({"application_version": {"version": ""}}),
    )
    node.route(
        "GET",
        f"{REST}/cosmos/upgrade/v1beta1/applied_plan/v0.2.16",
        json_reply({"code": 12, "message": "not implemented"}, 501),
    )
    code, out, _ = invoke("reward", "--epoch", "174", "--release", "v0.2.15", "--node", node.url, "--json")
    assert code == 0, out
    assert json.loads(out)["rewards"][0]["reward"] == table_reward(174, MAINNET_GENESIS.reward)


# --- typed inputs ---


def test_typed_inference_params_and_tokenomics(node: NodeServer) -> None:
    serve_chain(node)
    with Client(node.url, timeout=2) as client:
        info = client.epoch_info()
        tokenomics = client.tokenomics_data()
        group = client.epoch_group_data(174)
        tally_params = client.tally_params()
        staking = client.staking_params()
    assert (info.block_height, info.latest_epoch.index, info.latest_epoch.poc_start_block_height) == (
        1523377,
        174,
        1520000,
    )
    epoch = info.params.epoch()
    assert (epoch.epoch_length, epoch.poc_validation_duration, epoch.inference_validation_cutoff) == (
        15391,
        480,
        2,
    )
    collateral = info.params.collateral()
    assert (
        str(collateral.collateral_per_weight_unit) == "4.200000000000000000"
        and collateral.grace_period_end_epoch == 180
    )
    assert info.params.bitcoin_reward() == MAINNET_GENESIS.reward
    assert info.params.vesting().reward_vesting_period == 180
    assert info.params.validation().invalidation_h_threshold is not None
    assert tokenomics.total_subsidies == 55_722_404_133_000_000
    assert group.weight_of(A) == 1284 and sum(w.weight for w in group.validation_weights) == 10_000
    assert str(tally_params.quorum) == "0.250000000000000000" and staking.max_validators == 100


def test_genesis_only_params_plain_and_chunked(node: NodeServer) -> None:
    serve_chain(node)
    with Client(node.url, timeout=2) as client:
        plain = client.genesis_only_params()
    assert plain.standard_reward_amount == 680 * 10**15 and plain.genesis_guardian_addresses == (VALOPER,)
    node.route("GET", f"{RPC}/genesis", reply("genesis_too_large"))
    node.route("GET", f"{RPC}/genesis_chunked", reply("genesis_chunk_0"), reply("genesis_chunk_1"))
    with Client(node.url, timeout=2) as client:
        assert client.genesis_only_params() == plain
    assert [r.query["chunk"] for r in node.calls("GET", f"{RPC}/genesis_chunked")] == [["0"], ["1"]]


def test_missed_block_bitmap(node: NodeServer) -> None:
    serve_chain(node)
    with Client(node.url, timeout=2) as client:
        bitmap = client.missed_blocks(VALCONS, 100)
    assert bitmap is not None and len(bitmap) == 100 and sum(bitmap) == 37 and bitmap[36] and not bitmap[37]
    request = node.calls("GET", f"{RPC}/abci_query")[0]
    key = missed_block_key(VALCONS, 0)
    # 0x02 | length 20 | consensus address | chunk 0 as little-endian uint64
    assert key[:2] == b"\x02\x14" and key[-8:] == bytes(8) and request.query["data"] == ["0x" + key.hex()]
    assert request.query["path"] == ['"/store/slashing/key"']
    # A node that refuses raw store queries: no bitmap rather than an error.
    node.route(
        "GET",
        f"{RPC}/abci_query",
        json_reply({"jsonrpc": "2.0", "id": -1, "error": {"code": -32601, "message": "Method not found"}}),
    )
    with Client(node.url, timeout=2) as client:
        assert client.missed_blocks(VALCONS, 100) is None
    # 2 words hold at most 128 bits: a chunk that claims more is refused.
    with pytest.raises(Exception, match="claims 1024 bits"):
        decode_bitmap_chunk((1024).to_bytes(8, "big") + bytes(16))


# --- vote weight ---


def test_vote_weight_live(node: NodeServer) -> None:
    # Bonded: 3000, 3000, 2000, 1284 (this host), 716 = 10000 -> share 0.1284, rank 4 of max 100.
    serve_chain(node)
    pages = f"{REST}/cosmos/staking/v1beta1/validators"
    node.route("GET", pages, reply("validators_bonded_page1"), reply("validators_bonded_page2"))
    code, out, _ = invoke("vote-weight", A, "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["power"], data["rank"], data["bonded_total"], data["counts"]) == (1284, 4, 10000, True)
    assert data["share"] == "0.128400000000000000"
    # Two pages of validators were read, the second with the first's next key.
    assert [r.query.get("pagination.key") for r in node.calls("GET", pages)] == [None, ["FPHV8Q=="]]
    serve_chain(node)
    code, out, _ = invoke("vote-weight", VALOPER, "--node", node.url)
    assert code == 0 and "12.8400%" in out and "yes" in out


def test_vote_weight_that_does_not_count(node: NodeServer) -> None:
    serve_chain(node)
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/validators/{VALOPER}", reply("validator"))
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/params", json_reply({"params": {"max_validators": 3}}))
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/validators", reply("validators_bonded_page2"))
    with Client(node.url, timeout=2) as client:
        weight = client.vote_weight(A)
    assert not weight.counts and weight.rank is None
    assert weight.reasons == ("jailed", "not bonded (BOND_STATUS_UNBONDING)")
    code, _, err = invoke("vote-weight", "gonka1notanaddress", "--node", node.url)
    assert code == 1 and "error" in err


def test_vote_weight_async(node: NodeServer) -> None:
    serve_chain(node)
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/params", json_reply({"params": {"max_validators": 3}}))

    async def go() -> tuple[bool, int | None, tuple[str, ...]]:
        async with AsyncClient(node.url, timeout=2) as client:
            weight = await client.vote_weight(A)
            release = await client.chain_release()
            assert release.release == "v0.2.15"
            return weight.counts, weight.rank, weight.reasons

    assert asyncio.run(go()) == (False, 4, ("outside the top 3 bonded validators (rank 4)",))


# --- jail and schedule, with a pruned height ---


def test_jail_live_with_bitmap_and_pruned_height(node: NodeServer) -> None:
    # Signing info: offset 1523301 (next slot 1), 37 misses in slots 0..36. Slots 1..36 already hold misses,
    # so 36 new misses keep the count at 37; 14 more reach 51 > 50: 50 misses in a row jail, a margin of 49.
    serve_chain(node)
    node.route("GET", f"{RPC}/header", reply("header_pruned"), reply("header"))
    code, out, _ = invoke("jail", A, "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    live = data["status"]["liveness"]
    assert (live["misses_to_jail"], live["max_missed"], live["exact"]) == (50, 50, True)
    # The validator fixture is bonded here; jailed_until 08:30 lies ahead of the latest block (08:15:42).
    assert data["status"]["jailed"] is False and data["release"] == "v0.2.15"
    # Next epoch switch: 1,520,000 + 665 has passed, so the next one is 1,535,391 + 665.
    assert data["status"]["next_epoch_switch"] == 1_536_056
    # Pruned: asked for 1,523,377 - 1000, told the lowest is 1,523,000, then used that.
    assert [r.query["height"] for r in node.calls("GET", f"{RPC}/header")] == [["1522377"], ["1523000"]]
    # 377 blocks in 2111.2 s = 5.6 s per block.
    assert data["status"]["clock"]["earlier_height"] == 1523000
    # If jailed now: 1284 power -> trunc(12.84) = 12 burned.
    assert data["slash_if_jailed"]["power_burned"] == 12
    code, out, _ = invoke("jail", A, "--node", node.url)
    assert code == 0 and "49 more block(s)" in out


def test_jailed_validator_unjail_options(node: NodeServer) -> None:
    serve_chain(node)
    node.route("GET", f"{REST}/cosmos/staking/v1beta1/validators/{VALOPER}", reply("validator"))
    with Client(node.url, timeout=2) as client:
        status = client.jail_status(A)
    assert status.jailed and not status.unjail.manual_now
    assert status.unjail.manual_from == datetime(2026, 2, 10, 8, 30, tzinfo=timezone.utc)
    assert status.unjail.automatic_at_height == 1_536_056
    when = status.time_at(1_536_056)
    assert when is not None and when.year == 2026  # ~12,679 blocks ahead at 5.6 s
    code, out, _ = invoke("jail", VALCONS, "--node", node.url)
    assert code == 0 and "unjail by tx" in out and "automatic unjail" in out and "1536056" in out


def test_schedule_live_with_pruned_history(node: NodeServer) -> None:
    serve_chain(node)
    node.route("GET", f"{RPC}/header", reply("header_pruned"), reply("header"))
    code, out, _ = invoke("schedule", "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["epoch"], data["height"], data["phase"]) == (174, 1523377, "Inference")
    assert data["seconds_per_block"] == pytest.approx(5.6)
    stages = {s["name"]: s for s in data["stages"]}
    assert (
        stages["end_of_validation"]["height"] == 1_520_545 and stages["next_poc_start"]["height"] == 1_535_391
    )
    # next PoC start: 12,014 blocks * 5.6 s = 67,278.4 s after 08:15:42.123456 -> 2026-02-11 02:57:00.52
    assert stages["next_poc_start"]["estimated_time"].startswith("2026-02-11T02:57:00.52")
    # A node that keeps no older block: no estimate, still the schedule.
    node.route(
        "GET",
        f"{RPC}/header",
        json_reply(
            {
                "jsonrpc": "2.0",
                "id": -1,
                "error": {
                    "code": -32603,
                    "message": "Internal error",
                    "data": "height 1522377 is not available, lowest height is 1523377",
                },
            }
        ),
    )
    code, out, _ = invoke("schedule", "--node", node.url)
    assert code == 0 and "next_poc_start" in out and "estimated time" not in out


# --- tally ---


def test_tally_live_and_smallest_flip(node: NodeServer) -> None:
    # yes 3000, no 2000, abstain 284 of 10000 bonded: turnout 0.5284 >= 0.25, yes 3000/5000 = 0.6 > 0.5:
    # passes.
    # 1000 more no makes it 3000/6000 = 0.5, not above: the smallest flip.
    serve_chain(node)
    node.route("GET", f"{REST}/cosmos/gov/v1/proposals/12", reply("proposal"))
    node.route(
        "GET",
        f"{REST}/cosmos/gov/v1/proposals/12/tally",
        json_reply(
            {
                "tally": {
                    "yes_count": "3000",
                    "abstain_count": "284",
                    "no_count": "2000",
                    "no_with_veto_count": "0",
                }
            }
        ),
    )
    code, out, _ = invoke("tally", "12", "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["outcome"]["passes"] and data["outcome"]["turnout"] == "0.528400000000000000"
    flips = {f["option"]: f["power"] for f in data["flips"]}
    assert flips == {"yes": None, "no": 1000, "no_with_veto": 1000, "abstain": None}
    code, out, _ = invoke("tally", "12", "--node", node.url)
    assert code == 0 and "PASSES" in out and "1000 more no" in out


def test_tally_missing_proposal(node: NodeServer) -> None:
    node.route("GET", f"{REST}/cosmos/gov/v1/proposals/999", reply("proposal_not_found", status=404))
    code, _, err = invoke("tally", "999", "--node", node.url)
    assert code == 1 and "not found" in err and "999" in err


def test_tally_of_a_finished_expedited_proposal(node: NodeServer) -> None:
    # Final tally 6000 yes / 3000 no: 0.666666666666666667 is not above the expedited 0.667.
    serve_chain(node)
    node.route("GET", f"{REST}/cosmos/gov/v1/proposals/13", reply("proposal_expedited_final"))
    with Client(node.url, timeout=2) as client:
        now = client.tally_outlook(13)
    assert now.final and not now.outcome.passes and now.outcome.reason == "threshold not met"
    assert str(now.outcome.yes_share) == "0.666666666666666667"
    assert not node.calls("GET", f"{REST}/cosmos/gov/v1/proposals/13/tally")  # the stored final tally is used


# --- reward and collateral ---


def test_reward_live_with_host_share(node: NodeServer) -> None:
    # v0.2.15 rule, weights 1284/716/3000/3000/2000 (no 30 % cap binds: 3000 <= 0.3 * 10000), R = R(174).
    serve_chain(node)
    r174 = table_reward(174, MAINNET_GENESIS.reward)
    code, out, _ = invoke("reward", "--epoch", "174", "--address", A, "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["release"] == "v0.2.15" and data["rewards"] == [
        {"epoch": 174, "reward": r174, "minted": r174}
    ]
    assert data["host"]["expected"] == 1284 * r174 // 10_000 and data["host"]["settled"] is None
    assert data["supply_cap"] == 680 * 10**15
    # A settled epoch shows what the chain paid.
    code, out, _ = invoke("reward", "--epoch", "173", "--address", A, "--node", node.url)
    assert code == 0 and "1203377000000" in out
    code, _, err = invoke("reward", "--from", "170", "--to", "172", "--address", A, "--node", node.url)
    assert code == 1 and "single epoch" in err


def test_collateral_live(node: NodeServer) -> None:
    # Block 1,523,377 is past epoch 174's end of validation (1,520,545): the next weights are epoch 175's,
    # within the 180-epoch grace, so no collateral is needed yet; epoch 181 needs 33,600 for W = 10000.
    serve_chain(node)
    code, out, _ = invoke("collateral", "--weight", "10000", "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["epoch"] == 175 and data["need"]["in_grace_period"] and data["need"]["full_activation"] == 0
    code, out, _ = invoke(
        "collateral",
        "--weight",
        "10000",
        "--epoch",
        "181",
        "--collateral",
        "16800",
        "--node",
        node.url,
        "--json",
    )
    data = json.loads(out)
    assert data["need"]["full_activation"] == 33_600 and data["with_collateral"]["effective_weight"] == 6_000


# --- offline variants ---


def test_offline_commands() -> None:
    code, out, _ = invoke("reward", "--offline", "--epoch", "10", "--release", "v0.2.0", "--json")
    assert code == 0 and json.loads(out)["rewards"][0]["reward"] == 321_622_122_312_022
    code, out, _ = invoke(
        "reward", "--offline", "--epoch", "2", "--weight", "1", "--total-weight", "4", "--json"
    )
    assert json.loads(out)["host"]["share"] == 322_846_611_432_668 // 4
    code, out, _ = invoke(
        "collateral",
        "--offline",
        "--weight",
        "10000",
        "--epoch",
        "181",
        "--per-weight-unit",
        "32000000",
        "--json",
    )
    assert json.loads(out)["need"]["full_activation"] == 256_000_000_000
    code, out, _ = invoke(
        "tally",
        "--yes",
        "300",
        "--no",
        "100",
        "--abstain",
        "50",
        "--bonded",
        "1000",
        "--release",
        "v0.2.0",
        "--json",
    )
    assert json.loads(out)["outcome"]["passes"]
    code, out, _ = invoke("jail", "--missed", "37", "--power", "5000", "--collateral", "1000000000", "--json")
    data = json.loads(out)
    assert (
        data["liveness"]["misses_to_jail"] == 14
        and data["slash_if_jailed"]["collateral"]["slashed"] == 10_000_000
    )
    code, out, _ = invoke("vote-weight", "--power", "5000", "--bonded", "100000", "--json")
    assert json.loads(out)["share"] == "0.050000000000000000"
    code, out, _ = invoke(
        "schedule", "--epoch", "174", "--poc-start", "1520000", "--height", "1520100", "--json"
    )
    assert json.loads(out)["phase"] == "PoCValidate"


def test_offline_bad_input() -> None:
    assert invoke("reward", "--offline", "--epoch", "5", "--decay-rate", "abc")[0] == 2
    assert invoke("collateral", "--offline", "--weight", "5")[0] == 2  # needs --epoch
    assert invoke("tally", "--yes", "1")[0] == 2  # needs --bonded
    assert invoke("reward", "--epoch", "1", "--from", "1")[0] == 2
    assert invoke("reward", "--offline", "--epoch", "0")[0] == 1  # never settled
    assert invoke("reward", "--release", "latest", "--offline", "--epoch", "3")[0] == 2


# --- pictures ---


def _png_is_a_picture(path: Path) -> None:
    image = pytest.importorskip("matplotlib.image").imread(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000
    height, width = image.shape[:2]
    assert width >= 800 and height >= 400
    colors = {tuple(px) for px in image.reshape(-1, image.shape[2])[:: max(1, height * width // 20_000)]}
    assert len(colors) > 20  # lines, fills, text: not a blank canvas


def test_reward_plot(node: NodeServer, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out_file = tmp_path / "reward.png"
    code, out, _ = invoke("reward", "--offline", "--plot", str(out_file))
    assert code == 0 and "plot written" in out
    _png_is_a_picture(out_file)
    # Live without a range: the whole curve from the first epoch, the latest epoch marked, the supply moved
    # back to epoch 1 (total_subsidies minus R(1..173) by the table formula, at least 0).
    serve_chain(node)
    live_file = tmp_path / "reward-live.png"
    code, out, _ = invoke("reward", "--plot", str(live_file), "--node", node.url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["rewards"][0]["epoch"] == 1 and data["rewards"][-1]["epoch"] == 20_001
    settled = sum(r["reward"] for r in data["rewards"][:173])
    assert data["minted_before"] == max(0, 55_722_404_133_000_000 - settled)
    _png_is_a_picture(live_file)


def test_schedule_plot_live(node: NodeServer, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    serve_chain(node)
    out_file = tmp_path / "schedule.png"
    code, out, _ = invoke("schedule", "--node", node.url, "--plot", str(out_file))
    assert code == 0, out
    _png_is_a_picture(out_file)
