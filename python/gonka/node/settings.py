"""Node settings: every knob has a default and a ``GONKA_NODE_*`` environment variable (pydantic-settings)."""

from __future__ import annotations

import os
import shlex
import string
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gonka.node.errors import InvalidSettings

ENV_PREFIX = "GONKA_NODE_"
#: Fields the inference command template may use.
INFERENCE_FIELDS = ("model", "dtype")
_CHOICES = {
    "engine": ("auto", "torch", "triton"),
    "dtype": ("auto", "float16", "float32", "bfloat16"),
    "poc": ("v1", "v2"),
    "log_format": ("json", "text"),
    "log_level": ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
}


def default_spool_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "gonka" / "node-spool"


def template_fields(template: str) -> list[str]:
    """The ``{field}`` names used in one token of a command template (InvalidSettings if malformed)."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise InvalidSettings(
            f"inference_command token {template!r} is not a valid template: {exc}"
        ) from None


class NodeSettings(BaseSettings):
    """Configuration of one ML node.

    Every field is read from ``GONKA_NODE_<FIELD>`` (e.g. ``GONKA_NODE_SPOOL_DIR``, ``GONKA_NODE_DEVICES``)
    unless given as an argument; a bad value raises :class:`~gonka.node.errors.InvalidSettings` naming the
    variable or argument.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=0, le=65535)
    # Callback batches not yet delivered live here (one JSON file each) and survive restarts, beside the
    # validation jobs and the generation progress.
    spool_dir: Path = Field(default_factory=default_spool_dir)
    # "auto" uses every CUDA device (grouped by memory need), else "cpu" or a comma list of CUDA indices
    # "0,1".
    devices: str = "auto"
    # PoC engine: "auto" picks the Triton engine on CUDA and the PyTorch engine on CPU.
    engine: str = "auto"
    # Which PoC the node speaks: "v1" (the random-LLaMA sprint) or "v2" (artifacts from a causal LM).
    poc: str = "v1"
    # PoC v2's model: "tiny" (a random two-layer Qwen3), a local checkpoint directory or a config.json.
    model: str = "tiny"
    # "auto": float16 on CUDA (the protocol's dtype), float32 on CPU (fast there, used for local simulation).
    dtype: str = "auto"
    # Nonces per worker step; 0: the PoC model's default (sized from free memory on CUDA, small on CPU).
    batch_size: int = Field(default=0, ge=0)
    # How often computed valid nonces are merged into one /generated callback (the reference uses 5 s).
    flush_interval: float = Field(default=5.0, gt=0)
    callback_timeout: float = Field(default=10.0, gt=0)
    retry_base_delay: float = Field(default=1.0, gt=0)
    retry_max_delay: float = Field(default=60.0, gt=0)
    # Seconds a worker gets to finish its batch and leave on stop before it is terminated, then killed.
    worker_stop_timeout: float = Field(default=3.0, ge=0)
    # How often a PoC session restarts a worker that died before it gives up and reports itself failed.
    worker_restarts: int = Field(default=3, ge=0)
    # How often the node checks its background threads and restarts one that ended.
    watchdog_interval: float = Field(default=1.0, gt=0)
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    # Shell-style command that serves an OpenAI-compatible API, e.g. "vllm serve {model} --dtype {dtype}
    # --port 5001"; the request's additional_args are appended. Empty: inference endpoints answer 503.
    inference_command: str = ""
    inference_health_url: str = ""
    inference_start_timeout: float = Field(default=1200.0, gt=0)
    log_format: str = "json"
    log_level: str = "INFO"

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise InvalidSettings(_describe(exc, values)) from None

    @classmethod
    def from_env(cls, **overrides: Any) -> NodeSettings:
        """Settings from the environment; ``overrides`` that are not None win over it."""
        return cls(**{name: value for name, value in overrides.items() if value is not None})

    @field_validator("engine", "dtype", "log_format", "poc")
    @classmethod
    def _one_of(cls, value: str, info: Any) -> str:
        allowed = _CHOICES[info.field_name]
        if value not in allowed:
            raise ValueError(f"{info.field_name} must be one of {', '.join(allowed)}, not {value!r}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in _CHOICES["log_level"]:
            raise ValueError(f"log_level must be one of {', '.join(_CHOICES['log_level'])}, not {value!r}")
        return value.upper()

    @field_validator("devices")
    @classmethod
    def _devices(cls, value: str) -> str:
        selection = value.strip().lower()
        if selection in ("auto", "cpu"):
            return selection
        parts = [part.strip() for part in selection.split(",")]
        if not parts or not all(part.isdigit() for part in parts):
            raise ValueError(f"devices must be 'auto', 'cpu' or a comma list of CUDA indices, not {value!r}")
        return ",".join(parts)

    @field_validator("inference_command")
    @classmethod
    def _inference_template(cls, value: str) -> str:
        if not value.strip():
            return value
        try:
            tokens = shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"inference_command is not a valid shell-style command: {exc}") from None
        for token in tokens:
            unknown = [name for name in template_fields(token) if name not in INFERENCE_FIELDS]
            if unknown:
                raise ValueError(
                    f"inference_command may use only the {{model}} and {{dtype}} fields, not {{{unknown[0]}}}"
                )
        return value


def _describe(error: ValidationError, given: dict[str, Any]) -> str:
    """One line per problem, naming the argument or the environment variable the value came from."""
    problems = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        value = item.get("input")
        if name in given or name not in NodeSettings.model_fields:
            problems.append(f"{name}={value!r}: {message}")
        else:
            problems.append(f"{ENV_PREFIX}{name.upper()}={value!r}: {message}")
    return "; ".join(problems)
