//! Making instances of the generated classes from decoded or parsed values without running their
//! constructors (the values are already checked), and storing attributes of frozen instances.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString, PyTuple, PyType};

use gonka_tx::schema::{Check, Field, Kind};
use gonka_tx::value::{wire, AnyValue, Message, Value};
use gonka_tx::{Coin, Timestamp};

use crate::classes::{self, field_name, Role};
use crate::errors::to_py;

fn invalid(what: String) -> PyErr {
    to_py(gonka_core::Error::InvalidInput(what))
}

/// Stores an attribute of a frozen instance (what a dataclass's own `__init__` does).
pub fn store(
    obj: &Bound<'_, PyAny>,
    attribute: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let key = field_name(obj.py(), attribute);
    // SAFETY: the three pointers are live references held by the caller.
    let status =
        unsafe { ffi::PyObject_GenericSetAttr(obj.as_ptr(), key.as_ptr(), value.as_ptr()) };
    if status < 0 {
        return Err(PyErr::fetch(obj.py()));
    }
    Ok(())
}

/// A new instance of `class` without running its `__init__` (as `object.__new__(class)`).
fn blank<'py>(class: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
    let py = class.py();
    let args = PyTuple::empty(py);
    // SAFETY: `class` is a live type object; PyType_GenericNew returns a new reference or NULL with an
    // exception set.
    unsafe {
        let obj =
            ffi::PyType_GenericNew(class.as_ptr().cast(), args.as_ptr(), std::ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, obj)
    }
}

/// The `_any` attribute of a payload: its type URL and encoded value.
fn any_attribute<'py>(
    py: Python<'py>,
    type_url: &str,
    value: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyTuple::new(
        py,
        [
            PyString::new(py, type_url).into_any(),
            PyBytes::new(py, value).into_any(),
        ],
    )?
    .into_any())
}

/// The Python object of an Any: an instance of the payload's class, or a RawMsg.
pub fn any_to_py<'py>(py: Python<'py>, any: &AnyValue) -> PyResult<Bound<'py, PyAny>> {
    match any {
        AnyValue::Typed(message) => match classes::message_class(py, message.schema()) {
            Some(class) => message_to_py(py, &class, message),
            None => raw_to_py(
                py,
                &message.schema().type_url,
                &wire::encode(message).map_err(to_py)?,
            ),
        },
        AnyValue::Raw(raw) => raw_to_py(py, &raw.type_url, &raw.value),
    }
}

fn raw_to_py<'py>(py: Python<'py>, type_url: &str, value: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let obj = blank(&classes::role(py, Role::RawMsg)?)?;
    store(&obj, "raw_type_url", &PyString::new(py, type_url))?;
    store(&obj, "value", &PyBytes::new(py, value))?;
    store(&obj, "_any", &any_attribute(py, type_url, value)?)?;
    Ok(obj)
}

/// An instance of `class` (the class of the message's schema) holding the message's values.
pub fn message_to_py<'py>(
    py: Python<'py>,
    class: &Bound<'py, PyType>,
    message: &Message,
) -> PyResult<Bound<'py, PyAny>> {
    let schema = message.schema();
    let obj = blank(class)?;
    for py_field in schema.python_fields() {
        let value = message.at(&py_field.path).unwrap_or(&Value::Null);
        store(
            &obj,
            py_field.name,
            &field_to_py(py, py_field.field, value)?,
        )?;
    }
    if schema.implements.is_some() {
        let encoded = wire::encode(message).map_err(to_py)?;
        store(
            &obj,
            "_any",
            &any_attribute(py, &schema.type_url, &encoded)?,
        )?;
    }
    Ok(obj)
}

fn field_to_py<'py>(
    py: Python<'py>,
    field: &'static Field,
    value: &Value,
) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::List(items) => {
            let objects = items
                .iter()
                .map(|v| value_to_py(py, field, v))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyTuple::new(py, objects)?.into_any())
        }
        value => value_to_py(py, field, value),
    }
}

fn value_to_py<'py>(
    py: Python<'py>,
    field: &'static Field,
    value: &Value,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::I64(v) => v.into_pyobject(py)?.into_any(),
        Value::U64(v) => v.into_pyobject(py)?.into_any(),
        Value::F64(v) => PyFloat::new(py, *v).into_any(),
        Value::Enum(0) if !field.required && !field.repeated => py.None().into_bound(py),
        Value::Enum(n) => match field.kind {
            Kind::Enum(e) => match classes::enum_member(py, e, *n) {
                Some(member) => member,
                None => n.into_pyobject(py)?.into_any(),
            },
            _ => n.into_pyobject(py)?.into_any(),
        },
        Value::String(text) if field.has(Check::CosmosInt) => {
            py.get_type::<PyInt>().call1((text.as_str(),))?
        }
        Value::String(text) => PyString::new(py, text).into_any(),
        Value::Bytes(bytes) => PyBytes::new(py, bytes).into_any(),
        Value::Coin(coin) => coin_to_py(py, coin)?,
        Value::Timestamp(ts) => timestamp_to_py(py, *ts)?,
        Value::Message(message) => {
            let class = classes::message_class(py, message.schema()).ok_or_else(|| {
                invalid(format!(
                    "{} has no Python class: import gonka.tx first",
                    message.schema().full_name
                ))
            })?;
            message_to_py(py, &class, message)?
        }
        Value::Any(any) => any_to_py(py, any)?,
        Value::List(items) => {
            let objects = items
                .iter()
                .map(|v| value_to_py(py, field, v))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, objects)?.into_any()
        }
    })
}

/// A `gonka.tx.Coin`; its amount is the exact Python int of the decimal text (up to 2^256).
pub fn coin_to_py<'py>(py: Python<'py>, coin: &Coin) -> PyResult<Bound<'py, PyAny>> {
    let amount = match coin.amount.parse::<u64>() {
        Ok(small) => small.into_pyobject(py)?.into_any(),
        Err(_) => py.get_type::<PyInt>().call1((coin.amount.as_str(),))?,
    };
    classes::role(py, Role::Coin)?.call1((coin.denom.as_str(), amount))
}

/// A `gonka.tx.Timestamp` (its range was checked with the message).
pub fn timestamp_to_py(py: Python<'_>, ts: Timestamp) -> PyResult<Bound<'_, PyAny>> {
    let obj = blank(&classes::role(py, Role::Timestamp)?)?;
    store(&obj, "seconds", &ts.seconds.into_pyobject(py)?.into_any())?;
    store(&obj, "nanos", &ts.nanos.into_pyobject(py)?.into_any())?;
    Ok(obj)
}
