//! A numpy-compatible `Generator`: `np.random.default_rng(np.random.SeedSequence(entropy))`.

use crate::convert::Element;
use crate::error::Result;
use crate::pcg64::{BitSource, BlockBits, Pcg64};
use crate::seed::{seed_entropy, seed_sequence_state};
use crate::ziggurat::draw_normals;

/// Normals are drawn in blocks of this many before their element conversion.
const DRAW_BLOCK: usize = 256;

/// numpy's `Generator(PCG64(SeedSequence(entropy)))`, draw for draw.
#[derive(Clone, Debug)]
pub struct Generator {
    rng: Pcg64,
    /// The high half of a u64 whose low half `next_u32` already returned (numpy's `has_uint32`).
    buffered_u32: Option<u32>,
}

impl Generator {
    pub fn from_entropy(entropy: &[u32]) -> Self {
        Generator {
            rng: Pcg64::from_seed_state(seed_sequence_state(entropy)),
            buffered_u32: None,
        }
    }

    /// The reference's `get_rng(seed, num_hashes)`.
    pub fn from_seed(seed: &str, num_hashes: usize) -> Result<Self> {
        Ok(Self::from_entropy(&seed_entropy(seed, num_hashes)?))
    }

    /// The underlying PCG64 state (the buffered u32, if any, is not part of it).
    pub fn bit_generator(&self) -> Pcg64 {
        self.rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Low half of a fresh u64 first, then its buffered high half.
    pub fn next_u32(&mut self) -> u32 {
        if let Some(high) = self.buffered_u32.take() {
            return high;
        }
        let value = self.rng.next_u64();
        self.buffered_u32 = Some((value >> 32) as u32);
        value as u32
    }

    pub fn next_double(&mut self) -> f64 {
        self.rng.next_double()
    }

    /// `standard_normal(out.len())`, converted to `T`.
    pub fn fill_standard_normal<T: Element>(&mut self, out: &mut [T]) {
        self.fill_mapped(|z| z, out);
    }

    /// `normal(loc, scale, out.len())` = loc + scale·z element-wise, converted to `T`.
    pub fn fill_normal<T: Element>(&mut self, loc: f64, scale: f64, out: &mut [T]) {
        self.fill_mapped(|z| loc + scale * z, out);
    }

    fn fill_mapped<T: Element>(&mut self, map: impl Fn(f64) -> f64, out: &mut [T]) {
        let mut bits = BlockBits::new(self.rng, 0);
        fill_normals(&mut bits, map, out);
        self.rng = bits.into_state();
    }

    pub fn standard_normal(&mut self, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        self.fill_standard_normal(&mut out);
        out
    }

    /// numpy's `random_interval`: uniform in [0, max] by masked rejection.
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        if max <= u64::from(u32::MAX) {
            loop {
                let value = u64::from(self.next_u32()) & mask;
                if value <= max {
                    return value;
                }
            }
        }
        loop {
            let value = self.next_u64() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// `permutation(out.len())`: arange then numpy's Fisher–Yates shuffle.
    pub fn fill_permutation(&mut self, out: &mut [i64]) {
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = i as i64;
        }
        for i in (1..out.len()).rev() {
            let j = self.random_interval(i as u64) as usize;
            out.swap(i, j);
        }
    }

    pub fn permutation(&mut self, n: usize) -> Vec<i64> {
        let mut out = vec![0; n];
        self.fill_permutation(&mut out);
        out
    }
}

/// Draws `out.len()` normals from `bits`, each mapped through `map` then converted to `T`.
pub(crate) fn fill_normals<T: Element>(
    bits: &mut BlockBits,
    map: impl Fn(f64) -> f64,
    out: &mut [T],
) {
    let mut block = [0.0f64; DRAW_BLOCK];
    for chunk in out.chunks_mut(DRAW_BLOCK) {
        let block = &mut block[..chunk.len()];
        let drawn = draw_normals(bits, block, u64::MAX);
        debug_assert_eq!(drawn, block.len());
        for value in block.iter_mut() {
            *value = map(*value);
        }
        T::convert(block, chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ziggurat::standard_normal;

    fn spec_generator() -> Generator {
        Generator::from_seed("TESTBLOCKHASH_testpubkey_nonce0", 4).unwrap()
    }

    #[test]
    fn first_normals_of_the_spec_vector() {
        let normals = spec_generator().standard_normal(5);
        assert_eq!(
            normals,
            [
                1.0568882849852532,
                -1.744123123628932,
                -0.6724489621740979,
                2.781555898197935,
                -0.37252353617204126
            ]
        );
    }

    #[test]
    fn block_draws_leave_the_stream_where_single_draws_do() {
        let mut blocked = spec_generator();
        let first = blocked.standard_normal(1000);
        let after = blocked.next_u64();
        let mut single = spec_generator();
        for expected in &first {
            assert_eq!(standard_normal(&mut single.rng), *expected);
        }
        assert_eq!(single.next_u64(), after);
    }

    #[test]
    fn next_u32_returns_low_then_high_half() {
        let mut a = spec_generator();
        let mut b = spec_generator();
        let word = b.next_u64();
        assert_eq!(a.next_u32(), word as u32);
        assert_eq!(a.next_u32(), (word >> 32) as u32);
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn permutations_are_permutations() {
        let mut g = spec_generator();
        for n in [0usize, 1, 2, 3, 10, 8196] {
            let mut p = g.permutation(n);
            p.sort_unstable();
            assert_eq!(p, (0..n as i64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn random_interval_stays_in_range() {
        let mut g = spec_generator();
        for max in [
            1u64,
            2,
            7,
            8,
            1000,
            u32::MAX as u64,
            u32::MAX as u64 + 1,
            u64::MAX,
        ] {
            for _ in 0..100 {
                assert!(g.random_interval(max) <= max);
            }
        }
    }
}
