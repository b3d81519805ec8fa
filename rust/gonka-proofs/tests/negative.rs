//! One bit changed in each input of each verification step is rejected, with the error naming
//! that step: key, value, each proof op, app hash (host-docs ICS23 pair); header fields,
//! signatures, validator powers (a tendermint-rs light-client fixture); sum-tree count, root,
//! index and elements (the spec's vector).

mod common;

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use common::{b64, flip, flip_hex, hex_bytes, int, load, text};
use gonka_proofs::{cometbft, participants, smst};
use serde_json::Value;

fn docs() -> (Value, Vec<u8>) {
    let data = load("gonka/docs_participants.json");
    let app_hash = hex_bytes(&data["expected_app_hash"]);
    (data["response"].clone(), app_hash)
}

fn check(response: &Value, app_hash: &[u8]) -> Result<(), gonka_proofs::ProofError> {
    participants::verify_response(Some(1), response, app_hash).map(|_| ())
}

#[test]
fn the_honest_pair_verifies() {
    let (response, app_hash) = docs();
    check(&response, &app_hash).unwrap();
}

#[test]
fn every_bit_of_the_value_is_bound() {
    let (response, app_hash) = docs();
    let value = hex_bytes(&response["active_participants_bytes"]);
    for bit in 0..value.len() * 8 {
        let mut changed = response.clone();
        changed["active_participants_bytes"] = Value::String(hex::encode(flip(&value, bit)));
        let err = check(&changed, &app_hash).unwrap_err();
        assert_eq!(err.step, "iavl.value", "bit {bit}: {err}");
    }
}

#[test]
fn every_bit_of_the_key_is_bound_to_the_epoch() {
    let (response, app_hash) = docs();
    let key = b64(&response["proof_ops"]["ops"][0]["key"]);
    for bit in 0..key.len() * 8 {
        let mut changed = response.clone();
        changed["proof_ops"]["ops"][0]["key"] = Value::String(BASE64.encode(flip(&key, bit)));
        let err = check(&changed, &app_hash).unwrap_err();
        assert_eq!(err.step, "epoch.key", "bit {bit}: {err}");
        assert_eq!(err.kind, gonka_proofs::Kind::EpochMismatch);
    }
}

/// Flips every bit of proof op `index` and collects the steps that refuse it.
fn op_flips(index: usize) -> BTreeSet<&'static str> {
    let (response, app_hash) = docs();
    let data = b64(&response["proof_ops"]["ops"][index]["data"]);
    let mut steps = BTreeSet::new();
    for bit in 0..data.len() * 8 {
        let mut changed = response.clone();
        changed["proof_ops"]["ops"][index]["data"] = Value::String(BASE64.encode(flip(&data, bit)));
        let err = check(&changed, &app_hash)
            .err()
            .unwrap_or_else(|| panic!("op {index} bit {bit} was accepted"));
        steps.insert(err.step);
    }
    steps
}

#[test]
fn every_bit_of_the_iavl_op_is_rejected_by_an_iavl_step() {
    let steps = op_flips(0);
    let allowed = [
        "iavl.decode",
        "iavl.proof_type",
        "iavl.key",
        "iavl.value",
        "iavl.spec",
        "iavl.leaf",
        "store_root",
    ];
    assert!(steps.iter().all(|s| allowed.contains(s)), "{steps:?}");
    // The flips reach the checks of the proof's own parts and of its root.
    for expected in [
        "iavl.decode",
        "iavl.key",
        "iavl.value",
        "iavl.leaf",
        "store_root",
    ] {
        assert!(
            steps.contains(expected),
            "{expected} not reached: {steps:?}"
        );
    }
}

#[test]
fn every_bit_of_the_multistore_op_is_rejected_by_a_multistore_step() {
    let steps = op_flips(1);
    let allowed = [
        "multistore.decode",
        "multistore.proof_type",
        "multistore.key",
        "multistore.spec",
        "store_root",
        "app_hash",
    ];
    assert!(steps.iter().all(|s| allowed.contains(s)), "{steps:?}");
    for expected in [
        "multistore.decode",
        "multistore.key",
        "store_root",
        "app_hash",
    ] {
        assert!(
            steps.contains(expected),
            "{expected} not reached: {steps:?}"
        );
    }
}

#[test]
fn every_bit_of_the_app_hash_is_bound() {
    let (response, app_hash) = docs();
    for bit in 0..app_hash.len() * 8 {
        let err = check(&response, &flip(&app_hash, bit)).unwrap_err();
        assert_eq!(err.step, "app_hash", "bit {bit}");
        assert_eq!(err.kind, gonka_proofs::Kind::AppHashMismatch);
    }
}

#[test]
fn the_op_types_and_store_are_bound() {
    let (response, app_hash) = docs();
    let mut changed = response.clone();
    changed["proof_ops"]["ops"][1]["key"] = Value::String(BASE64.encode(b"inferencf"));
    assert_eq!(
        check(&changed, &app_hash).unwrap_err().step,
        "multistore.key"
    );
    let mut swapped = response.clone();
    swapped["proof_ops"]["ops"][0]["type"] = Value::String("ics23:simple".into());
    assert_eq!(check(&swapped, &app_hash).unwrap_err().step, "proof_ops");
}

// --- header, signatures, powers ---

/// A block with a valid commit and its validator set, from a light-client fixture.
fn signed_block() -> (Value, Value) {
    let data = load("tendermint-rs/light-client/MC10_3_faulty_TestSuccess.json");
    let block = &data["input"][1]["block"];
    assert_eq!(text(&data["input"][1]["verdict"]), "SUCCESS");
    (
        block["signed_header"].clone(),
        block["validator_set"].clone(),
    )
}

/// The height the verifier asks for: the fixture block's.
const HEIGHT: u64 = 2;

fn verify_block(signed_header: &Value, validators: &Value) -> Result<(), gonka_proofs::ProofError> {
    let block = cometbft::parse_signed_header(signed_header)?;
    let set = cometbft::parse_validators(std::slice::from_ref(validators), None)?;
    cometbft::verify_commit(&block, set, "test-chain", Some(HEIGHT)).map(|_| ())
}

#[test]
fn the_honest_block_verifies() {
    let (header, validators) = signed_block();
    assert_eq!(int(&header["header"]["height"]), HEIGHT);
    verify_block(&header, &validators).unwrap();
}

#[test]
fn one_bit_in_each_header_field_is_rejected() {
    let (signed, validators) = signed_block();
    let header = signed["header"].clone();
    let hash_fields = [
        ("last_commit_hash", "commit.block_id"),
        ("data_hash", "commit.block_id"),
        ("validators_hash", "validators.hash"),
        ("next_validators_hash", "commit.block_id"),
        ("consensus_hash", "commit.block_id"),
        ("app_hash", "commit.block_id"),
        ("last_results_hash", "commit.block_id"),
        ("evidence_hash", "commit.block_id"),
        ("proposer_address", "commit.block_id"),
    ];
    let mut cases: Vec<(String, Value, &str)> = Vec::new();
    for (field, step) in hash_fields {
        if text(&header[field]).is_empty() {
            // An empty hash field has no bit to flip; setting one changes the header just as well.
            let mut changed = header.clone();
            changed[field] = Value::String("00".repeat(32));
            cases.push((field.into(), changed, step));
            continue;
        }
        for bit in [0, 7, 100] {
            let mut changed = header.clone();
            changed[field] = flip_hex(&header[field], bit);
            cases.push((format!("{field} bit {bit}"), changed, step));
        }
    }
    let chain_id = text(&header["chain_id"]);
    let mut changed = header.clone();
    changed["chain_id"] = Value::String(String::from_utf8(flip(chain_id.as_bytes(), 0)).unwrap());
    cases.push(("chain_id".into(), changed, "header.chain_id"));
    let mut changed = header.clone();
    changed["height"] = Value::String((int(&header["height"]) ^ 1).to_string());
    cases.push(("height".into(), changed, "header.height"));
    let mut changed = header.clone();
    changed["version"]["block"] = Value::String((int(&header["version"]["block"]) ^ 1).to_string());
    cases.push(("version".into(), changed, "commit.block_id"));
    let mut changed = header.clone();
    let time = tendermint::Time::parse_from_rfc3339(text(&header["time"])).unwrap();
    let later = time
        .checked_add(std::time::Duration::from_nanos(1))
        .unwrap();
    changed["time"] = Value::String(later.to_rfc3339());
    cases.push(("time".into(), changed, "commit.block_id"));
    for (name, changed_header, step) in cases {
        let mut block = signed.clone();
        block["header"] = changed_header;
        let err = verify_block(&block, &validators).unwrap_err();
        assert_eq!(err.step, step, "{name}: {err}");
    }
}

#[test]
fn one_bit_in_any_signature_is_rejected() {
    let (signed, validators) = signed_block();
    let signatures = signed["commit"]["signatures"].as_array().unwrap();
    let mut checked = 0;
    for (i, sig) in signatures.iter().enumerate() {
        if int(&sig["block_id_flag"]) != 2 {
            continue;
        }
        for bit in [0, 255, 511] {
            let mut block = signed.clone();
            block["commit"]["signatures"][i]["signature"] =
                Value::String(BASE64.encode(flip(&b64(&sig["signature"]), bit)));
            let err = verify_block(&block, &validators).unwrap_err();
            assert_eq!(
                err.step, "commit.signature",
                "signature {i} bit {bit}: {err}"
            );
            assert_eq!(err.kind, gonka_proofs::Kind::InvalidCommit);
        }
        checked += 1;
    }
    assert!(checked >= 2);
}

#[test]
fn one_bit_in_any_validator_power_is_rejected() {
    let (signed, validators) = signed_block();
    let list = validators["validators"].as_array().unwrap();
    for (i, validator) in list.iter().enumerate() {
        let power = int(&validator["voting_power"]);
        for bit in [0, 3] {
            let mut changed = validators.clone();
            changed["validators"][i]["voting_power"] =
                Value::String((power ^ (1 << bit)).to_string());
            let err = verify_block(&signed, &changed).unwrap_err();
            assert_eq!(
                err.step, "validators.hash",
                "validator {i} bit {bit}: {err}"
            );
            assert_eq!(err.kind, gonka_proofs::Kind::ValidatorSetMismatch);
        }
    }
}

#[test]
fn a_changed_commit_block_id_is_rejected() {
    let (signed, validators) = signed_block();
    let mut block = signed.clone();
    block["commit"]["block_id"]["hash"] = flip_hex(&signed["commit"]["block_id"]["hash"], 9);
    assert_eq!(
        verify_block(&block, &validators).unwrap_err().step,
        "commit.block_id"
    );
}

// --- sum tree ---

struct SumTreeCase {
    root: [u8; 32],
    count: u32,
    proof: smst::SumTreeProof,
}

fn sum_tree_case() -> SumTreeCase {
    let data = load("gonka/smst.json");
    let case = &data["cases"][0];
    let nonces: Vec<u32> = case["nonces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| int(n) as u32)
        .collect();
    let vectors: Vec<Vec<u8>> = nonces
        .iter()
        .map(|n| vec![*n as u8, (n >> 8) as u8, 0xab])
        .collect();
    let tree =
        smst::SumTree::build(nonces.iter().zip(&vectors).map(|(n, v)| (*n, v.as_slice()))).unwrap();
    assert_eq!(hex::encode(tree.root()), text(&case["root"]));
    SumTreeCase {
        root: tree.root(),
        count: tree.count(),
        proof: tree
            .proof_at(int(&case["proof"]["dense_index"]) as u32)
            .unwrap(),
    }
}

#[test]
fn every_bit_of_the_count_is_bound() {
    let c = sum_tree_case();
    c.proof.verify(&c.root, c.count).unwrap();
    for bit in 0..32 {
        let err = c.proof.verify(&c.root, c.count ^ (1 << bit)).unwrap_err();
        assert_eq!(err.step, "smst.count", "bit {bit}");
        assert_eq!(err.kind, gonka_proofs::Kind::SumTree);
    }
}

#[test]
fn every_bit_of_the_root_and_the_dense_index_is_bound() {
    let c = sum_tree_case();
    for bit in 0..256 {
        let err = c.proof.verify(&flip(&c.root, bit), c.count).unwrap_err();
        assert_eq!(err.step, "smst.root", "bit {bit}");
    }
    for bit in 0..32 {
        let mut proof = c.proof.clone();
        proof.dense_index ^= 1 << bit;
        assert_eq!(
            proof.verify(&c.root, c.count).unwrap_err().step,
            "smst.dense_index",
            "bit {bit}"
        );
    }
}

#[test]
fn every_bit_of_the_elements_vector_and_nonce_is_rejected() {
    let c = sum_tree_case();
    let mut steps = BTreeSet::new();
    for e in 0..c.proof.elements.len() {
        for bit in 0..36 * 8 {
            let mut proof = c.proof.clone();
            proof.elements[e] = flip(&proof.elements[e], bit).try_into().unwrap();
            let err = proof.verify(&c.root, c.count).unwrap_err();
            // A hash bit changes the root; a count bit the total or the leaves left of the leaf.
            let expected: &[&str] = if bit < 256 {
                &["smst.root"]
            } else {
                &["smst.count", "smst.dense_index"]
            };
            assert!(expected.contains(&err.step), "element {e} bit {bit}: {err}");
            steps.insert(err.step);
        }
    }
    assert!(
        steps.contains("smst.root") && steps.contains("smst.count"),
        "{steps:?}"
    );
    for bit in 0..c.proof.vector.len() * 8 {
        let mut proof = c.proof.clone();
        proof.vector = flip(&proof.vector, bit);
        assert_eq!(
            proof.verify(&c.root, c.count).unwrap_err().step,
            "smst.root"
        );
    }
    for bit in 0..32 {
        let mut proof = c.proof.clone();
        proof.nonce ^= 1 << bit;
        let err = proof.verify(&c.root, c.count).unwrap_err();
        let expected = if bit >= 24 { "smst.nonce" } else { "smst.root" };
        // A nonce moved to the other side of a subtree also changes the leaves left of it.
        assert!(
            err.step == expected || (bit < 24 && err.step == "smst.dense_index"),
            "nonce bit {bit}: {err}"
        );
    }
}
