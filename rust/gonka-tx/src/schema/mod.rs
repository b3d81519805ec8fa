//! The registry of message schemas. It starts with the descriptors of `proto/` compiled into the crate (see
//! `build.rs`) and takes more descriptor sets at run time ([`register`]): a message declared in a `.proto`
//! file is encoded, decoded, checked and converted to and from JSON with no code of its own.

pub mod kinds;
pub mod model;
mod registry;

use std::sync::OnceLock;

use gonka_core::Error;
use model::Model;
pub use model::{Check, MessageCheck, Scalar, MSG_INTERFACE};
pub use registry::register;
use registry::{read, BUILTIN};

/// The descriptor set of `proto/` with source comments and the `gonka` options (written by build.rs).
pub const DESCRIPTORS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptors.bin"));

/// How messages nest inside one another (not counting Anys, which have their own caps): prost's
/// recursion limit. Bounds the stack of every walk over a message.
pub const MAX_NESTING: usize = 100;

/// One message type. Schemas live as long as the process: the registry only grows.
#[derive(Debug)]
pub struct MessageSchema {
    pub full_name: String,
    /// `/` + the full name.
    pub type_url: String,
    /// The Rust and Python class name.
    pub class_name: String,
    /// The message's own name: it starts the path in error messages (`MsgSend.amount[0]`).
    pub short_name: String,
    /// The interface it implements in an Any (`Msg`, `Authorization`, ...).
    pub implements: Option<String>,
    pub python_mixin: Option<String>,
    pub checks: Vec<MessageCheck>,
    pub doc: String,
    fields: OnceLock<Vec<Field>>,
    python: OnceLock<Vec<PyField>>,
}

impl MessageSchema {
    /// The fields in field-number order.
    pub fn fields(&'static self) -> &'static [Field] {
        self.fields.get().map_or(&[], Vec::as_slice)
    }

    pub fn field_index(&'static self, name: &str) -> Option<usize> {
        self.fields().iter().position(|f| f.name == name)
    }

    /// The fields as a Python class has them: flattened fields replaced by their own fields, the
    /// required ones first (each group in field-number order).
    pub fn python_fields(&'static self) -> &'static [PyField] {
        self.python.get().map_or(&[], Vec::as_slice)
    }

    pub fn implements(&self, interface: &str) -> bool {
        self.implements.as_deref() == Some(interface)
    }

    /// Whether an Any accepting `interface` (None: any message) holds this message typed.
    pub fn fits(&self, interface: Option<&str>) -> bool {
        interface.is_none_or(|i| self.implements(i))
    }
}

#[derive(Debug)]
pub struct Field {
    pub name: String,
    pub number: u32,
    /// Where the field is declared in its message (Python takes its fields in this order).
    pub declared: usize,
    pub kind: Kind,
    pub repeated: bool,
    pub packed: bool,
    pub required: bool,
    pub checks: Vec<Check>,
    pub accepts: Option<String>,
    pub flatten: bool,
    pub doc: String,
}

impl Field {
    pub fn has(&self, check: Check) -> bool {
        self.checks.contains(&check)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Scalar(Scalar),
    Enum(&'static EnumSchema),
    Message(&'static MessageSchema),
    Any,
    Coin,
    Timestamp,
}

/// A field of a Python class: where it sits in the message (indices through flattened fields).
#[derive(Debug)]
pub struct PyField {
    pub name: &'static str,
    pub path: Vec<usize>,
    pub field: &'static Field,
}

#[derive(Debug)]
pub struct EnumSchema {
    pub full_name: String,
    pub class_name: String,
    pub doc: String,
    /// The prefix the value names share, e.g. `VOTE_OPTION_`.
    pub prefix: String,
    /// What the values are, in words: `vote option`.
    pub human_name: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug)]
pub struct EnumValue {
    pub name: String,
    /// The name without the prefix: `NO_WITH_VETO`.
    pub short_name: String,
    pub number: i32,
    pub aliases: Vec<String>,
    /// The zero `..._UNSPECIFIED` value: "not set", never accepted as a value.
    pub unspecified: bool,
}

impl EnumSchema {
    pub fn value(&self, number: i32) -> Option<&EnumValue> {
        self.values.iter().find(|v| v.number == number)
    }

    /// The values a field may hold.
    pub fn settable(&self) -> impl Iterator<Item = &EnumValue> {
        self.values.iter().filter(|v| !v.unspecified)
    }

    /// `yes`, `YES`, `VOTE_OPTION_YES`, `no-with-veto`, an alias, or the number as text.
    pub fn parse(&self, text: &str) -> Option<i32> {
        let word = text.trim().to_ascii_lowercase().replace('-', "_");
        let prefix = self.prefix.to_ascii_lowercase();
        let word = word.strip_prefix(prefix.as_str()).unwrap_or(&word);
        self.settable()
            .find(|v| {
                v.short_name.eq_ignore_ascii_case(word) || v.aliases.iter().any(|a| a == word)
            })
            .map(|v| v.number)
    }

    /// The error for a value that is not one of the settable ones.
    pub fn unknown(&self, what: impl std::fmt::Display) -> Error {
        let names: Vec<String> = self
            .settable()
            .map(|v| v.short_name.to_ascii_lowercase())
            .collect();
        Error::InvalidInput(format!(
            "unknown {} {what} ({})",
            self.human_name,
            names.join(", ")
        ))
    }
}

/// The schema of a message, by full name (`cosmos.bank.v1beta1.MsgSend`).
pub fn message(full_name: &str) -> Option<&'static MessageSchema> {
    match BUILTIN.messages.get(full_name) {
        Some(schema) => Some(*schema),
        None => read().messages.get(full_name).copied(),
    }
}

/// The schema of the message a type URL (`/cosmos.bank.v1beta1.MsgSend`) names.
pub fn by_type_url(type_url: &str) -> Option<&'static MessageSchema> {
    message(type_url.strip_prefix('/')?)
}

/// A message compiled into the crate: the generated Rust types use it.
pub fn builtin(full_name: &str) -> &'static MessageSchema {
    message(full_name).unwrap_or_else(|| panic!("{full_name} is compiled into gonka-tx"))
}

pub fn enumeration(full_name: &str) -> Option<&'static EnumSchema> {
    match BUILTIN.enums.get(full_name) {
        Some(schema) => Some(*schema),
        None => read().enums.get(full_name).copied(),
    }
}

/// Every registered message, in full-name order.
pub fn messages() -> Vec<&'static MessageSchema> {
    let mut all: Vec<_> = read().messages.values().copied().collect();
    all.sort_by(|a, b| a.full_name.cmp(&b.full_name));
    all
}

/// The messages that get a class (see [`Model::exposed`]) among `schemas`, and the enums they use.
pub fn exposed(
    schemas: &[&'static MessageSchema],
) -> (Vec<&'static MessageSchema>, Vec<&'static EnumSchema>) {
    let model = Model {
        messages: schemas.iter().map(|s| s.model()).collect(),
        enums: Vec::new(),
    };
    let messages: Vec<&'static MessageSchema> = model
        .exposed(false)
        .iter()
        .filter_map(|m| message(&m.full_name))
        .collect();
    let mut enums: Vec<&'static EnumSchema> = Vec::new();
    for schema in &messages {
        for field in schema.fields() {
            if let Kind::Enum(e) = field.kind {
                if !enums.iter().any(|known| std::ptr::eq(*known, e)) {
                    enums.push(e);
                }
            }
        }
    }
    enums.sort_by(|a, b| a.full_name.cmp(&b.full_name));
    (messages, enums)
}
