//! The protobuf wire form of a [`Message`], driven by its schema. Encoding writes what prost and gogoproto
//! write (fields in number order, proto3 defaults left out, repeated numbers packed), so the bytes match
//! the chain's. Decoding takes any valid encoding, and is bounded: messages nest at most [`MAX_NESTING`]
//! deep and Anys at most as the Cosmos SDK allows ([`crate::any::Unpacking`]).

mod decode;
mod reader;

pub use decode::{decode, decode_any};
pub(crate) use reader::Reader;

use crate::dec;
use crate::schema::{Check, Field, Kind, Scalar};
use crate::value::{AnyValue, Message, Value};
use gonka_core::{Error, Result};

pub(crate) const VARINT: u8 = 0;
pub(crate) const FIXED64: u8 = 1;
pub(crate) const LEN: u8 = 2;
pub(crate) const FIXED32: u8 = 5;

/// The encoded message.
pub fn encode(message: &Message) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(64);
    encode_into(message, &mut buf)?;
    Ok(buf)
}

fn encode_into(message: &Message, buf: &mut Vec<u8>) -> Result<()> {
    for (field, value) in message.schema().fields().iter().zip(message.fields()) {
        match value {
            Value::List(items) if field.repeated => encode_list(field, items, buf)?,
            value => encode_one(field, value, buf, false)?,
        }
    }
    Ok(())
}

fn encode_list(field: &Field, items: &[Value], buf: &mut Vec<u8>) -> Result<()> {
    let numeric = match field.kind {
        Kind::Scalar(s) => s.is_packable(),
        Kind::Enum(_) => true,
        _ => false,
    };
    if numeric && field.packed {
        if items.is_empty() {
            return Ok(());
        }
        return nested(buf, field.number, |buf| {
            items
                .iter()
                .try_for_each(|item| write_number(field, item, buf))
        });
    }
    items
        .iter()
        .try_for_each(|item| encode_one(field, item, buf, true))
}

/// One value of a field; `in_list`: an element of a repeated field, written even when it is the default.
fn encode_one(field: &Field, value: &Value, buf: &mut Vec<u8>, in_list: bool) -> Result<()> {
    let number = field.number;
    match (field.kind, value) {
        (_, Value::Null) => Ok(()),
        (Kind::Scalar(Scalar::String), Value::String(text)) => {
            let wire;
            let text = if field.has(Check::LegacyDec) {
                wire = dec::to_wire(&field.name, text)?;
                wire.as_str()
            } else {
                text.as_str()
            };
            if in_list || !text.is_empty() {
                write_bytes(buf, number, text.as_bytes());
            }
            Ok(())
        }
        (Kind::Scalar(Scalar::Bytes), Value::Bytes(bytes)) => {
            if in_list || !bytes.is_empty() {
                write_bytes(buf, number, bytes);
            }
            Ok(())
        }
        (Kind::Scalar(_) | Kind::Enum(_), value) => {
            if !in_list && is_zero(value) {
                return Ok(());
            }
            let scalar = match field.kind {
                Kind::Scalar(s) => s,
                _ => Scalar::Int32,
            };
            write_tag(buf, number, wire_type(scalar));
            write_number(field, value, buf)
        }
        (Kind::Message(_), Value::Message(message)) => {
            nested(buf, number, |buf| encode_into(message, buf))
        }
        (Kind::Any, Value::Any(any)) => nested(buf, number, |buf| {
            let type_url = any.type_url();
            if !type_url.is_empty() {
                write_bytes(buf, 1, type_url.as_bytes());
            }
            match any.as_ref() {
                AnyValue::Typed(message) => {
                    let start = buf.len();
                    nested(buf, 2, |buf| encode_into(message, buf))?;
                    // An empty payload is left out, as for any empty bytes field.
                    if buf.len() == start + 2 {
                        buf.truncate(start);
                    }
                    Ok(())
                }
                AnyValue::Raw(raw) => {
                    if !raw.value.is_empty() {
                        write_bytes(buf, 2, &raw.value);
                    }
                    Ok(())
                }
            }
        }),
        (Kind::Coin, Value::Coin(coin)) => nested(buf, number, |buf| {
            if !coin.denom.is_empty() {
                write_bytes(buf, 1, coin.denom.as_bytes());
            }
            if !coin.amount.is_empty() {
                write_bytes(buf, 2, coin.amount.as_bytes());
            }
            Ok(())
        }),
        (Kind::Timestamp, Value::Timestamp(ts)) => nested(buf, number, |buf| {
            if ts.seconds != 0 {
                write_tag(buf, 1, VARINT);
                write_varint(buf, ts.seconds as u64);
            }
            if ts.nanos != 0 {
                write_tag(buf, 2, VARINT);
                write_varint(buf, i64::from(ts.nanos) as u64);
            }
            Ok(())
        }),
        (_, value) => Err(Error::InvalidInput(format!(
            "{}: {} does not fit a {:?} field",
            field.name,
            value.kind_name(),
            field.kind
        ))),
    }
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Bool(b) => !b,
        Value::I64(v) => *v == 0,
        Value::U64(v) => *v == 0,
        // Like prost: -0.0 == 0.0 is left out too.
        Value::F64(v) => *v == 0.0,
        Value::Enum(v) => *v == 0,
        _ => false,
    }
}

pub(crate) fn wire_type(scalar: Scalar) -> u8 {
    match scalar {
        Scalar::Double | Scalar::Fixed64 | Scalar::Sfixed64 => FIXED64,
        Scalar::Float | Scalar::Fixed32 | Scalar::Sfixed32 => FIXED32,
        Scalar::String | Scalar::Bytes => LEN,
        _ => VARINT,
    }
}

/// A number without its tag (an element of a packed list, or after the tag).
fn write_number(field: &Field, value: &Value, buf: &mut Vec<u8>) -> Result<()> {
    let scalar = match field.kind {
        Kind::Scalar(s) => s,
        _ => Scalar::Int32,
    };
    match (scalar, value) {
        (_, Value::Enum(v)) => write_varint(buf, i64::from(*v) as u64),
        (Scalar::Bool, Value::Bool(b)) => buf.push(u8::from(*b)),
        (Scalar::Int32 | Scalar::Int64, Value::I64(v)) => write_varint(buf, *v as u64),
        (Scalar::Uint32 | Scalar::Uint64, Value::U64(v)) => write_varint(buf, *v),
        (Scalar::Sint32 | Scalar::Sint64, Value::I64(v)) => {
            write_varint(buf, ((v << 1) ^ (v >> 63)) as u64)
        }
        (Scalar::Fixed32, Value::U64(v)) => buf.extend_from_slice(&(*v as u32).to_le_bytes()),
        (Scalar::Fixed64, Value::U64(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (Scalar::Sfixed32, Value::I64(v)) => buf.extend_from_slice(&(*v as i32).to_le_bytes()),
        (Scalar::Sfixed64, Value::I64(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (Scalar::Float, Value::F64(v)) => buf.extend_from_slice(&(*v as f32).to_le_bytes()),
        (Scalar::Double, Value::F64(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (scalar, value) => {
            return Err(Error::InvalidInput(format!(
                "{}: {} does not fit a {} field",
                field.name,
                value.kind_name(),
                scalar.proto_name()
            )))
        }
    }
    Ok(())
}

fn write_tag(buf: &mut Vec<u8>, number: u32, wire_type: u8) {
    write_varint(buf, (u64::from(number) << 3) | u64::from(wire_type));
}

pub(crate) fn write_varint(buf: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        buf.push((value as u8) | 0x80);
        value >>= 7;
    }
    buf.push(value as u8);
}

fn write_bytes(buf: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    write_tag(buf, number, LEN);
    write_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

/// A length-delimited field written in place: one byte is kept for the length and widened afterwards
/// when the content turns out longer than 127 bytes.
fn nested(
    buf: &mut Vec<u8>,
    number: u32,
    content: impl FnOnce(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    write_tag(buf, number, LEN);
    let at = buf.len();
    buf.push(0);
    content(buf)?;
    let len = buf.len() - at - 1;
    if len < 0x80 {
        buf[at] = len as u8;
    } else {
        let mut prefix = Vec::with_capacity(5);
        write_varint(&mut prefix, len as u64);
        buf.splice(at..=at, prefix);
    }
    Ok(())
}
