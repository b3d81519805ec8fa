//! Seed strings, their SHA-256 entropy and numpy's `SeedSequence` state derivation.
//!
//! The reference seeds every stream with `get_rng(seed, num_hashes)`: the SHA-256 digests of
//! `"{seed}_0"`, `"{seed}_1"`, ... read as little-endian u32 words form the entropy of a numpy
//! `SeedSequence` (pool size 4), whose `generate_state(4, uint64)` seeds PCG64.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Hashes behind the weight-pool stream (`{block_hash}`).
pub const POOL_HASHES: usize = 4;
/// Hashes behind each nonce's input stream.
pub const INPUT_HASHES: usize = 4;
/// Hashes behind each nonce's permutation stream.
pub const PERMUTATION_HASHES: usize = 1;
/// Hashes behind the block's target stream.
pub const TARGET_HASHES: usize = 1;

const POOL_SIZE: usize = 4;
const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
const XSHIFT: u32 = 16;

/// The seed string of a nonce's input embedding: `{block_hash}_{public_key}_nonce{nonce}`.
pub fn input_seed(block_hash: &str, public_key: &str, nonce: u64) -> String {
    format!("{block_hash}_{public_key}_nonce{nonce}")
}

/// The seed string of a nonce's output permutation.
pub fn permutation_seed(block_hash: &str, public_key: &str, nonce: u64) -> String {
    format!("{block_hash}_{public_key}_nonce_{nonce}_permutations")
}

/// The seed string of the block's target vector.
pub fn target_seed(block_hash: &str) -> String {
    format!("{block_hash}_target")
}

/// The entropy words of `get_rng(seed, num_hashes)`: 8 little-endian u32 words per digest.
pub fn seed_entropy(seed: &str, num_hashes: usize) -> Result<Vec<u32>> {
    if num_hashes == 0 {
        return Err(Error::InvalidInput("num_hashes must be at least 1".into()));
    }
    let mut words = Vec::with_capacity(8 * num_hashes);
    for i in 0..num_hashes {
        let digest = Sha256::digest(format!("{seed}_{i}").as_bytes());
        words.extend(
            digest
                .chunks_exact(4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])),
        );
    }
    Ok(words)
}

/// numpy's `SeedSequence(entropy).generate_state(4, np.uint64)` (no spawn key).
pub fn seed_sequence_state(entropy: &[u32]) -> [u64; 4] {
    let mut hash_const = INIT_A;
    let mut hashmix = |value: u32| {
        let mut v = value ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_A);
        v = v.wrapping_mul(hash_const);
        v ^ (v >> XSHIFT)
    };
    let mix = |x: u32, y: u32| {
        let r = MIX_MULT_L
            .wrapping_mul(x)
            .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
        r ^ (r >> XSHIFT)
    };
    let mut pool = [0u32; POOL_SIZE];
    for (i, slot) in pool.iter_mut().enumerate() {
        *slot = hashmix(entropy.get(i).copied().unwrap_or(0));
    }
    for src in 0..POOL_SIZE {
        for dst in 0..POOL_SIZE {
            if src != dst {
                pool[dst] = mix(pool[dst], hashmix(pool[src]));
            }
        }
    }
    for &word in entropy.iter().skip(POOL_SIZE) {
        for slot in pool.iter_mut() {
            *slot = mix(*slot, hashmix(word));
        }
    }
    let mut hash_const = INIT_B;
    let mut words = [0u32; 8];
    for (k, word) in words.iter_mut().enumerate() {
        let mut v = pool[k % POOL_SIZE] ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_B);
        v = v.wrapping_mul(hash_const);
        *word = v ^ (v >> XSHIFT);
    }
    std::array::from_fn(|k| u64::from(words[2 * k]) | (u64::from(words[2 * k + 1]) << 32))
}

/// The per-parameter hash of the weight pool: the first 4 bytes (big-endian) of
/// SHA-256(`{block_hash}_{name}`).
pub fn name_hash(block_hash: &str, name: &str) -> u32 {
    let digest = Sha256::digest(format!("{block_hash}_{name}").as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_and_state_of_the_spec_vector() {
        let entropy = seed_entropy("TESTBLOCKHASH_testpubkey_nonce0", 4).unwrap();
        assert_eq!(entropy.len(), 32);
        assert_eq!(
            &entropy[..4],
            &[0x731555f1, 0x61061e9e, 0x2a9e3088, 0x9601e09d]
        );
        assert_eq!(
            seed_sequence_state(&entropy),
            [
                0x2d55ebf8f1b2089b,
                0xc05f62801e685b56,
                0x1fa7790aedeeb167,
                0x0742cbbda299dbd7
            ]
        );
    }

    #[test]
    fn zero_hashes_is_rejected() {
        assert!(seed_entropy("x", 0).is_err());
    }

    #[test]
    fn seed_strings_have_the_reference_shapes() {
        assert_eq!(input_seed("BH", "pk", 7), "BH_pk_nonce7");
        assert_eq!(
            permutation_seed("BH", "pk", 7),
            "BH_pk_nonce_7_permutations"
        );
        assert_eq!(target_seed("BH"), "BH_target");
    }

    #[test]
    fn name_hashes_of_the_spec_vectors() {
        let bh = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6";
        assert_eq!(name_hash(bh, "layers.0.attention.wq.weight"), 832304074);
        assert_eq!(name_hash(bh, "layers.0.feed_forward.w1.weight"), 2437157443);
        assert_eq!(name_hash(bh, "norm.weight"), 2788578803);
        assert_eq!(name_hash(bh, "output.weight"), 1442597562);
    }
}
