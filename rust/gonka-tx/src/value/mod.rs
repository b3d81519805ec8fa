//! Messages as values their schema describes: what every message is between its wire form, its JSON form,
//! its Rust type and its Python class. [`wire`] encodes and decodes them, [`check`] checks them, [`json`]
//! writes and reads their JSON form.

pub mod check;
pub mod json;
pub mod wire;

use std::fmt;

use crate::any::RawAny;
use crate::coin::Coin;
use crate::schema::{Kind, MessageSchema, Scalar};
use crate::time::Timestamp;
use gonka_core::{Error, Result};

/// The value of one field. Numbers keep their signedness (32-bit ones are range-checked where they are
/// made); a LegacyDec string holds the decimal text, not its scaled wire form.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Enum(i32),
    String(String),
    Bytes(Vec<u8>),
    Coin(Coin),
    Timestamp(Timestamp),
    Message(Box<Message>),
    Any(Box<AnyValue>),
    List(Vec<Value>),
    /// An absent message.
    Null,
}

impl Value {
    /// The value of an unset field.
    pub fn default_of(kind: Kind, repeated: bool) -> Value {
        if repeated {
            return Value::List(Vec::new());
        }
        match kind {
            Kind::Scalar(s) => match s {
                Scalar::Bool => Value::Bool(false),
                Scalar::String => Value::String(String::new()),
                Scalar::Bytes => Value::Bytes(Vec::new()),
                s if s.is_float() => Value::F64(0.0),
                s if s.is_signed_int() => Value::I64(0),
                _ => Value::U64(0),
            },
            Kind::Enum(_) => Value::Enum(0),
            Kind::Message(_) | Kind::Any | Kind::Coin | Kind::Timestamp => Value::Null,
        }
    }

    /// A short description for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "a bool",
            Value::I64(_) | Value::U64(_) => "an integer",
            Value::F64(_) => "a number",
            Value::Enum(_) => "an enum value",
            Value::String(_) => "a string",
            Value::Bytes(_) => "bytes",
            Value::Coin(_) => "a coin",
            Value::Timestamp(_) => "a timestamp",
            Value::Message(_) => "a message",
            Value::Any(_) => "an Any",
            Value::List(_) => "a list",
            Value::Null => "nothing",
        }
    }
}

/// A message: one value per field of its schema, in the schema's field order.
#[derive(Debug, Clone)]
pub struct Message {
    schema: &'static MessageSchema,
    fields: Vec<Value>,
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.schema, other.schema) && self.fields == other.fields
    }
}

impl Message {
    /// Every field unset.
    pub fn new(schema: &'static MessageSchema) -> Self {
        let fields = schema
            .fields()
            .iter()
            .map(|f| Value::default_of(f.kind, f.repeated))
            .collect();
        Self { schema, fields }
    }

    /// The fields' values in the schema's field order (as many as it has fields).
    pub fn with_fields(schema: &'static MessageSchema, fields: Vec<Value>) -> Result<Self> {
        if fields.len() != schema.fields().len() {
            return Err(Error::InvalidInput(format!(
                "{} has {} fields, got {} values",
                schema.full_name,
                schema.fields().len(),
                fields.len()
            )));
        }
        Ok(Self { schema, fields })
    }

    /// The values of generated code, which has one per field by construction.
    pub(crate) fn from_parts(schema: &'static MessageSchema, fields: Vec<Value>) -> Self {
        debug_assert_eq!(fields.len(), schema.fields().len());
        Self { schema, fields }
    }

    pub fn schema(&self) -> &'static MessageSchema {
        self.schema
    }

    pub fn fields(&self) -> &[Value] {
        &self.fields
    }

    pub fn fields_mut(&mut self) -> &mut [Value] {
        &mut self.fields
    }

    pub fn into_fields(self) -> Vec<Value> {
        self.fields
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.schema.field_index(name).map(|i| &self.fields[i])
    }

    /// The value at a path of field indices (a Python field inside flattened messages).
    pub fn at(&self, path: &[usize]) -> Option<&Value> {
        let (last, outer) = path.split_last()?;
        let mut message = self;
        for &i in outer {
            match message.fields.get(i)? {
                Value::Message(m) => message = m,
                _ => return None,
            }
        }
        message.fields.get(*last)
    }
}

/// What an Any holds: a registered message, or the bytes of any other.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyValue {
    Typed(Message),
    Raw(RawAny),
}

impl AnyValue {
    pub fn type_url(&self) -> &str {
        match self {
            AnyValue::Typed(m) => &m.schema().type_url,
            AnyValue::Raw(raw) => &raw.type_url,
        }
    }

    /// The encoded payload (the Any's `value`).
    pub fn encode_value(&self) -> Result<Vec<u8>> {
        match self {
            AnyValue::Typed(m) => wire::encode(m),
            AnyValue::Raw(raw) => Ok(raw.value.clone()),
        }
    }
}

/// Where a value sits, for error messages (`MsgSend.amount[1].denom`); written out only for an error.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root(&'a str),
    Field(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    pub fn root(name: &'a str) -> Self {
        Self {
            parent: None,
            segment: Segment::Root(name),
        }
    }

    pub fn field(&'a self, name: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.segment {
            Segment::Root(name) => f.write_str(name),
            Segment::Field(name) if self.parent.is_some() => write!(f, ".{name}"),
            Segment::Field(name) => f.write_str(name),
            Segment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// `{path}: {what}` as an InvalidInput error.
pub fn invalid_at(path: &Path<'_>, what: impl fmt::Display) -> Error {
    Error::InvalidInput(format!("{path}: {what}"))
}
