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
    ProofError,
    GonkaError,
    "A proof or signature check failed; `step` names the check, `expected`/`actual` the bytes."
);
create_exception!(
    gonka._native,
    MalformedProof,
    ProofError,
    "A proof, header, commit or answer could not be decoded or has the wrong shape."
);
create_exception!(
    gonka._native,
    MembershipError,
    ProofError,
    "An ICS23 proof does not prove the key and value under its root."
);
create_exception!(
    gonka._native,
    EpochMismatch,
    ProofError,
    "The proof or the proven value is for another epoch than the one requested."
);
create_exception!(
    gonka._native,
    AppHashMismatch,
    ProofError,
    "The proven app hash is not the authenticated header's."
);
create_exception!(
    gonka._native,
    HeaderMismatch,
    ProofError,
    "The header is not the one asked for, or not the block its commit signs."
);
create_exception!(
    gonka._native,
    ValidatorSetMismatch,
    ProofError,
    "A validator set does not hash to the header's, or is inconsistent."
);
create_exception!(
    gonka._native,
    InvalidCommit,
    ProofError,
    "A commit's signatures are invalid or not the validator set's."
);
create_exception!(
    gonka._native,
    InsufficientVotingPower,
    InvalidCommit,
    "The valid signatures carry no more than 2/3 of the voting power."
);
create_exception!(
    gonka._native,
    TrustError,
    ProofError,
    "The light client cannot extend its trust to the header (expired, too little overlap, not forward)."
);
create_exception!(
    gonka._native,
    InclusionError,
    ProofError,
    "A Merkle inclusion proof (transactions, RFC 6962) does not reach its root."
);
create_exception!(
    gonka._native,
    SumTreeError,
    ProofError,
    "A PoC v2 artifact commitment (sparse Merkle sum tree or MMR) does not verify."
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
    m.add("ProofError", py.get_type::<ProofError>())?;
    m.add("MalformedProof", py.get_type::<MalformedProof>())?;
    m.add("MembershipError", py.get_type::<MembershipError>())?;
    m.add("EpochMismatch", py.get_type::<EpochMismatch>())?;
    m.add("AppHashMismatch", py.get_type::<AppHashMismatch>())?;
    m.add("HeaderMismatch", py.get_type::<HeaderMismatch>())?;
    m.add(
        "ValidatorSetMismatch",
        py.get_type::<ValidatorSetMismatch>(),
    )?;
    m.add("InvalidCommit", py.get_type::<InvalidCommit>())?;
    m.add(
        "InsufficientVotingPower",
        py.get_type::<InsufficientVotingPower>(),
    )?;
    m.add("TrustError", py.get_type::<TrustError>())?;
    m.add("InclusionError", py.get_type::<InclusionError>())?;
    m.add("SumTreeError", py.get_type::<SumTreeError>())?;
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

/// Maps a proof failure onto its Python class, with `step`, `expected` and `actual` set.
pub fn proof_to_py(py: Python<'_>, err: gonka_proofs::ProofError) -> PyErr {
    use gonka_proofs::Kind as K;
    let message = err.to_string();
    let py_err = match err.kind {
        K::Malformed => MalformedProof::new_err(message),
        K::Membership => MembershipError::new_err(message),
        K::EpochMismatch => EpochMismatch::new_err(message),
        K::AppHashMismatch => AppHashMismatch::new_err(message),
        K::HeaderMismatch => HeaderMismatch::new_err(message),
        K::ValidatorSetMismatch => ValidatorSetMismatch::new_err(message),
        K::InvalidCommit => InvalidCommit::new_err(message),
        K::InsufficientVotingPower => InsufficientVotingPower::new_err(message),
        K::Trust => TrustError::new_err(message),
        K::Inclusion => InclusionError::new_err(message),
        K::SumTree => SumTreeError::new_err(message),
    };
    let value = py_err.value(py);
    let bytes = |b: Option<Vec<u8>>| b.map(|b| pyo3::types::PyBytes::new(py, &b));
    let attributes = value
        .setattr("step", err.step)
        .and_then(|_| value.setattr("expected", bytes(err.expected)))
        .and_then(|_| value.setattr("actual", bytes(err.actual)));
    match attributes {
        Ok(()) => py_err,
        Err(e) => e,
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
