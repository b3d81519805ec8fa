"""The statistical test's parameters as each release actually applies them.

The chain's ``stat_test`` has ``p_value_threshold = 0.05``, but the API node sends it under that
name while the ML node (the proxy and vLLM) reads ``fraud_threshold`` and ignores unknown keys: the
threshold in force is the ML node's default, **0.01** (fraud iff ``k >= 31`` of 200 at p = 0.1),
not 0.05 (``k >= 28``). :data:`FRAUD_THRESHOLD_DISCREPANCY` states it; every :class:`StatTest`
carries both values so callers can apply either on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonka.errors import InvalidInput

__all__ = [
    "CHAIN_P_VALUE_THRESHOLD",
    "EFFECTIVE_FRAUD_THRESHOLD",
    "FRAUD_THRESHOLD_DISCREPANCY",
    "KIMI",
    "MINIMAX",
    "QWEN",
    "VLLM_DEFAULTS",
    "StatTest",
    "stat_test_for",
]

QWEN = "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"
KIMI = "moonshotai/Kimi-K2.6"
MINIMAX = "MiniMaxAI/MiniMax-M2.7"

#: The fraud threshold the ML node applies (its default: the chain's value never reaches it).
EFFECTIVE_FRAUD_THRESHOLD = 0.01
#: The chain's ``stat_test.p_value_threshold`` (sent as ``p_value_threshold``, read by nobody).
CHAIN_P_VALUE_THRESHOLD = 0.05
FRAUD_THRESHOLD_DISCREPANCY = (
    "The chain sets stat_test.p_value_threshold = 0.05, but the API node sends it as "
    "'p_value_threshold' while the ML node reads 'fraud_threshold' and ignores unknown keys, so the "
    "ML node's default 0.01 is applied: with n = 200 and p = 0.1 fraud needs k >= 31 mismatches, "
    "not k >= 28. gonka applies 0.01 (what mainnet does); pass fraud_threshold=0.05 for the chain's."
)


@dataclass(frozen=True)
class StatTest:
    """``dist_threshold`` (L2 per nonce), ``p_mismatch`` (honest mismatch rate), ``fraud_threshold``
    (the p-value cut applied) and ``chain_p_value_threshold`` (what the chain says; see
    :data:`FRAUD_THRESHOLD_DISCREPANCY`)."""

    dist_threshold: float
    p_mismatch: float
    fraud_threshold: float = EFFECTIVE_FRAUD_THRESHOLD
    chain_p_value_threshold: float | None = CHAIN_P_VALUE_THRESHOLD

    def __post_init__(self) -> None:
        if not self.dist_threshold > 0:
            raise InvalidInput(f"dist_threshold must be > 0, got {self.dist_threshold}")
        if not 0 < self.p_mismatch < 1:
            raise InvalidInput(f"p_mismatch must lie in (0, 1), got {self.p_mismatch}")
        if not 0 < self.fraud_threshold < 1:
            raise InvalidInput(f"fraud_threshold must lie in (0, 1), got {self.fraud_threshold}")

    def with_chain_threshold(self) -> StatTest:
        """The same test with the chain's 0.05 applied (what the chain intends, not what runs)."""
        threshold = self.chain_p_value_threshold or self.fraud_threshold
        return StatTest(self.dist_threshold, self.p_mismatch, threshold, self.chain_p_value_threshold)

    def to_ml_node(self) -> dict[str, float]:
        """The ``stat_test`` object the ML node reads."""
        return {
            "dist_threshold": self.dist_threshold,
            "p_mismatch": self.p_mismatch,
            "fraud_threshold": self.fraud_threshold,
        }


#: What vLLM applies when a request has no ``stat_test``.
VLLM_DEFAULTS = StatTest(0.02, 0.001, 0.01, None)

_PER_MODEL_V0_2_12 = {QWEN: 0.2, KIMI: 0.4, MINIMAX: 0.75}


def _version_tuple(version: str) -> tuple[int, ...]:
    text = version.lstrip("v")
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        raise InvalidInput(f"bad release version {version!r}; expected like 'v0.2.12'") from None


def stat_test_for(version: str, model_id: str = QWEN) -> StatTest:
    """The effective test of a release (``"v0.2.9"`` ... ) for a model.

    v0.2.9: 0.4 (the API node's default; the chain's value was not sent); v0.2.10-11: the chain's
    0.2; v0.2.12+: per model, Qwen 0.2, Kimi 0.4, MiniMax 0.75. p_mismatch 0.1, threshold 0.01.
    """
    v = _version_tuple(version)
    if v < (0, 2, 9):
        raise InvalidInput(f"PoC v2 decides weight from v0.2.9 on; got {version}")
    if v < (0, 2, 10):
        return StatTest(0.4, 0.1)
    if v < (0, 2, 12):
        if model_id != QWEN:
            raise InvalidInput(f"{version} runs PoC only for {QWEN}, not {model_id}")
        return StatTest(0.2, 0.1)
    threshold = _PER_MODEL_V0_2_12.get(model_id)
    if threshold is None or (model_id == MINIMAX and v < (0, 2, 13)):
        raise InvalidInput(f"no PoC parameters for {model_id} in {version}")
    return StatTest(threshold, 0.1)
