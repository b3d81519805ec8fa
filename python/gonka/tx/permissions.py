"""The ML-operations permission set a host's cold account grants its warm (ML operational) key,
as ``inferenced tx inference grant-ml-ops-permissions`` builds it."""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from gonka.errors import InvalidInput
from gonka.tx.messages import BasicAllowance, GenericAuthorization, Msg, MsgGrant, MsgGrantAllowance
from gonka.tx.values import Coin, Timestamp, TimestampLike

__all__ = [
    "FEE_ALLOWANCE_SPEND_LIMIT",
    "ML_OPS_MSG_TYPES",
    "PermissionSet",
    "grant_ml_ops_messages",
]

_INF = "/inference.inference."
_BLS = "/inference.bls."

PermissionSet = Literal["launch", "v0.2.13"]

ML_OPS_MSG_TYPES: dict[str, tuple[str, ...]] = {
    # The launch set, in the order of the genesis grant transactions (25 grants).
    "launch": tuple(
        [
            _INF + name
            for name in (
                "MsgStartInference",
                "MsgFinishInference",
                "MsgClaimRewards",
                "MsgValidation",
                "MsgSubmitPocBatch",
                "MsgSubmitPocValidation",
                "MsgSubmitSeed",
                "MsgBridgeExchange",
                "MsgSubmitTrainingKvRecord",
                "MsgJoinTraining",
                "MsgJoinTrainingStatus",
                "MsgTrainingHeartbeat",
                "MsgSetBarrier",
                "MsgClaimTrainingTaskForAssignment",
                "MsgAssignTrainingTask",
                "MsgSubmitNewUnfundedParticipant",
                "MsgSubmitNewParticipant",
                "MsgSubmitHardwareDiff",
                "MsgInvalidateInference",
                "MsgRevalidateInference",
            )
        ]
        + [
            _BLS + name
            for name in (
                "MsgSubmitDealerPart",
                "MsgSubmitVerificationVector",
                "MsgRequestThresholdSignature",
                "MsgSubmitPartialSignature",
                "MsgSubmitGroupKeyValidationSignature",
            )
        ]
    ),
    # The later set (PoC v2, no training messages; 20 grants), in source order.
    "v0.2.13": tuple(
        [
            _INF + name
            for name in (
                "MsgStartInference",
                "MsgFinishInference",
                "MsgClaimRewards",
                "MsgValidation",
                "MsgSubmitPocBatch",
                "MsgSubmitPocValidationsV2",
                "MsgPoCV2StoreCommit",
                "MsgMLNodeWeightDistribution",
                "MsgSubmitSeed",
                "MsgBridgeExchange",
                "MsgSubmitNewUnfundedParticipant",
                "MsgSubmitHardwareDiff",
                "MsgInvalidateInference",
                "MsgRevalidateInference",
            )
        ]
        + [
            _BLS + name
            for name in (
                "MsgSubmitDealerPart",
                "MsgSubmitVerificationVector",
                "MsgRespondDealerComplaints",
                "MsgRequestThresholdSignature",
                "MsgSubmitPartialSignature",
                "MsgSubmitGroupKeyValidationSignature",
            )
        ]
    ),
}

#: The fee allowance the later CLI adds so the warm key's txs can use ``Fee.granter`` = cold (10 GNK).
FEE_ALLOWANCE_SPEND_LIMIT = Coin("ngonka", 10_000_000_000)


def grant_ml_ops_messages(
    granter: str,
    grantee: str,
    *,
    permissions: PermissionSet = "v0.2.13",
    expiration: TimestampLike | None = None,
    fee_allowance: bool | None = None,
) -> list[Msg]:
    """The messages of one grant-ml-ops-permissions transaction (signed by the cold ``granter``).

    ``permissions`` picks the message list: ``"launch"`` (the genesis set) or ``"v0.2.13"`` (the
    later one). ``expiration`` defaults to one year from now. ``fee_allowance`` adds a feegrant
    BasicAllowance of 10 GNK with the same expiration; by default only with the later set (the
    CLI adds it only when no allowance exists yet: pass False when one does).
    """
    if permissions not in ML_OPS_MSG_TYPES:
        raise InvalidInput(f"unknown permission set {permissions!r}: {sorted(ML_OPS_MSG_TYPES)}")
    if expiration is None:
        until = Timestamp.from_datetime(_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(days=365))
    else:
        until = Timestamp.coerce(expiration)
    msgs: list[Msg] = [
        MsgGrant(granter, grantee, GenericAuthorization(type_url), until)
        for type_url in ML_OPS_MSG_TYPES[permissions]
    ]
    if fee_allowance if fee_allowance is not None else permissions != "launch":
        allowance = BasicAllowance([FEE_ALLOWANCE_SPEND_LIMIT], until)
        msgs.append(MsgGrantAllowance(granter, grantee, allowance))
    return msgs
