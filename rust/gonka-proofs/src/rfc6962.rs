//! CometBFT's simple Merkle tree (RFC 6962 hashing): roots and inclusion proofs with aunts, as
//! used for a block's transactions (`data_hash`), headers and validator sets.
//!
//! Roots come from `tendermint::merkle`; tendermint-rs has no inclusion-proof verifier, so the
//! aunts walk (CometBFT's `computeHashFromAunts`) is here, without recursion.

use sha2::{Digest, Sha256};
use tendermint::crypto::default::Sha256 as TmSha256;
use tendermint::merkle::simple_hash_from_byte_vectors;

use crate::error::{Kind, ProofError, Result};

pub type Hash = [u8; 32];

/// A tree of more than 2^63 items is not representable by CometBFT (`int64` totals).
const MAX_DEPTH: usize = 63;

/// `SHA256(0x00 ‖ item)`.
pub fn leaf_hash(item: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(item);
    hasher.finalize().into()
}

/// `SHA256(0x01 ‖ left ‖ right)`.
pub fn inner_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root over `items` (`SHA256("")` for none).
pub fn root(items: &[impl AsRef<[u8]>]) -> Hash {
    simple_hash_from_byte_vectors::<TmSha256>(items)
}

/// The left subtree's size for `total` items: the largest power of two below `total`.
fn split_point(total: u64) -> u64 {
    debug_assert!(total >= 2);
    1 << (63 - (total - 1).leading_zeros())
}

/// A proof that the item at `index` of `total` is under a root: its leaf hash and the sibling
/// hashes ("aunts") from the leaf up, the last one a child of the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub total: u64,
    pub index: u64,
    pub leaf_hash: Hash,
    pub aunts: Vec<Hash>,
}

fn proof_error(message: impl Into<String>) -> ProofError {
    ProofError::new(Kind::Inclusion, "merkle.proof", message)
}

impl InclusionProof {
    /// The root this proof leads to, or why its shape cannot be one of a `total`-item tree.
    pub fn compute_root(&self) -> Result<Hash> {
        if self.total == 0 || self.index >= self.total {
            return Err(proof_error(format!(
                "index {} is not within a tree of {} items",
                self.index, self.total
            )));
        }
        if self.aunts.len() > MAX_DEPTH {
            return Err(proof_error(format!(
                "{} aunts: deeper than any tree",
                self.aunts.len()
            )));
        }
        // Walk down from the root, recording on which side the item lies at each split.
        let (mut index, mut total) = (self.index, self.total);
        let mut item_is_left = Vec::with_capacity(self.aunts.len());
        while total > 1 {
            let left = split_point(total);
            if index < left {
                item_is_left.push(true);
                total = left;
            } else {
                item_is_left.push(false);
                index -= left;
                total -= left;
            }
        }
        if item_is_left.len() != self.aunts.len() {
            return Err(proof_error(format!(
                "item {} of {} needs {} aunts, the proof has {}",
                self.index,
                self.total,
                item_is_left.len(),
                self.aunts.len()
            )));
        }
        // Fold back up: the first aunt is the leaf's sibling, the last the root's other child.
        let mut hash = self.leaf_hash;
        for (aunt, is_left) in self.aunts.iter().zip(item_is_left.iter().rev()) {
            hash = if *is_left {
                inner_hash(&hash, aunt)
            } else {
                inner_hash(aunt, &hash)
            };
        }
        Ok(hash)
    }

    /// Checks that `item` is the proven leaf and that the proof reaches `root`.
    pub fn verify(&self, root: &[u8], item: &[u8]) -> Result<()> {
        let leaf = leaf_hash(item);
        if leaf != self.leaf_hash {
            return Err(ProofError::mismatch(
                Kind::Inclusion,
                "merkle.leaf",
                "the item does not hash to the proof's leaf",
                &self.leaf_hash,
                &leaf,
            ));
        }
        let computed = self.compute_root()?;
        if computed != root {
            return Err(ProofError::mismatch(
                Kind::Inclusion,
                "merkle.root",
                "the proof leads to another root",
                root,
                &computed,
            ));
        }
        Ok(())
    }
}

/// The root over `items` and an inclusion proof for each of them.
pub fn proofs(items: &[impl AsRef<[u8]>]) -> (Hash, Vec<InclusionProof>) {
    let leaves: Vec<Hash> = items.iter().map(|i| leaf_hash(i.as_ref())).collect();
    let total = leaves.len() as u64;
    let mut proofs: Vec<InclusionProof> = leaves
        .iter()
        .enumerate()
        .map(|(i, leaf)| InclusionProof {
            total,
            index: i as u64,
            leaf_hash: *leaf,
            aunts: Vec::new(),
        })
        .collect();
    let root = build(&leaves, &mut proofs);
    (root, proofs)
}

/// Hashes a subtree, appending each leaf's sibling on the way up (leaf-first order).
fn build(leaves: &[Hash], proofs: &mut [InclusionProof]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split_point(n as u64) as usize;
            let (left_proofs, right_proofs) = proofs.split_at_mut(k);
            let left = build(&leaves[..k], left_proofs);
            let right = build(&leaves[k..], right_proofs);
            left_proofs.iter_mut().for_each(|p| p.aunts.push(right));
            right_proofs.iter_mut().for_each(|p| p.aunts.push(left));
            inner_hash(&left, &right)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(1 << 40), 1 << 39);
        assert_eq!(split_point((1 << 40) + 1), 1 << 40);
    }

    #[test]
    fn every_proof_of_every_size_verifies_and_matches_the_crate_root() {
        for n in 1..=33usize {
            let items: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; i % 5 + 1]).collect();
            let (built, all) = proofs(&items);
            assert_eq!(built, root(&items), "n={n}");
            for (item, proof) in items.iter().zip(&all) {
                proof.verify(&built, item).unwrap();
                if !proof.aunts.is_empty() {
                    let mut bad = proof.clone();
                    bad.aunts[0][0] ^= 1;
                    assert_eq!(bad.verify(&built, item).unwrap_err().step, "merkle.root");
                }
                let mut short = proof.clone();
                short.aunts.push([0; 32]);
                assert_eq!(short.verify(&built, item).unwrap_err().step, "merkle.proof");
            }
        }
    }
}
