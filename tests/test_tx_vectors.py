"""Known answers: the real signed genesis transactions of gonka-mainnet re-encoded (through the typed
API and from their JSON) with their signatures verified, and the spec's unordered MsgSend."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from conftest import vector_path
from gonka.errors import InvalidSignature
from gonka.tx import (
    Coin,
    Msg,
    MsgCreateValidator,
    MsgGrant,
    MsgSend,
    MsgSubmitNewParticipant,
    Timestamp,
    Tx,
    decode_tx,
    encode_json_tx,
)

CHAIN = "gonka-mainnet"
NAMES = ["gonka-1", "gonka-2", "gcore"]


def _load(kind: str, name: str) -> dict[str, Any]:
    return json.loads(vector_path("genesis", f"{kind}-{name}.json").read_text())


def _typed_tx(data: dict[str, Any]) -> tuple[Tx, bytes, bytes]:
    """The genesis tx rebuilt with the typed builder; returns it, its signer key and signature."""
    body, auth = data["body"], data["auth_info"]
    fee = auth["fee"]
    tx = Tx(
        [Msg.from_json(m) for m in body["messages"]],
        memo=body["memo"],
        fee=[Coin.from_json(c) for c in fee["amount"]],
        gas_limit=int(fee["gas_limit"]),
        payer=fee["payer"],
        granter=fee["granter"],
        timeout_height=int(body["timeout_height"]),
    )
    (signer,) = auth["signer_infos"]
    assert signer["public_key"]["@type"] == "/cosmos.crypto.secp256k1.PubKey"
    return tx, base64.b64decode(signer["public_key"]["key"]), base64.b64decode(data["signatures"][0])


@pytest.mark.parametrize("kind", ["genparticipant", "gentx"])
@pytest.mark.parametrize("name", NAMES)
def test_genesis_tx_reencodes_and_verifies(kind: str, name: str) -> None:
    data = _load(kind, name)
    tx, public_key, signature = _typed_tx(data)
    raw = tx.with_signature(public_key, signature, sequence=0)
    decoded = decode_tx(raw)
    decoded.verify(CHAIN, 0)
    # The JSON path gives the same bytes, and the decoded JSON is the file's content.
    assert encode_json_tx(data) == raw
    assert decoded.json["body"]["messages"] == data["body"]["messages"]
    assert decoded.json["signatures"] == data["signatures"]
    assert list(decoded.messages) == [Msg.from_json(m) for m in data["body"]["messages"]]
    # The signature covers every byte: another chain, account or memo does not verify.
    with pytest.raises(InvalidSignature):
        decoded.verify("gonka-testnet", 0)
    with pytest.raises(InvalidSignature):
        decoded.verify(CHAIN, 1)


def test_genparticipant_gonka_1_matches_the_spec_bytes() -> None:
    tx, public_key, _ = _typed_tx(_load("genparticipant", "gonka-1"))
    assert len(tx.body_bytes()) == 6075
    assert tx.auth_info_bytes(public_key, 0).hex() == (
        "0a4e0a460a1f2f636f736d6f732e63727970746f2e736563703235366b312e5075624b657912230a2103f10763a0966c01fc7af4"
        "f98110d225db13326b5040b42ca5e453df62daf1c5fc12040a020801120410c09a0c"
    )
    doc = tx.sign_doc_bytes(public_key, CHAIN, 0, 0)
    assert (
        hashlib.sha256(doc).hexdigest() == "fd2042a9cd794f5684396c17ca66652e953aec7d82468cf3f63e838a05931678"
    )
    first, *grants = tx.messages
    assert isinstance(first, MsgSubmitNewParticipant) and first.worker_key == ""
    assert len(grants) == 25 and all(isinstance(g, MsgGrant) for g in grants)
    assert grants[0].expiration == Timestamp(1787380304, 143457000)  # type: ignore[attr-defined]


def test_gentx_commission_is_legacy_dec_on_the_wire() -> None:
    tx, _, _ = _typed_tx(_load("gentx", "gonka-1"))
    (msg,) = tx.messages
    assert isinstance(msg, MsgCreateValidator)
    assert msg.commission.rate == "0.100000000000000000"
    assert b"100000000000000000" in msg.encode() and b"0.1" not in msg.encode()


def test_unordered_msg_send_matches_the_spec_vector() -> None:
    public_key = bytes.fromhex("025819a361c86a64a01976b6ececdaaa3291264fe218595f04a76332a25a76d512")
    tx = Tx(
        [
            MsgSend(
                "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l",
                "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le",
                [Coin("ngonka", 1000)],
            )
        ],
        unordered=True,
        timeout_timestamp=Timestamp(1760000060, 5),
        fee=[Coin("ngonka", 200000)],
        gas_limit=2000000,
    )
    assert tx.body_bytes().hex() == (
        "0a8c010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e64126c0a2c676f6e6b613172616e6767643065"
        "68346e326d72356a6161356e6b327939373037677871766c726c6539326c122c676f6e6b6131793261397035366b76303434"
        "3332377579636d716465786c377a733832667335727976356c651a0e0a066e676f6e6b6112043130303020012a0808bcf09dc7"
        "061005"
    )
    assert tx.auth_info_bytes(public_key, 0).hex() == (
        "0a4e0a460a1f2f636f736d6f732e63727970746f2e736563703235366b312e5075624b657912230a21025819a361c86a64a01976"
        "b6ececdaaa3291264fe218595f04a76332a25a76d51212040a02080112160a100a066e676f6e6b6112063230303030301080897a"
    )
    doc = tx.sign_doc_bytes(public_key, CHAIN, 12345, 0)
    assert (
        hashlib.sha256(doc).hexdigest() == "fba6b77bfaa1ffd6dd53b06bd894dbbaace1c1563e498593294550776eac3b82"
    )
