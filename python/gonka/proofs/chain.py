"""CometBFT verification: commits (> 2/3 of a validator set's power over a header), the light client
step from a trust anchor (sequential or skipping, within a trusting period), RFC 6962 Merkle proofs
and transaction inclusion.

Trust anchors: :meth:`TrustedState.mainnet_genesis` (the 11 gentx validators of gonka-mainnet) or a
pinned ``HEIGHT:HASH`` :class:`Checkpoint` (its header and next validators are fetched and checked
against the hash). The genesis anchor only moves trust within its trusting period; for mainnet today
pin a recent checkpoint.

>>> state = TrustedState.mainnet_genesis()                   # doctest: +SKIP
>>> header = verify_header(state, commit_answer, validator_pages, height=h)   # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from gonka import _native
from gonka._native import TrustedState, VerifiedHeader
from gonka.errors import InvalidInput
from gonka.proofs.store import Json

MAINNET_CHAIN_ID = "gonka-mainnet"
# Two thirds of the chain's 21-day unbonding time, as CometBFT light clients choose it.
DEFAULT_TRUSTING_PERIOD = 14 * 24 * 3600.0


@dataclass(frozen=True)
class TrustOptions:
    """How far the light client trusts: a skipping step needs validators holding ``trust_level`` of the
    trusted set's power to have signed; a trusted header stays usable for ``trusting_period`` seconds;
    headers may be ``clock_drift`` seconds ahead of the local clock.
    """

    trusting_period: float = DEFAULT_TRUSTING_PERIOD
    trust_level: Fraction = Fraction(1, 3)
    clock_drift: float = 10.0

    def __post_init__(self) -> None:
        if not self.trusting_period > 0:
            raise InvalidInput(f"trusting_period must be positive, got {self.trusting_period}")
        if not Fraction(1, 3) <= self.trust_level <= 1:
            raise InvalidInput(f"trust_level must be within [1/3, 1], got {self.trust_level}")
        if self.clock_drift < 0:
            raise InvalidInput(f"clock_drift must be >= 0, got {self.clock_drift}")

    @property
    def level(self) -> tuple[int, int]:
        return self.trust_level.numerator, self.trust_level.denominator


@dataclass(frozen=True)
class Checkpoint:
    """A pinned block: its height and header hash, obtained out of band (``HEIGHT:HASH``)."""

    height: int
    hash: bytes

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        height, sep, digest = text.strip().partition(":")
        try:
            value = int(height)
            raw = bytes.fromhex(digest)
        except ValueError:
            value, raw = -1, b""
        if not sep or value <= 0 or len(raw) != 32:
            raise InvalidInput(f"a checkpoint is HEIGHT:HASH (64 hex digits), got {text!r}")
        return cls(value, raw)

    def __str__(self) -> str:
        return f"{self.height}:{self.hash.hex().upper()}"


def now_ns(now: datetime | float | None = None) -> int:
    """Nanoseconds since the epoch of ``now`` (a datetime, Unix seconds, or the clock)."""
    if now is None:
        return time.time_ns()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise InvalidInput("now must be timezone-aware")
        return int(now.timestamp()) * 1_000_000_000 + now.microsecond * 1000
    return int(now * 1_000_000_000)


def verify_header(
    trusted: TrustedState,
    commit: Json,
    validators: Json | Sequence[Json],
    *,
    height: int | None = None,
    now: datetime | float | None = None,
    options: TrustOptions | None = None,
) -> VerifiedHeader:
    """The light client step: verify a ``/commit`` answer (signed by ``validators``, every ``/validators``
    page of its height) from ``trusted``. Raises :class:`~gonka.errors.TrustError` with step
    ``"trust.level"`` when the trusted validators signing it hold too little power (verify an
    intermediate height first), other :class:`~gonka.errors.ProofError` subclasses for invalid blocks.
    """
    o = options or TrustOptions()
    return trusted.verify(
        commit,
        validators,
        height=height,
        now_ns=now_ns(now),
        trusting_period=o.trusting_period,
        trust_level=o.level,
        clock_drift=o.clock_drift,
    )


def verify_commit(
    commit: Json, validators: Json | Sequence[Json], chain_id: str, height: int | None = None
) -> VerifiedHeader:
    """Verify that a ``/commit`` answer is signed by > 2/3 of ``validators``' power for a header of
    ``chain_id`` whose validators_hash is theirs. The caller vouches for the validator set.
    """
    return _native.proofs_verify_commit(commit, validators, chain_id, height)


def header_hash(header: Json) -> bytes:
    """The hash of a header in CometBFT RPC JSON."""
    return _native.proofs_header_hash(header)


def validator_set_hash(validators: Json | Sequence[Json]) -> bytes:
    """The hash of a validator set (``/validators`` pages, or ``{"validators": [...]}``)."""
    return _native.proofs_validator_set_hash(validators)


@dataclass(frozen=True)
class Precommit:
    """A validator's precommit vote for a block (what commit signatures sign)."""

    chain_id: str
    height: int
    round: int
    block_hash: bytes
    part_set_total: int
    part_set_hash: bytes
    timestamp: str
    """RFC 3339 with nanoseconds, as the commit signature carries it."""

    def sign_bytes(self) -> bytes:
        return _native.proofs_precommit_sign_bytes(
            self.chain_id,
            self.height,
            self.round,
            self.block_hash,
            self.part_set_total,
            self.part_set_hash,
            self.timestamp,
        )

    def verify(self, public_key: bytes, signature: bytes) -> None:
        """Check ``signature`` with an ed25519 consensus key (ZIP 215 rules, as CometBFT does); raises
        :class:`~gonka.errors.InvalidCommit`.
        """
        _native.proofs_verify_precommit(
            self.chain_id,
            self.height,
            self.round,
            self.block_hash,
            self.part_set_total,
            self.part_set_hash,
            self.timestamp,
            public_key,
            signature,
        )


@dataclass(frozen=True)
class InclusionProof:
    """An RFC 6962 inclusion proof: item ``index`` of ``total``, its leaf hash, the aunts leaf-first."""

    total: int
    index: int
    leaf_hash: bytes
    aunts: tuple[bytes, ...]

    def verify(self, root: bytes, item: bytes) -> None:
        """Raises :class:`~gonka.errors.InclusionError` unless ``item`` is under ``root``."""
        _native.proofs_verify_inclusion(root, item, self.total, self.index, self.leaf_hash, list(self.aunts))


def merkle_root(items: Sequence[bytes]) -> bytes:
    """The RFC 6962 root CometBFT uses (``SHA256("")`` for no items)."""
    return _native.proofs_merkle_root(list(items))


def merkle_proofs(items: Sequence[bytes]) -> tuple[bytes, list[InclusionProof]]:
    """The root of ``items`` and an inclusion proof for each."""
    root, proofs = _native.proofs_merkle_proofs(list(items))
    return root, [InclusionProof(t, i, leaf, tuple(aunts)) for t, i, leaf, aunts in proofs]


@dataclass(frozen=True)
class TxInclusion:
    """A transaction proven to be in a block's data (whose root is the header's ``data_hash``)."""

    hash: bytes
    height: int
    index: int
    tx: bytes
    data_hash: bytes
    header: VerifiedHeader | None = None


def _tx_hash_bytes(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text.strip().removeprefix("0x").removeprefix("0X"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InvalidInput(f"a tx hash is 64 hex digits, got {text!r}")
    return raw


def verify_tx(
    answer: Json, *, tx_hash: str | bytes | None = None, header: VerifiedHeader | None = None
) -> TxInclusion:
    """Check a ``/tx?hash=…&prove=true`` answer: the tx hashes to ``tx_hash`` and its proof reaches a
    root, which must be ``header``'s ``data_hash`` when a verified header is given.
    """
    expected = _tx_hash_bytes(tx_hash) if isinstance(tx_hash, str) else tx_hash
    digest, height, index, tx, data_hash = _native.proofs_verify_tx(answer, expected, header)
    return TxInclusion(digest, height, index, tx, data_hash, header)


__all__ = [
    "DEFAULT_TRUSTING_PERIOD",
    "MAINNET_CHAIN_ID",
    "Checkpoint",
    "InclusionProof",
    "Precommit",
    "TrustOptions",
    "TrustedState",
    "TxInclusion",
    "VerifiedHeader",
    "header_hash",
    "merkle_proofs",
    "merkle_root",
    "now_ns",
    "validator_set_hash",
    "verify_commit",
    "verify_header",
    "verify_tx",
]
