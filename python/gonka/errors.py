"""Exception classes. Every error gonka raises derives from :class:`GonkaError`.

The classes are defined in the native module so that Rust code raises them directly.

Proof failures derive from :class:`ProofError`; each names the failed check in ``step`` (such as
``"iavl.root"``, ``"commit.power"``, ``"smst.count"``) and, where bytes are compared, carries them in
``expected`` and ``actual``.
"""

from gonka._native import (
    AppHashMismatch,
    EpochMismatch,
    GonkaError,
    HeaderMismatch,
    InclusionError,
    InsufficientVotingPower,
    InternalError,
    InvalidAddress,
    InvalidCommit,
    InvalidInput,
    InvalidKey,
    InvalidMnemonic,
    InvalidSignature,
    MalformedProof,
    MembershipError,
    ProofError,
    SumTreeError,
    TrustError,
    ValidatorSetMismatch,
)

__all__ = [
    "AppHashMismatch",
    "EpochMismatch",
    "GonkaError",
    "HeaderMismatch",
    "InclusionError",
    "InsufficientVotingPower",
    "InternalError",
    "InvalidAddress",
    "InvalidCommit",
    "InvalidInput",
    "InvalidKey",
    "InvalidMnemonic",
    "InvalidSignature",
    "MalformedProof",
    "MembershipError",
    "ProofError",
    "SumTreeError",
    "TrustError",
    "ValidatorSetMismatch",
]
