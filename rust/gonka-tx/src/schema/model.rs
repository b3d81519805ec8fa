//! The message model read from the `.proto` descriptors and their `gonka` options (`proto/gonka/options.proto`):
//! names, field kinds, which fields a caller must give, and the checks of every value. The build script
//! generates the Rust types from it and the runtime registry builds its schemas from it, so both read the
//! descriptors the same way. Only prost-reflect and std are used here: the build script includes this file.

use std::collections::{BTreeSet, HashMap};

pub use super::kinds::{Check, FieldKind, MessageCheck, Scalar};

use prost_reflect::{
    Cardinality, DescriptorPool, EnumDescriptor, FieldDescriptor, FileDescriptor, Kind,
    MessageDescriptor, Value,
};

/// Messages with a meaning of their own, not modelled field by field.
pub const ANY: &str = "google.protobuf.Any";
pub const TIMESTAMP: &str = "google.protobuf.Timestamp";
pub const COIN: &str = "cosmos.base.v1beta1.Coin";
/// The package of the options; the extensions are `gonka.<name>`.
const OPTIONS: &str = "gonka";
/// The interface of transaction messages.
pub const MSG_INTERFACE: &str = "Msg";

#[derive(Debug, Clone)]
pub struct FieldModel {
    pub name: String,
    pub number: u32,
    /// Where the field is declared in its message (Python takes its fields in this order).
    pub declared: usize,
    pub kind: FieldKind,
    pub repeated: bool,
    /// Repeated numbers are written packed unless the field says `packed = false`.
    pub packed: bool,
    pub required: bool,
    pub checks: Vec<Check>,
    /// For an Any: the interface of the messages it holds (None: any message).
    pub accepts: Option<String>,
    pub flatten: bool,
    pub doc: String,
}

#[derive(Debug, Clone)]
pub struct MessageModel {
    pub full_name: String,
    /// The Rust and Python class name.
    pub class_name: String,
    /// The message's own name, which starts the path in error messages.
    pub short_name: String,
    pub implements: Option<String>,
    pub python_mixin: Option<String>,
    pub checks: Vec<MessageCheck>,
    pub doc: String,
    /// In field-number order (the order of the wire form and of the JSON form).
    pub fields: Vec<FieldModel>,
}

#[derive(Debug, Clone)]
pub struct EnumValueModel {
    pub name: String,
    pub number: i32,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct EnumModel {
    pub full_name: String,
    pub class_name: String,
    pub doc: String,
    pub values: Vec<EnumValueModel>,
}

impl EnumModel {
    /// The prefix every value name shares, e.g. `VOTE_OPTION_` (empty when they share none).
    pub fn prefix(&self) -> String {
        let words = |v: &EnumValueModel| v.name.split('_').map(str::to_string).collect::<Vec<_>>();
        let mut names = self.values.iter().map(words);
        let Some(mut common) = names.next() else {
            return String::new();
        };
        for other in names {
            let shared = common
                .iter()
                .zip(&other)
                .take_while(|(a, b)| a == b)
                .count();
            common.truncate(shared);
        }
        // A value must keep a name of its own.
        let longest_shared = self
            .values
            .iter()
            .map(|v| v.name.split('_').count().saturating_sub(1))
            .min()
            .unwrap_or(0);
        common.truncate(longest_shared);
        common.iter().map(|w| format!("{w}_")).collect()
    }

    /// The value's name without the prefix, e.g. `NO_WITH_VETO`.
    pub fn short_value_name(&self, value: &EnumValueModel) -> String {
        value.name[self.prefix().len()..].to_string()
    }

    /// The zero value named `..._UNSPECIFIED`: "not set", never accepted as a value.
    pub fn is_unspecified(value: &EnumValueModel) -> bool {
        value.number == 0 && value.name.ends_with("UNSPECIFIED")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Model {
    pub messages: Vec<MessageModel>,
    pub enums: Vec<EnumModel>,
}

impl Model {
    /// Reads the messages and enums of `files` (all files of the pool when None); the google.protobuf
    /// types and the options themselves are not modelled.
    pub fn read(pool: &DescriptorPool, files: Option<&BTreeSet<String>>) -> Result<Model, String> {
        let mut model = Model::default();
        for file in pool.files() {
            if file.package_name() == "google.protobuf" || file.package_name() == OPTIONS {
                continue;
            }
            if files.is_some_and(|names| !names.contains(file.name())) {
                continue;
            }
            let docs = Docs::of(&file);
            let mut messages: Vec<MessageDescriptor> = file.messages().collect();
            while let Some(message) = messages.pop() {
                messages.extend(message.child_messages());
                if message.is_map_entry() {
                    return Err(format!(
                        "{}: map fields are not supported",
                        message
                            .parent_message()
                            .map_or("?".into(), |m| m.full_name().to_string())
                    ));
                }
                model.messages.push(read_message(pool, &message, &docs)?);
                model.enums.extend(
                    message
                        .child_enums()
                        .map(|e| read_enum(&e, &docs))
                        .collect::<Result<Vec<_>, _>>()?,
                );
            }
            for e in file.enums() {
                model.enums.push(read_enum(&e, &docs)?);
            }
        }
        model.messages.sort_by(|a, b| a.full_name.cmp(&b.full_name));
        model.enums.sort_by(|a, b| a.full_name.cmp(&b.full_name));
        Ok(model)
    }

    pub fn message(&self, full_name: &str) -> Option<&MessageModel> {
        self.messages.iter().find(|m| m.full_name == full_name)
    }

    /// The messages that get a class: every one with an interface, and the messages their fields hold
    /// (through a flattened field only when `through_flatten`), in full-name order.
    pub fn exposed(&self, through_flatten: bool) -> Vec<&MessageModel> {
        let mut names: BTreeSet<&str> = self
            .messages
            .iter()
            .filter(|m| m.implements.is_some())
            .map(|m| m.full_name.as_str())
            .collect();
        let mut scanned: BTreeSet<&str> = BTreeSet::new();
        let mut pending: Vec<&str> = names.iter().copied().collect();
        while let Some(name) = pending.pop() {
            let Some(message) = self.message(name) else {
                continue;
            };
            if !scanned.insert(name) {
                continue;
            }
            for field in &message.fields {
                if let FieldKind::Message(nested) = &field.kind {
                    if through_flatten || !field.flatten {
                        names.insert(nested);
                    }
                    // A flattened message's own fields may hold messages that need classes.
                    pending.push(nested);
                }
            }
        }
        names.iter().filter_map(|n| self.message(n)).collect()
    }

    /// The enums the fields of `messages` use, in full-name order.
    pub fn enums_of<'a>(&'a self, messages: &[&MessageModel]) -> Vec<&'a EnumModel> {
        let used: BTreeSet<&str> = messages
            .iter()
            .flat_map(|m| &m.fields)
            .filter_map(|f| match &f.kind {
                FieldKind::Enum(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        self.enums
            .iter()
            .filter(|e| used.contains(e.full_name.as_str()))
            .collect()
    }
}

fn read_message(
    pool: &DescriptorPool,
    message: &MessageDescriptor,
    docs: &Docs,
) -> Result<MessageModel, String> {
    let full_name = message.full_name().to_string();
    let options = message.options();
    let ext = |name: &str| option_value(pool, &options, name);
    let text = |value: Option<Value>| {
        value
            .and_then(|v| v.as_str().map(str::to_string))
            .filter(|s| !s.is_empty())
    };
    let mut checks = Vec::new();
    for name in enum_names(pool, ext("message_check"), "MessageCheck") {
        let check = MessageCheck::from_name(&name)
            .ok_or_else(|| format!("{full_name}: unknown message check {name}"))?;
        if !check.fits(message) {
            return Err(format!(
                "{full_name}: the check {name} does not fit its fields"
            ));
        }
        checks.push(check);
    }
    let mut fields = Vec::new();
    for field in message.fields() {
        fields.push(read_field(pool, &full_name, &field, docs)?);
    }
    fields.sort_by_key(|f| f.number);
    Ok(MessageModel {
        class_name: text(ext("class_name")).unwrap_or_else(|| message.name().to_string()),
        short_name: message.name().to_string(),
        implements: text(ext("implements")),
        python_mixin: text(ext("python_mixin")),
        checks,
        doc: docs.get(message.path()),
        fields,
        full_name,
    })
}

fn read_field(
    pool: &DescriptorPool,
    message: &str,
    field: &FieldDescriptor,
    docs: &Docs,
) -> Result<FieldModel, String> {
    let name = field.name().to_string();
    let at = format!("{message}.{name}");
    if field.is_group() {
        return Err(format!("{at}: groups are not supported"));
    }
    let kind = match field.kind() {
        Kind::Double => FieldKind::Scalar(Scalar::Double),
        Kind::Float => FieldKind::Scalar(Scalar::Float),
        Kind::Int32 => FieldKind::Scalar(Scalar::Int32),
        Kind::Int64 => FieldKind::Scalar(Scalar::Int64),
        Kind::Uint32 => FieldKind::Scalar(Scalar::Uint32),
        Kind::Uint64 => FieldKind::Scalar(Scalar::Uint64),
        Kind::Sint32 => FieldKind::Scalar(Scalar::Sint32),
        Kind::Sint64 => FieldKind::Scalar(Scalar::Sint64),
        Kind::Fixed32 => FieldKind::Scalar(Scalar::Fixed32),
        Kind::Fixed64 => FieldKind::Scalar(Scalar::Fixed64),
        Kind::Sfixed32 => FieldKind::Scalar(Scalar::Sfixed32),
        Kind::Sfixed64 => FieldKind::Scalar(Scalar::Sfixed64),
        Kind::Bool => FieldKind::Scalar(Scalar::Bool),
        Kind::String => FieldKind::Scalar(Scalar::String),
        Kind::Bytes => FieldKind::Scalar(Scalar::Bytes),
        Kind::Enum(e) => FieldKind::Enum(e.full_name().to_string()),
        Kind::Message(m) => match m.full_name() {
            ANY => FieldKind::Any,
            TIMESTAMP => FieldKind::Timestamp,
            COIN => FieldKind::Coin,
            other if other.starts_with("google.protobuf.") => {
                return Err(format!("{at}: {other} is not supported"))
            }
            other => FieldKind::Message(other.to_string()),
        },
    };
    let repeated = field.cardinality() == Cardinality::Repeated;
    let options = field.options();
    let ext = |name: &str| option_value(pool, &options, name);
    let flag = |name: &str| ext(name).and_then(|v| v.as_bool()).unwrap_or(false);
    let mut checks = Vec::new();
    for check_name in enum_names(pool, ext("check"), "Check") {
        let check = Check::from_name(&check_name)
            .ok_or_else(|| format!("{at}: unknown check {check_name}"))?;
        if !check.fits(&kind, repeated, pool) {
            return Err(format!(
                "{at}: the check {check_name} does not fit a {kind:?} field"
            ));
        }
        checks.push(check);
    }
    let accepts = ext("accepts")
        .and_then(|v| v.as_str().map(str::to_string))
        .filter(|s| !s.is_empty());
    if accepts.is_some() && kind != FieldKind::Any {
        return Err(format!("{at}: only an Any field accepts an interface"));
    }
    let flatten = flag("flatten");
    let required = flag("required");
    if flatten && (repeated || !required || !matches!(kind, FieldKind::Message(_))) {
        return Err(format!(
            "{at}: only a required, singular message field can be flattened"
        ));
    }
    Ok(FieldModel {
        number: field.number(),
        declared: field.path().last().map_or(0, |&i| i as usize),
        packed: repeated && field.is_packed(),
        doc: docs.get(field.path()),
        name,
        kind,
        repeated,
        required,
        checks,
        accepts,
        flatten,
    })
}

fn read_enum(e: &EnumDescriptor, docs: &Docs) -> Result<EnumModel, String> {
    let pool = e.parent_pool();
    let mut values = Vec::new();
    for value in e.values() {
        let options = value.options();
        let aliases = match option_value(pool, &options, "alias") {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        values.push(EnumValueModel {
            name: value.name().to_string(),
            number: value.number(),
            aliases,
        });
    }
    Ok(EnumModel {
        full_name: e.full_name().to_string(),
        class_name: e.name().to_string(),
        doc: docs.get(e.path()),
        values,
    })
}

/// The value of the option extension `gonka.<name>`, when set.
fn option_value(
    pool: &DescriptorPool,
    options: &prost_reflect::DynamicMessage,
    name: &str,
) -> Option<Value> {
    let extension = pool.get_extension_by_name(&format!("{OPTIONS}.{name}"))?;
    options
        .has_extension(&extension)
        .then(|| options.get_extension(&extension).into_owned())
}

/// The value names of a (repeated) enum option of enum type `gonka.<enum_name>`.
fn enum_names(pool: &DescriptorPool, value: Option<Value>, enum_name: &str) -> Vec<String> {
    let Some(descriptor) = pool.get_enum_by_name(&format!("{OPTIONS}.{enum_name}")) else {
        return Vec::new();
    };
    let numbers: Vec<i32> = match value {
        Some(Value::List(items)) => items.iter().filter_map(Value::as_enum_number).collect(),
        Some(Value::EnumNumber(n)) => vec![n],
        _ => Vec::new(),
    };
    numbers
        .into_iter()
        .map(|n| {
            descriptor
                .get_value(n)
                .map_or_else(|| n.to_string(), |v| v.name().to_string())
        })
        .collect()
}

/// The leading comments of a file's declarations, by source path.
struct Docs(HashMap<Vec<i32>, String>);

impl Docs {
    fn of(file: &FileDescriptor) -> Docs {
        let mut docs = HashMap::new();
        if let Some(info) = &file.file_descriptor_proto().source_code_info {
            for location in &info.location {
                let text = location
                    .leading_comments
                    .as_deref()
                    .or(location.trailing_comments.as_deref())
                    .unwrap_or("");
                if !text.trim().is_empty() {
                    let lines: Vec<&str> = text.lines().map(str::trim).collect();
                    docs.insert(location.path.clone(), lines.join("\n").trim().to_string());
                }
            }
        }
        Docs(docs)
    }

    fn get(&self, path: &[i32]) -> String {
        self.0.get(path).cloned().unwrap_or_default()
    }
}
