"""Cosmos transactions for the Gonka chain, encoded and signed in Rust.

>>> from gonka.tx import Tx, MsgSend, Coin
>>> tx = Tx([MsgSend(from_address=a, to_address=b, amount=[Coin("ngonka", 1000)])],
...         memo="m", gas_limit=200000, fee=[Coin("ngonka", 2000)])
>>> raw = tx.sign(private_key, chain_id="gonka-mainnet", account_number=7, sequence=3)
>>> tx_hash(raw), decode_tx(raw).messages

The message classes are generated from the ``.proto`` declarations (see :mod:`gonka.tx.messages`).
"""

from gonka.tx import _generated
from gonka.tx._base import AnyPayload, Msg, RawMsg
from gonka.tx._generated import *  # noqa: F403
from gonka.tx._mixins import module_address
from gonka.tx.messages import register_messages
from gonka.tx.permissions import (
    FEE_ALLOWANCE_SPEND_LIMIT,
    ML_OPS_MSG_TYPES,
    PermissionSet,
    grant_ml_ops_messages,
)
from gonka.tx.transaction import (
    DEFAULT_UNORDERED_TTL,
    MAX_UNORDERED_TTL,
    DecodedTx,
    SignerInfo,
    Tx,
    decode_tx,
    encode_json_tx,
    tx_hash,
    unique_timeout,
)
from gonka.tx.values import Coin, Timestamp, TimestampLike

__all__ = [
    "DEFAULT_UNORDERED_TTL",
    "FEE_ALLOWANCE_SPEND_LIMIT",
    "MAX_UNORDERED_TTL",
    "ML_OPS_MSG_TYPES",
    "AnyPayload",
    "Coin",
    "DecodedTx",
    "Msg",
    "PermissionSet",
    "RawMsg",
    "SignerInfo",
    "Timestamp",
    "TimestampLike",
    "Tx",
    "decode_tx",
    "encode_json_tx",
    "grant_ml_ops_messages",
    "module_address",
    "register_messages",
    "tx_hash",
    "unique_timeout",
]
__all__ += _generated.__all__
