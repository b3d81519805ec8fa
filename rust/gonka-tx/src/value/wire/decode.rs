//! Decoding the wire form of a message by its schema: any valid encoding is read (unknown fields skipped,
//! packed or not), within [`MAX_NESTING`] levels of messages and the SDK's caps on Anys.

use super::{wire_type, Reader, LEN, VARINT};
use crate::any::{RawAny, Unpacking};
use crate::coin::Coin;
use crate::dec;
use crate::schema::{self, Check, Field, Kind, MessageSchema, Scalar, MAX_NESTING};
use crate::time::Timestamp;
use crate::value::{AnyValue, Message, Value};
use gonka_core::{Error, Result};

/// Decodes `bytes` as a message of `schema`. Unknown fields are skipped; a required message that is
/// absent, malformed bytes or too deep a nesting is an error.
pub fn decode(schema: &'static MessageSchema, bytes: &[u8]) -> Result<Message> {
    decode_message(schema, bytes, 0)
}

/// Decodes the payload of an Any (its type URL and `value`) as the message it names when that is
/// registered and fits `accepts`; any other payload is kept as bytes. Counts against the Any caps.
pub fn decode_any(type_url: &str, value: &[u8], accepts: Option<&str>) -> Result<AnyValue> {
    unpack(type_url, value, accepts, 0)
}

fn malformed(schema: &MessageSchema, what: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("malformed {}: {what}", schema.type_url))
}

fn decode_message(schema: &'static MessageSchema, bytes: &[u8], depth: usize) -> Result<Message> {
    let mut message = Message::new(schema);
    decode_into(&mut message, bytes, depth)?;
    for (field, value) in schema.fields().iter().zip(message.fields()) {
        if field.required && matches!(value, Value::Null) {
            return Err(malformed(schema, format!("{} is missing", field.name)));
        }
    }
    Ok(message)
}

fn decode_into(message: &mut Message, bytes: &[u8], depth: usize) -> Result<()> {
    let schema = message.schema();
    if depth > MAX_NESTING {
        return Err(malformed(
            schema,
            format!("messages nest deeper than {MAX_NESTING} levels"),
        ));
    }
    let fields = schema.fields();
    let mut reader = Reader::new(bytes);
    while !reader.done() {
        let (number, wire) = reader.tag().map_err(|e| malformed(schema, e))?;
        let Ok(index) = fields.binary_search_by_key(&number, |f| f.number) else {
            reader.skip(wire).map_err(|e| malformed(schema, e))?;
            continue;
        };
        let field = &fields[index];
        let slot = &mut message.fields_mut()[index];
        read_field(schema, field, wire, &mut reader, slot, depth)?;
    }
    Ok(())
}

fn read_field(
    schema: &'static MessageSchema,
    field: &Field,
    wire: u8,
    reader: &mut Reader<'_>,
    slot: &mut Value,
    depth: usize,
) -> Result<()> {
    let bad = |e: String| malformed(schema, format!("{}: {e}", field.name));
    let packable = match field.kind {
        Kind::Scalar(s) => s.is_packable(),
        Kind::Enum(_) => true,
        _ => false,
    };
    if field.repeated && packable && wire == LEN {
        let mut packed = Reader::new(reader.len_delimited().map_err(bad)?);
        let element_wire = element_wire_type(field);
        while !packed.done() {
            let value = read_number(field, element_wire, &mut packed).map_err(bad)?;
            push(slot, value);
        }
        return Ok(());
    }
    let expected = element_wire_type(field);
    if wire != expected {
        return Err(bad(format!("wire type {wire}, expected {expected}")));
    }
    let value = match field.kind {
        Kind::Scalar(Scalar::String) => {
            let text = utf8(reader.len_delimited().map_err(bad)?).map_err(bad)?;
            if field.has(Check::LegacyDec) {
                Value::String(dec::from_wire(&field.name, &text).map_err(|e| malformed(schema, e))?)
            } else {
                Value::String(text)
            }
        }
        Kind::Scalar(Scalar::Bytes) => Value::Bytes(reader.len_delimited().map_err(bad)?.to_vec()),
        Kind::Scalar(_) | Kind::Enum(_) => read_number(field, wire, reader).map_err(bad)?,
        Kind::Message(nested) => {
            let bytes = reader.len_delimited().map_err(bad)?;
            // A repeated occurrence of a singular message merges into the first (protobuf's rule).
            if let (false, Value::Message(existing)) = (field.repeated, &mut *slot) {
                return decode_into(existing, bytes, depth + 1);
            }
            Value::Message(Box::new(decode_message(nested, bytes, depth + 1)?))
        }
        Kind::Any => {
            let bytes = reader.len_delimited().map_err(bad)?;
            let (type_url, value) = any_parts(bytes).map_err(bad)?;
            Value::Any(Box::new(unpack(
                type_url,
                value,
                field.accepts.as_deref(),
                depth + 1,
            )?))
        }
        Kind::Coin => {
            let bytes = reader.len_delimited().map_err(bad)?;
            let mut coin = match (&*slot, field.repeated) {
                (Value::Coin(existing), false) => existing.clone(),
                _ => Coin {
                    denom: String::new(),
                    amount: String::new(),
                },
            };
            read_coin(bytes, &mut coin).map_err(bad)?;
            Value::Coin(coin)
        }
        Kind::Timestamp => {
            let bytes = reader.len_delimited().map_err(bad)?;
            let mut ts = match (&*slot, field.repeated) {
                (Value::Timestamp(existing), false) => *existing,
                _ => Timestamp {
                    seconds: 0,
                    nanos: 0,
                },
            };
            read_timestamp(bytes, &mut ts).map_err(bad)?;
            Value::Timestamp(ts)
        }
    };
    if field.repeated {
        push(slot, value);
    } else {
        *slot = value;
    }
    Ok(())
}

fn push(slot: &mut Value, value: Value) {
    match slot {
        Value::List(items) => items.push(value),
        other => *other = Value::List(vec![value]),
    }
}

fn element_wire_type(field: &Field) -> u8 {
    match field.kind {
        Kind::Scalar(s) => wire_type(s),
        Kind::Enum(_) => VARINT,
        _ => LEN,
    }
}

fn read_number(
    field: &Field,
    wire: u8,
    reader: &mut Reader<'_>,
) -> std::result::Result<Value, String> {
    let scalar = match field.kind {
        Kind::Scalar(s) => s,
        Kind::Enum(_) => return Ok(Value::Enum(reader.varint()? as i32)),
        _ => return Err("not a number field".into()),
    };
    if wire != wire_type(scalar) {
        return Err(format!("wire type {wire}, expected {}", wire_type(scalar)));
    }
    Ok(match scalar {
        Scalar::Bool => Value::Bool(reader.varint()? != 0),
        Scalar::Int32 => Value::I64(i64::from(reader.varint()? as i32)),
        Scalar::Int64 => Value::I64(reader.varint()? as i64),
        Scalar::Uint32 => Value::U64(u64::from(reader.varint()? as u32)),
        Scalar::Uint64 => Value::U64(reader.varint()?),
        Scalar::Sint32 => {
            let v = reader.varint()? as u32;
            Value::I64(i64::from((v >> 1) as i32 ^ -((v & 1) as i32)))
        }
        Scalar::Sint64 => {
            let v = reader.varint()?;
            Value::I64((v >> 1) as i64 ^ -((v & 1) as i64))
        }
        Scalar::Fixed32 => Value::U64(u64::from(u32::from_le_bytes(reader.fixed()?))),
        Scalar::Fixed64 => Value::U64(u64::from_le_bytes(reader.fixed()?)),
        Scalar::Sfixed32 => Value::I64(i64::from(i32::from_le_bytes(reader.fixed()?))),
        Scalar::Sfixed64 => Value::I64(i64::from_le_bytes(reader.fixed()?)),
        Scalar::Float => Value::F64(f64::from(f32::from_le_bytes(reader.fixed()?))),
        Scalar::Double => Value::F64(f64::from_le_bytes(reader.fixed()?)),
        Scalar::String | Scalar::Bytes => return Err("not a number field".into()),
    })
}

fn utf8(bytes: &[u8]) -> std::result::Result<String, String> {
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|_| "invalid string value: data is not UTF-8 encoded".to_string())
}

/// The type URL and value of an encoded Any.
fn any_parts(bytes: &[u8]) -> std::result::Result<(&str, &[u8]), String> {
    let mut reader = Reader::new(bytes);
    let (mut type_url, mut value): (&[u8], &[u8]) = (&[], &[]);
    while !reader.done() {
        match reader.tag()? {
            (1, LEN) => type_url = reader.len_delimited()?,
            (2, LEN) => value = reader.len_delimited()?,
            (1 | 2, wire) => return Err(format!("Any field with wire type {wire}")),
            (_, wire) => reader.skip(wire)?,
        }
    }
    let type_url = std::str::from_utf8(type_url)
        .map_err(|_| "invalid string value: data is not UTF-8 encoded".to_string())?;
    Ok((type_url, value))
}

fn unpack(type_url: &str, value: &[u8], accepts: Option<&str>, depth: usize) -> Result<AnyValue> {
    let _unpacking = Unpacking::enter(type_url)?;
    match schema::by_type_url(type_url) {
        Some(schema) if schema.fits(accepts) => {
            Ok(AnyValue::Typed(decode_message(schema, value, depth)?))
        }
        _ => Ok(AnyValue::Raw(RawAny {
            type_url: type_url.to_string(),
            value: value.to_vec(),
        })),
    }
}

fn read_coin(bytes: &[u8], coin: &mut Coin) -> std::result::Result<(), String> {
    let mut reader = Reader::new(bytes);
    while !reader.done() {
        match reader.tag()? {
            (1, LEN) => coin.denom = utf8(reader.len_delimited()?)?,
            (2, LEN) => coin.amount = utf8(reader.len_delimited()?)?,
            (1 | 2, wire) => return Err(format!("Coin field with wire type {wire}")),
            (_, wire) => reader.skip(wire)?,
        }
    }
    Ok(())
}

fn read_timestamp(bytes: &[u8], ts: &mut Timestamp) -> std::result::Result<(), String> {
    let mut reader = Reader::new(bytes);
    while !reader.done() {
        match reader.tag()? {
            (1, VARINT) => ts.seconds = reader.varint()? as i64,
            (2, VARINT) => ts.nanos = reader.varint()? as i32,
            (1 | 2, wire) => return Err(format!("Timestamp field with wire type {wire}")),
            (_, wire) => reader.skip(wire)?,
        }
    }
    Ok(())
}
