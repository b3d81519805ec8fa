//! Known-answer tests: the protocol spec's unordered MsgSend and the real signed genesis
//! transactions of gonka-mainnet (the repository's `tests/vectors/genesis`; a missing file fails).

use std::path::PathBuf;

use gonka_core::secp256k1::PrivateKey;
use gonka_tx::msg::MsgSend;
use gonka_tx::{decode_tx, sign_doc, AuthInfo, Coin, Fee, Msg, SignerInfo, Timestamp, Tx, TxBody};

fn genesis_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/genesis")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("test vector {} is missing: {e}", path.display()))
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(gonka_core::hash::sha256(data))
}

#[test]
fn unordered_msg_send_matches_the_spec_vector() {
    let key = PrivateKey::from_bytes(&gonka_core::hash::sha256(b"gonka-spec-test-key")).unwrap();
    let pubkey = key.public_key().compressed();
    let body = TxBody {
        messages: vec![Msg::Send(MsgSend {
            from_address: "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l".into(),
            to_address: "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le".into(),
            amount: vec![Coin::new("ngonka", 1000)],
        })],
        unordered: true,
        timeout_timestamp: Some(Timestamp::new(1_760_000_060, 5).unwrap()),
        ..TxBody::default()
    };
    let auth = AuthInfo {
        signer_infos: vec![SignerInfo::direct(&pubkey, 0)],
        fee: Fee {
            amount: vec![Coin::new("ngonka", 200_000)],
            gas_limit: 2_000_000,
            ..Fee::default()
        },
    };
    let body_bytes = body.encode().unwrap();
    let auth_bytes = auth.encode().unwrap();
    assert_eq!(hex::encode(&body_bytes), "0a8c010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e64126c0a2c676f6e6b613172616e676764306568346e326d72356a6161356e6b327939373037677871766c726c6539326c122c676f6e6b6131793261397035366b763034343332377579636d716465786c377a733832667335727976356c651a0e0a066e676f6e6b6112043130303020012a0808bcf09dc7061005");
    assert_eq!(hex::encode(&auth_bytes), "0a4e0a460a1f2f636f736d6f732e63727970746f2e736563703235366b312e5075624b657912230a21025819a361c86a64a01976b6ececdaaa3291264fe218595f04a76332a25a76d51212040a02080112160a100a066e676f6e6b6112063230303030301080897a");
    let doc = sign_doc(&body_bytes, &auth_bytes, "gonka-mainnet", 12345);
    assert_eq!(
        sha256_hex(&doc),
        "fba6b77bfaa1ffd6dd53b06bd894dbbaace1c1563e498593294550776eac3b82"
    );

    let raw =
        gonka_tx::sign_direct(&body_bytes, &auth_bytes, "gonka-mainnet", 12345, &key).unwrap();
    let decoded = decode_tx(&raw).unwrap();
    assert_eq!(decoded.tx.body, body);
    assert_eq!(decoded.tx.auth_info, auth);
    decoded.verify("gonka-mainnet", &[12345]).unwrap();
    assert!(decoded.verify("gonka-mainnet", &[12346]).is_err());
}

/// Parses a genesis JSON tx, re-encodes it and verifies its signature (gonka-mainnet, account 0).
fn check_genesis_tx(name: &str) -> (Vec<u8>, Vec<u8>) {
    let text = genesis_file(name);
    let tx: Tx = serde_json::from_str(&text).unwrap();
    let raw = tx.to_raw().unwrap();
    let decoded = decode_tx(&raw).unwrap();
    decoded.verify("gonka-mainnet", &[0]).unwrap();
    // The JSON form survives the wire round trip.
    assert_eq!(decoded.tx, tx);
    let again: Tx = serde_json::from_value(serde_json::to_value(&decoded.tx).unwrap()).unwrap();
    assert_eq!(again, tx);
    (decoded.body_bytes, decoded.auth_info_bytes)
}

#[test]
fn genesis_participant_txs_reencode_and_verify() {
    for name in [
        "genparticipant-gonka-1.json",
        "genparticipant-gonka-2.json",
        "genparticipant-gcore.json",
    ] {
        let (body, auth) = check_genesis_tx(name);
        if name == "genparticipant-gonka-1.json" {
            assert_eq!(body.len(), 6075);
            assert_eq!(hex::encode(&auth), "0a4e0a460a1f2f636f736d6f732e63727970746f2e736563703235366b312e5075624b657912230a2103f10763a0966c01fc7af4f98110d225db13326b5040b42ca5e453df62daf1c5fc12040a020801120410c09a0c");
            let doc = sign_doc(&body, &auth, "gonka-mainnet", 0);
            assert_eq!(
                sha256_hex(&doc),
                "fd2042a9cd794f5684396c17ca66652e953aec7d82468cf3f63e838a05931678"
            );
        }
    }
}

#[test]
fn genesis_validator_txs_reencode_and_verify() {
    for name in [
        "gentx-gonka-1.json",
        "gentx-gonka-2.json",
        "gentx-gcore.json",
    ] {
        check_genesis_tx(name);
    }
}

#[test]
fn a_changed_genesis_tx_no_longer_verifies() {
    let text = genesis_file("gentx-gonka-1.json");
    let mut tx: Tx = serde_json::from_str(&text).unwrap();
    tx.body.memo = "tampered".into();
    let decoded = decode_tx(&tx.to_raw().unwrap()).unwrap();
    assert!(decoded.verify("gonka-mainnet", &[0]).is_err());
}
