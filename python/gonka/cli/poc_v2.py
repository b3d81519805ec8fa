"""`gonka poc v2`: PoC v2 artifacts, verification and a simulated round."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    help="PoC v2 (mainnet since v0.2.9): artifacts, verification, a simulated round.", no_args_is_help=True
)

_MODEL_HELP = "'tiny' (a random two-layer Qwen3), a local checkpoint directory, or a config.json."


def _generator(model: str, dtype: str, seq_len: int) -> Any:
    from gonka.poc.v2.model import ArtifactGenerator, load_model

    return ArtifactGenerator(load_model(model, dtype), seq_len=seq_len)


@app.command("artifacts")
def artifacts(
    block_hash: str = typer.Option(
        ..., "--block-hash", help="The PoC stage's block hash (as the chain prints it)."
    ),
    public_key: str = typer.Option(..., "--public-key", help="The host's compressed public key, hex."),
    nonces: str = typer.Option("0-15", "--nonces", help="Nonces: '0-15', '3,5,9-12'."),
    model: str = typer.Option("tiny", "--model", help=_MODEL_HELP),
    dtype: str = typer.Option("float32", "--dtype", help="Activation dtype: float32, bfloat16 or float16."),
    seq_len: int = typer.Option(16, "--seq-len", min=1, help="Sequence length (mainnet: 1024)."),
    as_json: bool = typer.Option(False, "--json", help="Print the ML node's callback payload as JSON."),
) -> None:
    """Compute the artifacts (12 fp16 values, base64) of nonces."""
    from rich.console import Console
    from rich.table import Table

    from gonka.errors import GonkaError
    from gonka.poc import parse_nonces

    try:
        with _generator(model, dtype, seq_len) as gen:
            batch = gen.generate(block_hash, public_key, parse_nonces(nonces))
    except GonkaError as exc:
        raise typer.BadParameter(str(exc)) from None
    if as_json:
        payload = {
            "public_key": public_key,
            "block_hash": block_hash,
            "artifacts": batch.as_dicts(),
            "encoding": {"dtype": "f16", "k_dim": gen.k_dim, "endian": "le"},
        }
        typer.echo(json.dumps(payload))
        return
    table = Table(title=f"PoC v2 artifacts ({model}, {dtype}, seq_len {seq_len})")
    table.add_column("nonce", justify="right")
    table.add_column("vector_b64")
    for item in batch.as_dicts():
        table.add_row(str(item["nonce"]), item["vector_b64"])
    Console().print(table)


@app.command("verify")
def verify(
    artifacts_file: Path = typer.Argument(
        ..., help="JSON with 'artifacts': [{nonce, vector_b64}] (a /generated payload)."
    ),
    block_hash: str = typer.Option(None, "--block-hash", help="Defaults to the file's block_hash."),
    public_key: str = typer.Option(None, "--public-key", help="Defaults to the file's public_key."),
    model: str = typer.Option("tiny", "--model", help=_MODEL_HELP),
    dtype: str = typer.Option("float32", "--dtype", help="Activation dtype."),
    seq_len: int = typer.Option(16, "--seq-len", min=1),
    version: str = typer.Option("v0.2.14", "--version", help="Release whose statistical test applies."),
    model_id: str = typer.Option(None, "--model-id", help="Chain model id for per-model thresholds."),
    chain_threshold: bool = typer.Option(
        False,
        "--chain-threshold",
        help="Apply the chain's fraud threshold 0.05 instead of the effective 0.01.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the /validated result as JSON."),
) -> None:
    """Recompute received artifacts and run the validator's test (L2 per nonce, binomial test)."""
    from rich.console import Console

    from gonka.errors import GonkaError
    from gonka.poc.v2.params import FRAUD_THRESHOLD_DISCREPANCY, QWEN, stat_test_for
    from gonka.poc.v2.validation import compare

    try:
        data = json.loads(artifacts_file.read_text())
        received = {int(a["nonce"]): str(a["vector_b64"]) for a in data["artifacts"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise typer.BadParameter(f"{artifacts_file}: {exc}") from None
    block_hash = block_hash or data.get("block_hash")
    public_key = public_key or data.get("public_key")
    if not block_hash or not public_key:
        raise typer.BadParameter("--block-hash and --public-key are needed (the file has none)")
    try:
        test = stat_test_for(version, model_id or QWEN)
        if chain_threshold:
            test = test.with_chain_threshold()
        nonces = sorted(received)
        with _generator(model, dtype, seq_len) as gen:
            mine = gen.generate(block_hash, public_key, nonces)
        result = compare(dict(zip(mine.nonces, mine.vectors_b64(), strict=True)), received, nonces, test)
    except GonkaError as exc:
        raise typer.BadParameter(str(exc)) from None
    if as_json:
        typer.echo(json.dumps({**result.to_callback(), "validated_weight": result.validated_weight}))
        return
    console = Console()
    verdict = "[red]FRAUD[/red]" if result.fraud_detected else "[green]pass[/green]"
    console.print(
        f"{verdict}: {result.n_mismatch}/{result.n_total} mismatches (L2 > {test.dist_threshold}), "
        f"p = {result.p_value:.3g} vs fraud threshold {test.fraud_threshold}; validated_weight "
        f"{result.validated_weight}"
    )
    if not chain_threshold:
        console.print(f"[dim]{FRAUD_THRESHOLD_DISCREPANCY}[/dim]")


@app.command("simulate")
def simulate(
    hosts: int = typer.Option(2, "--hosts", min=2, max=8, help="Number of hosts (the last one cheats)."),
    cheat: str = typer.Option("copied", "--cheat", help="The last host's cheat, or 'none'."),
    nonces: int = typer.Option(300, "--nonces", min=1, help="Nonces each host generates."),
    seq_len: int = typer.Option(16, "--seq-len", min=1),
    version: str = typer.Option("v0.2.14", "--version", help="Release whose rules apply."),
    as_json: bool = typer.Option(False, "--json", help="Print the round's outcome as JSON."),
) -> None:
    """A full round on the tiny model: generate, commit, sample, prove, validate, vote, weight."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn
    from rich.table import Table

    from gonka.errors import GonkaError
    from gonka.keys import PrivateKey
    from gonka.poc.v2.model import tiny_qwen3
    from gonka.poc.v2.round import CHEATS, Host, simulate_round

    if cheat != "none" and cheat not in CHEATS:
        raise typer.BadParameter(f"--cheat must be 'none' or one of {', '.join(CHEATS)}")
    model = tiny_qwen3()
    members = [Host(f"host-{i + 1}", PrivateKey.from_bytes(bytes([i + 1]) * 32), model) for i in range(hosts)]
    if cheat != "none":
        members[-1].cheat = cheat
        members[-1].name += f" ({cheat})"
    console = Console(stderr=as_json)
    total_steps = hosts * 2 + hosts * hosts + hosts
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        transient=as_json,
    ) as progress:
        task = progress.add_task("round", total=total_steps)

        def on_event(stage: str, info: dict[str, Any]) -> None:
            text = {
                "generate": lambda: f"generate: {info['host']} made {info['count']} artifacts",
                "commit": lambda: f"commit: {info['host']} count {info['count']} root {info['root'][:16]}…",
                "validate": lambda: (
                    f"validate: {info['validator'][:14]}… → {info['participant'][:14]}… "
                    f"weight {info['validated_weight']} "
                    f"({info['failure'] or str(info['n_mismatch']) + ' mismatches'}, "
                    f"p = {info['p_value']:.3g})"
                ),
                "vote": lambda: (
                    f"vote: {info['host']} {'accepted' if info['accepted'] else 'rejected'} "
                    f"({info['decided_by']})"
                ),
            }[stage]()
            progress.update(task, advance=1, description=text)
            if not as_json:
                progress.console.print(f"[dim]{text}[/dim]")

        try:
            report = simulate_round(
                members,
                block_hash="A1B2" * 16,
                nonces_per_host=nonces,
                seq_len=seq_len,
                version=version,
                on_event=on_event,
            )
        except GonkaError as exc:
            raise typer.BadParameter(str(exc)) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "weights": report.weights,
                    "accepted": {name: t.accepted for name, t in report.tallies.items()},
                    "commitments": {
                        name: {"count": c.count, "root": c.root.hex()}
                        for name, c in report.commitments.items()
                    },
                    "votes": [v.__dict__ for v in report.votes],
                }
            )
        )
        return
    table = Table(title=f"PoC v2 round ({version}, {hosts} hosts, tiny Qwen3, seq_len {seq_len})")
    for column in ("host", "artifacts", "votes for", "votes against", "outcome", "weight"):
        table.add_column(column)
    for host in members:
        tally = report.tallies[host.name]
        outcome = "[green]accepted[/green]" if tally.accepted else "[red]rejected[/red]"
        table.add_row(
            host.name,
            str(report.commitments[host.name].count),
            str(tally.valid_weight),
            str(tally.invalid_weight),
            outcome,
            str(report.weights[host.name]),
        )
    console.print(table)
