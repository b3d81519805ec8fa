"""What the kernels need to know about where they run: interpreter or GPU, and which GPU generation."""

from __future__ import annotations

import functools
import os

import torch
import triton.language as tl


def interpreting() -> bool:
    """True when Triton runs kernels on the CPU through its interpreter (``TRITON_INTERPRET=1``)."""
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


@functools.cache
def _device_properties(index: int) -> tuple[int, int, int]:
    props = torch.cuda.get_device_properties(index)
    return props.major, props.minor, props.multi_processor_count


def capability(device: torch.device) -> tuple[int, int]:
    """CUDA compute capability of ``device``; (0, 0) off CUDA (the interpreter)."""
    if device.type != "cuda":
        return (0, 0)
    major, minor, _ = _device_properties(
        device.index if device.index is not None else torch.cuda.current_device()
    )
    return major, minor


def num_programs(device: torch.device) -> int:
    """Programs of a persistent grid: one per multiprocessor; a handful under the interpreter."""
    if device.type != "cuda":
        return 4
    return _device_properties(device.index if device.index is not None else torch.cuda.current_device())[2]


def libm_exp() -> bool:
    """Whether kernels call CUDA's libm ``expf`` (what PyTorch's softmax and SiLU evaluate) rather than
    Triton's faster approximate exp. The interpreter has no libm: there numpy's exp stands in for both."""
    return not interpreting()


#: Shared memory one program (CUDA block) may use, by compute capability: the opt-in maximum per block of the
#: CUDA programming guide's per-capability table. A table rather than a device query, so that the engine's
#: choice of GEMM configs and the ahead-of-time compile check (:mod:`gonka.kernels.aot`) agree without a GPU.
SHARED_MEMORY_PER_BLOCK: dict[tuple[int, int], int] = {
    (7, 5): 64 * 1024,
    (8, 0): 163 * 1024,
    (8, 6): 99 * 1024,
    (8, 7): 163 * 1024,
    (8, 9): 99 * 1024,
    (9, 0): 227 * 1024,
    (10, 0): 227 * 1024,
    (10, 3): 227 * 1024,
    (12, 0): 99 * 1024,
}


def shared_memory_limit(capability: tuple[int, int]) -> int:
    """Bytes of shared memory a program may use on a GPU of ``capability``; the smallest limit of the table
    for a capability it does not list (a config chosen under it fits anywhere)."""
    return SHARED_MEMORY_PER_BLOCK.get(capability, min(SHARED_MEMORY_PER_BLOCK.values()))


def is_hopper(device: torch.device) -> bool:
    return capability(device)[0] == 9


def check_rows(name: str, tensor: torch.Tensor, width: int) -> None:
    """Kernels address 2-D operands as rows with unit column stride; say clearly when a caller breaks that."""
    if tensor.dim() != 2 or tensor.shape[1] != width or tensor.stride(1) != 1:
        raise ValueError(
            f"{name}: expected a 2-D tensor with {width} unit-stride columns, "
            f"got shape {tuple(tensor.shape)} and strides {tensor.stride()}"
        )


# Triton types for the dtypes the engine runs in.
TL_DTYPES = {torch.float16: tl.float16, torch.float32: tl.float32, torch.bfloat16: tl.bfloat16}


def dot_precision(dtype: torch.dtype) -> str:
    """float32 operands (the CPU-oracle dtype) are multiplied exactly, never through tf32."""
    return "ieee" if dtype == torch.float32 else "tf32"
