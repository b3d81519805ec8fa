"""Participant status from validation results.

**Launch, v0.2.0 - v0.2.4** (``keeper/msg_server_validation.go`` ``calculateStatus``, float64 like the chain),
fpr = ``false_positive_rate``:

1. INVALID if ``fpr ** consecutive_invalid < 1e-6`` (5 invalidations in a row at fpr 0.05);
2. RAMPING while the epoch's inference count is below ``min(ceil(((3 + sqrt 5) / 2) / fpr),
   min_ramp_up_measurements)``;
3. INVALID if ``z = (I/(V+I) - fpr) / sqrt(fpr (1 - fpr) / (V+I)) > 1``;
4. otherwise ACTIVE.

**v0.2.5+** (``calculations/status.go``, shopspring decimals): INVALID if ``fpr ** consecutive_invalid <
quick_failure_threshold``; then two sequential probability ratio tests on the epoch's counts. Invalidations:
p0 = ``false_positive_rate``, p1 = ``bad_participant_invalidation_rate``, threshold
``invalidation_h_threshold``. Downtime (missed requests; fail means INACTIVE): p0 =
``downtime_good_percentage``, p1 = ``downtime_bad_percentage``, threshold ``downtime_h_threshold``. Each adds
``failures * ln(p1/p0) + passes * ln((1-p1)/(1-p0))`` (logarithms at 12 digits) to its running LLR and fails
once LLR >= H. Last, a Confirmation PoC ratio below ``alpha_threshold`` makes the host INACTIVE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gonka.economics.params import ValidationParams
from gonka.economics.shop_decimal import ONE, ZERO, ShopDecimal
from gonka.errors import InvalidInput

LOG_PRECISION = 12
LAUNCH_CONSECUTIVE_CUTOFF = 1e-6


def _check_rate(value: float, what: str) -> None:
    if not 0 < value < 1:
        raise InvalidInput(f"{what} must lie strictly between 0 and 1, got {value}")


def z_score(false_positive_rate: float, validated: int, invalidated: int) -> float:
    """Launch z-score of the observed invalidation rate (positive: worse than expected).

    Follows launch (v0.2.0 - v0.2.4).
    """
    _check_rate(false_positive_rate, "false positive rate")
    total = validated + invalidated
    if total <= 0:
        raise InvalidInput("the z-score needs at least one validation")
    observed = invalidated / total
    deviation = math.sqrt(false_positive_rate * (1 - false_positive_rate) / total)
    return (observed - false_positive_rate) / deviation


def measurements_needed(false_positive_rate: float, maximum: int) -> int:
    """``MeasurementsNeeded``: inferences before a single failure stays within one standard deviation.

    Follows launch (v0.2.0 - v0.2.4).
    """
    _check_rate(false_positive_rate, "false positive rate")
    needed = math.ceil(((3 + math.sqrt(5)) / 2) / false_positive_rate)
    return min(needed, maximum)


@dataclass(frozen=True)
class StatusDecision:
    status: str
    reason: str
    invalid_llr: ShopDecimal | None = None
    inactive_llr: ShopDecimal | None = None


def launch_status(
    params: ValidationParams,
    *,
    consecutive_invalid: int,
    inference_count: int,
    validated: int,
    invalidated: int,
) -> StatusDecision:
    """Status by the launch rules (v0.2.0 - v0.2.4)."""
    fpr = float(params.false_positive_rate)
    _check_rate(fpr, "false positive rate")
    if fpr**consecutive_invalid < LAUNCH_CONSECUTIVE_CUTOFF:
        return StatusDecision("INVALID", "consecutive failures")
    if inference_count < measurements_needed(fpr, params.min_ramp_up_measurements):
        return StatusDecision("RAMPING", "ramping")
    # With no validations yet Go computes 0/0 = NaN, and NaN > 1 is false.
    if validated + invalidated > 0 and z_score(fpr, validated, invalidated) > 1:
        return StatusDecision("INVALID", "statistical invalidations")
    return StatusDecision("ACTIVE", "")


def log_likelihood_steps(p1: ShopDecimal, p0: ShopDecimal) -> tuple[ShopDecimal, ShopDecimal]:
    """``(ln(p1/p0), ln((1-p1)/(1-p0)))`` at 12 digits, 0 where the chain's edge cases give 0.

    Follows v0.2.5+.
    """
    fail = ZERO if p1.is_zero() or p0.is_zero() else p1.div(p0).ln(LOG_PRECISION)
    passed = ZERO if p1 == ONE or p0 == ONE else (ONE - p1).div(ONE - p0).ln(LOG_PRECISION)
    return fail, passed


@dataclass(frozen=True)
class Sprt:
    """One sequential probability ratio test: running log-likelihood ratio ``llr`` against +-``threshold``."""

    threshold: ShopDecimal
    log_fail: ShopDecimal
    log_pass: ShopDecimal
    llr: ShopDecimal = ZERO

    def update(self, failures: int, passes: int) -> Sprt:
        if failures <= 0 and passes <= 0:
            return self
        llr = self.llr
        if failures != 0:
            llr = llr + self.log_fail * ShopDecimal(failures)
        if passes != 0:
            llr = llr + self.log_pass * ShopDecimal(passes)
        return Sprt(self.threshold, self.log_fail, self.log_pass, llr)

    @property
    def decision(self) -> str:
        """``fail`` (LLR >= H), ``pass`` (LLR <= -H) or ``undetermined``."""
        if self.llr >= self.threshold:
            return "fail"
        if self.llr <= -self.threshold:
            return "pass"
        return "undetermined"


def _required(value: ShopDecimal | None, name: str) -> ShopDecimal:
    if value is None:
        raise InvalidInput(f"validation parameter {name} is needed by the v0.2.5+ status rules")
    return value


def sprt_status(
    params: ValidationParams,
    *,
    consecutive_invalid: int,
    new_invalidations: int,
    new_validations: int,
    new_missed: int,
    new_inferences: int,
    invalid_llr: ShopDecimal = ZERO,
    inactive_llr: ShopDecimal = ZERO,
    confirmation_ratio: ShopDecimal | None = None,
    alpha_threshold: ShopDecimal | None = None,
    current_status: str = "ACTIVE",
) -> StatusDecision:
    """Status by the v0.2.5+ rules after an update that adds the given counts to the running LLRs.

    INVALID and INACTIVE stick for the rest of the epoch.
    """
    if current_status in ("INVALID", "INACTIVE"):
        return StatusDecision(current_status, "already set", invalid_llr, inactive_llr)
    fpr = params.false_positive_rate
    if fpr.is_negative() or fpr > ONE or consecutive_invalid < 0 or fpr.is_zero():
        # Go's Pow gives 0 for a zero base (even to the power 0).
        consecutive_probability = ZERO
    else:
        consecutive_probability = fpr.pow_int(consecutive_invalid) if consecutive_invalid else ONE
    if consecutive_probability < _required(params.quick_failure_threshold, "quick_failure_threshold"):
        return StatusDecision("INVALID", "consecutive failures", invalid_llr, inactive_llr)
    invalid_fail, invalid_pass = log_likelihood_steps(
        _required(params.bad_participant_invalidation_rate, "bad_participant_invalidation_rate"), fpr
    )
    invalidation = Sprt(
        _required(params.invalidation_h_threshold, "invalidation_h_threshold"),
        invalid_fail,
        invalid_pass,
        invalid_llr,
    ).update(new_invalidations, new_validations)
    if invalidation.decision == "fail":
        return StatusDecision("INVALID", "statistical invalidations", invalidation.llr, inactive_llr)
    down_fail, down_pass = log_likelihood_steps(
        _required(params.downtime_bad_percentage, "downtime_bad_percentage"),
        _required(params.downtime_good_percentage, "downtime_good_percentage"),
    )
    downtime = Sprt(
        _required(params.downtime_h_threshold, "downtime_h_threshold"), down_fail, down_pass, inactive_llr
    ).update(new_missed, new_inferences)
    if downtime.decision == "fail":
        return StatusDecision("INACTIVE", "downtime", invalidation.llr, downtime.llr)
    if (
        alpha_threshold is not None
        and not alpha_threshold.is_zero()
        and confirmation_ratio is not None
        and confirmation_ratio < alpha_threshold
    ):
        return StatusDecision("INACTIVE", "failed confirmation PoC", invalidation.llr, downtime.llr)
    return StatusDecision("ACTIVE", "", invalidation.llr, downtime.llr)
