"""PoC v2 generation with any Hugging Face causal LM (needs ``torch`` and ``transformers``).

Per round (block hash) every decoder layer ``i`` gets a forward hook reflecting its output by the
Householder vector ``v_i = normal(seed32(f"{block_hash}_layer_{i}_householder"), hidden)`` (unit,
applied in the activation dtype). A nonce's input is ``inputs(...)`` fed as ``inputs_embeds`` at
positions ``0..seq_len-1``; the final-norm hidden state of the last position (float32) becomes the
artifact through :func:`gonka.poc.v2.rng.artifacts` (pick in CUDA's order, Haar chain, fp16).

A Hugging Face decoder layer returns the whole residual stream, so reflecting its output equals the
reference's reflection of vLLM's ``(hidden, residual)`` pair; rounding differs only in the way
ordinary implementation noise does (absorbed by the validators' L2 threshold).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from gonka.errors import InvalidInput
from gonka.poc.v2 import rng

__all__ = ["ArtifactGenerator", "GeneratedArtifacts", "decoder_layers", "load_model", "tiny_qwen3"]


def tiny_qwen3(
    seed: int = 0, dtype: torch.dtype = torch.float32, *, initializer_range: float = 0.1
) -> torch.nn.Module:
    """A randomly initialised two-layer Qwen3 (hidden 64) built from a ``Qwen3Config``: no download.

    The spec's CPU recipe, except that weights are drawn with std ``initializer_range`` 0.1 rather
    than the config's default 0.02: at 0.02 the layers barely touch the unit-variance residual
    stream, so two unrelated random models give artifacts within L2 0.02 of each other and weight
    cheats would pass. At 0.1 another model lies ~0.8 away while a bfloat16 copy stays ~0.006 away.
    """
    from transformers import Qwen3Config, Qwen3ForCausalLM

    config = Qwen3Config(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        vocab_size=128,
        initializer_range=initializer_range,
    )
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model: torch.nn.Module = Qwen3ForCausalLM(config)
    finally:
        torch.random.set_rng_state(generator_state)
    return model.to(dtype=dtype).eval()


_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def load_model(spec: str = "tiny", dtype: str = "float32") -> torch.nn.Module:
    """A causal LM from ``spec``: ``"tiny"`` (:func:`tiny_qwen3`), a local Hugging Face checkpoint
    directory, or a ``config.json`` (randomly initialised with seed 0). Nothing is downloaded."""
    import os

    if dtype not in _DTYPES:
        raise InvalidInput(f"dtype must be one of {', '.join(_DTYPES)}, got {dtype!r}")
    torch_dtype = _DTYPES[dtype]
    if spec == "tiny":
        return tiny_qwen3(dtype=torch_dtype)
    from transformers import AutoConfig, AutoModelForCausalLM

    if os.path.isdir(spec):
        model = AutoModelForCausalLM.from_pretrained(spec, local_files_only=True, dtype=torch_dtype)
    elif os.path.isfile(spec):
        config = AutoConfig.from_pretrained(spec, local_files_only=True)
        state = torch.random.get_rng_state()
        torch.manual_seed(0)
        try:
            model = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
        finally:
            torch.random.set_rng_state(state)
        model = model.to(dtype=torch_dtype)
    else:
        raise InvalidInput(f"model {spec!r}: expected 'tiny', a checkpoint directory or a config.json")
    loaded: torch.nn.Module = model.eval()  # type: ignore[no-untyped-call]
    return loaded


def decoder_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The decoder layers of a causal LM (Llama/Qwen/Mistral ``model.layers``, GPT-2 ``transformer.h``)."""
    candidates: list[Any] = [
        getattr(getattr(model, "model", None), "layers", None),
        getattr(getattr(model, "transformer", None), "h", None),
        getattr(model, "layers", None),
    ]
    for layers in candidates:
        if isinstance(layers, torch.nn.ModuleList):
            return list(layers)
    raise InvalidInput(f"cannot find the decoder layers of {type(model).__name__}")


@dataclass(frozen=True)
class GeneratedArtifacts:
    """Artifacts of a batch: ``vectors[i]`` (float16 ``[k]``) belongs to ``nonces[i]``.

    Nonces whose hidden state or vector is not finite produce no artifact (as V1-era nodes do).
    """

    nonces: list[int]
    vectors: np.ndarray

    def vectors_b64(self) -> list[str]:
        return [rng.encode_vector(v) for v in self.vectors]

    def as_dicts(self) -> list[dict[str, Any]]:
        """``[{"nonce", "vector_b64"}]``, the ML node's wire form."""
        return [{"nonce": n, "vector_b64": b} for n, b in zip(self.nonces, self.vectors_b64(), strict=True)]


class ArtifactGenerator:
    """Computes PoC v2 artifacts with a Hugging Face causal LM.

    ``dtype`` is the activation dtype (default: the model's parameters'); inputs and the layer
    reflections use it. ``pick_order`` exists to simulate a wrong implementation: ``"cuda"`` is the
    protocol; ``"torch-cpu"`` reproduces what ``torch.topk`` returns on a CPU (a different order).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        seq_len: int,
        k_dim: int = rng.DEFAULT_K_DIM,
        dtype: torch.dtype | None = None,
        pick_order: str = "cuda",
    ) -> None:
        if seq_len < 1:
            raise InvalidInput(f"seq_len must be >= 1, got {seq_len}")
        if pick_order not in ("cuda", "torch-cpu"):
            raise InvalidInput(f"pick_order must be 'cuda' or 'torch-cpu', got {pick_order!r}")
        self.model = model
        self.layers = decoder_layers(model)
        config = getattr(model, "config", None)
        hidden = getattr(config, "hidden_size", None)
        if not isinstance(hidden, int):
            raise InvalidInput("the model's config has no integer hidden_size")
        self.hidden = hidden
        self.seq_len = seq_len
        self.k_dim = k_dim
        self.dtype = dtype or next(model.parameters()).dtype
        self.device = next(model.parameters()).device
        self.pick_order = pick_order
        self._block_hash: str | None = None
        self._vectors: list[torch.Tensor] = []
        self._active = False
        self._handles = [layer.register_forward_hook(self._hook(i)) for i, layer in enumerate(self.layers)]

    def close(self) -> None:
        """Removes the layer hooks (the model then runs as before)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> ArtifactGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _hook(self, index: int) -> Any:
        def reflect(module: torch.nn.Module, args: Any, output: Any) -> Any:
            if not self._active:
                return output
            v = self._vectors[index]
            if isinstance(output, tuple):
                return (self._reflect(output[0], v), *output[1:])
            return self._reflect(output, v)

        return reflect

    @staticmethod
    def _reflect(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        v = v.to(x.dtype)
        return x - 2 * (x * v).sum(dim=-1, keepdim=True) * v

    def _set_round(self, block_hash: str) -> None:
        if block_hash == self._block_hash:
            return
        self._vectors = [
            torch.from_numpy(rng.layer_vector(block_hash, i, self.hidden)).to(self.device)
            for i in range(len(self.layers))
        ]
        self._block_hash = block_hash

    @contextmanager
    def _round(self, block_hash: str) -> Iterator[None]:
        self._set_round(block_hash)
        self._active = True
        try:
            yield
        finally:
            self._active = False

    def input_embeddings(
        self, block_hash: str, public_key: str, nonces: list[int], *, stronger_rng: bool = False
    ) -> torch.Tensor:
        """``[B, seq_len, hidden]`` inputs in the activation dtype."""
        shape = (len(nonces), self.seq_len, self.hidden)
        if self.dtype == torch.bfloat16:
            bits = np.empty(shape, dtype=np.uint16)
            rng.inputs(
                block_hash,
                public_key,
                nonces,
                *shape[1:],
                dtype="bfloat16",
                stronger_rng=stronger_rng,
                out=bits,
            )
            tensor = torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16)
        elif self.dtype in (torch.float16, torch.float32):
            name = "float16" if self.dtype == torch.float16 else "float32"
            tensor = torch.from_numpy(
                rng.inputs(block_hash, public_key, nonces, *shape[1:], dtype=name, stronger_rng=stronger_rng)
            )
        else:
            raw = rng.inputs(block_hash, public_key, nonces, *shape[1:], stronger_rng=stronger_rng)
            tensor = torch.from_numpy(raw).to(self.dtype)
        return tensor.to(self.device)

    @torch.inference_mode()
    def last_hidden(
        self, block_hash: str, public_key: str, nonces: Iterable[int], *, stronger_rng: bool = False
    ) -> torch.Tensor:
        """The final-norm hidden state of the last position, float32 ``[B, hidden]``."""
        nonce_list = [int(n) for n in nonces]
        x = self.input_embeddings(block_hash, public_key, nonce_list, stronger_rng=stronger_rng)
        positions = torch.arange(self.seq_len, device=self.device).unsqueeze(0).expand(len(nonce_list), -1)
        base = getattr(self.model, "model", self.model)
        with self._round(block_hash):
            output = base(inputs_embeds=x, position_ids=positions, use_cache=False)
        states = output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0]
        last: torch.Tensor = states[:, -1, :].float()
        return last

    def generate(
        self, block_hash: str, public_key: str, nonces: Iterable[int], *, stronger_rng: bool = False
    ) -> GeneratedArtifacts:
        """Artifacts of ``nonces`` (one forward pass)."""
        nonce_list = [int(n) for n in nonces]
        if not nonce_list:
            return GeneratedArtifacts([], np.empty((0, self.k_dim), dtype=np.float16))
        last = self.last_hidden(block_hash, public_key, nonce_list, stronger_rng=stronger_rng).cpu().numpy()
        finite = np.isfinite(last).all(axis=1)
        if self.pick_order == "cuda":
            vectors = rng.artifacts(block_hash, public_key, nonce_list, last, self.k_dim)
        else:
            vectors = self._artifacts_torch_cpu_order(block_hash, public_key, nonce_list, last)
        finite &= np.isfinite(vectors.astype(np.float32)).all(axis=1)
        kept = [n for n, ok in zip(nonce_list, finite, strict=True) if ok]
        return GeneratedArtifacts(kept, np.ascontiguousarray(vectors[finite]))

    def _artifacts_torch_cpu_order(
        self, block_hash: str, public_key: str, nonces: list[int], last: np.ndarray
    ) -> np.ndarray:
        """The same artifacts with the coordinates in torch-CPU ``topk`` order (a cheat to detect)."""
        out = np.empty((len(nonces), self.k_dim), dtype=np.float16)
        for row, (nonce, h) in enumerate(zip(nonces, last, strict=True)):
            seed = rng.seed32(f"{block_hash}_{public_key}_nonce_{nonce}_pick_{self.k_dim}")
            scores = torch.from_numpy(rng.murmur(seed, self.hidden).astype(np.int64))
            _, chosen = torch.topk(-scores, k=self.k_dim, largest=True, sorted=False)
            unit = h / (np.float32(np.linalg.norm(h.astype(np.float64))) + np.float32(1e-8))
            y = unit[chosen.numpy()].astype(np.float32)
            for w in rng.haar_vectors(block_hash, public_key, nonce, self.k_dim):
                y = y - np.float32(2) * np.float32(np.dot(w.astype(np.float64), y)) * w
            y = y / (np.float32(np.linalg.norm(y.astype(np.float64))) + np.float32(1e-8))
            out[row] = y.astype(np.float16)
        return out

    def generate_batches(
        self,
        block_hash: str,
        public_key: str,
        nonces: Iterable[int],
        *,
        batch_size: int = 32,
        stronger_rng: bool = False,
    ) -> Iterator[GeneratedArtifacts]:
        """Artifacts of ``nonces`` in batches of ``batch_size`` (e.g. from :func:`nonce_iterator`)."""
        if batch_size < 1:
            raise InvalidInput(f"batch_size must be >= 1, got {batch_size}")
        batch: list[int] = []
        for nonce in nonces:
            batch.append(int(nonce))
            if len(batch) == batch_size:
                yield self.generate(block_hash, public_key, batch, stronger_rng=stronger_rng)
                batch = []
        if batch:
            yield self.generate(block_hash, public_key, batch, stronger_rng=stronger_rng)
