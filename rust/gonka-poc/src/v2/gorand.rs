//! Go's `math/rand` (Go 1 value stream): the additive lagged Fibonacci source of Mitchell and
//! Reeds, its seeding, and `Int63`, `Int31`, `Int31n`, `Int63n`, `Intn`.
//!
//! The source is `x[n] = x[n-607] + x[n-273] (mod 2^64)`. Seeding XORs a per-seed Lehmer
//! stream into a fixed "cooked" state: the state of the same generator, seeded with 1 by
//! Go's table generator, after 7.8e12 steps. Rather than embedding that table, it is
//! derived here: the recurrence is linear, so the state 7.8e12 steps ahead is a linear
//! combination of the first 607 values, with the coefficients of `t^K mod (t^607 − t^334 − 1)`
//! computed by square-and-multiply.

use std::sync::OnceLock;

const LEN: usize = 607;
const TAP: usize = 273;
const INT32_MAX: i64 = (1 << 31) - 1;
/// Steps Go's table generator runs before printing the cooked state.
const COOKED_STEPS: u64 = 7_800_000_000_000;

/// One step of the Park–Miller "minimal standard" generator (Schrage's method), as Go seeds.
fn seedrand(x: i32) -> i32 {
    const A: i32 = 48271;
    const Q: i32 = 44488;
    const R: i32 = 3399;
    let hi = x / Q;
    let lo = x % Q;
    let mut x = A.wrapping_mul(lo).wrapping_sub(R.wrapping_mul(hi));
    if x < 0 {
        x = x.wrapping_add(INT32_MAX as i32);
    }
    x
}

/// `seed % int32max`, made positive, 0 replaced as Go does.
fn reduce_seed(seed: i64) -> i32 {
    let mut seed = seed % INT32_MAX;
    if seed < 0 {
        seed += INT32_MAX;
    }
    if seed == 0 {
        seed = 89_482_311;
    }
    seed as i32
}

/// The Lehmer-seeded vector: 20 discarded steps, then per entry three steps shifted by
/// `shifts` and XORed.
fn lehmer_vector(seed: i64, shifts: (u32, u32)) -> [i64; LEN] {
    let mut vec = [0i64; LEN];
    let mut x = reduce_seed(seed);
    for i in -20..LEN as i32 {
        x = seedrand(x);
        if i >= 0 {
            let mut u = i64::from(x) << shifts.0;
            x = seedrand(x);
            u ^= i64::from(x) << shifts.1;
            x = seedrand(x);
            u ^= i64::from(x);
            vec[i as usize] = u;
        }
    }
    vec
}

/// `a · b mod (t^607 − t^334 − 1)` over Z/2^64.
fn mul_mod(a: &[u64; LEN], b: &[u64; LEN]) -> [u64; LEN] {
    let mut product = vec![0u64; 2 * LEN - 1];
    for (i, &ai) in a.iter().enumerate() {
        if ai == 0 {
            continue;
        }
        for (p, &bj) in product[i..i + LEN].iter_mut().zip(b) {
            *p = p.wrapping_add(ai.wrapping_mul(bj));
        }
    }
    // t^d = t^(d-273) + t^(d-607) for d >= 607, from the top down.
    for d in (LEN..2 * LEN - 1).rev() {
        let c = product[d];
        product[d - TAP] = product[d - TAP].wrapping_add(c);
        product[d - LEN] = product[d - LEN].wrapping_add(c);
    }
    let mut out = [0u64; LEN];
    out.copy_from_slice(&product[..LEN]);
    out
}

/// Coefficients of `t^k mod (t^607 − t^334 − 1)`.
fn power_of_t(k: u64) -> [u64; LEN] {
    let mut result = [0u64; LEN];
    result[0] = 1;
    let mut t = [0u64; LEN];
    t[1] = 1;
    for bit in (0..64 - k.leading_zeros()).rev() {
        result = mul_mod(&result, &result);
        if (k >> bit) & 1 == 1 {
            result = mul_mod(&result, &t);
        }
    }
    result
}

/// The cooked state Go XORs into every seeded source.
fn cooked() -> &'static [i64; LEN] {
    static COOKED: OnceLock<[i64; LEN]> = OnceLock::new();
    COOKED.get_or_init(|| {
        // The generator seeded with 1 (shifts 20 and 10 in the table generator); y[n-1] is
        // the value its n-th step writes, at position (334 - n) mod 607.
        let mut source = Source {
            vec: lehmer_vector(1, (20, 10)),
            tap: 0,
            feed: LEN - TAP,
        };
        let first: Vec<u64> = (0..2 * LEN - 1).map(|_| source.uint64()).collect();
        // y_(N-606+j) = Σ c_i · y_(1+i+j), c = t^(N-607) mod P.
        let c = power_of_t(COOKED_STEPS - LEN as u64);
        let mut state = [0i64; LEN];
        for j in 0..LEN {
            let value = c
                .iter()
                .zip(&first[j..j + LEN])
                .fold(0u64, |acc, (&ci, &y)| acc.wrapping_add(ci.wrapping_mul(y)));
            let n = COOKED_STEPS - (LEN - 1) as u64 + j as u64;
            let position = (LEN - TAP) as i64 - (n % LEN as u64) as i64;
            state[position.rem_euclid(LEN as i64) as usize] = value as i64;
        }
        state
    })
}

/// A seeded `rand.NewSource(seed)`.
#[derive(Clone)]
pub struct Source {
    vec: [i64; LEN],
    tap: usize,
    feed: usize,
}

impl Source {
    pub fn new(seed: i64) -> Self {
        let mut vec = lehmer_vector(seed, (40, 20));
        for (v, c) in vec.iter_mut().zip(cooked()) {
            *v ^= c;
        }
        Self {
            vec,
            tap: 0,
            feed: LEN - TAP,
        }
    }

    pub fn uint64(&mut self) -> u64 {
        self.tap = if self.tap == 0 { LEN - 1 } else { self.tap - 1 };
        self.feed = if self.feed == 0 {
            LEN - 1
        } else {
            self.feed - 1
        };
        let x = self.vec[self.feed].wrapping_add(self.vec[self.tap]);
        self.vec[self.feed] = x;
        x as u64
    }

    pub fn int63(&mut self) -> i64 {
        (self.uint64() & (u64::MAX >> 1)) as i64
    }

    pub fn int31(&mut self) -> i32 {
        (self.int63() >> 32) as i32
    }

    /// `Int31n(n)`, `n > 0`.
    pub fn int31n(&mut self, n: i32) -> i32 {
        assert!(n > 0, "Int31n needs n > 0");
        if n & (n - 1) == 0 {
            return self.int31() & (n - 1);
        }
        let max = (i32::MAX as u32 - (1u32 << 31) % n as u32) as i32;
        let mut v = self.int31();
        while v > max {
            v = self.int31();
        }
        v % n
    }

    /// `Int63n(n)`, `n > 0`.
    pub fn int63n(&mut self, n: i64) -> i64 {
        assert!(n > 0, "Int63n needs n > 0");
        if n & (n - 1) == 0 {
            return self.int63() & (n - 1);
        }
        let max = (i64::MAX as u64 - (1u64 << 63) % n as u64) as i64;
        let mut v = self.int63();
        while v > max {
            v = self.int63();
        }
        v % n
    }

    /// `Intn(n)` with Go's 64-bit `int`, `n > 0`.
    pub fn intn(&mut self, n: i64) -> i64 {
        if n <= i64::from(i32::MAX) {
            i64::from(self.int31n(n as i32))
        } else {
            self.int63n(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_of_t_agrees_with_stepping() {
        // Stepping the recurrence 5000 times equals the jump ahead.
        let mut source = Source {
            vec: lehmer_vector(7, (40, 20)),
            tap: 0,
            feed: LEN - TAP,
        };
        let y: Vec<u64> = (0..7000).map(|_| source.uint64()).collect();
        let k = 5000u64;
        let c = power_of_t(k);
        let jumped = c
            .iter()
            .zip(&y[..LEN])
            .fold(0u64, |acc, (&ci, &v)| acc.wrapping_add(ci.wrapping_mul(v)));
        assert_eq!(jumped, y[k as usize]);
    }

    #[test]
    fn the_cooked_state_is_stable() {
        // A fingerprint of the derived table; the sampling vectors check the values.
        let c = cooked();
        assert_eq!(c[0], -4_181_792_142_133_755_926);
    }

    #[test]
    fn intn_bounds() {
        let mut s = Source::new(42);
        for n in [1i64, 2, 3, 1000, (1 << 31) - 1, 1 << 31, (1 << 32) - 1] {
            for _ in 0..100 {
                let v = s.intn(n);
                assert!((0..n).contains(&v));
            }
        }
    }
}
