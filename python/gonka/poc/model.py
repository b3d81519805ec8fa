"""``PocModel``: the PoC model of one block hash, built once and run over many nonce batches."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import torch

from gonka.errors import InvalidInput
from gonka.poc import rng
from gonka.poc.engines import CPU_BATCH_SIZE, activation_bytes_per_nonce, create_engine, get_engine
from gonka.poc.nonces import check_nonce
from gonka.poc.params import Params
from gonka.poc.proofs import ProofBatch, distances_from_logits
from gonka.poc.torch_options import dtype_name, resolve_device, resolve_dtype
from gonka.poc.weights import ModelWeights

#: Largest automatic GPU batch: bounds one batch's latency (a stop or phase switch waits for it).
MAX_GPU_BATCH_SIZE = 512
#: Share of the free device memory that automatic batches may fill (the reference's 0.9 x 0.9).
GPU_MEMORY_FRACTION = 0.81


def check_nonces(nonces: Sequence[int] | np.ndarray) -> list[int]:
    """Nonces as a list of Python ints, each checked by :func:`gonka.poc.nonces.check_nonce`."""
    if isinstance(nonces, (str, bytes)) or not hasattr(nonces, "__iter__"):
        raise InvalidInput(f"nonces must be a sequence of integers, got {type(nonces).__name__}")
    return [check_nonce(nonce) for nonce in nonces]


def batch_size_for_memory(free_bytes: int, bytes_per_nonce: int, cap: int = MAX_GPU_BATCH_SIZE) -> int:
    """Nonces per forward that fit in ``GPU_MEMORY_FRACTION`` of ``free_bytes`` (at least 1, at most cap)."""
    if bytes_per_nonce <= 0:
        raise InvalidInput(f"bytes_per_nonce must be positive, got {bytes_per_nonce}")
    return max(1, min(cap, int(free_bytes * GPU_MEMORY_FRACTION // bytes_per_nonce)))


class PocModel:
    """The random LLaMA of one block hash with its target vector, ready to score nonces.

    ``engine`` names a forward-pass engine (``"torch"``, ``"triton"``; see ``gonka.poc.engines``).
    ``batch_size`` bounds the nonces per forward pass (default: 8 on CPU, sized from free memory on CUDA).
    """

    def __init__(
        self,
        params: Params,
        block_hash: str,
        *,
        device: str | torch.device = "cpu",
        dtype: str | torch.dtype = "float16",
        engine: str = "torch",
        batch_size: int | None = None,
    ) -> None:
        started = time.perf_counter()
        if not isinstance(params, Params):
            raise InvalidInput(f"params must be a gonka.poc.Params, got {type(params).__name__}")
        if not isinstance(block_hash, str):
            raise InvalidInput(f"block_hash must be a string, got {type(block_hash).__name__}")
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
        ):
            raise InvalidInput(f"batch_size must be a positive integer, got {batch_size!r}")
        self.params = params
        self.block_hash = block_hash
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype)
        self.engine_name = engine
        get_engine(engine)  # fail on an unknown engine before the (long) weight build
        self.weights = ModelWeights(params, block_hash, self.device, self.dtype)
        self.engine = create_engine(engine, self.weights, params)
        self.target: np.ndarray = rng.target(block_hash, params.vocab_size)
        self.batch_size = batch_size or self._default_batch_size()
        self.build_seconds = time.perf_counter() - started

    def _default_batch_size(self) -> int:
        if self.device.type != "cuda":
            return CPU_BATCH_SIZE
        per_nonce = activation_bytes_per_nonce(self.params, self.engine_name, self.dtype.itemsize)
        free, _ = torch.cuda.mem_get_info(self.device)
        return batch_size_for_memory(free, per_nonce)

    # --- per-nonce data ------------------------------------------------------------------------------------

    def inputs(self, public_key: str, nonces: Sequence[int]) -> torch.Tensor:
        """Input embeddings ``[B, seq_len, dim]`` on the model's device in its dtype."""
        nonces = check_nonces(nonces)
        p = self.params
        # The reference always generates float16 inputs (float64 -> float32 -> float16) and casts them to the
        # model's dtype afterwards, so a float32 model also sees float16-valued inputs.
        host = torch.empty(
            (len(nonces), p.seq_len, p.dim), dtype=torch.float16, pin_memory=self.device.type == "cuda"
        )
        rng.inputs(
            self.block_hash,
            _check_key(public_key),
            nonces,
            p.seq_len,
            p.dim,
            dtype="float16",
            out=host.numpy(),
        )
        return host.to(self.device, non_blocking=True).to(self.dtype)

    def permutations(self, public_key: str, nonces: Sequence[int]) -> np.ndarray:
        """Output permutations ``[B, vocab_size]`` (int64)."""
        return rng.permutations(
            self.block_hash, _check_key(public_key), check_nonces(nonces), self.params.vocab_size
        )

    # --- forward and proofs --------------------------------------------------------------------------------

    def logits(self, public_key: str, nonces: Sequence[int]) -> np.ndarray:
        """Last-position logits ``[B, vocab_size]`` (float32) before the permutation."""
        nonces = check_nonces(nonces)
        if not nonces:
            return np.empty((0, self.params.vocab_size), dtype=np.float32)
        chunks = [self._forward(self.inputs(public_key, chunk)) for chunk in self._chunks(nonces, None)]
        return np.concatenate(chunks)

    def distances(
        self, public_key: str, nonces: Sequence[int], *, batch_size: int | None = None
    ) -> np.ndarray:
        """Distance of every nonce to the target (float64 ``[B]``); a nonce is valid when it is < r_target.

        Host-side input generation of the next batch overlaps the forward pass of the current one.
        """
        nonces = check_nonces(nonces)
        public_key = _check_key(public_key)
        out = np.empty(len(nonces), dtype=np.float64)
        with ThreadPoolExecutor(max_workers=1) as prefetcher:
            pending: Future[tuple[torch.Tensor, np.ndarray]] | None = None
            done = 0
            chunks = list(self._chunks(nonces, batch_size))
            for index, chunk in enumerate(chunks):
                prepared = pending.result() if pending is not None else self._prepare(public_key, chunk)
                pending = None
                if index + 1 < len(chunks):
                    pending = prefetcher.submit(self._prepare, public_key, chunks[index + 1])
                x, perms = prepared
                logits = self._forward(x)
                out[done : done + len(chunk)] = distances_from_logits(logits, perms, self.target)
                done += len(chunk)
        return out

    def prove(
        self,
        public_key: str,
        nonces: Sequence[int],
        *,
        block_height: int,
        node_id: int,
        batch_size: int | None = None,
    ) -> ProofBatch:
        """A :class:`ProofBatch` with every nonce's distance (filter it with ``sub_batch(r_target)``)."""
        nonces = check_nonces(nonces)
        dist = self.distances(public_key, nonces, batch_size=batch_size)
        return ProofBatch(public_key, self.block_hash, block_height, nonces, dist.tolist(), node_id)

    def _prepare(self, public_key: str, nonces: list[int]) -> tuple[torch.Tensor, np.ndarray]:
        return self.inputs(public_key, nonces), self.permutations(public_key, nonces)

    def _forward(self, x: torch.Tensor) -> np.ndarray:
        logits: np.ndarray = self.engine.forward_last_logits(x).cpu().numpy()
        return logits

    def _chunks(self, nonces: list[int], batch_size: int | None) -> Iterator[list[int]]:
        size = self.batch_size if batch_size is None else batch_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInput(f"batch_size must be a positive integer, got {size!r}")
        for start in range(0, len(nonces), size):
            yield nonces[start : start + size]

    def __repr__(self) -> str:
        return (
            f"PocModel(dim={self.params.dim}, n_layers={self.params.n_layers}, "
            f"block_hash={self.block_hash!r}, "
            f"device={self.device}, dtype={dtype_name(self.dtype)}, engine={self.engine_name!r})"
        )


def _check_key(public_key: Any) -> str:
    if not isinstance(public_key, str):
        raise InvalidInput(f"public_key must be a string, got {type(public_key).__name__}")
    return public_key


def compute_distances(
    params: Params,
    block_hash: str,
    public_key: str,
    nonces: Sequence[int],
    *,
    dtype: str | torch.dtype = "float16",
    device: str | torch.device = "cpu",
    engine: str = "torch",
    batch_size: int | None = None,
) -> np.ndarray:
    """The nonces' distances (float64) under the model of ``block_hash``; reuse a PocModel for many calls."""
    model = PocModel(params, block_hash, device=device, dtype=dtype, engine=engine, batch_size=batch_size)
    return model.distances(public_key, nonces)
