//! Field checks shared by the messages; every error names the field that is wrong.

use gonka_core::{Error, Result};

/// Account addresses (`gonka1...`).
pub const ACCOUNT_HRP: &str = "gonka";
/// Validator operator addresses (`gonkavaloper1...`).
pub const VALOPER_HRP: &str = "gonkavaloper";

/// A bech32 address with the given human-readable part.
pub fn address(field: &str, value: &str, hrp: &str) -> Result<()> {
    if gonka_core::address::is_valid_with_hrp(value, hrp) {
        return Ok(());
    }
    match gonka_core::address::decode(value) {
        Ok((got, _)) if got == hrp => Ok(()),
        Ok((got, _)) => Err(Error::InvalidAddress(format!(
            "{field}: expected a {hrp}1... address, got prefix {got:?} in {value:?}"
        ))),
        Err(err) => Err(Error::InvalidAddress(format!("{field}: {err} ({value:?})"))),
    }
}

/// An account address, or nothing where the field is optional.
pub fn optional_address(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        Ok(())
    } else {
        address(field, value, ACCOUNT_HRP)
    }
}

pub fn invalid(field: &str, what: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("{field}: {what}"))
}
