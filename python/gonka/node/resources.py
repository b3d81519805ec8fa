"""Devices, GPU groups and memory needs: how the node splits PoC work over its hardware.

Grouping follows the reference ML node: devices in index order; from the next free device try groups of 1, 2,
4 and 8 contiguous devices and take the first whose summed memory reaches the need; a device that cannot start
a group is skipped. The need comes from the engines' memory model (:mod:`gonka.poc.engines`) for the params,
engine and dtype, instead of the reference's fixed 10/38 GB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gonka.node.errors import InvalidSettings
from gonka.poc.engines import memory_need

if TYPE_CHECKING:
    from gonka.poc import Params

GIB = 1 << 30
# Smallest batch a group must fit besides the model to be worth a worker.
MIN_GROUP_BATCH = 8
GROUP_SIZES = (1, 2, 4, 8)


@dataclass(frozen=True)
class Device:
    index: int
    total_bytes: int
    name: str = ""

    @property
    def torch_name(self) -> str:
        return f"cuda:{self.index}"


@dataclass(frozen=True)
class GpuGroup:
    devices: tuple[Device, ...]

    @property
    def torch_names(self) -> list[str]:
        return [d.torch_name for d in self.devices]

    @property
    def total_bytes(self) -> int:
        return sum(d.total_bytes for d in self.devices)


def group_memory_need(params: Params, engine: str, dtype: str) -> int:
    """Device bytes a GPU group needs: the built model plus a batch of :data:`MIN_GROUP_BATCH` nonces."""
    return memory_need(params, engine, dtype, device="cuda", batch_size=MIN_GROUP_BATCH)


def cpu_memory_need(params: Params, dtype: str, batch_size: int) -> int:
    """RAM a CPU worker needs: the built model (torch engine) plus one batch of ``batch_size`` nonces."""
    return memory_need(params, "torch", dtype, device="cpu", batch_size=batch_size)


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def plan_groups(devices: list[Device], need_bytes: int, max_group_size: int = 8) -> list[GpuGroup]:
    """Greedy reference grouping: sizes 1/2/4/8 over contiguous devices until the summed memory reaches the
    need.

    ``max_group_size`` caps the sizes tried (an engine that runs on one device only can use groups of 1).
    """
    groups: list[GpuGroup] = []
    rest = list(devices)
    sizes = [size for size in GROUP_SIZES if size <= max_group_size]
    while rest:
        for size in sizes:
            if len(rest) >= size and sum(d.total_bytes for d in rest[:size]) >= need_bytes:
                groups.append(GpuGroup(tuple(rest[:size])))
                rest = rest[size:]
                break
        else:
            rest.pop(0)
    return groups


def cuda_devices(selection: str = "auto") -> list[Device]:
    """CUDA devices to use: ``auto`` = all of them, ``cpu`` = none, or a comma list of indices."""
    if selection.strip().lower() == "cpu":
        return []
    try:
        import torch
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    count = torch.cuda.device_count()
    if selection.strip().lower() == "auto":
        indices = list(range(count))
    else:
        try:
            indices = [int(part) for part in selection.split(",") if part.strip()]
        except ValueError:
            raise InvalidSettings(
                f"devices must be 'auto', 'cpu' or a comma list of CUDA indices, not {selection!r}"
            ) from None
        missing = [i for i in indices if not 0 <= i < count]
        if missing:
            raise InvalidSettings(f"CUDA devices {missing} do not exist (this machine has {count})")
    devices = []
    for i in indices:
        props = torch.cuda.get_device_properties(i)
        devices.append(Device(i, int(props.total_memory), props.name))
    return devices
