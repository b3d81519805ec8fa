//! The transaction envelope: TxBody, AuthInfo (signer infos and fee: [`auth`]), SignDoc and TxRaw;
//! SIGN_MODE_DIRECT signing, the CometBFT hash, and decoding with signature verification ([`decode`]).

mod auth;
mod decode;

pub use auth::{AuthInfo, Fee, ModeInfo, SignerInfo, SingleMode};
pub use decode::{
    decode_tx, decode_tx_values, verify_signatures, BodyValues, DecodedTx, DecodedValues,
};

use prost::Message as _;
use serde::{Deserialize, Serialize};

use crate::json::{base64_bytes, int_str};
use crate::msg::Msg;
use crate::proto::cosmos::tx::v1beta1 as pb;
use crate::time::Timestamp;
use gonka_core::secp256k1::PrivateKey;
use gonka_core::{Error, Result};

/// The longest an unordered transaction may wait: the SDK's default TTL bound (ADR-070).
pub const MAX_UNORDERED_TTL_SECONDS: i64 = 600;

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct TxBody {
    pub messages: Vec<Msg>,
    #[serde(default)]
    pub memo: String,
    #[serde(default, with = "int_str")]
    pub timeout_height: u64,
    #[serde(default)]
    pub unordered: bool,
    #[serde(default)]
    pub timeout_timestamp: Option<Timestamp>,
    #[serde(default)]
    pub extension_options: Vec<Msg>,
    #[serde(default)]
    pub non_critical_extension_options: Vec<Msg>,
}

impl TxBody {
    pub fn validate(&self) -> Result<()> {
        if self.messages.is_empty() {
            return Err(Error::InvalidInput(
                "a transaction needs at least one message".into(),
            ));
        }
        if self.unordered {
            if self.timeout_timestamp.is_none() {
                return Err(Error::InvalidInput(
                    "an unordered transaction needs a timeout_timestamp".into(),
                ));
            }
            if self.timeout_height != 0 {
                return Err(Error::InvalidInput(
                    "an unordered transaction cannot have a timeout_height".into(),
                ));
            }
        }
        if let Some(ts) = &self.timeout_timestamp {
            ts.validate("timeout_timestamp")?;
        }
        Ok(())
    }

    /// The body bytes that get signed, after validation of every message.
    pub fn encode(&self) -> Result<Vec<u8>> {
        self.validate()?;
        let anys = |field: &str, msgs: &[Msg]| -> Result<Vec<crate::proto::Any>> {
            msgs.iter()
                .enumerate()
                .map(|(i, m)| m.to_any(&format!("{field}[{i}]")))
                .collect()
        };
        Ok(pb::TxBody {
            messages: anys("messages", &self.messages)?,
            memo: self.memo.clone(),
            timeout_height: self.timeout_height,
            unordered: self.unordered,
            timeout_timestamp: self.timeout_timestamp.map(Timestamp::to_proto),
            extension_options: anys("extension_options", &self.extension_options)?,
            non_critical_extension_options: anys(
                "non_critical_extension_options",
                &self.non_critical_extension_options,
            )?,
        }
        .encode_to_vec())
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        BodyValues::decode(bytes)?.into_typed()
    }

    /// Checks what the chain checks against its clock before it accepts the transaction: an
    /// unordered transaction has sequence 0 and a timeout in the future, at most 10 minutes ahead.
    pub fn check_signable(&self, sequence: u64, now: Timestamp) -> Result<()> {
        check_unordered(
            self.unordered,
            self.timeout_timestamp,
            self.timeout_height,
            sequence,
            now,
        )
    }
}

impl Serialize for TxBody {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let values = |msgs: &[Msg]| msgs.iter().map(Msg::to_any_value).collect();
        BodyValues {
            messages: values(&self.messages),
            memo: self.memo.clone(),
            timeout_height: self.timeout_height,
            unordered: self.unordered,
            timeout_timestamp: self.timeout_timestamp,
            extension_options: values(&self.extension_options),
            non_critical_extension_options: values(&self.non_critical_extension_options),
        }
        .serialize(s)
    }
}

/// See [`TxBody::check_signable`].
pub fn check_unordered(
    unordered: bool,
    timeout: Option<Timestamp>,
    timeout_height: u64,
    sequence: u64,
    now: Timestamp,
) -> Result<()> {
    if !unordered {
        return Ok(());
    }
    if sequence != 0 {
        return Err(Error::InvalidInput(format!(
            "an unordered transaction is signed with sequence 0, got {sequence}"
        )));
    }
    if timeout_height != 0 {
        return Err(Error::InvalidInput(
            "an unordered transaction cannot have a timeout_height".into(),
        ));
    }
    let Some(timeout) = timeout else {
        return Err(Error::InvalidInput(
            "an unordered transaction needs a timeout_timestamp".into(),
        ));
    };
    let ahead = timeout.unix_nanos() - now.unix_nanos();
    if ahead <= 0 {
        return Err(Error::InvalidInput(format!(
            "timeout_timestamp {timeout} is not in the future (now {now})"
        )));
    }
    if ahead > i128::from(MAX_UNORDERED_TTL_SECONDS) * 1_000_000_000 {
        return Err(Error::InvalidInput(format!(
            "timeout_timestamp {timeout} is more than {MAX_UNORDERED_TTL_SECONDS} s ahead of now ({now})"
        )));
    }
    Ok(())
}

/// A transaction in its JSON form (what `inferenced` writes and the REST API returns).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tx {
    pub body: TxBody,
    pub auth_info: AuthInfo,
    #[serde(default, with = "base64_list")]
    pub signatures: Vec<Vec<u8>>,
}

impl Serialize for Tx {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        TxJson {
            body: &self.body,
            auth_info: &self.auth_info,
            signatures: &self.signatures,
        }
        .serialize(s)
    }
}

/// The JSON form of a transaction, whatever holds its body.
#[derive(Serialize)]
pub struct TxJson<'a, B: Serialize> {
    pub body: &'a B,
    pub auth_info: &'a AuthInfo,
    #[serde(with = "base64_list")]
    pub signatures: &'a [Vec<u8>],
}

mod base64_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Item(#[serde(with = "base64_bytes")] Vec<u8>);

    pub fn serialize<S: Serializer>(v: &[Vec<u8>], s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|b| Item(b.clone())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Vec<Vec<u8>>, D::Error> {
        Ok(Vec::<Item>::deserialize(d)?
            .into_iter()
            .map(|i| i.0)
            .collect())
    }
}

impl Tx {
    /// Re-encodes body and auth info into TxRaw bytes.
    pub fn to_raw(&self) -> Result<Vec<u8>> {
        Ok(tx_raw(
            &self.body.encode()?,
            &self.auth_info.encode()?,
            &self.signatures,
        ))
    }
}

/// The SIGN_MODE_DIRECT sign bytes.
pub fn sign_doc(
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: u64,
) -> Vec<u8> {
    pb::SignDoc {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        chain_id: chain_id.to_string(),
        account_number,
    }
    .encode_to_vec()
}

/// The broadcast form.
pub fn tx_raw(body_bytes: &[u8], auth_info_bytes: &[u8], signatures: &[Vec<u8>]) -> Vec<u8> {
    pb::TxRaw {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        signatures: signatures.to_vec(),
    }
    .encode_to_vec()
}

/// Signs body and auth info (SIGN_MODE_DIRECT) and returns the TxRaw bytes.
pub fn sign_direct(
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: u64,
    key: &PrivateKey,
) -> Result<Vec<u8>> {
    if chain_id.is_empty() {
        return Err(Error::InvalidInput("chain_id must not be empty".into()));
    }
    let doc = pb::SignDoc {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        chain_id: chain_id.to_string(),
        account_number,
    };
    let signature = key.sign(&doc.encode_to_vec());
    // The signed bytes move into the TxRaw: the same bytes, without copying them again.
    Ok(pb::TxRaw {
        body_bytes: doc.body_bytes,
        auth_info_bytes: doc.auth_info_bytes,
        signatures: vec![signature.to_vec()],
    }
    .encode_to_vec())
}

/// The transaction hash as CometBFT shows it: upper-case hex SHA-256 of the TxRaw bytes.
pub fn tx_hash(raw: &[u8]) -> String {
    hex::encode_upper(gonka_core::hash::sha256(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::new(seconds, 0).unwrap()
    }

    #[test]
    fn unordered_rules() {
        let now = at(1_000_000);
        check_unordered(true, Some(at(1_000_060)), 0, 0, now).unwrap();
        check_unordered(true, Some(at(1_000_600)), 0, 0, now).unwrap();
        check_unordered(false, None, 5, 9, now).unwrap();
        let err = |r: Result<()>| r.unwrap_err().to_string();
        assert!(err(check_unordered(true, Some(at(1_000_601)), 0, 0, now)).contains("ahead"));
        assert!(err(check_unordered(true, Some(now), 0, 0, now)).contains("future"));
        assert!(err(check_unordered(true, Some(at(1_000_060)), 0, 1, now)).contains("sequence 0"));
        assert!(
            err(check_unordered(true, Some(at(1_000_060)), 3, 0, now)).contains("timeout_height")
        );
        assert!(err(check_unordered(true, None, 0, 0, now)).contains("timeout_timestamp"));
    }
}
