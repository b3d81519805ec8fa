//! Decoding TxRaw bytes: the body's messages as values (typed when registered) or as the Rust enums, the
//! auth info, and the exact signed bytes, whose signatures verify against the signers' keys.

use std::ops::Range;

use serde::Serialize;

use super::{sign_doc, AuthInfo, ModeInfo, Tx, TxBody};
use crate::any::malformed;
use crate::coin;
use crate::json::int_str;
use crate::msg::{Msg, PubKey};
use crate::time::Timestamp;
use crate::value::json::JsonAny;
use crate::value::wire::{Reader, LEN};
use crate::value::{check, wire, AnyValue, Value};
use gonka_core::secp256k1::PublicKey;
use gonka_core::{Error, Result};

/// A decoded TxBody with its messages as values (registered types typed, any other raw), for callers that
/// take any registered message (the Python bindings); [`TxBody`] holds the typed Rust enums instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyValues {
    #[serde(serialize_with = "any_list")]
    pub messages: Vec<AnyValue>,
    pub memo: String,
    #[serde(with = "int_str")]
    pub timeout_height: u64,
    pub unordered: bool,
    pub timeout_timestamp: Option<Timestamp>,
    #[serde(serialize_with = "any_list")]
    pub extension_options: Vec<AnyValue>,
    #[serde(serialize_with = "any_list")]
    pub non_critical_extension_options: Vec<AnyValue>,
}

fn any_list<S: serde::Serializer>(anys: &[AnyValue], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(anys.iter().map(JsonAny))
}

impl BodyValues {
    /// Decodes TxBody bytes; every Any is unpacked within the SDK's caps. The body is read by its schema,
    /// so the messages are decoded straight from the body's bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        static SCHEMA: std::sync::OnceLock<&'static crate::schema::MessageSchema> =
            std::sync::OnceLock::new();
        let schema = *SCHEMA.get_or_init(|| crate::schema::builtin("cosmos.tx.v1beta1.TxBody"));
        let mut fields = wire::decode(schema, bytes)?.into_fields();
        let mut take = |name: &str| {
            schema.field_index(name).map_or(Value::Null, |i| {
                std::mem::replace(&mut fields[i], Value::Null)
            })
        };
        let anys = |value: Value| -> Vec<AnyValue> {
            match value {
                Value::List(items) => items
                    .into_iter()
                    .filter_map(|v| match v {
                        Value::Any(any) => Some(*any),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        Ok(Self {
            messages: anys(take("messages")),
            memo: match take("memo") {
                Value::String(memo) => memo,
                _ => String::new(),
            },
            timeout_height: match take("timeout_height") {
                Value::U64(height) => height,
                _ => 0,
            },
            unordered: matches!(take("unordered"), Value::Bool(true)),
            timeout_timestamp: match take("timeout_timestamp") {
                Value::Timestamp(ts) => Some(ts),
                _ => None,
            },
            extension_options: anys(take("extension_options")),
            non_critical_extension_options: anys(take("non_critical_extension_options")),
        })
    }

    /// Checks every message and option as an encoder would before signing them.
    pub fn check(&self) -> Result<()> {
        let lists = [
            ("messages", &self.messages),
            ("extension_options", &self.extension_options),
            (
                "non_critical_extension_options",
                &self.non_critical_extension_options,
            ),
        ];
        let _session = check::Session::start();
        for (name, anys) in lists {
            for (i, any) in anys.iter().enumerate() {
                check::any_in(any, name, i)?;
            }
        }
        if let Some(ts) = &self.timeout_timestamp {
            ts.validate("timeout_timestamp")?;
        }
        Ok(())
    }

    pub fn into_typed(self) -> Result<TxBody> {
        let typed = |anys: Vec<AnyValue>| -> Result<Vec<Msg>> {
            anys.into_iter().map(Msg::from_any_value).collect()
        };
        Ok(TxBody {
            messages: typed(self.messages)?,
            memo: self.memo,
            timeout_height: self.timeout_height,
            unordered: self.unordered,
            timeout_timestamp: self.timeout_timestamp,
            extension_options: typed(self.extension_options)?,
            non_critical_extension_options: typed(self.non_critical_extension_options)?,
        })
    }
}

/// A decoded TxRaw: the typed transaction and the exact bytes that were signed.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedTx {
    pub tx: Tx,
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
}

impl DecodedTx {
    /// Verifies every SIGN_MODE_DIRECT signature over the signed bytes, with the signers' account
    /// numbers in signer order.
    pub fn verify(&self, chain_id: &str, account_numbers: &[u64]) -> Result<()> {
        verify_signatures(
            &self.tx.auth_info,
            &self.tx.signatures,
            &self.body_bytes,
            &self.auth_info_bytes,
            chain_id,
            account_numbers,
        )
    }
}

/// Verifies the SIGN_MODE_DIRECT signature of every signer (in signer order, with its account number)
/// over the signed bytes.
pub fn verify_signatures(
    auth_info: &AuthInfo,
    signatures: &[Vec<u8>],
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_numbers: &[u64],
) -> Result<()> {
    let signers = &auth_info.signer_infos;
    if signers.len() != signatures.len() || signers.len() != account_numbers.len() {
        return Err(Error::InvalidSignature(format!(
            "{} signer infos, {} signatures and {} account numbers do not match",
            signers.len(),
            signatures.len(),
            account_numbers.len()
        )));
    }
    for (i, ((signer, sig), account)) in signers
        .iter()
        .zip(signatures)
        .zip(account_numbers)
        .enumerate()
    {
        let Some(PubKey::Secp256k1(key)) = &signer.public_key else {
            return Err(Error::InvalidSignature(format!(
                "signer {i} has no secp256k1 public key to verify with"
            )));
        };
        if signer.mode_info != ModeInfo::direct() {
            return Err(Error::InvalidSignature(format!(
                "signer {i} did not sign in SIGN_MODE_DIRECT"
            )));
        }
        let key = PublicKey::from_bytes(&key.key)?;
        let doc = sign_doc(body_bytes, auth_info_bytes, chain_id, *account);
        if !key.verify(&doc, sig) {
            return Err(Error::InvalidSignature(format!(
                "signature {i} does not verify for chain {chain_id:?}, account number {account}"
            )));
        }
    }
    Ok(())
}

/// A decoded TxRaw with its body as values (see [`BodyValues`]), and where the exact bytes that were signed
/// sit in it (they are not copied).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedValues {
    pub body: BodyValues,
    pub auth_info: AuthInfo,
    pub signatures: Vec<Vec<u8>>,
    pub body_range: Range<usize>,
    pub auth_info_range: Range<usize>,
}

impl DecodedValues {
    /// Checks every message, the timeout and the fee coins, as an encoder would before signing them.
    pub fn check(&self) -> Result<()> {
        let _session = check::Session::start();
        self.body.check()?;
        coin::validate_all("fee.amount", &self.auth_info.fee.amount)
    }
}

/// Decodes TxRaw bytes, keeping the messages as values. Malformed input is an `InvalidInput` error, never a
/// panic.
pub fn decode_tx_values(raw: &[u8]) -> Result<DecodedValues> {
    let bad = |e: String| malformed("TxRaw", e);
    let (mut body_range, mut auth_info_range, mut signatures) = (0..0, 0..0, Vec::new());
    let mut reader = Reader::new(raw);
    while !reader.done() {
        let (number, wire) = reader.tag().map_err(bad)?;
        if !matches!(number, 1..=3) {
            reader.skip(wire).map_err(bad)?;
            continue;
        }
        if wire != LEN {
            return Err(bad(format!(
                "field {number} has wire type {wire}, expected {LEN}"
            )));
        }
        let bytes = reader.len_delimited().map_err(bad)?;
        let range = reader.position() - bytes.len()..reader.position();
        match number {
            1 => body_range = range,
            2 => auth_info_range = range,
            _ => signatures.push(bytes.to_vec()),
        }
    }
    Ok(DecodedValues {
        body: BodyValues::decode(&raw[body_range.clone()])?,
        auth_info: AuthInfo::decode(&raw[auth_info_range.clone()])?,
        signatures,
        body_range,
        auth_info_range,
    })
}

/// Decodes TxRaw bytes. Malformed input is an `InvalidInput` error, never a panic.
pub fn decode_tx(raw: &[u8]) -> Result<DecodedTx> {
    let values = decode_tx_values(raw)?;
    Ok(DecodedTx {
        tx: Tx {
            body: values.body.into_typed()?,
            auth_info: values.auth_info,
            signatures: values.signatures,
        },
        body_bytes: raw[values.body_range].to_vec(),
        auth_info_bytes: raw[values.auth_info_range].to_vec(),
    })
}
