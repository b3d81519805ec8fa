//! Decoded transactions: `tx_decode` parses and checks every byte in Rust and returns a [`PyDecodedTx`]
//! whose Python objects (messages, coins, signers, JSON form) are made when first read.

use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyTuple};
use pythonize::pythonize;

use gonka_tx::tx::{decode_tx_values, verify_signatures, DecodedValues, TxJson};
use gonka_tx::PubKey;

use crate::classes::{self, Role};
use crate::errors::{guard, guard_core};
use crate::make::{any_to_py, coin_to_py, timestamp_to_py};
use crate::tx::{bad_json, u64_arg};

/// Inputs larger than this are decoded without the GIL; smaller ones decode faster than it is released.
const RELEASE_GIL_ABOVE: usize = 16 * 1024;

/// Decodes TxRaw bytes, checking every message as an encoder would; malformed or invalid bytes raise
/// `InvalidInput`.
#[pyfunction]
fn tx_decode(py: Python<'_>, raw: Bound<'_, PyBytes>) -> PyResult<PyDecodedTx> {
    let bytes = raw.as_bytes();
    let decode = || guard_core(|| decode_tx_values(bytes).and_then(|v| v.check().map(|()| v)));
    let values = if bytes.len() > RELEASE_GIL_ABOVE {
        py.allow_threads(decode)?
    } else {
        decode()?
    };
    Ok(PyDecodedTx {
        raw: raw.unbind(),
        values,
        cache: Cache::default(),
    })
}

#[derive(Default)]
struct Cache {
    messages: OnceLock<Py<PyTuple>>,
    fee: OnceLock<Py<PyTuple>>,
    signers: OnceLock<Py<PyTuple>>,
    signatures: OnceLock<Py<PyTuple>>,
    json: OnceLock<Py<PyAny>>,
}

/// Returns the cached object, making it on first use (the GIL serializes the callers).
fn cached<'py, T>(
    py: Python<'py>,
    cell: &OnceLock<Py<T>>,
    make: impl FnOnce() -> PyResult<Bound<'py, T>>,
) -> PyResult<Bound<'py, T>> {
    if let Some(value) = cell.get() {
        return Ok(value.bind(py).clone());
    }
    let value = make()?;
    let _ = cell.set(value.clone().unbind());
    Ok(value)
}

/// A decoded TxRaw: typed content plus the exact bytes that were signed. The messages, coins and the JSON
/// form are made when first read.
#[pyclass(module = "gonka.tx", name = "DecodedTx", frozen)]
pub struct PyDecodedTx {
    raw: Py<PyBytes>,
    values: DecodedValues,
    cache: Cache,
}

#[pymethods]
impl PyDecodedTx {
    /// The messages, as instances of their classes (RawMsg for types gonka does not model).
    #[getter]
    fn messages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        cached(py, &self.cache.messages, || {
            guard(|| {
                let messages = self
                    .values
                    .body
                    .messages
                    .iter()
                    .map(|m| any_to_py(py, m))
                    .collect::<PyResult<Vec<_>>>()?;
                PyTuple::new(py, messages)
            })
        })
    }

    #[getter]
    fn memo(&self) -> &str {
        &self.values.body.memo
    }

    #[getter]
    fn timeout_height(&self) -> u64 {
        self.values.body.timeout_height
    }

    #[getter]
    fn unordered(&self) -> bool {
        self.values.body.unordered
    }

    /// Unordered transactions are valid until then.
    #[getter]
    fn timeout_timestamp<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.values
            .body
            .timeout_timestamp
            .map(|ts| timestamp_to_py(py, ts))
            .transpose()
    }

    /// The fee coins.
    #[getter]
    fn fee<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        cached(py, &self.cache.fee, || {
            let coins = self
                .values
                .auth_info
                .fee
                .amount
                .iter()
                .map(|c| coin_to_py(py, c))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, coins)
        })
    }

    #[getter]
    fn gas_limit(&self) -> u64 {
        self.values.auth_info.fee.gas_limit
    }

    /// Pays the fee directly (empty: the signer).
    #[getter]
    fn payer(&self) -> &str {
        &self.values.auth_info.fee.payer
    }

    /// Pays the fee through a feegrant allowance (empty: none).
    #[getter]
    fn granter(&self) -> &str {
        &self.values.auth_info.fee.granter
    }

    /// `SignerInfo(public_key, sequence, mode)` of each signer; `public_key` is the compressed secp256k1
    /// key (None when absent or of another type; see `json`).
    #[getter]
    fn signers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        cached(py, &self.cache.signers, || {
            let class = classes::role(py, Role::SignerInfo)?;
            let signers = self
                .values
                .auth_info
                .signer_infos
                .iter()
                .map(|s| {
                    let key = match &s.public_key {
                        Some(PubKey::Secp256k1(k)) => PyBytes::new(py, &k.key).into_any(),
                        _ => py.None().into_bound(py),
                    };
                    class.call1((key, s.sequence, s.mode_info.single.mode.as_str()))
                })
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, signers)
        })
    }

    #[getter]
    fn signatures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        cached(py, &self.cache.signatures, || {
            PyTuple::new(
                py,
                self.values.signatures.iter().map(|s| PyBytes::new(py, s)),
            )
        })
    }

    /// The encoded TxBody (what was signed).
    #[getter]
    fn body_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(
            py,
            &self.raw.bind(py).as_bytes()[self.values.body_range.clone()],
        )
    }

    #[getter]
    fn auth_info_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(
            py,
            &self.raw.bind(py).as_bytes()[self.values.auth_info_range.clone()],
        )
    }

    /// The TxRaw bytes that were decoded.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.raw.bind(py).clone()
    }

    /// The chain's JSON form (`body`, `auth_info`, `signatures`), as `--dry-run` prints it.
    #[getter]
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        cached(py, &self.cache.json, || {
            let form = TxJson {
                body: &self.values.body,
                auth_info: &self.values.auth_info,
                signatures: &self.values.signatures,
            };
            pythonize(py, &form).map_err(|e| bad_json("transaction", e))
        })
    }

    /// The transaction hash as CometBFT and explorers show it: upper-case hex SHA-256 of TxRaw.
    #[getter]
    fn hash(&self, py: Python<'_>) -> String {
        gonka_tx::tx_hash(self.raw.bind(py).as_bytes())
    }

    /// Checks every signature (SIGN_MODE_DIRECT) for the signers' account numbers (one int, or one per
    /// signer); raises `InvalidSignature` when one does not verify.
    fn verify(
        &self,
        py: Python<'_>,
        chain_id: &str,
        account_numbers: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let numbers = guard(|| {
            if account_numbers.is_instance_of::<PyInt>() {
                return Ok(vec![u64_arg("account_numbers", account_numbers)?]);
            }
            account_numbers
                .try_iter()?
                .map(|n| u64_arg("account_numbers", &n?))
                .collect::<PyResult<Vec<_>>>()
        })?;
        let v = &self.values;
        let raw = self.raw.bind(py).as_bytes();
        let (body, auth_info) = (&raw[v.body_range.clone()], &raw[v.auth_info_range.clone()]);
        py.allow_threads(|| {
            guard_core(|| {
                verify_signatures(
                    &v.auth_info,
                    &v.signatures,
                    body,
                    auth_info,
                    chain_id,
                    &numbers,
                )
            })
        })
    }

    /// Equal when decoded from the same bytes.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let py = other.py();
        other
            .downcast::<PyDecodedTx>()
            .is_ok_and(|o| o.get().raw.bind(py).as_bytes() == self.raw.bind(py).as_bytes())
    }

    fn __hash__(&self, py: Python<'_>) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.raw.bind(py).as_bytes().hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let types: Vec<&str> = self
            .values
            .body
            .messages
            .iter()
            .map(|m| m.type_url())
            .collect();
        format!(
            "DecodedTx(hash={}, messages=[{}])",
            self.hash(py),
            types.join(", ")
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDecodedTx>()?;
    m.add_function(wrap_pyfunction!(tx_decode, m)?)?;
    Ok(())
}
