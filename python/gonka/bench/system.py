"""What a benchmark result must say about the host it ran on: GPU, clocks, driver and library versions."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
from typing import Any

_SMI_FIELDS = (
    "name",
    "memory.total",
    "clocks.sm",
    "clocks.max.sm",
    "clocks.mem",
    "clocks.max.mem",
    "power.limit",
    "driver_version",
    "pci.bus_id",
)


def _nvidia_smi(index: int) -> dict[str, str]:
    """One GPU's fields from nvidia-smi (empty when the tool is missing or fails)."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return {}
    try:
        out = subprocess.run(
            [smi, f"--id={index}", f"--query-gpu={','.join(_SMI_FIELDS)}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    values = [v.strip() for v in out.split(",")]
    return dict(zip(_SMI_FIELDS, values, strict=True)) if len(values) == len(_SMI_FIELDS) else {}


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def gpu_info(device: Any) -> dict[str, Any] | None:
    """Name, memory, multiprocessors and clocks of ``device`` (a CUDA torch device); None off CUDA."""
    import torch

    if device.type != "cuda":
        return None
    index = device.index if device.index is not None else torch.cuda.current_device()
    props = torch.cuda.get_device_properties(index)
    smi = _nvidia_smi(index)
    return {
        "name": props.name,
        "memory_total_mib": round(props.total_memory / 2**20),
        "multiprocessors": props.multi_processor_count,
        "compute_capability": f"{props.major}.{props.minor}",
        "sm_clock_mhz": _number(smi.get("clocks.sm")),
        "max_sm_clock_mhz": _number(smi.get("clocks.max.sm")),
        "memory_clock_mhz": _number(smi.get("clocks.mem")),
        "max_memory_clock_mhz": _number(smi.get("clocks.max.mem")),
        "power_limit_w": _number(smi.get("power.limit")),
        "driver": smi.get("driver_version"),
    }


def _version(module: str) -> str | None:
    try:
        version: str | None = __import__(module).__version__
        return version
    except Exception:  # a missing or broken optional library is reported as absent
        return None


def host_info(device: Any) -> dict[str, Any]:
    """Host, CPU, GPU and the versions that shape the numbers (gonka, Python, torch, Triton, CUDA, driver)."""
    import torch

    gpu = gpu_info(device)
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "gpu": gpu,
        "versions": {
            "gonka": _version("gonka"),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "triton": _version("triton"),
            "cuda": torch.version.cuda,
            "driver": gpu["driver"] if gpu else None,
        },
    }
