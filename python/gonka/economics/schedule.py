"""The epoch schedule: stage boundaries of an epoch from its PoC start height and the epoch params.

Follows ``types/epoch_context.go`` and ``types/epoch_params.go``, unchanged from launch (v0.2.0) to v0.2.16.
Wind-down offsets are ``int(float64(duration) * 0.8)`` as Go computes them. Epoch 0 runs no PoC; its next PoC
starts at ``epoch_length - epoch_shift``. Because governance changed ``epoch_length`` (17280 -> 15391), later
boundaries are not ``300 + k * L``: always start from the epoch's own ``poc_start_block_height``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from gonka.economics.params import EpochParams
from gonka.errors import InvalidInput

WIND_DOWN_FACTOR = 0.8


@dataclass(frozen=True)
class Stage:
    name: str
    height: int
    description: str


@dataclass(frozen=True)
class EpochSchedule:
    """Stage boundaries (block heights) of epoch ``epoch_index`` whose PoC starts at ``poc_start``."""

    epoch_index: int
    poc_start: int
    params: EpochParams

    def __post_init__(self) -> None:
        if self.epoch_index < 0 or self.poc_start < 0:
            raise InvalidInput("epoch index and PoC start height must not be negative")

    def _at(self, offset: int) -> int:
        return 0 if self.epoch_index == 0 else self.poc_start + offset

    @property
    def poc_generation_wind_down(self) -> int:
        return self._at(int(float(self.params.poc_stage_duration) * WIND_DOWN_FACTOR))

    @property
    def end_of_poc_generation(self) -> int:
        return self._at(self.params.poc_stage_duration)

    @property
    def poc_exchange_deadline(self) -> int:
        return self._at(self.params.poc_stage_duration + self.params.poc_exchange_duration)

    @property
    def start_of_validation(self) -> int:
        return self._at(self.params.poc_stage_duration + self.params.poc_validation_delay)

    @property
    def validation_wind_down(self) -> int:
        offset = int(float(self.params.poc_validation_duration) * WIND_DOWN_FACTOR)
        return self._at(self.params.poc_stage_duration + self.params.poc_validation_delay + offset)

    @property
    def end_of_validation(self) -> int:
        """Settlement of the previous epoch, new weights, collateral and vesting advance."""
        p = self.params
        return self._at(p.poc_stage_duration + p.poc_validation_delay + p.poc_validation_duration)

    @property
    def set_new_validators(self) -> int:
        """The epoch becomes effective (and the claim window of the previous epoch opens, v0.2.2+)."""
        return 0 if self.epoch_index == 0 else self.end_of_validation + self.params.set_new_validators_delay

    @property
    def claim_money(self) -> int:
        return 0 if self.epoch_index == 0 else self.set_new_validators + 1

    @property
    def next_poc_start(self) -> int:
        if self.epoch_index == 0:
            return self.params.epoch_length - self.params.epoch_shift
        return self.poc_start + self.params.epoch_length

    @property
    def inference_validation_cutoff(self) -> int:
        return self.next_poc_start - self.params.inference_validation_cutoff

    def next(self) -> EpochSchedule:
        """The following epoch, assuming the epoch params stay as they are."""
        return EpochSchedule(self.epoch_index + 1, self.next_poc_start, self.params)

    def stages(self) -> list[Stage]:
        """The boundaries in chain order (epoch 0 has only its next PoC start)."""
        if self.epoch_index == 0:
            return [Stage("next_poc_start", self.next_poc_start, "PoC of epoch 1 starts")]
        return [
            Stage("poc_start", self.poc_start, "PoC generation starts"),
            Stage("poc_generation_wind_down", self.poc_generation_wind_down, "PoC generation winds down"),
            Stage("end_of_poc_generation", self.end_of_poc_generation, "PoC generation ends"),
            Stage("poc_exchange_deadline", self.poc_exchange_deadline, "last block for PoC batches"),
            Stage("start_of_validation", self.start_of_validation, "PoC validation starts"),
            Stage("validation_wind_down", self.validation_wind_down, "PoC validation winds down"),
            Stage(
                "end_of_validation",
                self.end_of_validation,
                "previous epoch settled; new weights; collateral and vesting advance",
            ),
            Stage("set_new_validators", self.set_new_validators, "epoch becomes effective; claims open"),
            Stage("claim_money", self.claim_money, "API nodes claim the previous epoch's rewards"),
            Stage(
                "inference_validation_cutoff",
                self.inference_validation_cutoff,
                "later inferences need no validation for claims",
            ),
            Stage("next_poc_start", self.next_poc_start, "next epoch's PoC starts"),
        ]

    def phase_at(self, height: int) -> str:
        """The chain's phase at ``height``: ``PoCGenerate``, ``PoCGenerateWindDown``, ``PoCValidate``,
        ``PoCValidateWindDown`` or ``Inference``.
        """
        if self.epoch_index == 0 or height < self.poc_start:
            return "Inference"
        if height < self.poc_generation_wind_down:
            return "PoCGenerate"
        if height < self.start_of_validation:
            return "PoCGenerateWindDown"
        if height < self.validation_wind_down:
            return "PoCValidate"
        if height < self.end_of_validation:
            return "PoCValidateWindDown"
        return "Inference"


@dataclass(frozen=True)
class BlockClock:
    """Wall-clock estimates from two observed blocks: ``(height, time)`` then and now."""

    earlier_height: int
    earlier_time: datetime
    latest_height: int
    latest_time: datetime

    def __post_init__(self) -> None:
        if self.latest_height <= self.earlier_height:
            raise InvalidInput("a block-time estimate needs two blocks, the later one higher")
        if self.latest_time < self.earlier_time:
            raise InvalidInput("the later block's time precedes the earlier block's")

    @property
    def seconds_per_block(self) -> Fraction:
        elapsed = self.latest_time - self.earlier_time
        micros = (elapsed.days * 86400 + elapsed.seconds) * 10**6 + elapsed.microseconds
        return Fraction(micros, (self.latest_height - self.earlier_height) * 10**6)

    def time_at(self, height: int) -> datetime:
        """Estimated time of block ``height`` (observed times for the observed blocks)."""
        offset = (height - self.latest_height) * self.seconds_per_block
        return self.latest_time + timedelta(microseconds=round(offset * 10**6))
