"""`gonka bench`: benchmarks that compare GPU hosts."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from gonka.errors import GonkaError

app = typer.Typer(help="Benchmarks that compare GPU hosts.", no_args_is_help=True)


class _RichProgress:
    """The benchmark's phases as a rich progress bar (a spinner for phases of unknown length)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def phase(self, description: str, total: float | None = None) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(
                self._task, completed=task.total if task.total is not None else 1, total=task.total or 1
            )
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: float = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        self.phase("done", 1)
        self.advance(1)


def _fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[red]error:[/] {message}")
    return typer.Exit(2)


@app.command("poc")
def poc(
    engine: str = typer.Option("triton", help="Engine to measure: triton or torch."),
    params: str = typer.Option("v2", help="Model parameters: v2 (mainnet), v1 (testnet) or small."),
    batch: int | None = typer.Option(None, min=1, help="Nonces per forward (default: from free GPU memory)."),
    seconds: float = typer.Option(30.0, min=0.01, help="Length of each timed phase."),
    numerics_nonces: int = typer.Option(1024, min=0, help="Nonces compared with the torch engine."),
    layer_check_nonces: int = typer.Option(256, min=0, help="Nonces for the skipped-last-layer yardstick."),
    dtype: str = typer.Option("float16", help="Activation and weight dtype."),
    device: str | None = typer.Option(None, help="Device (default: cuda if present, else cpu)."),
    r_target: float | None = typer.Option(
        None, help="Distance threshold for the flip counts (default: the launch value 1.4013564660458173)."
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Write the result as JSON here."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the plan for --gpu (batch, memory, kernels and configs); run nothing."
    ),
    gpu: str | None = typer.Option(
        None,
        help="With --dry-run: the GPU to plan for, by model (H100, A100-40GB, RTX 4090) or capability (9.0).",
    ),
    gpu_memory: float | None = typer.Option(
        None, help="With --dry-run: the GPU's memory in GiB (default: the model's)."
    ),
) -> None:
    """Measure a PoC engine on this host: speed, GEMM ceiling, memory and numerics vs the torch engine."""
    console = Console()
    err = Console(stderr=True)
    if dry_run or gpu is not None or gpu_memory is not None:
        _dry_run(console, err, dry_run, gpu, gpu_memory, engine, params, batch, dtype, json_out)
        return

    from gonka.bench.poc import BenchConfig, run_poc_bench
    from gonka.bench.report import result_table

    config = BenchConfig(
        params_name=params, engine=engine, batch=batch, seconds=seconds, numerics_nonces=numerics_nonces,
        layer_check_nonces=layer_check_nonces, dtype=dtype, device=device, r_target=r_target,
    )  # fmt: skip
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=False) as bar:
            progress = _RichProgress(bar)
            result = run_poc_bench(config, progress)
            progress.finish()
    except GonkaError as exc:
        raise _fail(err, str(exc)) from None
    console.print(result_table(result))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2) + "\n")
        err.print(f"result written to {json_out}")
    check = result.get("numerics", {}).get("layer_check")
    if check is not None and not check["passed"]:
        raise _fail(err, "the engine's logits error is not below a third of one layer's contribution")


def _dry_run(
    console: Console,
    err: Console,
    dry_run: bool,
    gpu: str | None,
    gpu_memory: float | None,
    engine: str,
    params: str,
    batch: int | None,
    dtype: str,
    json_out: Path | None,
) -> None:
    """Print (and with --json write) what the benchmark would run on ``gpu``, touching no device."""
    if not dry_run or gpu is None:
        raise _fail(
            err, "--gpu and --gpu-memory plan a run: use them with --dry-run, and --dry-run with --gpu"
        )
    from gonka.bench.plan import dry_run_plan, find_gpu, plan_text

    try:
        plan = dry_run_plan(find_gpu(gpu, gpu_memory), engine, params, batch, dtype)
    except GonkaError as exc:
        raise _fail(err, str(exc)) from None
    console.print(plan_text(plan), highlight=False, markup=False, soft_wrap=True)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(plan, indent=2) + "\n")
        err.print(f"plan written to {json_out}")


@app.command("compare")
def compare(
    results: list[Path] = typer.Argument(..., help="JSON results of `gonka bench poc --json`."),
) -> None:
    """Print several hosts' `gonka bench poc` results side by side."""
    from gonka.bench.report import compare_table, load_result

    err = Console(stderr=True)
    try:
        loaded = [load_result(path) for path in results]
    except GonkaError as exc:
        raise _fail(err, str(exc)) from None
    names = [path.stem for path in results]
    Console().print(compare_table(loaded, names))
