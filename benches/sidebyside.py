"""Side-by-side benchmark bookkeeping shared by the PoC benchmarks: each group's median per side, a ratio
table (reference / gonka) printed after the module's benchmarks, and CPU-time measurement."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator

import pytest

__all__ = ["SideBySide", "cpu_seconds"]


class SideBySide:
    """Medians of one module's benchmarks by (group, side); ``scale`` multiplies a side's median when it
    timed a fraction of the work; ``notes`` are printed under the ratios."""

    def __init__(self, title: str, *, warmup_rounds: int = 0) -> None:
        self.title = title
        self.warmup_rounds = warmup_rounds
        self.medians: dict[tuple[str, str], float] = {}
        self.scale: dict[tuple[str, str], float] = {}
        self.notes: list[str] = []

    def run(  # type: ignore[no-untyped-def]
        self, benchmark, group: str, side: str, func: Callable[[], object], *, rounds: int | None = None
    ) -> object:
        """Times ``func`` as ``side`` of ``group`` (``rounds``: a fixed number of single calls)."""
        benchmark.group = group
        if rounds is None:
            result = benchmark(func)
        else:
            result = benchmark.pedantic(func, rounds=rounds, iterations=1, warmup_rounds=self.warmup_rounds)
        if benchmark.stats is not None:
            self.medians[(group, side)] = benchmark.stats.stats.median
        return result

    def report(self, request: pytest.FixtureRequest) -> Iterator[None]:
        """A module fixture's body: prints the ratios once the module's benchmarks ran."""
        yield
        if not self.medians:
            return
        heading = "reference median / gonka median (above 1: gonka faster)"
        lines = ["", f"{self.title} ({os.cpu_count()} CPUs): {heading}"]
        for (group, side), theirs in sorted(self.medians.items()):
            ours = self.medians.get((group, "gonka"))
            if side == "gonka" or not ours:
                continue
            theirs *= self.scale.get((group, side), 1.0)
            lines.append(f"  {group:18s} {side:10s} {theirs / ours:8.2f}x   (gonka {ours * 1e3:9.3f} ms)")
        lines.extend(self.notes)
        writer = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            for line in lines:
                (writer.write_line if writer is not None else print)(line)


def cpu_seconds(func: Callable[[], object], repeat: int) -> float:
    """Least process CPU time of ``repeat`` calls (all threads counted, idle-spinning ones too)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best
