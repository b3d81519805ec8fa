"""One PoC round driven over a node's HTTP API, the way the API node drives it.

:func:`run_simulation` sends the FAQ's ``/pow/init/generate`` request, waits for the model, lets the node
generate, switches it to validation with the same request, submits a sample of the received nonces the way the
API node does (up to 200, the chain's ``validation_sample_size``) and collects the validator's verdict from a
callback receiver (:class:`gonka.node.receiver.CallbackReceiver`). ``gonka poc simulate`` prints it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from gonka.node.errors import SimulationError

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


def node_hardware(client: httpx.Client) -> tuple[bool, str]:
    """(has a GPU, description) from the node's /health; nodes without it are taken for GPU hosts."""
    try:
        gpu = client.get("/health").json()["gpu"]
        names = [f"{d['name']} ({d['total_gib']} GiB)" for d in gpu["devices"]]
        return bool(gpu["available"]), ", ".join(names) if names else "cpu"
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return True, "unknown (the node has no /health)"


def _check(response: httpx.Response, what: str) -> Any:
    if response.status_code != 200:
        raise SimulationError(f"{what} failed: HTTP {response.status_code} {response.text[:500]}")
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
    show: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Drive one generate -> validate round on a node; ``show(text)`` receives progress lines.

    ``settle_seconds``: how long to wait after the switch to validation for the batches the node computed
    before it (at least one of the node's merge intervals; the reference node merges every 5 s).
    """
    show = show or (lambda _text: None)
    # A receiver is anything with CallbackReceiver's batches(kind).
    state = _check(client.get("/api/v1/state"), "GET /api/v1/state")["state"]
    if state not in ("STOPPED", "POW"):
        raise SimulationError(f"the node is in {state} mode; stop it first (POST /api/v1/stop)")
    _check(client.post("/api/v1/pow/init/generate", json=request), "POST /api/v1/pow/init/generate")

    started = time.monotonic()
    while True:
        status = _check(client.get("/api/v1/pow/status"), "GET /api/v1/pow/status")
        if status.get("is_model_initialized"):
            break
        if time.monotonic() - started > load_timeout:
            raise SimulationError(f"the PoC model did not load within {load_timeout:.0f} s")
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
                raise SimulationError(f"no /validated callback within {validate_timeout:.0f} s")
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
