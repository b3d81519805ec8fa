"""The transaction builder (:class:`Tx`), SIGN_MODE_DIRECT signing, hashing and decoding."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from gonka import _native
from gonka.errors import InvalidInput
from gonka.keys import PrivateKey
from gonka.tx.messages import Msg
from gonka.tx.values import Coin, Timestamp, TimestampLike

__all__ = [
    "DEFAULT_UNORDERED_TTL",
    "MAX_UNORDERED_TTL",
    "DecodedTx",
    "SignerInfo",
    "Tx",
    "decode_tx",
    "encode_json_tx",
    "tx_hash",
    "unique_timeout",
]

#: Seconds an unordered transaction stays valid by default (the docs' ``--timeout-duration=60s``).
DEFAULT_UNORDERED_TTL = 60.0
#: The chain rejects unordered transactions whose timeout is further ahead (seconds).
MAX_UNORDERED_TTL = 600.0


class PublicKeyLike(Protocol):
    @property
    def compressed(self) -> bytes: ...


class Signer(Protocol):
    """What :meth:`Tx.sign` needs of a key: ``gonka.keys.PrivateKey``, a hardware wallet, ..."""

    @property
    def public_key(self) -> PublicKeyLike: ...

    def sign(self, message: bytes) -> bytes:
        """The 64-byte low-S ``r || s`` ECDSA signature of SHA-256(message)."""
        ...


_clock_lock = threading.Lock()
# Timeouts handed out that have not passed yet; older ones can no longer collide on chain.
_issued_timeouts_ns: set[int] = set()


def unique_timeout(ttl: float = DEFAULT_UNORDERED_TTL) -> Timestamp:
    """now + ``ttl`` seconds, different from every live timeout this process handed out before.

    The chain remembers (signer, timeout) of unordered transactions, so two of them from one
    signer need different timeouts; a nanosecond apart is enough. A collision moves the timeout
    by nanoseconds, never past the requested ttl by more than that (a strictly increasing clock
    would push a short ttl beyond an earlier long one, and past the chain's 10-minute limit).
    """
    if not 0 < ttl <= MAX_UNORDERED_TTL:
        raise InvalidInput(f"unordered ttl must be in (0, {MAX_UNORDERED_TTL:g}] seconds, got {ttl}")
    with _clock_lock:
        now = time.time_ns()
        _issued_timeouts_ns.difference_update([t for t in _issued_timeouts_ns if t <= now])
        candidate = now + int(ttl * 1e9)
        while candidate in _issued_timeouts_ns:
            candidate -= 1
        _issued_timeouts_ns.add(candidate)
        return Timestamp.from_unix_nanos(candidate)


def _compressed(public_key: bytes | PublicKeyLike) -> bytes:
    if isinstance(public_key, (bytes, bytearray)):
        return bytes(public_key)
    return bytes(public_key.compressed)


class Tx:
    """A transaction under construction: messages, memo, fee and timeouts.

    >>> tx = Tx([MsgSend(a, b, [Coin("ngonka", 1000)])], memo="m", gas_limit=200000,
    ...         fee=[Coin("ngonka", 2000)])
    >>> raw = tx.sign(private_key, chain_id="gonka-mainnet", account_number=7, sequence=3)

    ``unordered=True`` makes an ADR-070 unordered transaction: signed with sequence 0 and valid
    until ``timeout_timestamp`` (default: a unique now + ``ttl`` seconds, at most 10 minutes).
    ``granter`` pays the fee through a feegrant allowance; ``payer`` pays it directly.
    The body is encoded (and every field checked) when the Tx is created.
    """

    __slots__ = (
        "_body",
        "_fee",
        "_gas_limit",
        "_granter",
        "_memo",
        "_messages",
        "_payer",
        "_timeout",
        "_timeout_height",
        "_timeout_pair",
        "_unordered",
    )
    _timeout: Timestamp | None
    _body: bytes

    def __init__(
        self,
        messages: Sequence[Msg],
        *,
        memo: str = "",
        fee: Sequence[Coin] = (),
        gas_limit: int = 200_000,
        payer: str = "",
        granter: str = "",
        timeout_height: int = 0,
        unordered: bool = False,
        timeout_timestamp: TimestampLike | None = None,
        ttl: float = DEFAULT_UNORDERED_TTL,
    ) -> None:
        if type(messages) is not list and type(messages) is not tuple:
            if isinstance(messages, Msg) or not isinstance(messages, Sequence):
                raise InvalidInput("messages must be a sequence of messages")
        self._messages = tuple(messages)
        self._memo = memo
        self._fee = tuple(fee)
        self._payer = payer
        self._granter = granter
        self._unordered = bool(unordered)
        if timeout_timestamp is not None:
            self._timeout = Timestamp.coerce(timeout_timestamp)
        else:
            self._timeout = unique_timeout(ttl) if self._unordered else None
        self._timeout_pair = None if self._timeout is None else (self._timeout.seconds, self._timeout.nanos)
        # Every message, the fee coins, gas limit, payer and granter are checked now rather than when signing.
        self._body = _native.tx_encode_body(
            self._messages,
            memo,
            timeout_height,
            self._unordered,
            self._timeout_pair,
            self._fee,
            gas_limit,
            payer,
            granter,
        )
        self._gas_limit = gas_limit
        self._timeout_height = timeout_height

    # Read-only: the body bytes are encoded once, when the Tx is created.
    @property
    def messages(self) -> tuple[Msg, ...]:
        """The messages, in order."""
        return self._messages

    @property
    def memo(self) -> str:
        return self._memo

    @property
    def fee(self) -> tuple[Coin, ...]:
        """The fee coins."""
        return self._fee

    @property
    def gas_limit(self) -> int:
        return self._gas_limit

    @property
    def payer(self) -> str:
        """Pays the fee directly (empty: the signer)."""
        return self._payer

    @property
    def granter(self) -> str:
        """Pays the fee through a feegrant allowance (empty: none)."""
        return self._granter

    @property
    def timeout_height(self) -> int:
        return self._timeout_height

    @property
    def unordered(self) -> bool:
        return self._unordered

    @property
    def timeout_timestamp(self) -> Timestamp | None:
        """Unordered transactions are valid until then."""
        return self._timeout

    def __repr__(self) -> str:
        kinds = ", ".join(type(m).__name__ for m in self.messages)
        mode = f"unordered until {self.timeout_timestamp}" if self.unordered else "ordered"
        return f"Tx([{kinds}], gas_limit={self.gas_limit}, fee={[str(c) for c in self.fee]}, {mode})"

    def body_bytes(self) -> bytes:
        """The encoded TxBody (what gets signed)."""
        return self._body

    def auth_info_bytes(self, public_key: bytes | PublicKeyLike, sequence: int = 0) -> bytes:
        """The encoded AuthInfo for one SIGN_MODE_DIRECT signer with this compressed key."""
        return _native.tx_encode_auth_info(
            _compressed(public_key),
            sequence,
            self._fee,
            self.gas_limit,
            self.payer,
            self.granter,
        )

    def sign_doc_bytes(
        self, public_key: bytes | PublicKeyLike, chain_id: str, account_number: int, sequence: int = 0
    ) -> bytes:
        """The SIGN_MODE_DIRECT sign bytes; their SHA-256 is what the key signs."""
        return _native.tx_sign_doc(
            self._body, self.auth_info_bytes(public_key, sequence), chain_id, account_number
        )

    def _check_signable(self, sequence: int) -> None:
        if self.unordered:
            _native.tx_check_unordered(
                True, self._timeout_pair, self.timeout_height, sequence, time.time_ns()
            )

    def sign(
        self, private_key: PrivateKey | Signer | bytes, chain_id: str, account_number: int, sequence: int = 0
    ) -> bytes:
        """Signs (SIGN_MODE_DIRECT) and returns the TxRaw bytes to broadcast.

        ``private_key`` is a ``gonka.keys.PrivateKey`` (or any object with ``public_key.compressed``
        and ``sign(message)``), or the raw 32-byte secret.
        """
        if self._unordered:
            self._check_signable(sequence)
        if type(private_key) is not PrivateKey and isinstance(private_key, (bytes, bytearray)):
            private_key = PrivateKey.from_bytes(bytes(private_key))
        if isinstance(private_key, PrivateKey):
            # One native call: auth info, sign doc, signature and TxRaw.
            return _native.tx_sign(
                self._body,
                self._fee,
                self._gas_limit,
                self._payer,
                self._granter,
                sequence,
                chain_id,
                account_number,
                private_key,
            )
        # The sequence and account number are checked natively, before the signer is asked.
        auth = self.auth_info_bytes(private_key.public_key, sequence)
        doc = _native.tx_sign_doc(self._body, auth, chain_id, account_number)
        return _native.tx_raw(self._body, auth, [bytes(private_key.sign(doc))])

    def with_signature(self, public_key: bytes | PublicKeyLike, signature: bytes, sequence: int = 0) -> bytes:
        """TxRaw bytes with a signature made elsewhere (offline or hardware signing) over
        :meth:`sign_doc_bytes` of the same key and sequence."""
        auth = self.auth_info_bytes(public_key, sequence)
        self._check_signable(sequence)
        return _native.tx_raw(self._body, auth, [bytes(signature)])


def tx_hash(raw: bytes) -> str:
    """The transaction hash as CometBFT and explorers show it: upper-case hex SHA-256 of TxRaw."""
    return _native.tx_hash(raw)


@dataclass(frozen=True)
class SignerInfo:
    public_key: bytes | None
    """Compressed secp256k1 key (None when absent or of another type; see ``DecodedTx.json``)."""
    sequence: int
    mode: str


_native.tx_register_type("SignerInfo", SignerInfo)

# Typed in the native module's stubs.
DecodedTx = _native.DecodedTx


def decode_tx(raw: bytes) -> DecodedTx:
    """Decodes TxRaw bytes. Malformed bytes raise ``InvalidInput``."""
    return _native.tx_decode(raw if type(raw) is bytes else bytes(raw))


def encode_json_tx(tx: dict[str, Any]) -> bytes:
    """TxRaw bytes of a transaction in the chain's JSON form (e.g. a gentx or an offline-signed
    file written by ``inferenced``), body and auth info re-encoded from it."""
    return _native.tx_encode_json(tx)
