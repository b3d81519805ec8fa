//! `google.protobuf.Any` in the domain: registered payloads are typed, any other one is kept as [`RawAny`].
//! Unpacking is bounded as the Cosmos SDK bounds it ([`Unpacking`]), whatever the input (bytes or JSON).

use std::cell::Cell;

use crate::validate::invalid;
use gonka_core::{Error, Result};

/// How deep Anys may nest inside one top-level Any (a message in a body, say): the Cosmos SDK's
/// `MaxUnpackAnyRecursionDepth`. The chain rejects deeper transactions, and an unbounded depth
/// would let hostile bytes exhaust the stack.
pub const MAX_ANY_DEPTH: u32 = 10;
/// How many Anys one top-level Any may contain in all: the Cosmos SDK's `MaxUnpackAnySubCalls`.
pub const MAX_ANY_UNPACKS: u32 = 100;

thread_local! {
    /// (depth, unpacks) of the Any being unpacked on this thread; unpacks restart at each top level.
    static UNPACKING: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
}

/// Held while one Any is unpacked (from bytes, JSON or Python objects); entering enforces the SDK's caps.
pub struct Unpacking(());

impl Unpacking {
    pub fn enter(type_url: &str) -> Result<Self> {
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

/// An Any whose payload type is not registered (or not what its place accepts): passed through byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAny {
    pub type_url: String,
    pub value: Vec<u8>,
}

impl RawAny {
    pub(crate) fn to_proto(&self) -> crate::proto::Any {
        crate::proto::Any {
            type_url: self.type_url.clone(),
            value: self.value.clone(),
        }
    }

    pub fn validate(&self, field: &str) -> Result<()> {
        if !self.type_url.starts_with('/') || self.type_url.len() < 2 {
            return Err(invalid(
                &format!("{field}.type_url"),
                format!("{:?} is not a type URL like /pkg.Msg", self.type_url),
            ));
        }
        Ok(())
    }
}

pub(crate) fn malformed(what: &str, err: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("malformed {what}: {err}"))
}

/// Declares the Rust enum of an interface (`Msg`, `Authorization`, ...) over the generated types that
/// implement it, with a [`RawAny`] fallback, converting through [`crate::value::AnyValue`].
macro_rules! any_enum {
    ($(#[$meta:meta])* $name:ident : $interface:literal { $($variant:ident($ty:ty)),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $($variant($ty),)*
            /// A payload gonka does not model here, passed through unchanged.
            Other($crate::any::RawAny),
        }

        impl $name {
            /// The interface (`implements` option) of the variants.
            pub const INTERFACE: &'static str = $interface;

            pub fn type_url(&self) -> &str {
                match self {
                    $($name::$variant(_) => &<$ty as $crate::msg::Typed>::schema().type_url,)*
                    $name::Other(raw) => &raw.type_url,
                }
            }

            /// The value the payload is (typed, or its bytes).
            pub fn to_any_value(&self) -> $crate::value::AnyValue {
                match self {
                    $($name::$variant(m) => $crate::value::AnyValue::Typed($crate::msg::Typed::to_message(m)),)*
                    $name::Other(raw) => $crate::value::AnyValue::Raw(raw.clone()),
                }
            }

            pub fn from_any_value(any: $crate::value::AnyValue) -> gonka_core::Result<Self> {
                match any {
                    $crate::value::AnyValue::Typed(message) => {
                        let name = message.schema().full_name.as_str();
                        $(if name == <$ty as $crate::msg::Typed>::FULL_NAME {
                            return Ok($name::$variant($crate::msg::Typed::from_message(message)?));
                        })*
                        Ok($name::Other($crate::any::RawAny {
                            type_url: message.schema().type_url.clone(),
                            value: $crate::value::wire::encode(&message)?,
                        }))
                    }
                    $crate::value::AnyValue::Raw(raw) => Ok($name::Other(raw)),
                }
            }

            /// Checks the payload; errors name `field`, its place in the transaction.
            pub fn validate(&self, field: &str) -> gonka_core::Result<()> {
                $crate::value::check::any(&self.to_any_value(), field)
            }

            /// Encodes the payload (after validation) into an Any.
            pub fn to_any(&self, field: &str) -> gonka_core::Result<$crate::proto::Any> {
                if let $name::Other(raw) = self {
                    raw.validate(field)?;
                    return Ok(raw.to_proto());
                }
                let any = self.to_any_value();
                $crate::value::check::any(&any, field)?;
                Ok($crate::proto::Any {
                    type_url: any.type_url().to_string(),
                    value: any.encode_value()?,
                })
            }

            /// Decodes an Any (the Any caps apply); a payload of another interface stays raw.
            pub fn from_any(any: $crate::proto::Any) -> gonka_core::Result<Self> {
                Self::from_any_value($crate::value::wire::decode_any(&any.type_url, &any.value, Some($interface))?)
            }

            pub fn to_json(&self) -> gonka_core::Result<serde_json::Value> {
                $crate::value::json::any_to_json(&self.to_any_value())
            }

            pub fn from_json(value: serde_json::Value) -> gonka_core::Result<Self> {
                Self::from_any_value($crate::value::json::read_any(&&value, Some($interface))?)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&$crate::value::json::JsonAny(&self.to_any_value()), s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                Self::from_json(value).map_err(serde::de::Error::custom)
            }
        }

        impl $crate::msg::FieldValue for $name {
            fn to_value(&self) -> $crate::value::Value {
                $crate::value::Value::Any(Box::new(self.to_any_value()))
            }

            fn from_value(value: $crate::value::Value) -> gonka_core::Result<Self> {
                match value {
                    $crate::value::Value::Any(any) => Self::from_any_value(*any),
                    other => Err($crate::msg::mismatch(stringify!($name), &other)),
                }
            }
        }
    };
}

pub(crate) use any_enum;
