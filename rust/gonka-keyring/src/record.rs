//! Keyring items and key records: the JSON item a JWE holds (`{"Key", "Data", ...}`) and the protobuf
//! `cosmos.crypto.keyring.v1.Record` in the `Data` of a `<name>.info` item. Every buffer that holds the
//! private key (the item, its base64 and its bytes, the record's Any) is wiped when dropped.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use prost::Message;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use gonka_core::secp256k1::PrivateKey;

use crate::proto::cosmos::crypto::keyring::v1::{record, Record};
use crate::Error;

pub const SECP256K1_PRIVKEY_TYPE: &str = "/cosmos.crypto.secp256k1.PrivKey";

/// The `{"key": bytes}` message of the SDK's public and private keys.
#[derive(Clone, PartialEq, Message)]
struct KeyBytes {
    #[prost(bytes = "vec", tag = "1")]
    key: Vec<u8>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(rename = "Data", borrow)]
    data: Cow<'a, str>,
}

/// The `Data` of a decrypted keyring item (the JSON the JWE holds).
pub fn item_data(plaintext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let item: Item<'_> = serde_json::from_slice(plaintext)
        .map_err(|e| Error::Item(format!("not a keyring item: {e}")))?;
    let decoded = STANDARD.decode(item.data.as_bytes()).map(Zeroizing::new);
    // A string with escapes was copied out of the plaintext: that copy is wiped too.
    if let Cow::Owned(mut text) = item.data {
        text.zeroize();
    }
    decoded.map_err(|e| Error::Item(format!("Data is not base64: {e}")))
}

/// What a key record holds. The private key stays in this struct (wiped on drop) until a key object is
/// made of it.
pub struct KeyRecord {
    pub name: String,
    /// `local`, `ledger`, `multi` or `offline`.
    pub kind: &'static str,
    pub public_key_type: String,
    pub public_key: Vec<u8>,
    pub private_key_type: String,
    secret: Option<Zeroizing<Vec<u8>>>,
}

impl KeyRecord {
    /// Parses an encoded Record (what the Data of `<name>.info` is).
    pub fn decode(data: &[u8]) -> Result<Self, Error> {
        let bad = |what: String| Error::Record(what);
        let mut record = Record::decode(data).map_err(|e| bad(e.to_string()))?;
        let secret_any = match &mut record.item {
            Some(record::Item::Local(local)) => local.priv_key.take(),
            _ => None,
        };
        // From here the private key's bytes are owned by wiping buffers only.
        let (private_key_type, secret) = match secret_any {
            Some(any) => {
                let value = Zeroizing::new(any.value);
                let mut key = KeyBytes::decode(value.as_slice())
                    .map_err(|e| bad(format!("private key: {e}")))?;
                let secret = Zeroizing::new(std::mem::take(&mut key.key));
                (any.type_url, Some(secret))
            }
            None => (String::new(), None),
        };
        if record.name.is_empty() {
            return Err(bad("record without a name".into()));
        }
        let kind = match record.item {
            Some(record::Item::Local(_)) => "local",
            Some(record::Item::Ledger(_)) => "ledger",
            Some(record::Item::Multi(_)) => "multi",
            Some(record::Item::Offline(_)) => "offline",
            None => {
                return Err(bad(
                    "record has no key kind (local/ledger/multi/offline)".into()
                ))
            }
        };
        let (public_key_type, public_key) = match record.pub_key {
            Some(any) => {
                let key = KeyBytes::decode(any.value.as_slice())
                    .map_err(|e| bad(format!("public key: {e}")))?;
                (any.type_url, key.key)
            }
            None => (String::new(), Vec::new()),
        };
        Ok(Self {
            name: record.name,
            kind,
            public_key_type,
            public_key,
            private_key_type,
            secret,
        })
    }

    pub fn has_private_key(&self) -> bool {
        self.secret.is_some()
    }

    /// The signing key of a local secp256k1 record.
    pub fn private_key(&self) -> Result<PrivateKey, Error> {
        let Some(secret) = &self.secret else {
            return Err(Error::NoPrivateKey(self.kind));
        };
        if self.private_key_type != SECP256K1_PRIVKEY_TYPE {
            return Err(Error::UnsupportedKey(self.private_key_type.clone()));
        }
        PrivateKey::from_bytes(secret).map_err(Error::Key)
    }

    /// A copy of the private key's bytes (wiped when dropped), for callers that must have them.
    pub fn secret(&self) -> Option<Zeroizing<Vec<u8>>> {
        self.secret.clone()
    }
}
