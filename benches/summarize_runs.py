"""Summarizes several side-by-side runs of a pytest-benchmark suite (``--benchmark-json`` files): per group,
gonka's and the peer's best minimum and median of medians over the runs, their ratios, and the range of
the per-run ratios of minima. On a shared machine one run's ratio moves with the load; the best minimum of
several runs is the steadiest figure.

    for i in 1 2 3 4 5 6; do
        pytest benches/test_bench_tx.py --benchmark-enable --benchmark-json=run$i.json
    done
    python benches/summarize_runs.py run*.json
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def summarize(paths: list[Path]) -> str:
    runs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for path in paths:
        for bench in json.loads(path.read_text())["benchmarks"]:
            side = "gonka" if "gonka" in bench["name"] else "peer"
            runs[(bench["group"], side)].append((bench["stats"]["min"], bench["stats"]["median"]))
    lines = [
        f"{len(paths)} runs; times in us (best min / median of medians); ratio = peer time / gonka time",
        f"{'group':34s} {'gonka':>17s} {'peer':>19s} {'by min':>7s} {'by median':>9s}  per-run, by min",
    ]
    for group in sorted({group for group, _ in runs}):
        ours, theirs = runs[(group, "gonka")], runs[(group, "peer")]
        if not ours or not theirs:
            continue
        our_min, our_median = min(m for m, _ in ours), statistics.median(m for _, m in ours)
        peer_min, peer_median = min(m for m, _ in theirs), statistics.median(m for _, m in theirs)
        per_run = [peer[0] / our[0] for our, peer in zip(ours, theirs, strict=True)]
        lines.append(
            f"{group:34s} {our_min * 1e6:7.1f} / {our_median * 1e6:7.1f} {peer_min * 1e6:8.1f} / "
            f"{peer_median * 1e6:8.1f} {peer_min / our_min:6.1f}x {peer_median / our_median:8.1f}x"
            f" {min(per_run):7.1f}-{max(per_run):.1f}x"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarize([Path(arg) for arg in sys.argv[1:]]))
