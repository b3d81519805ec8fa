//! Gonka protocol primitives in pure Rust: hashing, keys, signatures and addresses.
//!
//! This crate has no Python dependency; `gonka-py` exposes it to Python as `gonka._native`.
//!
//! Account keys: [`bip39`] mnemonic -> seed -> [`bip32`] derivation along
//! [`bip32::GONKA_PATH`] -> [`secp256k1::PrivateKey`] -> [`address`] (`gonka1...`).
//! Consensus keys: [`ed25519::ConsensusKey`].

pub mod address;
pub mod bip32;
pub mod bip39;
pub mod ed25519;
pub mod error;
pub mod hash;
mod random;
mod rfc6979;
pub mod secp256k1;

pub use error::{Error, Result};
/// Buffers that wipe secrets when dropped (returned by the key types).
pub use zeroize::Zeroizing;
