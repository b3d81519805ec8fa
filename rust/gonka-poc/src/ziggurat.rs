//! numpy's float64 ziggurat `random_standard_normal`, draw for draw.

use crate::pcg64::{BitSource, BlockBits, BLOCK};
use crate::ziggurat_tables::{FI_BITS, KI, WI_BITS};

const fn to_f64(bits: [u64; 256]) -> [f64; 256] {
    let mut out = [0.0; 256];
    let mut i = 0;
    while i < 256 {
        out[i] = f64::from_bits(bits[i]);
        i += 1;
    }
    out
}

static WI: [f64; 256] = to_f64(WI_BITS);
static FI: [f64; 256] = to_f64(FI_BITS);

const NOR_R: f64 = 3.654_152_885_361_009;
const NOR_INV_R: f64 = 0.273_661_237_329_758_3;
const MAGNITUDE_MASK: u64 = 0x000f_ffff_ffff_ffff;

/// One ziggurat attempt: consumes one u64 (more on the rare paths) and returns the normal it
/// yields, or `None` when the attempt is rejected and the next u64 starts a new attempt.
#[inline(always)]
pub(crate) fn attempt<B: BitSource>(bits: &mut B) -> Option<f64> {
    let r = bits.next_u64();
    let idx = (r & 0xff) as usize;
    let r = r >> 8;
    let rabs = (r >> 1) & MAGNITUDE_MASK;
    // Negation is a sign-bit flip; doing it branch-free avoids a 50% misprediction.
    let x = f64::from_bits((rabs as f64 * WI[idx]).to_bits() ^ ((r & 1) << 63));
    if rabs < KI[idx] {
        return Some(x);
    }
    rare_attempt(bits, idx, rabs, x)
}

/// The tail (layer 0) and wedge paths, taken by about 1% of attempts.
#[cold]
#[inline(never)]
fn rare_attempt<B: BitSource>(bits: &mut B, idx: usize, rabs: u64, x: f64) -> Option<f64> {
    if idx == 0 {
        loop {
            // 1 - U keeps log away from 0, as numpy does.
            let xx = -NOR_INV_R * (-bits.next_double()).ln_1p();
            let yy = -(-bits.next_double()).ln_1p();
            if yy + yy > xx * xx {
                return Some(if (rabs >> 8) & 1 == 1 {
                    -(NOR_R + xx)
                } else {
                    NOR_R + xx
                });
            }
        }
    }
    let u = bits.next_double();
    if (FI[idx - 1] - FI[idx]) * u + FI[idx] < (-0.5 * x * x).exp() {
        Some(x)
    } else {
        None
    }
}

/// One standard normal draw (numpy's `Generator.standard_normal`); the tests' plain reference.
#[cfg(test)]
pub(crate) fn standard_normal<B: BitSource>(bits: &mut B) -> f64 {
    loop {
        if let Some(x) = attempt(bits) {
            return x;
        }
    }
}

/// Draws standard normals into `out` until it is full or the next attempt would start at or after
/// stream position `limit`; returns how many were drawn. The same draws as repeated
/// [`standard_normal`] calls, but the one-u64 fast path runs straight over the block buffer with
/// the read index in a register.
pub(crate) fn draw_normals(bits: &mut BlockBits, out: &mut [f64], limit: u64) -> usize {
    let mut drawn = 0;
    let mut i = bits.pos;
    while drawn < out.len() {
        if i == BLOCK {
            bits.pos = i;
            bits.refill();
            i = 0;
        }
        let position = bits.block_pos + i as u64;
        if position >= limit {
            break;
        }
        // Each fast attempt takes one u64 and gives at most one value: this many cannot overrun.
        let run = (BLOCK - i)
            .min(out.len() - drawn)
            .min(usize::try_from(limit - position).unwrap_or(usize::MAX));
        let stop = i + run;
        while i < stop {
            let r = bits.buf[i];
            i += 1;
            let idx = (r & 0xff) as usize;
            let r = r >> 8;
            let rabs = (r >> 1) & MAGNITUDE_MASK;
            let x = f64::from_bits((rabs as f64 * WI[idx]).to_bits() ^ ((r & 1) << 63));
            if rabs < KI[idx] {
                out[drawn] = x;
                drawn += 1;
            } else {
                bits.pos = i;
                if let Some(value) = rare_attempt(bits, idx, rabs, x) {
                    out[drawn] = value;
                    drawn += 1;
                }
                i = bits.pos;
                break;
            }
        }
    }
    bits.pos = i;
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the embedded tables against corruption: the layer edges x_i = WI[i]·2^52 satisfy
    /// the ziggurat's defining relations (equal layer areas) to within rounding.
    #[test]
    fn tables_satisfy_the_ziggurat_relations() {
        let x: Vec<f64> = WI.iter().map(|w| w * 2f64.powi(52)).collect();
        let area = 0.004_928_673_233_974_652;
        assert!((x[255] - NOR_R).abs() < 1e-12);
        for i in 1..256 {
            assert!(
                (FI[i] - (-0.5 * x[i] * x[i]).exp()).abs() < 1e-12,
                "fi[{i}]"
            );
            if i >= 2 {
                // WI[0] is the base strip's width, not a layer edge: start at layer 2.
                let ratio = KI[i] as f64 / 2f64.powi(52);
                assert!((ratio - x[i - 1] / x[i]).abs() < 1e-9, "ki[{i}]");
                let layer = x[i] * (FI[i - 1] - FI[i]);
                assert!((layer - area).abs() < 1e-9, "layer {i} area {layer}");
            }
        }
        assert!((FI[0] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn buffered_draws_equal_single_draws_and_respect_the_limit() {
        use crate::generator::Generator;
        let rng = Generator::from_seed("draws", 4).unwrap().bit_generator();
        let mut single = BlockBits::new(rng, 0);
        let expected: Vec<f64> = (0..5000).map(|_| standard_normal(&mut single)).collect();
        let mut bits = BlockBits::new(rng, 0);
        let mut out = vec![0.0; 5000];
        let mut drawn = 0;
        for size in [1usize, 7, 511, 512, 513, 1000, 5000] {
            let end = (drawn + size).min(out.len());
            drawn += draw_normals(&mut bits, &mut out[drawn..end], u64::MAX);
        }
        assert_eq!(drawn, 5000);
        assert_eq!(out, expected);
        assert_eq!(bits.position(), single.position());
        let mut limited = BlockBits::new(rng, 0);
        let n = draw_normals(&mut limited, &mut out, 1234);
        assert!(limited.position() >= 1234 && n < 1234 && out[..n] == expected[..n]);
    }
}
