"""Resolution of the dtype and device names the PoC API accepts into torch objects, with clear errors."""

from __future__ import annotations

import torch

from gonka.errors import InvalidInput

#: Activation/weight dtypes an engine can run in, by name.
DTYPES: dict[str, torch.dtype] = {
    "float16": torch.float16,
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
}
_ALIASES = {"fp16": "float16", "half": "float16", "fp32": "float32", "float": "float32", "bf16": "bfloat16"}


def resolve_dtype(dtype: str | torch.dtype) -> torch.dtype:
    """``"float16"``/``"float32"``/``"bfloat16"`` (or the torch dtype) -> torch dtype."""
    if isinstance(dtype, torch.dtype):
        if dtype in DTYPES.values():
            return dtype
        raise InvalidInput(f"unsupported dtype {dtype}; expected one of {', '.join(DTYPES)}")
    if isinstance(dtype, str):
        name = _ALIASES.get(dtype.lower(), dtype.lower())
        if name in DTYPES:
            return DTYPES[name]
    raise InvalidInput(f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPES)}")


def dtype_name(dtype: torch.dtype) -> str:
    return next(name for name, value in DTYPES.items() if value == dtype)


def resolve_device(device: str | torch.device) -> torch.device:
    """A torch device that exists on this machine (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...)."""
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InvalidInput(f"unknown device {device!r}: {exc}") from None
    if resolved.type == "cpu":
        return resolved
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise InvalidInput(f"device {device!r} requested but CUDA is not available on this machine")
        index = resolved.index if resolved.index is not None else torch.cuda.current_device()
        if index >= torch.cuda.device_count():
            raise InvalidInput(f"device {device!r}: only {torch.cuda.device_count()} CUDA device(s) present")
        return torch.device("cuda", index)
    raise InvalidInput(f"unsupported device {device!r}; expected 'cpu' or 'cuda[:N]'")
