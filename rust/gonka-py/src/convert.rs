//! Reading the fields of a generated class's instance into a schema value, normalizing what a constructor
//! was given (lists to tuples, "yes" to VoteOption.YES, "0.1" to the LegacyDec's 18 digits).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple,
};

use gonka_core::Error;
use gonka_tx::any::{RawAny, Unpacking};
use gonka_tx::schema::{Check, Field, Kind, MessageSchema, Scalar, MAX_NESTING};
use gonka_tx::value::json::shorten;
use gonka_tx::value::{AnyValue, Message, Path, Value};
use gonka_tx::Timestamp;

use crate::classes::{self, field_name, name, schema_of, Role};
use crate::coin::PyCoin;
use crate::errors::to_py;

fn invalid(what: String) -> PyErr {
    to_py(Error::InvalidInput(what))
}

fn repr(value: &Bound<'_, PyAny>) -> String {
    value
        .repr()
        .map(|r| shorten(r.to_string()))
        .unwrap_or_else(|_| "<unprintable>".into())
}

/// A replacement for the attribute a constructor was given, and the field it goes to.
pub type Change<'py> = (&'static str, Bound<'py, PyAny>);

/// Reads a message from the fields of `obj` (an instance of the class of `schema`). With `changes`, the
/// normalized values that differ from the given ones are collected for the caller to store.
pub fn message_from_py<'py>(
    obj: &Bound<'py, PyAny>,
    schema: &'static MessageSchema,
    path: &Path<'_>,
    depth: usize,
    changes: Option<&mut Vec<Change<'py>>>,
) -> PyResult<Message> {
    let py = obj.py();
    read_fields(
        schema,
        path,
        depth,
        |_, field| obj.getattr(field_name(py, field)),
        changes.map(|c| (c, false)),
    )
}

/// Reads a message from a constructor's arguments (`arguments`, in the class's field order) and collects
/// the value of every field, normalized, for the caller to store.
pub fn message_from_arguments<'py>(
    arguments: &Bound<'py, PyTuple>,
    schema: &'static MessageSchema,
    path: &Path<'_>,
    changes: &mut Vec<Change<'py>>,
) -> PyResult<Message> {
    let expected = schema.python_fields().len();
    if arguments.len() != expected {
        return Err(invalid(format!(
            "{path}: expected {expected} field values, got {}",
            arguments.len()
        )));
    }
    read_fields(
        schema,
        path,
        0,
        |i, _| arguments.get_item(i),
        Some((changes, true)),
    )
}

/// The fields of a message, each read by `given` (by position and name in the class's field order).
/// `changes` collects the normalized values that differ from the given ones, or with its flag set every
/// field's value.
fn read_fields<'py>(
    schema: &'static MessageSchema,
    path: &Path<'_>,
    depth: usize,
    given: impl Fn(usize, &'static str) -> PyResult<Bound<'py, PyAny>>,
    mut changes: Option<(&mut Vec<Change<'py>>, bool)>,
) -> PyResult<Message> {
    if depth > MAX_NESTING {
        return Err(invalid(format!(
            "{path}: messages nest deeper than {MAX_NESTING} levels"
        )));
    }
    let mut message = Message::new(schema);
    // Flattened fields are required messages: they exist before their own fields are set.
    for (i, field) in schema.fields().iter().enumerate() {
        if let (Kind::Message(nested), true) = (field.kind, field.flatten) {
            message.fields_mut()[i] = Value::Message(Box::new(Message::new(nested)));
        }
    }
    for (i, py_field) in schema.python_fields().iter().enumerate() {
        let given = given(i, py_field.name)?;
        let at = path.field(py_field.name);
        let (value, replacement) = field_from_py(py_field.field, &given, &at, depth)?;
        match (changes.as_mut(), replacement) {
            (Some((changes, _)), Some(replacement)) => changes.push((py_field.name, replacement)),
            (Some((changes, true)), None) => changes.push((py_field.name, given)),
            _ => {}
        }
        set_at(&mut message, &py_field.path, value);
    }
    Ok(message)
}

fn set_at(message: &mut Message, path: &[usize], value: Value) {
    let Some((last, outer)) = path.split_last() else {
        return;
    };
    let mut target = message;
    for &i in outer {
        match &mut target.fields_mut()[i] {
            Value::Message(m) => target = m,
            _ => return,
        }
    }
    target.fields_mut()[*last] = value;
}

type Converted<'py> = (Value, Option<Bound<'py, PyAny>>);

fn field_from_py<'py>(
    field: &'static Field,
    given: &Bound<'py, PyAny>,
    path: &Path<'_>,
    depth: usize,
) -> PyResult<Converted<'py>> {
    if !field.repeated {
        return element_from_py(field, given, path, depth);
    }
    let py = given.py();
    let (items, was_tuple) = if let Ok(tuple) = given.downcast::<PyTuple>() {
        (tuple.iter().collect::<Vec<_>>(), true)
    } else if let Ok(list) = given.downcast::<PyList>() {
        (list.iter().collect(), false)
    } else if given.is_instance_of::<PyString>()
        || given.is_instance_of::<PyBytes>()
        || given.is_instance_of::<PyDict>()
        || given.downcast::<PySequence>().is_err()
    {
        return Err(invalid(format!(
            "{path}: expected a sequence, got {}",
            repr(given)
        )));
    } else {
        (given.try_iter()?.collect::<PyResult<Vec<_>>>()?, false)
    };
    let mut values = Vec::with_capacity(items.len());
    let mut normalized = Vec::with_capacity(items.len());
    let mut changed = !was_tuple;
    for (i, item) in items.into_iter().enumerate() {
        let (value, replacement) = element_from_py(field, &item, &path.index(i), depth)?;
        values.push(value);
        changed |= replacement.is_some();
        normalized.push(replacement.unwrap_or(item));
    }
    let replacement = if changed {
        Some(PyTuple::new(py, normalized)?.into_any())
    } else {
        None
    };
    Ok((Value::List(values), replacement))
}

fn element_from_py<'py>(
    field: &'static Field,
    given: &Bound<'py, PyAny>,
    path: &Path<'_>,
    depth: usize,
) -> PyResult<Converted<'py>> {
    let py = given.py();
    if !field.required && given.is_none() {
        match field.kind {
            Kind::Message(_) | Kind::Any | Kind::Timestamp | Kind::Coin => {
                return Ok((Value::Null, None))
            }
            // An optional enum left unset is its zero value.
            Kind::Enum(_) => return Ok((Value::Enum(0), None)),
            Kind::Scalar(_) => {}
        }
    }
    let expected = |what: &str| invalid(format!("{path} must be {what}, got {}", repr(given)));
    match field.kind {
        Kind::Scalar(Scalar::String) if field.has(Check::CosmosInt) => {
            // A cosmos.Int is a Python int (of any size) and decimal text elsewhere.
            if !given.is_instance_of::<PyInt>() || given.is_instance_of::<PyBool>() {
                return Err(expected("an int"));
            }
            Ok((Value::String(given.str()?.to_str()?.to_owned()), None))
        }
        Kind::Scalar(Scalar::String) => {
            let text = given
                .downcast::<PyString>()
                .map_err(|_| expected("a str"))?
                .to_str()?;
            if field.has(Check::LegacyDec) {
                let canonical = gonka_tx::dec::normalize(&path.to_string(), text).map_err(to_py)?;
                let replacement =
                    (canonical != text).then(|| PyString::new(py, &canonical).into_any());
                return Ok((Value::String(canonical), replacement));
            }
            Ok((Value::String(text.to_owned()), None))
        }
        Kind::Scalar(Scalar::Bytes) => {
            if let Ok(bytes) = given.downcast::<PyBytes>() {
                return Ok((Value::Bytes(bytes.as_bytes().to_vec()), None));
            }
            if let Ok(array) = given.downcast::<PyByteArray>() {
                let data = array.to_vec();
                let replacement = PyBytes::new(py, &data).into_any();
                return Ok((Value::Bytes(data), Some(replacement)));
            }
            Err(expected("bytes"))
        }
        Kind::Scalar(Scalar::Bool) => {
            let flag = given.downcast::<PyBool>().map_err(|_| expected("a bool"))?;
            Ok((Value::Bool(flag.is_true()), None))
        }
        Kind::Scalar(s) if s.is_float() => {
            if given.is_instance_of::<PyFloat>() {
                return Ok((Value::F64(given.extract()?), None));
            }
            if given.is_instance_of::<PyInt>() && !given.is_instance_of::<PyBool>() {
                let number: f64 = given.extract()?;
                return Ok((
                    Value::F64(number),
                    Some(PyFloat::new(py, number).into_any()),
                ));
            }
            Err(expected("a number"))
        }
        Kind::Scalar(s) => {
            if !given.is_instance_of::<PyInt>() || given.is_instance_of::<PyBool>() {
                return Err(expected(&format!("a {} int", s.proto_name())));
            }
            let out_of_range = || expected(&format!("a {} int", s.proto_name()));
            let value = if s.is_unsigned_int() {
                Value::U64(given.extract::<u64>().map_err(|_| out_of_range())?)
            } else {
                Value::I64(given.extract::<i64>().map_err(|_| out_of_range())?)
            };
            Ok((value, None))
        }
        Kind::Enum(e) => {
            let number = if given.is_instance_of::<PyInt>() && !given.is_instance_of::<PyBool>() {
                given.extract::<i32>().ok()
            } else if let Ok(text) = given.downcast::<PyString>() {
                e.parse(text.to_str()?)
            } else {
                None
            };
            let number = match number {
                Some(n) if e.value(n).is_some_and(|v| !v.unspecified) => n,
                _ => return Err(to_py(e.unknown(repr(given)))),
            };
            let replacement =
                classes::enum_member(py, e, number).filter(|member| !member.is(given));
            Ok((Value::Enum(number), replacement))
        }
        Kind::Coin => match given.downcast::<PyCoin>() {
            Ok(coin) => Ok((Value::Coin(coin.get().coin().clone()), None)),
            Err(_) => Err(expected("a Coin")),
        },
        Kind::Timestamp => {
            let class = classes::role(py, Role::Timestamp)?;
            let (ts, replacement) = if given.is_instance(&class)? {
                (given.clone(), None)
            } else {
                let coerced = class.call_method1(name(py, "coerce"), (given,))?;
                (coerced.clone(), Some(coerced))
            };
            let value = Timestamp {
                seconds: ts.getattr(name(py, "seconds"))?.extract()?,
                nanos: ts.getattr(name(py, "nanos"))?.extract()?,
            };
            Ok((Value::Timestamp(value), replacement))
        }
        Kind::Message(nested) => {
            let class = classes::message_class(py, nested).ok_or_else(|| {
                invalid(format!(
                    "{} has no Python class: import gonka.tx first",
                    nested.full_name
                ))
            })?;
            if !given.is_instance(&class)? {
                return Err(expected(&format!("a {}", nested.class_name)));
            }
            Ok((
                Value::Message(Box::new(message_from_py(
                    given,
                    nested,
                    path,
                    depth + 1,
                    None,
                )?)),
                None,
            ))
        }
        Kind::Any => Ok((
            Value::Any(Box::new(any_from_py(
                given,
                field.accepts.as_deref(),
                path,
                depth,
            )?)),
            None,
        )),
    }
}

/// What an Any field holds: a payload object (typed) or a RawMsg (its bytes); counts against the Any caps.
pub fn any_from_py(
    given: &Bound<'_, PyAny>,
    accepts: Option<&str>,
    path: &Path<'_>,
    depth: usize,
) -> PyResult<AnyValue> {
    let py = given.py();
    if given.is_instance(classes::role(py, Role::RawMsg)?.as_any())? {
        let (type_url, value) = encoded_any(given)?;
        let _unpacking = Unpacking::enter(&type_url).map_err(to_py)?;
        return Ok(AnyValue::Raw(RawAny { type_url, value }));
    }
    let wanted = accepts.unwrap_or("gonka.tx payload");
    let schema = match schema_of(given)? {
        Some(schema) if given.is_instance(classes::role(py, Role::AnyPayload)?.as_any())? => schema,
        _ => {
            return Err(invalid(format!(
                "{path} must be a {wanted}, got {}",
                repr(given)
            )))
        }
    };
    if !schema.fits(accepts) {
        return Err(invalid(format!(
            "{path} must be a {wanted}, got a {}",
            schema.class_name
        )));
    }
    let _unpacking = Unpacking::enter(&schema.type_url).map_err(to_py)?;
    Ok(AnyValue::Typed(message_from_py(
        given,
        schema,
        path,
        depth + 1,
        None,
    )?))
}

/// The `_any` of a payload object: its type URL and encoded value.
pub fn encoded_any(payload: &Bound<'_, PyAny>) -> PyResult<(String, Vec<u8>)> {
    // Bytes are copied whole: extracting a Vec<u8> would go through Python's sequence protocol byte by byte.
    let (type_url, value): (String, Bound<'_, PyBytes>) =
        payload.getattr(name(payload.py(), "_any"))?.extract()?;
    Ok((type_url, value.as_bytes().to_vec()))
}

/// The error for an object that is not a generated message.
pub fn not_a_message(obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "{} is not a gonka.tx message class",
        repr(&obj.get_type().into_any())
    ))
}
