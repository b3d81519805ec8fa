"""Tables of ``gonka bench poc`` results: one host, or several side by side."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from gonka.bench.poc import SCHEMA
from gonka.errors import InvalidInput


def load_result(path: str | Path) -> dict[str, Any]:
    """A result written by ``gonka bench poc --json``, checked for its schema."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InvalidInput(f"{path} is not a gonka bench poc result (schema {SCHEMA!r})")
    return data


def _get(result: dict[str, Any], dotted: str) -> Any:
    value: Any = result
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _fixed(digits: int) -> Callable[[Any], str]:
    return lambda v: f"{v:,.{digits}f}"


def _rate(v: Any) -> str:
    """Three significant digits at least (CPU runs of tiny models give small rates)."""
    return f"{v:,.1f}" if abs(v) >= 100 else f"{v:.3g}"


def _sci(v: Any) -> str:
    return f"{v:.2e}"


def _passfail(v: Any) -> str:
    return "[green]pass[/]" if v else "[red]FAIL[/]"


def _limits(v: Any) -> str:
    return ", ".join(f"{k} {'ok' if ok else 'OVER'}" for k, ok in v.items())


def _percent(v: Any) -> str:
    return f"{100 * v:.1f} %"


# (label, dotted path, formatter) in display order.
ROWS: list[tuple[str, str, Callable[[Any], str]]] = [
    ("GPU", "host.gpu.name", str),
    ("GPU memory (MiB)", "host.gpu.memory_total_mib", _fixed(0)),
    ("SM clock / max (MHz)", "host.gpu.sm_clock_mhz", _fixed(0)),
    ("SM max clock (MHz)", "host.gpu.max_sm_clock_mhz", _fixed(0)),
    ("memory clock (MHz)", "host.gpu.memory_clock_mhz", _fixed(0)),
    ("host", "host.hostname", str),
    ("CPU cores", "host.cpu_count", str),
    ("gonka", "host.versions.gonka", str),
    ("torch", "host.versions.torch", str),
    ("CUDA", "host.versions.cuda", str),
    ("triton", "host.versions.triton", str),
    ("driver", "host.versions.driver", str),
    ("engine", "config.engine", str),
    ("params", "config.params_name", str),
    ("batch", "config.batch", str),
    ("nonces/s end to end", "results.end_to_end_nonces_per_s", _rate),
    ("nonces/s forward only", "results.forward_nonces_per_s", _rate),
    ("nonces/s host input generation", "results.host_generation_nonces_per_s", _rate),
    ("forward TFLOP/s", "results.forward_tflops", _rate),
    ("GEMM ceiling TFLOP/s (FFN shape)", "results.gemm_ceiling_tflops", _rate),
    ("fraction of GEMM ceiling", "results.fraction_of_gemm_ceiling", _percent),
    ("model build (s)", "results.build_seconds", _fixed(2)),
    ("first forward: compile + tune (s)", "results.warmup_seconds", _fixed(1)),
    ("resident memory (MiB)", "results.resident_memory_mib", _fixed(0)),
    ("peak memory (MiB)", "results.peak_memory_mib", _fixed(0)),
    ("numerics nonces", "numerics.nonces", str),
    ("mean |Δdist| vs torch", "numerics.mean_abs_dist", _sci),
    ("max |Δdist| vs torch", "numerics.max_abs_dist", _sci),
    ("mean rel. logits error vs torch", "numerics.mean_rel_logits", _sci),
    ("valid (torch / engine)", "numerics.valid_reference", str),
    ("flips: torch-valid rejected", "numerics.flips_rejected", str),
    ("flips: torch-invalid accepted", "numerics.flips_accepted", str),
    ("production limits", "numerics.within_limits", _limits),
    ("skip last layer: rel. logits change", "numerics.skip_last_layer.mean_rel_logits", _sci),
    ("skip last layer: mean |Δdist|", "numerics.skip_last_layer.mean_abs_dist", _sci),
    ("every layer computed (error < 1/3 of it)", "numerics.layer_check.passed", _passfail),
]


def _cell(result: dict[str, Any], path: str, fmt: Callable[[Any], str]) -> str:
    value = _get(result, path)
    if path == "numerics.valid_reference" and value is not None:
        return f"{value} / {_get(result, 'numerics.valid_engine')}"
    if path == "host.gpu.sm_clock_mhz" and value is not None:
        return f"{value:.0f} / {_get(result, 'host.gpu.max_sm_clock_mhz') or 0:.0f}"
    return "-" if value is None else fmt(value)


def _rows() -> list[tuple[str, str, Callable[[Any], str]]]:
    # Merged cells: clocks (current / max) and versions are shown once.
    return [r for r in ROWS if r[1] not in ("host.gpu.max_sm_clock_mhz", "numerics.valid_engine")]


def result_table(result: dict[str, Any]) -> Table:
    """One benchmark result as a two-column table."""
    engine, params = _get(result, "config.engine"), _get(result, "config.params_name")
    title = f"gonka bench poc — {engine} engine, params {params}"
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, path, fmt in _rows():
        table.add_row(label, _cell(result, path, fmt))
    return table


def compare_table(results: Sequence[dict[str, Any]], names: Sequence[str]) -> Table:
    """Several results side by side, one column per result, plus speed ratios against the first."""
    table = Table(title="gonka bench compare")
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    for label, path, fmt in _rows():
        table.add_row(label, *(_cell(r, path, fmt) for r in results))
    base = _get(results[0], "results.end_to_end_nonces_per_s")
    if base:
        table.add_row(
            "end to end vs first column",
            *(
                f"{v / base:.2f}x" if (v := _get(r, "results.end_to_end_nonces_per_s")) is not None else "-"
                for r in results
            ),
        )
    return table
