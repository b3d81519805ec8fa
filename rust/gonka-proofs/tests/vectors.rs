//! Public vectors: cosmos/ics23 test data, RFC 6962 and header hashes from CometBFT and
//! tendermint-rs, tendermint-rs light-client fixtures and RPC answers, the host-docs ICS23 pair,
//! two gonka-mainnet precommits, the mainnet genesis, and the spec's sum tree and MMR vectors.

mod common;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use common::{b64, hex_bytes, int, load, text};
use gonka_proofs::commitment::{self, Spec};
use gonka_proofs::light::{Options, TrustedState};
use gonka_proofs::{cometbft, mmr, participants, rfc6962, smst, tx};
use serde_json::Value;
use std::time::Duration;
use tendermint::Time;

// --- cosmos/ics23 ---

fn spec_of(dir: &str) -> Spec {
    match dir {
        "iavl" => Spec::Iavl,
        _ => Spec::Tendermint,
    }
}

#[test]
fn ics23_existence_and_non_existence_vectors() {
    for dir in ["iavl", "tendermint"] {
        let spec = spec_of(dir);
        for side in ["left", "middle", "right"] {
            let exist = load(&format!("ics23/{dir}/exist_{side}.json"));
            let (key, value, root, proof) = (
                hex_bytes(&exist["key"]),
                hex_bytes(&exist["value"]),
                hex_bytes(&exist["root"]),
                hex_bytes(&exist["proof"]),
            );
            commitment::verify_membership(spec, &proof, &root, &key, &value)
                .unwrap_or_else(|e| panic!("{dir}/exist_{side}: {e}"));
            let layer = spec.layer();
            let mut other = value.clone();
            other[0] ^= 1;
            let err = commitment::verify_membership(spec, &proof, &root, &key, &other).unwrap_err();
            assert_eq!(err.step, format!("{layer}.value"));
            let mut wrong_root = root.clone();
            wrong_root[31] ^= 0x80;
            let err =
                commitment::verify_membership(spec, &proof, &wrong_root, &key, &value).unwrap_err();
            assert_eq!(err.step, format!("{layer}.root"));
            assert_eq!(err.expected.as_deref(), Some(&wrong_root[..]));
            assert_eq!(err.actual.as_deref(), Some(&root[..]));
            // An existence proof does not prove absence.
            let err = commitment::verify_non_membership(spec, &proof, &root, &key).unwrap_err();
            assert_eq!(err.step, format!("{layer}.proof_type"));

            let absent = load(&format!("ics23/{dir}/nonexist_{side}.json"));
            let (key, root, proof) = (
                hex_bytes(&absent["key"]),
                hex_bytes(&absent["root"]),
                hex_bytes(&absent["proof"]),
            );
            commitment::verify_non_membership(spec, &proof, &root, &key)
                .unwrap_or_else(|e| panic!("{dir}/nonexist_{side}: {e}"));
            let err =
                commitment::verify_non_membership(spec, &proof, &wrong_root, &key).unwrap_err();
            assert_eq!(err.step, format!("{layer}.root"));
            let err = commitment::verify_membership(spec, &proof, &root, &key, b"v").unwrap_err();
            assert_eq!(err.step, format!("{layer}.proof_type"));
        }
    }
}

#[test]
fn ics23_proofs_of_one_spec_fail_the_other() {
    let exist = load("ics23/iavl/exist_left.json");
    let err = commitment::verify_membership(
        Spec::Tendermint,
        &hex_bytes(&exist["proof"]),
        &hex_bytes(&exist["root"]),
        &hex_bytes(&exist["key"]),
        &hex_bytes(&exist["value"]),
    )
    .unwrap_err();
    assert_eq!(err.step, "multistore.spec");
}

fn leaf_op(v: &Value) -> ics23::LeafOp {
    ics23::LeafOp {
        hash: v["hash"].as_i64().unwrap_or(0) as i32,
        prehash_key: v["prehash_key"].as_i64().unwrap_or(0) as i32,
        prehash_value: v["prehash_value"].as_i64().unwrap_or(0) as i32,
        length: v["length"].as_i64().unwrap_or(0) as i32,
        prefix: b64(&v["prefix"]),
    }
}

fn inner_op(v: &Value) -> ics23::InnerOp {
    ics23::InnerOp {
        hash: v["hash"].as_i64().unwrap_or(0) as i32,
        prefix: b64(&v["prefix"]),
        suffix: b64(&v["suffix"]),
    }
}

fn existence_proof(v: &Value) -> ics23::ExistenceProof {
    ics23::ExistenceProof {
        key: b64(&v["key"]),
        value: b64(&v["value"]),
        leaf: v.get("leaf").filter(|l| !l.is_null()).map(leaf_op),
        path: v["path"]
            .as_array()
            .map(|p| p.iter().map(inner_op).collect())
            .unwrap_or_default(),
    }
}

fn proof_spec(v: &Value) -> ics23::ProofSpec {
    let inner = &v["inner_spec"];
    ics23::ProofSpec {
        leaf_spec: v.get("leaf_spec").filter(|l| !l.is_null()).map(leaf_op),
        inner_spec: (!inner.is_null()).then(|| ics23::InnerSpec {
            child_order: inner["child_order"]
                .as_array()
                .map(|o| o.iter().map(|c| c.as_i64().unwrap() as i32).collect())
                .unwrap_or_default(),
            child_size: inner["child_size"].as_i64().unwrap_or(0) as i32,
            min_prefix_length: inner["min_prefix_length"].as_i64().unwrap_or(0) as i32,
            max_prefix_length: inner["max_prefix_length"].as_i64().unwrap_or(0) as i32,
            empty_child: b64(&inner["empty_child"]),
            hash: inner["hash"].as_i64().unwrap_or(0) as i32,
        }),
        max_depth: v["max_depth"].as_i64().unwrap_or(0) as i32,
        min_depth: v["min_depth"].as_i64().unwrap_or(0) as i32,
        prehash_key_before_comparison: v["prehash_key_before_comparison"]
            .as_bool()
            .unwrap_or(false),
    }
}

/// The root of a proof with no inner ops: the leaf operation applied to key and value.
fn leaf_root(leaf: ics23::LeafOp, key: &[u8], value: &[u8]) -> ics23::Result<Vec<u8>> {
    ics23::calculate_existence_root::<ics23::HostFunctionsManager>(&ics23::ExistenceProof {
        key: key.to_vec(),
        value: value.to_vec(),
        leaf: Some(leaf),
        path: vec![],
    })
}

#[test]
fn ics23_leaf_op_vectors() {
    let data = load("ics23/ops/TestLeafOpData.json");
    let cases = data.as_object().unwrap();
    assert!(cases.len() >= 8);
    for (name, case) in cases {
        let got = leaf_root(
            leaf_op(&case["Op"]),
            &b64(&case["Key"]),
            &b64(&case["Value"]),
        );
        if case["IsErr"].as_bool().unwrap() {
            assert!(got.is_err(), "{name}");
        } else {
            assert_eq!(got.unwrap(), b64(&case["Expected"]), "{name}");
        }
    }
}

#[test]
fn ics23_hash_op_vectors() {
    // A leaf op without prefix or length hashes key ‖ value: the preimage split in two.
    let data = load("ics23/ops/TestDoHashData.json");
    for (name, case) in data.as_object().unwrap() {
        let preimage = case
            .get("Preimage")
            .or_else(|| case.get("PreImage"))
            .map(text)
            .unwrap()
            .as_bytes();
        let leaf = ics23::LeafOp {
            hash: case["HashOp"].as_i64().unwrap() as i32,
            ..Default::default()
        };
        let got = leaf_root(leaf, &preimage[..1], &preimage[1..]).unwrap();
        assert_eq!(hex::encode(got), text(&case["ExpectedHash"]), "{name}");
    }
}

#[test]
fn ics23_inner_op_vectors() {
    // A NO_HASH leaf passes key ‖ value through unchanged: the child of the inner op.
    let data = load("ics23/ops/TestInnerOpData.json");
    for (name, case) in data.as_object().unwrap() {
        let child = b64(&case["Child"]);
        let got = ics23::calculate_existence_root::<ics23::HostFunctionsManager>(
            &ics23::ExistenceProof {
                key: child.get(..1).unwrap_or_default().to_vec(),
                value: child.get(1..).unwrap_or_default().to_vec(),
                leaf: Some(ics23::LeafOp::default()),
                path: vec![inner_op(&case["Op"])],
            },
        );
        if case["IsErr"].as_bool().unwrap() {
            assert!(got.is_err(), "{name}");
        } else {
            assert_eq!(got.unwrap(), b64(&case["Expected"]), "{name}");
        }
    }
}

#[test]
fn ics23_existence_proof_vectors() {
    let data = load("ics23/ops/TestExistenceProofData.json");
    for (name, case) in data.as_object().unwrap() {
        let got = ics23::calculate_existence_root::<ics23::HostFunctionsManager>(&existence_proof(
            &case["Proof"],
        ));
        if case["IsErr"].as_bool().unwrap() {
            assert!(got.is_err(), "{name}");
        } else {
            assert_eq!(got.unwrap(), b64(&case["Expected"]), "{name}");
        }
    }
}

#[test]
fn ics23_check_against_spec_vectors() {
    let data = load("ics23/ops/TestCheckAgainstSpecData.json");
    let cases = data.as_object().unwrap();
    assert!(cases.len() >= 10);
    for (name, case) in cases {
        let got = commitment::check_existence(
            Spec::Iavl,
            &existence_proof(&case["Proof"]),
            &proof_spec(&case["Spec"]),
        );
        let expect_error = !text(&case["Err"]).is_empty();
        assert_eq!(got.is_err(), expect_error, "{name}: {got:?}");
    }
}

#[test]
fn ics23_check_leaf_vectors() {
    // A leaf-only proof against a spec with this leaf spec: only the leaf comparison can fail.
    let data = load("ics23/ops/TestCheckLeafData.json");
    for (name, case) in data.as_object().unwrap() {
        let spec = ics23::ProofSpec {
            leaf_spec: Some(leaf_op(&case["Spec"])),
            inner_spec: Some(ics23::InnerSpec {
                child_order: vec![0, 1],
                child_size: 32,
                min_prefix_length: 1,
                max_prefix_length: 1,
                empty_child: vec![],
                hash: 1,
            }),
            ..Default::default()
        };
        let proof = ics23::ExistenceProof {
            key: b"k".to_vec(),
            value: b"v".to_vec(),
            leaf: Some(leaf_op(&case["Leaf"])),
            path: vec![],
        };
        let got = commitment::check_existence(Spec::Tendermint, &proof, &spec);
        assert_eq!(
            got.is_err(),
            case["IsErr"].as_bool().unwrap(),
            "{name}: {got:?}"
        );
    }
}

// --- RFC 6962 and headers ---

#[test]
fn rfc6962_roots_and_inner_hash() {
    let data = load("cometbft/rfc6962.json");
    for case in data["roots"].as_array().unwrap() {
        let items: Vec<Vec<u8>> = case["items_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(hex_bytes)
            .collect();
        assert_eq!(
            hex::encode(rfc6962::root(&items)),
            text(&case["root"]),
            "{}",
            case["name"]
        );
        let (root, proofs) = rfc6962::proofs(&items);
        assert_eq!(hex::encode(root), text(&case["root"]));
        for (item, proof) in items.iter().zip(&proofs) {
            proof.verify(&root, item).unwrap();
        }
    }
    for case in data["inner"].as_array().unwrap() {
        // CometBFT's vector hashes the raw strings, not 32-byte children.
        let mut preimage = vec![1u8];
        preimage.extend(hex_bytes(&case["left_hex"]));
        preimage.extend(hex_bytes(&case["right_hex"]));
        use sha2::Digest;
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&preimage)),
            text(&case["hash"])
        );
    }
}

#[test]
fn header_hash_vectors() {
    let data = load("cometbft/header_hash.json");
    for case in data["cases"].as_array().unwrap() {
        let header: tendermint::block::Header =
            serde_json::from_value(case["header"].clone()).unwrap();
        assert_eq!(header.hash().to_string(), text(&case["hash"]));
    }
}

#[test]
fn rpc_commit_fixture_parses_and_its_commit_signs_the_header() {
    let data = load("tendermint-rs/rpc/commit_at_height_10.json");
    let block = cometbft::parse_signed_header(&data).unwrap();
    assert_eq!(block.header.height.value(), 10);
    assert_eq!(block.commit.block_id.hash, block.header.hash());
}

#[test]
fn tx_inclusion_fixture() {
    let data = load("tendermint-rs/rpc/tx_search_with_prove.json");
    let txs = data["result"]["txs"].as_array().unwrap();
    assert!(!txs.is_empty());
    for entry in txs {
        let hash = hex_bytes(&entry["hash"]);
        let proven = tx::prove(entry, Some(&hash)).unwrap();
        assert_eq!(proven.height, int(&entry["height"]));
        assert_eq!(
            hex::encode_upper(proven.data_hash),
            text(&entry["proof"]["root_hash"])
        );
        let mut other = hash.clone();
        other[0] ^= 1;
        assert_eq!(tx::prove(entry, Some(&other)).unwrap_err().step, "tx.hash");
        let mut tampered = entry.clone();
        tampered["proof"]["root_hash"] = common::flip_hex(&entry["proof"]["root_hash"], 3);
        assert_eq!(tx::prove(&tampered, None).unwrap_err().step, "merkle.root");
    }
}

// --- tendermint-rs light client fixtures (model-based single steps) ---

/// Runs a fixture: from its trusted header, each input block must get its verdict (SUCCESS moves
/// trust to the block). Returns the error step of each refused input.
fn run_light_fixture(name: &str) -> Vec<Option<&'static str>> {
    let data = load(&format!("tendermint-rs/light-client/{name}.json"));
    let initial = &data["initial"];
    let block = cometbft::parse_signed_header(&initial["signed_header"]).unwrap();
    let next =
        cometbft::parse_validators(std::slice::from_ref(&initial["next_validator_set"]), None)
            .unwrap();
    let hash = block.header.hash();
    let mut trusted =
        TrustedState::from_checkpoint(block.header.height.value(), hash.as_bytes(), &block, next)
            .unwrap();
    let options = Options {
        trusting_period: Duration::from_nanos(int(&initial["trusting_period"])),
        ..Options::default()
    };
    let mut steps = Vec::new();
    for input in data["input"].as_array().unwrap() {
        let verdict = text(&input["verdict"]);
        let b = &input["block"];
        let now = Time::parse_from_rfc3339(text(&input["now"])).unwrap();
        let result = cometbft::parse_signed_header(&b["signed_header"]).and_then(|block| {
            let validators =
                cometbft::parse_validators(std::slice::from_ref(&b["validator_set"]), None)?;
            trusted.verify(&block, validators, None, &options, now)
        });
        match (verdict, result) {
            ("SUCCESS", Ok(verified)) => {
                let next = cometbft::parse_validators(
                    std::slice::from_ref(&b["next_validator_set"]),
                    None,
                )
                .unwrap();
                trusted = TrustedState::from_verified(&verified, next).unwrap();
                steps.push(None);
            }
            ("NOT_ENOUGH_TRUST", Err(err)) => {
                assert_eq!(err.step, "trust.level", "{name}: {err}");
                steps.push(Some(err.step));
            }
            ("INVALID", Err(err)) => {
                assert_ne!(err.step, "trust.level", "{name}: {err}");
                steps.push(Some(err.step));
            }
            (verdict, result) => panic!("{name}: expected {verdict}, got {result:?}"),
        }
    }
    steps
}

#[test]
fn light_client_happy_path_bisects() {
    // Skipping to the target lacks trust, the midpoint verifies, then the target does.
    assert_eq!(
        run_light_fixture("MC10_3_faulty_TestSuccess"),
        [Some("trust.level"), None, None]
    );
    assert_eq!(
        run_light_fixture("MC4_4_faulty_Test2NotEnoughTrustSuccess"),
        [Some("trust.level"), Some("trust.level"), None, None]
    );
}

#[test]
fn light_client_refuses_a_commit_without_enough_power() {
    let steps = run_light_fixture("MC4_4_faulty_TestLessThanTwoThirdsSign");
    assert_eq!(steps.last().unwrap(), &Some("commit.power"));
}

#[test]
fn light_client_refuses_a_header_outside_the_trusting_period() {
    let steps = run_light_fixture("MC4_4_faulty_Test3NotEnoughTrustFailure");
    assert_eq!(steps.last().unwrap(), &Some("trust.period"));
}

#[test]
fn light_client_refuses_going_back() {
    assert_eq!(
        run_light_fixture("MC4_4_faulty_TestNonMonotonicHeight"),
        [Some("trust.height")]
    );
}

#[test]
fn light_client_follows_validator_set_changes() {
    for name in [
        "MC10_3_faulty_TestValsetChangesFully",
        "MC4_4_faulty_TestValsetHalves",
        "MC10_3_faulty_TestFailure",
    ] {
        run_light_fixture(name);
    }
}

#[test]
fn checkpoint_must_match_its_pinned_hash() {
    let data = load("tendermint-rs/light-client/MC10_3_faulty_TestSuccess.json");
    let block = cometbft::parse_signed_header(&data["initial"]["signed_header"]).unwrap();
    let next = cometbft::parse_validators(
        std::slice::from_ref(&data["initial"]["next_validator_set"]),
        None,
    )
    .unwrap();
    let height = block.header.height.value();
    let hash = block.header.hash().as_bytes().to_vec();
    let wrong = common::flip(&hash, 0);
    let err = TrustedState::from_checkpoint(height, &wrong, &block, next.clone()).unwrap_err();
    assert_eq!(err.step, "trust.checkpoint");
    let err = TrustedState::from_checkpoint(height + 1, &hash, &block, next).unwrap_err();
    assert_eq!(err.step, "header.height");
}

// --- gonka ---

#[test]
fn host_docs_participants_pair() {
    let data = load("gonka/docs_participants.json");
    let response = &data["response"];
    let proven = participants::prove_response(Some(int(&data["epoch"])), response).unwrap();
    assert_eq!(proven.layout, participants::KeyLayout::Legacy);
    assert_eq!(
        hex::encode_upper(&proven.store.store_root),
        text(&data["expected_store_root"])
    );
    assert_eq!(
        hex::encode_upper(&proven.store.app_hash),
        text(&data["expected_app_hash"])
    );
    assert_eq!(proven.store.leaf_version, Some(15));
    assert_eq!(proven.set.created_at_block_height, 15);
    assert_eq!(proven.set.epoch_group_id, 1);
    let first = &proven.set.participants[0];
    // The proven bytes, not the page's edited JSON, are what is decoded.
    assert!(first.address.starts_with("cosmos1"), "{}", first.address);
    assert_eq!(first.weight, 10);
    assert_eq!(first.inference_url, "http://genesis-api:8080");
    assert_eq!(first.models, ["unsloth/llama-3-8b-Instruct"]);
    assert_eq!(first.other_fields[0].number, 6);
    let app_hash = hex_bytes(&data["expected_app_hash"]);
    participants::verify_response(Some(1), response, &app_hash).unwrap();
    let err = participants::verify_response(Some(2), response, &app_hash).unwrap_err();
    assert_eq!(err.step, "epoch.key");
}

#[test]
fn gonka_mainnet_precommits_verify() {
    let data = load("gonka/mainnet_precommits.json");
    for sig in data["signatures"].as_array().unwrap() {
        let key = b64(&sig["pub_key"]);
        use sha2::Digest;
        assert_eq!(
            hex::encode_upper(&sha2::Sha256::digest(&key)[..20]),
            text(&sig["validator_address"])
        );
        let precommit = cometbft::Precommit {
            chain_id: text(&data["chain_id"]).to_string(),
            height: int(&data["height"]),
            round: int(&data["round"]) as u32,
            block_hash: hex_bytes(&data["block_id"]["hash"]),
            part_set_total: int(&data["block_id"]["part_set_header"]["total"]) as u32,
            part_set_hash: hex_bytes(&data["block_id"]["part_set_header"]["hash"]),
            timestamp: Time::parse_from_rfc3339(text(&sig["timestamp"])).unwrap(),
        };
        let signature = b64(&sig["signature"]);
        precommit.verify(&key, &signature).unwrap();
        let other_chain = cometbft::Precommit {
            chain_id: "gonka-testnet-7".into(),
            ..precommit.clone()
        };
        assert_eq!(
            other_chain.verify(&key, &signature).unwrap_err().step,
            "commit.signature"
        );
        for bit in [0, 100, 511] {
            let err = precommit
                .verify(&key, &common::flip(&signature, bit))
                .unwrap_err();
            assert_eq!(err.step, "commit.signature");
        }
    }
}

#[test]
fn mainnet_genesis_anchor_is_the_gentx_validator_set() {
    let data = load("gonka/genesis_gen_txs.json");
    let anchor = TrustedState::mainnet_genesis().unwrap();
    assert_eq!(anchor.chain_id.as_str(), text(&data["chain_id"]));
    let genesis_time = Time::parse_from_rfc3339(text(&data["genesis_time"])).unwrap();
    assert_eq!(
        anchor.time.checked_add(Duration::from_nanos(1)).unwrap(),
        genesis_time
    );
    let mut expected: Vec<(Vec<u8>, u64)> = data["gen_txs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tx| {
            let msg = &tx["body"]["messages"][0];
            assert_eq!(
                text(&msg["@type"]),
                "/cosmos.staking.v1beta1.MsgCreateValidator"
            );
            assert_eq!(text(&msg["value"]["denom"]), "ngonka");
            (
                BASE64.decode(text(&msg["pubkey"]["key"])).unwrap(),
                int(&msg["value"]["amount"]),
            )
        })
        .collect();
    let mut actual: Vec<(Vec<u8>, u64)> = anchor
        .next_validators
        .validators()
        .iter()
        .map(|v| (v.pub_key.to_bytes(), v.power.value()))
        .collect();
    expected.sort();
    actual.sort();
    assert_eq!(actual, expected);
}

#[test]
fn sum_tree_spec_vectors() {
    let data = load("gonka/smst.json");
    let empty = smst::SumTree::build(std::iter::empty()).unwrap();
    assert_eq!(
        hex::encode(empty.root()),
        text(&data["empty_root_depth_24"])
    );
    for case in data["cases"].as_array().unwrap() {
        let nonces: Vec<u32> = case["nonces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| int(n) as u32)
            .collect();
        let vectors: Vec<Vec<u8>> = nonces
            .iter()
            .map(|n| vec![(n & 0xff) as u8, ((n >> 8) & 0xff) as u8, 0xab])
            .collect();
        let tree =
            smst::SumTree::build(nonces.iter().zip(&vectors).map(|(n, v)| (*n, v.as_slice())))
                .unwrap();
        assert_eq!(hex::encode(tree.root()), text(&case["root"]));
        assert_eq!(tree.count() as u64, int(&case["count"]));
        assert_eq!(tree.depth() as u64, int(&case["depth"]));
        let expect = &case["proof"];
        let proof = tree.proof_at(int(&expect["dense_index"]) as u32).unwrap();
        assert_eq!(proof.nonce as u64, int(&expect["nonce"]));
        assert_eq!(proof.vector, b64(&expect["vector_b64"]));
        assert_eq!(proof.elements.len() as u64, int(&expect["elements"]));
        assert_eq!(
            proof.elements[0].to_vec(),
            b64(&expect["first_element_b64"])
        );
        assert_eq!(
            proof.elements.last().unwrap().to_vec(),
            b64(&expect["last_element_b64"])
        );
        proof.verify(&tree.root(), tree.count()).unwrap();
    }
}

#[test]
fn mmr_spec_vectors() {
    let data = load("gonka/mmr.json");
    for case in data["cases"].as_array().unwrap() {
        let leaves: Vec<Vec<u8>> = case["nonces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let n = int(n) as u32;
                let mut leaf = n.to_le_bytes().to_vec();
                leaf.extend([n as u8, 0xab]);
                leaf
            })
            .collect();
        let range = mmr::Mmr::build(&leaves).unwrap();
        let root = range.root();
        assert_eq!(hex::encode(root), text(&case["root"]));
        for (i, leaf) in leaves.iter().enumerate() {
            let proof = range.proof(i as u64).unwrap();
            mmr::verify(&root, leaves.len() as u64, i as u64, leaf, &proof).unwrap();
        }
    }
}
