//! Reading the JSON form: any [`Node`] (serde_json values, Python objects) walked as the schema directs.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::any::{RawAny, Unpacking};
use crate::coin::Coin;
use crate::dec;
use crate::schema::{self, Check, Field, Kind, MessageSchema, Scalar, MAX_NESTING};
use crate::time::Timestamp;
use crate::value::{invalid_at, AnyValue, Message, Path, Value};
use gonka_core::{Error, Result};

/// A JSON-like input: what the reader needs of serde_json values and of Python objects.
pub trait Node: Sized {
    fn is_null(&self) -> bool;
    fn as_bool(&self) -> Option<bool>;
    fn as_str(&self) -> Option<Cow<'_, str>>;
    /// An integer given as a number (not a bool, not a float).
    fn as_int(&self) -> Option<i128>;
    /// A number (integer or float).
    fn as_f64(&self) -> Option<f64>;
    fn is_object(&self) -> bool;
    fn get(&self, key: &str) -> Option<Self>;
    /// The number of keys of an object.
    fn key_count(&self) -> usize;
    /// The items of a list.
    fn items(&self) -> Option<Vec<Self>>;
    /// The value as it would appear in an error message.
    fn describe(&self) -> String;
}

impl Node for &serde_json::Value {
    fn is_null(&self) -> bool {
        serde_json::Value::is_null(self)
    }

    fn as_bool(&self) -> Option<bool> {
        serde_json::Value::as_bool(self)
    }

    fn as_str(&self) -> Option<Cow<'_, str>> {
        serde_json::Value::as_str(self).map(Cow::Borrowed)
    }

    fn as_int(&self) -> Option<i128> {
        self.as_i64()
            .map(i128::from)
            .or_else(|| self.as_u64().map(i128::from))
    }

    fn as_f64(&self) -> Option<f64> {
        serde_json::Value::as_f64(self)
    }

    fn is_object(&self) -> bool {
        serde_json::Value::is_object(self)
    }

    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }

    fn key_count(&self) -> usize {
        self.as_object().map_or(0, serde_json::Map::len)
    }

    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().map(|items| items.iter().collect())
    }

    fn describe(&self) -> String {
        shorten(self.to_string())
    }
}

/// At most 80 characters of a value's text, for an error message.
pub fn shorten(text: String) -> String {
    if text.chars().count() <= 80 {
        return text;
    }
    let mut short: String = text.chars().take(77).collect();
    short.push_str("...");
    short
}

/// Reads a message of `schema` from its JSON object; errors start their path with `path`.
pub fn read_message<N: Node>(
    node: &N,
    schema: &'static MessageSchema,
    path: &Path<'_>,
) -> Result<Message> {
    message(node, schema, path, 0)
}

/// Reads a JSON Any. A registered type that fits `accepts` is read field by field; any other type, or an
/// object holding only `"@type"` and `"value"`, is kept as the base64 bytes of `"value"`.
pub fn read_any<N: Node>(node: &N, accepts: Option<&str>) -> Result<AnyValue> {
    any(node, accepts, None, 0)
}

fn message<N: Node>(
    node: &N,
    schema: &'static MessageSchema,
    path: &Path<'_>,
    depth: usize,
) -> Result<Message> {
    if depth > MAX_NESTING {
        return Err(invalid_at(
            path,
            format!("messages nest deeper than {MAX_NESTING} levels"),
        ));
    }
    if !node.is_object() {
        return Err(invalid_at(
            path,
            format!("expected a JSON object, got {}", node.describe()),
        ));
    }
    let mut message = Message::new(schema);
    for (field, slot) in schema.fields().iter().zip(message.fields_mut()) {
        let at = path.field(&field.name);
        let value = match node.get(&field.name) {
            Some(value) if !value.is_null() => value,
            _ if field.required => {
                return Err(invalid_at(
                    path,
                    format!("missing field \"{}\"", field.name),
                ))
            }
            _ => continue,
        };
        *slot = if field.repeated {
            let items = value.items().ok_or_else(|| {
                invalid_at(&at, format!("expected a list, got {}", value.describe()))
            })?;
            let read = items
                .iter()
                .enumerate()
                .map(|(i, item)| element(field, item, &at.index(i), depth))
                .collect::<Result<Vec<_>>>()?;
            Value::List(read)
        } else {
            element(field, &value, &at, depth)?
        };
    }
    Ok(message)
}

fn element<N: Node>(field: &Field, node: &N, path: &Path<'_>, depth: usize) -> Result<Value> {
    let wrong = |what: &str| invalid_at(path, format!("expected {what}, got {}", node.describe()));
    Ok(match field.kind {
        Kind::Scalar(Scalar::String) if field.has(Check::CosmosInt) && node.as_int().is_some() => {
            Value::String(node.as_int().unwrap_or_default().to_string())
        }
        Kind::Scalar(Scalar::String) => {
            let text = node.as_str().ok_or_else(|| wrong("a string"))?;
            if field.has(Check::LegacyDec) {
                Value::String(dec::normalize(&path.to_string(), &text)?)
            } else {
                Value::String(text.into_owned())
            }
        }
        Kind::Scalar(Scalar::Bytes) => {
            let text = node.as_str().ok_or_else(|| wrong("base64 text"))?;
            Value::Bytes(
                STANDARD
                    .decode(text.as_bytes())
                    .map_err(|e| invalid_at(path, format!("not standard base64: {e}")))?,
            )
        }
        Kind::Scalar(Scalar::Bool) => {
            Value::Bool(node.as_bool().ok_or_else(|| wrong("true or false"))?)
        }
        Kind::Scalar(s) if s.is_float() => {
            Value::F64(node.as_f64().ok_or_else(|| wrong("a number"))?)
        }
        Kind::Scalar(s) => integer(s, node, path)?,
        Kind::Enum(e) => {
            let number = match (node.as_str(), node.as_int()) {
                (Some(text), _) => e.parse(&text),
                (None, Some(n)) => i32::try_from(n).ok(),
                _ => None,
            };
            Value::Enum(number.ok_or_else(|| e.unknown(node.describe()))?)
        }
        Kind::Coin => {
            if !node.is_object() {
                return Err(wrong("a coin object"));
            }
            let text = |key: &str| -> Result<String> {
                let at = path.field(key);
                match node.get(key) {
                    Some(value) => value.as_str().map(Cow::into_owned).ok_or_else(|| {
                        invalid_at(&at, format!("expected a string, got {}", value.describe()))
                    }),
                    None => Err(invalid_at(path, format!("missing field \"{key}\""))),
                }
            };
            Value::Coin(Coin {
                denom: text("denom")?,
                amount: text("amount")?,
            })
        }
        Kind::Timestamp => {
            let text = node.as_str().ok_or_else(|| wrong("RFC 3339 text"))?;
            Value::Timestamp(Timestamp::parse_rfc3339(&text).map_err(|e| invalid_at(path, e))?)
        }
        Kind::Message(nested) => Value::Message(Box::new(message(node, nested, path, depth + 1)?)),
        Kind::Any => Value::Any(Box::new(any(
            node,
            field.accepts.as_deref(),
            Some(path),
            depth + 1,
        )?)),
    })
}

/// An integer from a JSON number or from decimal text (how proto3 JSON writes 64-bit integers).
fn integer<N: Node>(scalar: Scalar, node: &N, path: &Path<'_>) -> Result<Value> {
    let number = match (node.as_int(), node.as_str()) {
        (Some(n), _) => Some(n),
        (None, Some(text)) => text.parse::<i128>().ok(),
        _ => None,
    };
    let value = number.and_then(|n| {
        let (low, high): (i128, i128) = match scalar {
            Scalar::Int32 | Scalar::Sint32 | Scalar::Sfixed32 => (i32::MIN.into(), i32::MAX.into()),
            Scalar::Uint32 | Scalar::Fixed32 => (0, u32::MAX.into()),
            Scalar::Uint64 | Scalar::Fixed64 => (0, u64::MAX.into()),
            _ => (i64::MIN.into(), i64::MAX.into()),
        };
        (low..=high).contains(&n).then_some(n)
    });
    match value {
        Some(n) if scalar.is_unsigned_int() => Ok(Value::U64(n as u64)),
        Some(n) => Ok(Value::I64(n as i64)),
        None => Err(invalid_at(
            path,
            format!(
                "{} is not a {} integer",
                node.describe(),
                scalar.proto_name()
            ),
        )),
    }
}

fn any<N: Node>(
    node: &N,
    accepts: Option<&str>,
    path: Option<&Path<'_>>,
    depth: usize,
) -> Result<AnyValue> {
    let type_url = match node.get("@type") {
        Some(t) if node.is_object() => t.as_str().map(Cow::into_owned),
        _ => None,
    };
    let Some(type_url) = type_url else {
        let what = format!(
            "a JSON Any is an object with a \"@type\", got {}",
            node.describe()
        );
        return Err(match path {
            Some(path) => invalid_at(path, what),
            None => Error::InvalidInput(what),
        });
    };
    let _unpacking = Unpacking::enter(&type_url)?;
    let raw_form = node.key_count() == 2 && node.get("value").is_some();
    match schema::by_type_url(&type_url) {
        Some(schema) if schema.fits(accepts) && !raw_form => {
            let root = Path::root(&schema.short_name);
            let at = path.unwrap_or(&root);
            Ok(AnyValue::Typed(message(node, schema, at, depth)?))
        }
        _ => {
            let value = node.get("value");
            let Some(text) = value.as_ref().and_then(Node::as_str) else {
                return Err(Error::InvalidInput(format!(
                    "unsupported type {type_url}: give its encoded payload as \"value\" (base64)"
                )));
            };
            let value = STANDARD.decode(text.as_bytes()).map_err(|e| {
                Error::InvalidInput(format!("{type_url}: value is not base64: {e}"))
            })?;
            Ok(AnyValue::Raw(RawAny { type_url, value }))
        }
    }
}
