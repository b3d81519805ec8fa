"""PNG pictures of the reward curve and the epoch timeline (matplotlib: ``pip install gonka[plot]``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from gonka.economics.rewards import SupplyPoint
from gonka.economics.schedule import EpochSchedule
from gonka.errors import InvalidInput

NGONKA_PER_GNK = 10**9


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise InvalidInput("plots need matplotlib: pip install 'gonka[plot]'") from None
    matplotlib.use("Agg")  # files only; never a display
    import matplotlib.pyplot as plt

    return plt


def plot_rewards(
    points: Sequence[SupplyPoint],
    supply_cap: int | None,
    path: Path,
    *,
    title: str,
    mark_epoch: int | None = None,
) -> Path:
    """R(e) per epoch (left axis) and the cumulative minted supply against the cap (right axis), in GNK."""
    if not points:
        raise InvalidInput("nothing to plot: the epoch range is empty")
    plt = _pyplot()
    epochs = [p.epoch for p in points]
    figure, reward_axis = plt.subplots(figsize=(10, 5.5), dpi=110)
    try:
        reward_axis.plot(epochs, [p.reward / NGONKA_PER_GNK for p in points], color="tab:blue", label="R(e)")
        reward_axis.set_xlabel("epoch")
        reward_axis.set_ylabel("epoch reward R(e) [GNK]", color="tab:blue")
        reward_axis.grid(alpha=0.3)
        supply_axis = reward_axis.twinx()
        supply_axis.plot(
            epochs, [p.cumulative / NGONKA_PER_GNK for p in points], color="tab:orange", label="minted supply"
        )
        if supply_cap is not None:
            supply_axis.axhline(supply_cap / NGONKA_PER_GNK, color="tab:red", linestyle="--", label="cap")
        if mark_epoch is not None and epochs[0] <= mark_epoch <= epochs[-1]:
            reward_axis.axvline(mark_epoch, color="black", linewidth=1, label=f"latest epoch {mark_epoch}")
        supply_axis.set_ylabel("cumulative minted [GNK]", color="tab:orange")
        supply_axis.set_ylim(bottom=0)
        reward_axis.set_ylim(bottom=0)
        supply_axis.ticklabel_format(axis="y", style="plain", useOffset=False)
        handles = reward_axis.get_legend_handles_labels()[0] + supply_axis.get_legend_handles_labels()[0]
        reward_axis.legend(handles=handles, loc="center right")
        reward_axis.set_title(title)
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
    return path


def plot_schedule(
    schedule: EpochSchedule,
    path: Path,
    *,
    height: int | None = None,
    times: dict[int, datetime] | None = None,
) -> Path:
    """The epoch's stages as a timeline (PoC stages magnified in an inset), the current height marked."""
    if schedule.epoch_index == 0:
        raise InvalidInput("epoch 0 runs no PoC: there is no timeline to draw")
    plt = _pyplot()
    stages = schedule.stages()
    figure, (overview, detail) = plt.subplots(2, 1, figsize=(11, 6), dpi=110, height_ratios=[1, 2])
    try:
        start, end = stages[0].height, stages[-1].height
        spans = [
            (schedule.poc_start, schedule.end_of_poc_generation, "PoC generation", "tab:orange"),
            (schedule.start_of_validation, schedule.end_of_validation, "PoC validation", "tab:purple"),
            (schedule.end_of_validation, schedule.set_new_validators, "switch delay", "tab:gray"),
            (schedule.set_new_validators, schedule.next_poc_start, "inference", "tab:green"),
        ]
        for axis, (low, high) in ((overview, (start, end)), (detail, (start, schedule.claim_money + 10))):
            for a, b, label, color in spans:
                if b > a:
                    axis.axvspan(a, b, color=color, alpha=0.35, label=label)
            if height is not None and low <= height <= high:
                axis.axvline(height, color="black", linewidth=2, label=f"now (block {height})")
            axis.set_xlim(low, high)
            axis.set_yticks([])
        shown = [s for s in stages if s.height <= schedule.claim_money + 10]
        for i, stage in enumerate(shown):
            # One row per stage, top to bottom, so labels of nearby blocks never overlap.
            detail.axvline(stage.height, color="black", linewidth=0.6, alpha=0.6)
            when = times.get(stage.height) if times else None
            label = f"{stage.name} {stage.height}" + (f"  ({when:%m-%d %H:%M} UTC)" if when else "")
            detail.text(stage.height, 0.93 - i * 0.88 / len(shown), " " + label, fontsize=7, va="top")
        for axis in (overview, detail):
            axis.ticklabel_format(axis="x", style="plain", useOffset=False)
        overview.set_title(f"epoch {schedule.epoch_index}: blocks {start} .. {end}")
        overview.legend(loc="upper right", fontsize=7, ncols=3)
        detail.set_xlabel("block height (PoC and switch stages)")
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
    return path
