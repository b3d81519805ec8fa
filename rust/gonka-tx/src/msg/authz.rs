//! `cosmos.authz`: what a generic authorization names.

use crate::value::{invalid_at, Path};
use gonka_core::Result;

include!(concat!(env!("OUT_DIR"), "/msg/authz.rs"));

/// A message type URL (`TYPE_URL`): `/package.Message`.
pub(crate) fn type_url(path: &Path<'_>, value: &str) -> Result<()> {
    if value.starts_with('/') {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            format!("{value:?} is not a message type URL"),
        ))
    }
}
