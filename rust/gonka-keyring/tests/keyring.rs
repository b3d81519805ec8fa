//! The keyring reader against items written by an independent encoder (`tests/vectors/keyring`, see its
//! README), and against hostile input: wrong passphrases, tampered or truncated items, huge iteration
//! counts and random bytes are errors, never panics.

use std::path::PathBuf;

use gonka_keyring::{jwe, read_item, Error, KeyRecord};
use proptest::prelude::*;

const PASSPHRASE: &[u8] = b"correct horse battery";
const ADDRESS: &str = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l";
const PUBLIC_KEY: &str = "025819a361c86a64a01976b6ececdaaa3291264fe218595f04a76332a25a76d512";

fn item(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/keyring")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("test vector {} is missing: {e}", path.display()))
}

#[test]
fn a_local_key_decrypts_into_its_signing_key() {
    let record = KeyRecord::decode(&read_item(&item("cold.info"), PASSPHRASE).unwrap()).unwrap();
    assert_eq!((record.name.as_str(), record.kind), ("cold", "local"));
    assert_eq!(record.public_key_type, "/cosmos.crypto.secp256k1.PubKey");
    assert_eq!(hex::encode(&record.public_key), PUBLIC_KEY);
    assert_eq!(record.private_key_type, "/cosmos.crypto.secp256k1.PrivKey");
    let key = record.private_key().unwrap();
    assert_eq!(key.public_key().address("gonka").unwrap(), ADDRESS);
    let expected = gonka_core::hash::sha256(b"gonka-spec-test-key");
    assert_eq!(record.secret().unwrap().as_slice(), expected.as_slice());
}

#[test]
fn an_address_entry_points_at_its_key() {
    let data = read_item(
        &item("1f668435f9bd66ad8e92ef693b2885f3fc83019f.address"),
        PASSPHRASE,
    )
    .unwrap();
    assert_eq!(data.as_slice(), b"cold.info");
}

#[test]
fn a_ledger_key_has_no_private_key() {
    let record = KeyRecord::decode(&read_item(&item("ledger.info"), PASSPHRASE).unwrap()).unwrap();
    assert_eq!(record.kind, "ledger");
    assert!(!record.has_private_key());
    assert!(matches!(
        record.private_key(),
        Err(Error::NoPrivateKey("ledger"))
    ));
}

#[test]
fn a_wrong_passphrase_or_a_tampered_item_does_not_decrypt() {
    let token = item("cold.info");
    assert!(matches!(
        read_item(&token, b"wrong"),
        Err(Error::Decrypt(_))
    ));
    let mut parts: Vec<String> = token.trim().split('.').map(str::to_string).collect();
    let mut ciphertext = parts[3].clone().into_bytes();
    ciphertext[0] = if ciphertext[0] == b'A' { b'B' } else { b'A' };
    parts[3] = String::from_utf8(ciphertext).unwrap();
    assert!(matches!(
        read_item(&parts.join("."), PASSPHRASE),
        Err(Error::Decrypt(_))
    ));
}

#[test]
fn an_item_may_not_ask_for_unbounded_work() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let token = item("cold.info");
    let mut parts: Vec<&str> = token.trim().split('.').collect();
    let header = format!(
        r#"{{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":{},"p2s":"AAAAAAAAAAAAAAAA"}}"#,
        u64::from(jwe::MAX_ITERATIONS) + 1
    );
    let encoded = URL_SAFE_NO_PAD.encode(header);
    parts[0] = &encoded;
    let err = read_item(&parts.join("."), PASSPHRASE)
        .unwrap_err()
        .to_string();
    assert!(err.contains("p2c"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_items_never_panic(index in any::<usize>(), byte in 0x20u8..0x7f, cut in any::<usize>()) {
        let mut token = item("ledger.info").into_bytes();
        let len = token.len();
        token[index % len] = byte;
        let token = String::from_utf8(token).unwrap();
        let _ = read_item(&token, PASSPHRASE);
        let _ = read_item(&token[..cut % (token.len() + 1)], PASSPHRASE);
    }

    #[test]
    fn arbitrary_records_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(record) = KeyRecord::decode(&data) {
            prop_assert!(!record.name.is_empty());
            let _ = record.private_key();
        }
    }
}
