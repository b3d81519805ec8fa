"""Forward-pass engines by name.

An engine is a class built as ``Engine(weights: ModelWeights, params: Params)`` with
``forward_last_logits(x: Tensor[B, S, D]) -> Tensor[B, vocab_size] float32``. ``"torch"`` (the reference
engine) is always present; ``"triton"`` is found in ``gonka.poc.engine_triton`` when that module imports.
"""

from __future__ import annotations

import importlib
from typing import Any

from gonka.errors import InvalidInput

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


def activation_bytes_per_nonce(params: Any, engine: str, itemsize: int = 2) -> int:
    """Peak device bytes one nonce of a batch needs in ``engine`` (activations, not weights).

    The one memory model behind batch sizing (``PocModel``, ``gonka bench``) and GPU grouping (the ML node).
    """
    if engine not in _MODULES:
        raise InvalidInput(f"unknown engine {engine!r}; expected one of {', '.join(_MODULES)}")
    dim, seq, n_heads, hidden = params.dim, params.seq_len, params.n_heads, params.ffn_hidden
    if engine == "triton":
        # One layer's workspace: h, a, attention out; q|k|v; the FFN product (scores stay in registers).
        return seq * (6 * dim + hidden) * itemsize
    # Eager PyTorch (the reference's autobs estimate): the residual stream kept per layer, FFN temporaries,
    # and the scores (activation dtype) with their float32 softmax.
    attention = n_heads * seq * seq * (itemsize + 4)
    return (2 * params.n_layers + 8) * seq * dim * itemsize + 4 * seq * hidden * itemsize + attention


def create_engine(name: str, weights: Any, params: Any) -> Any:
    """Build the named engine over ``weights``."""
    return get_engine(name)(weights, params)
