//! Bindings of the transaction envelope: body / auth info / sign doc / TxRaw bytes, SIGN_MODE_DIRECT
//! signing, hashing and the JSON form (decoding is `decoded`'s). Messages arrive as instances of the
//! generated classes, already checked and encoded.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyTuple};
use pythonize::depythonize;

use gonka_core::secp256k1::check_signature_shape;
use gonka_core::Error;
use gonka_tx::tx::{check_unordered, Tx};
use gonka_tx::{AuthInfo, Fee, Msg, RawAny, SignerInfo, Timestamp, TxBody};

use crate::classes::{self, Role};
use crate::coin::coins_of;
use crate::convert::encoded_any;
use crate::errors::{guard, guard_core, to_py};
use crate::keys::PyPrivateKey;

pub fn bad_json(what: &str, err: impl std::fmt::Display) -> PyErr {
    to_py(Error::InvalidInput(format!("{what}: {err}")))
}

/// Deepest JSON the bindings take from Python objects (serde_json's cap on JSON text): converting
/// recurses once per level, so a deeper (or self-containing) object could overflow the stack.
const MAX_JSON_DEPTH: usize = 128;

/// Rejects containers nested deeper than [`MAX_JSON_DEPTH`]; walks the object without recursion.
fn check_json_depth(root: &Bound<'_, PyAny>, what: &str) -> PyResult<()> {
    let mut stack = vec![(root.clone(), 1usize)];
    while let Some((obj, depth)) = stack.pop() {
        let children: Vec<Bound<'_, PyAny>> = if let Ok(dict) = obj.downcast::<PyDict>() {
            dict.values().iter().collect()
        } else if let Ok(list) = obj.downcast::<PyList>() {
            list.iter().collect()
        } else if let Ok(tuple) = obj.downcast::<PyTuple>() {
            tuple.iter().collect()
        } else {
            continue;
        };
        if children.is_empty() {
            continue;
        }
        if depth >= MAX_JSON_DEPTH {
            return Err(bad_json(
                what,
                format!("nested deeper than {MAX_JSON_DEPTH} levels"),
            ));
        }
        stack.extend(children.into_iter().map(|child| (child, depth + 1)));
    }
    Ok(())
}

/// A u64 argument: an int in `0..2**64` (not a bool), or an error naming it.
pub fn u64_arg(name: &str, value: &Bound<'_, PyAny>) -> PyResult<u64> {
    let number = if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        value.extract::<u64>().ok()
    } else {
        None
    };
    number.ok_or_else(|| {
        let shown = value.repr().map(|r| r.to_string()).unwrap_or_default();
        to_py(Error::InvalidInput(format!(
            "{name} must be an unsigned 64-bit int, got {shown}"
        )))
    })
}

fn timestamp(timeout: Option<(i64, i32)>) -> gonka_core::Result<Option<Timestamp>> {
    timeout.map(|(s, n)| Timestamp::new(s, n)).transpose()
}

/// The encoded Anys of a transaction's messages (instances of `gonka.tx.Msg`).
fn message_anys(messages: &Bound<'_, PyAny>) -> PyResult<Vec<Msg>> {
    let py = messages.py();
    let msg_class = classes::role(py, Role::Msg)?;
    let mut anys = Vec::new();
    for (i, item) in messages.try_iter()?.enumerate() {
        let item = item?;
        if !item.is_instance(&msg_class)? {
            return Err(to_py(Error::InvalidInput(format!(
                "messages[{i}] is not a gonka.tx message: {}",
                item.repr()?
            ))));
        }
        let (type_url, value) = encoded_any(&item)?;
        anys.push(Msg::Other(RawAny { type_url, value }));
    }
    Ok(anys)
}

/// TxBody bytes from the messages, after checking the fee (coins, gas limit, payer, granter) the
/// transaction will carry, so a bad fee fails before signing.
#[pyfunction]
#[pyo3(signature = (messages, memo, timeout_height, unordered, timeout, fee, gas_limit, payer, granter))]
#[allow(clippy::too_many_arguments)]
fn tx_encode_body<'py>(
    py: Python<'py>,
    messages: &Bound<'py, PyAny>,
    memo: String,
    timeout_height: &Bound<'py, PyAny>,
    unordered: bool,
    timeout: Option<(i64, i32)>,
    fee: &Bound<'py, PyAny>,
    gas_limit: &Bound<'py, PyAny>,
    payer: String,
    granter: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let (messages, fee, timeout_height) = guard(|| {
        u64_arg("gas_limit", gas_limit)?;
        Ok((
            message_anys(messages)?,
            coins_of("fee", fee)?,
            u64_arg("timeout_height", timeout_height)?,
        ))
    })?;
    guard_core(|| {
        let body = TxBody {
            messages,
            memo,
            timeout_height,
            unordered,
            timeout_timestamp: timestamp(timeout)?,
            ..TxBody::default()
        };
        let bytes = body.encode()?;
        Fee {
            amount: fee,
            gas_limit: 0,
            payer,
            granter,
        }
        .validate()?;
        Ok(bytes)
    })
    .map(|bytes| PyBytes::new(py, &bytes))
}

/// AuthInfo bytes for one SIGN_MODE_DIRECT signer with a compressed secp256k1 key.
#[pyfunction]
#[pyo3(signature = (public_key, sequence, fee, gas_limit, payer, granter))]
fn tx_encode_auth_info<'py>(
    py: Python<'py>,
    public_key: &[u8],
    sequence: &Bound<'py, PyAny>,
    fee: &Bound<'py, PyAny>,
    gas_limit: &Bound<'py, PyAny>,
    payer: String,
    granter: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let (sequence, fee, gas_limit) = guard(|| {
        Ok((
            u64_arg("sequence", sequence)?,
            coins_of("fee", fee)?,
            u64_arg("gas_limit", gas_limit)?,
        ))
    })?;
    guard_core(|| {
        AuthInfo {
            signer_infos: vec![SignerInfo::direct(public_key, sequence)],
            fee: Fee {
                amount: fee,
                gas_limit,
                payer,
                granter,
            },
        }
        .encode()
    })
    .map(|bytes| PyBytes::new(py, &bytes))
}

fn check_chain_id(chain_id: &str) -> gonka_core::Result<()> {
    if chain_id.is_empty() {
        return Err(Error::InvalidInput("chain_id must not be empty".into()));
    }
    Ok(())
}

/// The SIGN_MODE_DIRECT sign bytes.
#[pyfunction]
fn tx_sign_doc<'py>(
    py: Python<'py>,
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let account_number = guard(|| u64_arg("account_number", account_number))?;
    guard_core(|| {
        check_chain_id(chain_id)?;
        Ok(gonka_tx::sign_doc(
            body_bytes,
            auth_info_bytes,
            chain_id,
            account_number,
        ))
    })
    .map(|bytes| PyBytes::new(py, &bytes))
}

/// TxRaw bytes from the signed bytes and 64-byte signatures.
#[pyfunction]
fn tx_raw<'py>(
    py: Python<'py>,
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    signatures: Vec<Bound<'py, PyBytes>>,
) -> PyResult<Bound<'py, PyBytes>> {
    // Copied whole: a Vec<u8> argument would be read through the sequence protocol byte by byte.
    let signatures: Vec<Vec<u8>> = signatures.iter().map(|s| s.as_bytes().to_vec()).collect();
    guard_core(|| {
        signatures
            .iter()
            .try_for_each(|s| check_signature_shape(s))?;
        Ok(gonka_tx::tx_raw(body_bytes, auth_info_bytes, &signatures))
    })
    .map(|bytes| PyBytes::new(py, &bytes))
}

/// Builds the AuthInfo for `private_key`, signs (SIGN_MODE_DIRECT) and returns the TxRaw bytes:
/// one call, without the GIL, for the whole signing path.
#[pyfunction]
#[pyo3(signature = (body_bytes, fee, gas_limit, payer, granter, sequence, chain_id, account_number, private_key))]
#[allow(clippy::too_many_arguments)]
fn tx_sign<'py>(
    py: Python<'py>,
    body_bytes: &[u8],
    fee: &Bound<'py, PyAny>,
    gas_limit: u64,
    payer: String,
    granter: String,
    sequence: &Bound<'py, PyAny>,
    chain_id: &str,
    account_number: &Bound<'py, PyAny>,
    private_key: PyRef<'py, PyPrivateKey>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (fee, sequence, account_number) = guard(|| {
        Ok((
            coins_of("fee", fee)?,
            u64_arg("sequence", sequence)?,
            u64_arg("account_number", account_number)?,
        ))
    })?;
    let key = private_key.key();
    let raw = py.allow_threads(|| {
        guard_core(|| {
            let auth = AuthInfo {
                signer_infos: vec![SignerInfo::direct(&key.public_key().compressed(), sequence)],
                fee: Fee {
                    amount: fee,
                    gas_limit,
                    payer,
                    granter,
                },
            };
            gonka_tx::sign_direct(body_bytes, &auth.encode()?, chain_id, account_number, key)
        })
    })?;
    Ok(PyBytes::new(py, &raw))
}

/// Checks an unordered transaction against the local clock (`now_ns`, Unix nanoseconds).
#[pyfunction]
#[pyo3(signature = (unordered, timeout, timeout_height, sequence, now_ns))]
fn tx_check_unordered(
    unordered: bool,
    timeout: Option<(i64, i32)>,
    timeout_height: u64,
    sequence: &Bound<'_, PyAny>,
    now_ns: i128,
) -> PyResult<()> {
    let sequence = guard(|| u64_arg("sequence", sequence))?;
    guard_core(|| {
        let now = Timestamp::from_unix_nanos(now_ns)?;
        check_unordered(
            unordered,
            timestamp(timeout)?,
            timeout_height,
            sequence,
            now,
        )
    })
}

/// RFC 3339 UTC text of a timestamp (0, 3, 6 or 9 fraction digits, as the chain writes it).
#[pyfunction]
fn tx_format_timestamp(seconds: i64, nanos: i32) -> PyResult<String> {
    guard_core(|| Ok(Timestamp::new(seconds, nanos)?.to_string()))
}

/// `(seconds, nanos)` of RFC 3339 text.
#[pyfunction]
fn tx_parse_timestamp(text: &str) -> PyResult<(i64, i32)> {
    guard_core(|| Timestamp::parse_rfc3339(text).map(|t| (t.seconds, t.nanos)))
}

/// Upper-case hex SHA-256 of the TxRaw bytes, as CometBFT shows it.
#[pyfunction]
fn tx_hash(raw: &[u8]) -> PyResult<String> {
    guard(|| Ok(gonka_tx::tx_hash(raw)))
}

/// Encodes a transaction given in JSON form (body, auth_info, signatures) into TxRaw bytes.
#[pyfunction]
fn tx_encode_json<'py>(py: Python<'py>, tx: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        check_json_depth(tx.as_any(), "transaction")?;
        let tx: Tx = depythonize(tx.as_any()).map_err(|e| bad_json("transaction", e))?;
        let raw = tx.to_raw().map_err(to_py)?;
        Ok(PyBytes::new(py, &raw))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("TX_MAX_ANY_DEPTH", gonka_tx::MAX_ANY_DEPTH)?;
    m.add_function(wrap_pyfunction!(tx_encode_body, m)?)?;
    m.add_function(wrap_pyfunction!(tx_encode_auth_info, m)?)?;
    m.add_function(wrap_pyfunction!(tx_sign_doc, m)?)?;
    m.add_function(wrap_pyfunction!(tx_raw, m)?)?;
    m.add_function(wrap_pyfunction!(tx_sign, m)?)?;
    m.add_function(wrap_pyfunction!(tx_check_unordered, m)?)?;
    m.add_function(wrap_pyfunction!(tx_format_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(tx_parse_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(tx_hash, m)?)?;
    m.add_function(wrap_pyfunction!(tx_encode_json, m)?)?;
    Ok(())
}
