"""gonka.tx: building, signing, hashing and decoding transactions, byte-identical with cosmpy."""

from __future__ import annotations

import hashlib
import time

import pytest
from gonka.errors import GonkaError, InvalidAddress, InvalidInput, InvalidSignature
from gonka.keys import PrivateKey
from gonka.tx import (
    Coin,
    MsgSend,
    MsgVote,
    Timestamp,
    Tx,
    VoteOption,
    decode_tx,
    tx_hash,
)

SECRET = hashlib.sha256(b"gonka-spec-test-key").digest()
ADDRESS = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
OTHER = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
CHAIN = "gonka-mainnet"


@pytest.fixture(scope="module")
def key() -> PrivateKey:
    return PrivateKey.from_bytes(SECRET)


def _send_tx(memo: str = "m") -> Tx:
    return Tx(
        [MsgSend(from_address=ADDRESS, to_address=OTHER, amount=[Coin("ngonka", 1000)])],
        memo=memo,
        gas_limit=200000,
        fee=[Coin("ngonka", 2000)],
    )


def _cosmpy_raw(msg: object, memo: str, fee: str, gas: int, account: int, sequence: int) -> bytes:
    from cosmpy.aerial.tx import SigningCfg, Transaction, TxFee
    from cosmpy.crypto.keypairs import PrivateKey as CosmpyKey

    cosmpy_key = CosmpyKey(SECRET)
    tx = Transaction()
    tx.add_message(msg)
    tx.seal(
        SigningCfg.direct(cosmpy_key.public_key, sequence),
        fee=TxFee(amount=fee, gas_limit=gas),
        memo=memo,
    )
    tx.sign(cosmpy_key, CHAIN, account, deterministic=True)
    tx.complete()
    return bytes(tx.tx.SerializeToString())


def test_issue_example_signs_to_txraw(key: PrivateKey) -> None:
    tx = _send_tx()
    raw = tx.sign(key, chain_id=CHAIN, account_number=7, sequence=3)
    decoded = decode_tx(raw)
    assert decoded.messages == tx.messages
    assert decoded.memo == "m"
    assert decoded.fee == (Coin("ngonka", 2000),)
    assert decoded.gas_limit == 200000
    assert decoded.signers[0].public_key == key.public_key.compressed
    assert decoded.signers[0].sequence == 3
    assert decoded.body_bytes == tx.body_bytes()
    assert decoded.auth_info_bytes == tx.auth_info_bytes(key.public_key, 3)
    decoded.verify(CHAIN, 7)
    with pytest.raises(InvalidSignature):
        decoded.verify(CHAIN, 8)
    assert tx_hash(raw) == hashlib.sha256(raw).hexdigest().upper()


def test_msg_send_is_byte_identical_with_cosmpy(key: PrivateKey) -> None:
    from cosmpy.protos.cosmos.bank.v1beta1.tx_pb2 import MsgSend as CosmpyMsgSend
    from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin as CosmpyCoin

    theirs = _cosmpy_raw(
        CosmpyMsgSend(
            from_address=ADDRESS, to_address=OTHER, amount=[CosmpyCoin(denom="ngonka", amount="1000")]
        ),
        memo="m",
        fee="2000ngonka",
        gas=200000,
        account=7,
        sequence=3,
    )
    ours = _send_tx().sign(key, chain_id=CHAIN, account_number=7, sequence=3)
    assert ours == theirs


@pytest.mark.parametrize("option", ["yes", "no", "no_with_veto", "abstain"])
def test_msg_vote_is_byte_identical_with_cosmpy(key: PrivateKey, option: str) -> None:
    from cosmpy.protos.cosmos.gov.v1.tx_pb2 import MsgVote as CosmpyMsgVote

    number = VoteOption.parse(option).value
    theirs = _cosmpy_raw(
        CosmpyMsgVote(proposal_id=42, voter=ADDRESS, option=number),
        memo="vote",
        fee="200000ngonka",
        gas=2000000,
        account=12345,
        sequence=17,
    )
    tx = Tx(
        [MsgVote(proposal_id=42, voter=ADDRESS, option=option)],
        memo="vote",
        gas_limit=2000000,
        fee=[Coin("ngonka", 200000)],
    )
    assert tx.sign(key, CHAIN, 12345, 17) == theirs


def test_signing_with_raw_secret_matches_the_key_object(key: PrivateKey) -> None:
    tx = _send_tx()
    assert tx.sign(SECRET, CHAIN, 7, 3) == tx.sign(key, CHAIN, 7, 3)


def test_precomputed_signature_gives_the_same_tx(key: PrivateKey) -> None:
    tx = _send_tx()
    doc = tx.sign_doc_bytes(key.public_key, CHAIN, 7, 3)
    signature = key.sign(doc)
    assert tx.with_signature(key.public_key.compressed, signature, 3) == tx.sign(key, CHAIN, 7, 3)
    with pytest.raises(InvalidSignature):
        tx.with_signature(key.public_key, signature[:63], 3)


def test_unordered_tx_is_signed_with_sequence_zero(key: PrivateKey) -> None:
    tx = Tx([MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1)])], unordered=True)
    assert tx.timeout_timestamp is not None
    ahead = tx.timeout_timestamp.unix_nanos - time.time_ns()
    assert 50e9 < ahead <= 60e9
    decoded = decode_tx(tx.sign(key, CHAIN, 12345))
    assert decoded.unordered and decoded.signers[0].sequence == 0
    assert decoded.timeout_timestamp == tx.timeout_timestamp
    with pytest.raises(InvalidInput, match="sequence 0"):
        tx.sign(key, CHAIN, 12345, sequence=1)


def test_unordered_timeouts_are_unique() -> None:
    txs = [Tx([MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1)])], unordered=True) for _ in range(50)]
    stamps = [t.timeout_timestamp for t in txs]
    assert len(set(stamps)) == len(stamps)


def test_unordered_timeout_stays_within_its_ttl_after_a_longer_one(key: PrivateKey) -> None:
    msg = MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1)])
    Tx([msg], unordered=True, ttl=600)
    short = Tx([msg], unordered=True, ttl=30)
    assert short.timeout_timestamp is not None
    ahead = short.timeout_timestamp.unix_nanos / 1e9 - time.time()
    assert 25 < ahead <= 30
    short.sign(key, CHAIN, 1)  # within the chain's 10-minute window


def test_unordered_timeout_bounds(key: PrivateKey) -> None:
    msg = MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1)])
    now = time.time_ns()
    too_far = Tx([msg], unordered=True, timeout_timestamp=Timestamp.from_unix_nanos(now + 601 * 10**9))
    with pytest.raises(InvalidInput, match="ahead"):
        too_far.sign(key, CHAIN, 1)
    past = Tx([msg], unordered=True, timeout_timestamp=Timestamp.from_unix_nanos(now - 10**9))
    with pytest.raises(InvalidInput, match="future"):
        past.sign(key, CHAIN, 1)
    with pytest.raises(InvalidInput, match="ttl"):
        Tx([msg], unordered=True, ttl=601)
    with pytest.raises(InvalidInput, match="timeout_height"):
        Tx([msg], unordered=True, timeout_height=5)


@pytest.mark.parametrize(
    ("build", "error", "text"),
    [
        (lambda: MsgSend("gonka1xyz", OTHER, [Coin("ngonka", 1)]), InvalidAddress, "from_address"),
        (
            lambda: MsgSend(ADDRESS, "cosmos1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le", [Coin("ngonka", 1)]),
            InvalidAddress,
            "to_address",
        ),
        (lambda: Coin("ngonka", -5), InvalidInput, "negative"),
        (lambda: Coin("", 5), InvalidInput, "empty"),
        (lambda: Coin("ngonka", 2**256), InvalidInput, "256-bit"),
        (lambda: Coin("ngonka", 1.5), InvalidInput, "int"),
        (lambda: MsgSend(ADDRESS, OTHER, []), InvalidInput, "at least one coin"),
        (lambda: MsgSend(ADDRESS, OTHER, [Coin("ngonka", 0)]), InvalidInput, "positive"),
        (lambda: MsgVote(1, ADDRESS, "maybe"), InvalidInput, "vote option"),
        (lambda: MsgVote(1, ADDRESS, 9), InvalidInput, "vote option"),
        (lambda: Tx([]), InvalidInput, "at least one message"),
        (
            lambda: Tx([MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1)])], granter="nope"),
            InvalidAddress,
            "granter",
        ),
        (lambda: Tx([MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1)])], gas_limit=-1), InvalidInput, "gas_limit"),
    ],
)
def test_bad_input_raises_clear_errors(build: object, error: type[GonkaError], text: str) -> None:
    with pytest.raises(error, match=text):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("build", "text"),
    [
        (lambda: MsgSend(ADDRESS, OTHER, ["1000ngonka"]), r"amount\[0\] must be a Coin, got '1000ngonka'"),
        (
            lambda: MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1), ("ngonka", 2)]),
            r"amount\[1\] must be a Coin",
        ),
        (lambda: Tx([_send_tx().messages[0]], fee=[{"denom": "ngonka"}]), r"fee\[0\] must be a Coin"),
        (lambda: Coin("ngonka", True), "must be an int, got True"),
        (lambda: Coin(5, 5), "denom must be a str, got int"),
        (lambda: Coin("ngonka", "5"), "must be an int, got '5'"),
    ],
)
def test_coins_must_be_coins(build: object, text: str) -> None:
    with pytest.raises(InvalidInput, match=text):
        build()  # type: ignore[operator]


def test_coin_is_an_immutable_value() -> None:
    import copy
    import pickle

    coin = Coin("ngonka", 1000)
    assert (coin.denom, coin.amount, str(coin), repr(coin)) == (
        "ngonka",
        1000,
        "1000ngonka",
        "Coin(denom='ngonka', amount=1000)",
    )
    assert coin == Coin("ngonka", 1000) and hash(coin) == hash(Coin("ngonka", 1000))
    assert coin != Coin("ngonka", 1001) and coin != Coin("ugonka", 1000)
    assert coin != ("ngonka", 1000) and len({coin, Coin("ngonka", 1000), Coin("ngonka", 7)}) == 2
    for clone in (pickle.loads(pickle.dumps(coin)), copy.deepcopy(coin), copy.copy(coin)):
        assert clone == coin and type(clone) is Coin
    big = Coin("ngonka", 2**256 - 1)
    assert big.amount == 2**256 - 1 and Coin.from_json(big.to_json()) == big
    with pytest.raises(AttributeError):
        coin.amount = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        coin.extra = 5  # type: ignore[attr-defined]


def test_empty_chain_id_is_rejected(key: PrivateKey) -> None:
    with pytest.raises(InvalidInput, match="chain_id"):
        _send_tx().sign(key, "", 7, 3)


class _CoincurveSigner:
    """An outside signer (libsecp256k1 through coincurve), as a hardware wallet would plug in."""

    def __init__(self, secret: bytes) -> None:
        import coincurve

        self._key = coincurve.PrivateKey(secret)

    @property
    def public_key(self) -> _CoincurveSigner:
        return self

    @property
    def compressed(self) -> bytes:
        return bytes(self._key.public_key.format(compressed=True))

    def sign(self, message: bytes) -> bytes:
        return bytes(self._key.sign_recoverable(message, hasher=lambda m: hashlib.sha256(m).digest())[:64])


def test_any_signer_object_can_sign(key: PrivateKey) -> None:
    tx = _send_tx()
    assert tx.sign(_CoincurveSigner(SECRET), CHAIN, 7, 3) == tx.sign(key, CHAIN, 7, 3)


def test_fee_granter_and_payer_are_encoded(key: PrivateKey) -> None:
    tx = Tx(
        [MsgSend(ADDRESS, OTHER, [Coin("ngonka", 1)])],
        fee=[Coin("ngonka", 10)],
        gas_limit=123,
        granter=OTHER,
        payer=ADDRESS,
        timeout_height=99,
    )
    decoded = decode_tx(tx.sign(key, CHAIN, 1, 1))
    assert (decoded.granter, decoded.payer, decoded.gas_limit, decoded.timeout_height) == (
        OTHER,
        ADDRESS,
        123,
        99,
    )
    assert decoded.json["auth_info"]["fee"]["granter"] == OTHER


def test_unjail_for_account() -> None:
    from gonka.tx import MsgUnjail

    assert (
        MsgUnjail.for_account(OTHER).validator_addr == "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5"
    )


def test_tx_is_read_only() -> None:
    tx = _send_tx()
    with pytest.raises(AttributeError):
        tx.memo = "changed"  # type: ignore[misc]
    assert tx.memo == "m" and decode_tx(tx.sign(SECRET, CHAIN, 1, 1)).memo == "m"
