//! Loading the public vectors kept in the repository's `tests/vectors/` (shared with pytest).

#![allow(dead_code)] // each test binary uses a part

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;

/// A vector file; a missing file fails the test (it is never skipped).
pub fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

pub fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

pub fn hex_bytes(value: &Value) -> Vec<u8> {
    hex::decode(text(value)).unwrap()
}

pub fn b64(value: &Value) -> Vec<u8> {
    match value {
        Value::Null => Vec::new(),
        _ => BASE64.decode(text(value)).unwrap(),
    }
}

pub fn int(value: &Value) -> u64 {
    match value {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("not an integer: {other}"),
    }
}

/// Flips bit `bit` of `data` (bit 0 is the lowest of byte 0).
pub fn flip(data: &[u8], bit: usize) -> Vec<u8> {
    let mut out = data.to_vec();
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

/// A JSON string's bytes, one bit flipped, as uppercase hex (for hash fields).
pub fn flip_hex(value: &Value, bit: usize) -> Value {
    Value::String(hex::encode_upper(flip(&hex_bytes(value), bit)))
}
