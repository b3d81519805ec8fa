//! The chain's JSON form of a message (proto3 JSON as the SDK writes it): every field, 64-bit integers as
//! strings, bytes as base64, enums by name, timestamps as RFC 3339, an Any as an object whose `"@type"` sits
//! next to the payload's fields (`{"@type", "value": base64}` for a payload gonka does not model).
//!
//! Writing is a `serde::Serialize` (so it serves serde_json and Python objects alike); reading walks any
//! [`Node`] (serde_json values, Python objects) as the schema directs, which bounds it by the schema and the
//! Any caps whatever the input's depth.
mod read;

pub use read::{read_any, read_message, shorten, Node};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::schema::{self, Field, Kind, Scalar};
use crate::value::{AnyValue, Message, Value};
use gonka_core::{Error, Result};

/// Serializes a message as its JSON object.
pub struct JsonMessage<'a>(pub &'a Message);

/// Serializes an Any: `"@type"` first, then the payload's fields.
pub struct JsonAny<'a>(pub &'a AnyValue);

struct JsonField<'a> {
    field: &'static schema::Field,
    value: &'a Value,
}

impl Serialize for JsonMessage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let fields = self.0.schema().fields();
        let mut map = s.serialize_map(Some(fields.len()))?;
        write_fields(&mut map, self.0)?;
        map.end()
    }
}

fn write_fields<M: SerializeMap>(
    map: &mut M,
    message: &Message,
) -> std::result::Result<(), M::Error> {
    for (field, value) in message.schema().fields().iter().zip(message.fields()) {
        map.serialize_entry(field.name.as_str(), &JsonField { field, value })?;
    }
    Ok(())
}

impl Serialize for JsonAny<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            AnyValue::Typed(message) => {
                let mut map = s.serialize_map(Some(message.schema().fields().len() + 1))?;
                map.serialize_entry("@type", &message.schema().type_url)?;
                write_fields(&mut map, message)?;
                map.end()
            }
            AnyValue::Raw(raw) => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("@type", &raw.type_url)?;
                map.serialize_entry("value", &STANDARD.encode(&raw.value))?;
                map.end()
            }
        }
    }
}

impl Serialize for JsonField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.value {
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for value in items {
                    seq.serialize_element(&JsonField {
                        field: self.field,
                        value,
                    })?;
                }
                seq.end()
            }
            value => write_value(self.field, value, s),
        }
    }
}

fn write_value<S: Serializer>(
    field: &'static Field,
    value: &Value,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let scalar = match field.kind {
        Kind::Scalar(scalar) => Some(scalar),
        _ => None,
    };
    let as_text = scalar.is_some_and(Scalar::is_64_bit);
    match value {
        Value::Null => s.serialize_none(),
        Value::Bool(b) => s.serialize_bool(*b),
        Value::I64(v) if as_text => s.collect_str(v),
        Value::I64(v) => s.serialize_i64(*v),
        Value::U64(v) if as_text => s.collect_str(v),
        Value::U64(v) => s.serialize_u64(*v),
        Value::F64(v) if scalar == Some(Scalar::Float) => s.serialize_f32(*v as f32),
        Value::F64(v) => s.serialize_f64(*v),
        Value::Enum(n) => match field.kind {
            Kind::Enum(e) => match e.value(*n) {
                Some(v) => s.serialize_str(&v.name),
                None => s.serialize_i32(*n),
            },
            _ => s.serialize_i32(*n),
        },
        Value::String(text) => s.serialize_str(text),
        Value::Bytes(bytes) => s.serialize_str(&STANDARD.encode(bytes)),
        Value::Coin(coin) => {
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry("denom", &coin.denom)?;
            map.serialize_entry("amount", &coin.amount)?;
            map.end()
        }
        Value::Timestamp(ts) => s.collect_str(ts),
        Value::Message(message) => JsonMessage(message).serialize(s),
        Value::Any(any) => JsonAny(any).serialize(s),
        Value::List(items) => {
            let mut seq = s.serialize_seq(Some(items.len()))?;
            for value in items {
                seq.serialize_element(&JsonField { field, value })?;
            }
            seq.end()
        }
    }
}

/// The JSON form as a serde_json value.
pub fn any_to_json(any: &AnyValue) -> Result<serde_json::Value> {
    serde_json::to_value(JsonAny(any))
        .map_err(|e| Error::InvalidInput(format!("{}: {e}", any.type_url())))
}

pub fn message_to_json(message: &Message) -> Result<serde_json::Value> {
    serde_json::to_value(JsonMessage(message))
        .map_err(|e| Error::InvalidInput(format!("{}: {e}", message.schema().full_name)))
}
