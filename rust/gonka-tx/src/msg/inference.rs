//! `inference.inference`: what hosts register and submit (URLs, consensus keys, seeds, PoC batches).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::schema::MessageSchema;
use crate::value::{invalid_at, Message, Path, Value};
use gonka_core::Result;

include!(concat!(env!("OUT_DIR"), "/msg/inference.rs"));

/// `HTTP_URL`: empty, or an http(s) URL.
pub(crate) fn http_url(path: &Path<'_>, url: &str) -> Result<()> {
    if url.is_empty() || url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(invalid_at(path, format!("{url:?} is not an http(s) URL")))
    }
}

/// `ED25519_KEY_BASE64`: empty, or the standard base64 of a 32-byte ed25519 public key.
pub(crate) fn ed25519_key_base64(path: &Path<'_>, key: &str) -> Result<()> {
    if key.is_empty() || STANDARD.decode(key.as_bytes()).is_ok_and(|k| k.len() == 32) {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            "must be the base64 of a 32-byte ed25519 public key",
        ))
    }
}

/// `SIGNATURE_HEX`: the lower-case hex of a 64-byte signature.
pub(crate) fn signature_hex(path: &Path<'_>, signature: &str) -> Result<()> {
    let hex = signature.len() == 128
        && signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if hex {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            "must be the lower-case hex of a 64-byte signature",
        ))
    }
}

/// `NONCES_MATCH_DISTANCES`: one distance per nonce.
pub(crate) fn nonces_match_distances(
    schema: &'static MessageSchema,
    message: &Message,
    path: &Path<'_>,
) -> Result<()> {
    let len = |name: &str| match schema.field_index(name).map(|i| &message.fields()[i]) {
        Some(Value::List(items)) => items.len(),
        _ => 0,
    };
    let (nonces, distances) = (len("nonces"), len("dist"));
    if nonces == distances {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            format!("{nonces} nonces but {distances} distances"),
        ))
    }
}

/// `HASH_32`: a 32-byte hash.
pub(crate) fn hash_32(path: &Path<'_>, hash: &[u8]) -> Result<()> {
    if hash.len() == 32 {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            format!("must be 32 bytes, got {}", hash.len()),
        ))
    }
}

/// `COMMITMENT_GIVEN`: per-model `entries`, or the legacy single-model `count` with its `root_hash`.
pub(crate) fn commitment_given(
    schema: &'static MessageSchema,
    message: &Message,
    path: &Path<'_>,
) -> Result<()> {
    let field = |name: &str| schema.field_index(name).map(|i| &message.fields()[i]);
    let entries = matches!(field("entries"), Some(Value::List(items)) if !items.is_empty());
    let count = matches!(field("count"), Some(Value::U64(n)) if *n > 0);
    let root = matches!(field("root_hash"), Some(Value::Bytes(b)) if !b.is_empty());
    if count && !root {
        return Err(invalid_at(
            &path.field("root_hash"),
            "must be given with the legacy count",
        ));
    }
    if entries || count {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            "needs entries (or the legacy count and root_hash)",
        ))
    }
}
