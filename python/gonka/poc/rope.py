"""Rotary position embedding table, bit-identical to the reference's.

The reference computes the frequencies with torch's float32 ``pow`` (whose last bit differs from other float32
``pow`` implementations), the angles ``float32(t) * freq`` in float32, cos/sin in float32, and casts the table
to the activation dtype on the first forward. The production frequencies (theta 10000, head_dim 28) are
embedded as their float32 bit patterns so the table never depends on a math library.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from gonka.poc.params import Params
from gonka.poc.torch_options import resolve_device, resolve_dtype

#: float32 bit patterns of 1 / 10000 ** (2k / 28), k = 0..13, as torch computes them.
_FREQ_BITS_THETA_10000_HD_28 = (
    0x3F800000, 0x3F049834, 0x3E895AA1, 0x3E0E48CA, 0x3D936440, 0x3D18AEA7, 0x3C9E29AA,
    0x3C23D70A, 0x3BA9B892, 0x3B2FD02C, 0x3AB61FB9, 0x3A3CA94C, 0x39C36EE9, 0x394A72C8,
)  # fmt: skip


def rope_frequencies(params: Params) -> np.ndarray:
    """The float32 rotary frequencies of one head (``head_dim // 2`` values)."""
    head_dim = params.head_dim
    if params.rope_theta == 10000.0 and head_dim == 28 and not params.use_scaled_rope:
        return np.array(_FREQ_BITS_THETA_10000_HD_28, dtype=np.uint32).view(np.float32)
    # Same float32 torch expression as the reference for every other shape.
    exponents = torch.arange(0, head_dim, 2)[: head_dim // 2].float() / head_dim
    freqs = 1.0 / (params.rope_theta**exponents)
    if params.use_scaled_rope:
        freqs = _llama31_scaling(freqs)
    return freqs.numpy()


def _llama31_scaling(freqs: torch.Tensor) -> torch.Tensor:
    """LLaMA 3.1 frequency scaling, element by element in float32 tensor arithmetic like the reference."""
    scale_factor, low_freq_factor, high_freq_factor, old_context_len = 8, 1, 4, 8192
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    scaled = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            scaled.append(freq)
        elif wavelen > low_freq_wavelen:
            scaled.append(freq / scale_factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            scaled.append((1 - smooth) * freq / scale_factor + smooth * freq)
    return torch.tensor(scaled, dtype=freqs.dtype)


def rope_table(
    params: Params, device: str | torch.device = "cpu", dtype: str | torch.dtype = "float16"
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(cos, sin)``, each ``[seq_len, head_dim // 2]`` in the activation ``dtype`` on ``device``.

    Values are ``dtype(float32(cos(angle)))`` with the float32 angle ``float32(t) * freq`` evaluated in
    float64: correctly rounded float32 cos/sin, which is what the reference's float16 table holds.
    """
    freqs = rope_frequencies(params)
    positions = np.arange(params.seq_len, dtype=np.float32)
    angles = np.outer(positions, freqs).astype(np.float32).astype(np.float64)
    device, dtype = resolve_device(device), resolve_dtype(dtype)
    cos = torch.from_numpy(np.cos(angles).astype(np.float32)).to(device=device, dtype=dtype)
    sin = torch.from_numpy(np.sin(angles).astype(np.float32)).to(device=device, dtype=dtype)
    return cos, sin
