//! `gonka._native`: thin PyO3 bindings over the pure-Rust core crates.
//!
//! Each domain registers its classes and functions from its own module; every entry point runs
//! under `guard`, so a Rust panic surfaces as `gonka.errors.GonkaError`, never as a PanicException.

use pyo3::prelude::*;

// Faster than the system allocator for the many small buffers that encoding and signing make.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod classes;
mod coin;
mod convert;
mod decoded;
mod errors;
mod hashing;
mod keyring;
mod keys;
mod make;
mod msg;
mod poc;
mod poc_v2;
mod proofs;
mod tx;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // How this module was built (build.rs): `gonka version` prints them.
    m.add("BUILD_TARGET", env!("GONKA_BUILD_TARGET"))?;
    m.add("BUILD_RUSTC", env!("GONKA_BUILD_RUSTC"))?;
    m.add("BUILD_PROFILE", env!("GONKA_BUILD_PROFILE"))?;
    errors::register(m)?;
    hashing::register(m)?;
    keys::register(m)?;
    keyring::register(m)?;
    poc::register(m)?;
    proofs::register(m)?;
    poc_v2::register(m)?;
    coin::register(m)?;
    classes::register(m)?;
    msg::register(m)?;
    tx::register(m)?;
    decoded::register(m)?;
    Ok(())
}
