//! Output element types and the reference's float64 -> float32 -> float16 double rounding.
//!
//! PyTorch converts a float64 array to float16 through float32 (two round-to-nearest-even
//! steps), and the weight pool is cast `astype(float32)` then `.to(float16)`: both give
//! `f16(f32(x))`, which differs from a direct float64 -> float16 rounding in rare ties.

/// An element type a stream can be written as. `u16` holds IEEE half-precision bit patterns.
pub trait Element: Copy + Default + Send + Sync + 'static {
    fn from_f64(x: f64) -> Self;

    /// Converts `src` into `dst` element-wise (same lengths).
    fn convert(src: &[f64], dst: &mut [Self]) {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = Self::from_f64(s);
        }
    }
}

impl Element for f64 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }

    fn convert(src: &[f64], dst: &mut [Self]) {
        dst.copy_from_slice(src);
    }
}

impl Element for f32 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

impl Element for u16 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        f32_to_f16_bits(x as f32)
    }

    fn convert(src: &[f64], dst: &mut [Self]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("f16c") && std::arch::is_x86_feature_detected!("avx")
        {
            // SAFETY: the features the function needs were detected just above.
            unsafe { x86::f64_to_f16_bits(src, dst) };
            return;
        }
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = f32_to_f16_bits(s as f32);
        }
    }
}

/// float32 -> float16 with round-to-nearest-even, subnormals, overflow to infinity and NaN.
pub fn f32_to_f16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let abs = bits & 0x7fff_ffff;
    if abs >= 0x7f80_0000 {
        // Infinity stays infinity; NaN keeps its top payload bits and stays quiet.
        let nan = if abs > 0x7f80_0000 {
            0x0200 | ((abs >> 13) & 0x03ff) as u16
        } else {
            0
        };
        return sign | 0x7c00 | nan;
    }
    let exp = (abs >> 23) as i32 - 127 + 15;
    if exp >= 31 {
        return sign | 0x7c00;
    }
    if exp <= 0 {
        if exp < -10 {
            return sign;
        }
        let mant = (abs & 0x007f_ffff) | 0x0080_0000;
        let shift = (14 - exp) as u32;
        let mut half = mant >> shift;
        let rem = mant & ((1 << shift) - 1);
        let halfway = 1 << (shift - 1);
        if rem > halfway || (rem == halfway && half & 1 == 1) {
            half += 1;
        }
        return sign | half as u16;
    }
    let mut half = ((exp as u32) << 10) | ((abs >> 13) & 0x03ff);
    let rem = abs & 0x1fff;
    if rem > 0x1000 || (rem == 0x1000 && half & 1 == 1) {
        // A carry out of the mantissa bumps the exponent, up to infinity: still correct.
        half += 1;
    }
    sign | half as u16
}

/// IEEE half-precision bits -> float32 (exact).
pub fn f16_bits_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x03ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: mant · 2^-24, exact in float32.
            let magnitude = mant as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -magnitude } else { magnitude };
        }
        (0x1f, _) => sign | 0x7f80_0000 | (mant << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// f64 -> f32 -> f16 eight at a time with the F16C conversion instructions (RNE both steps).
    #[target_feature(enable = "avx,f16c")]
    pub(super) unsafe fn f64_to_f16_bits(src: &[f64], dst: &mut [u16]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 8 <= n {
            let lo = _mm256_cvtpd_ps(_mm256_loadu_pd(src.as_ptr().add(i)));
            let hi = _mm256_cvtpd_ps(_mm256_loadu_pd(src.as_ptr().add(i + 4)));
            let halves = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(_mm256_set_m128(hi, lo));
            _mm_storeu_si128(dst.as_mut_ptr().add(i).cast::<__m128i>(), halves);
            i += 8;
        }
        for j in i..n {
            dst[j] = super::f32_to_f16_bits(src[j] as f32);
        }
    }

    /// f32 -> f16 eight at a time (the oracle for the portable conversion's tests).
    #[cfg(test)]
    #[target_feature(enable = "avx,f16c")]
    pub(super) unsafe fn f32_to_f16_bits(src: &[f32; 8]) -> [u16; 8] {
        let halves = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(_mm256_loadu_ps(src.as_ptr()));
        let mut out = [0u16; 8];
        _mm_storeu_si128(out.as_mut_ptr().cast::<__m128i>(), halves);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_conversions() {
        assert_eq!(f32_to_f16_bits(0.0), 0x0000);
        assert_eq!(f32_to_f16_bits(-0.0), 0x8000);
        assert_eq!(f32_to_f16_bits(1.0), 0x3c00);
        assert_eq!(f32_to_f16_bits(65504.0), 0x7bff);
        assert_eq!(f32_to_f16_bits(65519.99), 0x7bff);
        assert_eq!(f32_to_f16_bits(65520.0), 0x7c00);
        assert_eq!(f32_to_f16_bits(f32::INFINITY), 0x7c00);
        assert_eq!(f32_to_f16_bits(f32::NEG_INFINITY), 0xfc00);
        assert_eq!(f32_to_f16_bits(2f32.powi(-24)), 0x0001);
        assert_eq!(f32_to_f16_bits(2f32.powi(-25)), 0x0000);
        assert_eq!(f32_to_f16_bits(2f32.powi(-25) * 1.5), 0x0001);
        assert_eq!(f32_to_f16_bits(3.0 * 2f32.powi(-25)), 0x0002);
        assert_eq!(f32_to_f16_bits(2f32.powi(-14)), 0x0400);
        assert!(f16_bits_to_f32(f32_to_f16_bits(f32::NAN)).is_nan());
        // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: to even (1).
        assert_eq!(f32_to_f16_bits(1.0 + 2f32.powi(-11)), 0x3c00);
        assert_eq!(f32_to_f16_bits(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
    }

    #[test]
    fn double_rounding_differs_from_direct_rounding() {
        // Just above the f16 tie 1 + 2^-11, but rounding to f32 lands exactly on the tie.
        let x = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
        assert_eq!(u16::from_f64(x), 0x3c00);
    }

    #[test]
    fn round_trips_every_half() {
        for h in 0..=u16::MAX {
            let f = f16_bits_to_f32(h);
            if f.is_nan() {
                assert!(((h >> 10) & 0x1f) == 0x1f && h & 0x3ff != 0);
            } else {
                assert_eq!(f32_to_f16_bits(f), h, "{h:#06x}");
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn portable_conversion_matches_the_hardware() {
        if !(std::arch::is_x86_feature_detected!("f16c")
            && std::arch::is_x86_feature_detected!("avx"))
        {
            return;
        }
        // Every exponent and sign with a spread of mantissas (dense near the rounding bits).
        let mut batch = [0f32; 8];
        let mut n = 0;
        let mut check = |bits: u32| {
            batch[n] = f32::from_bits(bits);
            n += 1;
            if n == 8 {
                // SAFETY: features detected above.
                let hw = unsafe { x86::f32_to_f16_bits(&batch) };
                for (x, h) in batch.iter().zip(hw) {
                    let sw = f32_to_f16_bits(*x);
                    if x.is_nan() {
                        assert_eq!(sw & 0x7e00, 0x7e00);
                    } else {
                        assert_eq!(sw, h, "{:#010x}", x.to_bits());
                    }
                }
                n = 0;
            }
        };
        for sign in [0u32, 0x8000_0000] {
            for exp in 0u32..256 {
                for low in 0u32..0x4000 {
                    check(sign | (exp << 23) | low);
                    check(sign | (exp << 23) | (low << 9) | 0x1ff);
                    check(sign | (exp << 23) | (low.wrapping_mul(0x9e37_79b9) & 0x7f_ffff));
                }
            }
        }
    }

    #[test]
    fn block_conversion_matches_scalar() {
        let src: Vec<f64> = (0..1000)
            .map(|i| ((i as f64) * 0.377).sin() * 10f64.powi(i % 9 - 6))
            .collect();
        let mut dst = vec![0u16; src.len()];
        u16::convert(&src, &mut dst);
        for (s, d) in src.iter().zip(&dst) {
            assert_eq!(*d, f32_to_f16_bits(*s as f32));
        }
    }
}
