//! CometBFT `ProofOps` as nodes serve them, and the two-op chain of a Cosmos store proof:
//! `ics23:iavl` (key = value in a module store) then `ics23:simple` (store root in the
//! multistore) = the app hash that header `H+1` carries for state after block `H`.
//!
//! Two JSON shapes exist: the API node's (`"proof_ops": {"ops": [...]}`, Go `encoding/json`,
//! `key`/`data` omitted when empty) and CometBFT RPC's `abci_query`
//! (`"proofOps": {"ops": [...]}` under `result.response`). Both are read here.

use serde_json::Value;
use tendermint::merkle::proof::ProofOps;

use crate::commitment::{self, Spec};
use crate::error::{from_json, Kind, ProofError, Result};

/// More ops than any store proof has; longer lists are refused before decoding them.
const MAX_OPS: usize = 16;

/// One proof operation: its type (`ics23:iavl`, `ics23:simple`), the key it proves, its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOp {
    pub op_type: String,
    pub key: Vec<u8>,
    pub data: Vec<u8>,
}

fn shape_error(message: impl Into<String>) -> ProofError {
    ProofError::malformed("proof_ops", message)
}

/// Finds the `{"ops": [...]}` object in the shapes a node answers with: the ops object itself,
/// an API node response (`proof_ops`), an `abci_query` response (`proofOps`), its `result`, or
/// the whole JSON-RPC envelope.
fn find_ops_object(value: &Value) -> Option<&Value> {
    fn response(v: &Value) -> Option<&Value> {
        v.get("response").and_then(|r| r.get("proofOps"))
    }
    [
        Some(value),
        value.get("proof_ops"),
        value.get("proofOps"),
        response(value),
        value.get("result").and_then(response),
    ]
    .into_iter()
    .flatten()
    .find(|candidate| candidate.get("ops").is_some())
}

/// Reads proof ops from a node's JSON (see the module docs for the accepted shapes).
pub fn parse_proof_ops(value: &Value) -> Result<Vec<ProofOp>> {
    let object = find_ops_object(value).ok_or_else(|| {
        shape_error(
            "no proof ops found (expected an object with \"ops\", \"proof_ops\" or \"proofOps\")",
        )
    })?;
    let ops_len = object
        .get("ops")
        .and_then(Value::as_array)
        .map(Vec::len)
        .ok_or_else(|| shape_error("\"ops\" is not a list (the node answered without a proof)"))?;
    if ops_len > MAX_OPS {
        return Err(shape_error(format!(
            "{ops_len} proof ops, more than the {MAX_OPS} accepted"
        )));
    }
    let parsed: ProofOps = from_json(object, "proof_ops", "proof op")?;
    Ok(parsed
        .ops
        .into_iter()
        .map(|op| ProofOp {
            op_type: op.field_type,
            key: op.key,
            data: op.data,
        })
        .collect())
}

/// What a verified store proof establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreProof {
    /// The module store (`inference`).
    pub store: Vec<u8>,
    pub key: Vec<u8>,
    /// The root of the module's IAVL tree.
    pub store_root: Vec<u8>,
    /// The multistore root: the app hash of the next block's header.
    pub app_hash: Vec<u8>,
    /// The IAVL version that last wrote the key.
    pub leaf_version: Option<i64>,
}

/// Checks the ops' shape: exactly `ics23:iavl` then `ics23:simple`.
pub fn check_shape(ops: &[ProofOp]) -> Result<()> {
    if ops.len() != 2 {
        return Err(shape_error(format!(
            "a store proof has 2 ops (ics23:iavl, ics23:simple), got {}",
            ops.len()
        )));
    }
    for (op, spec) in ops.iter().zip([Spec::Iavl, Spec::Tendermint]) {
        if op.op_type != spec.op_type() {
            return Err(shape_error(format!(
                "expected op type {}, got {:?}",
                spec.op_type(),
                op.op_type
            )));
        }
    }
    Ok(())
}

/// Verifies the two-op chain for `store`/`key` = `value` and returns what it proves; the caller
/// compares `app_hash` with an authenticated header (see [`verify_store_value`]).
pub fn prove_store_value(
    ops: &[ProofOp],
    store: &[u8],
    key: &[u8],
    value: &[u8],
) -> Result<StoreProof> {
    check_shape(ops)?;
    let (iavl_op, store_op) = (&ops[0], &ops[1]);
    if iavl_op.key != key {
        return Err(ProofError::mismatch(
            Kind::Membership,
            "iavl.key",
            "the IAVL op proves another key",
            key,
            &iavl_op.key,
        ));
    }
    if store_op.key != store {
        return Err(ProofError::mismatch(
            Kind::Membership,
            "multistore.key",
            "the multistore op proves another store",
            store,
            &store_op.key,
        ));
    }
    let iavl_proof = commitment::decode(Spec::Iavl, &iavl_op.data)?;
    let store_root = commitment::existence_root(Spec::Iavl, &iavl_proof, key, value)?;
    let leaf_version = match &iavl_proof.proof {
        Some(ics23::commitment_proof::Proof::Exist(exist)) => commitment::iavl_leaf_version(exist),
        _ => None,
    };
    let multistore_proof = commitment::decode(Spec::Tendermint, &store_op.data)?;
    let app_hash =
        match commitment::existence_root(Spec::Tendermint, &multistore_proof, store, &store_root) {
            Ok(root) => root,
            // The link of the two ops: the root the IAVL proof computes must be the value the
            // multistore proof commits for the store.
            Err(err) if err.step == "multistore.value" => {
                return Err(ProofError {
                    step: "store_root",
                    message: format!(
                    "the IAVL proof's root is not the store root the multistore proof commits ({})",
                    err.message
                ),
                    ..err
                })
            }
            Err(err) => return Err(err),
        };
    Ok(StoreProof {
        store: store.to_vec(),
        key: key.to_vec(),
        store_root,
        app_hash,
        leaf_version,
    })
}

/// Verifies `store`/`key` = `value` against a trusted `app_hash` (the header's).
pub fn verify_store_value(
    ops: &[ProofOp],
    app_hash: &[u8],
    store: &[u8],
    key: &[u8],
    value: &[u8],
) -> Result<StoreProof> {
    let proof = prove_store_value(ops, store, key, value)?;
    check_app_hash(app_hash, &proof.app_hash)?;
    Ok(proof)
}

pub fn check_app_hash(trusted: &[u8], proven: &[u8]) -> Result<()> {
    if trusted != proven {
        return Err(ProofError::mismatch(
            Kind::AppHashMismatch,
            "app_hash",
            "the proof's multistore root is not the authenticated header's app hash",
            trusted,
            proven,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_json_shapes_parse() {
        let ops = json!({"ops": [{"type": "ics23:iavl", "key": "a2V5", "data": "AQI="}, {"type": "ics23:simple"}]});
        let dapi = json!({"proof_ops": ops.clone()});
        let rpc = json!({"jsonrpc": "2.0", "id": 1, "result": {"response": {"code": 0, "proofOps": ops.clone()}}});
        for shape in [ops, dapi, rpc] {
            let parsed = parse_proof_ops(&shape).unwrap();
            assert_eq!(parsed.len(), 2);
            assert_eq!(parsed[0].key, b"key");
            assert_eq!(parsed[0].data, [1, 2]);
            assert!(parsed[1].key.is_empty() && parsed[1].data.is_empty());
        }
    }

    #[test]
    fn missing_or_bad_ops_are_malformed() {
        for bad in [
            json!({}),
            json!({"proofOps": null}),
            json!({"ops": null}),
            json!({"ops": [{"type": "x", "key": "not base64!"}]}),
            json!({"ops": vec![json!({"type": "x"}); MAX_OPS + 1]}),
        ] {
            let err = parse_proof_ops(&bad).unwrap_err();
            assert_eq!(err.step, "proof_ops", "{bad}");
            assert_eq!(err.kind, Kind::Malformed);
        }
    }

    #[test]
    fn shape_requires_iavl_then_simple() {
        let op = |t: &str| ProofOp {
            op_type: t.into(),
            key: vec![],
            data: vec![],
        };
        assert!(check_shape(&[op("ics23:iavl"), op("ics23:simple")]).is_ok());
        assert!(check_shape(&[op("ics23:simple"), op("ics23:iavl")]).is_err());
        assert!(check_shape(&[op("ics23:iavl")]).is_err());
    }
}
