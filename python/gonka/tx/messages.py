"""Typed transaction messages with their real type URLs.

Every message is a frozen dataclass, validated and encoded (in Rust) when it is created, so a bad
address, amount or option raises a :mod:`gonka.errors` exception at the line that made it.
``to_json``/``Msg.from_json`` convert to and from the chain's JSON form (``"@type"`` inline, 64-bit
integers as strings, bytes as base64, timestamps as RFC 3339).
"""

from __future__ import annotations

import base64
import dataclasses
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from gonka import _native
from gonka.errors import InvalidInput
from gonka.tx.values import Coin, Timestamp, TimestampLike, VoteOption

__all__ = [
    "AnyPayload",
    "Authorization",
    "BasicAllowance",
    "CommissionRates",
    "Description",
    "Ed25519PubKey",
    "GenericAuthorization",
    "MLNodeDistributionEntry",
    "MLNodeWeight",
    "Msg",
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
    "RawMsg",
    "WeightedVoteOption",
    "module_address",
]

# How a field is written in JSON, when not as itself.
_INT, _INTS, _FLOATS, _COIN, _COINS, _ANY, _ANYS, _TS, _BYTES, _VOTE, _OBJ = (
    "int",
    "ints",
    "floats",
    "coin",
    "coins",
    "any",
    "anys",
    "ts",
    "bytes",
    "vote",
    "obj",
)


_FLOAT = "float"
_OBJS = "objs"


def _finite(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInput(f"PoC distances and thresholds must be finite numbers, got {value!r}")
    return number


def _to_json(kind: str | None, value: Any) -> Any:
    if kind is None:
        return value
    if kind == _INT:
        return str(value)
    if kind == _INTS:
        return [str(v) for v in value]
    if kind == _FLOATS:
        return [float(v) for v in value]
    if kind == _FLOAT:
        return float(value)
    if kind in (_COIN, _ANY, _OBJ):
        return value.to_json()
    if kind == _OBJS:
        return [v.to_json() for v in value]
    if kind == _COINS:
        return [_coin_json(i, c) for i, c in enumerate(value)]
    if kind == _ANYS:
        return [v.to_json() for v in value]
    if kind == _TS:
        return None if value is None else str(value)
    if kind == _BYTES:
        return base64.b64encode(value).decode()
    if kind == _VOTE:
        return value.json_name
    raise AssertionError(kind)


_INT_TEXT = re.compile(r"-?[0-9]+")


def _coin_json(i: int, coin: Any) -> dict[str, str]:
    if not isinstance(coin, Coin):
        raise InvalidInput(f"coins[{i}] must be a Coin, got {coin!r}")
    return coin.to_json()


def _parse_int(value: Any) -> int:
    """A JSON integer: a number, or decimal text (how proto3 JSON writes 64-bit integers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    raise InvalidInput(f"{value!r} is not an integer")


def _from_json(kind: str | None, value: Any, obj_type: Any = None) -> Any:
    if kind is None:
        return value
    if kind == _INT:
        return _parse_int(value)
    if kind == _INTS:
        return tuple(_parse_int(v) for v in value)
    if kind == _FLOATS:
        return tuple(float(v) for v in value)
    if kind == _FLOAT:
        return float(value)
    if kind == _COIN:
        return Coin.from_json(value)
    if kind == _COINS:
        return tuple(Coin.from_json(v) for v in value)
    if kind == _ANY:
        return AnyPayload.from_json(value)
    if kind == _ANYS:
        return tuple(Msg.from_json(v) for v in value)
    if kind == _TS:
        return None if value is None else Timestamp.parse(value)
    if kind == _BYTES:
        return base64.b64decode(value)
    if kind == _VOTE:
        return VoteOption.parse(value)
    if kind == _OBJ:
        return obj_type.from_json(value)
    if kind == _OBJS:
        return tuple(obj_type.from_json(v) for v in value)
    raise AssertionError(kind)


# Sequence kinds kept as given when they already are tuples.
_TUPLE_KINDS = frozenset((_COINS, _ANYS, _OBJS))


def _coerce(kind: str | None, value: Any) -> Any:
    """Normalizes a constructor argument: sequences to tuples, options and times to their types."""
    if kind in (_COINS, _ANYS, _INTS, _FLOATS, _OBJS):
        if type(value) is tuple and kind in (_COINS, _ANYS, _OBJS):
            return value
        if type(value) is list and kind in (_COINS, _ANYS, _OBJS):
            return tuple(value)
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise InvalidInput(f"expected a sequence, got {value!r}")
        if kind == _FLOATS:
            return tuple(_finite(v) for v in value)
        return tuple(value)
    if kind == _FLOAT:
        return _finite(value)
    if kind == _VOTE:
        return VoteOption.parse(value)
    if kind == _TS and value is not None:
        return Timestamp.coerce(value)
    return value


# How deep the JSON Anys being read on this thread nest.
_NESTING = threading.local()


class _Json:
    """JSON conversion driven by the class's ``_KINDS`` table (field name -> kind)."""

    _KINDS: ClassVar[dict[str, str]] = {}
    _OBJ_TYPES: ClassVar[dict[str, Any]] = {}
    _FIELD_KINDS: ClassVar[tuple[tuple[str, str | None], ...]]

    def _normalize(self) -> None:
        for name, kind in self._KINDS.items():
            value = getattr(self, name)
            if kind in _TUPLE_KINDS and type(value) in (tuple, list):
                # The common cases, without a call: already a tuple, or a list to freeze.
                if type(value) is list:
                    object.__setattr__(self, name, tuple(value))
                continue
            object.__setattr__(self, name, _coerce(kind, value))

    @classmethod
    def _field_kinds(cls) -> tuple[tuple[str, str | None], ...]:
        # Computed once per class: building a message is on the hot path of signing.
        cached: tuple[tuple[str, str | None], ...] | None = cls.__dict__.get("_FIELD_KINDS")
        if cached is None:
            # Every concrete subclass is a dataclass; the base classes are never asked.
            cached = tuple(
                (f.name, cls._KINDS.get(f.name))
                for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                if f.init
            )
            cls._FIELD_KINDS = cached
        return cached

    def _fields_json(self) -> dict[str, Any]:
        return {
            name: value if kind is None else _to_json(kind, value)
            for name, kind in self._field_kinds()
            for value in (getattr(self, name),)
        }

    @classmethod
    def _fields_from_json(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {
            name: _from_json(kind, data[name], cls._OBJ_TYPES.get(name))
            for name, kind in cls._field_kinds()
            if name in data
        }


class AnyPayload(_Json):
    """A payload carried in an ``Any``: a message, an authorization, an allowance, a public key."""

    TYPE_URL: ClassVar[str] = ""
    _REGISTRY: ClassVar[dict[str, type[AnyPayload]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.TYPE_URL:
            AnyPayload._REGISTRY[cls.TYPE_URL] = cls

    def __post_init__(self) -> None:
        self._normalize()

    @property
    def type_url(self) -> str:
        return self.TYPE_URL

    def to_json(self) -> dict[str, Any]:
        return {"@type": self.TYPE_URL, **self._fields_json()}

    @classmethod
    def _from_fields(cls, data: dict[str, Any]) -> AnyPayload:
        return cls(**cls._fields_from_json(data))

    @staticmethod
    def from_json(data: dict[str, Any]) -> Any:
        """A typed payload from its JSON form; unknown types become :class:`RawMsg`."""
        if not isinstance(data, dict) or not isinstance(data.get("@type"), str):
            raise InvalidInput(f'a JSON Any is an object with a "@type", got {data!r}')
        type_url = data["@type"]
        cls = AnyPayload._REGISTRY.get(type_url)
        if cls is None or data.keys() == {"@type", "value"}:
            # The encoded form: an unsupported type, or a type in a place that does not take it.
            if not isinstance(data.get("value"), str):
                raise InvalidInput(
                    f'unsupported type {type_url}: give its encoded payload as "value" (base64)'
                )
            try:
                value = base64.b64decode(data["value"], validate=True)
            except ValueError as err:
                raise InvalidInput(f"{type_url}: value is not base64: {err}") from None
            return RawMsg(type_url, value)
        nesting = _NESTING.__dict__.setdefault("depth", 0)
        if nesting >= _native.TX_MAX_ANY_DEPTH:
            # The native decoder's cap (the Cosmos SDK's), checked before recursing further.
            limit = _native.TX_MAX_ANY_DEPTH
            raise InvalidInput(f"{type_url}: Anys nest deeper than {limit} levels (the Cosmos SDK's limit)")
        _NESTING.depth = nesting + 1
        try:
            return cls._from_fields({k: v for k, v in data.items() if k != "@type"})
        except (TypeError, KeyError, AttributeError) as err:
            raise InvalidInput(f"{type_url}: {err}") from None
        finally:
            _NESTING.depth = nesting


class Msg(AnyPayload):
    """Base class of transaction messages; validated and encoded when created."""

    # (type URL, encoded payload), set once by __post_init__.
    _any: tuple[str, bytes]

    def __post_init__(self) -> None:
        self._normalize()
        object.__setattr__(self, "_any", self._encode_any())

    def _encode_any(self) -> tuple[str, bytes]:
        """Checks and encodes the message: ``(type_url, payload)``, through its JSON form."""
        return _native.tx_encode_msg(self.to_json())

    def encode(self) -> bytes:
        """The encoded protobuf payload (the ``value`` of its Any)."""
        return self._any[1]

    @staticmethod
    def from_json(data: dict[str, Any]) -> Msg:
        """A typed message from its JSON form; unknown types become :class:`RawMsg`."""
        msg = AnyPayload.from_json(data)
        if not isinstance(msg, Msg):
            raise InvalidInput(f"{data.get('@type')} is not a transaction message")
        return msg

    @staticmethod
    def decode(type_url: str, value: bytes) -> Msg:
        """A typed message from its Any (type URL and encoded payload)."""
        return Msg.from_json(_native.tx_decode_msg(type_url, value))


@dataclass(frozen=True)
class RawMsg(Msg):
    """An already encoded payload of any type URL, passed through byte for byte."""

    raw_type_url: str
    value: bytes

    def __post_init__(self) -> None:
        if not self.raw_type_url.startswith("/") or len(self.raw_type_url) < 2:
            raise InvalidInput(f"{self.raw_type_url!r} is not a type URL like /pkg.Msg")
        object.__setattr__(self, "_any", (self.raw_type_url, bytes(self.value)))

    @property
    def type_url(self) -> str:
        return self.raw_type_url

    def to_json(self) -> dict[str, Any]:
        return {"@type": self.raw_type_url, "value": base64.b64encode(self.value).decode()}


def module_address(name: str) -> str:
    """The account address of a chain module (e.g. ``"gov"``, the authority of parameter updates):
    the first 20 bytes of SHA-256 of its name."""
    from gonka.address import encode
    from gonka.hashing import sha256

    return encode("gonka", sha256(name.encode())[:20])


# ------------------------------------------------------------------ bank


@dataclass(frozen=True)
class MsgSend(Msg):
    """Send coins from one account to another."""

    TYPE_URL: ClassVar[str] = "/cosmos.bank.v1beta1.MsgSend"
    _KINDS: ClassVar[dict[str, str]] = {"amount": _COINS}

    from_address: str
    to_address: str
    amount: Sequence[Coin]

    def __post_init__(self) -> None:
        # The hot message of wallets, specialized: no JSON form, no generic normalization.
        amount = self.amount
        if type(amount) is not tuple:
            amount = _coerce(_COINS, amount)
            object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "_any", self._encode_any())

    def _encode_any(self) -> tuple[str, bytes]:
        return _native.tx_encode_msg_send(self.from_address, self.to_address, self.amount)


# ------------------------------------------------------------------ gov


@dataclass(frozen=True)
class MsgVote(Msg):
    """A governance vote (gov v1). ``option``: ``"yes"``, ``"no"``, ``"no_with_veto"``, ``"abstain"``."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgVote"
    _KINDS: ClassVar[dict[str, str]] = {"proposal_id": _INT, "option": _VOTE}

    proposal_id: int
    voter: str
    option: VoteOption | str | int
    metadata: str = ""


@dataclass(frozen=True)
class WeightedVoteOption(_Json):
    """One part of a weighted vote: ``weight`` is decimal text such as ``"0.5"``."""

    option: VoteOption | str | int
    weight: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "option", VoteOption.parse(self.option))
        object.__setattr__(self, "weight", str(self.weight))

    def to_json(self) -> dict[str, Any]:
        # __post_init__ parsed the option, whatever form it was given in.
        return {"option": cast(VoteOption, self.option).json_name, "weight": self.weight}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WeightedVoteOption:
        return cls(data["option"], data["weight"])


@dataclass(frozen=True)
class MsgVoteWeighted(Msg):
    """A split governance vote (gov v1); the weights sum to 1."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgVoteWeighted"
    _KINDS: ClassVar[dict[str, str]] = {"proposal_id": _INT, "options": _OBJS}
    _OBJ_TYPES: ClassVar[dict[str, Any]] = {"options": WeightedVoteOption}

    proposal_id: int
    voter: str
    options: Sequence[WeightedVoteOption]
    metadata: str = ""


@dataclass(frozen=True)
class MsgVoteV1Beta1(Msg):
    """The legacy gov v1beta1 vote: what authz vote delegation executes inside a MsgExec."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1beta1.MsgVote"
    _KINDS: ClassVar[dict[str, str]] = {"proposal_id": _INT, "option": _VOTE}

    proposal_id: int
    voter: str
    option: VoteOption | str | int


@dataclass(frozen=True)
class MsgSubmitProposal(Msg):
    """A governance proposal (gov v1) executing ``messages``, e.g. a module's MsgUpdateParams."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgSubmitProposal"
    _KINDS: ClassVar[dict[str, str]] = {"messages": _ANYS, "initial_deposit": _COINS}

    messages: Sequence[Msg]
    proposer: str
    initial_deposit: Sequence[Coin] = ()
    metadata: str = ""
    title: str = ""
    summary: str = ""
    expedited: bool = False


@dataclass(frozen=True)
class MsgDeposit(Msg):
    """A deposit on a governance proposal."""

    TYPE_URL: ClassVar[str] = "/cosmos.gov.v1.MsgDeposit"
    _KINDS: ClassVar[dict[str, str]] = {"proposal_id": _INT, "amount": _COINS}

    proposal_id: int
    depositor: str
    amount: Sequence[Coin]


# ------------------------------------------------------------------ slashing


@dataclass(frozen=True)
class MsgUnjail(Msg):
    """Unjail a validator; ``validator_addr`` is the ``gonkavaloper1...`` form of the cold account."""

    TYPE_URL: ClassVar[str] = "/cosmos.slashing.v1beta1.MsgUnjail"

    validator_addr: str

    @classmethod
    def for_account(cls, address: str) -> MsgUnjail:
        """The unjail message of the validator operated by account ``address`` (``gonka1...``)."""
        from gonka.address import to_valoper

        return cls(to_valoper(address))


# ------------------------------------------------------------------ inference


@dataclass(frozen=True)
class MsgSubmitNewParticipant(Msg):
    """Register a host (signed by its cold account), or update the non-empty ones of ``url``,
    ``validator_key`` (base64 of the 32-byte ed25519 consensus key) and ``worker_key``."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitNewParticipant"

    creator: str
    url: str = ""
    validator_key: str = ""
    worker_key: str = ""


@dataclass(frozen=True)
class MsgClaimRewards(Msg):
    """Claim an epoch's rewards with the seed revealed for it."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgClaimRewards"
    _KINDS: ClassVar[dict[str, str]] = {"seed": _INT, "epoch_index": _INT}

    creator: str
    seed: int
    epoch_index: int


@dataclass(frozen=True)
class MsgSubmitSeed(Msg):
    """Commit the seed of an upcoming epoch: ``signature`` is the lower-case hex of its signature."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitSeed"
    _KINDS: ClassVar[dict[str, str]] = {"epoch_index": _INT}

    creator: str
    epoch_index: int
    signature: str


@dataclass(frozen=True)
class MsgSubmitPocBatch(Msg):
    """One batch of Proof-of-Compute nonces and their distances."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitPocBatch"
    _KINDS: ClassVar[dict[str, str]] = {
        "poc_stage_start_block_height": _INT,
        "nonces": _INTS,
        "dist": _FLOATS,
    }

    creator: str
    poc_stage_start_block_height: int
    batch_id: str
    nonces: Sequence[int]
    dist: Sequence[float]
    node_id: str = ""


@dataclass(frozen=True)
class MsgSubmitPocValidation(Msg):
    """A validator's verdict on one participant's PoC nonces (launch PoC v1)."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitPocValidation"
    _KINDS: ClassVar[dict[str, str]] = {
        "poc_stage_start_block_height": _INT,
        "nonces": _INTS,
        "dist": _FLOATS,
        "received_dist": _FLOATS,
        "r_target": _FLOAT,
        "fraud_threshold": _FLOAT,
        "n_invalid": _INT,
        "probability_honest": _FLOAT,
    }

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


class _Entry(_Json):
    """A nested message of a PoC v2 transaction (JSON fields driven by ``_KINDS``)."""

    def __post_init__(self) -> None:
        self._normalize()

    def to_json(self) -> dict[str, Any]:
        return self._fields_json()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Any:
        if not isinstance(data, dict):
            raise InvalidInput(f"{cls.__name__} is a JSON object, got {data!r}")
        return cls(**cls._fields_from_json(data))


@dataclass(frozen=True)
class PoCV2CommitEntry(_Entry):
    """One model's artifact-store commitment: leaf ``count`` and 32-byte sum-tree ``root_hash``."""

    _KINDS: ClassVar[dict[str, str]] = {"root_hash": _BYTES}

    model_id: str
    count: int
    root_hash: bytes


@dataclass(frozen=True)
class MLNodeWeight(_Entry):
    """Artifacts attributed to one ML node."""

    node_id: str
    weight: int


@dataclass(frozen=True)
class MLNodeDistributionEntry(_Entry):
    """One model's per-node split."""

    _KINDS: ClassVar[dict[str, str]] = {"weights": _OBJS}
    _OBJ_TYPES: ClassVar[dict[str, Any]] = {"weights": MLNodeWeight}

    model_id: str
    weights: Sequence[MLNodeWeight] = ()


@dataclass(frozen=True)
class PoCValidationEntryV2(_Entry):
    """A validator's vote on a (participant, model): ``validated_weight`` > 0 accepts, -1 rejects."""

    _KINDS: ClassVar[dict[str, str]] = {"validated_weight": _INT}

    participant_address: str
    validated_weight: int
    model_id: str = ""


@dataclass(frozen=True)
class MsgPoCV2StoreCommit(Msg):
    """PoC v2: the participant's artifact-store commitments for a stage (one entry per model).
    ``count``/``root_hash`` are the deprecated single-model fields of v0.2.9-v0.2.11."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgPoCV2StoreCommit"
    _KINDS: ClassVar[dict[str, str]] = {
        "poc_stage_start_block_height": _INT,
        "entries": _OBJS,
        "root_hash": _BYTES,
    }
    _OBJ_TYPES: ClassVar[dict[str, Any]] = {"entries": PoCV2CommitEntry}

    creator: str
    poc_stage_start_block_height: int
    entries: Sequence[PoCV2CommitEntry] = ()
    count: int = 0
    root_hash: bytes = b""


@dataclass(frozen=True)
class MsgSubmitPocValidationsV2(Msg):
    """PoC v2: a validator's votes (``validated_weight``) on the participants of a stage."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgSubmitPocValidationsV2"
    _KINDS: ClassVar[dict[str, str]] = {"poc_stage_start_block_height": _INT, "validations": _OBJS}
    _OBJ_TYPES: ClassVar[dict[str, Any]] = {"validations": PoCValidationEntryV2}

    creator: str
    poc_stage_start_block_height: int
    validations: Sequence[PoCValidationEntryV2] = ()


@dataclass(frozen=True)
class MsgMLNodeWeightDistribution(Msg):
    """PoC v2: per-node artifact counts after generation (one entry per model); ``weights`` is the
    deprecated single-model list of v0.2.9-v0.2.11."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgMLNodeWeightDistribution"
    _KINDS: ClassVar[dict[str, str]] = {
        "poc_stage_start_block_height": _INT,
        "entries": _OBJS,
        "weights": _OBJS,
    }
    _OBJ_TYPES: ClassVar[dict[str, Any]] = {"entries": MLNodeDistributionEntry, "weights": MLNodeWeight}

    creator: str
    poc_stage_start_block_height: int
    entries: Sequence[MLNodeDistributionEntry] = ()
    weights: Sequence[MLNodeWeight] = ()


@dataclass(frozen=True)
class MsgUpdateInferenceParams(Msg):
    """``/inference.inference.MsgUpdateParams``, the content of a parameter-change proposal.
    ``params`` is the encoded ``inference.inference.Params`` with ALL fields set."""

    TYPE_URL: ClassVar[str] = "/inference.inference.MsgUpdateParams"
    _KINDS: ClassVar[dict[str, str]] = {"params": _BYTES}

    authority: str
    params: bytes

    @classmethod
    def by_governance(cls, params: bytes) -> MsgUpdateInferenceParams:
        """The update with the gov module as authority, ready to go into a MsgSubmitProposal."""
        return cls(module_address("gov"), params)


# ------------------------------------------------------------------ collateral


@dataclass(frozen=True)
class MsgDepositCollateral(Msg):
    """Deposit collateral for a participant."""

    TYPE_URL: ClassVar[str] = "/inference.collateral.MsgDepositCollateral"
    _KINDS: ClassVar[dict[str, str]] = {"amount": _COIN}

    participant: str
    amount: Coin


@dataclass(frozen=True)
class MsgWithdrawCollateral(Msg):
    """Withdraw collateral (released after the unbonding epochs)."""

    TYPE_URL: ClassVar[str] = "/inference.collateral.MsgWithdrawCollateral"
    _KINDS: ClassVar[dict[str, str]] = {"amount": _COIN}

    participant: str
    amount: Coin


# ------------------------------------------------------------------ authz


@dataclass(frozen=True)
class GenericAuthorization(AnyPayload):
    """Permits every message of one type URL (an authz authorization)."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.GenericAuthorization"

    msg: str


Authorization = GenericAuthorization | RawMsg


@dataclass(frozen=True)
class MsgGrant(Msg):
    """Grant ``grantee`` an authorization to act for ``granter`` until ``expiration`` (None: never)."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.MsgGrant"
    _KINDS: ClassVar[dict[str, str]] = {"authorization": _ANY, "expiration": _TS}

    granter: str
    grantee: str
    authorization: Authorization
    expiration: TimestampLike | None = None

    def to_json(self) -> dict[str, Any]:
        fields = self._fields_json()
        grant = {"authorization": fields.pop("authorization"), "expiration": fields.pop("expiration")}
        return {"@type": self.TYPE_URL, **fields, "grant": grant}

    @classmethod
    def _from_fields(cls, data: dict[str, Any]) -> Msg:
        grant = data.get("grant") or {}
        flat = {k: v for k, v in data.items() if k != "grant"}
        flat.update({k: grant[k] for k in ("authorization", "expiration") if k in grant})
        return cls(**cls._fields_from_json(flat))


@dataclass(frozen=True)
class MsgExec(Msg):
    """The grantee executes ``msgs`` whose signer is the granter."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.MsgExec"
    _KINDS: ClassVar[dict[str, str]] = {"msgs": _ANYS}

    grantee: str
    msgs: Sequence[Msg]


@dataclass(frozen=True)
class MsgRevoke(Msg):
    """Revoke an authz grant."""

    TYPE_URL: ClassVar[str] = "/cosmos.authz.v1beta1.MsgRevoke"

    granter: str
    grantee: str
    msg_type_url: str


# ------------------------------------------------------------------ feegrant


@dataclass(frozen=True)
class BasicAllowance(AnyPayload):
    """A fee allowance: fees up to ``spend_limit`` (empty: unlimited) until ``expiration``."""

    TYPE_URL: ClassVar[str] = "/cosmos.feegrant.v1beta1.BasicAllowance"
    _KINDS: ClassVar[dict[str, str]] = {"spend_limit": _COINS, "expiration": _TS}

    spend_limit: Sequence[Coin] = ()
    expiration: TimestampLike | None = None


@dataclass(frozen=True)
class MsgGrantAllowance(Msg):
    """Let ``grantee`` pay fees from ``granter``'s account (``Fee.granter``)."""

    TYPE_URL: ClassVar[str] = "/cosmos.feegrant.v1beta1.MsgGrantAllowance"
    _KINDS: ClassVar[dict[str, str]] = {"allowance": _ANY}

    granter: str
    grantee: str
    allowance: BasicAllowance | RawMsg


@dataclass(frozen=True)
class MsgRevokeAllowance(Msg):
    """Revoke a fee allowance."""

    TYPE_URL: ClassVar[str] = "/cosmos.feegrant.v1beta1.MsgRevokeAllowance"

    granter: str
    grantee: str


# ------------------------------------------------------------------ staking


@dataclass(frozen=True)
class Description(_Json):
    moniker: str = ""
    identity: str = ""
    website: str = ""
    security_contact: str = ""
    details: str = ""

    def to_json(self) -> dict[str, Any]:
        return self._fields_json()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Description:
        return cls(**cls._fields_from_json(data))


_DEC = re.compile(r"^-?\d+(\.\d{0,18})?$")


def _canonical_dec(text: str) -> str:
    """``"0.1"`` -> ``"0.100000000000000000"`` (LegacyDec text); anything else is left for the
    encoder to reject with a clear error."""
    if not _DEC.match(text):
        return text
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac:0<18}"


@dataclass(frozen=True)
class CommissionRates(_Json):
    """Decimal text, e.g. ``"0.1"``; written with 18 fraction digits, scaled by 10**18 on the wire."""

    rate: str
    max_rate: str
    max_change_rate: str

    def __post_init__(self) -> None:
        for name in ("rate", "max_rate", "max_change_rate"):
            object.__setattr__(self, name, _canonical_dec(str(getattr(self, name))))

    def to_json(self) -> dict[str, Any]:
        return self._fields_json()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CommissionRates:
        return cls(**cls._fields_from_json(data))


@dataclass(frozen=True)
class Ed25519PubKey(AnyPayload):
    """A 32-byte ed25519 consensus public key."""

    TYPE_URL: ClassVar[str] = "/cosmos.crypto.ed25519.PubKey"
    _KINDS: ClassVar[dict[str, str]] = {"key": _BYTES}

    key: bytes


@dataclass(frozen=True)
class MsgCreateValidator(Msg):
    """Create a validator (what a gentx carries)."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgCreateValidator"
    _KINDS: ClassVar[dict[str, str]] = {
        "description": _OBJ,
        "commission": _OBJ,
        "min_self_delegation": _INT,
        "pubkey": _ANY,
        "value": _COIN,
    }
    _OBJ_TYPES: ClassVar[dict[str, Any]] = {"description": Description, "commission": CommissionRates}

    description: Description
    commission: CommissionRates
    min_self_delegation: int
    validator_address: str
    pubkey: Ed25519PubKey | RawMsg
    value: Coin
    delegator_address: str = field(default="")
