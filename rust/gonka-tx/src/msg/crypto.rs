//! `cosmos.crypto`: the public keys carried in an Any (secp256k1 account keys, ed25519 consensus keys).

use crate::value::{invalid_at, Path};
use gonka_core::{Error, Result};

use super::PubKey;

include!(concat!(env!("OUT_DIR"), "/msg/crypto.rs"));

impl PubKey {
    /// An account key: the 33-byte compressed secp256k1 point.
    pub fn secp256k1(compressed: &[u8]) -> Self {
        PubKey::Secp256k1(Secp256k1PubKey {
            key: compressed.to_vec(),
        })
    }
}

/// `SECP256K1_KEY`: the compressed-point shape (33 bytes, prefix 02 or 03). The point itself is not
/// decompressed here: that costs more than the rest of the encoding, keys that come from a private key
/// are valid by construction, and verification rejects a bad point.
pub(crate) fn secp256k1_key(path: &Path<'_>, key: &[u8]) -> Result<()> {
    match key {
        [0x02 | 0x03, rest @ ..] if rest.len() == 32 => Ok(()),
        _ => Err(Error::InvalidKey(format!(
            "{path}: an account key goes on the wire as a 33-byte compressed point (02/03 prefix), got {} bytes",
            key.len()
        ))),
    }
}

/// `ED25519_KEY`: 32 bytes.
pub(crate) fn ed25519_key(path: &Path<'_>, key: &[u8]) -> Result<()> {
    if key.len() == 32 {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            format!("an ed25519 public key is 32 bytes, got {}", key.len()),
        ))
    }
}
