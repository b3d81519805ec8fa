"""Node settings: every knob has a default and a ``GONKA_NODE_*`` environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


def default_spool_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "gonka" / "node-spool"


@dataclass
class NodeSettings:
    """Configuration of one ML node.

    ``from_env()`` reads ``GONKA_NODE_<FIELD>`` (upper case) for every field, e.g. ``GONKA_NODE_SPOOL_DIR``,
    ``GONKA_NODE_INFERENCE_COMMAND``, ``GONKA_NODE_DEVICES``.
    """

    host: str = "0.0.0.0"
    port: int = 8080
    # Callback batches not yet delivered live here (one JSON file each) and survive restarts.
    spool_dir: Path = field(default_factory=default_spool_dir)
    # "auto" uses every CUDA device (grouped by memory need), else "cpu" or a comma list of CUDA indices
    # "0,1".
    devices: str = "auto"
    # PoC engine: "auto" picks the Triton engine on CUDA and the PyTorch engine on CPU.
    engine: str = "auto"
    # "auto": float16 on CUDA (the protocol's dtype), float32 on CPU (fast there, used for local simulation).
    dtype: str = "auto"
    # Nonces per worker step; 0: the PoC model's default (sized from free memory on CUDA, small on CPU).
    batch_size: int = 0
    # How often computed valid nonces are merged into one /generated callback (the reference uses 5 s).
    flush_interval: float = 5.0
    callback_timeout: float = 10.0
    retry_base_delay: float = 1.0
    retry_max_delay: float = 60.0
    # Seconds a worker gets to leave its loop on stop before it is terminated, then killed.
    worker_stop_timeout: float = 3.0
    max_body_bytes: int = 16 * 1024 * 1024
    # Shell-style command that serves an OpenAI-compatible API, e.g. "vllm serve {model} --dtype {dtype}
    # --port 5001"; the request's additional_args are appended. Empty: inference endpoints answer 503.
    inference_command: str = ""
    inference_health_url: str = ""
    inference_start_timeout: float = 1200.0
    log_format: str = "json"
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        choices = {
            "engine": ("auto", "torch", "triton"),
            "dtype": ("auto", "float16", "float32", "bfloat16"),
            "log_format": ("json", "text"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")
        if not (0 <= self.port <= 65535):
            raise ValueError(f"port must be in 0..65535, not {self.port}")
        if self.batch_size < 0 or self.flush_interval <= 0 or self.retry_base_delay <= 0:
            raise ValueError("batch_size must be >= 0; flush_interval and retry_base_delay must be > 0")

    @classmethod
    def from_env(cls, **overrides: Any) -> NodeSettings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"GONKA_NODE_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _convert(f.name, raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.spool_dir = Path(settings.spool_dir)
        return settings


def _convert(name: str, raw: str, annotation: Any) -> Any:
    kind = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw)
    except ValueError as exc:
        raise ValueError(f"GONKA_NODE_{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw
