"""Inference endpoint discovery: where an epoch's participants serve inference, and which models.

With ``verify=True`` (see :meth:`gonka.client.Client.inference_endpoints`) the list comes from a
participant set verified down to validator signatures, so a node cannot point clients at hosts of its
choosing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gonka.proofs import ActiveParticipant


@dataclass(frozen=True)
class InferenceEndpoint:
    """One participant's inference service."""

    address: str
    url: str
    models: tuple[str, ...]
    weight: int
    validator_key: str

    def serves(self, model: str) -> bool:
        return model in self.models


def endpoints_of(
    participants: Iterable[ActiveParticipant], model: str | None = None
) -> list[InferenceEndpoint]:
    """The participants with an inference URL (serving ``model`` when given), heaviest first."""
    found = [
        InferenceEndpoint(p.address, p.inference_url.rstrip("/"), p.models, p.weight, p.validator_key)
        for p in participants
        if p.inference_url and (model is None or model in p.models)
    ]
    return sorted(found, key=lambda e: (-e.weight, e.address))


__all__ = ["InferenceEndpoint", "endpoints_of"]
