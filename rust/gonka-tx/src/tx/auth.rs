//! AuthInfo: who signed (public key, sign mode, sequence) and the fee.

use prost::Message as _;
use serde::{Deserialize, Serialize};

use crate::any::malformed;
use crate::coin::{self, Coin};
use crate::json::int_str;
use crate::msg::PubKey;
use crate::proto::cosmos::tx::signing::v1beta1::SignMode;
use crate::proto::cosmos::tx::v1beta1 as pb;
use crate::validate::{invalid, optional_address};
use gonka_core::{Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_must_be_compressed_points() {
        let bad = AuthInfo {
            signer_infos: vec![SignerInfo::direct(&[4u8; 33], 0)],
            fee: Fee::default(),
        };
        assert!(matches!(bad.encode(), Err(Error::InvalidKey(_))));
    }
}
