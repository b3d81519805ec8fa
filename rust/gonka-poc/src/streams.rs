//! The protocol's random streams, written into caller-owned buffers across threads.
//!
//! Each nonce's inputs and permutation are an independent stream, so batches run in parallel
//! over nonces. The weight pool is one long stream, generated in parallel by [`crate::pool`].

use rayon::prelude::*;

use crate::convert::Element;
use crate::error::{Error, Result};
use crate::generator::Generator;
use crate::pool;
use crate::seed::{
    input_seed, permutation_seed, target_seed, INPUT_HASHES, PERMUTATION_HASHES, POOL_HASHES,
    TARGET_HASHES,
};

/// Mean of the weight-pool normals.
pub const POOL_LOC: f64 = 0.0;
/// Standard deviation of the weight-pool normals.
pub const POOL_SCALE: f64 = 0.02;

fn check_len(what: &str, len: usize, expected: usize) -> Result<()> {
    if len != expected {
        return Err(Error::InvalidInput(format!(
            "{what} holds {len} values, expected {expected}"
        )));
    }
    Ok(())
}

/// Inputs of many nonces: nonce `i`'s `per_nonce` = seq_len·dim standard normals (row-major)
/// go to `out[i·per_nonce ..]`, converted to `T`.
pub fn inputs<T: Element>(
    block_hash: &str,
    public_key: &str,
    nonces: &[u64],
    per_nonce: usize,
    out: &mut [T],
) -> Result<()> {
    let expected = nonces
        .len()
        .checked_mul(per_nonce)
        .ok_or_else(|| Error::InvalidInput("inputs size overflows".into()))?;
    check_len("out", out.len(), expected)?;
    if per_nonce == 0 {
        return Ok(());
    }
    out.par_chunks_mut(per_nonce)
        .zip(nonces.par_iter())
        .try_for_each(|(slot, &nonce)| {
            Generator::from_seed(&input_seed(block_hash, public_key, nonce), INPUT_HASHES)
                .map(|mut rng| rng.fill_standard_normal(slot))
        })
}

/// Output permutations of many nonces: nonce `i`'s `permutation(vocab_size)` goes to
/// `out[i·vocab_size ..]`.
pub fn permutations(
    block_hash: &str,
    public_key: &str,
    nonces: &[u64],
    vocab_size: usize,
    out: &mut [i64],
) -> Result<()> {
    let expected = nonces
        .len()
        .checked_mul(vocab_size)
        .ok_or_else(|| Error::InvalidInput("permutations size overflows".into()))?;
    check_len("out", out.len(), expected)?;
    if vocab_size == 0 {
        return Ok(());
    }
    out.par_chunks_mut(vocab_size)
        .zip(nonces.par_iter())
        .try_for_each(|(slot, &nonce)| {
            let seed = permutation_seed(block_hash, public_key, nonce);
            Generator::from_seed(&seed, PERMUTATION_HASHES)
                .map(|mut rng| rng.fill_permutation(slot))
        })
}

/// The block's target direction before normalization: `standard_normal(vocab_size)`.
pub fn target_normals(block_hash: &str, vocab_size: usize) -> Result<Vec<f64>> {
    Ok(Generator::from_seed(&target_seed(block_hash), TARGET_HASHES)?.standard_normal(vocab_size))
}

/// The weight pool: `normal(0, 0.02, out.len())` of `get_rng(block_hash, 4)`, converted to `T`
/// (float16 bits = f16(f32(x)), the reference's cast). Parallel over all threads, bit-exact.
pub fn weight_pool<T: Element>(block_hash: &str, out: &mut [T]) -> Result<()> {
    let rng = Generator::from_seed(block_hash, POOL_HASHES)?.bit_generator();
    pool::fill_normal(rng, POOL_LOC, POOL_SCALE, out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::f16_bits_to_f32;

    const BH: &str = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6";
    const PK: &str = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc";
    const PER_NONCE: usize = 256 * 1792;

    fn half(h: u16) -> f64 {
        f64::from(f16_bits_to_f32(h))
    }

    #[test]
    fn production_inputs_of_the_spec() {
        let mut out = vec![0u16; 2 * PER_NONCE];
        inputs(BH, PK, &[0, 7], PER_NONCE, &mut out).unwrap();
        let (n0, n7) = out.split_at(PER_NONCE);
        let first: Vec<f64> = n0[..4].iter().map(|&h| half(h)).collect();
        assert_eq!(
            first,
            [
                0.256103515625,
                -0.5107421875,
                0.2352294921875,
                -0.51904296875
            ]
        );
        let last: Vec<f64> = n0[PER_NONCE - 2..].iter().map(|&h| half(h)).collect();
        assert_eq!(last, [-0.11578369140625, 1.0556640625]);
        // The spec sums the fp16 values as float64 with numpy (pairwise); a sequential sum
        // agrees to far better than the tolerance here.
        let sum0: f64 = n0.iter().map(|&h| half(h)).sum();
        assert!((sum0 - -421.1707901954651).abs() < 1e-9, "{sum0}");
        let first7: Vec<f64> = n7[..4].iter().map(|&h| half(h)).collect();
        assert_eq!(
            first7,
            [-0.59326171875, -0.4892578125, 1.1689453125, 0.4794921875]
        );
        let sum7: f64 = n7.iter().map(|&h| half(h)).sum();
        assert!((sum7 - 280.7256826162338).abs() < 1e-9, "{sum7}");
    }

    #[test]
    fn production_permutations_of_the_spec() {
        let mut out = vec![0i64; 2 * 8196];
        permutations(BH, PK, &[0, 7], 8196, &mut out).unwrap();
        assert_eq!(&out[..6], &[4071, 2956, 7159, 1681, 7763, 3963]);
        assert_eq!(&out[8196 - 3..8196], &[35, 7046, 4916]);
        assert_eq!(&out[8196..8196 + 6], &[5037, 2593, 3060, 1550, 5058, 3342]);
    }

    #[test]
    fn production_target_normals_point_at_the_spec_target() {
        let y = target_normals(BH, 8196).unwrap();
        let norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
        let expected = [
            -0.012367468468588053,
            -0.003096141408412085,
            0.0019400000105959253,
        ];
        for (v, e) in y.iter().zip(expected) {
            assert!((v / norm - e).abs() < 1e-15);
        }
        assert!((y[8195] / norm - 0.01570632893240723).abs() < 1e-15);
    }

    #[test]
    fn pool_head_of_the_spec() {
        let mut pool64 = vec![0f64; 3];
        weight_pool(BH, &mut pool64).unwrap();
        assert_eq!(
            pool64,
            [
                -0.055805744210791,
                0.036632672800703626,
                -0.007640504000402615
            ]
        );
        let mut pool16 = vec![0u16; 4];
        weight_pool(BH, &mut pool16).unwrap();
        let values: Vec<f64> = pool16.iter().map(|&h| half(h)).collect();
        assert_eq!(
            values,
            [
                -0.055816650390625,
                0.03662109375,
                -0.007640838623046875,
                0.010284423828125
            ]
        );
    }

    #[test]
    fn batch_streams_check_the_buffer_length() {
        let mut out = vec![0f32; 10];
        assert!(inputs(BH, PK, &[0, 1], 4, &mut out).is_err());
        let mut perm = vec![0i64; 10];
        assert!(permutations(BH, PK, &[0], 11, &mut perm).is_err());
        assert!(inputs(BH, PK, &[], 0, &mut [0f32; 0]).is_ok());
    }

    #[test]
    fn batch_inputs_equal_one_generator_per_nonce() {
        let nonces = [3u64, 0, 1 << 40, 12];
        let per = 300;
        let mut out = vec![0f64; nonces.len() * per];
        inputs(BH, PK, &nonces, per, &mut out).unwrap();
        for (i, &nonce) in nonces.iter().enumerate() {
            let mut g = Generator::from_seed(&input_seed(BH, PK, nonce), 4).unwrap();
            assert_eq!(
                &out[i * per..(i + 1) * per],
                g.standard_normal(per).as_slice()
            );
        }
    }
}
