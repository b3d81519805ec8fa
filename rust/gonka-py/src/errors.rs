//! Python exception classes raised from Rust, and the panic guard around every binding.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    gonka._native,
    GonkaError,
    PyException,
    "Base class of every error raised by gonka."
);
create_exception!(
    gonka._native,
    InvalidInput,
    GonkaError,
    "An argument is malformed or out of range."
);
create_exception!(
    gonka._native,
    InvalidMnemonic,
    GonkaError,
    "A BIP39 mnemonic is malformed."
);
create_exception!(
    gonka._native,
    InvalidAddress,
    GonkaError,
    "A bech32 address is malformed or has the wrong prefix."
);
create_exception!(
    gonka._native,
    InvalidKey,
    GonkaError,
    "A private or public key is malformed."
);
create_exception!(
    gonka._native,
    InvalidSignature,
    GonkaError,
    "A signature is malformed or does not verify."
);
create_exception!(
    gonka._native,
    InternalError,
    GonkaError,
    "A bug inside gonka's native code (please report it)."
);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("GonkaError", py.get_type::<GonkaError>())?;
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("InvalidMnemonic", py.get_type::<InvalidMnemonic>())?;
    m.add("InvalidAddress", py.get_type::<InvalidAddress>())?;
    m.add("InvalidKey", py.get_type::<InvalidKey>())?;
    m.add("InvalidSignature", py.get_type::<InvalidSignature>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}

/// Maps a core error onto its Python exception class.
#[allow(dead_code)] // used by the key bindings
pub fn to_py(err: gonka_core::Error) -> PyErr {
    use gonka_core::Error as E;
    match err {
        E::InvalidMnemonic(msg) => InvalidMnemonic::new_err(msg),
        E::InvalidAddress(msg) => InvalidAddress::new_err(msg),
        E::InvalidKey(msg) => InvalidKey::new_err(msg),
        E::InvalidSignature(msg) => InvalidSignature::new_err(msg),
        E::InvalidInput(msg) => InvalidInput::new_err(msg),
    }
}

/// Runs a binding body, turning a panic into `InternalError` so it never reaches the user as a
/// `PanicException` (which derives from BaseException and escapes `except Exception`).
pub fn guard<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(InternalError::new_err(format!(
                "internal error in gonka native code: {what}"
            )))
        }
    }
}

/// `guard` for bodies that return core results.
#[allow(dead_code)] // used by the key bindings
pub fn guard_core<T>(body: impl FnOnce() -> gonka_core::Result<T>) -> PyResult<T> {
    guard(|| body().map_err(to_py))
}

/// Raises `InternalError` on purpose: lets the test suite prove that panics are contained.
#[pyfunction]
pub fn _panic_for_test() -> PyResult<()> {
    guard(|| -> PyResult<()> { panic!("deliberate panic") })
}
