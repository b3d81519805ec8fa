//! The legacy PoC v2 commitment (before the sum tree): a Merkle mountain range over artifacts in
//! insertion order.
//!
//! - leaf: `SHA256(0x00 ‖ leaf bytes)`, node: `SHA256(0x01 ‖ left ‖ right)` (no counts);
//! - the mountains are the perfect trees of the binary decomposition of the leaf count, largest
//!   (leftmost) first; the root bags their peaks right to left:
//!   `node(p0, node(p1, … node(p[k-2], p[k-1])))`;
//! - a proof is the leaf's siblings inside its mountain, bottom up, then the other peaks left to
//!   right. Surplus elements are refused (the reference ignores them; honest proofs have none).

use sha2::{Digest, Sha256};

use crate::error::{Kind, ProofError, Result};

pub type Hash = [u8; 32];

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(data);
    hasher.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

fn mmr_error(step: &'static str, message: impl Into<String>) -> ProofError {
    ProofError::new(Kind::SumTree, step, message)
}

/// The mountains of `count` leaves: (first leaf, height), left to right.
fn mountains(count: u64) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    let mut start = 0;
    for height in (0..64).rev() {
        if count & (1 << height) != 0 {
            out.push((start, height));
            start += 1 << height;
        }
    }
    out
}

fn bag(peaks: &[Hash]) -> Hash {
    let (last, rest) = peaks.split_last().expect("at least one peak");
    rest.iter()
        .rev()
        .fold(*last, |acc, peak| node_hash(peak, &acc))
}

/// A built mountain range: every level of every mountain, for proofs.
#[derive(Debug, Clone)]
pub struct Mmr {
    count: u64,
    /// Per mountain, its levels from the leaves up (the last level is the peak).
    mountains: Vec<Vec<Vec<Hash>>>,
}

impl Mmr {
    /// Builds the range over `leaves` (each the leaf bytes `LE32(nonce) ‖ vector`), in order.
    pub fn build(leaves: &[impl AsRef<[u8]>]) -> Result<Self> {
        if leaves.is_empty() {
            return Err(mmr_error(
                "mmr.empty",
                "a mountain range needs at least one leaf",
            ));
        }
        let count = leaves.len() as u64;
        let mountains = mountains(count)
            .into_iter()
            .map(|(start, height)| {
                let mut levels = vec![leaves[start as usize..(start + (1 << height)) as usize]
                    .iter()
                    .map(|leaf| leaf_hash(leaf.as_ref()))
                    .collect::<Vec<_>>()];
                for _ in 0..height {
                    let below = levels.last().expect("a level");
                    let above = below
                        .chunks_exact(2)
                        .map(|pair| node_hash(&pair[0], &pair[1]))
                        .collect();
                    levels.push(above);
                }
                levels
            })
            .collect();
        Ok(Self { count, mountains })
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    fn peaks(&self) -> Vec<Hash> {
        self.mountains
            .iter()
            .map(|levels| levels.last().expect("a level")[0])
            .collect()
    }

    pub fn root(&self) -> Hash {
        bag(&self.peaks())
    }

    /// The proof of leaf `index`.
    pub fn proof(&self, index: u64) -> Option<Vec<Hash>> {
        if index >= self.count {
            return None;
        }
        let layout = mountains(self.count);
        let which = layout
            .iter()
            .position(|(start, height)| index < start + (1u64 << height))?;
        let mut local = (index - layout[which].0) as usize;
        let levels = &self.mountains[which];
        let mut proof = Vec::new();
        for level in &levels[..levels.len() - 1] {
            proof.push(level[local ^ 1]);
            local /= 2;
        }
        let peaks = self.peaks();
        proof.extend(
            peaks
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != which)
                .map(|(_, peak)| *peak),
        );
        Some(proof)
    }
}

/// Verifies that `leaf` is leaf `index` of a range of `count` leaves with `root`.
pub fn verify(
    root: &[u8],
    count: u64,
    index: u64,
    leaf: &[u8],
    proof: &[impl AsRef<[u8]>],
) -> Result<()> {
    if count == 0 || index >= count {
        return Err(mmr_error(
            "mmr.index",
            format!("leaf {index} is not within {count} leaves"),
        ));
    }
    let layout = mountains(count);
    let which = layout
        .iter()
        .position(|(start, height)| index < start + (1u64 << height))
        .expect("every index below count is in a mountain");
    let (start, height) = layout[which];
    let needed = height as usize + layout.len() - 1;
    if proof.len() != needed {
        return Err(mmr_error(
            "mmr.proof",
            format!(
                "leaf {index} of {count} needs {needed} proof elements, got {}",
                proof.len()
            ),
        ));
    }
    let element = |i: usize| -> Result<Hash> {
        proof[i]
            .as_ref()
            .try_into()
            .map_err(|_| mmr_error("mmr.proof", format!("element {i} is not 32 bytes")))
    };
    let mut hash = leaf_hash(leaf);
    let mut local = index - start;
    for i in 0..height as usize {
        let sibling = element(i)?;
        hash = if local & 1 == 0 {
            node_hash(&hash, &sibling)
        } else {
            node_hash(&sibling, &hash)
        };
        local >>= 1;
    }
    let mut peaks = Vec::with_capacity(layout.len());
    let mut others = height as usize..proof.len();
    for i in 0..layout.len() {
        if i == which {
            peaks.push(hash);
        } else {
            peaks.push(element(others.next().expect("counted above"))?);
        }
    }
    let computed = bag(&peaks);
    if computed != root {
        return Err(ProofError::mismatch(
            Kind::SumTree,
            "mmr.root",
            "the proof leads to another root",
            root,
            &computed,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leaf_of_every_size_proves() {
        for n in 1..=20u32 {
            let leaves: Vec<Vec<u8>> = (0..n).map(|i| i.to_le_bytes().to_vec()).collect();
            let mmr = Mmr::build(&leaves).unwrap();
            let root = mmr.root();
            for (i, leaf) in leaves.iter().enumerate() {
                let proof = mmr.proof(i as u64).unwrap();
                verify(&root, n as u64, i as u64, leaf, &proof).unwrap();
                assert_eq!(
                    verify(&root, n as u64, i as u64, b"other", &proof)
                        .unwrap_err()
                        .step,
                    "mmr.root"
                );
                let mut longer = proof.clone();
                longer.push([0; 32]);
                assert_eq!(
                    verify(&root, n as u64, i as u64, leaf, &longer)
                        .unwrap_err()
                        .step,
                    "mmr.proof"
                );
            }
            assert!(mmr.proof(n as u64).is_none());
        }
    }
}
