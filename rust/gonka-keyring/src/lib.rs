//! The Cosmos SDK `file` keyring that `inferenced` writes (`--keyring-backend file`): each item is a compact
//! JWE ([`jwe`]) of a JSON item whose `Data`, for a `<name>.info` item, is a protobuf key record
//! ([`record`]). Secrets live only in buffers wiped on drop, and leave as a key object.

pub mod jwe;
pub mod record;

mod proto {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]

    pub mod cosmos {
        pub mod crypto {
            pub mod keyring {
                pub mod v1 {
                    include!(concat!(env!("OUT_DIR"), "/cosmos.crypto.keyring.v1.rs"));
                }
            }
            pub mod hd {
                pub mod v1 {
                    include!(concat!(env!("OUT_DIR"), "/cosmos.crypto.hd.v1.rs"));
                }
            }
        }
    }
}

pub use record::{item_data, KeyRecord};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The item does not decrypt: a wrong passphrase, a tampered file, or not a keyring item.
    #[error("{0}")]
    Decrypt(String),
    /// The decrypted item is not a keyring item.
    #[error("{0}")]
    Item(String),
    /// The item's data is not a protobuf key record.
    #[error("{0}")]
    Record(String),
    #[error("a {0} key's private key is not in the keyring")]
    NoPrivateKey(&'static str),
    #[error("only secp256k1 keys sign transactions, this one is {0}")]
    UnsupportedKey(String),
    #[error(transparent)]
    Key(gonka_core::Error),
}

/// Decrypts an item with the passphrase and returns its data.
pub fn read_item(token: &str, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    item_data(&jwe::decrypt(token, passphrase)?)
}

pub use zeroize::Zeroizing;
