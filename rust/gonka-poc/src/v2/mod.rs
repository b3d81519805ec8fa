//! PoC v2: the primitives of the artifact protocol mainnet runs since v0.2.9.
//!
//! * [`rng`]: `seed32`, the single-block MurmurHash3 variant, uniforms and the Box–Muller
//!   normals (with their n-dependent pairing), per-nonce inputs (plain and "stronger" segmented).
//! * [`artifact`]: `pick` in CUDA's order, the Haar reflection chain and fp16 encoding.
//! * [`gorand`]: Go's `math/rand` source and `Intn`, and [`sampling`]: the validator's leaf
//!   sampling built on it.
//!
//! Integer parts are exact. Floating-point steps round exactly where the reference rounds
//! (float32 after every operation); the transcendental functions (`ln`, `sin`, `cos`) are
//! evaluated in float64 and rounded once to float32, so they are the correctly rounded values
//! (the reference's own float32 libraries are within a few ulps of them).

pub mod artifact;
pub mod gorand;
pub mod rng;
pub mod sampling;
mod transcendental;

/// The artifact dimension every mainnet release uses (`k_dim`, not on chain).
pub const DEFAULT_K_DIM: usize = 12;
