//! A transaction's inclusion in a block: CometBFT's `/tx?hash=…&prove=true` answer carries the tx
//! bytes and an RFC 6962 proof over the block's tx hashes, whose root is the header's
//! `data_hash`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::cometbft::{json_u64, rpc_result, VerifiedHeader};
use crate::error::{Kind, ProofError, Result};
use crate::rfc6962::InclusionProof;

/// A transaction proven to be in a block's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxInclusion {
    /// `SHA256(tx)`, the tx hash.
    pub hash: [u8; 32],
    pub height: u64,
    pub index: u64,
    pub tx: Vec<u8>,
    /// The root the proof reaches: the block's `data_hash`.
    pub data_hash: [u8; 32],
}

fn malformed(message: impl Into<String>) -> ProofError {
    ProofError::malformed("tx.decode", message)
}

fn b64(value: Option<&Value>, what: &str) -> Result<Vec<u8>> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(format!("{what} is missing")))?;
    BASE64
        .decode(text)
        .map_err(|_| malformed(format!("{what} is not base64")))
}

fn hex32(value: Option<&Value>, what: &str) -> Result<[u8; 32]> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(format!("{what} is missing")))?;
    hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| malformed(format!("{what} is not 32 bytes of hex")))
}

fn hash32(bytes: Vec<u8>, what: &str) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| malformed(format!("{what} is not 32 bytes")))
}

/// Checks a `/tx` answer in itself: the tx hashes to `hash` (and to `expected_hash` when given),
/// and the proof carries that tx up to its root. Returns what it proves; the caller compares
/// `data_hash` with an authenticated header of `height` (see [`verify_in_header`]).
pub fn prove(response: &Value, expected_hash: Option<&[u8]>) -> Result<TxInclusion> {
    let result = rpc_result(response);
    let tx = b64(result.get("tx"), "tx")?;
    let height =
        json_u64(result.get("height"), "height")?.ok_or_else(|| malformed("height is missing"))?;
    let proof = result
        .get("proof")
        .filter(|p| !p.is_null())
        .ok_or_else(|| malformed("the answer has no proof (ask with prove=true)"))?;
    let hash: [u8; 32] = Sha256::digest(&tx).into();
    let claimed = hex32(result.get("hash"), "hash")?;
    if claimed != hash {
        return Err(ProofError::mismatch(
            Kind::Inclusion,
            "tx.hash",
            "the tx bytes do not hash to the answer's hash",
            &claimed,
            &hash,
        ));
    }
    if let Some(expected) = expected_hash {
        if expected != hash {
            return Err(ProofError::mismatch(
                Kind::Inclusion,
                "tx.hash",
                "the node answered with another tx",
                expected,
                &hash,
            ));
        }
    }
    let data = b64(proof.get("data"), "proof.data")?;
    if data != tx {
        return Err(ProofError::new(
            Kind::Inclusion,
            "tx.data",
            "the proof is for other tx bytes than the answer's",
        ));
    }
    let root = hex32(proof.get("root_hash"), "proof.root_hash")?;
    let merkle = proof
        .get("proof")
        .ok_or_else(|| malformed("proof.proof is missing"))?;
    let aunts = match merkle.get("aunts") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|a| hash32(b64(Some(a), "an aunt")?, "an aunt"))
            .collect::<Result<Vec<_>>>()?,
        Some(_) => return Err(malformed("proof.proof.aunts is not a list")),
    };
    let inclusion = InclusionProof {
        total: json_u64(merkle.get("total"), "total")?
            .ok_or_else(|| malformed("total is missing"))?,
        index: json_u64(merkle.get("index"), "index")?
            .ok_or_else(|| malformed("index is missing"))?,
        leaf_hash: hash32(b64(merkle.get("leaf_hash"), "leaf_hash")?, "leaf_hash")?,
        aunts,
    };
    // A block's data tree has the tx hashes as items.
    inclusion.verify(&root, &hash)?;
    Ok(TxInclusion {
        hash,
        height,
        index: inclusion.index,
        tx,
        data_hash: root,
    })
}

/// [`prove`], then the proof's root must be the `data_hash` of `header`, of the tx's height.
pub fn verify_in_header(
    response: &Value,
    expected_hash: Option<&[u8]>,
    header: &VerifiedHeader,
) -> Result<TxInclusion> {
    let inclusion = prove(response, expected_hash)?;
    if header.height() != inclusion.height {
        return Err(ProofError::new(
            Kind::HeaderMismatch,
            "header.height",
            format!(
                "the tx is in block {}, the verified header is of height {}",
                inclusion.height,
                header.height()
            ),
        ));
    }
    let data_hash = header
        .header()
        .data_hash
        .map(|h| h.as_bytes().to_vec())
        .unwrap_or_default();
    if data_hash != inclusion.data_hash {
        return Err(ProofError::mismatch(
            Kind::Inclusion,
            "tx.data_hash",
            "the proof's root is not the header's data_hash",
            &data_hash,
            &inclusion.data_hash,
        ));
    }
    Ok(inclusion)
}
