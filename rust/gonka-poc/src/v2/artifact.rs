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

use std::io::Write;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::rng::{mm, normal_into};
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

    fn seed(&self, tail: std::fmt::Arguments<'_>) -> u32 {
        // A nonce and two indices fit 64 bytes with room to spare.
        let mut buffer = [0u8; 96];
        let mut cursor = std::io::Cursor::new(&mut buffer[..]);
        cursor.write_fmt(tail).expect("a seed tail fits its buffer");
        let len = cursor.position() as usize;
        let digest = self.0.clone().chain_update(&buffer[..len]).finalize();
        u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
    }

    /// `seed32(pick_seed(..))`.
    pub fn pick(&self, nonce: i64, k: usize) -> u32 {
        self.seed(format_args!("{nonce}_pick_{k}"))
    }

    /// `seed32(haar_seed(..))`.
    pub fn haar(&self, nonce: i64, k: usize, j: usize) -> u32 {
        self.seed(format_args!("{nonce}_haar_hh_{k}_{j}"))
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

/// Scores whose minimum decides whether the selection looks at them.
const SCAN_CHUNK: usize = 32;

/// The `k` indices of the smallest scores, in CUDA's order.
pub fn pick_with_seed(seed: u32, hidden: usize, k: usize) -> Result<Vec<u32>> {
    check_k(k, hidden)?;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 was detected just above.
        return Ok(unsafe { smallest_avx2(seed, hidden, k) });
    }
    Ok(smallest(seed, hidden, k))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn smallest_avx2(seed: u32, hidden: usize, k: usize) -> Vec<u32> {
    smallest(seed, hidden, k)
}

/// The k smallest of the (score, index) pairs offered, ordered as a full sort orders them.
struct Smallest {
    best: Vec<(u32, u32)>,
    k: usize,
}

impl Smallest {
    fn new(k: usize) -> Self {
        Self {
            best: Vec::with_capacity(k),
            k,
        }
    }

    #[inline(always)]
    fn offer(&mut self, score: u32, index: u32) {
        let full = self.best.len() == self.k;
        if full && score >= self.best[self.k - 1].0 {
            return;
        }
        if !full {
            self.best.push((score, index));
        }
        // Shift the entries above `score` up one (the largest falls out when full).
        let mut at = self.best.len() - 1;
        while at > 0 && self.best[at - 1].0 > score {
            self.best[at] = self.best[at - 1];
            at -= 1;
        }
        self.best[at] = (score, index);
    }
}

/// The scan of [`pick_with_seed`] (`1 <= k <= hidden`); inlined into its AVX2 copy, where the scores and
/// the chunk minima vectorize.
#[inline(always)]
fn smallest(seed: u32, hidden: usize, k: usize) -> Vec<u32> {
    let mut scores = vec![0u32; hidden];
    for (i, s) in scores.iter_mut().enumerate() {
        *s = mm(i as u32, seed);
    }
    let minima: Vec<u32> = scores
        .chunks(SCAN_CHUNK)
        .map(|chunk| chunk.iter().fold(u32::MAX, |m, &s| m.min(s)))
        .collect();
    // The k-th smallest chunk minimum bounds the k-th smallest score (k chunks hold a score no larger):
    // only chunks whose minimum is within it can hold one of the k.
    let mut bound = u32::MAX;
    if minima.len() > k {
        let mut of_minima = Smallest::new(k);
        for (c, &m) in minima.iter().enumerate() {
            of_minima.offer(m, c as u32);
        }
        bound = of_minima.best[k - 1].0;
    }
    let mut best = Smallest::new(k);
    for (c, chunk) in scores.chunks(SCAN_CHUNK).enumerate() {
        if minima[c] > bound {
            continue;
        }
        for (i, &score) in chunk.iter().enumerate() {
            best.offer(score, (c * SCAN_CHUNK + i) as u32);
        }
    }
    let best = best.best;
    let kth = best[k - 1].1;
    let mut out: Vec<u32> = best[..k - 1].iter().map(|&(_, index)| index).collect();
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
    (0..k.saturating_sub(1))
        .map(|j| {
            let mut w = vec![0f32; k];
            haar_vector_into(seeds, nonce, k, j, &mut w)?;
            Ok(w)
        })
        .collect()
}

/// Unit vector `j` of a nonce's Haar chain into `w` (`k` values).
fn haar_vector_into(
    seeds: &NonceSeeds,
    nonce: i64,
    k: usize,
    j: usize,
    w: &mut [f32],
) -> Result<()> {
    normal_into(seeds.haar(nonce, k, j), w)?;
    let norm = norm_f32(w);
    for x in w.iter_mut() {
        *x /= norm;
    }
    Ok(())
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
    artifact_into(seeds, nonce, last_hidden, k, &mut bits)?;
    Ok(bits)
}

/// The artifact of one nonce into `out` (`k` fp16 bits); the chain's vectors are made one at a time.
fn artifact_into(
    seeds: &NonceSeeds,
    nonce: i64,
    last_hidden: &[f32],
    k: usize,
    out: &mut [u16],
) -> Result<()> {
    let idx = pick_with_seed(seeds.pick(nonce, k), last_hidden.len(), k)?;
    let scale = norm_f32(last_hidden) + 1e-8;
    let mut y: Vec<f32> = idx
        .iter()
        .map(|&i| last_hidden[i as usize] / scale)
        .collect();
    let mut w = vec![0f32; k];
    for j in 0..k - 1 {
        haar_vector_into(seeds, nonce, k, j, &mut w)?;
        reflect(&mut y, &w);
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
    out.par_chunks_mut(k)
        .zip(last_hidden.par_chunks(hidden))
        .zip(nonces.par_iter())
        .try_for_each(|((row, h), &nonce)| artifact_into(&seeds, nonce, h, k, row))
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
    out.par_chunks_mut(k)
        .zip(nonces.par_iter())
        .try_for_each(|(row, &nonce)| {
            row.copy_from_slice(&pick_with_seed(seeds.pick(nonce, k), hidden, k)?);
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
    use crate::v2::rng::{seed32, uniform};

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
        ] {
            let mut all: Vec<(u32, u32)> = (0..hidden as u32).map(|d| (mm(d, seed), d)).collect();
            all.sort_unstable();
            let mut want: Vec<u32> = all[..k - 1].iter().map(|&(_, d)| d).collect();
            want.sort_unstable();
            want.push(all[k - 1].1);
            assert_eq!(pick_with_seed(seed, hidden, k).unwrap(), want);
        }
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
