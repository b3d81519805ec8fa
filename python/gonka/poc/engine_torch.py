"""The PyTorch reference engine: the oracle for the Triton engine and the CPU path.

It performs the reference model's forward pass operation by operation, with the same torch operators in
the same order and dtypes, so on a given device and torch build it rounds exactly where the reference does:

* RMSNorm: statistics in float32 (``rsqrt(mean(x^2) + eps)``), cast to the activation dtype, then the
  weight multiply in the activation dtype.
* RoPE on adjacent pairs in float32 with the activation-dtype table, each product rounded separately.
* Attention: ``scores = q @ k^T`` then ``scores / sqrt(head_dim)`` with a Python-float divisor; torch
  turns this into a multiplication by the float32 reciprocal on CUDA and a float32 division on CPU,
  exactly as it does for the reference. Causal mask add; softmax in float32 then cast; ``probs @ v``;
  ``wo``; residual add.
* SwiGLU: ``w2(silu(w1 x) * w3 x)`` (silu in float32 inside the kernel, stored in the activation dtype).
* Final RMSNorm and the output projection for every position (the reference's GEMM shape, so cuBLAS
  picks the same kernel); only the last position is returned, converted to float32 (exact). Projecting
  only the last position would be mathematically identical but may select another GEMM kernel on GPUs.

Weights are views into the pool at arbitrary element offsets; on CUDA a misaligned weight is first copied
into a reusable, aligned scratch buffer, because the reference's separately allocated weights are aligned
and cuBLAS chooses kernels (and so rounding) by alignment. The copies cost well under 1% of a batch.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from gonka.errors import InvalidInput
from gonka.poc import engines
from gonka.poc.params import Params
from gonka.poc.rope import rope_table
from gonka.poc.weights import LayerWeights, ModelWeights

# cuBLAS's fast kernels need 16-byte aligned operands (the memory model counts the scratch buffers it costs).
_GEMM_ALIGNMENT = engines.WEIGHT_ALIGNMENT


class TorchEngine:
    """Reference forward pass over :class:`ModelWeights` on their device and dtype."""

    name = "torch"

    def __init__(self, weights: ModelWeights, params: Params | None = None) -> None:
        params = weights.params if params is None else params
        if params != weights.params:
            raise InvalidInput("params differ from the params the weights were built for")
        self.weights = weights
        self.params = params
        self.device = weights.device
        self.dtype = weights.dtype
        self.cos, self.sin = rope_table(params, self.device, self.dtype)
        self._scratch: dict[tuple[int, ...], torch.Tensor] = {}

    # --- public API ----------------------------------------------------------------------------------------

    @torch.no_grad()
    def forward_last_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Last-position logits ``[B, vocab_size]`` (float32, before the permutation) of ``x [B, S, D]``."""
        p = self.params
        if x.dim() != 3 or x.shape[1] != p.seq_len or x.shape[2] != p.dim:
            raise InvalidInput(f"inputs must be [batch, {p.seq_len}, {p.dim}], got {list(x.shape)}")
        h = x.to(device=self.device, dtype=self.dtype)
        seq_len = h.shape[1]
        mask = None
        if seq_len > 1:
            mask = torch.full((seq_len, seq_len), float("-inf"), device=self.device, dtype=self.dtype)
            mask = torch.triu(mask, diagonal=1)
        for layer in self.weights.layers:
            h = self._block(h, layer, mask)
        h = self._rms_norm(h, self.weights.norm)
        logits = F.linear(h, self._gemm_weight(self.weights.output))
        return logits[:, -1, :].float()

    # --- layers --------------------------------------------------------------------------------------------

    def _block(self, h: torch.Tensor, w: LayerWeights, mask: torch.Tensor | None) -> torch.Tensor:
        h = h + self._attention(self._rms_norm(h, w.attention_norm), w, mask)
        return h + self._feed_forward(self._rms_norm(h, w.ffn_norm), w)

    def _rms_norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        x32 = x.float()
        normed = (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.params.norm_eps)).type_as(x)
        return normed * weight

    def _rope(self, x: torch.Tensor) -> torch.Tensor:
        """Rotate adjacent pairs (2i, 2i+1) of every head vector of ``x`` [B, S, heads, head_dim]."""
        pairs = x.float().reshape(*x.shape[:-1], -1, 2)
        seq_len, half = pairs.shape[1], pairs.shape[3]
        cos = self.cos[:seq_len].view(1, seq_len, 1, half)
        sin = self.sin[:seq_len].view(1, seq_len, 1, half)
        x0, x1 = pairs[..., 0], pairs[..., 1]
        rotated = torch.stack([x0 * cos - x1 * sin, x1 * cos + x0 * sin], dim=-1)
        return rotated.flatten(3).type_as(x)

    def _attention(self, a: torch.Tensor, w: LayerWeights, mask: torch.Tensor | None) -> torch.Tensor:
        p = self.params
        batch, seq_len, _ = a.shape
        hd = p.head_dim
        q = F.linear(a, self._gemm_weight(w.wq)).view(batch, seq_len, p.n_heads, hd)
        k = F.linear(a, self._gemm_weight(w.wk)).view(batch, seq_len, p.n_kv_heads, hd)
        v = F.linear(a, self._gemm_weight(w.wv)).view(batch, seq_len, p.n_kv_heads, hd)
        q, k = self._rope(q), self._rope(k)
        repeats = p.n_heads // p.n_kv_heads
        if repeats > 1:
            k = k.repeat_interleave(repeats, dim=2)
            v = v.repeat_interleave(repeats, dim=2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(hd)
        if mask is not None:
            scores = scores + mask
        probs = F.softmax(scores.float(), dim=-1).type_as(q)
        out = torch.matmul(probs, v).transpose(1, 2).contiguous().view(batch, seq_len, -1)
        return F.linear(out, self._gemm_weight(w.wo))

    def _feed_forward(self, f: torch.Tensor, w: LayerWeights) -> torch.Tensor:
        gate = F.silu(F.linear(f, self._gemm_weight(w.w1)))
        up = F.linear(f, self._gemm_weight(w.w3))
        return F.linear(gate * up, self._gemm_weight(w.w2))

    def _gemm_weight(self, weight: torch.Tensor) -> torch.Tensor:
        """The weight itself, or on CUDA an aligned copy in a scratch buffer reused by later GEMMs.

        Reuse is safe: every GEMM is queued on the current stream before the next copy overwrites the buffer.
        """
        if weight.device.type != "cuda" or weight.data_ptr() % _GEMM_ALIGNMENT == 0:
            return weight
        shape = tuple(weight.shape)
        scratch = self._scratch.get(shape)
        if scratch is None:
            scratch = self._scratch[shape] = torch.empty_like(weight, memory_format=torch.contiguous_format)
        return scratch.copy_(weight)
