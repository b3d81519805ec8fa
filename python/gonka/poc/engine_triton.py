"""The Triton engine: the PoC forward pass on fused Triton kernels (``engine="triton"``).

Same contract as :class:`gonka.poc.engine_torch.TorchEngine` (its oracle) and the same rounding points (poc.md
§3), in fewer passes over memory:

* RMSNorm → one kernel; Q/K/V → one GEMM against the three weights stacked, with RoPE in its epilogue;
  attention → one kernel per (nonce, head, query block) with an exact float32 softmax; O projection and the
  down projection → GEMMs whose epilogue adds the residual in place; gate/up → one dual GEMM with the SiLU·mul
  epilogue, so only the product reaches memory.
* The last layer needs keys and values of every position but nothing else beyond the last one: its attention,
  O projection, FFN, final norm and output projection run for position ``seq_len - 1`` only. Every kernel
  works row by row (no split-K), so this changes no value.
* Weights are read in place as windows of the pool. GPU loads want 16-byte aligned rows, and a window starts
  at any element, so on CUDA the engine keeps up to seven shifted copies of the pool (one per misalignment
  actually used): 1.78 GB each in production, instead of the 35.5 GB of materialized weights. Only the small
  Q/K/V weights are stacked into new buffers (1.2 GB in production).

On Hopper the GEMMs read 16-bit tiles through TMA descriptors built on the device (``GONKA_TRITON_TMA=0``
selects pointer loads, the path of Ampere and Ada, and of float32); if this Triton cannot compile them, the
engine warns once and uses pointer loads. The logits are written with rows padded to 16 elements (an
unaligned row stride makes the GEMM spill registers). Kernel launch gaps are negligible at production batch
sizes (a few hundred launches per forward of seconds), so the forward runs eagerly rather than through CUDA
graphs. Batches are processed in place in a workspace cached per batch size.
"""

from __future__ import annotations

import time

import torch

from gonka.errors import InvalidInput
from gonka.kernels import attention as _attention
from gonka.kernels import gemm as _gemm
from gonka.kernels import qkv as _qkv
from gonka.kernels import rmsnorm as _rmsnorm
from gonka.kernels import swiglu as _swiglu
from gonka.kernels._runtime import interpreting
from gonka.poc import engines
from gonka.poc.params import Params
from gonka.poc.rope import rope_table
from gonka.poc.weights import ModelWeights

#: Alignment (bytes) of every weight row start the kernels read (the memory model counts the copies it costs).
_ALIGNMENT = engines.WEIGHT_ALIGNMENT


class _PoolWindows:
    """Weights as aligned windows of the pool: a window that starts misaligned is read from a copy of the pool
    shifted by the misalignment (made once per shift that is needed)."""

    def __init__(self, pool: torch.Tensor, align: bool) -> None:
        self.pool = pool
        self.align = align
        self.copies: dict[int, torch.Tensor] = {}

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        if not self.align or (weight.data_ptr() % _ALIGNMENT == 0 and weight.is_contiguous()):
            return weight.contiguous()
        same_storage = weight.untyped_storage().data_ptr() == self.pool.untyped_storage().data_ptr()
        if not (same_storage and weight.is_contiguous()):
            return weight.clone(memory_format=torch.contiguous_format)
        offset = (weight.data_ptr() - self.pool.data_ptr()) // weight.element_size()
        shift = offset % (_ALIGNMENT // weight.element_size())
        copy = self.copies.get(shift)
        if copy is None:
            copy = self.copies[shift] = self.pool[shift:].clone()
        start = offset - shift
        return copy[start : start + weight.numel()].view(weight.shape)

    @property
    def nbytes(self) -> int:
        return sum(c.numel() * c.element_size() for c in self.copies.values())


class _Layer:
    __slots__ = ("attention_norm", "ffn_norm", "w1", "w2", "w3", "wo", "wqkv")
    attention_norm: torch.Tensor
    ffn_norm: torch.Tensor
    w1: torch.Tensor
    w2: torch.Tensor
    w3: torch.Tensor
    wo: torch.Tensor
    wqkv: torch.Tensor

    def __init__(self, **tensors: torch.Tensor) -> None:
        for name, tensor in tensors.items():
            setattr(self, name, tensor)


class TritonEngine:
    """PoC forward pass on Triton kernels over :class:`ModelWeights` (CUDA, or the CPU under
    ``TRITON_INTERPRET=1`` for testing)."""

    name = "triton"

    def __init__(self, weights: ModelWeights, params: Params | None = None) -> None:
        started = time.perf_counter()
        params = weights.params if params is None else params
        if params != weights.params:
            raise InvalidInput("params differ from the params the weights were built for")
        self.weights = weights
        self.params = params
        self.device = weights.device
        self.dtype = weights.dtype
        if self.device.type != "cuda" and not interpreting():
            raise InvalidInput(
                "the triton engine runs on a CUDA device; on a CPU use engine='torch' "
                "(or set TRITON_INTERPRET=1 to run the kernels slowly in its interpreter)"
            )
        if params.n_kv_heads != params.n_heads:
            raise InvalidInput(
                f"the triton engine needs n_kv_heads == n_heads (got {params.n_kv_heads}, {params.n_heads}); "
                "use engine='torch' for grouped-query models"
            )
        self.cos, self.sin = rope_table(params, self.device, self.dtype)
        windows = _PoolWindows(weights.pool, align=self.device.type == "cuda")
        self.layers = [
            _Layer(
                wqkv=torch.cat([layer.wq, layer.wk, layer.wv]),
                wo=windows(layer.wo),
                w1=windows(layer.w1),
                w2=windows(layer.w2),
                w3=windows(layer.w3),
                attention_norm=layer.attention_norm.contiguous(),
                ffn_norm=layer.ffn_norm.contiguous(),
            )
            for layer in weights.layers
        ]
        self.norm = weights.norm.contiguous()
        self.output = windows(weights.output)
        #: Device memory the engine holds beyond the pool: shifted pool copies and stacked Q/K/V weights.
        self.extra_bytes = windows.nbytes + sum(w.wqkv.numel() * w.wqkv.element_size() for w in self.layers)
        self._workspaces: dict[int, dict[str, torch.Tensor]] = {}
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.build_seconds = time.perf_counter() - started

    # --- public API ----------------------------------------------------------------------------------------

    def activation_bytes_per_nonce(self) -> int:
        """Workspace bytes one nonce of a batch needs (to size batches from free memory)."""
        return engines.activation_bytes_per_nonce(self.params, "triton", self.dtype.itemsize)

    @torch.no_grad()
    def forward_last_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Last-position logits ``[B, vocab_size]`` (float32, before the permutation) of ``x`` [B, S, D]."""
        p = self.params
        if x.dim() != 3 or x.shape[1] != p.seq_len or x.shape[2] != p.dim:
            raise InvalidInput(f"inputs must be [batch, {p.seq_len}, {p.dim}], got {list(x.shape)}")
        batch, seq_len, dim = x.shape
        if batch == 0:
            return torch.empty((0, p.vocab_size), dtype=torch.float32, device=self.device)
        ws = self._workspace(batch)
        h, a, qkv, att, ffn = ws["h"], ws["a"], ws["qkv"], ws["att"], ws["ffn"]
        h.copy_(x.reshape(batch * seq_len, dim))
        q, k, v = qkv[:, :dim], qkv[:, dim : 2 * dim], qkv[:, 2 * dim :]
        last = slice(seq_len - 1, None, seq_len)  # row of position seq_len - 1 of every nonce
        for index, layer in enumerate(self.layers):
            _rmsnorm.rmsnorm(h, layer.attention_norm, p.norm_eps, out=a)
            _qkv.qkv_rope(a, layer.wqkv, self.cos, self.sin, seq_len, p.head_dim, out=qkv)
            if index + 1 < len(self.layers):
                _attention.causal_attention(q, k, v, seq_len, p.n_heads, out=att)
                _gemm.linear(att, layer.wo, out=h, residual=True)
                _rmsnorm.rmsnorm(h, layer.ffn_norm, p.norm_eps, out=a)
                _swiglu.swiglu(a, layer.w1, layer.w3, out=ffn)
                _gemm.linear(ffn, layer.w2, out=h, residual=True)
            else:
                h = h[last]
                small, ffn_small = a[:batch], ffn.view(-1)[: batch * p.ffn_hidden].view(batch, p.ffn_hidden)
                _attention.causal_attention(q, k, v, seq_len, p.n_heads, out=att, first_query=seq_len - 1)
                _gemm.linear(att[last], layer.wo, out=h, residual=True)
                _rmsnorm.rmsnorm(h, layer.ffn_norm, p.norm_eps, out=small)
                _swiglu.swiglu(small, layer.w1, layer.w3, out=ffn_small)
                _gemm.linear(ffn_small, layer.w2, out=h, residual=True)
        normed = _rmsnorm.rmsnorm(h, self.norm, p.norm_eps, out=a[:batch])
        padded = torch.empty(
            (batch, _gemm.aligned_columns(p.vocab_size)), dtype=self.dtype, device=self.device
        )
        return _gemm.linear(normed, self.output, out=padded[:, : p.vocab_size]).float()

    # --- internals -----------------------------------------------------------------------------------------

    def _workspace(self, batch: int) -> dict[str, torch.Tensor]:
        ws = self._workspaces.get(batch)
        if ws is None:
            p, rows = self.params, batch * self.params.seq_len
            self._workspaces.clear()  # one batch size at a time: keep peak memory at one workspace

            def empty(*shape: int) -> torch.Tensor:
                return torch.empty(shape, dtype=self.dtype, device=self.device)

            ws = self._workspaces[batch] = {
                "h": empty(rows, p.dim),
                "a": empty(rows, p.dim),
                "qkv": empty(rows, 3 * p.dim),
                "att": empty(rows, p.dim),
                "ffn": empty(rows, p.ffn_hidden),
            }
        return ws
