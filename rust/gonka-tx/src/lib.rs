//! Cosmos SDK transactions for the Gonka chain: protobuf encoding, sign docs and signing.
//!
//! Messages are declared once, in the `.proto` files of `proto/` with the `gonka` options
//! (`proto/gonka/options.proto`): their schemas ([`schema`]) drive the wire form, the checks and the
//! chain's JSON form of every message ([`value`]: proto3 JSON, 64-bit integers as strings, bytes as
//! base64, timestamps as RFC 3339, `Any` with an inline `"@type"`), and `build.rs` generates their Rust
//! types ([`msg`]). More messages can be registered at run time from a descriptor set.
//!
//! - [`coin`], [`time`], [`dec`]: value types (Coin, Timestamp, LegacyDec).
//! - [`msg`]: every message type gonka models, with its type URL.
//! - [`tx`]: TxBody, AuthInfo, SignDoc, TxRaw; signing, hashing and decoding.

pub mod any;
pub mod coin;
pub mod dec;
mod json;
pub mod msg;
pub mod proto;
pub mod schema;
pub mod time;
pub mod tx;
mod validate;
pub mod value;

pub use any::{RawAny, MAX_ANY_DEPTH, MAX_ANY_UNPACKS};
pub use coin::Coin;
pub use msg::{Msg, PubKey};
pub use time::Timestamp;
pub use tx::{
    decode_tx, sign_direct, sign_doc, tx_hash, tx_raw, AuthInfo, DecodedTx, Fee, SignerInfo, Tx,
    TxBody,
};
pub use validate::{ACCOUNT_HRP, VALOPER_HRP};

pub use gonka_core::{Error, Result};
