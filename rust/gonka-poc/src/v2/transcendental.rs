//! `ln`, `sin` and `cos` of float32 arguments, correctly rounded to float32 (barring double
//! rounding once in ~2^28), in straight-line code that compilers vectorize.
//!
//! Each is evaluated in float64 with series accurate to ~1e-16 relative, then rounded once.
//! Only plain IEEE additions, multiplications and divisions are used (no fused multiply-add),
//! so every instruction set computes the same bits.

/// 2/π, to choose the quadrant.
const FRAC_2_PI: f64 = std::f64::consts::FRAC_2_PI;
/// π/2 split so that `q * PIO2_HI` is exact for small integers `q`.
const PIO2_HI: f64 = 1.570_796_326_734_125_6;
const PIO2_LO: f64 = 6.077_100_506_506_192e-11;
/// Adding then subtracting 1.5·2^52 rounds a small float64 to the nearest integer; the
/// integer's low bits are then the low bits of the sum's mantissa.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// ln 2 split so that `e * LN2_HI` is exact for |e| < 2^22.
const LN2_HI: f64 = 0.693_147_180_136_293_2;
const LN2_LO: f64 = 4.236_521_365_809_284e-10;
const SQRT_2: f64 = std::f64::consts::SQRT_2;

/// sin(r) = r + r·z·(S[0] + z·(S[1] + …)), z = r², Taylor coefficients (-1)^j/(2j+1)!.
const SIN: [f64; 7] = [
    -0.166_666_666_666_666_66,
    0.008_333_333_333_333_333,
    -0.000_198_412_698_412_698_4,
    2.755_731_922_398_589_3e-6,
    -2.505_210_838_544_172e-8,
    1.605_904_383_682_161_3e-10,
    -7.647_163_731_819_816e-13,
];
/// cos(r) = 1 + z·(C[0] + z·(C[1] + …)), coefficients (-1)^j/(2j)!.
const COS: [f64; 8] = [
    -0.5,
    0.041_666_666_666_666_664,
    -0.001_388_888_888_888_889,
    2.480_158_730_158_73e-5,
    -2.755_731_922_398_589e-7,
    2.087_675_698_786_81e-9,
    -1.147_074_559_772_972_5e-11,
    4.779_477_332_387_385e-14,
];
/// ln(m) = 2s·(1 + z/3 + z²/5 + …), s = (m-1)/(m+1), z = s², for m in [√½, √2).
const ATANH: [f64; 11] = [
    1.0,
    0.333_333_333_333_333_3,
    0.2,
    0.142_857_142_857_142_85,
    0.111_111_111_111_111_1,
    0.090_909_090_909_090_91,
    0.076_923_076_923_076_93,
    0.066_666_666_666_666_67,
    0.058_823_529_411_764_705,
    0.052_631_578_947_368_42,
    0.047_619_047_619_047_616,
];

#[inline(always)]
fn horner<const N: usize>(z: f64, c: &[f64; N]) -> f64 {
    let mut acc = c[N - 1];
    for &coefficient in c[..N - 1].iter().rev() {
        acc = acc * z + coefficient;
    }
    acc
}

/// Natural logarithm of a positive, normal float32, correctly rounded to float32.
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    let bits = x.to_bits();
    // x = m · 2^e with m in [1, 2), read from the float32 fields (i32 -> f64 vectorizes).
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f64::from(f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000));
    // Centre m on 1: [√½, √2).
    let high = m > SQRT_2;
    m = if high { m * 0.5 } else { m };
    e += i32::from(high);
    let f = m - 1.0; // exact
    let s = f / (2.0 + f);
    let ln_m = 2.0 * s * horner(s * s, &ATANH);
    let e = f64::from(e);
    (e * LN2_HI + (e * LN2_LO + ln_m)) as f32
}

/// (sin θ, cos θ) of a float32 θ in [0, 2^20), each correctly rounded to float32.
#[inline(always)]
pub fn sincos_f32(theta: f32) -> (f32, f32) {
    let t = f64::from(theta);
    let shifted = t * FRAC_2_PI + ROUND_MAGIC;
    let quadrant = shifted.to_bits() & 3;
    let q = shifted - ROUND_MAGIC;
    let r = (t - q * PIO2_HI) - q * PIO2_LO;
    let z = r * r;
    let sin_r = r + r * z * horner(z, &SIN);
    let cos_r = 1.0 + z * horner(z, &COS);
    // sin(r + qπ/2), cos(r + qπ/2) by quadrant: swap on odd q, signs by q and q+1.
    let swap = quadrant & 1 == 1;
    let (s, c) = if swap { (cos_r, sin_r) } else { (sin_r, cos_r) };
    let sin_sign = (quadrant & 2) << 62;
    let cos_sign = ((quadrant + 1) & 2) << 62;
    let s = f64::from_bits(s.to_bits() ^ sin_sign);
    let c = f64::from_bits(c.to_bits() ^ cos_sign);
    (s as f32, c as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ulps between two float32 of the same sign.
    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn ln_is_the_rounded_float64_ln() {
        let mut worst = 0;
        for i in 1..200_000u32 {
            let x = (i as f32) * (1.0 / 200_000.0);
            let want = f64::from(x).ln() as f32;
            worst = worst.max(ulps(ln_f32(x), want));
        }
        // 2^-32 .. 1: the uniforms' whole range.
        for shift in 0..=32 {
            let x = (1u64 << shift) as f32 / 4_294_967_296.0;
            assert_eq!(ln_f32(x), f64::from(x).ln() as f32, "ln(2^-{})", 32 - shift);
        }
        assert_eq!(ln_f32(1.0), 0.0);
        assert!(worst <= 1, "worst {worst} ulps");
    }

    #[test]
    fn sincos_is_the_rounded_float64_sincos() {
        let mut differing = 0;
        let n = 400_000;
        for i in 0..=n {
            let theta = 6.283_185_5_f32 * (i as f32 / n as f32);
            let (s, c) = sincos_f32(theta);
            let (ws, wc) = f64::from(theta).sin_cos();
            let (ws, wc) = (ws as f32, wc as f32);
            for (got, want) in [(s, ws), (c, wc)] {
                if got != want {
                    differing += 1;
                    assert!(ulps(got, want) <= 1, "theta {theta}: {got} vs {want}");
                }
            }
        }
        assert!(differing < 4, "{differing} values differ by one ulp");
        assert_eq!(sincos_f32(0.0), (0.0, 1.0));
    }
}
