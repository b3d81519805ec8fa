//! secp256k1 account keys as the chain uses them: ECDSA over SHA-256, RFC 6979 nonces, low-S,
//! 64-byte `r || s` signatures, 33-byte compressed public keys and hash160 address bytes.
//!
//! The curve arithmetic is libsecp256k1 (Bitcoin Core's constant-time C library), the same code
//! the Go keyring's fast path and coincurve run.

use std::fmt;
use std::sync::LazyLock;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use secp256k1::ecdsa::Signature;
use std::os::raw::{c_int, c_uchar, c_uint, c_void};

use secp256k1::ffi::{self, CPtr};
use secp256k1::{All, Message, Scalar, Secp256k1, SecretKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::{hash160, sha256};

/// Length of a compact `r || s` signature.
pub const SIGNATURE_LEN: usize = 64;
/// Length of a compressed SEC1 public key.
pub const COMPRESSED_LEN: usize = 33;
/// Length of an uncompressed SEC1 public key.
pub const UNCOMPRESSED_LEN: usize = 65;

/// One context for the process, blinded with OS randomness against side channels.
static CONTEXT: LazyLock<Secp256k1<All>> = LazyLock::new(|| {
    let mut context = Secp256k1::new();
    let mut seed = Zeroizing::new([0u8; 32]);
    if crate::random::fill(seed.as_mut()).is_ok() {
        context.seeded_randomize(&seed);
    }
    context
});

/// A secp256k1 private key. The scalar is wiped from memory when the key is dropped and is never
/// printed by `Debug`.
#[derive(Clone)]
pub struct PrivateKey {
    secret: SecretKey,
    // Cached: deriving it is a scalar multiplication.
    public: secp256k1::PublicKey,
}

impl PrivateKey {
    /// A key from 32 big-endian bytes; the scalar must be in `1..n`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let Ok(array) = <[u8; 32]>::try_from(bytes) else {
            return Err(Error::InvalidKey(format!(
                "a secp256k1 private key is 32 bytes, got {}",
                bytes.len()
            )));
        };
        // The stack copy is wiped too.
        let array = Zeroizing::new(array);
        let secret = SecretKey::from_byte_array(*array).map_err(|_| {
            Error::InvalidKey(
                "private key is out of range: it must be a non-zero integer below the secp256k1 group order"
                    .into(),
            )
        })?;
        Ok(Self::from_secret(secret))
    }

    fn from_secret(secret: SecretKey) -> Self {
        let public = secp256k1::PublicKey::from_secret_key(&CONTEXT, &secret);
        Self { secret, public }
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
        Zeroizing::new(self.secret.secret_bytes())
    }

    /// The secret as 64 lowercase hex digits, in a buffer that is wiped when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.to_bytes().as_ref()))
    }

    /// `self + tweak (mod n)` for BIP 32; None when the tweak is not below n or the sum is zero.
    pub(crate) fn add_tweak(&self, tweak: &[u8; 32]) -> Option<Self> {
        let tweak = Scalar::from_be_bytes(*tweak).ok()?;
        self.secret.add_tweak(&tweak).ok().map(Self::from_secret)
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey { inner: self.public }
    }

    /// ECDSA signature of SHA-256(`msg`): RFC 6979 nonce, low-S, 64 bytes `r || s`.
    pub fn sign(&self, msg: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.sign_digest(&sha256(msg))
    }

    /// ECDSA signature of a 32-byte digest the caller has already computed.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> [u8; SIGNATURE_LEN] {
        // libsecp256k1 signs (constant time, always low-S); the RFC 6979 nonce comes from
        // `rfc6979_nonce`, byte-identical to the library's own but several times faster to derive.
        // SAFETY: the signature is an output buffer the call fills; the context, digest and
        // secret are valid for the call; the nonce function writes only its 32-byte output and
        // never unwinds.
        let mut signature = unsafe { ffi::Signature::new() };
        let ok = unsafe {
            ffi::secp256k1_ecdsa_sign(
                CONTEXT.ctx().as_ptr(),
                &mut signature,
                digest.as_c_ptr(),
                self.secret.as_c_ptr(),
                Some(rfc6979_nonce),
                std::ptr::null(),
            )
        };
        // Fails only when the nonce function gives up, which ours never does.
        assert_eq!(ok, 1, "libsecp256k1 refused to sign with a valid key");
        Signature::from(signature).serialize_compact()
    }

    /// The signature libsecp256k1 makes with its built-in nonce function (the oracle for
    /// `rfc6979_nonce` in the tests).
    #[cfg(test)]
    fn sign_digest_builtin_nonce(&self, digest: &[u8; 32]) -> [u8; SIGNATURE_LEN] {
        CONTEXT
            .sign_ecdsa(Message::from_digest(*digest), &self.secret)
            .serialize_compact()
    }
}

/// libsecp256k1's nonce-function interface over [`crate::rfc6979::nonce`]: the nonce its own
/// `nonce_function_rfc6979` would give, derived with the CPU's SHA instructions.
unsafe extern "C" fn rfc6979_nonce(
    nonce32: *mut c_uchar,
    msg32: *const c_uchar,
    key32: *const c_uchar,
    algo16: *const c_uchar,
    data: *mut c_void,
    attempt: c_uint,
) -> c_int {
    // ECDSA passes neither an algorithm tag nor extra data; refuse anything else.
    if !algo16.is_null() || !data.is_null() {
        return 0;
    }
    // SAFETY: libsecp256k1 passes 32 readable bytes for msg32/key32 and 32 writable for nonce32.
    let (key, msg, nonce) = unsafe {
        (
            std::slice::from_raw_parts(key32, 32),
            std::slice::from_raw_parts(msg32, 32),
            std::slice::from_raw_parts_mut(nonce32, 32),
        )
    };
    nonce.copy_from_slice(crate::rfc6979::nonce(key, msg, attempt).as_ref());
    1
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.secret.non_secure_erase();
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public_key", &self.public_key().to_hex())
            .finish_non_exhaustive()
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        // Constant-time comparison of the secrets.
        let (a, b) = (self.to_bytes(), other.to_bytes());
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }
}

impl Eq for PrivateKey {}

/// A secp256k1 public key (a point on the curve, never the identity).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey {
    inner: secp256k1::PublicKey,
}

impl PublicKey {
    /// A key from SEC1 bytes: 33 compressed or 65 uncompressed; points off the curve are rejected.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        // Only the standard SEC1 forms; the hybrid (0x06/0x07) forms are refused.
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
        secp256k1::PublicKey::from_slice(bytes)
            .map(|inner| Self { inner })
            .map_err(|_| {
                Error::InvalidKey(
                    "public key is not a valid secp256k1 point (not on the curve)".into(),
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
        self.inner.serialize()
    }

    /// The 65-byte uncompressed SEC1 encoding.
    pub fn uncompressed(&self) -> [u8; UNCOMPRESSED_LEN] {
        self.inner.serialize_uncompressed()
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
        if sig.len() != SIGNATURE_LEN {
            return false;
        }
        // Parsing refuses r or s not below n; verification refuses zero and (as the chain does)
        // high-S values.
        let Ok(signature) = Signature::from_compact(sig) else {
            return false;
        };
        CONTEXT
            .verify_ecdsa(Message::from_digest(*digest), &signature, &self.inner)
            .is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
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
        // s -> n - s: the same signature in its high-S form.
        let order = hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .unwrap();
        let mut high = sig;
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut diff = i16::from(order[i]) - i16::from(sig[32 + i]) - borrow;
            borrow = i16::from(diff < 0);
            if diff < 0 {
                diff += 256;
            }
            high[32 + i] = diff as u8;
        }
        assert!(high[32] >= 0x80);
        let mut normalized = Signature::from_compact(&high).unwrap();
        normalized.normalize_s();
        assert_eq!(normalized.serialize_compact(), sig);
        assert!(!public.verify(b"msg", &high));
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
        for tag in [0x05u8, 0x06, 0x07] {
            let mut hybrid = public.uncompressed();
            hybrid[0] = tag;
            assert!(PublicKey::from_bytes(&hybrid).is_err());
            let mut compact = public.compressed();
            compact[0] = tag;
            assert!(PublicKey::from_bytes(&compact).is_err());
        }
    }

    fn nonce_of(
        function: unsafe extern "C" fn(
            *mut c_uchar,
            *const c_uchar,
            *const c_uchar,
            *const c_uchar,
            *mut c_void,
            c_uint,
        ) -> c_int,
        key: &[u8; 32],
        msg: &[u8; 32],
        attempt: u32,
    ) -> (c_int, [u8; 32]) {
        let mut nonce = [0u8; 32];
        let ok = unsafe {
            function(
                nonce.as_mut_ptr(),
                msg.as_ptr(),
                key.as_ptr(),
                std::ptr::null(),
                std::ptr::null_mut(),
                attempt,
            )
        };
        (ok, nonce)
    }

    proptest::proptest! {
        #[test]
        fn signatures_match_libsecp256k1_builtin_nonce(
            secret in proptest::array::uniform32(proptest::num::u8::ANY),
            digest in proptest::array::uniform32(proptest::num::u8::ANY),
        ) {
            if let Ok(key) = PrivateKey::from_bytes(&secret) {
                proptest::prop_assert_eq!(
                    key.sign_digest(&digest),
                    key.sign_digest_builtin_nonce(&digest)
                );
            }
        }

        #[test]
        fn every_nonce_attempt_matches_libsecp256k1(
            key in proptest::array::uniform32(proptest::num::u8::ANY),
            msg in proptest::array::uniform32(proptest::num::u8::ANY),
            attempt in 0u32..4,
        ) {
            // Later attempts only happen when a nonce is out of range (probability ~2^-128),
            // so they are compared at the nonce function itself.
            let builtin = unsafe { ffi::secp256k1_nonce_function_rfc6979 }
                .expect("libsecp256k1 exports it");
            proptest::prop_assert_eq!(
                nonce_of(rfc6979_nonce, &key, &msg, attempt),
                nonce_of(builtin, &key, &msg, attempt)
            );
        }
    }

    #[test]
    fn nonce_function_refuses_extra_data() {
        let mut nonce = [0u8; 32];
        let tag = [0u8; 16];
        let ok = unsafe {
            rfc6979_nonce(
                nonce.as_mut_ptr(),
                [1u8; 32].as_ptr(),
                [2u8; 32].as_ptr(),
                tag.as_ptr(),
                std::ptr::null_mut(),
                0,
            )
        };
        assert_eq!(ok, 0);
    }
}
