//! The sparse Merkle sum tree that commits a participant's PoC v2 artifacts (one per nonce): a
//! binary tree over nonce bits whose nodes hash their children with the number of leaves below.
//!
//! - leaf: `SHA256(0x00 ‖ LE32(nonce) ‖ vector)`, count 1; an empty subtree of height 0 is
//!   `SHA256(0x00)`, count 0, and of height `h` the node of two empty subtrees of height `h-1`;
//! - node: `SHA256(0x01 ‖ left ‖ right ‖ LE32(count))`, `count = count(left) + count(right)`;
//! - a leaf sits at the path of `u32(nonce)`'s low `depth` bits, most significant first (1 =
//!   right). The depth is 24, or the bit length of the largest nonce (at most 32);
//! - a leaf's dense index is the number of leaves left of it (its rank among the nonces);
//! - a proof is one 36-byte element per level, root to leaf: the sibling's hash and LE32 count.
//!
//! Verification is stricter than the reference (and accepts every honest proof): sums are
//! checked for overflow, elements must be 36 bytes, proofs at most 32 deep, and the nonce must fit
//! the depth the proof implies.
//!
//! Large trees are hashed on all cores (rayon), level by level.
//!
//! The tree keeps the hashes of subtrees with two or more leaves; a single-leaf subtree's hash is
//! recomputed from its leaf when a proof needs it (at most `depth` hashes), which keeps memory
//! near two nodes per artifact however sparse the nonces are.

use std::sync::OnceLock;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Kind, ProofError, Result};

pub type Hash = [u8; 32];

/// The depth of a tree whose nonces all fit 24 bits.
pub const MIN_DEPTH: u32 = 24;
/// The deepest tree: all 32 bits of a nonce.
pub const MAX_DEPTH: u32 = 32;
/// A proof element: sibling hash (32 bytes) then its leaf count (LE32).
pub const ELEMENT_LEN: usize = 36;

/// `SHA256(0x00 ‖ LE32(nonce) ‖ vector)`.
pub fn leaf_hash(nonce: u32, vector: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(nonce.to_le_bytes());
    hasher.update(vector);
    hasher.finalize().into()
}

/// `SHA256(0x01 ‖ left ‖ right ‖ LE32(count))`.
pub fn node_hash(left: &Hash, right: &Hash, count: u32) -> Hash {
    let mut buf = [0u8; 69];
    buf[0] = 1;
    buf[1..33].copy_from_slice(left);
    buf[33..65].copy_from_slice(right);
    buf[65..].copy_from_slice(&count.to_le_bytes());
    Sha256::digest(buf).into()
}

/// The hash of an empty subtree of each height 0..=32.
pub fn empty_hashes() -> &'static [Hash; 33] {
    static EMPTY: OnceLock<[Hash; 33]> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let mut out = [[0u8; 32]; 33];
        out[0] = Sha256::digest([0u8]).into();
        for h in 1..33 {
            out[h] = node_hash(&out[h - 1], &out[h - 1], 0);
        }
        out
    })
}

/// The depth of a tree holding `max_nonce`: 24, or its bit length when longer.
pub fn depth_for(max_nonce: u32) -> u32 {
    (32 - max_nonce.leading_zeros()).max(MIN_DEPTH)
}

/// A proof of one artifact: where it is (dense index, nonce), what it is (vector), and the
/// sibling elements from the root down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumTreeProof {
    pub dense_index: u32,
    pub nonce: u32,
    pub vector: Vec<u8>,
    pub elements: Vec<[u8; ELEMENT_LEN]>,
}

/// A built tree over a set of artifacts.
#[derive(Debug, Clone)]
pub struct SumTree {
    depth: u32,
    root: Hash,
    /// Nonces in ascending order; a leaf's position here is its dense index.
    nonces: Vec<u32>,
    leaf_hashes: Vec<Hash>,
    vector_bytes: Vec<u8>,
    /// `vector_offsets[i]..vector_offsets[i + 1]` is leaf `i`'s vector.
    vector_offsets: Vec<usize>,
    /// For each height `h` in `1..=depth`, the subtrees of two or more leaves, by prefix.
    levels: Vec<Vec<(u32, Hash)>>,
}

fn sum_tree_error(step: &'static str, message: impl Into<String>) -> ProofError {
    ProofError::new(Kind::SumTree, step, message)
}

impl SumTree {
    /// Builds the tree of `(nonce, vector)` artifacts; a nonce may appear once.
    pub fn build<'a>(artifacts: impl IntoIterator<Item = (u32, &'a [u8])>) -> Result<Self> {
        let mut items: Vec<(u32, &'a [u8])> = artifacts.into_iter().collect();
        if items.len() > u32::MAX as usize {
            return Err(sum_tree_error(
                "smst.count",
                "more artifacts than a u32 count holds",
            ));
        }
        items.sort_unstable_by_key(|(nonce, _)| *nonce);
        if let Some(pair) = items.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(sum_tree_error(
                "smst.duplicate",
                format!("nonce {} appears twice", pair[0].0),
            ));
        }
        let depth = items
            .last()
            .map_or(MIN_DEPTH, |(nonce, _)| depth_for(*nonce));
        let nonces: Vec<u32> = items.iter().map(|(nonce, _)| *nonce).collect();
        let leaf_hashes: Vec<Hash> = if items.len() >= PARALLEL_NODES {
            items
                .par_iter()
                .map(|(nonce, vector)| leaf_hash(*nonce, vector))
                .collect()
        } else {
            items
                .iter()
                .map(|(nonce, vector)| leaf_hash(*nonce, vector))
                .collect()
        };
        let mut vector_offsets = Vec::with_capacity(items.len() + 1);
        vector_offsets.push(0);
        let mut vector_bytes = Vec::with_capacity(items.iter().map(|(_, v)| v.len()).sum());
        for (_, vector) in &items {
            vector_bytes.extend_from_slice(vector);
            vector_offsets.push(vector_bytes.len());
        }
        let (root, levels) = build_levels(&nonces, &leaf_hashes, depth);
        Ok(Self {
            depth,
            root,
            nonces,
            leaf_hashes,
            vector_bytes,
            vector_offsets,
            levels,
        })
    }

    pub fn root(&self) -> Hash {
        self.root
    }

    pub fn count(&self) -> u32 {
        self.nonces.len() as u32
    }

    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The nonces in ascending (dense index) order.
    pub fn nonces(&self) -> &[u32] {
        &self.nonces
    }

    /// The rank of `nonce` among the tree's nonces, if present.
    pub fn dense_index(&self, nonce: u32) -> Option<u32> {
        self.nonces.binary_search(&nonce).ok().map(|i| i as u32)
    }

    pub fn vector(&self, dense_index: u32) -> Option<&[u8]> {
        let i = dense_index as usize;
        let (start, end) = (
            *self.vector_offsets.get(i)?,
            *self.vector_offsets.get(i + 1)?,
        );
        Some(&self.vector_bytes[start..end])
    }

    /// The proof of the artifact with `nonce`.
    pub fn proof(&self, nonce: u32) -> Option<SumTreeProof> {
        self.proof_at(self.dense_index(nonce)?)
    }

    /// The proof of the artifact at `dense_index`.
    pub fn proof_at(&self, dense_index: u32) -> Option<SumTreeProof> {
        let nonce = *self.nonces.get(dense_index as usize)?;
        let mut elements = vec![[0u8; ELEMENT_LEN]; self.depth as usize];
        for height in 0..self.depth {
            let sibling = (nonce >> height) ^ 1;
            let (hash, count) = self.subtree(height, sibling);
            // Elements run root to leaf: the leaf's sibling (height 0) is the last.
            let element = &mut elements[(self.depth - 1 - height) as usize];
            element[..32].copy_from_slice(&hash);
            element[32..].copy_from_slice(&count.to_le_bytes());
        }
        Some(SumTreeProof {
            dense_index,
            nonce,
            vector: self.vector(dense_index)?.to_vec(),
            elements,
        })
    }

    /// The leaves (as a dense index range) under the subtree of `height` at `prefix`.
    fn leaf_range(&self, height: u32, prefix: u32) -> (usize, usize) {
        let low = u64::from(prefix) << height;
        let high = (u64::from(prefix) + 1) << height;
        let start = self.nonces.partition_point(|&n| u64::from(n) < low);
        let end = self.nonces.partition_point(|&n| u64::from(n) < high);
        (start, end)
    }

    /// Hash and count of the subtree of `height` at `prefix`.
    fn subtree(&self, height: u32, prefix: u32) -> (Hash, u32) {
        let (start, end) = self.leaf_range(height, prefix);
        let count = (end - start) as u32;
        match count {
            0 => (empty_hashes()[height as usize], 0),
            1 => (self.single_leaf_subtree(start, height), 1),
            _ => {
                let level = &self.levels[(height - 1) as usize];
                let at = level
                    .binary_search_by_key(&prefix, |(p, _)| *p)
                    .expect("every subtree of two or more leaves is stored");
                (level[at].1, count)
            }
        }
    }

    /// The hash of the subtree of `height` holding only leaf `index`.
    fn single_leaf_subtree(&self, index: usize, height: u32) -> Hash {
        let nonce = self.nonces[index];
        let empty = empty_hashes();
        let mut hash = self.leaf_hashes[index];
        for h in 0..height {
            hash = if (nonce >> h) & 1 == 1 {
                node_hash(&empty[h as usize], &hash, 1)
            } else {
                node_hash(&hash, &empty[h as usize], 1)
            };
        }
        hash
    }
}

/// Levels at least this large are hashed on all cores, in chunks of about `PARALLEL_CHUNK`.
const PARALLEL_NODES: usize = 1 << 15;
const PARALLEL_CHUNK: usize = 1 << 14;

/// The parents of a run of sorted non-empty nodes `(prefix, count, hash)` that holds both
/// children of each parent it touches; an absent child is the empty subtree `below`.
fn parents(nodes: &[(u32, u32, Hash)], below: &Hash) -> Vec<(u32, u32, Hash)> {
    let mut out = Vec::with_capacity(nodes.len() / 2 + 1);
    let mut i = 0;
    while i < nodes.len() {
        let (prefix, count, hash) = nodes[i];
        let paired = prefix & 1 == 0 && i + 1 < nodes.len() && nodes[i + 1].0 == prefix | 1;
        let (parent_count, parent_hash) = if paired {
            let (_, right_count, right_hash) = nodes[i + 1];
            i += 2;
            let total = count + right_count;
            (total, node_hash(&hash, &right_hash, total))
        } else if prefix & 1 == 0 {
            i += 1;
            (count, node_hash(&hash, below, count))
        } else {
            i += 1;
            (count, node_hash(below, &hash, count))
        };
        out.push((prefix >> 1, parent_count, parent_hash));
    }
    out
}

/// Hashes the tree level by level from the leaves; keeps the nodes of two or more leaves.
fn build_levels(nonces: &[u32], leaf_hashes: &[Hash], depth: u32) -> (Hash, Vec<Vec<(u32, Hash)>>) {
    let empty = empty_hashes();
    if nonces.is_empty() {
        return (empty[depth as usize], vec![Vec::new(); depth as usize]);
    }
    // The non-empty nodes of the current height: (prefix, count, hash).
    let mut current: Vec<(u32, u32, Hash)> = nonces
        .iter()
        .zip(leaf_hashes)
        .map(|(&nonce, hash)| (nonce, 1, *hash))
        .collect();
    let mut levels = Vec::with_capacity(depth as usize);
    for height in 1..=depth {
        let below = &empty[(height - 1) as usize];
        let next = if current.len() >= PARALLEL_NODES {
            // Chunks that end where a parent ends (no sibling pair split), hashed in parallel.
            let mut bounds = vec![0];
            let mut at = PARALLEL_CHUNK;
            while at < current.len() {
                while at < current.len() && current[at].0 >> 1 == current[at - 1].0 >> 1 {
                    at += 1;
                }
                bounds.push(at);
                at += PARALLEL_CHUNK;
            }
            bounds.push(current.len());
            bounds.dedup();
            bounds
                .par_windows(2)
                .map(|w| parents(&current[w[0]..w[1]], below))
                .collect::<Vec<_>>()
                .concat()
        } else {
            parents(&current, below)
        };
        levels.push(
            next.iter()
                .filter(|(_, count, _)| *count >= 2)
                .map(|(prefix, _, hash)| (*prefix, *hash))
                .collect(),
        );
        current = next;
    }
    (current[0].2, levels)
}

/// Verifies that the artifact `(nonce, vector)` is leaf `dense_index` of a tree with `root` and
/// `count` leaves, given its proof `elements` (root to leaf).
///
/// A zero `count` or a `dense_index` not below it can match no proof: the computed count (at
/// least 1) or the leaves left of the artifact (at most `count - 1`) then differ, and the step
/// named is the one whose input is wrong.
pub fn verify(
    root: &[u8],
    count: u32,
    dense_index: u32,
    nonce: u32,
    vector: &[u8],
    elements: &[impl AsRef<[u8]>],
) -> Result<()> {
    let depth = elements.len();
    if depth == 0 {
        return Err(sum_tree_error("smst.proof", "the proof has no elements"));
    }
    if depth > MAX_DEPTH as usize {
        return Err(sum_tree_error(
            "smst.depth",
            format!("the proof has {depth} elements; a tree is at most {MAX_DEPTH} deep"),
        ));
    }
    if root.len() != 32 {
        return Err(sum_tree_error(
            "smst.root",
            format!("a root is 32 bytes, got {}", root.len()),
        ));
    }
    if depth < 32 && (nonce >> depth) != 0 {
        return Err(sum_tree_error(
            "smst.nonce",
            format!("nonce {nonce} does not fit the {depth} levels of the proof"),
        ));
    }
    let mut hash = leaf_hash(nonce, vector);
    let mut subtree_count: u32 = 1;
    let mut left_of_leaf: u32 = 0;
    for (level, element) in elements.iter().enumerate().rev() {
        let element = element.as_ref();
        if element.len() != ELEMENT_LEN {
            return Err(sum_tree_error(
                "smst.element",
                format!(
                    "element {level} is {} bytes, elements are {ELEMENT_LEN}",
                    element.len()
                ),
            ));
        }
        let sibling: &Hash = element[..32].try_into().expect("32 bytes");
        let sibling_count = u32::from_le_bytes(element[32..].try_into().expect("4 bytes"));
        let overflow = || {
            sum_tree_error(
                "smst.count",
                format!("the leaf counts of the proof overflow at element {level}"),
            )
        };
        subtree_count = subtree_count
            .checked_add(sibling_count)
            .ok_or_else(overflow)?;
        let goes_right = (nonce >> (depth - 1 - level)) & 1 == 1;
        hash = if goes_right {
            left_of_leaf = left_of_leaf
                .checked_add(sibling_count)
                .ok_or_else(overflow)?;
            node_hash(sibling, &hash, subtree_count)
        } else {
            node_hash(&hash, sibling, subtree_count)
        };
    }
    if subtree_count != count {
        return Err(ProofError::mismatch(
            Kind::SumTree,
            "smst.count",
            &format!("the proof sums to {subtree_count} leaves, the commitment says {count}"),
            &count.to_be_bytes(),
            &subtree_count.to_be_bytes(),
        ));
    }
    if left_of_leaf != dense_index {
        return Err(ProofError::mismatch(
            Kind::SumTree,
            "smst.dense_index",
            &format!(
                "the proof puts {left_of_leaf} leaves left of the artifact, not {dense_index}"
            ),
            &dense_index.to_be_bytes(),
            &left_of_leaf.to_be_bytes(),
        ));
    }
    if hash != root {
        return Err(ProofError::mismatch(
            Kind::SumTree,
            "smst.root",
            "the proof leads to another root",
            root,
            &hash,
        ));
    }
    Ok(())
}

impl SumTreeProof {
    pub fn verify(&self, root: &[u8], count: u32) -> Result<()> {
        verify(
            root,
            count,
            self.dense_index,
            self.nonce,
            &self.vector,
            &self.elements,
        )
    }
}

/// One proof to check in a batch, borrowing its parts.
#[derive(Debug, Clone, Copy)]
pub struct ProofRef<'a> {
    pub dense_index: u32,
    pub nonce: u32,
    pub vector: &'a [u8],
    pub elements: &'a [Vec<u8>],
}

/// Verifies many proofs against one commitment (in parallel for large batches); one result per
/// proof, in order.
pub fn verify_batch(root: &[u8], count: u32, proofs: &[ProofRef<'_>]) -> Vec<Result<()>> {
    let check =
        |p: &ProofRef<'_>| verify(root, count, p.dense_index, p.nonce, p.vector, p.elements);
    // Below this, spreading the work costs more than it saves (a proof is ~25 hashes).
    const PARALLEL_FROM: usize = 64;
    if proofs.len() < PARALLEL_FROM {
        proofs.iter().map(check).collect()
    } else {
        proofs.par_iter().map(check).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_tree_root_matches_the_reference() {
        let tree = SumTree::build(std::iter::empty()).unwrap();
        assert_eq!(
            hex::encode(tree.root()),
            "c37ff3c98906a0a22cd65891ae94f8a25146c7c168c648470b4a827005660991"
        );
        assert_eq!(tree.count(), 0);
        assert_eq!(tree.depth(), 24);
        assert!(tree.proof_at(0).is_none());
    }

    /// The root of a tree computed the slow, obvious way: recursion over every position.
    fn naive_root(leaves: &[(u32, Vec<u8>)], depth: u32) -> (Hash, u32) {
        fn go(leaves: &[(u32, Vec<u8>)], height: u32, prefix: u64) -> (Hash, u32) {
            let inside: Vec<_> = leaves
                .iter()
                .filter(|(n, _)| u64::from(*n) >> height == prefix)
                .collect();
            if inside.is_empty() {
                return (empty_hashes()[height as usize], 0);
            }
            if height == 0 {
                return (leaf_hash(inside[0].0, &inside[0].1), 1);
            }
            let (l, lc) = go(leaves, height - 1, prefix << 1);
            let (r, rc) = go(leaves, height - 1, (prefix << 1) | 1);
            (node_hash(&l, &r, lc + rc), lc + rc)
        }
        go(leaves, depth, 0)
    }

    #[test]
    fn roots_proofs_and_dense_indices_agree_with_a_naive_tree() {
        // Small depth trees are exercised through the real depth by using nonces near 2^24.
        let sets: Vec<Vec<u32>> = vec![
            vec![0],
            vec![0, 1],
            vec![5, 9, 1 << 23, (1 << 24) - 1],
            vec![1 << 24, 3],
            vec![u32::MAX, 0, 77],
        ];
        for nonces in sets {
            let leaves: Vec<(u32, Vec<u8>)> = nonces
                .iter()
                .map(|&n| (n, vec![(n & 0xff) as u8, 0xab]))
                .collect();
            let tree = SumTree::build(leaves.iter().map(|(n, v)| (*n, v.as_slice()))).unwrap();
            let depth = depth_for(*nonces.iter().max().unwrap());
            // The naive recursion is exponential in depth: check it only on the shallow sets.
            if nonces.len() <= 2 && depth == 24 {
                assert_eq!((tree.root(), tree.count()), naive_root(&leaves, depth));
            }
            let mut sorted = nonces.clone();
            sorted.sort_unstable();
            for (rank, nonce) in sorted.iter().enumerate() {
                assert_eq!(tree.dense_index(*nonce), Some(rank as u32));
                let proof = tree.proof(*nonce).unwrap();
                assert_eq!(proof.elements.len(), tree.depth() as usize);
                proof.verify(&tree.root(), tree.count()).unwrap();
            }
        }
    }

    #[test]
    fn parallel_levels_hash_like_sequential_ones() {
        // Enough nodes for the chunked parallel path, with runs of siblings across chunk bounds.
        let mut state = 0x9e3779b97f4a7c15u64;
        let mut nonces: Vec<u32> = (0..100_000u32).map(|i| i * 3 / 2).collect();
        nonces.extend((0..60_000).map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u32 | 1 << 31
        }));
        nonces.sort_unstable();
        nonces.dedup();
        let vector = [7u8; 4];
        let tree = SumTree::build(nonces.iter().map(|n| (*n, &vector[..]))).unwrap();
        let leaves: Vec<Hash> = nonces.iter().map(|n| leaf_hash(*n, &vector)).collect();
        let mut current: Vec<(u32, u32, Hash)> = nonces
            .iter()
            .zip(&leaves)
            .map(|(n, h)| (*n, 1, *h))
            .collect();
        for height in 1..=tree.depth() {
            current = parents(&current, &empty_hashes()[(height - 1) as usize]);
        }
        assert_eq!(tree.root(), current[0].2);
        assert_eq!(tree.count(), current[0].1);
        for i in [0, 77_777, nonces.len() as u32 - 1] {
            tree.proof_at(i)
                .unwrap()
                .verify(&tree.root(), tree.count())
                .unwrap();
        }
    }

    #[test]
    fn duplicates_are_refused() {
        let v: &[u8] = b"x";
        let err = SumTree::build([(3, v), (3, v)]).unwrap_err();
        assert_eq!(err.step, "smst.duplicate");
    }

    #[test]
    fn verification_rejects_malformed_proofs() {
        let v: &[u8] = b"v";
        let tree = SumTree::build([(1, v), (2, v)]).unwrap();
        let proof = tree.proof(2).unwrap();
        let root = tree.root();
        let no_elements: [[u8; 36]; 0] = [];
        assert_eq!(
            verify(&root, 2, 1, 2, v, &no_elements).unwrap_err().step,
            "smst.proof"
        );
        let deep = vec![[0u8; 36]; 33];
        assert_eq!(
            verify(&root, 2, 1, 2, v, &deep).unwrap_err().step,
            "smst.depth"
        );
        assert_eq!(
            verify(&root, 0, 0, 2, v, &proof.elements).unwrap_err().step,
            "smst.count"
        );
        assert_eq!(
            verify(&root, 2, 2, 2, v, &proof.elements).unwrap_err().step,
            "smst.dense_index"
        );
        assert_eq!(
            verify(&root, 2, 1, 1 << 24, v, &proof.elements)
                .unwrap_err()
                .step,
            "smst.nonce"
        );
        let mut short: Vec<Vec<u8>> = proof.elements.iter().map(|e| e.to_vec()).collect();
        short[3].pop();
        assert_eq!(
            verify(&root, 2, 1, 2, v, &short).unwrap_err().step,
            "smst.element"
        );
        let mut overflowing = proof.elements.clone();
        overflowing[0][32..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            verify(&root, 2, 1, 2, v, &overflowing).unwrap_err().step,
            "smst.count"
        );
        assert_eq!(
            verify(&root[..31], 2, 1, 2, v, &proof.elements)
                .unwrap_err()
                .step,
            "smst.root"
        );
    }
}
