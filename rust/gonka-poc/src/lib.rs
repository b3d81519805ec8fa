//! Gonka Proof of Compute primitives: numpy-compatible RNG streams, seeds and the weight pool.
//!
//! Every stream is bit-identical to the reference implementation, which draws from numpy's
//! `default_rng(SeedSequence(entropy))` (PCG64 + the float64 ziggurat): numpy is not needed to
//! reproduce any of them.
//!
//! * [`seed`]: seed strings, SHA-256 entropy, numpy's `SeedSequence` and parameter name hashes.
//! * [`pcg64`]: the PCG64 (XSL-RR 128/64) bit generator, with O(log n) jump-ahead.
//! * [`generator`]: a numpy `Generator` equivalent: `standard_normal`, `normal`, `permutation`.
//! * [`convert`]: the float64 -> float32 -> float16 double rounding of the reference.
//! * [`streams`]: the protocol's batch streams (inputs, permutations, target, weight pool), in parallel.
//! * [`v2`]: PoC v2 (murmur seeds, Box–Muller inputs, pick, Haar chain, Go's `math/rand` sampling).

pub mod convert;
pub mod error;
pub mod generator;
pub mod pcg64;
mod pool;
pub mod seed;
pub mod streams;
pub mod v2;
mod ziggurat;
mod ziggurat_tables;

pub use error::{Error, Result};
pub use generator::Generator;
pub use pcg64::Pcg64;
