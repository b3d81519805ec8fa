//! The protobuf wire form of a [`Message`], driven by its schema. Encoding writes what prost and gogoproto
//! write (fields in number order, proto3 defaults left out, repeated numbers packed), so the bytes match
//! the chain's. Decoding takes any valid encoding, and is bounded: messages nest at most [`MAX_NESTING`]
//! deep and Anys at most as the Cosmos SDK allows ([`crate::any::Unpacking`]).

use crate::any::{RawAny, Unpacking};
use crate::coin::Coin;
use crate::dec;
use crate::schema::{self, Check, Field, Kind, MessageSchema, Scalar, MAX_NESTING};
use crate::time::Timestamp;
use crate::value::{AnyValue, Message, Value};
use gonka_core::{Error, Result};

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

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

fn wire_type(scalar: Scalar) -> u8 {
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

/// Reads protobuf wire data; every read checks the bounds of the input.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub(crate) fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(crate) fn varint(&mut self) -> std::result::Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return Err("truncated varint".into());
            };
            self.pos += 1;
            if shift == 63 && byte > 1 {
                return Err("varint overflows 64 bits".into());
            }
            value |= u64::from(byte & 0x7F) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err("varint overflows 64 bits".into())
    }

    pub(crate) fn tag(&mut self) -> std::result::Result<(u32, u8), String> {
        let tag = self.varint()?;
        let number = u32::try_from(tag >> 3).map_err(|_| format!("invalid tag {tag}"))?;
        if number == 0 || number > 536_870_911 {
            return Err(format!("invalid field number {number}"));
        }
        Ok((number, (tag & 7) as u8))
    }

    pub(crate) fn len_delimited(&mut self) -> std::result::Result<&'a [u8], String> {
        let len = self.varint()?;
        let available = (self.bytes.len() - self.pos) as u64;
        if len > available {
            return Err(format!(
                "a length of {len} runs past the {available} bytes left"
            ));
        }
        let start = self.pos;
        self.pos += len as usize;
        Ok(&self.bytes[start..self.pos])
    }

    fn fixed<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let end = self.pos + N;
        let bytes = self
            .bytes
            .get(self.pos..end)
            .ok_or("truncated fixed-width value")?;
        self.pos = end;
        Ok(bytes.try_into().unwrap_or([0; N]))
    }

    pub(crate) fn skip(&mut self, wire: u8) -> std::result::Result<(), String> {
        match wire {
            VARINT => self.varint().map(|_| ()),
            FIXED64 => self.fixed::<8>().map(|_| ()),
            LEN => self.len_delimited().map(|_| ()),
            FIXED32 => self.fixed::<4>().map(|_| ()),
            other => Err(format!(
                "unsupported wire type {other} (groups are not supported)"
            )),
        }
    }
}
