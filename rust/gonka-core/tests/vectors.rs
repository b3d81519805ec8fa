//! Official test vectors (BIP 39, BIP 32, BIP 173, Wycheproof, RFC 8032) kept as data files in the
//! repository's `tests/vectors/`, shared with the Python suite.

use std::path::PathBuf;

use gonka_core::address;
use gonka_core::bip32::{DerivationPath, ExtendedPrivateKey};
use gonka_core::bip39::Mnemonic;
use gonka_core::ed25519::{ConsensusKey, ConsensusPublicKey};
use gonka_core::secp256k1::PublicKey;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    hex::decode(text(value)).unwrap()
}

#[test]
fn bip39_english_vectors() {
    let data = load("bip39_english.json");
    let passphrase = text(&data["passphrase"]);
    let vectors = data["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 24);
    for vector in vectors {
        let phrase = text(&vector["mnemonic"]);
        let from_entropy = Mnemonic::from_entropy(&bytes(&vector["entropy"])).unwrap();
        assert_eq!(from_entropy.phrase().as_str(), phrase);
        let parsed = Mnemonic::parse(phrase).unwrap();
        assert_eq!(
            parsed.entropy().as_slice(),
            bytes(&vector["entropy"]).as_slice()
        );
        assert_eq!(
            parsed.to_seed(passphrase).to_vec(),
            bytes(&vector["seed"]),
            "{phrase}"
        );
    }
}

#[test]
fn bip32_vectors_1_and_2() {
    let data = load("bip32.json");
    let mut chains = 0;
    for vector in data["vectors"].as_array().unwrap() {
        let seed = bytes(&vector["seed"]);
        for chain in vector["chains"].as_array().unwrap() {
            let path: DerivationPath = text(&chain["path"]).parse().unwrap();
            let key = ExtendedPrivateKey::derive_from_seed(&seed, &path).unwrap();
            assert_eq!(key.to_xprv().as_str(), text(&chain["xprv"]), "{path}");
            assert_eq!(key.to_xpub(), text(&chain["xpub"]), "{path}");
            chains += 1;
        }
    }
    assert_eq!(chains, 12);
}

#[test]
fn bip32_step_by_step_equals_whole_path() {
    let seed = [0x42u8; 64];
    let whole: DerivationPath = "m/44'/1200'/0'/0/5".parse().unwrap();
    let first: DerivationPath = "m/44'/1200'".parse().unwrap();
    let rest: DerivationPath = "m/0'/0/5".parse().unwrap();
    let direct = ExtendedPrivateKey::derive_from_seed(&seed, &whole).unwrap();
    let stepped = ExtendedPrivateKey::derive_from_seed(&seed, &first)
        .unwrap()
        .derive(&rest)
        .unwrap();
    assert_eq!(direct.to_xprv(), stepped.to_xprv());
}

#[test]
fn bip173_valid_strings_round_trip() {
    let data = load("bip173.json");
    for valid in data["valid"].as_array().unwrap() {
        let string = text(valid);
        let (hrp, payload) =
            address::decode(string).unwrap_or_else(|err| panic!("{string}: {err}"));
        assert_eq!(
            address::encode(&hrp, &payload).unwrap(),
            string.to_lowercase()
        );
        assert!(address::is_valid_with_hrp(string, &hrp), "{string}");
    }
}

#[test]
fn bip173_invalid_strings_are_rejected() {
    let data = load("bip173.json");
    for invalid in data["invalid"].as_array().unwrap() {
        let string = text(&invalid["string"]);
        assert!(
            address::decode(string).is_err(),
            "accepted {string:?} ({})",
            text(&invalid["reason"])
        );
        let hrp = string.rsplit_once('1').map_or("", |(hrp, _)| hrp);
        assert!(!address::is_valid_with_hrp(string, hrp), "{string:?}");
    }
}

#[test]
fn wycheproof_secp256k1_sha256_p1363() {
    let data = load("wycheproof_ecdsa_secp256k1_sha256_p1363_test.json");
    let order =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").unwrap();
    let mut checked = 0;
    for group in data["testGroups"].as_array().unwrap() {
        let key = PublicKey::from_bytes(&bytes(&group["publicKey"]["uncompressed"])).unwrap();
        for test in group["tests"].as_array().unwrap() {
            let msg = bytes(&test["msg"]);
            let sig = bytes(&test["sig"]);
            let id = &test["tcId"];
            match text(&test["result"]) {
                "valid" => {
                    // Wycheproof allows high-S; the chain does not. The low-S twin must verify.
                    let low = to_low_s(&sig, &order);
                    assert!(key.verify(&msg, &low), "tcId {id}");
                    assert_eq!(key.verify(&msg, &sig), low == sig, "tcId {id}");
                }
                "invalid" => assert!(!key.verify(&msg, &sig), "tcId {id}"),
                other => panic!("tcId {id}: unexpected result {other}"),
            }
            checked += 1;
        }
    }
    assert!(checked > 200);
}

/// `r || (n - s)` when `s > n/2`, else the signature unchanged (plain big-endian arithmetic).
fn to_low_s(sig: &[u8], order: &[u8]) -> Vec<u8> {
    let s = &sig[32..];
    let mut half = order.to_vec();
    let mut carry = 0u16;
    for byte in half.iter_mut() {
        let value = (carry << 8) | u16::from(*byte);
        *byte = (value >> 1) as u8;
        carry = value & 1;
    }
    if s <= half.as_slice() {
        return sig.to_vec();
    }
    let mut negated = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut diff = i16::from(order[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(diff < 0);
        if diff < 0 {
            diff += 256;
        }
        negated[i] = diff as u8;
    }
    [&sig[..32], &negated[..]].concat()
}

#[test]
fn rfc8032_ed25519_vectors() {
    let data = load("rfc8032_ed25519.json");
    let vectors = data["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 4);
    for vector in vectors {
        let key = ConsensusKey::from_seed(&bytes(&vector["secret_key"])).unwrap();
        let public = key.public_key();
        assert_eq!(public.to_bytes().to_vec(), bytes(&vector["public_key"]));
        let msg = bytes(&vector["message"]);
        assert_eq!(key.sign(&msg).to_vec(), bytes(&vector["signature"]));
        assert!(public.verify(&msg, &bytes(&vector["signature"])));
    }
}

#[test]
fn wycheproof_ed25519_under_zip215() {
    let data = load("wycheproof_ed25519_test.json");
    let mut checked = 0;
    let mut accepted_invalid = Vec::new();
    for group in data["testGroups"].as_array().unwrap() {
        let key = ConsensusPublicKey::from_bytes(&bytes(&group["publicKey"]["pk"])).unwrap();
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let accepted = key.verify(&bytes(&test["msg"]), &bytes(&test["sig"]));
            match text(&test["result"]) {
                "valid" => assert!(accepted, "tcId {id}"),
                _ if accepted => accepted_invalid.push(id),
                _ => {}
            }
            checked += 1;
        }
    }
    assert!(checked > 100);
    // ZIP 215 accepts some encodings strict RFC 8032 verifiers refuse (non-canonical points,
    // small-order keys); none of them appear in this Wycheproof set, so every invalid case fails.
    assert_eq!(accepted_invalid, Vec::<u64>::new());
}

mod properties {
    use gonka_core::address;
    use gonka_core::secp256k1::PrivateKey;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn address_round_trips_under_every_prefix(data in proptest::collection::vec(any::<u8>(), 0..=32)) {
            for hrp in [address::ACCOUNT_HRP, address::VALOPER_HRP, address::VALCONS_HRP] {
                let encoded = address::encode(hrp, &data).unwrap();
                prop_assert_eq!(address::decode_exact(&encoded, hrp, data.len()).unwrap(), data.clone());
            }
        }

        #[test]
        fn tampered_signatures_fail(secret in prop::array::uniform32(1u8..), msg in proptest::collection::vec(any::<u8>(), 0..100), index in 0usize..64, flip in 1u8..) {
            let key = PrivateKey::from_bytes(&secret).unwrap();
            let mut sig = key.sign(&msg);
            prop_assert!(key.public_key().verify(&msg, &sig));
            sig[index] ^= flip;
            prop_assert!(!key.public_key().verify(&msg, &sig));
        }
    }
}
