//! `google.protobuf.Any` in the domain: known payloads are typed, any other one is kept as
//! [`RawAny`]. In JSON an Any is an object whose `"@type"` names the type, next to the payload's
//! fields; an unknown payload is written as `{"@type": url, "value": base64}`.

use std::cell::Cell;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use prost::Message as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::proto;
use crate::validate::invalid;
use gonka_core::{Error, Result};

/// How deep Anys may nest inside one top-level Any (a message in a body, say): the Cosmos SDK's
/// `MaxUnpackAnyRecursionDepth`. The chain rejects deeper transactions, and an unbounded depth
/// would let hostile bytes exhaust the stack.
pub const MAX_ANY_DEPTH: u32 = 10;
/// How many Anys one top-level Any may contain in all: the Cosmos SDK's `MaxUnpackAnySubCalls`.
pub const MAX_ANY_UNPACKS: u32 = 100;

thread_local! {
    /// (depth, unpacks) of the Any being decoded on this thread; unpacks restart at each top level.
    static UNPACKING: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
}

/// Held while one Any is unpacked (from bytes or JSON); entering enforces the SDK's caps.
pub(crate) struct Unpacking(());

impl Unpacking {
    pub(crate) fn enter(type_url: &str) -> Result<Self> {
        UNPACKING.with(|state| {
            let (depth, unpacks) = state.get();
            let unpacks = if depth == 0 { 0 } else { unpacks };
            if depth >= MAX_ANY_DEPTH {
                return Err(Error::InvalidInput(format!(
                    "{type_url}: Anys nest deeper than {MAX_ANY_DEPTH} levels (the Cosmos SDK's limit)"
                )));
            }
            if unpacks >= MAX_ANY_UNPACKS {
                return Err(Error::InvalidInput(format!(
                    "{type_url}: more than {MAX_ANY_UNPACKS} nested Anys in one message (the Cosmos SDK's limit)"
                )));
            }
            state.set((depth + 1, unpacks + 1));
            Ok(Unpacking(()))
        })
    }
}

impl Drop for Unpacking {
    fn drop(&mut self) {
        UNPACKING.with(|state| {
            let (depth, unpacks) = state.get();
            state.set((depth.saturating_sub(1), unpacks));
        });
    }
}

/// An Any whose payload type gonka does not model: passed through byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAny {
    pub type_url: String,
    pub value: Vec<u8>,
}

impl RawAny {
    pub(crate) fn to_proto(&self) -> proto::Any {
        proto::Any {
            type_url: self.type_url.clone(),
            value: self.value.clone(),
        }
    }

    pub(crate) fn from_proto(any: proto::Any) -> Self {
        Self {
            type_url: any.type_url,
            value: any.value,
        }
    }

    pub(crate) fn validate(&self, field: &str) -> Result<()> {
        if !self.type_url.starts_with('/') || self.type_url.len() < 2 {
            return Err(invalid(
                &format!("{field}.type_url"),
                format!("{:?} is not a type URL like /pkg.Msg", self.type_url),
            ));
        }
        Ok(())
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("@type".into(), Value::String(self.type_url.clone()));
        map.insert("value".into(), Value::String(STANDARD.encode(&self.value)));
        Value::Object(map)
    }

    pub(crate) fn from_json(type_url: String, mut fields: Map<String, Value>) -> Result<Self> {
        let value = match fields.remove("value") {
            Some(Value::String(text)) => STANDARD
                .decode(text.as_bytes())
                .map_err(|e| invalid(&type_url, format!("value is not standard base64: {e}")))?,
            _ => {
                return Err(Error::InvalidInput(format!(
                    "unsupported type {type_url:?}: give its encoded payload as \"value\" (base64)"
                )))
            }
        };
        Ok(Self { type_url, value })
    }
}

/// A domain type carried in an Any.
pub(crate) trait AnyPayload: Sized + Serialize + for<'de> Deserialize<'de> {
    const TYPE_URL: &'static str;
    type Proto: prost::Message + Default;

    /// Checks the content; errors name `field`, the payload's place in the transaction.
    fn validate(&self, field: &str) -> Result<()>;
    fn to_proto(&self) -> Result<Self::Proto>;
    fn from_proto(proto: Self::Proto) -> Result<Self>;

    fn encode(&self) -> Result<Vec<u8>> {
        Ok(self.to_proto()?.encode_to_vec())
    }

    fn decode(bytes: &[u8]) -> Result<Self> {
        let proto = Self::Proto::decode(bytes).map_err(|e| malformed(Self::TYPE_URL, e))?;
        Self::from_proto(proto)
    }
}

pub(crate) fn malformed(what: &str, err: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("malformed {what}: {err}"))
}

/// The JSON object of a payload with its `"@type"` first.
pub(crate) fn tagged_json<T: Serialize>(type_url: &str, payload: &T) -> Result<Value> {
    let mut map = Map::new();
    map.insert("@type".into(), Value::String(type_url.to_string()));
    match serde_json::to_value(payload) {
        Ok(Value::Object(fields)) => map.extend(fields),
        Ok(_) => return Err(invalid(type_url, "payload is not a JSON object")),
        Err(e) => return Err(invalid(type_url, e)),
    }
    Ok(Value::Object(map))
}

/// Splits a JSON Any into its type URL and the payload's fields.
pub(crate) fn split_tag(value: Value) -> Result<(String, Map<String, Value>)> {
    let Value::Object(mut fields) = value else {
        return Err(Error::InvalidInput(format!(
            "expected a JSON object with \"@type\", got {value}"
        )));
    };
    match fields.remove("@type") {
        Some(Value::String(type_url)) => Ok((type_url, fields)),
        _ => Err(Error::InvalidInput(
            "a JSON Any needs a string \"@type\" naming its type URL".into(),
        )),
    }
}

pub(crate) fn payload_from_json<T: AnyPayload>(fields: Map<String, Value>) -> Result<T> {
    serde_json::from_value(Value::Object(fields)).map_err(|e| invalid(T::TYPE_URL, e))
}

/// Declares an enum over Any payload types, with a `RawAny` fallback, and its conversions.
macro_rules! any_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident($ty:ty)),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $($variant($ty),)*
            /// A payload type gonka does not model, passed through unchanged.
            Other($crate::any::RawAny),
        }

        impl $name {
            pub fn type_url(&self) -> &str {
                match self {
                    $($name::$variant(_) => <$ty as $crate::any::AnyPayload>::TYPE_URL,)*
                    $name::Other(raw) => &raw.type_url,
                }
            }

            pub fn validate(&self, field: &str) -> gonka_core::Result<()> {
                match self {
                    $($name::$variant(m) => $crate::any::AnyPayload::validate(m, field),)*
                    $name::Other(raw) => raw.validate(field),
                }
            }

            /// Encodes the payload (after validation) into an Any.
            pub(crate) fn to_any(&self, field: &str) -> gonka_core::Result<$crate::proto::Any> {
                self.validate(field)?;
                Ok(match self {
                    $($name::$variant(m) => $crate::proto::Any {
                        type_url: <$ty as $crate::any::AnyPayload>::TYPE_URL.to_string(),
                        value: $crate::any::AnyPayload::encode(m)?,
                    },)*
                    $name::Other(raw) => raw.to_proto(),
                })
            }

            pub(crate) fn from_any(any: $crate::proto::Any) -> gonka_core::Result<Self> {
                let _unpacking = $crate::any::Unpacking::enter(&any.type_url)?;
                $(if any.type_url == <$ty as $crate::any::AnyPayload>::TYPE_URL {
                    return Ok($name::$variant(<$ty as $crate::any::AnyPayload>::decode(&any.value)?));
                })*
                Ok($name::Other($crate::any::RawAny::from_proto(any)))
            }

            pub fn to_json(&self) -> gonka_core::Result<serde_json::Value> {
                match self {
                    $($name::$variant(m) => $crate::any::tagged_json(
                        <$ty as $crate::any::AnyPayload>::TYPE_URL, m),)*
                    $name::Other(raw) => Ok(raw.to_json()),
                }
            }

            pub fn from_json(value: serde_json::Value) -> gonka_core::Result<Self> {
                let (type_url, fields) = $crate::any::split_tag(value)?;
                let _unpacking = $crate::any::Unpacking::enter(&type_url)?;
                $(if type_url == <$ty as $crate::any::AnyPayload>::TYPE_URL {
                    return Ok($name::$variant($crate::any::payload_from_json(fields)?));
                })*
                Ok($name::Other($crate::any::RawAny::from_json(type_url, fields)?))
            }

            /// Deserializes the JSON fields of a payload whose type URL is already known, straight
            /// into its type (a `"@type"` key among the fields is ignored).
            pub fn deserialize_typed<'de, D: serde::Deserializer<'de>>(
                type_url: &str,
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                $(if type_url == <$ty as $crate::any::AnyPayload>::TYPE_URL {
                    let _unpacking = $crate::any::Unpacking::enter(type_url)
                        .map_err(serde::de::Error::custom)?;
                    return <$ty as serde::Deserialize>::deserialize(d).map($name::$variant);
                })*
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                Self::from_json(value).map_err(serde::de::Error::custom)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                self.to_json().map_err(serde::ser::Error::custom)?.serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(d)?;
                Self::from_json(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use any_enum;
