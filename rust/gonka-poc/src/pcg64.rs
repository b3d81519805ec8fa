//! PCG64 (XSL-RR 128/64), seeded exactly like numpy's `PCG64(SeedSequence)`.

/// The 128-bit LCG multiplier of PCG64.
pub const MULTIPLIER: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

/// u64 outputs produced per refill of [`BlockBits`]; a multiple of [`LANES`].
pub(crate) const BLOCK: usize = 512;
/// Independent LCG chains interleaved by [`Pcg64::fill`] to hide the multiply latency.
const LANES: usize = 4;

/// The state of a PCG64 generator: 128-bit LCG state and odd increment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pcg64 {
    state: u128,
    inc: u128,
}

#[inline(always)]
fn output(state: u128) -> u64 {
    let hi = (state >> 64) as u64;
    let lo = state as u64;
    (hi ^ lo).rotate_right((state >> 122) as u32)
}

/// The affine map (mult, plus) of `k` LCG steps: state -> mult * state + plus.
fn jump_map(inc: u128, mut k: u128) -> (u128, u128) {
    let (mut acc_mult, mut acc_plus) = (1u128, 0u128);
    let (mut cur_mult, mut cur_plus) = (MULTIPLIER, inc);
    while k > 0 {
        if k & 1 == 1 {
            acc_mult = acc_mult.wrapping_mul(cur_mult);
            acc_plus = acc_plus.wrapping_mul(cur_mult).wrapping_add(cur_plus);
        }
        cur_plus = cur_mult.wrapping_add(1).wrapping_mul(cur_plus);
        cur_mult = cur_mult.wrapping_mul(cur_mult);
        k >>= 1;
    }
    (acc_mult, acc_plus)
}

impl Pcg64 {
    /// Seeds like numpy: `generate_state(4, uint64)` = s, initstate = s0:s1, initseq = s2:s3.
    pub fn from_seed_state(s: [u64; 4]) -> Self {
        let initstate = (u128::from(s[0]) << 64) | u128::from(s[1]);
        let initseq = (u128::from(s[2]) << 64) | u128::from(s[3]);
        let mut rng = Pcg64 {
            state: 0,
            inc: (initseq << 1) | 1,
        };
        rng.step();
        rng.state = rng.state.wrapping_add(initstate);
        rng.step();
        rng
    }

    #[inline(always)]
    fn step(&mut self) {
        self.state = self.state.wrapping_mul(MULTIPLIER).wrapping_add(self.inc);
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.step();
        output(self.state)
    }

    /// Skips `delta` outputs in O(log delta) (numpy's `PCG64.advance`).
    pub fn advance(&mut self, delta: u128) {
        let (mult, plus) = jump_map(self.inc, delta);
        self.state = mult.wrapping_mul(self.state).wrapping_add(plus);
    }

    /// Fills `out` with the next `out.len()` outputs, running [`LANES`] interleaved chains.
    pub fn fill(&mut self, out: &mut [u64]) {
        let lanes = self.lane_jump();
        self.fill_with(lanes, out);
    }

    /// The affine map that advances one lane of [`Pcg64::fill`] by [`LANES`] steps.
    fn lane_jump(&self) -> (u128, u128) {
        jump_map(self.inc, LANES as u128)
    }

    #[inline(always)]
    fn fill_with(&mut self, (mult, plus): (u128, u128), out: &mut [u64]) {
        let mut chunks = out.chunks_exact_mut(LANES);
        if chunks.len() > 0 {
            let mut lanes = [0u128; LANES];
            for lane in lanes.iter_mut() {
                self.step();
                *lane = self.state;
            }
            let mut first = true;
            for chunk in &mut chunks {
                if !first {
                    for lane in lanes.iter_mut() {
                        *lane = lane.wrapping_mul(mult).wrapping_add(plus);
                    }
                }
                first = false;
                for (o, lane) in chunk.iter_mut().zip(lanes.iter()) {
                    *o = output(*lane);
                }
            }
            self.state = lanes[LANES - 1];
        }
        for o in chunks.into_remainder() {
            *o = self.next_u64();
        }
    }
}

/// A source of the raw u64 stream with numpy's derived `next_double`.
pub trait BitSource {
    fn next_u64(&mut self) -> u64;

    /// numpy's `next_double`: the top 53 bits scaled by 2^-53.
    #[inline(always)]
    fn next_double(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }
}

impl BitSource for Pcg64 {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        Pcg64::next_u64(self)
    }
}

/// A PCG64 stream read through a block buffer (filled with interleaved chains), which also
/// knows the absolute position of its next output.
pub struct BlockBits {
    /// State just before `buf[0]`.
    block_start: Pcg64,
    /// State just after `buf[BLOCK - 1]`.
    next_block: Pcg64,
    /// Stream position of `buf[0]`.
    pub(crate) block_pos: u64,
    pub(crate) buf: [u64; BLOCK],
    /// Index in `buf` of the next output (`BLOCK`: the block is used up).
    pub(crate) pos: usize,
    lane_jump: (u128, u128),
}

impl BlockBits {
    /// Reads `rng`'s stream from its current state; `position` names that state's index.
    pub fn new(rng: Pcg64, position: u64) -> Self {
        let mut bits = BlockBits {
            block_start: rng,
            next_block: rng,
            block_pos: position,
            buf: [0; BLOCK],
            pos: 0,
            lane_jump: rng.lane_jump(),
        };
        bits.next_block.fill_with(bits.lane_jump, &mut bits.buf);
        bits
    }

    #[cold]
    pub(crate) fn refill(&mut self) {
        self.block_start = self.next_block;
        self.block_pos += BLOCK as u64;
        self.next_block.fill_with(self.lane_jump, &mut self.buf);
        self.pos = 0;
    }

    /// The stream index of the next output.
    #[inline(always)]
    pub fn position(&self) -> u64 {
        self.block_pos + self.pos as u64
    }

    /// The generator state after the outputs read so far.
    pub fn into_state(self) -> Pcg64 {
        let mut rng = self.block_start;
        rng.advance(self.pos as u128);
        rng
    }
}

impl BitSource for BlockBits {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        if self.pos == BLOCK {
            self.refill();
        }
        let value = self.buf[self.pos];
        self.pos += 1;
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{seed_entropy, seed_sequence_state};

    fn spec_rng() -> Pcg64 {
        let entropy = seed_entropy("TESTBLOCKHASH_testpubkey_nonce0", 4).unwrap();
        Pcg64::from_seed_state(seed_sequence_state(&entropy))
    }

    #[test]
    fn first_outputs_of_the_spec_vector() {
        let mut rng = spec_rng();
        assert_eq!(rng.next_u64(), 0x54343c3e59c1d694);
        assert_eq!(rng.next_u64(), 0xbb0b30dc58c99dc4);
        assert_eq!(rng.next_u64(), 0x97a59944d2a59129);
    }

    #[test]
    fn fill_and_advance_match_stepping() {
        let mut stepped = spec_rng();
        let expected: Vec<u64> = (0..1003).map(|_| stepped.next_u64()).collect();
        let mut filled = spec_rng();
        let mut out = vec![0u64; 1003];
        filled.fill(&mut out[..17]);
        filled.fill(&mut out[17..]);
        assert_eq!(out, expected);
        assert_eq!(filled, stepped);
        for k in [0usize, 1, 2, 5, 255, 256, 1000] {
            let mut jumped = spec_rng();
            jumped.advance(k as u128);
            assert_eq!(jumped.next_u64(), expected[k], "advance({k})");
        }
    }

    #[test]
    fn block_bits_track_position_and_state() {
        let mut stepped = spec_rng();
        let mut bits = BlockBits::new(spec_rng(), 0);
        for i in 0..1000u64 {
            assert_eq!(bits.position(), i);
            assert_eq!(bits.next_u64(), stepped.next_u64());
        }
        assert_eq!(bits.into_state(), stepped);
    }
}
