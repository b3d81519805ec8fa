//! numpy's float64 ziggurat `random_standard_normal`, draw for draw.

use crate::pcg64::BitSource;
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

/// One standard normal draw (numpy's `Generator.standard_normal`).
#[inline(always)]
pub(crate) fn standard_normal<B: BitSource>(bits: &mut B) -> f64 {
    loop {
        if let Some(x) = attempt(bits) {
            return x;
        }
    }
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
}
