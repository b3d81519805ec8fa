//! From a nonce's last hidden state to its artifact: pick, Haar chain, fp16.
//!
//! ```text
//! last = h / (‖h‖ + 1e-8)                       float32
//! y    = last[pick(block_hash, public_key, nonce, hidden, k)]
//! for j in 0..k-1:  w = normal(seed32("…_nonce_{n}_haar_hh_{k}_{j}"), k); w /= ‖w‖
//!                   y = y − 2 (w·y) w
//! y    = y / (‖y‖ + 1e-8);  artifact = fp16 little-endian of y
//! ```
//!
//! `pick` returns the `k` coordinates with the smallest scores `mm(d, seed32("…_pick_{k}"))`
//! in the order CUDA's `torch.topk` writes them: the `k-1` smallest in ascending index order,
//! then the `k`-th smallest. (Scores never tie: `mm(·, seed)` is a bijection.)

use rayon::prelude::*;
use sha2::{Digest, Sha256};

#[cfg(target_arch = "x86_64")]
use super::rng::simd_level;
use super::rng::{mm_key, mm_mix, normals_into};
use crate::convert::{f16_bits_to_f32, f32_to_f16_bits};
use crate::error::{Error, Result};

/// The seed string of a nonce's pick.
pub fn pick_seed(block_hash: &str, public_key: &str, nonce: i64, k: usize) -> String {
    format!("{block_hash}_{public_key}_nonce_{nonce}_pick_{k}")
}

/// The seed string of reflection `j` of a nonce's Haar chain.
pub fn haar_seed(block_hash: &str, public_key: &str, nonce: i64, k: usize, j: usize) -> String {
    format!("{block_hash}_{public_key}_nonce_{nonce}_haar_hh_{k}_{j}")
}

/// The seeds of one (block hash, public key)'s nonces: SHA-256 has absorbed the common prefix
/// `"{block_hash}_{public_key}_nonce_"` once, so each seed hashes only its own tail (the prefix
/// spans two of a seed's three blocks). Each seed equals `seed32` of the full string.
#[derive(Clone)]
pub struct NonceSeeds(Sha256);

impl NonceSeeds {
    pub fn new(block_hash: &str, public_key: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(block_hash.as_bytes());
        hasher.update(b"_");
        hasher.update(public_key.as_bytes());
        hasher.update(b"_nonce_");
        Self(hasher)
    }

    fn seed(&self, tail: &Tail) -> u32 {
        let digest = self.0.clone().chain_update(tail.as_bytes()).finalize();
        u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
    }

    /// `seed32(pick_seed(..))`.
    pub fn pick(&self, nonce: i64, k: usize) -> u32 {
        self.seed(&Tail::default().signed(nonce).text(b"_pick_").unsigned(k))
    }

    /// `seed32(haar_seed(..))`.
    pub fn haar(&self, nonce: i64, k: usize, j: usize) -> u32 {
        self.seed(
            &Tail::default()
                .signed(nonce)
                .text(b"_haar_hh_")
                .unsigned(k)
                .text(b"_")
                .unsigned(j),
        )
    }

    /// `haar(nonce, k, j)` for every `j < out.len()`.
    pub fn haar_chain(&self, nonce: i64, k: usize, out: &mut [u32]) {
        let common = Tail::default()
            .signed(nonce)
            .text(b"_haar_hh_")
            .unsigned(k)
            .text(b"_");
        for (j, seed) in out.iter_mut().enumerate() {
            *seed = self.seed(&common.unsigned(j));
        }
    }
}

/// The tail of a seed string after the prefix [`NonceSeeds`] absorbed, written with plain decimal
/// digits (as `format!` writes them): a nonce and two indices take at most 70 bytes.
#[derive(Clone, Copy)]
struct Tail {
    bytes: [u8; 96],
    len: usize,
}

impl Default for Tail {
    fn default() -> Self {
        Self {
            bytes: [0; 96],
            len: 0,
        }
    }
}

impl Tail {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn text(mut self, text: &[u8]) -> Self {
        self.bytes[self.len..self.len + text.len()].copy_from_slice(text);
        self.len += text.len();
        self
    }

    fn signed(self, value: i64) -> Self {
        let tail = if value < 0 { self.text(b"-") } else { self };
        tail.digits(value.unsigned_abs())
    }

    fn unsigned(self, value: usize) -> Self {
        self.digits(value as u64)
    }

    fn digits(self, mut value: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.text(&digits[at..])
    }
}

fn check_k(k: usize, hidden: usize) -> Result<()> {
    if k == 0 || k > hidden {
        return Err(Error::InvalidInput(format!(
            "k must be in [1, hidden], got k={k}, hidden={hidden}"
        )));
    }
    if hidden > i32::MAX as usize {
        return Err(Error::InvalidInput(format!(
            "hidden must be at most {}, got {hidden}",
            i32::MAX
        )));
    }
    Ok(())
}

/// Scores computed and screened together (a multiple of every SIMD width, at most 32: one bit each).
const SCAN_CHUNK: usize = 32;
/// Room for the screened candidates; more than this falls back to the full selection.
const CANDIDATES: usize = 128;

/// How many scores the screen of a `k`-pick expects to keep: enough that keeping fewer than `k` is
/// vanishingly rare (about 1e-9 for k = 12), few enough to rank in a moment.
fn expected_candidates(k: usize) -> usize {
    2 * k + 16
}

/// Scores below this bound are candidates: about [`expected_candidates`] of them, since the scores
/// of distinct coordinates are distinct and spread evenly over the u32 range.
fn candidate_bound(hidden: usize, k: usize) -> u32 {
    let expected = expected_candidates(k) as u128;
    ((expected << 32) / hidden as u128).min(u128::from(u32::MAX)) as u32
}

/// The `k` indices of the smallest scores, in CUDA's order.
pub fn pick_with_seed(seed: u32, hidden: usize, k: usize) -> Result<Vec<u32>> {
    check_k(k, hidden)?;
    PickScorer::new(hidden).pick(seed, k)
}

/// The seed-independent half of every coordinate's score ([`mm_key`]), kept for the many nonces
/// of a batch; padded with the keys after `hidden` to whole chunks.
pub struct PickScorer {
    key_parts: Vec<u32>,
    hidden: usize,
}

impl PickScorer {
    pub fn new(hidden: usize) -> Self {
        let padded = hidden.div_ceil(SCAN_CHUNK) * SCAN_CHUNK;
        Self {
            // Keys past `hidden` (fewer than a chunk: no overflow for hidden <= i32::MAX) are
            // scored but never kept.
            key_parts: (0..padded).map(|key| mm_key(key as u32)).collect(),
            hidden,
        }
    }

    /// `pick_with_seed(seed, hidden, k)`.
    pub fn pick(&self, seed: u32, k: usize) -> Result<Vec<u32>> {
        check_k(k, self.hidden)?;
        let bound = candidate_bound(self.hidden, k);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: each variant runs only where its features were detected.
        unsafe {
            match simd_level() {
                2 => return Ok(smallest_avx512(self, seed, k, bound)),
                1 => return Ok(smallest_avx2(self, seed, k, bound)),
                _ => {}
            }
        }
        Ok(smallest(self, seed, k, bound))
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2")]
unsafe fn smallest_avx512(scorer: &PickScorer, seed: u32, k: usize, bound: u32) -> Vec<u32> {
    smallest(scorer, seed, k, bound)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn smallest_avx2(scorer: &PickScorer, seed: u32, k: usize, bound: u32) -> Vec<u32> {
    smallest(scorer, seed, k, bound)
}

/// The selection of [`PickScorer::pick`] (`1 <= k <= hidden`); inlined into its SIMD copies, where
/// the scores and each chunk's mask of those below `bound` vectorize. One pass keeps the scores
/// below `bound` ([`candidate_bound`]): when at least `k` are kept, the `k` smallest are among them (every other
/// score is larger). Otherwise, or when too many are kept, every score is ranked.
#[inline(always)]
fn smallest(scorer: &PickScorer, seed: u32, k: usize, bound: u32) -> Vec<u32> {
    let hidden = scorer.hidden;
    if expected_candidates(k) > CANDIDATES {
        return smallest_of_all(scorer, seed, k);
    }
    let mut found = [(0u32, 0u32); CANDIDATES];
    let mut count = 0;
    for (c, parts) in scorer.key_parts.chunks_exact(SCAN_CHUNK).enumerate() {
        let mut scores = [0u32; SCAN_CHUNK];
        let mut below = 0u32;
        for (i, (s, &part)) in scores.iter_mut().zip(parts).enumerate() {
            *s = mm_mix(part, seed);
            below |= u32::from(*s < bound) << i;
        }
        let base = c * SCAN_CHUNK;
        if base + SCAN_CHUNK > hidden {
            below &= (1u32 << (hidden - base)) - 1;
        }
        while below != 0 {
            let i = below.trailing_zeros() as usize;
            below &= below - 1;
            if count == CANDIDATES {
                return smallest_of_all(scorer, seed, k);
            }
            found[count] = (scores[i], (base + i) as u32);
            count += 1;
        }
    }
    if count < k {
        return smallest_of_all(scorer, seed, k);
    }
    cuda_order(&mut found[..count], k)
}

/// The selection ranking every score: for large `k` and the rare screen that keeps too few or too many.
fn smallest_of_all(scorer: &PickScorer, seed: u32, k: usize) -> Vec<u32> {
    let mut all: Vec<(u32, u32)> = scorer.key_parts[..scorer.hidden]
        .iter()
        .zip(0u32..)
        .map(|(&part, d)| (mm_mix(part, seed), d))
        .collect();
    cuda_order(&mut all, k)
}

/// Of (score, index) pairs holding the `k` smallest scores: the `k-1` smallest by index, then the
/// `k`-th smallest.
fn cuda_order(pairs: &mut [(u32, u32)], k: usize) -> Vec<u32> {
    pairs.select_nth_unstable(k - 1);
    let kth = pairs[k - 1].1;
    let mut out: Vec<u32> = pairs[..k - 1].iter().map(|&(_, index)| index).collect();
    out.sort_unstable();
    out.push(kth);
    out
}

/// `pick` of one nonce.
pub fn pick(
    block_hash: &str,
    public_key: &str,
    nonce: i64,
    hidden: usize,
    k: usize,
) -> Result<Vec<u32>> {
    pick_with_seed(
        NonceSeeds::new(block_hash, public_key).pick(nonce, k),
        hidden,
        k,
    )
}

/// The unit vectors of a nonce's Haar chain (`k-1` of them, `k` values each).
pub fn haar_vectors(
    block_hash: &str,
    public_key: &str,
    nonce: i64,
    k: usize,
) -> Result<Vec<Vec<f32>>> {
    haar_vectors_of(&NonceSeeds::new(block_hash, public_key), nonce, k)
}

fn haar_vectors_of(seeds: &NonceSeeds, nonce: i64, k: usize) -> Result<Vec<Vec<f32>>> {
    let mut chain = HaarChain::new(k);
    chain.make(seeds, nonce)?;
    Ok(chain.vectors().map(<[f32]>::to_vec).collect())
}

/// A nonce's Haar chain, its buffers kept from one nonce to the next.
struct HaarChain {
    k: usize,
    seeds: Vec<u32>,
    /// `k-1` unit vectors of `k` values, row after row.
    vectors: Vec<f32>,
}

impl HaarChain {
    fn new(k: usize) -> Self {
        let count = k.saturating_sub(1);
        Self {
            k,
            seeds: vec![0; count],
            vectors: vec![0.0; count * k],
        }
    }

    /// The chain of `nonce`: all its normals drawn together, then each vector normalised.
    fn make(&mut self, seeds: &NonceSeeds, nonce: i64) -> Result<()> {
        seeds.haar_chain(nonce, self.k, &mut self.seeds);
        normals_into(&self.seeds, self.k, &mut self.vectors)?;
        for w in self.vectors.chunks_exact_mut(self.k) {
            let norm = norm_f32(w);
            for x in w.iter_mut() {
                *x /= norm;
            }
        }
        Ok(())
    }

    fn vectors(&self) -> std::slice::ChunksExact<'_, f32> {
        self.vectors.chunks_exact(self.k)
    }
}

/// ‖x‖ in float32 (accumulated in float64 over eight lanes, rounded once).
fn norm_f32(x: &[f32]) -> f32 {
    let mut lanes = [0f64; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += f64::from(v) * f64::from(v);
        }
    }
    let mut total: f64 = lanes.iter().sum();
    for &v in tail {
        total += f64::from(v) * f64::from(v);
    }
    total.sqrt() as f32
}

/// Dot product in float32 (accumulated in float64, rounded once).
fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x) * f64::from(y))
        .sum::<f64>() as f32
}

/// The Haar chain and final normalisation on picked values `y` (float32, in place).
pub fn rotate(y: &mut [f32], chain: &[Vec<f32>]) {
    for w in chain {
        reflect(y, w);
    }
    normalize(y);
}

/// `y -= 2 (w . y) w` for a unit vector `w`.
fn reflect(y: &mut [f32], w: &[f32]) {
    let two_dot = 2.0 * dot_f32(w, y);
    for (yi, &wi) in y.iter_mut().zip(w) {
        *yi -= two_dot * wi;
    }
}

fn normalize(y: &mut [f32]) {
    let scale = norm_f32(y) + 1e-8;
    for yi in y.iter_mut() {
        *yi /= scale;
    }
}

/// The artifact of one nonce from its last hidden state, as fp16 bits.
pub fn artifact(
    block_hash: &str,
    public_key: &str,
    nonce: i64,
    last_hidden: &[f32],
    k: usize,
) -> Result<Vec<u16>> {
    artifact_of(
        &NonceSeeds::new(block_hash, public_key),
        nonce,
        last_hidden,
        k,
    )
}

fn artifact_of(seeds: &NonceSeeds, nonce: i64, last_hidden: &[f32], k: usize) -> Result<Vec<u16>> {
    let mut bits = vec![0u16; k];
    let scorer = PickScorer::new(last_hidden.len());
    artifact_into(
        seeds,
        &scorer,
        &mut HaarChain::new(k),
        nonce,
        last_hidden,
        &mut bits,
    )?;
    Ok(bits)
}

/// The artifact of one nonce into `out` (`k` fp16 bits, `k` that of `chain`).
fn artifact_into(
    seeds: &NonceSeeds,
    scorer: &PickScorer,
    chain: &mut HaarChain,
    nonce: i64,
    last_hidden: &[f32],
    out: &mut [u16],
) -> Result<()> {
    let idx = scorer.pick(seeds.pick(nonce, chain.k), chain.k)?;
    chain.make(seeds, nonce)?;
    let scale = norm_f32(last_hidden) + 1e-8;
    let mut y: Vec<f32> = idx
        .iter()
        .map(|&i| last_hidden[i as usize] / scale)
        .collect();
    for w in chain.vectors() {
        reflect(&mut y, w);
    }
    normalize(&mut y);
    for (o, &v) in out.iter_mut().zip(&y) {
        *o = f32_to_f16_bits(v);
    }
    Ok(())
}

/// Artifacts of many nonces (`last_hidden` is `[nonces.len(), hidden]`) into `out`
/// (`[nonces.len(), k]` fp16 bits), in parallel.
pub fn artifacts_into(
    block_hash: &str,
    public_key: &str,
    nonces: &[i64],
    last_hidden: &[f32],
    k: usize,
    out: &mut [u16],
) -> Result<()> {
    if nonces.is_empty() {
        return Ok(());
    }
    if last_hidden.len() % nonces.len() != 0 || out.len() != nonces.len() * k {
        return Err(Error::InvalidInput(format!(
            "{} nonces need [{}, hidden] hidden states and [{}, {k}] outputs",
            nonces.len(),
            nonces.len(),
            nonces.len()
        )));
    }
    let hidden = last_hidden.len() / nonces.len();
    check_k(k, hidden)?;
    let seeds = NonceSeeds::new(block_hash, public_key);
    let scorer = PickScorer::new(hidden);
    out.par_chunks_mut(k)
        .zip(last_hidden.par_chunks(hidden))
        .zip(nonces.par_iter())
        .try_for_each_init(
            || HaarChain::new(k),
            |chain, ((row, state), &nonce)| {
                artifact_into(&seeds, &scorer, chain, nonce, state, row)
            },
        )
}

/// Picks of many nonces into `out` (`[nonces.len(), k]`), in parallel.
pub fn picks_into(
    block_hash: &str,
    public_key: &str,
    nonces: &[i64],
    hidden: usize,
    k: usize,
    out: &mut [u32],
) -> Result<()> {
    check_k(k, hidden)?;
    if out.len() != nonces.len() * k {
        return Err(Error::InvalidInput(format!(
            "{} nonces need an output of {} indices",
            nonces.len(),
            nonces.len() * k
        )));
    }
    let seeds = NonceSeeds::new(block_hash, public_key);
    let scorer = PickScorer::new(hidden);
    out.par_chunks_mut(k)
        .zip(nonces.par_iter())
        .try_for_each(|(row, &nonce)| {
            row.copy_from_slice(&scorer.pick(seeds.pick(nonce, k), k)?);
            Ok(())
        })
}

/// Little-endian bytes of fp16 bits.
pub fn encode_f16_le(bits: &[u16]) -> Vec<u8> {
    bits.iter().flat_map(|b| b.to_le_bytes()).collect()
}

/// fp16 little-endian bytes -> float32 values; `None` for an odd length.
pub fn decode_f16_le(bytes: &[u8]) -> Option<Vec<f32>> {
    if bytes.len() % 2 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(2)
            .map(|c| f16_bits_to_f32(u16::from_le_bytes([c[0], c[1]])))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v2::rng::{mm, seed32, uniform};

    const BH: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";

    fn pk() -> String {
        format!("02{}", "11".repeat(32))
    }

    #[test]
    fn picks_of_the_spec_in_cuda_order() {
        let pk = pk();
        assert_eq!(
            pick(BH, &pk, 0, 4096, 12).unwrap(),
            [223, 721, 920, 1187, 1327, 1716, 1991, 2789, 2806, 3141, 3625, 2331]
        );
        assert_eq!(
            pick(BH, &pk, 1, 4096, 12).unwrap(),
            [76, 324, 919, 1187, 1352, 2499, 2770, 2918, 3388, 3679, 3782, 2129]
        );
    }

    #[test]
    fn nonce_seeds_hash_the_full_seed_strings() {
        let pk = pk();
        for key in [pk.as_str(), "", "gonka1short"] {
            let seeds = NonceSeeds::new(BH, key);
            for nonce in [0i64, 1, 9, 10, 12345, -7, i64::MIN, i64::MAX] {
                for k in [1usize, 12, 4096] {
                    assert_eq!(seeds.pick(nonce, k), seed32(&pick_seed(BH, key, nonce, k)));
                    let mut chain = [0u32; 12];
                    seeds.haar_chain(nonce, k, &mut chain);
                    for (j, &seed) in chain.iter().enumerate() {
                        assert_eq!(seed, seed32(&haar_seed(BH, key, nonce, k, j)));
                    }
                    for j in [0usize, 10, 4095] {
                        assert_eq!(
                            seeds.haar(nonce, k, j),
                            seed32(&haar_seed(BH, key, nonce, k, j))
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn pick_agrees_with_a_full_sort() {
        for (seed, hidden, k) in [
            (1u32, 64usize, 12usize),
            (2, 700, 12),
            (3, 12, 12),
            (4, 5, 1),
            (5, 4096, 12),
            (6, 4096, 1),
            (7, 5120, 12),
            (8, 4099, 3),
        ] {
            let mut all: Vec<(u32, u32)> = (0..hidden as u32).map(|d| (mm(d, seed), d)).collect();
            all.sort_unstable();
            let mut want: Vec<u32> = all[..k - 1].iter().map(|&(_, d)| d).collect();
            want.sort_unstable();
            want.push(all[k - 1].1);
            assert_eq!(pick_with_seed(seed, hidden, k).unwrap(), want);
            // The screen keeping too few, too many, or bypassed for a large k: the same picks.
            for bound in [1, u32::MAX] {
                assert_eq!(smallest(&PickScorer::new(hidden), seed, k, bound), want);
            }
        }
        let mut all: Vec<(u32, u32)> = (0..4096u32).map(|d| (mm(d, 9), d)).collect();
        all.sort_unstable();
        let mut want: Vec<u32> = all[..100].iter().map(|&(_, d)| d).collect();
        want.sort_unstable();
        want.push(all[100].1);
        assert_eq!(pick_with_seed(9, 4096, 101).unwrap(), want);
        assert!(pick_with_seed(1, 4, 5).is_err());
        assert!(pick_with_seed(1, 4, 0).is_err());
    }

    #[test]
    fn synthetic_artifact_of_the_spec() {
        let h: Vec<f32> = uniform(seed32("synthetic_last_hidden"), 4096)
            .unwrap()
            .iter()
            .map(|u| u - 0.5)
            .collect();
        assert_eq!(&h[..3], &[0.077_509_88, 0.394_803, 0.225_672_72]);
        let bits = artifact(BH, &pk(), 0, &h, 12).unwrap();
        let bytes = encode_f16_le(&bits);
        use base64::Engine as _;
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(bytes),
            "TbiUKC80ADkfKGm1RLSPLlct7w33MNow"
        );
    }
}
