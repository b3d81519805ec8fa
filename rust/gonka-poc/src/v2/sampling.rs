//! The validator's leaf sampling (a local policy, reproduced bit for bit).
//!
//! `seed = int64(BE64(SHA-256(seed_input)[:8]))`, a Go `math/rand` source with that seed, then a
//! lazy Fisher–Yates shuffle of `0..count`: for `i < m`, `j = i + Intn(count - i)`, swap, emit the
//! value now at `i`. `seed_input` is `"{validator_pubkey}:{sampling_block_hash}:{stage_height}"`,
//! with `":{model_id}"` appended since v0.2.12. With `m >= count` every index is taken, in order.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::gorand::Source;

/// The seed input string; `model_id` is `None` for v0.2.9–v0.2.11.
pub fn seed_input(
    validator_pubkey: &str,
    block_hash: &str,
    stage_height: i64,
    model_id: Option<&str>,
) -> String {
    match model_id {
        Some(model) => format!("{validator_pubkey}:{block_hash}:{stage_height}:{model}"),
        None => format!("{validator_pubkey}:{block_hash}:{stage_height}"),
    }
}

/// The Go seed of a seed input.
pub fn sampling_seed(seed_input: &str) -> i64 {
    let digest = Sha256::digest(seed_input.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// `sample_size` distinct leaf indices of `0..count`.
pub fn sample_leaf_indices(seed_input: &str, count: u32, sample_size: usize) -> Vec<u32> {
    if count == 0 || sample_size == 0 {
        return Vec::new();
    }
    let n = count as usize;
    if sample_size >= n {
        return (0..count).collect();
    }
    let mut rng = Source::new(sampling_seed(seed_input));
    let mut swaps: HashMap<u32, u32> = HashMap::with_capacity(sample_size * 2);
    let mut out = Vec::with_capacity(sample_size);
    for i in 0..sample_size {
        let j = i as i64 + rng.intn((n - i) as i64);
        let (ii, jj) = (i as u32, j as u32);
        let vi = *swaps.get(&ii).unwrap_or(&ii);
        let vj = *swaps.get(&jj).unwrap_or(&jj);
        swaps.insert(ii, vj);
        swaps.insert(jj, vi);
        out.push(vj);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_of_the_spec() {
        assert_eq!(
            sample_leaf_indices(&seed_input("pk", "hash", 100, Some("model-a")), 1000, 10),
            [153, 940, 419, 163, 79, 109, 263, 851, 846, 480]
        );
        assert_eq!(
            sample_leaf_indices(&seed_input("pk", "hash", 100, None), 1000, 10),
            [694, 408, 325, 791, 479, 671, 626, 464, 341, 50]
        );
    }

    #[test]
    fn small_counts_take_everything_and_samples_are_distinct() {
        assert_eq!(sample_leaf_indices("x", 3, 10), [0, 1, 2]);
        assert!(sample_leaf_indices("x", 0, 10).is_empty());
        let mut s = sample_leaf_indices("x", 5000, 200);
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 200);
        assert!(s.iter().all(|&i| i < 5000));
    }
}
