"""Model weights as windows of one random pool, built straight on the target device.

Every parameter of the reference model is a contiguous slice ``pool[start : start + numel]`` reshaped
row-major, with ``start = name_hash mod (pool_size - numel + 1)``. Keeping the pool and handing out views
reproduces the reference's weights bit for bit while holding 1/20 of their memory (1.78 GB instead of
35.5 GB in production). Parameters larger than the whole pool (tiny test models only) follow the
reference's tiling rule and are copies.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from gonka.errors import InvalidInput
from gonka.poc import rng
from gonka.poc.params import Params
from gonka.poc.torch_options import dtype_name, resolve_device, resolve_dtype


@dataclass(frozen=True)
class LayerWeights:
    """One transformer block's weights; linear weights are ``[out, in]`` like ``nn.Linear``."""

    wq: torch.Tensor
    wk: torch.Tensor
    wv: torch.Tensor
    wo: torch.Tensor
    w1: torch.Tensor
    w2: torch.Tensor
    w3: torch.Tensor
    attention_norm: torch.Tensor
    ffn_norm: torch.Tensor


_LAYER_FIELDS = {
    "attention.wq.weight": "wq",
    "attention.wk.weight": "wk",
    "attention.wv.weight": "wv",
    "attention.wo.weight": "wo",
    "feed_forward.w1.weight": "w1",
    "feed_forward.w2.weight": "w2",
    "feed_forward.w3.weight": "w3",
    "attention_norm.weight": "attention_norm",
    "ffn_norm.weight": "ffn_norm",
}


def generate_pool(
    params: Params, block_hash: str, device: str | torch.device = "cpu", dtype: str | torch.dtype = "float16"
) -> torch.Tensor:
    """The weight pool ``dtype(float32(normal(0, 0.02)))`` seeded by the block hash, on ``device``.

    It is generated on the host (into pinned memory when the target is a GPU) and copied once.
    """
    device, dtype = resolve_device(device), resolve_dtype(dtype)
    # numpy has no bfloat16: the reference rounds float64 -> float32 -> dtype, so bfloat16 goes via float32.
    host_dtype = torch.float16 if dtype == torch.float16 else torch.float32
    size = params.pool_size
    host = torch.empty(size, dtype=host_dtype, pin_memory=device.type == "cuda")
    rng.weight_pool(block_hash, size, dtype=dtype_name(host_dtype), out=host.numpy())
    if device.type == "cpu":
        return host.to(dtype)
    return host.to(device).to(dtype)


class ModelWeights:
    """All parameters of the PoC model for one block hash, as views into :attr:`pool`.

    ``ModelWeights(params, block_hash, device, dtype)`` generates the pool; pass ``pool=`` to reuse one
    (it must be 1-D with ``params.pool_size`` values; its device and dtype are used as they are).
    """

    def __init__(
        self,
        params: Params,
        block_hash: str,
        device: str | torch.device = "cpu",
        dtype: str | torch.dtype = "float16",
        *,
        pool: torch.Tensor | None = None,
    ) -> None:
        if not isinstance(params, Params):
            raise InvalidInput(f"params must be a gonka.poc.Params, got {type(params).__name__}")
        if not isinstance(block_hash, str):
            raise InvalidInput(f"block_hash must be a string, got {type(block_hash).__name__}")
        started = time.perf_counter()
        if pool is None:
            pool = generate_pool(params, block_hash, device, dtype)
        elif pool.dim() != 1 or pool.numel() != params.pool_size:
            raise InvalidInput(
                f"pool must be 1-D with {params.pool_size} values for these params, got {tuple(pool.shape)}"
            )
        self.params = params
        self.block_hash = block_hash
        self.pool = pool
        self._tensors: dict[str, torch.Tensor] = {}
        self._offsets: dict[str, int] = {}
        pool_size = params.pool_size
        for name, shape in params.param_shapes().items():
            numel = math.prod(shape)
            name_hash = rng.name_hash(block_hash, name)
            if numel <= pool_size:
                start = name_hash % (pool_size - numel + 1)
                self._offsets[name] = start
                self._tensors[name] = pool[start : start + numel].view(shape)
            else:
                self._tensors[name] = _tiled(pool, numel, name_hash % numel).view(shape)
        self.layers = [self._layer(i) for i in range(params.n_layers)]
        self.build_seconds = time.perf_counter() - started

    def _layer(self, index: int) -> LayerWeights:
        prefix = f"layers.{index}."
        return LayerWeights(**{field: self._tensors[prefix + name] for name, field in _LAYER_FIELDS.items()})

    @property
    def device(self) -> torch.device:
        return self.pool.device

    @property
    def dtype(self) -> torch.dtype:
        return self.pool.dtype

    @property
    def tok_embeddings(self) -> torch.Tensor:
        """Initialized like every parameter but never used by the PoC forward (inputs are embeddings)."""
        return self._tensors["tok_embeddings.weight"]

    @property
    def norm(self) -> torch.Tensor:
        return self._tensors["norm.weight"]

    @property
    def output(self) -> torch.Tensor:
        return self._tensors["output.weight"]

    def __getitem__(self, name: str) -> torch.Tensor:
        try:
            return self._tensors[name]
        except KeyError:
            raise InvalidInput(f"unknown parameter name {name!r}") from None

    def named_parameters(self) -> Iterator[tuple[str, torch.Tensor]]:
        """``(name, tensor)`` in the reference model's registration order."""
        yield from self._tensors.items()

    def is_view(self, name: str) -> bool:
        """Whether the parameter is a window of the pool (always, except tiled parameters of tiny models)."""
        self[name]
        return name in self._offsets

    def offset(self, name: str) -> int:
        """Start of the parameter's window within :attr:`pool` (row stride = the shape's last dimension)."""
        self[name]
        if name not in self._offsets:
            raise InvalidInput(f"parameter {name!r} is larger than the pool and tiled, not a window of it")
        return self._offsets[name]

    @property
    def n_params(self) -> int:
        return sum(t.numel() for t in self._tensors.values())

    @property
    def nbytes(self) -> int:
        """Device memory held: the pool plus any tiled copies."""
        copies = sum(t.numel() for n, t in self._tensors.items() if n not in self._offsets)
        return (self.pool.numel() + copies) * self.pool.element_size()


def _tiled(pool: torch.Tensor, numel: int, shift: int) -> torch.Tensor:
    """The pool repeated to ``numel`` values, then rotated left by ``shift`` (the reference's rule)."""
    index = (torch.arange(numel, device=pool.device) + shift) % numel % pool.numel()
    return pool[index]
