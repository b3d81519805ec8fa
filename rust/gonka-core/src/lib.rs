//! Gonka protocol primitives in pure Rust: hashing, keys, signatures and addresses.
//!
//! This crate has no Python dependency; `gonka-py` exposes it to Python as `gonka._native`.

pub mod error;
pub mod hash;

pub use error::{Error, Result};
