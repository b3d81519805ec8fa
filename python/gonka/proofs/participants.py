"""An epoch's participant set, verified down to validator signatures.

The API node serves ``/v1/epochs/{epoch}/participants`` with the raw store value and its ICS23 proof.
:func:`verify_participants` checks, in one call: the proof ops are ``ics23:iavl`` then ``ics23:simple``
for the requested epoch's key (current or legacy layout) in the ``inference`` store; the value is the
proven one and records that epoch; header ``H+1`` (``H = created_at_block_height``) is signed by > 2/3
of a validator set that the light client links to its trust anchor; and that header's app hash is the
one the proof computes. The value is decoded leniently: fields this library does not know are kept as
raw bytes.

>>> anchor = TrustedState.mainnet_genesis()                                     # doctest: +SKIP
>>> verified = verify_participants(12, answer, commit, validator_pages, anchor)  # doctest: +SKIP
>>> [(p.address, p.weight, p.inference_url) for p in verified.participants]       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from gonka import _native
from gonka._native import TrustedState, VerifiedHeader
from gonka.proofs.chain import TrustOptions, now_ns
from gonka.proofs.store import Json

STORE = b"inference"

RawFields = tuple[tuple[int, bytes], ...]
"""Fields kept as encoded (field number, bytes with their tag): what this library does not decode."""


def active_participants_key(epoch: int) -> bytes:
    """The store key of an epoch's set: ``ActiveParticipants/value/`` ‖ u64 big-endian ‖ ``/``."""
    return _native.proofs_active_participants_key(epoch)


def legacy_active_participants_key(epoch: int) -> bytes:
    """The key written before the key migration: ``ActiveParticipants/{epoch}/value/``."""
    return _native.proofs_legacy_active_participants_key(epoch)


@dataclass(frozen=True)
class ActiveParticipant:
    """One participant of an epoch, as its proven bytes say."""

    address: str
    validator_key: str
    """The ed25519 consensus key, base64."""
    weight: int
    inference_url: str
    models: tuple[str, ...]
    other_fields: RawFields = ()
    """``seed``, ``ml_nodes``, ``voting_powers`` and newer fields, as encoded."""


@dataclass(frozen=True)
class ParticipantSet:
    """A decoded ``ActiveParticipants`` value."""

    participants: tuple[ActiveParticipant, ...]
    epoch_id: int
    epoch_group_id: int
    poc_start_block_height: int
    effective_block_height: int
    created_at_block_height: int
    other_fields: RawFields = ()

    @property
    def total_weight(self) -> int:
        return sum(p.weight for p in self.participants)

    @classmethod
    def _from_native(cls, d: dict[str, Any]) -> ParticipantSet:
        return cls(
            participants=tuple(
                ActiveParticipant(
                    address=p["address"],
                    validator_key=p["validator_key"],
                    weight=p["weight"],
                    inference_url=p["inference_url"],
                    models=tuple(p["models"]),
                    other_fields=tuple(p["other_fields"]),
                )
                for p in d["participants"]
            ),
            epoch_id=d["epoch_id"],
            epoch_group_id=d["epoch_group_id"],
            poc_start_block_height=d["poc_start_block_height"],
            effective_block_height=d["effective_block_height"],
            created_at_block_height=d["created_at_block_height"],
            other_fields=tuple(d["other_fields"]),
        )


def decode_active_participants(value: bytes) -> ParticipantSet:
    """Decode ``ActiveParticipants`` bytes (no proof involved)."""
    return ParticipantSet._from_native(_native.proofs_decode_active_participants(value))


@dataclass(frozen=True)
class ProvenParticipants:
    """A participant set whose raw value is proven under ``app_hash`` for ``epoch``'s key. The app hash
    is not yet matched with an authenticated header (see :class:`VerifiedParticipants`).
    """

    epoch: int
    set: ParticipantSet
    key: bytes
    key_layout: Literal["current", "legacy"]
    value: bytes
    store_root: bytes
    app_hash: bytes
    leaf_version: int | None

    @property
    def participants(self) -> tuple[ActiveParticipant, ...]:
        return self.set.participants

    @property
    def header_height(self) -> int:
        """The height of the header whose app hash commits to the set: ``H + 1``."""
        return self.set.created_at_block_height + 1

    @classmethod
    def _from_native(cls, d: dict[str, Any]) -> ProvenParticipants:
        return cls(
            epoch=d["epoch"],
            set=ParticipantSet._from_native(d),
            key=d["key"],
            key_layout=d["key_layout"],
            value=d["value"],
            store_root=d["store_root"],
            app_hash=d["app_hash"],
            leaf_version=d["leaf_version"],
        )


@dataclass(frozen=True)
class VerifiedParticipants(ProvenParticipants):
    """A participant set proven under the app hash of ``header``, which the light client verified."""

    header: VerifiedHeader


def prove_participants(epoch: int | None, answer: Json) -> ProvenParticipants:
    """Check an answer's proof chain and epoch binding (``epoch=None``: whichever epoch its key names)
    without a header: the result's ``app_hash`` is what header ``H+1`` must carry.
    """
    return ProvenParticipants._from_native(_native.proofs_prove_participants(epoch, answer))


def verify_participants(
    epoch: int | None,
    answer: Json,
    commit: Json,
    validators: Json | Sequence[Json],
    trusted: TrustedState,
    *,
    now: datetime | float | None = None,
    options: TrustOptions | None = None,
) -> VerifiedParticipants:
    """The whole check in one call (see the module docs). ``commit`` is ``/commit?height=H+1``,
    ``validators`` every page of ``/validators?height=H+1``; ``trusted`` must reach ``H+1`` in one light
    client step (else :class:`~gonka.errors.TrustError` with step ``"trust.level"``: advance it through
    an intermediate height). Raises the :class:`~gonka.errors.ProofError` subclass of the failed check.
    """
    o = options or TrustOptions()
    proven, header = _native.proofs_verify_participants(
        epoch,
        answer,
        commit,
        validators,
        trusted,
        now_ns=now_ns(now),
        trusting_period=o.trusting_period,
        trust_level=o.level,
        clock_drift=o.clock_drift,
    )
    return _verified(proven, header)


def verify_participants_in_header(
    epoch: int | None, answer: Json, header: VerifiedHeader
) -> VerifiedParticipants:
    """Bind an answer to an already verified header ``H+1``."""
    return _verified(_native.proofs_verify_participants_in_header(epoch, answer, header), header)


def _verified(d: dict[str, Any], header: VerifiedHeader) -> VerifiedParticipants:
    proven = ProvenParticipants._from_native(d)
    return VerifiedParticipants(**{f: getattr(proven, f) for f in proven.__dataclass_fields__}, header=header)


__all__ = [
    "STORE",
    "ActiveParticipant",
    "ParticipantSet",
    "ProvenParticipants",
    "VerifiedParticipants",
    "active_participants_key",
    "decode_active_participants",
    "legacy_active_participants_key",
    "prove_participants",
    "verify_participants",
    "verify_participants_in_header",
]
