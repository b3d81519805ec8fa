//! RFC 6979 deterministic ECDSA nonces: HMAC-DRBG over SHA-256, seeded with the secret key and
//! the digest, exactly as libsecp256k1's `nonce_function_rfc6979` derives them.
//!
//! Ours hashes with sha2 (the CPU's SHA instructions where present) and, like libsecp256k1, only
//! re-keys the generator when a further nonce is asked for; the tests compare both bit for bit.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Nonce number `attempt` (0 is the first; later ones are needed only when a nonce is out of
/// range) for the 32-byte secret `key` and the digest `msg` already reduced modulo the order.
pub(crate) fn nonce(key: &[u8], msg: &[u8], attempt: u32) -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    let mut v = Zeroizing::new([1u8; 32]);
    // RFC 6979 section 3.2, steps d to g.
    *k = hmac_sha256(&k, &[v.as_ref(), &[0x00], key, msg]);
    *v = hmac_sha256(&k, &[v.as_ref()]);
    *k = hmac_sha256(&k, &[v.as_ref(), &[0x01], key, msg]);
    *v = hmac_sha256(&k, &[v.as_ref()]);
    // Step h: every earlier attempt produced V = HMAC(V), then re-keyed the generator.
    for _ in 0..attempt {
        *v = hmac_sha256(&k, &[v.as_ref()]);
        *k = hmac_sha256(&k, &[v.as_ref(), &[0x00]]);
        *v = hmac_sha256(&k, &[v.as_ref()]);
    }
    *v = hmac_sha256(&k, &[v.as_ref()]);
    v
}
