//! secp256k1 account keys as the chain uses them: ECDSA over SHA-256, RFC 6979 nonces, low-S,
//! 64-byte `r || s` signatures, 33-byte compressed public keys and hash160 address bytes.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use k256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use k256::ecdsa::{Signature, SigningKey, VerifyingKey};
use k256::elliptic_curve::scalar::IsHigh;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::{hash160, sha256};

/// Length of a compact `r || s` signature.
pub const SIGNATURE_LEN: usize = 64;
/// Length of a compressed SEC1 public key.
pub const COMPRESSED_LEN: usize = 33;
/// Length of an uncompressed SEC1 public key.
pub const UNCOMPRESSED_LEN: usize = 65;

/// A secp256k1 private key. The scalar is wiped from memory when the key is dropped and is never
/// printed by `Debug`.
#[derive(Clone)]
pub struct PrivateKey {
    // `SigningKey` zeroizes its scalar on drop.
    inner: SigningKey,
}

impl PrivateKey {
    /// A key from 32 big-endian bytes; the scalar must be in `1..n`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 32 {
            return Err(Error::InvalidKey(format!(
                "a secp256k1 private key is 32 bytes, got {}",
                bytes.len()
            )));
        }
        SigningKey::from_slice(bytes)
            .map(|inner| Self { inner })
            .map_err(|_| {
                Error::InvalidKey(
                    "private key is out of range: it must be a non-zero integer below the secp256k1 group order"
                        .into(),
                )
            })
    }

    /// A key from 64 hex digits (an optional `0x` prefix is accepted).
    pub fn from_hex(text: &str) -> Result<Self> {
        let digits = text.trim();
        let digits = digits.strip_prefix("0x").unwrap_or(digits);
        let bytes =
            Zeroizing::new(hex::decode(digits).map_err(|_| {
                Error::InvalidKey("private key hex is not valid hexadecimal".into())
            })?);
        Self::from_bytes(&bytes)
    }

    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Result<Self> {
        loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            crate::random::fill(bytes.as_mut())?;
            // A random 256-bit value is out of range with probability ~2^-128; draw again then.
            if let Ok(key) = Self::from_bytes(bytes.as_ref()) {
                return Ok(key);
            }
        }
    }

    /// The 32 secret bytes, in a buffer that is wiped when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.inner.to_bytes().into())
    }

    /// The secret as 64 lowercase hex digits, in a buffer that is wiped when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.to_bytes().as_ref()))
    }

    pub(crate) fn as_scalar(&self) -> &k256::NonZeroScalar {
        self.inner.as_nonzero_scalar()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: *self.inner.verifying_key(),
        }
    }

    /// ECDSA signature of SHA-256(`msg`): RFC 6979 nonce, low-S, 64 bytes `r || s`.
    pub fn sign(&self, msg: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.sign_digest(&sha256(msg))
    }

    /// ECDSA signature of a 32-byte digest the caller has already computed.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> [u8; SIGNATURE_LEN] {
        // The nonce is derived per RFC 6979 with SHA-256, as the Go keyring and libsecp256k1 do;
        // a 32-byte prehash is always accepted by the signer.
        let signature: Signature = self
            .inner
            .sign_prehash(digest)
            .expect("signing a 32-byte digest with a valid key cannot fail");
        let signature = signature.normalize_s().unwrap_or(signature);
        signature.to_bytes().into()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public_key", &hex::encode(self.public_key().compressed()))
            .finish_non_exhaustive()
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        // Constant-time comparison of the scalars.
        self.inner == other.inner
    }
}

impl Eq for PrivateKey {}

/// A secp256k1 public key (a point on the curve, never the identity).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    inner: VerifyingKey,
}

impl PublicKey {
    /// A key from SEC1 bytes: 33 compressed or 65 uncompressed; points off the curve are rejected.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        // Only the standard SEC1 forms; the compact (0x05) and hybrid (0x06/0x07) forms are refused.
        match (bytes.len(), bytes.first()) {
            (COMPRESSED_LEN, Some(0x02 | 0x03)) | (UNCOMPRESSED_LEN, Some(0x04)) => {}
            (COMPRESSED_LEN | UNCOMPRESSED_LEN, Some(tag)) => {
                return Err(Error::InvalidKey(format!(
                    "public key has prefix byte 0x{tag:02x}; expected 0x02/0x03 (33 bytes) or 0x04 (65 bytes)"
                )))
            }
            (len, _) => {
                return Err(Error::InvalidKey(format!(
                    "a secp256k1 public key is 33 bytes (compressed) or 65 bytes (uncompressed), got {len}"
                )))
            }
        }
        VerifyingKey::from_sec1_bytes(bytes)
            .map(|inner| Self { inner })
            .map_err(|_| {
                Error::InvalidKey(
                    "public key is not a valid secp256k1 point (bad prefix byte or not on the curve)".into(),
                )
            })
    }

    /// A key from standard base64 of its SEC1 bytes (the form chain queries return).
    pub fn from_base64(text: &str) -> Result<Self> {
        let raw = BASE64
            .decode(text.trim())
            .map_err(|_| Error::InvalidKey("public key is not valid base64".into()))?;
        Self::from_bytes(&raw)
    }

    /// Standard base64 of the compressed key (as in chain JSON).
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.compressed())
    }

    /// Lowercase hex of the compressed key.
    pub fn to_hex(&self) -> String {
        hex::encode(self.compressed())
    }

    /// The 33-byte compressed SEC1 encoding (what the chain stores in `PubKey.key`).
    pub fn compressed(&self) -> [u8; COMPRESSED_LEN] {
        let point = self.inner.to_encoded_point(true);
        point
            .as_bytes()
            .try_into()
            .expect("a compressed point is 33 bytes")
    }

    /// The 65-byte uncompressed SEC1 encoding.
    pub fn uncompressed(&self) -> [u8; UNCOMPRESSED_LEN] {
        let point = self.inner.to_encoded_point(false);
        point
            .as_bytes()
            .try_into()
            .expect("an uncompressed point is 65 bytes")
    }

    /// The 20 account address bytes: RIPEMD-160(SHA-256(compressed key)).
    pub fn address_bytes(&self) -> [u8; 20] {
        hash160(&self.compressed())
    }

    /// The bech32 address of this key under `hrp` (e.g. `gonka`, `gonkavaloper`).
    pub fn address(&self, hrp: &str) -> Result<String> {
        crate::address::encode(hrp, &self.address_bytes())
    }

    /// Checks a signature of SHA-256(`msg`). False for any signature that is not a valid 64-byte
    /// low-S `r || s` signature of this message under this key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.verify_digest(&sha256(msg), sig)
    }

    /// Checks a signature of a 32-byte digest, with the same rules as [`PublicKey::verify`].
    pub fn verify_digest(&self, digest: &[u8; 32], sig: &[u8]) -> bool {
        let Some(signature) = parse_signature(sig) else {
            return false;
        };
        // The chain rejects high-S signatures (malleability), so do we.
        if bool::from(signature.s().is_high()) {
            return false;
        }
        self.inner.verify_prehash(digest, &signature).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.compressed().hash(state);
    }
}

/// A 64-byte `r || s` signature with both scalars in `1..n`, or None.
fn parse_signature(sig: &[u8]) -> Option<Signature> {
    if sig.len() != SIGNATURE_LEN {
        return None;
    }
    Signature::from_slice(sig).ok()
}

/// Checks that `sig` has the shape of a compact signature; verification itself reports a bad
/// signature as `false`, this names what is malformed.
pub fn check_signature_shape(sig: &[u8]) -> Result<()> {
    if sig.len() != SIGNATURE_LEN {
        return Err(Error::InvalidSignature(format!(
            "a secp256k1 signature is 64 bytes (r || s), got {}",
            sig.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_key() -> PrivateKey {
        PrivateKey::from_bytes(&sha256(b"gonka-spec-test-key")).unwrap()
    }

    #[test]
    fn spec_test_key_public_key_and_address() {
        let key = spec_key();
        assert_eq!(
            hex::encode(key.to_bytes().as_ref()),
            "150b11d8da849e844a79beef5ead6177bd589dc393d6b26d9d07fba72d3009c4"
        );
        let public = key.public_key();
        assert_eq!(
            hex::encode(public.compressed()),
            "025819a361c86a64a01976b6ececdaaa3291264fe218595f04a76332a25a76d512"
        );
        assert_eq!(
            public.address("gonka").unwrap(),
            "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
        );
    }

    #[test]
    fn spec_request_signature_is_rfc6979() {
        // Phase-3 inference request signature of the spec (a SHA-256 digest signed directly).
        use base64::Engine;
        let key = spec_key();
        let digest: [u8; 32] =
            hex::decode("e1c540d269d1bffc1e86cd3fc689a0e64218d317045092d9697d6af7ab17eca2")
                .unwrap()
                .try_into()
                .unwrap();
        let expected = base64::engine::general_purpose::STANDARD
            .decode("am696kcTRhl4Z7hoG+w1K5RVbB2eB49DuCAlc7uDsO8P2L1FsTr4YFX8dHhNYvFoXdLVT2GUSsUW9rcaOpW1MA==")
            .unwrap();
        assert_eq!(key.sign_digest(&digest).to_vec(), expected);
        assert!(key.public_key().verify_digest(&digest, &expected));
    }

    #[test]
    fn rejects_out_of_range_private_keys() {
        assert!(PrivateKey::from_bytes(&[0u8; 32]).is_err());
        let order = hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .unwrap();
        assert!(PrivateKey::from_bytes(&order).is_err());
        assert!(PrivateKey::from_bytes(&[1u8; 31]).is_err());
        assert!(PrivateKey::from_hex("zz").is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let key = spec_key();
        let shown = format!("{key:?}");
        assert!(!shown.contains("150b11d8"));
        assert!(shown.contains("025819a3"));
    }

    #[test]
    fn high_s_and_wrong_lengths_do_not_verify() {
        let key = spec_key();
        let public = key.public_key();
        let sig = key.sign(b"msg");
        assert!(public.verify(b"msg", &sig));
        assert!(!public.verify(b"msh", &sig));
        assert!(!public.verify(b"msg", &sig[..63]));
        assert!(check_signature_shape(&sig[..63]).is_err());
        let parsed = Signature::from_slice(&sig).unwrap();
        let high = Signature::from_scalars(parsed.r(), -*parsed.s()).unwrap();
        assert!(bool::from(high.s().is_high()));
        assert!(!public.verify(b"msg", &high.to_bytes()));
    }

    #[test]
    fn public_key_encodings_round_trip_and_off_curve_is_rejected() {
        let public = spec_key().public_key();
        assert_eq!(PublicKey::from_base64(&public.to_base64()).unwrap(), public);
        assert!(PublicKey::from_base64("%%").is_err());
        assert_eq!(PublicKey::from_bytes(&public.compressed()).unwrap(), public);
        assert_eq!(
            PublicKey::from_bytes(&public.uncompressed()).unwrap(),
            public
        );
        let mut off_curve = public.uncompressed();
        off_curve[64] ^= 1;
        assert!(PublicKey::from_bytes(&off_curve).is_err());
        let mut bad_prefix = public.compressed();
        bad_prefix[0] = 5;
        assert!(PublicKey::from_bytes(&bad_prefix).is_err());
    }
}
