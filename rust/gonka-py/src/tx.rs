//! Bindings of the tx primitives: message encoding, body / auth info / sign doc / TxRaw bytes,
//! SIGN_MODE_DIRECT signing, hashing, decoding and verification. Messages cross the boundary in
//! the chain's JSON form (dicts with `"@type"`), bytes as `bytes`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use pythonize::{depythonize, pythonize, Depythonizer};

use gonka_core::secp256k1::check_signature_shape;
use gonka_core::Error;
use gonka_tx::msg::MsgSend;
use gonka_tx::tx::{check_unordered, Tx};
use gonka_tx::{AuthInfo, Fee, Msg, RawAny, SignerInfo, Timestamp, TxBody};

use crate::coin::coins_of;
use crate::errors::{guard, guard_core, to_py};
use crate::keys::PyPrivateKey;

fn bad_json(what: &str, err: impl std::fmt::Display) -> PyErr {
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

fn timestamp(timeout: Option<(i64, i32)>) -> gonka_core::Result<Option<Timestamp>> {
    timeout.map(|(s, n)| Timestamp::new(s, n)).transpose()
}

/// Validates and encodes one message given in JSON form; returns its type URL and payload.
#[pyfunction]
fn tx_encode_msg<'py>(
    py: Python<'py>,
    msg: &Bound<'py, PyDict>,
) -> PyResult<(String, Bound<'py, PyBytes>)> {
    guard(|| {
        let type_url: String = match msg.get_item("@type")? {
            Some(value) => value.extract()?,
            None => return Err(bad_json("message", "a JSON message needs a \"@type\"")),
        };
        check_json_depth(msg.as_any(), &type_url)?;
        let mut fields = Depythonizer::from_object(msg.as_any());
        let msg =
            Msg::deserialize_typed(&type_url, &mut fields).map_err(|e| bad_json(&type_url, e))?;
        let name = type_url.rsplit('.').next().unwrap_or("message");
        let (type_url, value) = msg.encode_any(name).map_err(to_py)?;
        Ok((type_url, PyBytes::new(py, &value)))
    })
}

/// Decodes one message payload into its JSON form (unknown types: `{"@type", "value"}`).
#[pyfunction]
fn tx_decode_msg<'py>(
    py: Python<'py>,
    type_url: &str,
    value: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let msg = Msg::decode_any(type_url, value).map_err(to_py)?;
        pythonize(py, &msg).map_err(|e| bad_json(type_url, e))
    })
}

/// The typed fast path of the commonest message: a MsgSend straight from its fields, without the
/// JSON round trip of `tx_encode_msg` (same checks, same errors, same bytes).
#[pyfunction]
fn tx_encode_msg_send<'py>(
    py: Python<'py>,
    from_address: String,
    to_address: String,
    amount: &Bound<'py, PyAny>,
) -> PyResult<(String, Bound<'py, PyBytes>)> {
    let amount = guard(|| coins_of("amount", amount))?;
    guard_core(|| {
        Msg::Send(MsgSend {
            from_address,
            to_address,
            amount,
        })
        .encode_any("MsgSend")
    })
    .map(|(type_url, value)| (type_url, PyBytes::new(py, &value)))
}

/// TxBody bytes from already encoded messages `(type_url, payload)`, after checking the fee
/// (coins, payer, granter) the transaction will carry, so a bad fee fails before signing.
#[pyfunction]
#[pyo3(signature = (messages, memo, timeout_height, unordered, timeout, fee, payer, granter))]
#[allow(clippy::too_many_arguments)]
fn tx_encode_body<'py>(
    py: Python<'py>,
    messages: Vec<(String, Bound<'py, PyBytes>)>,
    memo: String,
    timeout_height: u64,
    unordered: bool,
    timeout: Option<(i64, i32)>,
    fee: &Bound<'py, PyAny>,
    payer: String,
    granter: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let fee = guard(|| coins_of("fee", fee))?;
    guard_core(|| {
        let body = TxBody {
            messages: messages
                .iter()
                .map(|(type_url, value)| {
                    Msg::Other(RawAny {
                        type_url: type_url.clone(),
                        value: value.as_bytes().to_vec(),
                    })
                })
                .collect(),
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
    sequence: u64,
    fee: &Bound<'py, PyAny>,
    gas_limit: u64,
    payer: String,
    granter: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let fee = guard(|| coins_of("fee", fee))?;
    guard_core(|| {
        let auth = AuthInfo {
            signer_infos: vec![SignerInfo::direct(public_key, sequence)],
            fee: Fee {
                amount: fee,
                gas_limit,
                payer,
                granter,
            },
        };
        auth.encode()
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
    account_number: u64,
) -> PyResult<Bound<'py, PyBytes>> {
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
    signatures: Vec<Vec<u8>>,
) -> PyResult<Bound<'py, PyBytes>> {
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
    sequence: u64,
    chain_id: &str,
    account_number: u64,
    private_key: PyRef<'py, PyPrivateKey>,
) -> PyResult<Bound<'py, PyBytes>> {
    let fee = guard(|| coins_of("fee", fee))?;
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
    sequence: u64,
    now_ns: i128,
) -> PyResult<()> {
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

/// Decodes TxRaw bytes: `(tx in JSON form, body_bytes, auth_info_bytes)`.
#[pyfunction]
fn tx_decode<'py>(
    py: Python<'py>,
    raw: &[u8],
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let decoded = py.allow_threads(|| guard_core(|| gonka_tx::decode_tx(raw)))?;
    guard(|| {
        Ok((
            pythonize(py, &decoded.tx).map_err(|e| bad_json("transaction", e))?,
            PyBytes::new(py, &decoded.body_bytes),
            PyBytes::new(py, &decoded.auth_info_bytes),
        ))
    })
}

/// Verifies every signature of TxRaw bytes (signer order); raises InvalidSignature otherwise.
#[pyfunction]
fn tx_verify(
    py: Python<'_>,
    raw: &[u8],
    chain_id: &str,
    account_numbers: Vec<u64>,
) -> PyResult<()> {
    py.allow_threads(|| guard_core(|| gonka_tx::decode_tx(raw)?.verify(chain_id, &account_numbers)))
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
    m.add_function(wrap_pyfunction!(tx_encode_msg, m)?)?;
    m.add_function(wrap_pyfunction!(tx_decode_msg, m)?)?;
    m.add_function(wrap_pyfunction!(tx_encode_msg_send, m)?)?;
    m.add_function(wrap_pyfunction!(tx_encode_body, m)?)?;
    m.add_function(wrap_pyfunction!(tx_encode_auth_info, m)?)?;
    m.add_function(wrap_pyfunction!(tx_sign_doc, m)?)?;
    m.add_function(wrap_pyfunction!(tx_raw, m)?)?;
    m.add_function(wrap_pyfunction!(tx_sign, m)?)?;
    m.add_function(wrap_pyfunction!(tx_check_unordered, m)?)?;
    m.add_function(wrap_pyfunction!(tx_format_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(tx_parse_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(tx_hash, m)?)?;
    m.add_function(wrap_pyfunction!(tx_decode, m)?)?;
    m.add_function(wrap_pyfunction!(tx_verify, m)?)?;
    m.add_function(wrap_pyfunction!(tx_encode_json, m)?)?;
    Ok(())
}
