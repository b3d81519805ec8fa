"""`gonka poc simulate`: the Gonka FAQ's "simulate PoC on your ML node" as one command.

It starts an ML node in this process (or targets ``--node URL``), runs a callback receiver on loopback, sends
the FAQ's ``/pow/init/generate`` request, shows live progress, switches the node to validation with the same
request, submits a sample of the received nonces the way the API node does (up to 200, the chain's
``validation_sample_size``), and prints the rate, the weight (valid nonces) and the validator's fraud verdict.

``r_target``: production params use the launch value ``R_TARGET_LAUNCH`` (about 1 nonce in 20 is valid).
The small CPU model has a 300-entry vocabulary, so its normalized outputs spread wider than production's 8196
entries and the launch radius would accept almost nothing; it uses ``R_TARGET_SMALL``, chosen to accept
about 1 nonce in 20 as well.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import typer

# The 5th percentile of PARAMS_SMALL distances (first 2048 nonces of three block hashes, torch engine,
# float32; 1.344-1.347): about 1 nonce in 20 is valid, as the launch r_target gives on production params.
R_TARGET_SMALL = 1.345
# The API node's validation_sample_size: how many nonces of a participant a validator recomputes.
VALIDATION_SAMPLE = 200
_POLL = 0.5


@dataclass
class SimulationResult:
    seconds: float
    nonces: int | None
    valid_nonces: int
    build_seconds: float | None
    validated: list[dict[str, Any]]

    @property
    def rate(self) -> float | None:
        return None if self.nonces is None or self.seconds <= 0 else self.nonces / self.seconds

    @property
    def fraud_detected(self) -> bool:
        return any(v["fraud_detected"] for v in self.validated)


def _metric_sum(text: str, name: str) -> float | None:
    """Sum of a metric's samples in Prometheus text (None if the node does not export it)."""
    from prometheus_client.parser import text_string_to_metric_families

    total, seen = 0.0, False
    for family in text_string_to_metric_families(text):
        if family.name == name.removesuffix("_total"):
            seen = True  # exported, possibly without samples yet (no group has reported)
        total += sum(sample.value for sample in family.samples if sample.name == name)
    return total if seen else None


def _node_metrics(client: httpx.Client) -> dict[str, float | None]:
    try:
        response = client.get("/metrics")
        text = response.text if response.status_code == 200 else ""
    except httpx.HTTPError:
        text = ""
    return {
        "computed": _metric_sum(text, "gonka_node_nonces_computed_total"),
        "rate": _metric_sum(text, "gonka_node_group_nonces_per_second"),
        "build": _metric_sum(text, "gonka_node_model_build_seconds"),
    }


def _node_hardware(client: httpx.Client) -> tuple[bool, str]:
    """(has a GPU, description) from the node's /health; nodes without it are taken for GPU hosts."""
    try:
        gpu = client.get("/health").json()["gpu"]
        names = [f"{d['name']} ({d['total_gib']} GiB)" for d in gpu["devices"]]
        return bool(gpu["available"]), ", ".join(names) if names else "cpu"
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return True, "unknown (the node has no /health)"


def _check(response: httpx.Response, what: str) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{what} failed: HTTP {response.status_code} {response.text[:500]}")
    return response.json()


def run_simulation(
    client: httpx.Client,
    receiver: Any,
    request: dict[str, Any],
    *,
    seconds: float,
    tamper: int = 0,
    settle_seconds: float = 6.0,
    load_timeout: float = 600.0,
    validate_timeout: float = 300.0,
    show: Any = None,
) -> SimulationResult:
    """Drive one generate -> validate round on a node; ``show(text)`` receives progress lines.

    ``settle_seconds``: how long to wait after the switch to validation for the batches the node computed
    before it (at least one of the node's merge intervals; the reference node merges every 5 s).
    """
    show = show or (lambda _text: None)
    state = _check(client.get("/api/v1/state"), "GET /api/v1/state")["state"]
    if state not in ("STOPPED", "POW"):
        raise RuntimeError(f"the node is in {state} mode; stop it first (POST /api/v1/stop)")
    _check(client.post("/api/v1/pow/init/generate", json=request), "POST /api/v1/pow/init/generate")

    started = time.monotonic()
    while True:
        status = _check(client.get("/api/v1/pow/status"), "GET /api/v1/pow/status")
        if status.get("is_model_initialized"):
            break
        if time.monotonic() - started > load_timeout:
            raise RuntimeError(f"the PoC model did not load within {load_timeout:.0f} s")
        show(f"loading the PoC model ... {time.monotonic() - started:.0f} s")
        time.sleep(_POLL)

    gen_started = time.monotonic()
    first = _node_metrics(client)
    while (elapsed := time.monotonic() - gen_started) < seconds:
        metrics = _node_metrics(client)
        valid = sum(len(b["nonces"]) for b in receiver.batches("generated"))
        line = f"generating {elapsed:5.1f}/{seconds:.0f} s"
        if metrics["computed"] is not None and first["computed"] is not None:
            line += (
                f" | {metrics['computed'] - first['computed']:,.0f} nonces ({metrics['rate'] or 0:,.1f}/s)"
            )
        show(line + f" | {valid:,} valid nonces received")
        time.sleep(_POLL)

    # The same request switches the phase without rebuilding the model (as the API node does).
    _check(client.post("/api/v1/pow/init/validate", json=request), "POST /api/v1/pow/init/validate")
    gen_seconds = time.monotonic() - gen_started
    end_metrics = _node_metrics(client)
    computed = (
        None
        if end_metrics["computed"] is None or first["computed"] is None
        else int(end_metrics["computed"] - first["computed"])
    )
    # Batches computed before the switch are still on their way (merged every few seconds, then spooled).
    settle = time.monotonic()
    last = -1
    while time.monotonic() - settle < 30:
        count = sum(len(b["nonces"]) for b in receiver.batches("generated"))
        if count == last and time.monotonic() - settle > settle_seconds:
            break
        last = count
        show(f"collecting generated batches ... {count:,} valid nonces")
        time.sleep(1.0)

    generated = receiver.batches("generated")
    nonces = [n for b in generated for n in b["nonces"]]
    dists = [d for b in generated for d in b["dist"]]
    validated: list[dict[str, Any]] = []
    if nonces:
        sample = sorted(
            random.Random(request["block_hash"]).sample(
                range(len(nonces)), min(len(nonces), VALIDATION_SAMPLE)
            )
        )
        batch = {
            "public_key": request["public_key"],
            "block_hash": request["block_hash"],
            "block_height": request["block_height"],
            "nonces": [nonces[i] for i in sample],
            "dist": [dists[i] for i in sample],
            "node_id": 0,
        }
        if tamper:
            batch = _tampered(batch, set(nonces), request, tamper)
        _check(client.post("/api/v1/pow/validate", json=batch), "POST /api/v1/pow/validate")
        waited = time.monotonic()
        while not (validated := receiver.batches("validated")):
            if time.monotonic() - waited > validate_timeout:
                raise RuntimeError(f"no /validated callback within {validate_timeout:.0f} s")
            show(f"validating {len(batch['nonces'])} nonces ... {time.monotonic() - waited:.0f} s")
            time.sleep(_POLL)
    _check(client.post("/api/v1/pow/stop"), "POST /api/v1/pow/stop")
    return SimulationResult(
        seconds=gen_seconds,
        nonces=computed,
        valid_nonces=len(nonces),
        build_seconds=first["build"],
        validated=validated,
    )


def _tampered(batch: dict[str, Any], valid: set[int], request: dict[str, Any], count: int) -> dict[str, Any]:
    """Add ``count`` nonces the node computed and found invalid, claimed with a valid-looking distance."""
    node_id, node_count = request["node_id"], request["node_count"]
    # The node has certainly computed every nonce of its sequence below its median valid one.
    below = sorted(valid)[len(valid) // 2]
    candidates = [n for n in range(node_id, below, node_count) if n not in valid][:count]
    claimed = min(batch["dist"]) if batch["dist"] else request["r_target"] / 2
    return {
        **batch,
        "nonces": batch["nonces"] + candidates,
        "dist": batch["dist"] + [claimed] * len(candidates),
    }


def simulate(
    node: str = typer.Option(
        None, "--node", help="URL of a running ML node (default: start one in this process)."
    ),
    params: str = typer.Option(
        "auto", "--params", help="auto (v2 on a GPU, small on CPU), v2, v1, small, or a params JSON file."
    ),
    r_target: str = typer.Option(
        None,
        "--r-target",
        help="A number, 'launch' or 'v0.2.6' (default: launch; small params: 1.345).",
    ),
    seconds: float = typer.Option(
        None, "--seconds", min=1, help="Generation time (default: 10 on CPU, 60 on GPU)."
    ),
    block_hash: str = typer.Option("EXAMPLE_BLOCK_HASH", "--block-hash"),
    public_key: str = typer.Option("EXAMPLE_PUBLIC_KEY", "--public-key"),
    fraud_threshold: float = typer.Option(1e-7, "--fraud-threshold", help="The API node's default is 1e-7."),
    tamper: int = typer.Option(
        0, "--tamper", min=0, help="Claim this many invalid nonces as valid, to watch validation catch it."
    ),
    receiver_host: str = typer.Option(
        "127.0.0.1", "--receiver-host", help="Interface of the callback receiver (the node must reach it)."
    ),
    devices: str = typer.Option(
        "auto", "--devices", help="In-process node: auto, cpu or CUDA indices '0,1'."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Simulate one PoC round (generate, then validate) on an ML node and print rate, weight and verdict."""
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

    from gonka.cli.poc import _params, _r_target
    from gonka.node.receiver import CallbackReceiver
    from gonka.poc import PARAMS_SMALL, R_TARGET_LAUNCH

    console = Console(stderr=as_json)
    background = None
    workdir = None
    try:
        if node is None:
            from gonka.node.server import BackgroundNode
            from gonka.node.settings import NodeSettings

            workdir = tempfile.TemporaryDirectory(prefix="gonka-simulate-")
            background = BackgroundNode(
                NodeSettings(
                    host="127.0.0.1",
                    port=0,
                    spool_dir=Path(workdir.name) / "spool",
                    devices=devices,
                    flush_interval=1.0,
                    log_format="json",
                    log_level="WARNING",
                )
            ).start()
            node = background.url
        with (
            httpx.Client(base_url=node.rstrip("/"), timeout=60) as client,
            CallbackReceiver(host=receiver_host) as rx,
        ):
            on_gpu, hardware = _node_hardware(client)
            chosen = _params(params if params != "auto" else ("v2" if on_gpu else "small"))
            radius = _r_target(r_target)
            if radius is None:
                radius = R_TARGET_SMALL if chosen == PARAMS_SMALL else R_TARGET_LAUNCH
            duration = seconds or (60.0 if on_gpu else 10.0)
            request = {
                "node_id": 0,
                "node_count": 1,
                "block_hash": block_hash,
                "block_height": 1,
                "public_key": public_key,
                "batch_size": 1,
                "r_target": radius,
                "fraud_threshold": fraud_threshold,
                "params": chosen.to_dict(),
                "url": rx.url,
            }
            console.print(f"[bold]PoC simulation[/bold] on {node}: params {json.dumps(chosen.to_dict())}")
            console.print(f"r_target {radius!r}, callbacks to {rx.url}")
            with Live(Text(""), console=console, transient=True, refresh_per_second=4) as live:
                result = run_simulation(
                    client,
                    rx,
                    request,
                    seconds=duration,
                    tamper=tamper,
                    settle_seconds=2.5 if background is not None else 6.0,
                    show=lambda t: live.update(Text(t)),
                )
    except (RuntimeError, httpx.HTTPError) as exc:
        console.print(f"[red]simulation failed:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        if background is not None:
            background.stop()
        if workdir is not None:
            workdir.cleanup()

    verdict = result.validated[0] if result.validated else None
    summary = {
        "node": node,
        "params": chosen.to_dict(),
        "hardware": hardware,
        "r_target": radius,
        "model_build_s": result.build_seconds,
        "generation_s": round(result.seconds, 3),
        "nonces_computed": result.nonces,
        "nonces_per_s": result.rate,
        "weight": result.valid_nonces,
        "valid_fraction": result.valid_nonces / result.nonces if result.nonces else None,
        "validated_nonces": len(verdict["nonces"]) if verdict else 0,
        "n_invalid": verdict["n_invalid"] if verdict else None,
        "probability_honest": verdict["probability_honest"] if verdict else None,
        "fraud_detected": result.fraud_detected,
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        table = Table(title="PoC simulation summary", show_header=False)
        for key, value in summary.items():
            if key in ("params", "node"):
                continue
            shown = str(value)
            if isinstance(value, float) and key not in ("r_target", "probability_honest"):
                shown = f"{value:,.4f}" if key == "valid_fraction" else f"{value:,.2f}"
            table.add_row(key, shown)
        console.print(table)
        if verdict is None:
            console.print("[yellow]no valid nonces were generated; nothing to validate[/yellow]")
        elif result.fraud_detected:
            console.print("[red bold]validation verdict: FRAUD[/red bold]")
        else:
            console.print("[green bold]validation verdict: honest[/green bold]")
    if verdict is None or (result.fraud_detected and not tamper):
        raise typer.Exit(1)
