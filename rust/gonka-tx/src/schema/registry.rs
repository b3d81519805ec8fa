//! Building the registry: schemas from the model of a descriptor pool, their fields resolved against every
//! message registered so far, and their Python view; the lock-free table of the compiled-in ones.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{LazyLock, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use prost::Message as _;
use prost_reflect::DescriptorPool;

use super::model::{self, EnumModel, FieldKind, MessageModel, Model};
use super::{EnumSchema, EnumValue, Field, Kind, MessageSchema, PyField, DESCRIPTORS, MAX_NESTING};
use gonka_core::{Error, Result};

/// FNV-1a: decoding hashes a type URL for every Any, and the registry's own names are the only keys (the
/// hashed input can only be looked up, never inserted, so collisions cannot be forced).
#[derive(Default)]
pub(super) struct Fnv(u64);

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

pub(super) type ByName<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

pub(super) struct Registry {
    pool: DescriptorPool,
    pub(super) messages: ByName<&'static MessageSchema>,
    pub(super) enums: ByName<&'static EnumSchema>,
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

pub(super) fn read() -> RwLockReadGuard<'static, Registry> {
    // The registry is only ever extended whole under the lock: a panic elsewhere cannot leave it half built.
    REGISTRY.read().unwrap_or_else(|e| e.into_inner())
}

fn write() -> RwLockWriteGuard<'static, Registry> {
    REGISTRY.write().unwrap_or_else(|e| e.into_inner())
}

/// The compiled-in messages and enums, read without the registry's lock: decoding looks a message up for
/// every Any.
pub(super) static BUILTIN: LazyLock<Schemas> = LazyLock::new(|| {
    let registry = read();
    Schemas {
        messages: registry.messages.clone(),
        enums: registry.enums.clone(),
    }
});

pub(super) struct Schemas {
    pub(super) messages: ByName<&'static MessageSchema>,
    pub(super) enums: ByName<&'static EnumSchema>,
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
        declared: f.declared,
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
    // Python takes the fields in their declared order (the wire order is by number), those without a
    // default first. A flattened message's fields stay together, at its place.
    fields.sort_by_key(|f| (!f.field.required, schema.fields()[f.path[0]].declared));
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
    pub(super) fn model(&'static self) -> MessageModel {
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
                    declared: f.declared,
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
