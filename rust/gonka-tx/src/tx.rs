//! The transaction envelope: TxBody, AuthInfo (signer infos and fee), SignDoc and TxRaw;
//! SIGN_MODE_DIRECT signing, the CometBFT hash, decoding and signature verification.

use prost::Message as _;
use serde::{Deserialize, Serialize};

use crate::any::malformed;
use crate::coin::{self, Coin};
use crate::json::{base64_bytes, int_str};
use crate::msg::{Msg, PubKey};
use crate::proto::cosmos::tx::signing::v1beta1::SignMode;
use crate::proto::cosmos::tx::v1beta1 as pb;
use crate::time::Timestamp;
use crate::validate::{invalid, optional_address};
use crate::value::json::JsonAny;
use crate::value::{check, wire, AnyValue, Value};
use gonka_core::secp256k1::{PrivateKey, PublicKey};
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
        let schema = crate::schema::builtin("cosmos.tx.v1beta1.TxBody");
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

/// The fee: `gas_limit` and the amount paid, by the signer or `payer`, or by `granter` through a
/// feegrant allowance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fee {
    #[serde(default)]
    pub amount: Vec<Coin>,
    #[serde(with = "int_str")]
    pub gas_limit: u64,
    #[serde(default)]
    pub payer: String,
    #[serde(default)]
    pub granter: String,
}

impl Fee {
    pub fn validate(&self) -> Result<()> {
        coin::validate_all("fee.amount", &self.amount)?;
        optional_address("fee.payer", &self.payer)?;
        optional_address("fee.granter", &self.granter)
    }

    fn to_proto(&self) -> pb::Fee {
        pb::Fee {
            amount: coin::to_proto_all(&self.amount),
            gas_limit: self.gas_limit,
            payer: self.payer.clone(),
            granter: self.granter.clone(),
        }
    }
}

/// How a signer signed: only single-key modes are modelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeInfo {
    pub single: SingleMode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleMode {
    /// The SignMode name, e.g. `SIGN_MODE_DIRECT`.
    pub mode: String,
}

impl ModeInfo {
    pub fn direct() -> Self {
        Self {
            single: SingleMode {
                mode: SignMode::Direct.as_str_name().to_string(),
            },
        }
    }

    fn to_proto(&self) -> Result<pb::ModeInfo> {
        let mode = SignMode::from_str_name(&self.single.mode).ok_or_else(|| {
            invalid(
                "mode_info.single.mode",
                format!("unknown sign mode {:?}", self.single.mode),
            )
        })?;
        Ok(pb::ModeInfo {
            sum: Some(pb::mode_info::Sum::Single(pb::mode_info::Single {
                mode: mode as i32,
            })),
        })
    }

    fn from_proto(p: Option<pb::ModeInfo>) -> Result<Self> {
        match p.and_then(|m| m.sum) {
            Some(pb::mode_info::Sum::Single(single)) => {
                let mode = SignMode::try_from(single.mode)
                    .map(|m| m.as_str_name().to_string())
                    .map_err(|_| {
                        malformed("ModeInfo", format!("unknown sign mode {}", single.mode))
                    })?;
                Ok(Self {
                    single: SingleMode { mode },
                })
            }
            Some(pb::mode_info::Sum::Multi(_)) => Err(Error::InvalidInput(
                "multisig signers are not supported".into(),
            )),
            None => Err(malformed("SignerInfo", "no mode_info")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignerInfo {
    pub public_key: Option<PubKey>,
    pub mode_info: ModeInfo,
    #[serde(default, with = "int_str")]
    pub sequence: u64,
}

impl SignerInfo {
    /// A SIGN_MODE_DIRECT signer with a compressed secp256k1 key.
    pub fn direct(compressed_key: &[u8], sequence: u64) -> Self {
        Self {
            public_key: Some(PubKey::secp256k1(compressed_key)),
            mode_info: ModeInfo::direct(),
            sequence,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthInfo {
    pub signer_infos: Vec<SignerInfo>,
    pub fee: Fee,
}

impl AuthInfo {
    /// The auth-info bytes that get signed, after validation.
    pub fn encode(&self) -> Result<Vec<u8>> {
        self.fee.validate()?;
        let signer_infos = self
            .signer_infos
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let field = format!("signer_infos[{i}]");
                Ok(pb::SignerInfo {
                    public_key: match &s.public_key {
                        Some(key) => Some(key.to_any(&format!("{field}.public_key"))?),
                        None => None,
                    },
                    mode_info: Some(s.mode_info.to_proto()?),
                    sequence: s.sequence,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(pb::AuthInfo {
            signer_infos,
            fee: Some(self.fee.to_proto()),
        }
        .encode_to_vec())
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let p = pb::AuthInfo::decode(bytes).map_err(|e| malformed("AuthInfo", e))?;
        let signer_infos = p
            .signer_infos
            .into_iter()
            .map(|s| {
                Ok(SignerInfo {
                    public_key: s.public_key.map(PubKey::from_any).transpose()?,
                    mode_info: ModeInfo::from_proto(s.mode_info)?,
                    sequence: s.sequence,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let fee = p.fee.unwrap_or_default();
        Ok(Self {
            signer_infos,
            fee: Fee {
                amount: coin::from_proto_all(fee.amount),
                gas_limit: fee.gas_limit,
                payer: fee.payer,
                granter: fee.granter,
            },
        })
    }
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

/// A decoded TxRaw with its body as values (see [`BodyValues`]) and the exact bytes that were signed.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedValues {
    pub body: BodyValues,
    pub auth_info: AuthInfo,
    pub signatures: Vec<Vec<u8>>,
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
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
    let p = pb::TxRaw::decode(raw).map_err(|e| malformed("TxRaw", e))?;
    Ok(DecodedValues {
        body: BodyValues::decode(&p.body_bytes)?,
        auth_info: AuthInfo::decode(&p.auth_info_bytes)?,
        signatures: p.signatures,
        body_bytes: p.body_bytes,
        auth_info_bytes: p.auth_info_bytes,
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
        body_bytes: values.body_bytes,
        auth_info_bytes: values.auth_info_bytes,
    })
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

    #[test]
    fn account_keys_must_be_compressed_points() {
        let bad = AuthInfo {
            signer_infos: vec![SignerInfo::direct(&[4u8; 33], 0)],
            fee: Fee::default(),
        };
        assert!(matches!(bad.encode(), Err(Error::InvalidKey(_))));
    }
}
