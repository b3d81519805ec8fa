"""Runs inside a fresh venv holding an installed gonka wheel: derives a key, signs a message and a
transaction, and prints the results as JSON for the test to check against peer libraries.

Reads the inputs as JSON on stdin. Imports nothing but gonka and the standard library.
"""

import importlib.metadata
import json
import sys

import gonka
from gonka import _native
from gonka.keys import PrivateKey
from gonka.tx import Coin, MsgSend, Tx, decode_tx

request = json.load(sys.stdin)
key = PrivateKey.from_mnemonic(request["mnemonic"])
message = bytes.fromhex(request["message"])
tx = Tx(
    [
        MsgSend(
            from_address=key.address(), to_address=request["to"], amount=[Coin("ngonka", request["amount"])]
        )
    ],
    memo=request["memo"],
    gas_limit=request["gas_limit"],
    fee=[Coin("ngonka", request["fee"])],
)
raw = tx.sign(key, chain_id=request["chain_id"], account_number=request["account_number"], sequence=0)
decode_tx(raw).verify(request["chain_id"], request["account_number"])
json.dump(
    {
        "version": gonka.__version__,
        "distribution_version": importlib.metadata.version("gonka"),
        "native_module": _native.__file__,
        "build_target": _native.BUILD_TARGET,
        "build_profile": _native.BUILD_PROFILE,
        "address": key.address(),
        "public_key": key.public_key.compressed.hex(),
        "signature": key.sign(message).hex(),
        "tx": raw.hex(),
    },
    sys.stdout,
)
