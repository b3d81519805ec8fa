//! The registry of message schemas. It starts with the descriptors of `proto/` compiled into the crate (see
//! `build.rs`) and takes more descriptor sets at run time ([`register`]): a message declared in a `.proto`
//! file is encoded, decoded, checked and converted to and from JSON with no code of its own.

pub mod model;

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{LazyLock, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use prost::Message as _;
use prost_reflect::DescriptorPool;

use gonka_core::{Error, Result};
pub use model::{Check, MessageCheck, Scalar, MSG_INTERFACE};
use model::{EnumModel, FieldKind, MessageModel, Model};

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

/// FNV-1a: decoding hashes a type URL for every Any, and the registry's own names are the only keys (the
/// hashed input can only be looked up, never inserted, so collisions cannot be forced).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type ByName<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

struct Registry {
    pool: DescriptorPool,
    messages: ByName<&'static MessageSchema>,
    enums: ByName<&'static EnumSchema>,
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(|| {
    let pool = DescriptorPool::decode(DESCRIPTORS)
        .expect("the descriptors compiled into gonka-tx decode (build.rs wrote them)");
    let model =
        Model::read(&pool, None).expect("build.rs checked the model of the compiled descriptors");
    let mut registry = Registry {
        pool,
        messages: ByName::default(),
        enums: ByName::default(),
    };
    registry
        .add(&model)
        .expect("build.rs checked the model of the compiled descriptors");
    RwLock::new(registry)
});

fn read() -> RwLockReadGuard<'static, Registry> {
    // The registry is only ever extended whole under the lock: a panic elsewhere cannot leave it half built.
    REGISTRY.read().unwrap_or_else(|e| e.into_inner())
}

fn write() -> RwLockWriteGuard<'static, Registry> {
    REGISTRY.write().unwrap_or_else(|e| e.into_inner())
}

/// The compiled-in messages and enums, read without the registry's lock: decoding looks a message up for
/// every Any.
static BUILTIN: LazyLock<Schemas> = LazyLock::new(|| {
    let registry = read();
    Schemas {
        messages: registry.messages.clone(),
        enums: registry.enums.clone(),
    }
});

struct Schemas {
    messages: ByName<&'static MessageSchema>,
    enums: ByName<&'static EnumSchema>,
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

/// Adds the messages of an encoded `FileDescriptorSet` and returns the schemas of every message its files
/// declare. Their fields may use any message already registered. A file already registered is skipped
/// (its messages are returned as they are), so registering the same set twice is harmless.
pub fn register(descriptor_set: &[u8]) -> Result<Vec<&'static MessageSchema>> {
    let unusable = |e: &dyn std::fmt::Display| {
        Error::InvalidInput(format!("not a usable descriptor set: {e}"))
    };
    let files: Vec<String> = prost_types::FileDescriptorSet::decode(descriptor_set)
        .map_err(|e| unusable(&e))?
        .file
        .into_iter()
        .filter_map(|f| f.name)
        .collect();
    let mut registry = write();
    let mut pool = registry.pool.clone();
    let known: BTreeSet<String> = pool.files().map(|f| f.name().to_string()).collect();
    pool.decode_file_descriptor_set(descriptor_set)
        .map_err(|e| unusable(&e))?;
    let added: BTreeSet<String> = pool
        .files()
        .map(|f| f.name().to_string())
        .filter(|name| !known.contains(name))
        .collect();
    let model = Model::read(&pool, Some(&added)).map_err(Error::InvalidInput)?;
    registry.add(&model)?;
    registry.pool = pool;
    let declared: BTreeSet<String> = files.into_iter().collect();
    let model = Model::read(&registry.pool, Some(&declared)).map_err(Error::InvalidInput)?;
    Ok(model
        .messages
        .iter()
        .filter_map(|m| registry.messages.get(&m.full_name).copied())
        .collect())
}

impl Registry {
    fn add(&mut self, model: &Model) -> Result<Vec<&'static MessageSchema>> {
        for name in model.messages.iter().map(|m| &m.full_name) {
            if self.messages.contains_key(name) {
                return Err(Error::InvalidInput(format!("{name} is already registered")));
            }
        }
        let enums: Vec<&'static EnumSchema> = model
            .enums
            .iter()
            .map(|e| &*Box::leak(Box::new(enum_schema(e))))
            .collect();
        let schemas: Vec<&'static MessageSchema> = model
            .messages
            .iter()
            .map(|m| {
                &*Box::leak(Box::new(MessageSchema {
                    full_name: m.full_name.clone(),
                    type_url: format!("/{}", m.full_name),
                    class_name: m.class_name.clone(),
                    short_name: m.short_name.clone(),
                    implements: m.implements.clone(),
                    python_mixin: m.python_mixin.clone(),
                    checks: m.checks.clone(),
                    doc: m.doc.clone(),
                    fields: OnceLock::new(),
                    python: OnceLock::new(),
                }))
            })
            .collect();
        // Fields may name any message, this set's or an earlier one's, so every schema exists before the
        // fields are resolved (a message may even hold itself).
        let mut messages = self.messages.clone();
        messages.extend(schemas.iter().map(|s| (s.full_name.clone(), *s)));
        let mut all_enums = self.enums.clone();
        all_enums.extend(enums.iter().map(|e| (e.full_name.clone(), *e)));
        for (schema, m) in schemas.iter().zip(&model.messages) {
            let fields = m
                .fields
                .iter()
                .map(|f| field(&m.full_name, f, &messages, &all_enums))
                .collect::<Result<Vec<_>>>()?;
            let _ = schema.fields.set(fields);
        }
        for schema in &schemas {
            let _ = schema.python.set(python_view(schema)?);
        }
        self.messages = messages;
        self.enums = all_enums;
        Ok(schemas)
    }
}

fn field(
    message: &str,
    f: &model::FieldModel,
    messages: &ByName<&'static MessageSchema>,
    enums: &ByName<&'static EnumSchema>,
) -> Result<Field> {
    let missing =
        |what: &str| Error::InvalidInput(format!("{message}.{}: {what} is not registered", f.name));
    let kind = match &f.kind {
        FieldKind::Scalar(s) => Kind::Scalar(*s),
        FieldKind::Enum(name) => Kind::Enum(enums.get(name).copied().ok_or_else(|| missing(name))?),
        FieldKind::Message(name) => {
            Kind::Message(messages.get(name).copied().ok_or_else(|| missing(name))?)
        }
        FieldKind::Any => Kind::Any,
        FieldKind::Coin => Kind::Coin,
        FieldKind::Timestamp => Kind::Timestamp,
    };
    Ok(Field {
        name: f.name.clone(),
        number: f.number,
        kind,
        repeated: f.repeated,
        packed: f.packed,
        required: f.required,
        checks: f.checks.clone(),
        accepts: f.accepts.clone(),
        flatten: f.flatten,
        doc: f.doc.clone(),
    })
}

fn python_view(schema: &'static MessageSchema) -> Result<Vec<PyField>> {
    fn collect(
        schema: &'static MessageSchema,
        prefix: &[usize],
        depth: usize,
        out: &mut Vec<PyField>,
    ) -> Result<()> {
        if depth > MAX_NESTING {
            return Err(Error::InvalidInput(format!(
                "{}: flattened fields nest too deep",
                schema.full_name
            )));
        }
        for (i, field) in schema.fields().iter().enumerate() {
            let mut path = prefix.to_vec();
            path.push(i);
            match field.kind {
                Kind::Message(nested) if field.flatten => collect(nested, &path, depth + 1, out)?,
                _ => out.push(PyField {
                    name: field.name.as_str(),
                    path,
                    field,
                }),
            }
        }
        Ok(())
    }
    let mut fields = Vec::new();
    collect(schema, &[], 0, &mut fields)?;
    let mut seen = BTreeSet::new();
    for f in &fields {
        if !seen.insert(f.name) {
            return Err(Error::InvalidInput(format!(
                "{}: two fields are named {} once flattened",
                schema.full_name, f.name
            )));
        }
    }
    // Python wants the fields without a default first; the sort is stable.
    fields.sort_by_key(|f| !f.field.required);
    Ok(fields)
}

fn enum_schema(e: &EnumModel) -> EnumSchema {
    let prefix = e.prefix();
    let mut human = String::new();
    for (i, c) in e.class_name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            human.push(' ');
        }
        human.push(c.to_ascii_lowercase());
    }
    EnumSchema {
        full_name: e.full_name.clone(),
        class_name: e.class_name.clone(),
        doc: e.doc.clone(),
        human_name: human,
        values: e
            .values
            .iter()
            .map(|v| EnumValue {
                name: v.name.clone(),
                short_name: e.short_value_name(v),
                number: v.number,
                aliases: v.aliases.clone(),
                unspecified: EnumModel::is_unspecified(v),
            })
            .collect(),
        prefix,
    }
}

impl MessageSchema {
    /// The model view of the schema (what [`Model::exposed`] walks).
    fn model(&'static self) -> MessageModel {
        MessageModel {
            full_name: self.full_name.clone(),
            class_name: self.class_name.clone(),
            short_name: self.short_name.clone(),
            implements: self.implements.clone(),
            python_mixin: self.python_mixin.clone(),
            checks: self.checks.clone(),
            doc: self.doc.clone(),
            fields: self
                .fields()
                .iter()
                .map(|f| model::FieldModel {
                    name: f.name.clone(),
                    number: f.number,
                    kind: match f.kind {
                        Kind::Scalar(s) => FieldKind::Scalar(s),
                        Kind::Enum(e) => FieldKind::Enum(e.full_name.clone()),
                        Kind::Message(m) => FieldKind::Message(m.full_name.clone()),
                        Kind::Any => FieldKind::Any,
                        Kind::Coin => FieldKind::Coin,
                        Kind::Timestamp => FieldKind::Timestamp,
                    },
                    repeated: f.repeated,
                    packed: f.packed,
                    required: f.required,
                    checks: f.checks.clone(),
                    accepts: f.accepts.clone(),
                    flatten: f.flatten,
                    doc: f.doc.clone(),
                })
                .collect(),
        }
    }
}
