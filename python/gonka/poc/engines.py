"""Forward-pass engines by name.

An engine is a class built as ``Engine(weights: ModelWeights, params: Params)`` with
``forward_last_logits(x: Tensor[B, S, D]) -> Tensor[B, vocab_size] float32``. ``"torch"`` (the reference
engine) is always present; ``"triton"`` is found in ``gonka.poc.engine_triton`` when that module imports.

The engines' memory model lives here too (no torch needed): what one nonce of a batch needs, what the
built model holds, and their sum, for batch sizing and for planning which GPUs (or the host) can run a
model.
"""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any

from gonka.errors import InvalidInput

if TYPE_CHECKING:
    from gonka.poc.params import Params

#: Engine name -> module that defines it (as the module attribute ``ENGINE``, or the class named below).
_MODULES: dict[str, tuple[str, str]] = {
    "torch": ("gonka.poc.engine_torch", "TorchEngine"),
    "triton": ("gonka.poc.engine_triton", "TritonEngine"),
}


def available_engines() -> list[str]:
    """Names of the engines that import on this machine."""
    names = []
    for name in _MODULES:
        try:
            get_engine(name)
        except InvalidInput:
            continue
        names.append(name)
    return names


def get_engine(name: str) -> Any:
    """The engine class registered under ``name``."""
    if name not in _MODULES:
        raise InvalidInput(f"unknown engine {name!r}; expected one of {', '.join(_MODULES)}")
    module_name, class_name = _MODULES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidInput(f"engine {name!r} is not available here: {exc}") from None
    engine = getattr(module, "ENGINE", None) or getattr(module, class_name, None)
    if engine is None:
        raise InvalidInput(f"engine {name!r}: {module_name} defines neither ENGINE nor {class_name}")
    return engine


#: Default nonces per forward on a CPU.
CPU_BATCH_SIZE = 8
#: Bytes per element of the dtypes the engines run in.
DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4}
#: Alignment (bytes) the GPU engines want for every weight they read (cuBLAS's fast kernels, Triton's loads).
WEIGHT_ALIGNMENT = 16


def dtype_bytes(dtype: str) -> int:
    """Bytes per element of ``dtype`` (``"float16"``, ``"bfloat16"`` or ``"float32"``)."""
    if dtype not in DTYPE_BYTES:
        raise InvalidInput(f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPE_BYTES)}")
    return DTYPE_BYTES[dtype]


def _check_engine(engine: str) -> None:
    if engine not in _MODULES:
        raise InvalidInput(f"unknown engine {engine!r}; expected one of {', '.join(_MODULES)}")


def activation_bytes_per_nonce(params: Params, engine: str, itemsize: int = 2) -> int:
    """Peak device bytes one nonce of a batch needs in ``engine`` (activations, not weights).

    The one memory model behind batch sizing (``PocModel``, ``gonka bench``) and GPU grouping (the ML node).
    """
    _check_engine(engine)
    dim, seq, n_heads, hidden = params.dim, params.seq_len, params.n_heads, params.ffn_hidden
    if engine == "triton":
        # One layer's workspace: h, a, attention out; q|k|v; the FFN product (scores stay in registers).
        return seq * (6 * dim + hidden) * itemsize
    # Eager PyTorch (the reference's autobs estimate): the residual stream kept per layer, FFN temporaries,
    # and the scores (activation dtype) with their float32 softmax.
    attention = n_heads * seq * seq * (itemsize + 4)
    return (2 * params.n_layers + 8) * seq * dim * itemsize + 4 * seq * hidden * itemsize + attention


def model_bytes(params: Params, engine: str, dtype: str = "float16", *, device: str = "cuda") -> int:
    """Peak bytes a built model holds on its device (``"cuda"`` or ``"cpu"``), activations excluded.

    It follows the buffers the weights and engines really allocate (worst case where they depend on the
    block hash): the pool in ``dtype`` (built through float32 for bfloat16, so both exist for a moment);
    copies of the parameters larger than the pool (tiny models only); on CUDA, the torch engine's aligned
    scratch buffer per weight shape, or the Triton engine's shifted copies of the pool (one per misalignment
    a window can have) and its stacked Q/K/V weights.
    """
    _check_engine(engine)
    if device not in ("cuda", "cpu"):
        raise InvalidInput(f"device must be 'cuda' or 'cpu', got {device!r}")
    itemsize = dtype_bytes(dtype)
    pool = params.pool_size
    shapes = params.param_shapes()
    tiled = {name: math.prod(shape) for name, shape in shapes.items() if math.prod(shape) > pool}
    held = (pool + sum(tiled.values())) * itemsize
    # bfloat16 pools are drawn in float32 and cast on the device; the float32 copy is gone before the
    # engine allocates anything.
    build = pool * DTYPE_BYTES["float32"] if dtype == "bfloat16" else 0
    linear = {n: s for n, s in shapes.items() if len(s) == 2 and n != "tok_embeddings.weight"}
    engine_buffers = 0
    if engine == "torch" and device == "cuda":
        # A misaligned weight is copied into an aligned scratch buffer kept per shape.
        engine_buffers = sum(math.prod(shape) for shape in set(linear.values())) * itemsize
    elif engine == "triton":
        qkv_rows = (params.n_heads + 2 * params.n_kv_heads) * params.head_dim
        engine_buffers = params.n_layers * qkv_rows * params.dim * itemsize
        if device == "cuda":
            shifts = range(1, WEIGHT_ALIGNMENT // itemsize)
            engine_buffers += sum(pool - shift for shift in shifts) * itemsize
            # A tiled parameter is not a window of the pool: the engine copies it once more.
            windows = [n for n in linear if not n.endswith(("wq.weight", "wk.weight", "wv.weight"))]
            engine_buffers += sum(tiled.get(name, 0) for name in windows) * itemsize
    return held + max(build, engine_buffers)


def memory_need(params: Params, engine: str, dtype: str, *, device: str, batch_size: int) -> int:
    """Bytes a model and one batch of ``batch_size`` nonces need on ``device`` at their peak."""
    per_nonce = activation_bytes_per_nonce(params, engine, dtype_bytes(dtype))
    return model_bytes(params, engine, dtype, device=device) + batch_size * per_nonce


def create_engine(name: str, weights: Any, params: Any) -> Any:
    """Build the named engine over ``weights``."""
    return get_engine(name)(weights, params)
