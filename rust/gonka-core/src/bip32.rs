//! BIP 32 hierarchical deterministic derivation of secp256k1 keys along any path
//! (hardened and normal steps), and the `xprv`/`xpub` serialization.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use sha2::Sha512;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::{hash160, sha256};
use crate::secp256k1::{PrivateKey, PublicKey};

/// The chain's account path: BIP 44, coin type 1200, account 0, external chain, index 0.
pub const GONKA_PATH: &str = "m/44'/1200'/0'/0/0";
/// The chain's BIP 44 coin type.
pub const GONKA_COIN_TYPE: u32 = 1200;
/// Child numbers at or above this are hardened.
pub const HARDENED: u32 = 0x8000_0000;

const XPRV_VERSION: [u8; 4] = [0x04, 0x88, 0xAD, 0xE4];
const XPUB_VERSION: [u8; 4] = [0x04, 0x88, 0xB2, 0x1E];

/// The account path `m/44'/1200'/account'/0/index`.
pub fn gonka_path(account: u32, index: u32) -> String {
    format!("m/44'/{GONKA_COIN_TYPE}'/{account}'/0/{index}")
}

/// A parsed derivation path: child numbers from the master key down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DerivationPath(Vec<u32>);

impl DerivationPath {
    pub fn steps(&self) -> &[u32] {
        &self.0
    }
}

impl FromStr for DerivationPath {
    type Err = Error;

    /// Parses `m/44'/1200'/0'/0/0`; `'`, `h` or `H` mark hardened steps; `m` alone is the master.
    fn from_str(path: &str) -> Result<Self> {
        let bad =
            |why: String| Error::InvalidInput(format!("invalid derivation path {path:?}: {why}"));
        let mut parts = path.trim().split('/');
        if parts.next() != Some("m") {
            return Err(bad("it must start with \"m\"".into()));
        }
        let mut steps = Vec::new();
        for part in parts {
            let (digits, hardened) = match part.strip_suffix(['\'', 'h', 'H']) {
                Some(digits) => (digits, true),
                None => (part, false),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(format!("step {part:?} is not a number")));
            }
            let index: u32 = digits
                .parse()
                .ok()
                .filter(|i| *i < HARDENED)
                .ok_or_else(|| bad(format!("step {part:?} is not below 2^31")))?;
            steps.push(if hardened { index | HARDENED } else { index });
        }
        Ok(Self(steps))
    }
}

impl fmt::Display for DerivationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("m")?;
        for step in &self.0 {
            if step & HARDENED != 0 {
                write!(f, "/{}'", step & !HARDENED)?;
            } else {
                write!(f, "/{step}")?;
            }
        }
        Ok(())
    }
}

/// An extended private key: a key plus chain code and its place in the tree.
#[derive(Clone)]
pub struct ExtendedPrivateKey {
    key: PrivateKey,
    chain_code: Zeroizing<[u8; 32]>,
    depth: u8,
    parent_fingerprint: [u8; 4],
    child_number: u32,
}

impl ExtendedPrivateKey {
    /// The master key of a BIP 32 seed (16 to 64 bytes; BIP 39 seeds are 64).
    pub fn master(seed: &[u8]) -> Result<Self> {
        if !(16..=64).contains(&seed.len()) {
            return Err(Error::InvalidInput(format!(
                "a BIP 32 seed is 16 to 64 bytes, got {}",
                seed.len()
            )));
        }
        let (il, ir) = hmac_sha512(b"Bitcoin seed", &[seed]);
        let key = PrivateKey::from_bytes(il.as_ref()).map_err(|_| {
            Error::InvalidKey(
                "this seed gives an invalid master key (probability ~2^-127); use another seed"
                    .into(),
            )
        })?;
        Ok(Self {
            key,
            chain_code: ir,
            depth: 0,
            parent_fingerprint: [0; 4],
            child_number: 0,
        })
    }

    /// Derives the key at `path` from a seed.
    pub fn derive_from_seed(seed: &[u8], path: &DerivationPath) -> Result<Self> {
        path.steps()
            .iter()
            .try_fold(Self::master(seed)?, |key, &step| key.child(step))
    }

    /// The child at `index` (hardened when `index >= 2^31`).
    pub fn child(&self, index: u32) -> Result<Self> {
        let public = self.key.public_key().compressed();
        let secret = self.key.to_bytes();
        let number = index.to_be_bytes();
        let (il, ir) = if index & HARDENED != 0 {
            hmac_sha512(
                self.chain_code.as_ref(),
                &[&[0u8], secret.as_ref(), &number],
            )
        } else {
            hmac_sha512(self.chain_code.as_ref(), &[&public, &number])
        };
        // BIP 32: IL must be below n and the child scalar non-zero; otherwise the index is skipped.
        let key = self.key.add_tweak(&il).ok_or_else(|| {
            Error::InvalidKey(format!(
                "child {index} of this key is invalid (probability ~2^-127); use the next index"
            ))
        })?;
        Ok(Self {
            key,
            chain_code: ir,
            depth: self.depth.checked_add(1).ok_or_else(|| {
                Error::InvalidInput("derivation path is deeper than 255 steps".into())
            })?,
            parent_fingerprint: fingerprint(&self.key.public_key()),
            child_number: index,
        })
    }

    /// Derives a descendant along the steps of `path` (its leading `m` means this key).
    pub fn derive(&self, path: &DerivationPath) -> Result<Self> {
        path.steps()
            .iter()
            .try_fold(self.clone(), |key, &step| key.child(step))
    }

    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    pub fn chain_code(&self) -> &[u8; 32] {
        &self.chain_code
    }

    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// The Base58Check `xprv...` string (secret).
    pub fn to_xprv(&self) -> Zeroizing<String> {
        let mut key_data = Zeroizing::new([0u8; 33]);
        key_data[1..].copy_from_slice(self.key.to_bytes().as_ref());
        self.serialize(XPRV_VERSION, &key_data)
    }

    /// The Base58Check `xpub...` string of the matching extended public key.
    pub fn to_xpub(&self) -> String {
        self.serialize(XPUB_VERSION, &self.public_key().compressed())
            .to_string()
    }

    fn serialize(&self, version: [u8; 4], key_data: &[u8; 33]) -> Zeroizing<String> {
        let mut payload = Zeroizing::new(Vec::with_capacity(82));
        payload.extend_from_slice(&version);
        payload.push(self.depth);
        payload.extend_from_slice(&self.parent_fingerprint);
        payload.extend_from_slice(&self.child_number.to_be_bytes());
        payload.extend_from_slice(self.chain_code.as_ref());
        payload.extend_from_slice(key_data);
        let checksum = sha256(&sha256(&payload));
        payload.extend_from_slice(&checksum[..4]);
        Zeroizing::new(base58_encode(&payload))
    }
}

impl fmt::Debug for ExtendedPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtendedPrivateKey")
            .field("depth", &self.depth)
            .field("child_number", &self.child_number)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// The private key at `path` (a string such as [`GONKA_PATH`]) under a BIP 39 seed.
pub fn derive_private_key(seed: &[u8], path: &str) -> Result<PrivateKey> {
    let path: DerivationPath = path.parse()?;
    Ok(ExtendedPrivateKey::derive_from_seed(seed, &path)?.key)
}

fn fingerprint(key: &PublicKey) -> [u8; 4] {
    let id = hash160(&key.compressed());
    [id[0], id[1], id[2], id[3]]
}

fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    let out = Zeroizing::new(<[u8; 64]>::from(mac.finalize().into_bytes()));
    let mut left = Zeroizing::new([0u8; 32]);
    let mut right = Zeroizing::new([0u8; 32]);
    left.copy_from_slice(&out[..32]);
    right.copy_from_slice(&out[32..]);
    (left, right)
}

fn base58_encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let zeros = data.iter().take_while(|&&b| b == 0).count();
    // Base-58 digits, least significant first.
    let mut digits = Zeroizing::new(Vec::<u8>::with_capacity(data.len() * 138 / 100 + 1));
    for &byte in &data[zeros..] {
        let mut carry = u32::from(byte);
        for digit in digits.iter_mut() {
            carry += u32::from(*digit) << 8;
            *digit = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    out.extend(digits.iter().rev().map(|&d| ALPHABET[d as usize] as char));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_print() {
        let path: DerivationPath = GONKA_PATH.parse().unwrap();
        assert_eq!(
            path.steps(),
            &[44 | HARDENED, 1200 | HARDENED, HARDENED, 0, 0]
        );
        assert_eq!(path.to_string(), GONKA_PATH);
        assert_eq!(
            "m/44h/1200H/0'"
                .parse::<DerivationPath>()
                .unwrap()
                .to_string(),
            "m/44'/1200'/0'"
        );
        assert_eq!(
            "m".parse::<DerivationPath>().unwrap().steps(),
            &[] as &[u32]
        );
        assert_eq!(gonka_path(2, 7), "m/44'/1200'/2'/0/7");
        for bad in [
            "",
            "44'/0",
            "m/",
            "m/x",
            "m/2147483648",
            "m/-1",
            "m//1",
            "m/1''",
        ] {
            let err = bad.parse::<DerivationPath>().unwrap_err();
            assert!(
                err.to_string().contains("invalid derivation path"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn base58_matches_known_strings() {
        assert_eq!(base58_encode(b""), "");
        assert_eq!(base58_encode(&[0, 0, 1]), "112");
        assert_eq!(base58_encode(b"hello world"), "StV1DL6CwTryKyV");
    }

    #[test]
    fn seed_length_is_checked() {
        assert!(ExtendedPrivateKey::master(&[0u8; 15]).is_err());
        assert!(ExtendedPrivateKey::master(&[0u8; 65]).is_err());
    }
}
