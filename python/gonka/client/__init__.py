"""Chain access: queries, tx broadcast and the API node's admin API, sync and async.

>>> from gonka.client import Client                       # doctest: +SKIP
>>> with Client("http://node2.gonka.ai:8000") as node:
...     node.participant("gonka1...").status
"""

from gonka.client.admin import AdminClient, AsyncAdminClient
from gonka.client.client import AsyncClient, Client
from gonka.client.endpoints import InferenceEndpoint
from gonka.client.errors import (
    BadResponse,
    ChainError,
    InsufficientFee,
    NodeUnreachable,
    NotFound,
    OutOfGas,
    RequestRejected,
    SequenceMismatch,
    Timeout,
)
from gonka.client.flows import GasSettings, Prepared
from gonka.client.models import (
    Account,
    AdminAck,
    AdminNode,
    ChainDecimal,
    ClaimRecoverResult,
    CoinAmount,
    EpochParticipant,
    EpochParticipants,
    EpochPerformanceSummary,
    InferenceParams,
    NetInfo,
    NodeStatus,
    Participant,
    Peer,
    PocParams,
    Proposal,
    SigningInfo,
    SimulateResult,
    SlashingParams,
    TallyResult,
    TxResult,
    ValidatorSigning,
)
from gonka.client.transport import DEFAULT_NODE_URL, NODE_URL_ENV

__all__ = [
    "DEFAULT_NODE_URL",
    "NODE_URL_ENV",
    "Account",
    "AdminAck",
    "AdminClient",
    "AdminNode",
    "AsyncAdminClient",
    "AsyncClient",
    "BadResponse",
    "ChainDecimal",
    "ChainError",
    "ClaimRecoverResult",
    "Client",
    "CoinAmount",
    "EpochParticipant",
    "EpochParticipants",
    "EpochPerformanceSummary",
    "GasSettings",
    "InferenceEndpoint",
    "InferenceParams",
    "InsufficientFee",
    "NetInfo",
    "NodeStatus",
    "NodeUnreachable",
    "NotFound",
    "OutOfGas",
    "Participant",
    "Peer",
    "PocParams",
    "Prepared",
    "Proposal",
    "RequestRejected",
    "SequenceMismatch",
    "SigningInfo",
    "SimulateResult",
    "SlashingParams",
    "TallyResult",
    "Timeout",
    "TxResult",
    "ValidatorSigning",
]
