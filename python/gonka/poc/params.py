"""PoC model parameters: the reference's ``Params`` fields, presets, derived sizes and protocol constants."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gonka.errors import InvalidInput

#: ``r_target`` of the network at launch (August 2025); about 1 nonce in 20 is valid.
R_TARGET_LAUNCH = 1.4013564660458173
#: ``r_target`` from chain v0.2.6 on ("about 2.5 times harder"); about 1 nonce in 50 is valid.
R_TARGET_V0_2_6 = 1.398077
#: ``r_target`` for :data:`PARAMS_SMALL`: its 300-entry vocabulary spreads normalized outputs wider than
#: production's 8196 entries, so the launch radius would accept almost nothing. 1.345 is the 5th percentile
#: of its distances (first 2048 nonces of three block hashes, torch engine, float32: 1.344-1.347), so about
#: 1 nonce in 20 is valid, as the launch r_target gives on production params.
R_TARGET_SMALL = 1.345
#: Probability that an honest validator's recomputation disagrees with the generator on one nonce.
PROBABILITY_MISMATCH = 5e-4
#: Fraud threshold the API node sends with every validation request.
DEFAULT_FRAUD_THRESHOLD = 1e-7

#: Fraction of the parameter count drawn as the random pool that every weight is a window of.
POOL_FRACTION = 0.05
#: Smallest pool, used when the model is tiny.
MIN_POOL_SIZE = 50_000


@dataclass(frozen=True)
class Params:
    """Shape of the random LLaMA-style PoC model (the reference's ``Params``: same fields and defaults).

    ``__post_init__`` holds the one set of rules a shape must follow; the ML node's API uses this class as
    its schema, so its requests are checked by the same rules (pydantic validates it strictly: no strings
    for numbers).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"strict": True}

    dim: int = 2048
    n_layers: int = 16
    n_heads: int = 16
    n_kv_heads: int = 16
    vocab_size: int = 8192
    ffn_dim_multiplier: float = 1.3
    multiple_of: int = 1024
    norm_eps: float = 1e-5
    rope_theta: float = 500000.0
    use_scaled_rope: bool = False
    seq_len: int = 16

    def __post_init__(self) -> None:
        ints = ("dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "multiple_of", "seq_len")
        for name in ints:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInput(f"Params.{name} must be a positive integer, got {value!r}")
        for name in ("ffn_dim_multiplier", "norm_eps", "rope_theta"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InvalidInput(f"Params.{name} must be a finite number, got {value!r}")
            # The API node serializes some floats as integers (rope_theta 10000, ffn_dim_multiplier 10).
            object.__setattr__(self, name, float(value))
        if self.norm_eps < 0 or self.rope_theta <= 0 or self.ffn_dim_multiplier < 0:
            raise InvalidInput("Params.norm_eps must be >= 0, rope_theta > 0 and ffn_dim_multiplier >= 0")
        if not isinstance(self.use_scaled_rope, bool):
            raise InvalidInput(f"Params.use_scaled_rope must be a bool, got {self.use_scaled_rope!r}")
        if self.dim % self.n_heads:
            raise InvalidInput(f"Params.dim ({self.dim}) must be a multiple of n_heads ({self.n_heads})")
        if self.n_kv_heads > self.n_heads or self.n_heads % self.n_kv_heads:
            raise InvalidInput(
                f"Params.n_heads ({self.n_heads}) must be a multiple of n_kv_heads ({self.n_kv_heads})"
            )
        if (self.dim // self.n_heads) % 2:
            raise InvalidInput(f"head_dim = dim / n_heads = {self.dim // self.n_heads} must be even for RoPE")

    # --- serialization -------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Params:
        """Build from the ``params`` object of a PoC init request; missing fields take the defaults.

        Fields this version does not know are ignored, as the reference's request model does.
        """
        if not isinstance(data, Mapping):
            raise InvalidInput(f"Params must be given as a mapping, got {type(data).__name__}")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        """The JSON object the API node sends (field order as in the reference)."""
        return dataclasses.asdict(self)

    # --- derived sizes -------------------------------------------------------------------------------------

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    @property
    def ffn_hidden(self) -> int:
        """SwiGLU hidden width: 2/3 of 4·dim, times the multiplier, rounded up to ``multiple_of``."""
        hidden = int(2 * (4 * self.dim) / 3)
        if self.ffn_dim_multiplier is not None:
            hidden = int(self.ffn_dim_multiplier * hidden)
        return self.multiple_of * ((hidden + self.multiple_of - 1) // self.multiple_of)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's shape (``[out, in]`` for linear layers), in registration order."""
        d, hd, h = self.dim, self.head_dim, self.ffn_hidden
        q_out, kv_out = self.n_heads * hd, self.n_kv_heads * hd
        shapes: dict[str, tuple[int, ...]] = {"tok_embeddings.weight": (self.vocab_size, d)}
        for i in range(self.n_layers):
            p = f"layers.{i}."
            shapes[p + "attention.wq.weight"] = (q_out, d)
            shapes[p + "attention.wk.weight"] = (kv_out, d)
            shapes[p + "attention.wv.weight"] = (kv_out, d)
            shapes[p + "attention.wo.weight"] = (d, q_out)
            shapes[p + "feed_forward.w1.weight"] = (h, d)
            shapes[p + "feed_forward.w2.weight"] = (d, h)
            shapes[p + "feed_forward.w3.weight"] = (h, d)
            shapes[p + "attention_norm.weight"] = (d,)
            shapes[p + "ffn_norm.weight"] = (d,)
        shapes["norm.weight"] = (d,)
        shapes["output.weight"] = (self.vocab_size, d)
        return shapes

    def param_names(self) -> list[str]:
        """Parameter names in the reference model's registration order."""
        return list(self.param_shapes())

    @property
    def n_params(self) -> int:
        """Total parameter count, the unused token embedding included (it sizes the pool)."""
        d, hd, h = self.dim, self.head_dim, self.ffn_hidden
        per_layer = 2 * d * self.n_heads * hd + 2 * d * self.n_kv_heads * hd + 3 * d * h + 2 * d
        return self.n_layers * per_layer + 2 * self.vocab_size * d + d

    @property
    def pool_size(self) -> int:
        """Number of random values every weight is drawn from: max(50000, int(n_params * 0.05))."""
        return max(MIN_POOL_SIZE, int(self.n_params * POOL_FRACTION))

    @property
    def flops_per_nonce(self) -> int:
        """FLOP per nonce as the reference executes it (multiply-add = 2; all positions, logits included)."""
        d, hd, s, h = self.dim, self.head_dim, self.seq_len, self.ffn_hidden
        projections = 2 * s * d * (2 * self.n_heads * hd + 2 * self.n_kv_heads * hd)
        ffn = 3 * 2 * s * d * h
        attention = 2 * 2 * self.n_heads * s * s * hd
        return self.n_layers * (projections + ffn + attention) + 2 * s * d * self.vocab_size

    @property
    def weight_bytes_fp16(self) -> int:
        """Size of every parameter materialized in float16 (what the pool views avoid)."""
        return 2 * self.n_params


#: Testnet parameters.
PARAMS_V1 = Params(
    dim=1024,
    n_layers=32,
    n_heads=32,
    n_kv_heads=32,
    vocab_size=8196,
    ffn_dim_multiplier=10.0,
    multiple_of=2048,
    norm_eps=1e-5,
    rope_theta=10000.0,
    use_scaled_rope=False,
    seq_len=128,
)

#: Mainnet parameters (17.76e9 parameters, a 888,156,147-value pool).
PARAMS_V2 = Params(
    dim=1792,
    n_layers=64,
    n_heads=64,
    n_kv_heads=64,
    vocab_size=8196,
    ffn_dim_multiplier=10.0,
    multiple_of=8192,
    norm_eps=1e-5,
    rope_theta=10000.0,
    use_scaled_rope=False,
    seq_len=256,
)

#: A small model for CPU demos and tests: head_dim 28 and FFN multiplier 10 like production, 2 layers.
PARAMS_SMALL = Params(
    dim=112,
    n_layers=2,
    n_heads=4,
    n_kv_heads=4,
    vocab_size=300,
    ffn_dim_multiplier=10.0,
    multiple_of=64,
    norm_eps=1e-5,
    rope_theta=10000.0,
    use_scaled_rope=False,
    seq_len=16,
)

#: Presets by name (as the command line spells them).
PRESETS: dict[str, Params] = {"v1": PARAMS_V1, "v2": PARAMS_V2, "small": PARAMS_SMALL}
