//! The Python classes of `gonka.tx` that the native code makes and recognises: the generated message and
//! enum classes (each bound to its schema when its module is imported) and a few value classes (Coin,
//! Timestamp, RawMsg, ...), registered by role.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{LazyLock, RwLock};

use pyo3::prelude::*;
use pyo3::types::{PyString, PyType};

use gonka_core::Error;
use gonka_tx::schema::{EnumSchema, MessageSchema};

use crate::errors::to_py;

/// The attribute of a message class that holds its schema.
const SCHEMA_ATTRIBUTE: &str = "__gonka_schema__";

/// A message class's schema, stored on the class.
#[pyclass(module = "gonka._native", name = "MessageSchema", frozen)]
pub struct SchemaHandle {
    pub schema: &'static MessageSchema,
}

#[pymethods]
impl SchemaHandle {
    fn __repr__(&self) -> String {
        format!("<schema of {}>", self.schema.full_name)
    }
}

/// The value classes the native code makes by role.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Role {
    Coin,
    Timestamp,
    RawMsg,
    AnyPayload,
    Msg,
    SignerInfo,
}

impl Role {
    fn parse(name: &str) -> Option<Role> {
        Some(match name {
            "Coin" => Role::Coin,
            "Timestamp" => Role::Timestamp,
            "RawMsg" => Role::RawMsg,
            "AnyPayload" => Role::AnyPayload,
            "Msg" => Role::Msg,
            "SignerInfo" => Role::SignerInfo,
            _ => return None,
        })
    }
}

/// An enum class's members by number: a decoded value picks one without calling the class.
struct EnumClass {
    members: Vec<(i32, Py<PyAny>)>,
}

/// Hashes an address: the keys of these maps are addresses of schemas, classes and names, and every
/// decoded message looks its class up.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_usize(&mut self, address: usize) {
        // Addresses are aligned: the low bits carry nothing.
        self.0 = (address as u64 >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type ByAddress<V> = HashMap<usize, V, BuildHasherDefault<AddressHasher>>;

#[derive(Default)]
struct Classes {
    messages: ByAddress<Py<PyType>>,
    enums: ByAddress<EnumClass>,
    enum_schemas: ByAddress<&'static EnumSchema>,
    roles: HashMap<Role, Py<PyType>>,
    /// Interned attribute names, by the address of the schema's (static) name.
    names: ByAddress<Py<PyString>>,
}

static CLASSES: LazyLock<RwLock<Classes>> = LazyLock::new(RwLock::default);

fn read() -> std::sync::RwLockReadGuard<'static, Classes> {
    CLASSES.read().unwrap_or_else(|e| e.into_inner())
}

fn write() -> std::sync::RwLockWriteGuard<'static, Classes> {
    CLASSES.write().unwrap_or_else(|e| e.into_inner())
}

fn key<T>(item: &'static T) -> usize {
    std::ptr::from_ref(item) as usize
}

fn not_imported(what: &str) -> PyErr {
    to_py(Error::InvalidInput(format!(
        "{what} has no Python class: import gonka.tx first"
    )))
}

/// The class registered for a role.
pub fn role<'py>(py: Python<'py>, role: Role) -> PyResult<Bound<'py, PyType>> {
    read()
        .roles
        .get(&role)
        .map(|c| c.bind(py).clone())
        .ok_or_else(|| not_imported(&format!("{role:?}")))
}

/// The class generated for a message, when its module is imported.
pub fn message_class<'py>(
    py: Python<'py>,
    schema: &'static MessageSchema,
) -> Option<Bound<'py, PyType>> {
    read()
        .messages
        .get(&key(schema))
        .map(|c| c.bind(py).clone())
}

/// The member of an enum class for a number (None: no class, or no such member).
pub fn enum_member<'py>(
    py: Python<'py>,
    schema: &'static EnumSchema,
    number: i32,
) -> Option<Bound<'py, PyAny>> {
    let classes = read();
    let class = classes.enums.get(&key(schema))?;
    class
        .members
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, member)| member.bind(py).clone())
}

/// The schema of a registered enum class.
pub fn enum_schema_of(class: &Bound<'_, PyType>) -> PyResult<&'static EnumSchema> {
    read()
        .enum_schemas
        .get(&(class.as_ptr() as usize))
        .copied()
        .ok_or_else(|| {
            to_py(Error::InvalidInput(format!(
                "{class} is not a registered enum class"
            )))
        })
}

/// The schema of a message object's class (or of one of its bases), when it has one.
pub fn schema_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<&'static MessageSchema>> {
    schema_of_class(&obj.get_type())
}

/// The schema of a message class (or of one of its bases), when it has one.
pub fn schema_of_class(class: &Bound<'_, PyType>) -> PyResult<Option<&'static MessageSchema>> {
    let py = class.py();
    match class.getattr(pyo3::intern!(py, SCHEMA_ATTRIBUTE)) {
        Ok(handle) => Ok(handle
            .downcast::<SchemaHandle>()
            .ok()
            .map(|h| h.get().schema)),
        Err(_) => Ok(None),
    }
}

/// Binds a generated message class to the schema of `full_name`; the native code makes its instances
/// from then on. `fields` are the class's own fields, which must be the schema's: a class generated
/// from an older .proto fails here, when its module is imported.
#[pyfunction]
pub fn tx_register_class(
    class: &Bound<'_, PyType>,
    full_name: &str,
    fields: Vec<String>,
) -> PyResult<()> {
    let schema = gonka_tx::schema::message(full_name).ok_or_else(|| {
        to_py(Error::InvalidInput(format!(
            "no message {full_name} is registered"
        )))
    })?;
    let expected: Vec<&str> = schema.python_fields().iter().map(|f| f.name).collect();
    if fields != expected {
        return Err(to_py(Error::InvalidInput(format!(
            "{} has the fields {fields:?} but {full_name} has {expected:?}: regenerate its module \
             (python -m gonka._codegen)",
            class.qualname()?
        ))));
    }
    class.setattr(
        SCHEMA_ATTRIBUTE,
        Py::new(class.py(), SchemaHandle { schema })?,
    )?;
    write().messages.insert(key(schema), class.clone().unbind());
    Ok(())
}

/// Binds a generated enum class to the enum `full_name`.
#[pyfunction]
pub fn tx_register_enum(class: &Bound<'_, PyType>, full_name: &str) -> PyResult<()> {
    let schema = gonka_tx::schema::enumeration(full_name).ok_or_else(|| {
        to_py(Error::InvalidInput(format!(
            "no enum {full_name} is registered"
        )))
    })?;
    let mut members = Vec::new();
    for value in schema.settable() {
        let member = class.call1((value.number,))?;
        members.push((value.number, member.unbind()));
    }
    let mut classes = write();
    classes.enum_schemas.insert(class.as_ptr() as usize, schema);
    classes.enums.insert(key(schema), EnumClass { members });
    Ok(())
}

/// Registers the class playing `role` (Coin, Timestamp, RawMsg, AnyPayload, Msg, SignerInfo).
#[pyfunction]
pub fn tx_register_type(role: &str, class: &Bound<'_, PyType>) -> PyResult<()> {
    let role = Role::parse(role)
        .ok_or_else(|| to_py(Error::InvalidInput(format!("unknown class role {role:?}"))))?;
    write().roles.insert(role, class.clone().unbind());
    Ok(())
}

/// An interned attribute name.
pub fn name<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    PyString::intern(py, name)
}

/// The interned Python string of a schema's field name (schemas, and so their names, live forever).
pub fn field_name<'py>(py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
    let key = name.as_ptr() as usize;
    if let Some(cached) = read().names.get(&key) {
        return cached.bind(py).clone();
    }
    let interned = PyString::intern(py, name);
    write().names.insert(key, interned.clone().unbind());
    interned
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<SchemaHandle>()?;
    m.add_function(wrap_pyfunction!(tx_register_class, m)?)?;
    m.add_function(wrap_pyfunction!(tx_register_enum, m)?)?;
    m.add_function(wrap_pyfunction!(tx_register_type, m)?)?;
    Ok(())
}
