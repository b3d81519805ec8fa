//! Bindings of the keys primitives: mnemonics, secp256k1 account keys, ed25519 consensus keys and
//! bech32 addresses. The classes appear in Python as `gonka.keys.*`.

use std::path::PathBuf;

use gonka_core::address;
use gonka_core::bip32;
use gonka_core::bip39::Mnemonic;
use gonka_core::ed25519::{ConsensusKey, ConsensusPublicKey};
use gonka_core::secp256k1::{check_signature_shape, PrivateKey, PublicKey};
use gonka_core::Error;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyPermissionError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{guard, guard_core, to_py};

fn digest32(digest: &[u8]) -> Result<[u8; 32], Error> {
    digest.try_into().map_err(|_| {
        Error::InvalidInput(format!(
            "a digest is 32 bytes (SHA-256), got {}",
            digest.len()
        ))
    })
}

/// A BIP 39 English mnemonic, validated on construction. ``repr`` shows only the word count;
/// read ``phrase`` to get the words.
#[pyclass(module = "gonka.keys", name = "Mnemonic", frozen, eq)]
#[derive(PartialEq)]
pub struct PyMnemonic {
    inner: Mnemonic,
}

#[pymethods]
impl PyMnemonic {
    /// Validates ``phrase`` (case and extra whitespace are forgiven). Raises ``InvalidMnemonic``
    /// naming the unknown word, the wrong word count or the failed checksum.
    #[new]
    fn new(phrase: &str) -> PyResult<Self> {
        guard_core(|| Mnemonic::parse(phrase).map(|inner| Self { inner }))
    }

    /// A new mnemonic of 12, 15, 18, 21 or 24 words from the operating system's randomness.
    #[staticmethod]
    #[pyo3(signature = (words = 24))]
    fn generate(words: usize) -> PyResult<Self> {
        guard_core(|| Mnemonic::generate(words).map(|inner| Self { inner }))
    }

    /// The mnemonic encoding ``entropy`` (16, 20, 24, 28 or 32 bytes).
    #[staticmethod]
    fn from_entropy(entropy: &[u8]) -> PyResult<Self> {
        guard_core(|| Mnemonic::from_entropy(entropy).map(|inner| Self { inner }))
    }

    /// The words, separated by single spaces (secret).
    #[getter]
    fn phrase(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.phrase().to_string()))
    }

    #[getter]
    fn word_count(&self) -> PyResult<usize> {
        guard(|| Ok(self.inner.word_count()))
    }

    /// The entropy the words encode (secret).
    #[getter]
    fn entropy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, &self.inner.entropy())))
    }

    /// The 64-byte BIP 39 seed for ``passphrase`` (PBKDF2-HMAC-SHA512, 2048 rounds).
    #[pyo3(signature = (passphrase = ""))]
    fn to_seed<'py>(&self, py: Python<'py>, passphrase: &str) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| {
            let seed = py.allow_threads(|| self.inner.to_seed(passphrase));
            Ok(PyBytes::new(py, seed.as_ref()))
        })
    }

    /// The account key at ``path`` (default ``m/44'/1200'/0'/0/0``).
    #[pyo3(signature = (passphrase = "", path = "m/44'/1200'/0'/0/0"))]
    fn to_private_key(
        &self,
        py: Python<'_>,
        passphrase: &str,
        path: &str,
    ) -> PyResult<PyPrivateKey> {
        guard_core(|| {
            py.allow_threads(|| {
                let seed = self.inner.to_seed(passphrase);
                bip32::derive_private_key(seed.as_ref(), path).map(PyPrivateKey::from)
            })
        })
    }

    fn __repr__(&self) -> String {
        format!("Mnemonic(<{} words>)", self.inner.word_count())
    }
}

/// Either a phrase or a parsed mnemonic.
#[derive(FromPyObject)]
enum MnemonicArg<'py> {
    Parsed(PyRef<'py, PyMnemonic>),
    Phrase(String),
}

/// A secp256k1 account private key. ``repr`` shows the address, never the secret; the key is
/// wiped from native memory when the object is freed.
#[pyclass(module = "gonka.keys", name = "PrivateKey", frozen, eq)]
#[derive(PartialEq)]
pub struct PyPrivateKey {
    inner: PrivateKey,
}

impl From<PrivateKey> for PyPrivateKey {
    fn from(inner: PrivateKey) -> Self {
        Self { inner }
    }
}

impl PyPrivateKey {
    /// The core key, for other bindings (transaction signing).
    #[allow(dead_code)]
    pub fn key(&self) -> &PrivateKey {
        &self.inner
    }
}

#[pymethods]
impl PyPrivateKey {
    /// A key from 32 big-endian bytes (a scalar in ``1..n``).
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        guard_core(|| PrivateKey::from_bytes(data).map(Self::from))
    }

    /// A key from 64 hex digits (``0x`` prefix allowed).
    #[staticmethod]
    fn from_hex(text: &str) -> PyResult<Self> {
        guard_core(|| PrivateKey::from_hex(text).map(Self::from))
    }

    /// A fresh random key from the operating system's randomness.
    #[staticmethod]
    fn generate() -> PyResult<Self> {
        guard_core(|| PrivateKey::generate().map(Self::from))
    }

    /// The key of a BIP 39 mnemonic (phrase or ``Mnemonic``) at ``path``.
    #[staticmethod]
    #[pyo3(signature = (mnemonic, passphrase = "", path = "m/44'/1200'/0'/0/0"))]
    fn from_mnemonic(
        py: Python<'_>,
        mnemonic: MnemonicArg<'_>,
        passphrase: &str,
        path: &str,
    ) -> PyResult<Self> {
        let parsed = match mnemonic {
            MnemonicArg::Parsed(m) => m.inner.clone(),
            MnemonicArg::Phrase(phrase) => guard_core(|| Mnemonic::parse(&phrase))?,
        };
        guard_core(|| {
            py.allow_threads(|| {
                let seed = parsed.to_seed(passphrase);
                bip32::derive_private_key(seed.as_ref(), path).map(Self::from)
            })
        })
    }

    /// The key at ``path`` under a BIP 32 seed (16 to 64 bytes).
    #[staticmethod]
    #[pyo3(signature = (seed, path = "m/44'/1200'/0'/0/0"))]
    fn from_seed(py: Python<'_>, seed: &[u8], path: &str) -> PyResult<Self> {
        guard_core(|| py.allow_threads(|| bip32::derive_private_key(seed, path).map(Self::from)))
    }

    /// The 32 secret bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, self.inner.to_bytes().as_ref())))
    }

    /// The secret as 64 lowercase hex digits.
    fn to_hex(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_hex().to_string()))
    }

    #[getter]
    fn public_key(&self) -> PyResult<PyPublicKey> {
        guard(|| Ok(PyPublicKey::from(self.inner.public_key())))
    }

    /// The bech32 address of the public key (``gonka1...``; ``"gonkavaloper"`` for the operator form).
    #[pyo3(signature = (hrp = "gonka"))]
    fn address(&self, hrp: &str) -> PyResult<String> {
        guard_core(|| self.inner.public_key().address(hrp))
    }

    /// ECDSA signature of SHA-256(``msg``): RFC 6979, low-S, 64 bytes ``r || s``.
    fn sign<'py>(&self, py: Python<'py>, msg: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| {
            let sig = py.allow_threads(|| self.inner.sign(msg));
            Ok(PyBytes::new(py, &sig))
        })
    }

    /// ECDSA signature of a 32-byte digest computed by the caller.
    fn sign_digest<'py>(&self, py: Python<'py>, digest: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| {
            let digest = digest32(digest).map_err(to_py)?;
            let sig = py.allow_threads(|| self.inner.sign_digest(&digest));
            Ok(PyBytes::new(py, &sig))
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard_core(|| {
            let addr = self.inner.public_key().address(address::ACCOUNT_HRP)?;
            Ok(format!("PrivateKey(address='{addr}')"))
        })
    }
}

/// A secp256k1 account public key.
#[pyclass(module = "gonka.keys", name = "PublicKey", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyPublicKey {
    inner: PublicKey,
}

impl From<PublicKey> for PyPublicKey {
    fn from(inner: PublicKey) -> Self {
        Self { inner }
    }
}

impl PyPublicKey {
    /// The core key, for other bindings.
    #[allow(dead_code)]
    pub fn key(&self) -> &PublicKey {
        &self.inner
    }
}

#[pymethods]
impl PyPublicKey {
    /// A key from SEC1 bytes: 33 compressed or 65 uncompressed. Raises ``InvalidKey`` for other
    /// lengths, bad prefixes and points off the curve.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        guard_core(|| PublicKey::from_bytes(data).map(Self::from))
    }

    /// A key from base64 of its SEC1 bytes (the form chain queries return).
    #[staticmethod]
    fn from_base64(text: &str) -> PyResult<Self> {
        guard_core(|| PublicKey::from_base64(text).map(Self::from))
    }

    /// The 33-byte compressed encoding.
    #[getter]
    fn compressed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, &self.inner.compressed())))
    }

    /// The 65-byte uncompressed encoding.
    #[getter]
    fn uncompressed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, &self.inner.uncompressed())))
    }

    /// Standard base64 of the compressed key (as in chain JSON).
    #[getter]
    fn base64(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_base64()))
    }

    /// The 20 address bytes: RIPEMD-160(SHA-256(compressed key)).
    #[getter]
    fn address_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, &self.inner.address_bytes())))
    }

    /// The bech32 address (``gonka1...``; ``"gonkavaloper"`` for the operator form).
    #[pyo3(signature = (hrp = "gonka"))]
    fn address(&self, hrp: &str) -> PyResult<String> {
        guard_core(|| self.inner.address(hrp))
    }

    /// True when ``sig`` is a valid low-S signature of SHA-256(``msg``) by this key; False for a
    /// wrong, tampered, high-S or out-of-range signature. Raises ``InvalidSignature`` when ``sig``
    /// is not 64 bytes: a malformed argument, not a failed check.
    fn verify(&self, py: Python<'_>, msg: &[u8], sig: &[u8]) -> PyResult<bool> {
        guard_core(|| {
            check_signature_shape(sig)?;
            Ok(py.allow_threads(|| self.inner.verify(msg, sig)))
        })
    }

    /// ``verify`` for a 32-byte digest computed by the caller (``InvalidInput`` for another length).
    fn verify_digest(&self, py: Python<'_>, digest: &[u8], sig: &[u8]) -> PyResult<bool> {
        guard_core(|| {
            let digest = digest32(digest)?;
            check_signature_shape(sig)?;
            Ok(py.allow_threads(|| self.inner.verify_digest(&digest, sig)))
        })
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.compressed(py)
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| Ok(format!("PublicKey('{}')", self.inner.to_hex())))
    }
}

/// An ed25519 consensus (validator) public key.
#[pyclass(module = "gonka.keys", name = "ConsensusPublicKey", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyConsensusPublicKey {
    inner: ConsensusPublicKey,
}

#[pymethods]
impl PyConsensusPublicKey {
    /// A key from its 32 bytes.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        guard_core(|| ConsensusPublicKey::from_bytes(data).map(|inner| Self { inner }))
    }

    /// A key from standard base64 (CometBFT JSON, ``--validator-key``).
    #[staticmethod]
    fn from_base64(text: &str) -> PyResult<Self> {
        guard_core(|| ConsensusPublicKey::from_base64(text).map(|inner| Self { inner }))
    }

    /// The 32 key bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, &self.inner.to_bytes())))
    }

    /// Standard base64 of the key: what ``submit-new-participant --validator-key`` takes.
    #[getter]
    fn base64(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_base64()))
    }

    /// The consensus address as uppercase hex (first 20 bytes of SHA-256(key)).
    #[getter]
    fn address_hex(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.address_hex()))
    }

    /// The 20 consensus address bytes.
    #[getter]
    fn address_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, &self.inner.address_bytes())))
    }

    /// The bech32 consensus address (``gonkavalcons1...``).
    #[pyo3(signature = (hrp = "gonkavalcons"))]
    fn address(&self, hrp: &str) -> PyResult<String> {
        guard_core(|| self.inner.address(hrp))
    }

    /// True when ``sig`` verifies under ZIP 215 (CometBFT's rules); False otherwise. Raises
    /// ``InvalidSignature`` when ``sig`` is not 64 bytes.
    fn verify(&self, py: Python<'_>, msg: &[u8], sig: &[u8]) -> PyResult<bool> {
        guard_core(|| {
            check_ed25519_shape(sig)?;
            Ok(py.allow_threads(|| self.inner.verify(msg, sig)))
        })
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.to_bytes(py)
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| Ok(format!("ConsensusPublicKey('{}')", self.inner.to_base64())))
    }
}

fn check_ed25519_shape(sig: &[u8]) -> Result<(), Error> {
    if sig.len() != gonka_core::ed25519::SIGNATURE_LEN {
        return Err(Error::InvalidSignature(format!(
            "an ed25519 signature is 64 bytes, got {}",
            sig.len()
        )));
    }
    Ok(())
}

/// An ed25519 consensus (validator) private key, as held by tmkms. ``repr`` shows the public key
/// only; the seed is wiped from native memory when the object is freed.
#[pyclass(module = "gonka.keys", name = "ConsensusKey", frozen)]
pub struct PyConsensusKey {
    inner: ConsensusKey,
}

#[pymethods]
impl PyConsensusKey {
    /// A fresh key from the operating system's randomness.
    #[staticmethod]
    fn generate() -> PyResult<Self> {
        guard_core(|| ConsensusKey::generate().map(|inner| Self { inner }))
    }

    /// The key of a 32-byte seed.
    #[staticmethod]
    fn from_seed(seed: &[u8]) -> PyResult<Self> {
        guard_core(|| ConsensusKey::from_seed(seed).map(|inner| Self { inner }))
    }

    /// The key in a tmkms softsign file (base64 of the 32-byte seed or of seed || public key).
    #[staticmethod]
    fn from_tmkms_file(path: PathBuf) -> PyResult<Self> {
        guard(|| {
            let text =
                gonka_core::Zeroizing::new(std::fs::read_to_string(&path).map_err(|err| {
                    let what = format!("cannot read consensus key file {}: {err}", path.display());
                    match err.kind() {
                        std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(what),
                        std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(what),
                        _ => PyOSError::new_err(what),
                    }
                })?);
            ConsensusKey::from_tmkms_base64(&text)
                .map(|inner| Self { inner })
                .map_err(|err| to_py(prefix_path(err, &path)))
        })
    }

    /// The key from the text of a tmkms softsign file.
    #[staticmethod]
    fn from_tmkms_base64(text: &str) -> PyResult<Self> {
        guard_core(|| ConsensusKey::from_tmkms_base64(text).map(|inner| Self { inner }))
    }

    /// The tmkms softsign file contents for this key: base64 of the seed (secret).
    fn to_tmkms_base64(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_tmkms_base64().to_string()))
    }

    /// The 32-byte seed (secret).
    fn to_seed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| Ok(PyBytes::new(py, self.inner.seed().as_ref())))
    }

    #[getter]
    fn public_key(&self) -> PyResult<PyConsensusPublicKey> {
        guard(|| {
            Ok(PyConsensusPublicKey {
                inner: self.inner.public_key(),
            })
        })
    }

    /// Standard base64 of the public key: what ``submit-new-participant --validator-key`` takes.
    #[getter]
    fn public_key_base64(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.public_key().to_base64()))
    }

    /// The consensus address as uppercase hex (first 20 bytes of SHA-256(public key)).
    #[getter]
    fn address_hex(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.public_key().address_hex()))
    }

    /// The bech32 consensus address (``gonkavalcons1...``).
    #[pyo3(signature = (hrp = "gonkavalcons"))]
    fn address(&self, hrp: &str) -> PyResult<String> {
        guard_core(|| self.inner.public_key().address(hrp))
    }

    /// The 64-byte ed25519 signature of ``msg``.
    fn sign<'py>(&self, py: Python<'py>, msg: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        guard(|| {
            let sig = py.allow_threads(|| self.inner.sign(msg));
            Ok(PyBytes::new(py, &sig))
        })
    }

    /// ``ConsensusPublicKey.verify`` with this key's public half.
    fn verify(&self, py: Python<'_>, msg: &[u8], sig: &[u8]) -> PyResult<bool> {
        guard_core(|| {
            check_ed25519_shape(sig)?;
            let public = self.inner.public_key();
            Ok(py.allow_threads(|| public.verify(msg, sig)))
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok(format!(
                "ConsensusKey(public_key='{}')",
                self.inner.public_key().to_base64()
            ))
        })
    }
}

fn prefix_path(err: Error, path: &std::path::Path) -> Error {
    match err {
        Error::InvalidKey(msg) => Error::InvalidKey(format!("{}: {msg}", path.display())),
        other => other,
    }
}

/// Encodes ``data`` as a bech32 string under ``hrp``.
#[pyfunction]
fn bech32_encode(hrp: &str, data: &[u8]) -> PyResult<String> {
    guard_core(|| address::encode(hrp, data))
}

/// Decodes a bech32 string into ``(hrp, data)``, checking the prefix and data length when given.
#[pyfunction]
#[pyo3(signature = (addr, hrp = None, length = None))]
fn bech32_decode<'py>(
    py: Python<'py>,
    addr: &str,
    hrp: Option<&str>,
    length: Option<usize>,
) -> PyResult<(String, Bound<'py, PyBytes>)> {
    guard_core(|| address::decode_checked(addr, hrp, length))
        .map(|(hrp, data)| (hrp, PyBytes::new(py, &data)))
}

/// The same address bytes under another prefix.
#[pyfunction]
fn bech32_convert_hrp(addr: &str, hrp: &str) -> PyResult<String> {
    guard_core(|| address::convert_hrp(addr, hrp))
}

/// The account path ``m/44'/1200'/{account}'/0/{index}``.
#[pyfunction]
#[pyo3(signature = (index = 0, account = 0))]
fn hd_path(index: u32, account: u32) -> PyResult<String> {
    guard_core(|| {
        if index >= bip32::HARDENED || account >= bip32::HARDENED {
            return Err(Error::InvalidInput(
                "account and index must be below 2^31".into(),
            ));
        }
        Ok(bip32::gonka_path(account, index))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // The Python signatures spell the defaults out literally (so they show in help and stubs).
    debug_assert_eq!(bip32::GONKA_PATH, "m/44'/1200'/0'/0/0");
    debug_assert_eq!(address::ACCOUNT_HRP, "gonka");
    debug_assert_eq!(address::VALCONS_HRP, "gonkavalcons");
    m.add_class::<PyMnemonic>()?;
    m.add_class::<PyPrivateKey>()?;
    m.add_class::<PyPublicKey>()?;
    m.add_class::<PyConsensusKey>()?;
    m.add_class::<PyConsensusPublicKey>()?;
    m.add_function(wrap_pyfunction!(bech32_encode, m)?)?;
    m.add_function(wrap_pyfunction!(bech32_decode, m)?)?;
    m.add_function(wrap_pyfunction!(bech32_convert_hrp, m)?)?;
    m.add_function(wrap_pyfunction!(hd_path, m)?)?;
    m.add("DEFAULT_PATH", bip32::GONKA_PATH)?;
    m.add("ACCOUNT_HRP", address::ACCOUNT_HRP)?;
    m.add("VALOPER_HRP", address::VALOPER_HRP)?;
    m.add("VALCONS_HRP", address::VALCONS_HRP)?;
    m.add("ACCOUNT_PUB_HRP", address::ACCOUNT_PUB_HRP)?;
    m.add("VALOPER_PUB_HRP", address::VALOPER_PUB_HRP)?;
    m.add("VALCONS_PUB_HRP", address::VALCONS_PUB_HRP)?;
    Ok(())
}
