//! One long normal stream generated on all threads, bit-identical to a sequential parse.
//!
//! The ziggurat reads the u64 stream in attempts of one u64 (99%) or a few (the rare paths).
//! Any two parses of the same stream that start an attempt at the same position agree from
//! there on. So the stream is cut into chunks that are parsed speculatively in parallel, each
//! as if an attempt started at its first u64 (PCG64 jumps there in O(log n)); then, in stream
//! order, the true parse arriving at a chunk's attempt-start position is matched against the
//! chunk's first attempt starts and the chunk's outputs from that point on are kept. A chunk
//! whose first attempts never meet the true parse (practically impossible) is re-parsed from
//! the true position.

use rayon::prelude::*;

use crate::convert::Element;
use crate::generator::fill_normals;
use crate::pcg64::{BlockBits, Pcg64};
use crate::ziggurat::{attempt, draw_normals};

/// u64 draws per speculative chunk.
const CHUNK: u64 = 1 << 18;
/// Chunks per round and thread (balances the threads inside a round).
const CHUNKS_PER_THREAD: usize = 4;
/// Attempt starts remembered at the head of each chunk for the stitch.
const HEAD: usize = 64;
/// Below this many values the sequential parse is as fast.
const PARALLEL_MIN: usize = 1 << 21;
/// Values converted at a time.
const CONVERT_BLOCK: usize = 256;

/// `loc + scale·z` for `out.len()` standard normals z of `rng`'s stream, converted to `T`.
pub(crate) fn fill_normal<T: Element>(rng: Pcg64, loc: f64, scale: f64, out: &mut [T]) {
    let map = move |z: f64| loc + scale * z;
    let threads = rayon::current_num_threads();
    if threads < 2 || out.len() < PARALLEL_MIN {
        fill_normals(&mut BlockBits::new(rng, 0), map, out);
        return;
    }
    let mut chunks: Vec<Speculative<T>> = (0..threads * CHUNKS_PER_THREAD)
        .map(|_| Speculative::default())
        .collect();
    let mut written = 0usize;
    let mut position = 0u64;
    while written < out.len() {
        let remaining = out.len() - written;
        // Slightly more draws than values are needed (rejections), so one extra chunk.
        let wanted = (remaining as u64 / CHUNK + 2) as usize;
        let round = &mut chunks[..wanted.min(threads * CHUNKS_PER_THREAD)];
        round.par_iter_mut().enumerate().for_each(|(j, chunk)| {
            let start = position + j as u64 * CHUNK;
            chunk.parse(&rng, start, start + CHUNK, &map);
        });
        let mut pieces = Vec::with_capacity(round.len());
        let mut rest = &mut out[written..];
        for chunk in round.iter_mut() {
            let skip = match chunk.outputs_before(position) {
                Some(skip) => skip,
                None => {
                    let limit = chunk.limit;
                    chunk.parse(&rng, position, limit, &map);
                    0
                }
            };
            position = chunk.end;
            let take = (chunk.outputs.len() - skip).min(rest.len());
            let (dst, tail) = rest.split_at_mut(take);
            pieces.push((&chunk.outputs[skip..skip + take], dst));
            rest = tail;
            written += take;
        }
        pieces
            .into_par_iter()
            .for_each(|(src, dst)| dst.copy_from_slice(src));
    }
}

/// A chunk parsed as if an attempt started at its first u64.
struct Speculative<T> {
    /// First attempt start of the parse.
    start: u64,
    /// Attempts start below this position.
    limit: u64,
    /// Position after the last attempt (the next chunk's true attempt start).
    end: u64,
    outputs: Vec<T>,
    /// (attempt start, outputs produced before it) of the first attempts.
    head: Vec<(u64, usize)>,
}

impl<T> Default for Speculative<T> {
    fn default() -> Self {
        Speculative {
            start: 0,
            limit: 0,
            end: 0,
            outputs: Vec::new(),
            head: Vec::new(),
        }
    }
}

impl<T: Element> Speculative<T> {
    fn parse(&mut self, rng: &Pcg64, start: u64, limit: u64, map: &impl Fn(f64) -> f64) {
        let mut jumped = *rng;
        jumped.advance(u128::from(start));
        let mut bits = BlockBits::new(jumped, start);
        self.start = start;
        self.limit = limit;
        self.outputs.clear();
        self.head.clear();
        let mut block = [0.0f64; CONVERT_BLOCK];
        let mut converted = [T::default(); CONVERT_BLOCK];
        let mut filled = 0;
        while bits.position() < limit && self.head.len() < HEAD {
            self.head.push((bits.position(), filled));
            if let Some(z) = attempt(&mut bits) {
                block[filled] = z;
                filled += 1;
            }
        }
        loop {
            filled += draw_normals(&mut bits, &mut block[filled..], limit);
            let done = filled < CONVERT_BLOCK;
            for value in block[..filled].iter_mut() {
                *value = map(*value);
            }
            T::convert(&block[..filled], &mut converted[..filled]);
            self.outputs.extend_from_slice(&converted[..filled]);
            filled = 0;
            if done {
                break;
            }
        }
        self.end = bits.position();
    }

    /// How many of the outputs precede the attempt starting at `position`, if this parse has
    /// an attempt starting there among its first ones.
    fn outputs_before(&self, position: u64) -> Option<usize> {
        if position == self.start {
            return Some(0);
        }
        self.head
            .iter()
            .find(|(start, _)| *start == position)
            .map(|&(_, before)| before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::Generator;
    use crate::pcg64::BitSource;

    fn sequential<T: Element>(rng: Pcg64, n: usize) -> Vec<T> {
        let mut out = vec![T::default(); n];
        fill_normals(&mut BlockBits::new(rng, 0), |z| 0.0 + 0.02 * z, &mut out);
        out
    }

    #[test]
    fn parallel_pool_equals_the_sequential_parse() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for (seed, n) in [
            ("a", PARALLEL_MIN + 1),
            ("b", 3 * CHUNK as usize + 17),
            ("c", 5_000_001),
        ] {
            let rng = Generator::from_seed(seed, 4).unwrap().bit_generator();
            let expected = sequential::<f64>(rng, n);
            let mut out = vec![0f64; n];
            pool.install(|| fill_normal(rng, 0.0, 0.02, &mut out));
            assert!(out == expected, "seed {seed}, n {n}");
        }
    }

    #[test]
    fn stitch_recovers_from_a_chunk_that_starts_mid_attempt() {
        // Find a stream whose attempt at a chunk boundary takes more than one u64.
        let rng = Generator::from_seed("stitch", 4).unwrap().bit_generator();
        let mut bits = BlockBits::new(rng, 0);
        let mut boundary = None;
        while boundary.is_none() {
            let start = bits.position();
            attempt(&mut bits);
            if bits.position() > start + 1 {
                boundary = Some(start + 1);
            }
        }
        let boundary = boundary.unwrap();
        let mut whole = Speculative::<f64>::default();
        whole.parse(&rng, 0, boundary + 1000, &|z| z);
        let mut spec = Speculative::<f64>::default();
        spec.parse(&rng, boundary, boundary + 1000, &|z| z);
        let mut first = Speculative::<f64>::default();
        first.parse(&rng, 0, boundary, &|z| z);
        assert!(first.end > boundary);
        let skip = spec.outputs_before(first.end).expect("resynchronizes");
        let mut stitched = first.outputs.clone();
        stitched.extend_from_slice(&spec.outputs[skip..]);
        assert_eq!(stitched, whole.outputs);
        let _ = bits.next_u64();
    }
}
