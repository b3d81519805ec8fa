"""Every message: its encoding equals an independent protobuf encoder's (cosmpy's generated types for
the Cosmos modules; descriptors built here from the protocol spec's field tables for the Gonka
modules), and it decodes back to the same typed object."""

from __future__ import annotations

import base64
import dataclasses
import inspect
from typing import Any

import pytest
from gonka.errors import InvalidAddress, InvalidInput
from gonka.tx import (
    ML_OPS_MSG_TYPES,
    BasicAllowance,
    Coin,
    CommissionRates,
    Description,
    Ed25519PubKey,
    GenericAuthorization,
    Msg,
    MsgClaimRewards,
    MsgCreateValidator,
    MsgDeposit,
    MsgDepositCollateral,
    MsgExec,
    MsgGrant,
    MsgGrantAllowance,
    MsgRevoke,
    MsgRevokeAllowance,
    MsgSend,
    MsgSubmitNewParticipant,
    MsgSubmitPocBatch,
    MsgSubmitPocValidation,
    MsgSubmitProposal,
    MsgSubmitSeed,
    MsgUnjail,
    MsgUpdateInferenceParams,
    MsgVote,
    MsgVoteV1Beta1,
    MsgVoteWeighted,
    MsgWithdrawCollateral,
    RawMsg,
    Timestamp,
    VoteOption,
    WeightedVoteOption,
    grant_ml_ops_messages,
    module_address,
)
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

COLD = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
WARM = "gonka18hpy9tjeqavj9w66zchdh4w9axaqwdzrd8cedz"
VALOPER = "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5"
GOV = "gonka10d07y265gmmuvt4z0w9aw880jnsr700j2h5m33"  # the gov module account
CONSENSUS_KEY = base64.b64decode("OPwcpfQYOoWDuHKYivRVq5jxrELH0moP5qdznvj3Dps=")
EXPIRY = Timestamp(1787380304, 143457000)
SEED_SIG = "11" * 64


def _any(type_url: str, value: bytes) -> any_pb2.Any:
    return any_pb2.Any(type_url=type_url, value=value)


def _ts(ts: Timestamp) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=ts.seconds, nanos=ts.nanos)


def _coin(denom: str, amount: str) -> Any:
    from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin as PbCoin

    return PbCoin(denom=denom, amount=amount)


def _cosmos_cases() -> list[tuple[Msg, Any]]:
    from cosmpy.protos.cosmos.authz.v1beta1 import authz_pb2
    from cosmpy.protos.cosmos.authz.v1beta1 import tx_pb2 as authz_tx
    from cosmpy.protos.cosmos.feegrant.v1beta1 import feegrant_pb2
    from cosmpy.protos.cosmos.feegrant.v1beta1 import tx_pb2 as feegrant_tx
    from cosmpy.protos.cosmos.gov.v1 import gov_pb2
    from cosmpy.protos.cosmos.gov.v1 import tx_pb2 as gov_tx
    from cosmpy.protos.cosmos.gov.v1beta1 import tx_pb2 as gov_beta_tx
    from cosmpy.protos.cosmos.slashing.v1beta1 import tx_pb2 as slashing_tx
    from cosmpy.protos.cosmos.staking.v1beta1 import staking_pb2
    from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx

    vote_beta = MsgVoteV1Beta1(7, COLD, "no_with_veto")
    update = MsgUpdateInferenceParams(GOV, b"\x0a\x02\x08\x01")
    basic = BasicAllowance([Coin("ngonka", 10_000_000_000)], EXPIRY)
    return [
        (
            MsgSend(COLD, WARM, [Coin("ngonka", 5), Coin("ugonka", 7)]),
            __import__("cosmpy.protos.cosmos.bank.v1beta1.tx_pb2", fromlist=["MsgSend"]).MsgSend(
                from_address=COLD, to_address=WARM, amount=[_coin("ngonka", "5"), _coin("ugonka", "7")]
            ),
        ),
        (
            MsgVote(3, COLD, "abstain", "why"),
            gov_tx.MsgVote(proposal_id=3, voter=COLD, option=2, metadata="why"),
        ),
        (vote_beta, gov_beta_tx.MsgVote(proposal_id=7, voter=COLD, option=4)),
        (
            MsgVoteWeighted(
                9, COLD, [WeightedVoteOption("yes", "0.7"), WeightedVoteOption("no", "0.300000000000000000")]
            ),
            gov_tx.MsgVoteWeighted(
                proposal_id=9,
                voter=COLD,
                options=[
                    gov_pb2.WeightedVoteOption(option=1, weight="0.7"),
                    gov_pb2.WeightedVoteOption(option=3, weight="0.300000000000000000"),
                ],
            ),
        ),
        (
            MsgSubmitProposal(
                [update], COLD, [Coin("ngonka", 25_000_000)], "ipfs://x", "Raise", "Raise a param", True
            ),
            gov_tx.MsgSubmitProposal(
                messages=[_any(update.TYPE_URL, update.encode())],
                initial_deposit=[_coin("ngonka", "25000000")],
                proposer=COLD,
                metadata="ipfs://x",
                title="Raise",
                summary="Raise a param",
                expedited=True,
            ),
        ),
        (
            MsgDeposit(3, COLD, [Coin("ngonka", 1)]),
            gov_tx.MsgDeposit(proposal_id=3, depositor=COLD, amount=[_coin("ngonka", "1")]),
        ),
        (MsgUnjail(VALOPER), slashing_tx.MsgUnjail(validator_addr=VALOPER)),
        (
            MsgGrant(COLD, WARM, GenericAuthorization("/inference.inference.MsgClaimRewards"), EXPIRY),
            authz_tx.MsgGrant(
                granter=COLD,
                grantee=WARM,
                grant=authz_pb2.Grant(
                    authorization=_any(
                        "/cosmos.authz.v1beta1.GenericAuthorization",
                        authz_pb2.GenericAuthorization(
                            msg="/inference.inference.MsgClaimRewards"
                        ).SerializeToString(),
                    ),
                    expiration=_ts(EXPIRY),
                ),
            ),
        ),
        (
            MsgExec(WARM, [vote_beta]),
            authz_tx.MsgExec(grantee=WARM, msgs=[_any(vote_beta.TYPE_URL, vote_beta.encode())]),
        ),
        (
            MsgRevoke(COLD, WARM, "/cosmos.gov.v1beta1.MsgVote"),
            authz_tx.MsgRevoke(granter=COLD, grantee=WARM, msg_type_url="/cosmos.gov.v1beta1.MsgVote"),
        ),
        (
            MsgGrantAllowance(COLD, WARM, basic),
            feegrant_tx.MsgGrantAllowance(
                granter=COLD,
                grantee=WARM,
                allowance=_any(
                    basic.TYPE_URL,
                    feegrant_pb2.BasicAllowance(
                        spend_limit=[_coin("ngonka", "10000000000")], expiration=_ts(EXPIRY)
                    ).SerializeToString(),
                ),
            ),
        ),
        (MsgRevokeAllowance(COLD, WARM), feegrant_tx.MsgRevokeAllowance(granter=COLD, grantee=WARM)),
        (
            MsgCreateValidator(
                Description("gonka-1", website="https://gonka.ai"),
                CommissionRates("0.1", "0.2", "0.01"),
                1,
                VALOPER,
                Ed25519PubKey(CONSENSUS_KEY),
                Coin("ngonka", 1),
            ),
            staking_tx.MsgCreateValidator(
                description=staking_pb2.Description(moniker="gonka-1", website="https://gonka.ai"),
                # LegacyDec customtype: the decimal scaled by 10^18 on the wire
                commission=staking_pb2.CommissionRates(
                    rate="100000000000000000",
                    max_rate="200000000000000000",
                    max_change_rate="10000000000000000",
                ),
                min_self_delegation="1",
                validator_address=VALOPER,
                pubkey=_any("/cosmos.crypto.ed25519.PubKey", b"\x0a\x20" + CONSENSUS_KEY),
                value=_coin("ngonka", "1"),
            ),
        ),
    ]


def _gonka_classes() -> dict[str, Any]:
    """Message classes for the Gonka modules, declared here from the spec's field tables."""
    T = descriptor_pb2.FieldDescriptorProto
    S, I64, U64, DBL, BOOL, MSG = (
        T.TYPE_STRING,
        T.TYPE_INT64,
        T.TYPE_UINT64,
        T.TYPE_DOUBLE,
        T.TYPE_BOOL,
        T.TYPE_MESSAGE,
    )
    REP = T.LABEL_REPEATED
    tables: dict[str, dict[str, list[tuple[str, int, int, int]]]] = {
        "inference.inference": {
            "MsgSubmitNewParticipant": [
                ("creator", 1, S, 0),
                ("url", 2, S, 0),
                ("validator_key", 3, S, 0),
                ("worker_key", 4, S, 0),
            ],
            "MsgClaimRewards": [("creator", 1, S, 0), ("seed", 2, I64, 0), ("epoch_index", 3, U64, 0)],
            "MsgSubmitSeed": [("creator", 1, S, 0), ("epoch_index", 2, U64, 0), ("signature", 3, S, 0)],
            "MsgSubmitPocBatch": [
                ("creator", 1, S, 0),
                ("poc_stage_start_block_height", 2, I64, 0),
                ("batch_id", 3, S, 0),
                ("nonces", 4, I64, REP),
                ("dist", 5, DBL, REP),
                ("node_id", 6, S, 0),
            ],
            "MsgSubmitPocValidation": [
                ("creator", 1, S, 0),
                ("participant_address", 2, S, 0),
                ("poc_stage_start_block_height", 3, I64, 0),
                ("nonces", 4, I64, REP),
                ("dist", 5, DBL, REP),
                ("received_dist", 6, DBL, REP),
                ("r_target", 7, DBL, 0),
                ("fraud_threshold", 8, DBL, 0),
                ("n_invalid", 9, I64, 0),
                ("probability_honest", 10, DBL, 0),
                ("fraud_detected", 11, BOOL, 0),
            ],
            "MsgUpdateParams": [("authority", 1, S, 0), ("params", 2, T.TYPE_BYTES, 0)],
        },
        "inference.collateral": {
            "MsgDepositCollateral": [("participant", 1, S, 0), ("amount", 2, MSG, 0)],
            "MsgWithdrawCollateral": [("participant", 1, S, 0), ("amount", 2, MSG, 0)],
        },
    }
    pool = descriptor_pool.DescriptorPool()
    coin_file = descriptor_pb2.FileDescriptorProto(
        name="spec_coin.proto", package="spec.coin", syntax="proto3"
    )
    coin = coin_file.message_type.add(name="Coin")
    coin.field.add(name="denom", number=1, type=S, label=T.LABEL_OPTIONAL)
    coin.field.add(name="amount", number=2, type=S, label=T.LABEL_OPTIONAL)
    pool.Add(coin_file)
    classes = {}
    for package, messages in tables.items():
        file = descriptor_pb2.FileDescriptorProto(
            name=f"spec_{package}.proto", package=package, syntax="proto3", dependency=["spec_coin.proto"]
        )
        for name, fields in messages.items():
            msg = file.message_type.add(name=name)
            for field, number, kind, label in fields:
                f = msg.field.add(name=field, number=number, type=kind, label=label or T.LABEL_OPTIONAL)
                if kind == MSG:
                    f.type_name = ".spec.coin.Coin"
        pool.Add(file)
        for name in messages:
            classes[f"/{package}.{name}"] = message_factory.GetMessageClass(
                pool.FindMessageTypeByName(f"{package}.{name}")
            )
    classes["coin"] = message_factory.GetMessageClass(pool.FindMessageTypeByName("spec.coin.Coin"))
    return classes


def _gonka_cases() -> list[tuple[Msg, Any]]:
    c = _gonka_classes()
    coin = c["coin"](denom="ngonka", amount="1000")
    return [
        (
            MsgSubmitNewParticipant(
                COLD, "http://node1.gonka.ai:8000", base64.b64encode(CONSENSUS_KEY).decode()
            ),
            c["/inference.inference.MsgSubmitNewParticipant"](
                creator=COLD,
                url="http://node1.gonka.ai:8000",
                validator_key=base64.b64encode(CONSENSUS_KEY).decode(),
            ),
        ),
        (
            MsgClaimRewards(COLD, -7952041935070796118, 42),
            c["/inference.inference.MsgClaimRewards"](
                creator=COLD, seed=-7952041935070796118, epoch_index=42
            ),
        ),
        (
            MsgSubmitSeed(COLD, 43, SEED_SIG),
            c["/inference.inference.MsgSubmitSeed"](creator=COLD, epoch_index=43, signature=SEED_SIG),
        ),
        (
            MsgSubmitPocBatch(WARM, 123456, "b-1", [1, -2, 2**40], [0.5, 1e-9, 3.0], "node-a"),
            c["/inference.inference.MsgSubmitPocBatch"](
                creator=WARM,
                poc_stage_start_block_height=123456,
                batch_id="b-1",
                nonces=[1, -2, 2**40],
                dist=[0.5, 1e-9, 3.0],
                node_id="node-a",
            ),
        ),
        (
            MsgSubmitPocValidation(WARM, COLD, 99, [5, 6], [0.1, 0.2], [0.1, 0.25], 1.4, 0.01, 1, 0.97, True),
            c["/inference.inference.MsgSubmitPocValidation"](
                creator=WARM,
                participant_address=COLD,
                poc_stage_start_block_height=99,
                nonces=[5, 6],
                dist=[0.1, 0.2],
                received_dist=[0.1, 0.25],
                r_target=1.4,
                fraud_threshold=0.01,
                n_invalid=1,
                probability_honest=0.97,
                fraud_detected=True,
            ),
        ),
        (
            MsgUpdateInferenceParams(GOV, b"\x0a\x03\x08\x96\x01"),
            c["/inference.inference.MsgUpdateParams"](authority=GOV, params=b"\x0a\x03\x08\x96\x01"),
        ),
        (
            MsgDepositCollateral(COLD, Coin("ngonka", 1000)),
            c["/inference.collateral.MsgDepositCollateral"](participant=COLD, amount=coin),
        ),
        (
            MsgWithdrawCollateral(COLD, Coin("ngonka", 1000)),
            c["/inference.collateral.MsgWithdrawCollateral"](participant=COLD, amount=coin),
        ),
    ]


@pytest.mark.parametrize("case", range(13))
def test_cosmos_messages_match_cosmpy_encoding(case: int) -> None:
    ours, theirs = _cosmos_cases()[case]
    assert ours.encode() == theirs.SerializeToString(deterministic=True)
    assert Msg.decode(ours.type_url, ours.encode()) == ours
    assert Msg.from_json(ours.to_json()) == ours


@pytest.mark.parametrize("case", range(8))
def test_gonka_messages_match_the_spec_field_numbers(case: int) -> None:
    ours, theirs = _gonka_cases()[case]
    assert ours.type_url == "/" + theirs.DESCRIPTOR.full_name
    assert ours.encode() == theirs.SerializeToString(deterministic=True)
    assert Msg.decode(ours.type_url, ours.encode()) == ours
    assert Msg.from_json(ours.to_json()) == ours


def test_participant_updates_send_only_what_changes() -> None:
    rotate = MsgSubmitNewParticipant(COLD, validator_key=base64.b64encode(CONSENSUS_KEY).decode())
    assert Msg.decode(rotate.type_url, rotate.encode()) == rotate
    move = MsgSubmitNewParticipant(COLD, url="https://new.example:8000")
    assert b"https://new.example:8000" in move.encode() and len(move.encode()) < 90
    worker = MsgSubmitNewParticipant(COLD, worker_key="AlgZo2HIamSgGXa27OzaqjKRJk/iGFlfBKdjMqJadtUS")
    assert Msg.decode(worker.type_url, worker.encode()) == worker
    with pytest.raises(InvalidInput, match="validator_key"):
        MsgSubmitNewParticipant(COLD, validator_key="not-base64!")
    with pytest.raises(InvalidInput, match="url"):
        MsgSubmitNewParticipant(COLD, url="ftp://x")


def test_unknown_types_pass_through_raw() -> None:
    raw = RawMsg("/inference.inference.MsgStartInference", b"\x0a\x01x")
    assert Msg.decode(raw.type_url, raw.encode()) == raw
    assert Msg.from_json(raw.to_json()) == raw
    wrapped = MsgExec(WARM, [raw])
    assert Msg.decode(wrapped.type_url, wrapped.encode()) == wrapped


def test_grant_ml_ops_permission_sets() -> None:
    launch = grant_ml_ops_messages(COLD, WARM, permissions="launch", expiration=EXPIRY)
    assert len(launch) == 25 and all(isinstance(m, MsgGrant) for m in launch)
    assert [m.authorization.msg for m in launch] == list(ML_OPS_MSG_TYPES["launch"])  # type: ignore[attr-defined]
    later = grant_ml_ops_messages(COLD, WARM, expiration=EXPIRY)
    assert len(later) == 21 and isinstance(later[-1], MsgGrantAllowance)
    assert later[-1].allowance == BasicAllowance([Coin("ngonka", 10_000_000_000)], EXPIRY)  # type: ignore[attr-defined]
    assert len(grant_ml_ops_messages(COLD, WARM, expiration=EXPIRY, fee_allowance=False)) == 20
    assert "/inference.inference.MsgSubmitPocValidationsV2" in ML_OPS_MSG_TYPES["v0.2.13"]
    default = grant_ml_ops_messages(COLD, WARM)
    year = (
        default[0].expiration.seconds
        - Timestamp.from_datetime(
            __import__("datetime").datetime.now(__import__("datetime").timezone.utc)
        ).seconds
    )  # type: ignore[attr-defined]
    assert abs(year - 365 * 86400) < 60
    with pytest.raises(InvalidInput, match="permission set"):
        grant_ml_ops_messages(COLD, WARM, permissions="v9")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "error", "text"),
    [
        (lambda: MsgUnjail(COLD), InvalidAddress, "gonkavaloper"),
        (
            lambda: MsgVoteWeighted(
                1, COLD, [WeightedVoteOption("yes", "0.5"), WeightedVoteOption("no", "0.4")]
            ),
            InvalidInput,
            "sum to 1",
        ),
        (lambda: MsgVoteWeighted(1, COLD, [WeightedVoteOption("yes", "x")]), InvalidInput, "decimal"),
        (lambda: MsgClaimRewards("bad", 1, 1), InvalidAddress, "creator"),
        (lambda: MsgSubmitSeed(COLD, 1, "ABCD"), InvalidInput, "signature"),
        (lambda: MsgSubmitPocBatch(COLD, 1, "b", [1, 2], [0.1], ""), InvalidInput, "distances"),
        (lambda: MsgSubmitPocBatch(COLD, 1, "b", [1], [float("nan")], ""), InvalidInput, "finite"),
        (lambda: MsgGrant(COLD, "x", GenericAuthorization("/a.B")), InvalidAddress, "grantee"),
        (lambda: MsgGrant(COLD, WARM, GenericAuthorization("nope")), InvalidInput, "type URL"),
        (lambda: MsgExec(WARM, []), InvalidInput, "at least one"),
        (
            lambda: MsgCreateValidator(
                Description(),
                CommissionRates("0.1x", "0.2", "0.01"),
                1,
                VALOPER,
                Ed25519PubKey(CONSENSUS_KEY),
                Coin("ngonka", 1),
            ),
            InvalidInput,
            "decimal",
        ),
        (
            lambda: MsgCreateValidator(
                Description(),
                CommissionRates("0.1", "0.2", "0.01"),
                1,
                VALOPER,
                Ed25519PubKey(b"short"),
                Coin("ngonka", 1),
            ),
            InvalidInput,
            "32 bytes",
        ),
        (lambda: MsgDepositCollateral(COLD, Coin("ngonka", 0)), InvalidInput, "positive"),
        (lambda: RawMsg("noslash", b""), InvalidInput, "type URL"),
        (lambda: Msg.from_json({"@type": "/x.Unknown"}), InvalidInput, "value"),
    ],
)
def test_bad_messages_raise_clear_errors(build: Any, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        build()


def test_parameter_change_proposal_has_the_gov_module_as_authority() -> None:
    update = MsgUpdateInferenceParams.by_governance(b"\x0a\x02\x08\x01")
    assert update.authority == GOV == module_address("gov")
    proposal = MsgSubmitProposal([update], COLD, [Coin("ngonka", 25_000_000)], title="t", summary="s")
    assert Msg.decode(proposal.type_url, proposal.encode()) == proposal


@pytest.mark.parametrize("cls", [MsgSend, MsgVote, MsgSubmitPocBatch, MsgCreateValidator, Description])
def test_generated_constructors_take_the_dataclass_fields(cls: Any) -> None:
    parameters = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in parameters] == [f.name for f in fields]
    for parameter, field in zip(parameters, fields, strict=True):
        expected = inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
        assert parameter.default == expected
    # Python's own errors for wrong arguments, naming the class.
    if fields[0].default is dataclasses.MISSING:
        with pytest.raises(TypeError, match=rf"{cls.__name__}.__init__\(\) missing"):
            cls()
    with pytest.raises(TypeError, match="unexpected keyword argument 'unknown'"):
        cls(unknown=1)


def test_constructors_store_normalized_values() -> None:
    send = MsgSend(COLD, WARM, [Coin("ngonka", 5)])
    # A list is kept as a tuple and the option names its enum member; the encoding is stored with them.
    assert send.amount == (Coin("ngonka", 5),) and type(send.amount) is tuple
    vote = MsgVote(7, COLD, "no_with_veto")
    assert vote.option is VoteOption.NO_WITH_VETO and vote.metadata == ""
    assert vars(vote) == {
        "proposal_id": 7,
        "voter": COLD,
        "option": VoteOption.NO_WITH_VETO,
        "metadata": "",
        "_any": (vote.type_url, vote.encode()),
    }
    assert dataclasses.replace(vote, option="yes").option is VoteOption.YES


def test_a_dataclass_subclass_is_still_checked_and_encoded() -> None:
    @dataclasses.dataclass(frozen=True)
    class TaggedSend(MsgSend):
        tag: str = "t"

    tagged = TaggedSend(COLD, WARM, [Coin("ngonka", 5)], tag="x")
    assert tagged.encode() == MsgSend(COLD, WARM, [Coin("ngonka", 5)]).encode()
    assert tagged.amount == (Coin("ngonka", 5),) and tagged.tag == "x"
    with pytest.raises(InvalidAddress, match="to_address"):
        TaggedSend(COLD, "gonka1bad", [Coin("ngonka", 5)])
