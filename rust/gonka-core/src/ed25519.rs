//! ed25519 consensus (CometBFT validator) keys: signing, verification under ZIP 215 (the rules
//! CometBFT applies), consensus addresses and the tmkms softsign key file format.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_consensus::{Signature, SigningKey, VerificationKey};
use zeroize::{Zeroize, Zeroizing};

use crate::address::{self, VALCONS_HRP};
use crate::error::{Error, Result};
use crate::hash::sha256;

pub const SEED_LEN: usize = 32;
pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

/// An ed25519 consensus private key. The seed is wiped on drop and never shown by `Debug`.
#[derive(Clone)]
pub struct ConsensusKey {
    signing: SigningKey,
}

impl ConsensusKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Result<Self> {
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        crate::random::fill(seed.as_mut())?;
        Self::from_seed(seed.as_ref())
    }

    /// The key of a 32-byte seed (the RFC 8032 private key).
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        let seed: [u8; SEED_LEN] = seed.try_into().map_err(|_| {
            Error::InvalidKey(format!(
                "an ed25519 seed is {SEED_LEN} bytes, got {}",
                seed.len()
            ))
        })?;
        let seed = Zeroizing::new(seed);
        Ok(Self {
            signing: SigningKey::from(*seed),
        })
    }

    /// Reads the contents of a tmkms softsign key file: base64 of the 32-byte seed, or of the
    /// 64-byte seed followed by its public key (which must match).
    pub fn from_tmkms_base64(text: &str) -> Result<Self> {
        let raw = Zeroizing::new(
            BASE64
                .decode(text.trim())
                .map_err(|_| Error::InvalidKey("consensus key file is not valid base64".into()))?,
        );
        match raw.len() {
            SEED_LEN => Self::from_seed(&raw),
            64 => {
                let key = Self::from_seed(&raw[..SEED_LEN])?;
                if key.public_key().to_bytes() != raw[SEED_LEN..] {
                    return Err(Error::InvalidKey(
                        "consensus key file is corrupt: its public key half does not match its seed".into(),
                    ));
                }
                Ok(key)
            }
            n => Err(Error::InvalidKey(format!(
                "consensus key file holds {n} bytes; expected a 32-byte seed or 64 bytes seed || public key"
            ))),
        }
    }

    /// The tmkms softsign file contents: base64 of the 32-byte seed (secret).
    pub fn to_tmkms_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64.encode(self.signing.as_bytes()))
    }

    /// The 32-byte seed (secret).
    pub fn seed(&self) -> Zeroizing<[u8; SEED_LEN]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    pub fn public_key(&self) -> ConsensusPublicKey {
        ConsensusPublicKey {
            inner: self.signing.verification_key(),
        }
    }

    /// The RFC 8032 signature of `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.signing.sign(msg).to_bytes()
    }
}

impl Drop for ConsensusKey {
    fn drop(&mut self) {
        self.signing.zeroize();
    }
}

impl fmt::Debug for ConsensusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsensusKey")
            .field("public_key", &self.public_key().to_base64())
            .finish_non_exhaustive()
    }
}

/// An ed25519 consensus public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsensusPublicKey {
    inner: VerificationKey,
}

impl ConsensusPublicKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; PUBLIC_KEY_LEN] = bytes.try_into().map_err(|_| {
            Error::InvalidKey(format!(
                "an ed25519 public key is {PUBLIC_KEY_LEN} bytes, got {}",
                bytes.len()
            ))
        })?;
        VerificationKey::try_from(bytes)
            .map(|inner| Self { inner })
            .map_err(|_| {
                Error::InvalidKey("not a valid ed25519 public key (not a curve point)".into())
            })
    }

    /// A key from standard padded base64 (the form `--validator-key` and CometBFT JSON use).
    pub fn from_base64(text: &str) -> Result<Self> {
        let raw = BASE64
            .decode(text.trim())
            .map_err(|_| Error::InvalidKey("consensus public key is not valid base64".into()))?;
        Self::from_bytes(&raw)
    }

    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.inner.to_bytes()
    }

    /// Standard padded base64 of the 32 key bytes (the `validator_key` of MsgSubmitNewParticipant).
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.inner.as_bytes())
    }

    /// The consensus address: the first 20 bytes of SHA-256(public key).
    pub fn address_bytes(&self) -> [u8; 20] {
        let digest = sha256(self.inner.as_bytes());
        digest[..20].try_into().expect("20 of 32 bytes")
    }

    /// The consensus address as uppercase hex (CometBFT's JSON form).
    pub fn address_hex(&self) -> String {
        hex::encode_upper(self.address_bytes())
    }

    /// The consensus address in bech32 (`gonkavalcons1...` for [`VALCONS_HRP`]).
    pub fn address(&self, hrp: &str) -> Result<String> {
        address::encode(hrp, &self.address_bytes())
    }

    /// The `gonkavalcons1...` address.
    pub fn valcons_address(&self) -> String {
        self.address(VALCONS_HRP)
            .expect("the consensus prefix and 20 bytes always encode")
    }

    /// Checks a 64-byte signature under ZIP 215 rules; false for any other length.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(bytes) = <[u8; SIGNATURE_LEN]>::try_from(sig) else {
            return false;
        };
        self.inner.verify(&Signature::from(bytes), msg).is_ok()
    }
}

impl fmt::Debug for ConsensusPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConsensusPublicKey({})", self.to_base64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_consensus_address_example() {
        let key = ConsensusPublicKey::from_base64("OPwcpfQYOoWDuHKYivRVq5jxrELH0moP5qdznvj3Dps=")
            .unwrap();
        assert_eq!(
            key.address_hex(),
            "139ECB529EDB0BCDF45C583D4DC2FDC95F66B1E8"
        );
        assert_eq!(
            key.valcons_address(),
            "gonkavalcons1zw0vk557mv9umazutq75mshae90kdv0g0q0s9t"
        );
    }

    #[test]
    fn tmkms_forms_load_the_same_key() {
        let key = ConsensusKey::from_seed(&[7u8; 32]).unwrap();
        let seed_only = key.to_tmkms_base64();
        let mut both = key.seed().to_vec();
        both.extend_from_slice(&key.public_key().to_bytes());
        let both = BASE64.encode(&both);
        for text in [seed_only.as_str(), both.as_str(), &format!("{both}\n")] {
            let loaded = ConsensusKey::from_tmkms_base64(text).unwrap();
            assert_eq!(loaded.public_key(), key.public_key());
        }
        let mut mismatched = key.seed().to_vec();
        mismatched.extend_from_slice(&[9u8; 32]);
        let err = ConsensusKey::from_tmkms_base64(&BASE64.encode(&mismatched)).unwrap_err();
        assert!(err.to_string().contains("does not match"));
        assert!(ConsensusKey::from_tmkms_base64("AAAA").is_err());
        assert!(ConsensusKey::from_tmkms_base64("not base64!").is_err());
    }

    #[test]
    fn small_order_edge_case_follows_zip215() {
        // Identity public key and identity R with s = 0: the cofactored ZIP 215 equation holds,
        // so CometBFT accepts it (strict RFC 8032 verifiers such as libsodium reject it).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let key = ConsensusPublicKey::from_bytes(&identity).unwrap();
        let mut sig = [0u8; 64];
        sig[0] = 1;
        assert!(key.verify(b"any message", &sig));
    }

    #[test]
    fn sign_verify_and_debug() {
        let key = ConsensusKey::generate().unwrap();
        let sig = key.sign(b"block");
        assert!(key.public_key().verify(b"block", &sig));
        assert!(!key.public_key().verify(b"blocks", &sig));
        assert!(!key.public_key().verify(b"block", &sig[..63]));
        let shown = format!("{key:?}");
        assert!(!shown.contains(&*key.to_tmkms_base64()));
    }
}
