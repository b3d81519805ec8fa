//! Bindings of the Cosmos SDK file keyring: items are decrypted and key records parsed here, and the
//! private key leaves only as a `PrivateKey` object (its bytes only when asked for by name).

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use gonka_core::Error;
use gonka_keyring::{read_item, Error as KeyringError, KeyRecord};

use crate::errors::{guard, to_py};
use crate::keys::PyPrivateKey;

fn invalid(what: String) -> PyErr {
    to_py(Error::InvalidInput(what))
}

/// The error of an item that cannot be read, naming its file.
fn item_error(file: &str, err: KeyringError) -> PyErr {
    match err {
        KeyringError::Decrypt(why) => invalid(format!(
            "cannot decrypt {file}: incorrect keyring passphrase, or not a keyring entry ({why})"
        )),
        other => invalid(format!(
            "{file} decrypted to an unexpected keyring item: {other}"
        )),
    }
}

/// A key record of the keyring: names and public key, and the private key kept natively.
#[pyclass(module = "gonka._native", name = "KeyringRecord", frozen)]
pub struct PyKeyringRecord {
    record: KeyRecord,
}

#[pymethods]
impl PyKeyringRecord {
    #[getter]
    fn name(&self) -> &str {
        &self.record.name
    }

    /// `local`, `ledger`, `multi` or `offline`.
    #[getter]
    fn kind(&self) -> &str {
        self.record.kind
    }

    #[getter]
    fn public_key_type(&self) -> &str {
        &self.record.public_key_type
    }

    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.record.public_key)
    }

    #[getter]
    fn private_key_type(&self) -> &str {
        &self.record.private_key_type
    }

    #[getter]
    fn has_private_key(&self) -> bool {
        self.record.has_private_key()
    }

    /// The signing key (local secp256k1 records).
    fn private_key(&self) -> PyResult<PyPrivateKey> {
        guard(|| match self.record.private_key() {
            Ok(key) => Ok(PyPrivateKey::from(key)),
            Err(KeyringError::Key(err)) => Err(to_py(err)),
            Err(err) => Err(invalid(err.to_string())),
        })
    }

    /// The private key's bytes (a copy), or None.
    fn secret_bytes<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.record.secret().map(|secret| PyBytes::new(py, &secret))
    }

    fn __repr__(&self) -> String {
        format!(
            "KeyringRecord(name={:?}, kind={:?})",
            self.record.name, self.record.kind
        )
    }
}

/// Decrypts the item `file` (its JWE text) and parses its key record; errors name the file and the key.
#[pyfunction]
fn keyring_read_record(
    token: &str,
    passphrase: &str,
    file: &str,
    key: &str,
) -> PyResult<PyKeyringRecord> {
    guard(|| {
        let data = read_item(token, passphrase.as_bytes()).map_err(|e| item_error(file, e))?;
        KeyRecord::decode(&data).map(|record| PyKeyringRecord { record }).map_err(|e| {
            invalid(format!(
                "key {key:?} is not a protobuf keyring record ({e}); entries written by Cosmos SDK < 0.46 \
                 (amino LocalInfo) must first be migrated with `inferenced keys migrate`"
            ))
        })
    })
}

/// The item an address entry points at (`<name>.info`).
#[pyfunction]
fn keyring_read_pointer(token: &str, passphrase: &str, file: &str) -> PyResult<String> {
    guard(|| {
        let data = read_item(token, passphrase.as_bytes()).map_err(|e| item_error(file, e))?;
        String::from_utf8(data.to_vec()).map_err(|_| {
            invalid(format!(
                "{file} decrypted to an unexpected keyring item: not text"
            ))
        })
    })
}

/// Parses an encoded key record; malformed data raises `InvalidInput`.
#[pyfunction]
fn keyring_parse_record(data: &[u8]) -> PyResult<PyKeyringRecord> {
    guard(|| {
        KeyRecord::decode(data)
            .map(|record| PyKeyringRecord { record })
            .map_err(|e| invalid(e.to_string()))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyKeyringRecord>()?;
    m.add_function(wrap_pyfunction!(keyring_read_record, m)?)?;
    m.add_function(wrap_pyfunction!(keyring_read_pointer, m)?)?;
    m.add_function(wrap_pyfunction!(keyring_parse_record, m)?)?;
    Ok(())
}
