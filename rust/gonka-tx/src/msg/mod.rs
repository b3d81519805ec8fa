//! Every message gonka models, as Rust types generated from the `.proto` declarations by `build.rs`: a struct
//! per message (`MsgSend`, `MsgGrant`, ...), an enum per interface (`Msg`, `Authorization`, `Allowance`,
//! `PubKey`, each with an `Other` variant for payloads it does not model) and per proto enum (`VoteOption`).
//! The types only convert to and from [`Message`] values: encoding, decoding, checks and the JSON form are
//! the schema's ([`crate::value`]), so a message has no code of its own.
//!
//! One module per Cosmos module holds its types and the checks its annotations name that belong to it
//! (all are re-exported here): [`bank`], [`gov`], [`authz`], [`feegrant`], [`staking`], [`slashing`],
//! [`crypto`], [`inference`], [`collateral`]. A message of a package without a module file yet is
//! generated here.

pub mod authz;
pub mod bank;
pub mod collateral;
pub mod crypto;
pub mod feegrant;
pub mod gov;
pub mod inference;
pub mod slashing;
pub mod staking;

pub use authz::*;
pub use bank::*;
pub use collateral::*;
pub use crypto::*;
pub use feegrant::*;
pub use gov::*;
pub use inference::*;
pub use slashing::*;
pub use staking::*;

use crate::any::RawAny;
use crate::coin::Coin;
use crate::schema::{EnumSchema, MessageSchema};
use crate::time::Timestamp;
use crate::value::{Message, Value};
use gonka_core::{Error, Result};

/// A Rust type generated for a message.
pub trait Typed: Sized {
    /// The proto full name, e.g. `cosmos.bank.v1beta1.MsgSend`.
    const FULL_NAME: &'static str;
    fn schema() -> &'static MessageSchema;
    fn to_message(&self) -> Message;
    fn from_message(message: Message) -> Result<Self>;
}

/// A Rust type that holds the value of a field.
pub trait FieldValue: Sized {
    fn to_value(&self) -> Value;
    fn from_value(value: Value) -> Result<Self>;
}

pub(crate) fn mismatch(expected: &str, got: &Value) -> Error {
    Error::InvalidInput(format!("expected {expected}, got {}", got.kind_name()))
}

pub(crate) fn builtin_enum(full_name: &str) -> &'static EnumSchema {
    crate::schema::enumeration(full_name)
        .unwrap_or_else(|| panic!("{full_name} is compiled into gonka-tx"))
}

macro_rules! scalar_value {
    ($ty:ty, $variant:ident, $wide:ty, $name:literal) => {
        impl FieldValue for $ty {
            fn to_value(&self) -> Value {
                Value::$variant(<$wide>::from(*self))
            }

            fn from_value(value: Value) -> Result<Self> {
                match value {
                    Value::$variant(v) => {
                        <$ty>::try_from(v).map_err(|_| mismatch($name, &Value::$variant(v)))
                    }
                    other => Err(mismatch($name, &other)),
                }
            }
        }
    };
}

scalar_value!(i32, I64, i64, "an int32");
scalar_value!(i64, I64, i64, "an int64");
scalar_value!(u32, U64, u64, "a uint32");
scalar_value!(u64, U64, u64, "a uint64");

impl FieldValue for f64 {
    fn to_value(&self) -> Value {
        Value::F64(*self)
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::F64(v) => Ok(v),
            other => Err(mismatch("a number", &other)),
        }
    }
}

impl FieldValue for f32 {
    fn to_value(&self) -> Value {
        Value::F64(f64::from(*self))
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::F64(v) => Ok(v as f32),
            other => Err(mismatch("a number", &other)),
        }
    }
}

impl FieldValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bool(v) => Ok(v),
            other => Err(mismatch("a bool", &other)),
        }
    }
}

impl FieldValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::String(v) => Ok(v),
            other => Err(mismatch("a string", &other)),
        }
    }
}

impl FieldValue for Coin {
    fn to_value(&self) -> Value {
        Value::Coin(self.clone())
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Coin(v) => Ok(v),
            other => Err(mismatch("a coin", &other)),
        }
    }
}

impl FieldValue for Timestamp {
    fn to_value(&self) -> Value {
        Value::Timestamp(*self)
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Timestamp(v) => Ok(v),
            other => Err(mismatch("a timestamp", &other)),
        }
    }
}

/// An optional message: absent is `None`.
impl<T: FieldValue> FieldValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, FieldValue::to_value)
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            value => T::from_value(value).map(Some),
        }
    }
}

impl<T: FieldValue> FieldValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(FieldValue::to_value).collect())
    }

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::List(items) => items.into_iter().map(T::from_value).collect(),
            other => Err(mismatch("a list", &other)),
        }
    }
}

/// A bytes field (`Vec<u8>` is not a list of values); the generated code converts with these.
#[doc(hidden)]
pub fn bytes_from(value: Value) -> Result<Vec<u8>> {
    match value {
        Value::Bytes(v) => Ok(v),
        other => Err(mismatch("bytes", &other)),
    }
}

#[doc(hidden)]
pub fn bytes_list_value(items: &[Vec<u8>]) -> Value {
    Value::List(items.iter().map(|b| Value::Bytes(b.clone())).collect())
}

#[doc(hidden)]
pub fn bytes_list_from(value: Value) -> Result<Vec<Vec<u8>>> {
    match value {
        Value::List(items) => items.into_iter().map(bytes_from).collect(),
        other => Err(mismatch("a list of bytes", &other)),
    }
}

/// The JSON form (serde) of a generated struct, and its place in the value of an enclosing message.
macro_rules! typed_message {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                let message = $crate::msg::Typed::to_message(self);
                serde::Serialize::serialize(&$crate::value::json::JsonMessage(&message), s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                let schema = <$name as $crate::msg::Typed>::schema();
                let path = $crate::value::Path::root(&schema.short_name);
                $crate::value::json::read_message(&&value, schema, &path)
                    .and_then(<$name as $crate::msg::Typed>::from_message)
                    .map_err(serde::de::Error::custom)
            }
        }

        impl $crate::msg::FieldValue for $name {
            fn to_value(&self) -> $crate::value::Value {
                $crate::value::Value::Message(Box::new($crate::msg::Typed::to_message(self)))
            }

            fn from_value(value: $crate::value::Value) -> gonka_core::Result<Self> {
                match value {
                    $crate::value::Value::Message(message) => {
                        $crate::msg::Typed::from_message(*message)
                    }
                    other => Err($crate::msg::mismatch(stringify!($name), &other)),
                }
            }
        }
    };
}

pub(crate) use typed_message;

include!(concat!(env!("OUT_DIR"), "/msg/interfaces.rs"));
include!(concat!(env!("OUT_DIR"), "/msg/other.rs"));

impl Msg {
    /// Wraps an already encoded message of any type.
    pub fn raw(type_url: impl Into<String>, value: Vec<u8>) -> Self {
        Msg::Other(RawAny {
            type_url: type_url.into(),
            value,
        })
    }

    /// The encoded Any (type URL and payload) after validation; `field` names it in errors.
    pub fn encode_any(&self, field: &str) -> Result<(String, Vec<u8>)> {
        let any = self.to_any(field)?;
        Ok((any.type_url, any.value))
    }

    /// Decodes an Any into a typed message (types gonka does not model stay raw).
    pub fn decode_any(type_url: &str, value: &[u8]) -> Result<Self> {
        Self::from_any_value(crate::value::wire::decode_any(
            type_url,
            value,
            Some(Self::INTERFACE),
        )?)
    }
}
