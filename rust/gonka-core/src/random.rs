//! Secret randomness from the operating system.

use crate::error::{Error, Result};

/// Fills `buf` from the OS random number generator.
pub fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf).map_err(|err| {
        Error::InvalidInput(format!(
            "the operating system's random number generator failed: {err}"
        ))
    })
}
