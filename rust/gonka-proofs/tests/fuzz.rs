//! Decoders and verifiers under arbitrary and mutated input (property tests, run by `cargo test`):
//! nothing panics, and no change to an honest proof is accepted.

mod common;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use common::{b64, hex_bytes, load};
use gonka_proofs::commitment::{self, Spec};
use gonka_proofs::{cometbft, participants, proof_ops, rfc6962, smst, tx};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys the parsers look for, so random documents reach deep into them.
const KEYS: &[&str] = &[
    "ops",
    "proof_ops",
    "proofOps",
    "type",
    "key",
    "data",
    "result",
    "response",
    "jsonrpc",
    "id",
    "signed_header",
    "header",
    "commit",
    "validators",
    "block_height",
    "total",
    "count",
    "tx",
    "proof",
    "hash",
    "height",
    "index",
    "leaf_hash",
    "aunts",
    "root_hash",
    "address",
    "pub_key",
    "value",
    "voting_power",
    "active_participants_bytes",
    "block_id",
    "signatures",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[0-9A-Fa-f]{0,70}".prop_map(Value::String),
        "[A-Za-z0-9+/=:]{0,48}".prop_map(Value::String),
        Just(Value::String("ics23:iavl".into())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn docs() -> (Value, Vec<u8>) {
    let data = load("gonka/docs_participants.json");
    (
        data["response"].clone(),
        hex_bytes(&data["expected_app_hash"]),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn commitment_proof_bytes_never_panic(
        data in prop::collection::vec(any::<u8>(), 0..1024),
        key in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let root = [7u8; 32];
        for spec in [Spec::Iavl, Spec::Tendermint] {
            prop_assert!(commitment::verify_membership(spec, &data, &root, &key, b"v").is_err());
            prop_assert!(commitment::verify_non_membership(spec, &data, &root, &key).is_err());
        }
    }

    #[test]
    fn participant_set_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = participants::decode_active_participants(&data);
    }

    #[test]
    fn json_documents_never_panic(doc in json_value()) {
        let _ = proof_ops::parse_proof_ops(&doc);
        let _ = participants::prove_response(Some(1), &doc);
        let _ = participants::prove_response(None, &doc);
        let _ = cometbft::parse_signed_header(&doc);
        let _ = cometbft::parse_validators(std::slice::from_ref(&doc), Some(1));
        let _ = tx::prove(&doc, None);
    }

    #[test]
    fn no_byte_change_of_the_docs_pair_is_accepted(
        part in 0usize..3,
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let (response, app_hash) = docs();
        let mut changed = response.clone();
        let (field, mut bytes) = match part {
            0 => ("value", hex_bytes(&response["active_participants_bytes"])),
            n => ("op", b64(&response["proof_ops"]["ops"][n - 1]["data"])),
        };
        let i = position.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        if field == "value" {
            changed["active_participants_bytes"] = Value::String(hex::encode(&bytes));
        } else {
            changed["proof_ops"]["ops"][part - 1]["data"] = Value::String(BASE64.encode(&bytes));
        }
        prop_assert!(participants::verify_response(Some(1), &changed, &app_hash).is_err());
    }

    #[test]
    fn mutated_rpc_answers_never_panic(
        which in 0usize..2,
        position in any::<prop::sample::Index>(),
        byte in 0x20u8..0x7f,
    ) {
        let name = ["tendermint-rs/rpc/commit_at_height_10.json", "tendermint-rs/rpc/tx_search_with_prove.json"][which];
        let mut text = serde_json::to_vec(&load(name)).unwrap();
        let i = position.index(text.len());
        text[i] = byte;
        if let Ok(doc) = serde_json::from_slice::<Value>(&text) {
            let _ = cometbft::parse_signed_header(&doc);
            if let Some(txs) = doc.pointer("/result/txs").and_then(Value::as_array) {
                for entry in txs {
                    let _ = tx::prove(entry, None);
                }
            }
        }
    }

    #[test]
    fn sum_tree_proofs_verify_and_changes_do_not(
        nonces in prop::collection::btree_set(any::<u32>(), 1..48),
        pick in any::<prop::sample::Index>(),
        element in any::<prop::sample::Index>(),
        bit in 0usize..288,
    ) {
        let vectors: Vec<(u32, Vec<u8>)> = nonces.iter().map(|n| (*n, n.to_be_bytes().to_vec())).collect();
        let tree = smst::SumTree::build(vectors.iter().map(|(n, v)| (*n, v.as_slice()))).unwrap();
        let index = pick.index(vectors.len()) as u32;
        let proof = tree.proof_at(index).unwrap();
        prop_assert!(proof.verify(&tree.root(), tree.count()).is_ok());
        let mut changed = proof.clone();
        let e = element.index(changed.elements.len());
        changed.elements[e][bit / 8] ^= 1 << (bit % 8);
        prop_assert!(changed.verify(&tree.root(), tree.count()).is_err());
    }

    #[test]
    fn sum_tree_verification_never_panics(
        elements in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..40),
        count in any::<u32>(),
        dense_index in any::<u32>(),
        nonce in any::<u32>(),
    ) {
        let _ = smst::verify(&[0u8; 32], count, dense_index, nonce, b"v", &elements);
    }

    #[test]
    fn inclusion_proofs_never_panic(
        total in any::<u64>(),
        index in any::<u64>(),
        aunts in prop::collection::vec(any::<[u8; 32]>(), 0..70),
    ) {
        let proof = rfc6962::InclusionProof { total, index, leaf_hash: [0; 32], aunts };
        let _ = proof.compute_root();
    }
}
