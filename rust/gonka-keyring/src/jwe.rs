//! The compact JWE of a keyring item: `PBES2-HS256+A128KW` key wrapping (a key derived from the passphrase
//! wraps the content key) and `A256GCM` content encryption, as jose2go writes it for 99designs/keyring.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use aes_kw::KekAes128;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::Error;

pub const KEY_ALGORITHM: &str = "PBES2-HS256+A128KW";
pub const CONTENT_ALGORITHM: &str = "A256GCM";
/// The most PBKDF2 iterations an item may ask for (jwcrypto's limit): a hostile file could otherwise ask
/// for billions and hang the reader.
pub const MAX_ITERATIONS: u32 = 16_384;

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    p2s: String,
    p2c: u64,
    #[serde(default)]
    zip: Option<String>,
}

fn part(text: &str, what: &str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('=').as_bytes())
        .map_err(|e| Error::Decrypt(format!("the {what} is not base64url: {e}")))
}

/// Decrypts a compact JWE with the passphrase; the plaintext is wiped when dropped. A wrong passphrase
/// and a tampered item fail the same way (the key unwrap or the GCM tag does not check out).
pub fn decrypt(token: &str, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [protected, wrapped_key, iv, ciphertext, tag] = parts[..] else {
        return Err(Error::Decrypt(format!(
            "a compact JWE has 5 parts, got {}",
            parts.len()
        )));
    };
    let header: Header = serde_json::from_slice(&part(protected, "header")?)
        .map_err(|e| Error::Decrypt(format!("the header is not a JWE header: {e}")))?;
    if header.alg != KEY_ALGORITHM || header.enc != CONTENT_ALGORITHM {
        return Err(Error::Decrypt(format!(
            "unsupported algorithms {} / {} (expected {KEY_ALGORITHM} / {CONTENT_ALGORITHM})",
            header.alg, header.enc
        )));
    }
    if header.zip.is_some() {
        return Err(Error::Decrypt("compressed items are not supported".into()));
    }
    let iterations = u32::try_from(header.p2c)
        .ok()
        .filter(|n| (1..=MAX_ITERATIONS).contains(n))
        .ok_or_else(|| {
            Error::Decrypt(format!(
                "p2c {} is outside 1..={MAX_ITERATIONS}",
                header.p2c
            ))
        })?;
    // The salt is the algorithm's name, a zero byte and the item's own salt (RFC 7518, 4.8.1.1).
    let mut salt = KEY_ALGORITHM.as_bytes().to_vec();
    salt.push(0);
    salt.extend_from_slice(&part(&header.p2s, "salt")?);
    let mut kek = Zeroizing::new([0u8; 16]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, &salt, iterations, kek.as_mut());
    let mut cek = Zeroizing::new([0u8; 32]);
    let wrapped = part(wrapped_key, "encrypted key")?;
    if wrapped.len() != 40 {
        return Err(Error::Decrypt(format!(
            "the encrypted key is {} bytes, an A256GCM key wraps into 40",
            wrapped.len()
        )));
    }
    KekAes128::from(*kek)
        .unwrap(&wrapped, cek.as_mut())
        .map_err(|_| Error::Decrypt("the key does not unwrap".into()))?;
    let nonce = part(iv, "iv")?;
    if nonce.len() != 12 {
        return Err(Error::Decrypt(format!(
            "the iv is {} bytes, A256GCM uses 12",
            nonce.len()
        )));
    }
    let mut sealed = part(ciphertext, "ciphertext")?;
    sealed.extend_from_slice(&part(tag, "tag")?);
    let cipher = Aes256Gcm::new_from_slice(cek.as_ref())
        .map_err(|_| Error::Decrypt("bad content key length".into()))?;
    let plaintext = cipher
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &sealed,
                aad: protected.as_bytes(),
            },
        )
        .map_err(|_| Error::Decrypt("the authentication tag does not verify".into()))?;
    Ok(Zeroizing::new(plaintext))
}
