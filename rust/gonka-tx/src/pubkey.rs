//! Public keys carried in an Any: secp256k1 account keys and ed25519 consensus keys.

use serde::{Deserialize, Serialize};

use crate::any::{any_enum, AnyPayload};
use crate::json::base64_bytes;
use crate::proto::cosmos::crypto::{ed25519 as ed_pb, secp256k1 as secp_pb};
use crate::validate::invalid;
use gonka_core::Result;

/// `/cosmos.crypto.secp256k1.PubKey`: a 33-byte compressed point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secp256k1PubKey {
    #[serde(with = "base64_bytes")]
    pub key: Vec<u8>,
}

/// `/cosmos.crypto.ed25519.PubKey`: a 32-byte consensus key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ed25519PubKey {
    #[serde(with = "base64_bytes")]
    pub key: Vec<u8>,
}

impl AnyPayload for Secp256k1PubKey {
    const TYPE_URL: &'static str = "/cosmos.crypto.secp256k1.PubKey";
    type Proto = secp_pb::PubKey;

    /// Checks the compressed-point shape (33 bytes, prefix 02 or 03). The point itself is not
    /// decompressed here: that costs more than the rest of the encoding, keys that come from a
    /// private key are valid by construction, and verification rejects a bad point.
    fn validate(&self, field: &str) -> Result<()> {
        match self.key.as_slice() {
            [0x02 | 0x03, rest @ ..] if rest.len() == 32 => Ok(()),
            _ => Err(gonka_core::Error::InvalidKey(format!(
                "{field}: an account key goes on the wire as a 33-byte compressed point (02/03 prefix), got {} bytes",
                self.key.len()
            ))),
        }
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(secp_pb::PubKey {
            key: self.key.clone(),
        })
    }

    fn from_proto(proto: Self::Proto) -> Result<Self> {
        Ok(Self { key: proto.key })
    }
}

impl AnyPayload for Ed25519PubKey {
    const TYPE_URL: &'static str = "/cosmos.crypto.ed25519.PubKey";
    type Proto = ed_pb::PubKey;

    fn validate(&self, field: &str) -> Result<()> {
        if self.key.len() != 32 {
            return Err(invalid(
                field,
                format!("an ed25519 public key is 32 bytes, got {}", self.key.len()),
            ));
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(ed_pb::PubKey {
            key: self.key.clone(),
        })
    }

    fn from_proto(proto: Self::Proto) -> Result<Self> {
        Ok(Self { key: proto.key })
    }
}

any_enum! {
    /// A public key in an Any.
    PubKey { Secp256k1(Secp256k1PubKey), Ed25519(Ed25519PubKey) }
}

impl PubKey {
    pub fn secp256k1(compressed: &[u8]) -> Self {
        PubKey::Secp256k1(Secp256k1PubKey {
            key: compressed.to_vec(),
        })
    }
}
