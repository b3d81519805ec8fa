//! Bindings of the message schemas: the generated classes of `gonka.tx` check and encode their instances
//! here (`tx_bind`), and read and write the chain's JSON form. Python objects are read as the schema
//! directs, so no input is walked deeper than the schema and the Any caps allow.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use pythonize::pythonize;

use gonka_core::Error;
use gonka_tx::any::{RawAny, Unpacking};
use gonka_tx::schema::{self, Kind, MessageSchema, Scalar};
use gonka_tx::value::json::{read_any, read_message, shorten, JsonAny, JsonMessage, Node};
use gonka_tx::value::{check, wire, AnyValue, Path};

use crate::classes::{self, schema_of};
use crate::convert::{message_from_arguments, message_from_py, not_a_message};
use crate::errors::{guard, to_py};
use crate::make::{any_to_py, message_to_py, store};

/// A Python object read as JSON (dicts, lists, str, int, float, bool, None).
struct PyNode<'py>(Bound<'py, PyAny>);

impl Node for PyNode<'_> {
    fn is_null(&self) -> bool {
        self.0.is_none()
    }

    fn as_bool(&self) -> Option<bool> {
        self.0.downcast::<PyBool>().ok().map(|b| b.is_true())
    }

    fn as_str(&self) -> Option<Cow<'_, str>> {
        self.0.downcast::<PyString>().ok()?.to_cow().ok()
    }

    fn as_int(&self) -> Option<i128> {
        if self.0.is_instance_of::<PyBool>() {
            return None;
        }
        self.0.downcast::<PyInt>().ok()?.extract().ok()
    }

    fn as_f64(&self) -> Option<f64> {
        if self.0.is_instance_of::<PyFloat>()
            || (self.0.is_instance_of::<PyInt>() && !self.0.is_instance_of::<PyBool>())
        {
            return self.0.extract().ok();
        }
        None
    }

    fn is_object(&self) -> bool {
        self.0.is_instance_of::<PyDict>()
    }

    fn get(&self, key: &str) -> Option<Self> {
        let dict = self.0.downcast::<PyDict>().ok()?;
        dict.get_item(key).ok().flatten().map(PyNode)
    }

    fn key_count(&self) -> usize {
        self.0.downcast::<PyDict>().map_or(0, |d| d.len())
    }

    fn items(&self) -> Option<Vec<Self>> {
        if let Ok(list) = self.0.downcast::<PyList>() {
            return Some(list.iter().map(PyNode).collect());
        }
        let tuple = self.0.downcast::<PyTuple>().ok()?;
        Some(tuple.iter().map(PyNode).collect())
    }

    fn describe(&self) -> String {
        self.0
            .repr()
            .map(|r| shorten(r.to_string()))
            .unwrap_or_else(|_| "<unprintable>".into())
    }
}

/// The name that starts the path of a payload's errors: its message name.
fn root_name(any: &AnyValue) -> String {
    match any {
        AnyValue::Typed(m) => m.schema().short_name.clone(),
        AnyValue::Raw(raw) => raw
            .type_url
            .rsplit('.')
            .next()
            .unwrap_or("message")
            .to_string(),
    }
}

fn schema_of_instance(obj: &Bound<'_, PyAny>) -> PyResult<&'static MessageSchema> {
    schema_of(obj)?.ok_or_else(|| not_a_message(obj))
}

/// Checks and normalizes the fields of an instance of a generated class whose attributes are set and, for a
/// payload, stores its encoding in `_any` (what `__post_init__` runs for a dataclass subclass).
#[pyfunction]
fn tx_bind(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    guard(|| bind(obj, None))
}

/// The constructor of a generated class: checks and normalizes `arguments` (the field values in the
/// class's order), stores them in the new instance `obj` and, for a payload, its encoding in `_any`.
#[pyfunction]
fn tx_init(obj: &Bound<'_, PyAny>, arguments: &Bound<'_, PyTuple>) -> PyResult<()> {
    guard(|| bind(obj, Some(arguments)))
}

fn bind(obj: &Bound<'_, PyAny>, arguments: Option<&Bound<'_, PyTuple>>) -> PyResult<()> {
    let py = obj.py();
    let schema = schema_of_instance(obj)?;
    let root = Path::root(&schema.short_name);
    let mut changes = Vec::new();
    let message = {
        // A payload is an Any once encoded: it counts against the caps like a decoded one.
        let _unpacking = match schema.implements {
            Some(_) => Some(Unpacking::enter(&schema.type_url).map_err(to_py)?),
            None => None,
        };
        match arguments {
            Some(arguments) => message_from_arguments(arguments, schema, &root, &mut changes)?,
            None => message_from_py(obj, schema, &root, 0, Some(&mut changes))?,
        }
    };
    check::message(&message, &schema.short_name).map_err(to_py)?;
    for (field, value) in &changes {
        store(obj, field, value)?;
    }
    if schema.implements.is_some() {
        let encoded = wire::encode(&message).map_err(to_py)?;
        let any = PyTuple::new(
            py,
            [
                PyString::new(py, &schema.type_url).into_any(),
                PyBytes::new(py, &encoded).into_any(),
            ],
        )?;
        store(obj, "_any", &any)?;
    }
    Ok(())
}

/// Checks a RawMsg's type URL and stores its `_any` (and its value as bytes).
#[pyfunction]
fn tx_bind_raw(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    guard(|| {
        let py = obj.py();
        let type_url: String = obj.getattr("raw_type_url")?.extract()?;
        let given = obj.getattr("value")?;
        if given.is_instance_of::<PyString>() {
            return Err(to_py(Error::InvalidInput(format!(
                "RawMsg value must be bytes, got {}",
                given.repr()?
            ))));
        }
        // Any bytes-like value is kept as bytes (what `bytes(value)` makes of it).
        let bytes = match given.downcast::<PyBytes>() {
            Ok(bytes) => bytes.clone(),
            Err(_) => py
                .get_type::<PyBytes>()
                .call1((&given,))?
                .downcast_into::<PyBytes>()?,
        };
        RawAny {
            type_url: type_url.clone(),
            value: Vec::new(),
        }
        .validate("RawMsg")
        .map_err(to_py)?;
        store(obj, "value", &bytes)?;
        let any = PyTuple::new(
            py,
            [PyString::new(py, &type_url).into_any(), bytes.into_any()],
        )?;
        store(obj, "_any", &any)
    })
}

/// The JSON form of an instance of a generated class (a payload's with its `"@type"`).
#[pyfunction]
fn tx_to_json<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let py = obj.py();
        let schema = schema_of_instance(obj)?;
        let message = {
            let _unpacking = match schema.implements {
                Some(_) => Some(Unpacking::enter(&schema.type_url).map_err(to_py)?),
                None => None,
            };
            message_from_py(obj, schema, &Path::root(&schema.short_name), 0, None)?
        };
        let json = if schema.implements.is_some() {
            pythonize(py, &JsonAny(&AnyValue::Typed(message)))
        } else {
            pythonize(py, &JsonMessage(&message))
        };
        json.map_err(|e| to_py(Error::InvalidInput(format!("{}: {e}", schema.full_name))))
    })
}

/// A payload from its JSON form (`{"@type": ..., ...}`): an instance of its class, or a RawMsg for a type
/// that is not registered (or not what `interface` accepts) or given as `{"@type", "value"}`.
#[pyfunction]
#[pyo3(signature = (data, interface = None))]
fn tx_from_json<'py>(
    data: &Bound<'py, PyAny>,
    interface: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let any = read_any(&PyNode(data.clone()), interface).map_err(to_py)?;
        check::any(&any, &root_name(&any)).map_err(to_py)?;
        any_to_py(data.py(), &any)
    })
}

/// An instance of a generated class (`class`) from the JSON form of its message (no `"@type"`).
#[pyfunction]
fn tx_message_from_json<'py>(
    class: &Bound<'py, PyType>,
    data: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let schema =
            classes::schema_of_class(class)?.ok_or_else(|| not_a_message(class.as_any()))?;
        let root = Path::root(&schema.short_name);
        let message = read_message(&PyNode(data.clone()), schema, &root).map_err(to_py)?;
        check::message(&message, &schema.short_name).map_err(to_py)?;
        message_to_py(data.py(), class, &message)
    })
}

/// A transaction message from its Any (type URL and encoded payload).
#[pyfunction]
fn tx_decode_msg<'py>(
    py: Python<'py>,
    type_url: &str,
    value: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let any = wire::decode_any(type_url, value, Some(schema::MSG_INTERFACE)).map_err(to_py)?;
        check::any(&any, &root_name(&any)).map_err(to_py)?;
        any_to_py(py, &any)
    })
}

/// Checks and encodes one message given in JSON form; returns its type URL and payload.
#[pyfunction]
fn tx_encode_msg<'py>(
    py: Python<'py>,
    msg: &Bound<'py, PyAny>,
) -> PyResult<(String, Bound<'py, PyBytes>)> {
    guard(|| {
        let any = read_any(&PyNode(msg.clone()), None).map_err(to_py)?;
        check::any(&any, &root_name(&any)).map_err(to_py)?;
        let value = any.encode_value().map_err(to_py)?;
        Ok((any.type_url().to_string(), PyBytes::new(py, &value)))
    })
}

/// The number of an enum value given as a member, a number or a name (`"yes"`, `"VOTE_OPTION_YES"`, ...).
#[pyfunction]
fn tx_parse_enum(class: &Bound<'_, PyType>, value: &Bound<'_, PyAny>) -> PyResult<i32> {
    guard(|| {
        let e = classes::enum_schema_of(class)?;
        let number = if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
            value.extract::<i32>().ok()
        } else if let Ok(text) = value.downcast::<PyString>() {
            e.parse(text.to_str()?)
        } else {
            None
        };
        match number {
            Some(n) if e.value(n).is_some_and(|v| !v.unspecified) => Ok(n),
            _ => Err(to_py(e.unknown(value.repr()?))),
        }
    })
}

/// The name the chain writes for an enum value, e.g. `VOTE_OPTION_YES`.
#[pyfunction]
fn tx_enum_name(class: &Bound<'_, PyType>, number: i32) -> PyResult<String> {
    guard(|| {
        let e = classes::enum_schema_of(class)?;
        e.value(number)
            .map(|v| v.name.clone())
            .ok_or_else(|| to_py(e.unknown(number)))
    })
}

fn kind_name(field: &schema::Field) -> &'static str {
    match field.kind {
        Kind::Scalar(Scalar::String) if field.has(schema::Check::CosmosInt) => "int",
        Kind::Scalar(Scalar::String) => "string",
        Kind::Scalar(Scalar::Bytes) => "bytes",
        Kind::Scalar(Scalar::Bool) => "bool",
        Kind::Scalar(s) if s.is_float() => "float",
        Kind::Scalar(_) => "int",
        Kind::Enum(_) => "enum",
        Kind::Message(_) => "message",
        Kind::Any => "any",
        Kind::Coin => "coin",
        Kind::Timestamp => "timestamp",
    }
}

/// What the Python code generator needs of the messages that get a class (all registered messages, or
/// those named): names, docs and fields as the classes have them; and the enums they use.
#[pyfunction]
#[pyo3(signature = (full_names = None))]
fn tx_schema<'py>(
    py: Python<'py>,
    full_names: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let schemas: Vec<&'static MessageSchema> = match full_names {
            Some(names) => names
                .iter()
                .map(|n| {
                    schema::message(n)
                        .ok_or_else(|| to_py(Error::InvalidInput(format!("no message {n}"))))
                })
                .collect::<PyResult<_>>()?,
            None => schema::messages(),
        };
        let (messages, enums) = schema::exposed(&schemas);
        let out = PyDict::new(py);
        let message_list = PyList::empty(py);
        for m in messages {
            let entry = PyDict::new(py);
            entry.set_item("full_name", &m.full_name)?;
            entry.set_item("type_url", &m.type_url)?;
            entry.set_item("class_name", &m.class_name)?;
            entry.set_item("implements", m.implements.as_deref())?;
            entry.set_item("python_mixin", m.python_mixin.as_deref())?;
            entry.set_item("doc", &m.doc)?;
            let fields = PyList::empty(py);
            for f in m.python_fields() {
                let field = PyDict::new(py);
                field.set_item("name", f.name)?;
                field.set_item("kind", kind_name(f.field))?;
                let reference = match f.field.kind {
                    Kind::Enum(e) => Some(e.class_name.clone()),
                    Kind::Message(nested) => Some(nested.class_name.clone()),
                    Kind::Any => f.field.accepts.clone(),
                    _ => None,
                };
                field.set_item("ref", reference)?;
                field.set_item("repeated", f.field.repeated)?;
                field.set_item("required", f.field.required)?;
                field.set_item("doc", &f.field.doc)?;
                fields.append(field)?;
            }
            entry.set_item("fields", fields)?;
            message_list.append(entry)?;
        }
        out.set_item("messages", message_list)?;
        let enum_list = PyList::empty(py);
        for e in enums {
            let entry = PyDict::new(py);
            entry.set_item("full_name", &e.full_name)?;
            entry.set_item("class_name", &e.class_name)?;
            entry.set_item("doc", &e.doc)?;
            let members: Vec<(String, i32)> = e
                .settable()
                .map(|v| (v.short_name.clone(), v.number))
                .collect();
            entry.set_item("members", members)?;
            enum_list.append(entry)?;
        }
        out.set_item("enums", enum_list)?;
        Ok(out)
    })
}

/// Registers the messages of an encoded FileDescriptorSet (files already known are skipped); returns
/// their full names. Their classes come from the code generator (`gonka._codegen`).
#[pyfunction]
fn tx_register_descriptors(data: &[u8]) -> PyResult<Vec<String>> {
    guard(|| {
        let added = schema::register(data).map_err(to_py)?;
        Ok(added.iter().map(|s| s.full_name.clone()).collect())
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tx_bind, m)?)?;
    m.add_function(wrap_pyfunction!(tx_init, m)?)?;
    m.add_function(wrap_pyfunction!(tx_bind_raw, m)?)?;
    m.add_function(wrap_pyfunction!(tx_to_json, m)?)?;
    m.add_function(wrap_pyfunction!(tx_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(tx_message_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(tx_decode_msg, m)?)?;
    m.add_function(wrap_pyfunction!(tx_encode_msg, m)?)?;
    m.add_function(wrap_pyfunction!(tx_parse_enum, m)?)?;
    m.add_function(wrap_pyfunction!(tx_enum_name, m)?)?;
    m.add_function(wrap_pyfunction!(tx_schema, m)?)?;
    m.add_function(wrap_pyfunction!(tx_register_descriptors, m)?)?;
    Ok(())
}
