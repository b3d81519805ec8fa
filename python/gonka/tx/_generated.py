"""Message classes generated from the .proto declarations of gonka-tx by ``python -m gonka._codegen``; do
not edit: change the .proto file, rebuild and regenerate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from gonka.tx._base import AnyPayload, Msg, ProtoEnum, ProtoMessage, RawMsg, register_enum
from gonka.tx._mixins import UnjailHelpers, UpdateParamsHelpers

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gonka.tx.values import Coin, TimestampLike

__all__: list[str] = [
    "Allowance",
    "Authorization",
    "BasicAllowance",
    "CommissionRates",
    "Description",
    "Ed25519PubKey",
    "GenericAuthorization",
    "MLNodeDistributionEntry",
    "MLNodeWeight",
    "MsgClaimRewards",
    "MsgCreateValidator",
    "MsgDeposit",
    "MsgDepositCollateral",
    "MsgExec",
    "MsgGrant",
    "MsgGrantAllowance",
    "MsgMLNodeWeightDistribution",
    "MsgPoCV2StoreCommit",
    "MsgRevoke",
    "MsgRevokeAllowance",
    "MsgSend",
    "MsgSubmitNewParticipant",
    "MsgSubmitPocBatch",
    "MsgSubmitPocValidation",
    "MsgSubmitPocValidationsV2",
    "MsgSubmitProposal",
    "MsgSubmitSeed",
    "MsgUnjail",
    "MsgUpdateInferenceParams",
    "MsgVote",
    "MsgVoteV1Beta1",
    "MsgVoteWeighted",
    "MsgWithdrawCollateral",
    "PoCV2CommitEntry",
    "PoCValidationEntryV2",
    "PubKey",
    "Secp256k1PubKey",
    "VoteOption",
    "WeightedVoteOption",
]


class VoteOption(ProtoEnum):
    """Governance vote options (the chain's numbers)."""

    YES = 1
    ABSTAIN = 2
    NO = 3
    NO_WITH_VETO = 4


register_enum(VoteOption, "cosmos.gov.v1.VoteOption")


@dataclass(frozen=True)
class WeightedVoteOption(ProtoMessage, proto="cosmos.gov.v1.WeightedVoteOption"):
    """One part of a weighted vote: ``weight`` is decimal text such as "0.5" (a plain cosmos.Dec string on
    the wire, not a LegacyDec).
    """

    option: VoteOption | str | int
    weight: str


@dataclass(frozen=True)
class CommissionRates(ProtoMessage, proto="cosmos.staking.v1beta1.CommissionRates"):
    """Decimal text, e.g. "0.1"; written with 18 fraction digits, scaled by 10^18 on the wire."""

    rate: str
    max_rate: str
    max_change_rate: str


@dataclass(frozen=True)
class Description(ProtoMessage, proto="cosmos.staking.v1beta1.Description"):
    """A validator's public description."""

    moniker: str = ""
    identity: str = ""
    website: str = ""
    security_contact: str = ""
    details: str = ""


@dataclass(frozen=True)
class MLNodeDistributionEntry(ProtoMessage, proto="inference.inference.MLNodeDistributionEntry"):
    """One model's per-node split."""

    model_id: str
    weights: Sequence[MLNodeWeight] = ()


@dataclass(frozen=True)
class MLNodeWeight(ProtoMessage, proto="inference.inference.MLNodeWeight"):
    """Artifacts attributed to one ML node."""

    node_id: str
    weight: int


@dataclass(frozen=True)
class PoCV2CommitEntry(ProtoMessage, proto="inference.inference.PoCV2CommitEntry"):
    """One model's artifact-store commitment: leaf ``count`` and 32-byte sum-tree ``root_hash``."""

    model_id: str
    count: int
    root_hash: bytes


@dataclass(frozen=True)
class PoCValidationEntryV2(ProtoMessage, proto="inference.inference.PoCValidationEntryV2"):
    """A validator's vote on a (participant, model): ``validated_weight`` > 0 accepts, -1 rejects."""

    participant_address: str
    validated_weight: int
    model_id: str = ""


@dataclass(frozen=True)
class GenericAuthorization(AnyPayload, proto="cosmos.authz.v1beta1.GenericAuthorization"):
    """Permits every message of one type URL (an authz authorization)."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.GenericAuthorization"

    msg: str


@dataclass(frozen=True)
class MsgExec(Msg, proto="cosmos.authz.v1beta1.MsgExec"):
    """The grantee executes ``msgs`` whose signer is the granter."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.MsgExec"

    grantee: str
    msgs: Sequence[Msg]


@dataclass(frozen=True)
class MsgGrant(Msg, proto="cosmos.authz.v1beta1.MsgGrant"):
    """Grant ``grantee`` an authorization to act for ``granter`` until ``expiration`` (None: never)."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.MsgGrant"

    granter: str
    grantee: str
    authorization: Authorization
    expiration: TimestampLike | None = None


@dataclass(frozen=True)
class MsgRevoke(Msg, proto="cosmos.authz.v1beta1.MsgRevoke"):
    """Revoke an authz grant."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.MsgRevoke"

    granter: str
    grantee: str
    msg_type_url: str


@dataclass(frozen=True)
class MsgSend(Msg, proto="cosmos.bank.v1beta1.MsgSend"):
    """Send coins from one account to another."""

    TYPE_URL: ClassVar[str] = "/cosmos.bank.v1beta1.MsgSend"

    from_address: str
    to_address: str
    amount: Sequence[Coin]


@dataclass(frozen=True)
class Ed25519PubKey(AnyPayload, proto="cosmos.crypto.ed25519.PubKey"):
    """A 32-byte ed25519 consensus public key."""

    TYPE_URL: ClassVar[str] = "/cosmos.crypto.ed25519.PubKey"

    key: bytes


@dataclass(frozen=True)
class Secp256k1PubKey(AnyPayload, proto="cosmos.crypto.secp256k1.PubKey"):
    """An account public key: the 33-byte compressed secp256k1 point."""

    TYPE_URL: ClassVar[str] = "/cosmos.crypto.secp256k1.PubKey"

    key: bytes


@dataclass(frozen=True)
class BasicAllowance(AnyPayload, proto="cosmos.feegrant.v1beta1.BasicAllowance"):
    """A fee allowance: fees up to ``spend_limit`` (empty: unlimited) until ``expiration`` (None: no
    expiry).
    """

    TYPE_URL: ClassVar[str] = "/cosmos.feegrant.v1beta1.BasicAllowance"

    spend_limit: Sequence[Coin] = ()
    expiration: TimestampLike | None = None


@dataclass(frozen=True)
class MsgGrantAllowance(Msg, proto="cosmos.feegrant.v1beta1.MsgGrantAllowance"):
    """Let ``grantee`` pay fees from ``granter``'s account (Fee.granter)."""

    TYPE_URL: ClassVar[str] = "/cosmos.feegrant.v1beta1.MsgGrantAllowance"

    granter: str
    grantee: str
    allowance: Allowance


@dataclass(frozen=True)
class MsgRevokeAllowance(Msg, proto="cosmos.feegrant.v1beta1.MsgRevokeAllowance"):
    """Revoke a fee allowance."""

    TYPE_URL: ClassVar[str] = "/cosmos.feegrant.v1beta1.MsgRevokeAllowance"

    granter: str
    grantee: str


@dataclass(frozen=True)
class MsgDeposit(Msg, proto="cosmos.gov.v1.MsgDeposit"):
    """A deposit on a governance proposal."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgDeposit"

    proposal_id: int
    depositor: str
    amount: Sequence[Coin]


@dataclass(frozen=True)
class MsgSubmitProposal(Msg, proto="cosmos.gov.v1.MsgSubmitProposal"):
    """A governance proposal (gov v1) executing ``messages``, e.g. a module's MsgUpdateParams."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgSubmitProposal"

    messages: Sequence[Msg]
    proposer: str
    initial_deposit: Sequence[Coin] = ()
    metadata: str = ""
    title: str = ""
    summary: str = ""
    expedited: bool = False


@dataclass(frozen=True)
class MsgVote(Msg, proto="cosmos.gov.v1.MsgVote"):
    """A governance vote (gov v1). ``option``: "yes", "no", "no_with_veto", "abstain"."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgVote"

    proposal_id: int
    voter: str
    option: VoteOption | str | int
    metadata: str = ""


@dataclass(frozen=True)
class MsgVoteWeighted(Msg, proto="cosmos.gov.v1.MsgVoteWeighted"):
    """A split governance vote (gov v1); the weights sum to 1."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgVoteWeighted"

    proposal_id: int
    voter: str
    options: Sequence[WeightedVoteOption]
    metadata: str = ""


@dataclass(frozen=True)
class MsgVoteV1Beta1(Msg, proto="cosmos.gov.v1beta1.MsgVote"):
    """The legacy gov v1beta1 vote: what authz vote delegation executes inside a MsgExec."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1beta1.MsgVote"

    proposal_id: int
    voter: str
    option: VoteOption | str | int


@dataclass(frozen=True)
class MsgUnjail(UnjailHelpers, Msg, proto="cosmos.slashing.v1beta1.MsgUnjail"):
    """Unjail a validator; ``validator_addr`` is the gonkavaloper1... form of the operator (cold) account."""

    TYPE_URL: ClassVar[str] = "/cosmos.slashing.v1beta1.MsgUnjail"

    validator_addr: str


@dataclass(frozen=True)
class MsgCreateValidator(Msg, proto="cosmos.staking.v1beta1.MsgCreateValidator"):
    """Create a validator (what a gentx carries)."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgCreateValidator"

    description: Description
    commission: CommissionRates
    min_self_delegation: int
    validator_address: str
    pubkey: PubKey
    value: Coin
    delegator_address: str = ""


@dataclass(frozen=True)
class MsgDepositCollateral(Msg, proto="inference.collateral.MsgDepositCollateral"):
    """Deposit collateral for a participant."""

    TYPE_URL: ClassVar[str] = "/inference.collateral.MsgDepositCollateral"

    participant: str
    amount: Coin


@dataclass(frozen=True)
class MsgWithdrawCollateral(Msg, proto="inference.collateral.MsgWithdrawCollateral"):
    """Withdraw collateral (released after the unbonding epochs)."""

    TYPE_URL: ClassVar[str] = "/inference.collateral.MsgWithdrawCollateral"

    participant: str
    amount: Coin


@dataclass(frozen=True)
class MsgClaimRewards(Msg, proto="inference.inference.MsgClaimRewards"):
    """Claim an epoch's rewards with the seed revealed for it."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgClaimRewards"

    creator: str
    seed: int
    epoch_index: int


@dataclass(frozen=True)
class MsgMLNodeWeightDistribution(Msg, proto="inference.inference.MsgMLNodeWeightDistribution"):
    """PoC v2: per-node artifact counts after generation (one entry per model); ``weights`` is the
    deprecated single-model list of v0.2.9-v0.2.11.
    """

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgMLNodeWeightDistribution"

    creator: str
    poc_stage_start_block_height: int
    entries: Sequence[MLNodeDistributionEntry] = ()
    weights: Sequence[MLNodeWeight] = ()


@dataclass(frozen=True)
class MsgPoCV2StoreCommit(Msg, proto="inference.inference.MsgPoCV2StoreCommit"):
    """PoC v2: the participant's artifact-store commitments for a stage (one entry per model). ``count``
    and ``root_hash`` are the deprecated single-model fields of v0.2.9-v0.2.11.
    """

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgPoCV2StoreCommit"

    creator: str
    poc_stage_start_block_height: int
    entries: Sequence[PoCV2CommitEntry] = ()
    count: int = 0
    root_hash: bytes = b""


@dataclass(frozen=True)
class MsgSubmitNewParticipant(Msg, proto="inference.inference.MsgSubmitNewParticipant"):
    """Register a host (signed by its cold account), or update the non-empty ones of ``url``,
    ``validator_key`` (base64 of the 32-byte ed25519 consensus key) and ``worker_key``.
    """

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitNewParticipant"

    creator: str
    url: str = ""
    validator_key: str = ""
    worker_key: str = ""


@dataclass(frozen=True)
class MsgSubmitPocBatch(Msg, proto="inference.inference.MsgSubmitPocBatch"):
    """One batch of Proof-of-Compute nonces and their distances."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitPocBatch"

    creator: str
    poc_stage_start_block_height: int
    batch_id: str
    nonces: Sequence[int]
    dist: Sequence[float]
    node_id: str = ""


@dataclass(frozen=True)
class MsgSubmitPocValidation(Msg, proto="inference.inference.MsgSubmitPocValidation"):
    """A validator's verdict on one participant's PoC nonces (launch PoC v1)."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitPocValidation"

    creator: str
    participant_address: str
    poc_stage_start_block_height: int
    nonces: Sequence[int]
    dist: Sequence[float]
    received_dist: Sequence[float]
    r_target: float
    fraud_threshold: float
    n_invalid: int
    probability_honest: float
    fraud_detected: bool = False


@dataclass(frozen=True)
class MsgSubmitPocValidationsV2(Msg, proto="inference.inference.MsgSubmitPocValidationsV2"):
    """PoC v2: a validator's votes (``validated_weight``) on the participants of a stage."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitPocValidationsV2"

    creator: str
    poc_stage_start_block_height: int
    validations: Sequence[PoCValidationEntryV2] = ()


@dataclass(frozen=True)
class MsgSubmitSeed(Msg, proto="inference.inference.MsgSubmitSeed"):
    """Commit the seed of an upcoming epoch: ``signature`` is the lower-case hex of its signature."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitSeed"

    creator: str
    epoch_index: int
    signature: str


@dataclass(frozen=True)
class MsgUpdateInferenceParams(UpdateParamsHelpers, Msg, proto="inference.inference.MsgUpdateParams"):
    """/inference.inference.MsgUpdateParams, the content of a parameter-change proposal. ``params`` is the
    encoded inference.inference.Params with ALL fields set (the wire form of an embedded message is its
    bytes).
    """

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgUpdateParams"

    authority: str
    params: bytes


Allowance: TypeAlias = BasicAllowance | RawMsg

Authorization: TypeAlias = GenericAuthorization | RawMsg

PubKey: TypeAlias = Ed25519PubKey | Secp256k1PubKey | RawMsg
