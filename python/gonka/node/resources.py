"""Devices, GPU groups and batch sizes: how the node splits PoC work over its hardware.

Grouping follows the reference ML node: devices in index order; from the next free device try groups of 1, 2,
4 and 8 contiguous devices and take the first whose summed memory reaches the need; a device that cannot start
a group is skipped. The need is computed from the params and the engine instead of the reference's fixed 10/38
GB: the pool-view engine keeps only the weight pool on the device, so one smaller GPU can form a group where
the materializing engine needs a 40 GB one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

# The engines' one memory model (re-exported: the node sizes GPU groups with it).
from gonka.poc.engines import activation_bytes_per_nonce

if TYPE_CHECKING:
    from gonka.poc import Params

MIB = 1 << 20
GIB = 1 << 30
# Smallest batch a group must fit besides the weights to be worth a worker.
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


def weight_bytes(params: Params, engine: str) -> int:
    """Device bytes of the model weights: the fp16 pool for the pool-view engine, all fp16 weights
    otherwise."""
    if engine == "triton":
        # The engine may keep 8 shifted copies of the pool for aligned loads.
        return 8 * 2 * params.pool_size
    return params.weight_bytes_fp16


def group_memory_need(params: Params, engine: str) -> int:
    return weight_bytes(params, engine) + MIN_GROUP_BATCH * activation_bytes_per_nonce(params, engine)


def cpu_memory_need(params: Params, dtype: str) -> int:
    """RAM a CPU worker needs: materialized weights in ``dtype`` plus the pool draw (float64, float32 and
    float16 copies at once) and a small batch of activations."""
    itemsize = {"float16": 2, "bfloat16": 2}.get(dtype, 4)
    return (
        params.n_params * itemsize
        + params.pool_size * (8 + 4 + 2)
        + MIN_GROUP_BATCH * 2 * activation_bytes_per_nonce(params, "torch")
    )


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
            raise ValueError(
                f"devices must be 'auto', 'cpu' or a comma list of CUDA indices, not {selection!r}"
            ) from None
        missing = [i for i in indices if not 0 <= i < count]
        if missing:
            raise ValueError(f"CUDA devices {missing} do not exist (this machine has {count})")
    devices = []
    for i in indices:
        props = torch.cuda.get_device_properties(i)
        devices.append(Device(i, int(props.total_memory), props.name))
    return devices
