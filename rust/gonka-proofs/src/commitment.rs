//! ICS23 commitment proofs (`cosmos.ics23.v1.CommitmentProof`) for the two specs a Cosmos app hash
//! is built from: IAVL (one module store) and Tendermint (the multistore's simple Merkle tree).
//!
//! The `ics23` crate does the hashing and the spec checks but answers only yes or no; each step is
//! checked here first (proof type, key, value, spec, Go's extra IAVL leaf rule, root) so that a
//! failure names the step and the bytes involved.

use prost_ics23::Message;

use crate::error::{hex_prefix, Kind, ProofError, Result};

type Host = ics23::HostFunctionsManager;

/// Which ICS23 proof spec a proof follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spec {
    /// `ics23:iavl`: a key in one module's IAVL store.
    Iavl,
    /// `ics23:simple`: a store root in the multistore (CometBFT simple Merkle tree).
    Tendermint,
}

/// The checks of one proof, named per spec (`iavl.*`, `multistore.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Decode,
    ProofType,
    Key,
    Value,
    Spec,
    Leaf,
    Root,
    Neighbors,
}

impl Spec {
    pub fn proof_spec(self) -> ics23::ProofSpec {
        match self {
            Spec::Iavl => ics23::iavl_spec(),
            Spec::Tendermint => ics23::tendermint_spec(),
        }
    }

    /// The `ProofOp.type` that carries a proof of this spec.
    pub fn op_type(self) -> &'static str {
        match self {
            Spec::Iavl => "ics23:iavl",
            Spec::Tendermint => "ics23:simple",
        }
    }

    /// The name of the tree a proof of this spec climbs, used in error steps.
    pub fn layer(self) -> &'static str {
        match self {
            Spec::Iavl => "iavl",
            Spec::Tendermint => "multistore",
        }
    }

    fn step(self, check: Check) -> &'static str {
        use Check as C;
        match (self, check) {
            (Spec::Iavl, C::Decode) => "iavl.decode",
            (Spec::Iavl, C::ProofType) => "iavl.proof_type",
            (Spec::Iavl, C::Key) => "iavl.key",
            (Spec::Iavl, C::Value) => "iavl.value",
            (Spec::Iavl, C::Spec) => "iavl.spec",
            (Spec::Iavl, C::Leaf) => "iavl.leaf",
            (Spec::Iavl, C::Root) => "iavl.root",
            (Spec::Iavl, C::Neighbors) => "iavl.neighbors",
            (Spec::Tendermint, C::Decode) => "multistore.decode",
            (Spec::Tendermint, C::ProofType) => "multistore.proof_type",
            (Spec::Tendermint, C::Key) => "multistore.key",
            (Spec::Tendermint, C::Value) => "multistore.value",
            (Spec::Tendermint, C::Spec) => "multistore.spec",
            (Spec::Tendermint, C::Leaf) => "multistore.leaf",
            (Spec::Tendermint, C::Root) => "multistore.root",
            (Spec::Tendermint, C::Neighbors) => "multistore.neighbors",
        }
    }

    fn error(self, check: Check, message: impl Into<String>) -> ProofError {
        let kind = if check == Check::Decode {
            Kind::Malformed
        } else {
            Kind::Membership
        };
        ProofError::new(kind, self.step(check), message)
    }

    fn mismatch(self, check: Check, what: &str, expected: &[u8], actual: &[u8]) -> ProofError {
        ProofError::mismatch(Kind::Membership, self.step(check), what, expected, actual)
    }
}

/// An ics23 check's answer; a panic inside it (an unwrap on a shape it did not expect) is a no.
fn answers_true(check: impl FnOnce() -> bool + std::panic::UnwindSafe) -> bool {
    std::panic::catch_unwind(check).unwrap_or(false)
}

/// Proofs above this size are refused before decoding (a real IAVL proof is a few KiB).
pub const MAX_PROOF_BYTES: usize = 1 << 20;

/// Decodes `CommitmentProof` bytes, expanding a compressed batch.
pub fn decode(spec: Spec, data: &[u8]) -> Result<ics23::CommitmentProof> {
    if data.is_empty() {
        return Err(spec.error(Check::Decode, "the proof is empty"));
    }
    if data.len() > MAX_PROOF_BYTES {
        return Err(spec.error(
            Check::Decode,
            format!(
                "the proof is {} bytes, more than the {MAX_PROOF_BYTES} accepted",
                data.len()
            ),
        ));
    }
    let proof = ics23::CommitmentProof::decode(data).map_err(|e| {
        spec.error(
            Check::Decode,
            format!("not a CommitmentProof ({e}): {}", hex_prefix(data, 48)),
        )
    })?;
    if ics23::is_compressed(&proof) {
        return ics23::decompress(&proof)
            .map_err(|e| spec.error(Check::Decode, format!("bad compressed batch proof: {e}")));
    }
    Ok(proof)
}

/// The existence proof for `key` inside a proof (directly, or as a batch entry).
fn existence_for<'a>(
    spec: Spec,
    proof: &'a ics23::CommitmentProof,
    key: &[u8],
) -> Result<&'a ics23::ExistenceProof> {
    use ics23::commitment_proof::Proof;
    match &proof.proof {
        Some(Proof::Exist(exist)) => Ok(exist),
        Some(Proof::Batch(batch)) => batch
            .entries
            .iter()
            .find_map(|entry| match &entry.proof {
                Some(ics23::batch_entry::Proof::Exist(exist)) if exist.key == key => Some(exist),
                _ => None,
            })
            .ok_or_else(|| {
                spec.error(
                    Check::ProofType,
                    format!(
                        "the batch proof has no existence proof for key {}",
                        hex_prefix(key, 64)
                    ),
                )
            }),
        Some(Proof::Nonexist(_)) => Err(spec.error(
            Check::ProofType,
            "expected an existence proof, got a non-existence proof (the key is absent)",
        )),
        Some(Proof::Compressed(_)) | None => Err(spec.error(
            Check::ProofType,
            "expected an existence proof, got an empty or compressed proof",
        )),
    }
}

/// Go's ics23 also requires an IAVL leaf to be a leaf: height 0 and size 1 in its prefix
/// (`zigzag(height) ‖ zigzag(size) ‖ zigzag(version)`, nothing after).
fn check_iavl_leaf(leaf: &ics23::LeafOp) -> Result<()> {
    let mut rest = leaf.prefix.as_slice();
    let mut field = |name: &str| -> Result<i64> {
        read_zigzag(&mut rest).ok_or_else(|| {
            Spec::Iavl.error(
                Check::Leaf,
                format!(
                    "the IAVL leaf prefix {} has no valid {name}",
                    hex::encode_upper(&leaf.prefix)
                ),
            )
        })
    };
    let height = field("height")?;
    let size = field("size")?;
    let version = field("version")?;
    let leaf_error = |what: String| {
        Spec::Iavl
            .error(Check::Leaf, what)
            .with_bytes(Some(&[0x00, 0x02]), Some(&leaf.prefix))
    };
    if height != 0 || size != 1 {
        return Err(leaf_error(format!(
            "an IAVL leaf has height 0 and size 1, this one has height {height} and size {size}"
        )));
    }
    if version < 0 {
        return Err(leaf_error(format!(
            "the IAVL leaf version is negative ({version})"
        )));
    }
    if !rest.is_empty() {
        return Err(leaf_error(format!(
            "the IAVL leaf prefix has {} bytes after its version",
            rest.len()
        )));
    }
    Ok(())
}

/// A protobuf zigzag varint (Go's `binary.Varint`), at most 10 bytes.
fn read_zigzag(buf: &mut &[u8]) -> Option<i64> {
    let mut value: u64 = 0;
    for (i, &byte) in buf.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *buf = &buf[i + 1..];
            let magnitude = (value >> 1) as i64;
            return Some(if value & 1 == 0 {
                magnitude
            } else {
                !magnitude
            });
        }
    }
    None
}

/// The IAVL leaf version of an existence proof (the store version that wrote the value).
pub fn iavl_leaf_version(exist: &ics23::ExistenceProof) -> Option<i64> {
    let mut rest = exist.leaf.as_ref()?.prefix.as_slice();
    read_zigzag(&mut rest)?;
    read_zigzag(&mut rest)?;
    read_zigzag(&mut rest)
}

/// Checks that `proof` proves `key = value` under its spec and returns the root it computes.
///
/// The caller compares the root with a trusted one (or feeds it to the next proof of a chain).
pub fn existence_root(
    spec: Spec,
    proof: &ics23::CommitmentProof,
    key: &[u8],
    value: &[u8],
) -> Result<Vec<u8>> {
    let exist = existence_for(spec, proof, key)?;
    if exist.key != key {
        return Err(spec.mismatch(Check::Key, "the proof is for another key", key, &exist.key));
    }
    if exist.value != value {
        return Err(spec.mismatch(
            Check::Value,
            "the proven value differs from the value given",
            value,
            &exist.value,
        ));
    }
    existence_proof_root(spec, exist)
}

/// Runs the spec checks of one existence proof and computes its root.
fn existence_proof_root(spec: Spec, exist: &ics23::ExistenceProof) -> Result<Vec<u8>> {
    check_existence(spec, exist, &spec.proof_spec())
}

/// Checks an existence proof against any ICS23 spec and computes its root. Go's extra leaf rule
/// applies when `proof_spec` is the IAVL spec; errors are named after `spec`'s layer.
pub fn check_existence(
    spec: Spec,
    exist: &ics23::ExistenceProof,
    proof_spec: &ics23::ProofSpec,
) -> Result<Vec<u8>> {
    let leaf = exist
        .leaf
        .as_ref()
        .ok_or_else(|| spec.error(Check::Spec, "the existence proof has no leaf operation"))?;
    let iavl = ics23::iavl_spec();
    if proof_spec.leaf_spec == iavl.leaf_spec && proof_spec.inner_spec == iavl.inner_spec {
        check_iavl_leaf(leaf)?;
    }
    let root = ics23::calculate_existence_root::<Host>(exist)
        .map_err(|e| spec.error(Check::Spec, format!("the proof cannot be computed: {e}")))?;
    // With the key, value and the proof's own root fixed, only the spec checks can fail here.
    let wrapped = ics23::CommitmentProof {
        proof: Some(ics23::commitment_proof::Proof::Exist(exist.clone())),
    };
    if !answers_true(|| {
        ics23::verify_membership::<Host>(&wrapped, proof_spec, &root, &exist.key, &exist.value)
    }) {
        return Err(spec.error(
            Check::Spec,
            format!(
                "the proof does not follow the {} spec (leaf or inner operation shape)",
                spec.op_type()
            ),
        ));
    }
    Ok(root)
}

/// Verifies that `proof_bytes` proves `key = value` under `root`.
pub fn verify_membership(
    spec: Spec,
    proof_bytes: &[u8],
    root: &[u8],
    key: &[u8],
    value: &[u8],
) -> Result<()> {
    let proof = decode(spec, proof_bytes)?;
    let computed = existence_root(spec, &proof, key, value)?;
    check_root(spec, root, &computed)
}

fn check_root(spec: Spec, root: &[u8], computed: &[u8]) -> Result<()> {
    if computed != root {
        return Err(spec.mismatch(
            Check::Root,
            "the proof computes another root",
            root,
            computed,
        ));
    }
    Ok(())
}

/// Verifies that `proof_bytes` proves `key` absent under `root`: its neighbours exist, are on
/// either side of `key`, and are adjacent in the tree.
pub fn verify_non_membership(
    spec: Spec,
    proof_bytes: &[u8],
    root: &[u8],
    key: &[u8],
) -> Result<()> {
    use ics23::commitment_proof::Proof;
    let proof = decode(spec, proof_bytes)?;
    let non = match &proof.proof {
        Some(Proof::Nonexist(non)) => non.clone(),
        Some(Proof::Batch(batch)) => batch
            .entries
            .iter()
            .find_map(|entry| match &entry.proof {
                Some(ics23::batch_entry::Proof::Nonexist(non)) if non.key == key => {
                    Some(non.clone())
                }
                _ => None,
            })
            .ok_or_else(|| {
                spec.error(
                    Check::ProofType,
                    "the batch proof has no non-existence proof for the key",
                )
            })?,
        Some(Proof::Exist(_)) => {
            return Err(spec.error(
                Check::ProofType,
                "expected a non-existence proof, got an existence proof (the key is present)",
            ))
        }
        _ => {
            return Err(spec.error(
                Check::ProofType,
                "expected a non-existence proof, got an empty proof",
            ))
        }
    };
    if non.left.is_none() && non.right.is_none() {
        return Err(spec.error(
            Check::Neighbors,
            "the non-existence proof has neither a left nor a right neighbour",
        ));
    }
    for neighbour in [&non.left, &non.right].into_iter().flatten() {
        let computed = existence_proof_root(spec, neighbour)?;
        check_root(spec, root, &computed)?;
    }
    if let Some(left) = &non.left {
        if left.key.as_slice() >= key {
            return Err(spec.mismatch(
                Check::Neighbors,
                "the left neighbour is not before the key",
                key,
                &left.key,
            ));
        }
    }
    if let Some(right) = &non.right {
        if right.key.as_slice() <= key {
            return Err(spec.mismatch(
                Check::Neighbors,
                "the right neighbour is not after the key",
                key,
                &right.key,
            ));
        }
    }
    if let (Some(left), Some(right)) = (&non.left, &non.right) {
        // ics23 walks both paths down from the root until they diverge and unwraps when one
        // runs out first; such paths cannot be neighbours, so refuse them before calling it.
        let shared = left
            .path
            .iter()
            .rev()
            .zip(right.path.iter().rev())
            .take_while(|(l, r)| l.prefix == r.prefix && l.suffix == r.suffix)
            .count();
        if shared >= left.path.len() || shared >= right.path.len() {
            return Err(spec.error(
                Check::Neighbors,
                "the neighbours' paths never diverge, so they cannot be adjacent leaves",
            ));
        }
    }
    let wrapped = ics23::CommitmentProof {
        proof: Some(Proof::Nonexist(non)),
    };
    if !answers_true(|| {
        ics23::verify_non_membership::<Host>(&wrapped, &spec.proof_spec(), &root.to_vec(), key)
    }) {
        return Err(spec.error(
            Check::Neighbors,
            "the neighbours are not adjacent leaves of the tree",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_reads_go_varints() {
        for (bytes, value) in [
            (&[0x00][..], 0i64),
            (&[0x02], 1),
            (&[0x01], -1),
            (&[0x1e], 15),
            (&[0xac, 0x02], 150),
        ] {
            let mut rest = bytes;
            assert_eq!(read_zigzag(&mut rest), Some(value));
            assert!(rest.is_empty());
        }
        let mut truncated: &[u8] = &[0x80];
        assert_eq!(read_zigzag(&mut truncated), None);
    }

    #[test]
    fn iavl_leaf_must_be_height_zero_size_one() {
        let leaf = |prefix: &[u8]| ics23::LeafOp {
            prefix: prefix.to_vec(),
            ..Default::default()
        };
        assert!(check_iavl_leaf(&leaf(&[0x00, 0x02, 0x1e])).is_ok());
        for bad in [
            &[0x02, 0x02, 0x1e][..],
            &[0x00, 0x04, 0x1e],
            &[0x00, 0x02, 0x1e, 0x00],
        ] {
            let err = check_iavl_leaf(&leaf(bad)).unwrap_err();
            assert_eq!(err.step, "iavl.leaf");
        }
    }

    #[test]
    fn empty_and_garbage_proofs_are_decode_errors() {
        assert_eq!(decode(Spec::Iavl, &[]).unwrap_err().step, "iavl.decode");
        let err = decode(Spec::Tendermint, &[0xff, 0xff, 0xff]).unwrap_err();
        assert_eq!(err.step, "multistore.decode");
        assert_eq!(err.kind, Kind::Malformed);
    }
}
