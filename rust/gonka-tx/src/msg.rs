//! Every message gonka builds, typed, with its real type URL. Each converts to and from its
//! generated wire type; `validate` names the offending field of a bad message.

use serde::{Deserialize, Serialize};

use crate::any::{any_enum, AnyPayload, RawAny};
use crate::coin::{self, Coin};
use crate::dec;
use crate::json::{base64_bytes, int_str, int_str_vec};
use crate::proto::cosmos::{
    authz::v1beta1 as authz_pb, bank::v1beta1 as bank_pb, feegrant::v1beta1 as feegrant_pb,
    gov::v1 as gov_pb, gov::v1beta1 as gov_beta_pb, slashing::v1beta1 as slashing_pb,
    staking::v1beta1 as staking_pb,
};
use crate::proto::inference::{collateral as collateral_pb, inference as inference_pb};
use crate::pubkey::PubKey;
use crate::time::Timestamp;
use crate::validate::{self, address, invalid, ACCOUNT_HRP, VALOPER_HRP};
use gonka_core::{Error, Result};

fn account(field: &str, name: &str, value: &str) -> Result<()> {
    // The field's name is only built for the error.
    if gonka_core::address::is_valid_with_hrp(value, ACCOUNT_HRP) {
        return Ok(());
    }
    address(&format!("{field}.{name}"), value, ACCOUNT_HRP)
}

/// Coins a message moves: at least one, each positive, denoms sorted and unique (sdk.Coins rules).
fn positive_coins(field: &str, name: &str, coins: &[Coin]) -> Result<()> {
    let valid = !coins.is_empty()
        && coins.iter().all(|c| c.is_valid() && c.amount != "0")
        && coins.windows(2).all(|w| w[0].denom < w[1].denom);
    if valid {
        return Ok(()); // the field's name is only built for an error
    }
    let field = format!("{field}.{name}");
    let field = field.as_str();
    if coins.is_empty() {
        return Err(invalid(field, "needs at least one coin"));
    }
    coin::validate_all(field, coins)?;
    for (i, c) in coins.iter().enumerate() {
        if c.amount == "0" {
            return Err(invalid(&format!("{field}[{i}].amount"), "must be positive"));
        }
    }
    if coins.windows(2).any(|w| w[0].denom >= w[1].denom) {
        return Err(invalid(field, "denoms must be sorted and unique"));
    }
    Ok(())
}

fn coin_opt(coin: Option<crate::proto::cosmos::base::v1beta1::Coin>) -> Coin {
    Coin::from_proto(coin.unwrap_or_default())
}

fn timestamp_opt(ts: Option<crate::proto::Timestamp>) -> Option<Timestamp> {
    ts.map(Timestamp::from_proto)
}

fn finite(field: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(invalid(&format!("{field}[{i}]"), "must be a finite number")),
        None => Ok(()),
    }
}

fn nested_any(field: &str, msgs: &[Msg]) -> Result<Vec<crate::proto::Any>> {
    msgs.iter()
        .enumerate()
        .map(|(i, m)| m.to_any(&format!("{field}[{i}]")))
        .collect()
}

fn nested_from_any(anys: Vec<crate::proto::Any>) -> Result<Vec<Msg>> {
    anys.into_iter().map(Msg::from_any).collect()
}

// ---------------------------------------------------------------- bank

/// `/cosmos.bank.v1beta1.MsgSend`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgSend {
    pub from_address: String,
    pub to_address: String,
    pub amount: Vec<Coin>,
}

impl AnyPayload for MsgSend {
    const TYPE_URL: &'static str = "/cosmos.bank.v1beta1.MsgSend";
    type Proto = bank_pb::MsgSend;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "from_address", &self.from_address)?;
        account(field, "to_address", &self.to_address)?;
        positive_coins(field, "amount", &self.amount)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(bank_pb::MsgSend {
            from_address: self.from_address.clone(),
            to_address: self.to_address.clone(),
            amount: coin::to_proto_all(&self.amount),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            from_address: p.from_address,
            to_address: p.to_address,
            amount: coin::from_proto_all(p.amount),
        })
    }
}

// ---------------------------------------------------------------- gov

/// A governance vote option (the same numbers in gov v1 and v1beta1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoteOption {
    Yes = 1,
    Abstain = 2,
    No = 3,
    NoWithVeto = 4,
}

impl VoteOption {
    pub fn name(self) -> &'static str {
        match self {
            VoteOption::Yes => "VOTE_OPTION_YES",
            VoteOption::Abstain => "VOTE_OPTION_ABSTAIN",
            VoteOption::No => "VOTE_OPTION_NO",
            VoteOption::NoWithVeto => "VOTE_OPTION_NO_WITH_VETO",
        }
    }

    pub fn from_i32(value: i32) -> Result<Self> {
        match value {
            1 => Ok(VoteOption::Yes),
            2 => Ok(VoteOption::Abstain),
            3 => Ok(VoteOption::No),
            4 => Ok(VoteOption::NoWithVeto),
            other => Err(Error::InvalidInput(format!(
                "unknown vote option {other} (1 yes, 2 abstain, 3 no, 4 no_with_veto)"
            ))),
        }
    }

    /// `yes`, `YES`, `VOTE_OPTION_YES`, `no-with-veto`, ...
    pub fn parse(text: &str) -> Result<Self> {
        let word = text.trim().to_ascii_lowercase().replace('-', "_");
        let word = word.strip_prefix("vote_option_").unwrap_or(&word);
        match word {
            "yes" => Ok(VoteOption::Yes),
            "abstain" => Ok(VoteOption::Abstain),
            "no" => Ok(VoteOption::No),
            "no_with_veto" | "veto" => Ok(VoteOption::NoWithVeto),
            _ => Err(Error::InvalidInput(format!(
                "unknown vote option {text:?} (yes, no, no_with_veto, abstain)"
            ))),
        }
    }
}

impl Serialize for VoteOption {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for VoteOption {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Name(String),
            Number(i32),
        }
        match Repr::deserialize(d)? {
            Repr::Name(text) => Self::parse(&text),
            Repr::Number(n) => Self::from_i32(n),
        }
        .map_err(serde::de::Error::custom)
    }
}

/// `/cosmos.gov.v1.MsgVote`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgVote {
    #[serde(with = "int_str")]
    pub proposal_id: u64,
    pub voter: String,
    pub option: VoteOption,
    #[serde(default)]
    pub metadata: String,
}

impl AnyPayload for MsgVote {
    const TYPE_URL: &'static str = "/cosmos.gov.v1.MsgVote";
    type Proto = gov_pb::MsgVote;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "voter", &self.voter)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(gov_pb::MsgVote {
            proposal_id: self.proposal_id,
            voter: self.voter.clone(),
            option: self.option as i32,
            metadata: self.metadata.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            proposal_id: p.proposal_id,
            voter: p.voter,
            option: VoteOption::from_i32(p.option)?,
            metadata: p.metadata,
        })
    }
}

/// `/cosmos.gov.v1beta1.MsgVote`: the legacy vote, what authz vote delegation executes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgVoteV1Beta1 {
    #[serde(with = "int_str")]
    pub proposal_id: u64,
    pub voter: String,
    pub option: VoteOption,
}

impl AnyPayload for MsgVoteV1Beta1 {
    const TYPE_URL: &'static str = "/cosmos.gov.v1beta1.MsgVote";
    type Proto = gov_beta_pb::MsgVote;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "voter", &self.voter)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(gov_beta_pb::MsgVote {
            proposal_id: self.proposal_id,
            voter: self.voter.clone(),
            option: self.option as i32,
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            proposal_id: p.proposal_id,
            voter: p.voter,
            option: VoteOption::from_i32(p.option)?,
        })
    }
}

/// One option of a weighted vote; `weight` is decimal text (e.g. "0.5"), plain `cosmos.Dec` text
/// on the wire (not a LegacyDec customtype in gov v1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightedVoteOption {
    pub option: VoteOption,
    pub weight: String,
}

/// `/cosmos.gov.v1.MsgVoteWeighted`: split the vote; the weights sum to 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgVoteWeighted {
    #[serde(with = "int_str")]
    pub proposal_id: u64,
    pub voter: String,
    pub options: Vec<WeightedVoteOption>,
    #[serde(default)]
    pub metadata: String,
}

impl AnyPayload for MsgVoteWeighted {
    const TYPE_URL: &'static str = "/cosmos.gov.v1.MsgVoteWeighted";
    type Proto = gov_pb::MsgVoteWeighted;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "voter", &self.voter)?;
        if self.options.is_empty() {
            return Err(invalid(
                &format!("{field}.options"),
                "needs at least one option",
            ));
        }
        let mut total: u128 = 0;
        for (i, o) in self.options.iter().enumerate() {
            let name = format!("{field}.options[{i}].weight");
            let scaled = dec::to_wire(&name, &o.weight)?;
            let value: u128 = scaled
                .parse()
                .map_err(|_| invalid(&name, format!("{:?} must be in (0, 1]", o.weight)))?;
            if value == 0 {
                return Err(invalid(&name, "must be positive"));
            }
            total = total.saturating_add(value);
        }
        if total != 1_000_000_000_000_000_000 {
            return Err(invalid(
                &format!("{field}.options"),
                "the weights must sum to 1",
            ));
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(gov_pb::MsgVoteWeighted {
            proposal_id: self.proposal_id,
            voter: self.voter.clone(),
            options: self
                .options
                .iter()
                .map(|o| gov_pb::WeightedVoteOption {
                    option: o.option as i32,
                    weight: o.weight.clone(),
                })
                .collect(),
            metadata: self.metadata.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            proposal_id: p.proposal_id,
            voter: p.voter,
            options: p
                .options
                .into_iter()
                .map(|o| {
                    Ok(WeightedVoteOption {
                        option: VoteOption::from_i32(o.option)?,
                        weight: o.weight,
                    })
                })
                .collect::<Result<_>>()?,
            metadata: p.metadata,
        })
    }
}

/// `/cosmos.gov.v1.MsgSubmitProposal`: the proposal's messages (e.g. a module's MsgUpdateParams)
/// and the initial deposit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgSubmitProposal {
    pub messages: Vec<Msg>,
    #[serde(default)]
    pub initial_deposit: Vec<Coin>,
    pub proposer: String,
    #[serde(default)]
    pub metadata: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub expedited: bool,
}

impl AnyPayload for MsgSubmitProposal {
    const TYPE_URL: &'static str = "/cosmos.gov.v1.MsgSubmitProposal";
    type Proto = gov_pb::MsgSubmitProposal;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "proposer", &self.proposer)?;
        coin::validate_all(&format!("{field}.initial_deposit"), &self.initial_deposit)?;
        self.messages
            .iter()
            .enumerate()
            .try_for_each(|(i, m)| m.validate(&format!("{field}.messages[{i}]")))
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(gov_pb::MsgSubmitProposal {
            messages: nested_any("messages", &self.messages)?,
            initial_deposit: coin::to_proto_all(&self.initial_deposit),
            proposer: self.proposer.clone(),
            metadata: self.metadata.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            expedited: self.expedited,
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            messages: nested_from_any(p.messages)?,
            initial_deposit: coin::from_proto_all(p.initial_deposit),
            proposer: p.proposer,
            metadata: p.metadata,
            title: p.title,
            summary: p.summary,
            expedited: p.expedited,
        })
    }
}

/// `/cosmos.gov.v1.MsgDeposit`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgDeposit {
    #[serde(with = "int_str")]
    pub proposal_id: u64,
    pub depositor: String,
    pub amount: Vec<Coin>,
}

impl AnyPayload for MsgDeposit {
    const TYPE_URL: &'static str = "/cosmos.gov.v1.MsgDeposit";
    type Proto = gov_pb::MsgDeposit;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "depositor", &self.depositor)?;
        positive_coins(field, "amount", &self.amount)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(gov_pb::MsgDeposit {
            proposal_id: self.proposal_id,
            depositor: self.depositor.clone(),
            amount: coin::to_proto_all(&self.amount),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            proposal_id: p.proposal_id,
            depositor: p.depositor,
            amount: coin::from_proto_all(p.amount),
        })
    }
}

// ---------------------------------------------------------------- slashing

/// `/cosmos.slashing.v1beta1.MsgUnjail`: `validator_addr` is the `gonkavaloper1...` form of the
/// operator (cold) account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgUnjail {
    pub validator_addr: String,
}

impl AnyPayload for MsgUnjail {
    const TYPE_URL: &'static str = "/cosmos.slashing.v1beta1.MsgUnjail";
    type Proto = slashing_pb::MsgUnjail;

    fn validate(&self, field: &str) -> Result<()> {
        address(
            &format!("{field}.validator_addr"),
            &self.validator_addr,
            VALOPER_HRP,
        )
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(slashing_pb::MsgUnjail {
            validator_addr: self.validator_addr.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            validator_addr: p.validator_addr,
        })
    }
}

// ---------------------------------------------------------------- inference

/// `/inference.inference.MsgSubmitNewParticipant`: registers a host, or updates the non-empty
/// ones of url / validator_key / worker_key of an existing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgSubmitNewParticipant {
    pub creator: String,
    #[serde(default)]
    pub url: String,
    /// base64 (standard, padded) of the 32-byte ed25519 consensus public key
    #[serde(default)]
    pub validator_key: String,
    #[serde(default)]
    pub worker_key: String,
}

impl AnyPayload for MsgSubmitNewParticipant {
    const TYPE_URL: &'static str = "/inference.inference.MsgSubmitNewParticipant";
    type Proto = inference_pb::MsgSubmitNewParticipant;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)?;
        let http = self.url.starts_with("http://") || self.url.starts_with("https://");
        if !(self.url.is_empty() || http) {
            return Err(invalid(
                &format!("{field}.url"),
                format!("{:?} is not an http(s) URL", self.url),
            ));
        }
        if !self.validator_key.is_empty() {
            use base64::Engine;
            let key = base64::engine::general_purpose::STANDARD
                .decode(self.validator_key.as_bytes())
                .ok();
            if key.map(|k| k.len()) != Some(32) {
                return Err(invalid(
                    &format!("{field}.validator_key"),
                    "must be the base64 of a 32-byte ed25519 public key",
                ));
            }
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgSubmitNewParticipant {
            creator: self.creator.clone(),
            url: self.url.clone(),
            validator_key: self.validator_key.clone(),
            worker_key: self.worker_key.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            url: p.url,
            validator_key: p.validator_key,
            worker_key: p.worker_key,
        })
    }
}

/// `/inference.inference.MsgClaimRewards`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgClaimRewards {
    pub creator: String,
    #[serde(with = "int_str")]
    pub seed: i64,
    #[serde(with = "int_str")]
    pub epoch_index: u64,
}

impl AnyPayload for MsgClaimRewards {
    const TYPE_URL: &'static str = "/inference.inference.MsgClaimRewards";
    type Proto = inference_pb::MsgClaimRewards;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgClaimRewards {
            creator: self.creator.clone(),
            seed: self.seed,
            epoch_index: self.epoch_index,
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            seed: p.seed,
            epoch_index: p.epoch_index,
        })
    }
}

/// `/inference.inference.MsgSubmitSeed`: `signature` is the lower-case hex of the 64-byte
/// signature of the seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgSubmitSeed {
    pub creator: String,
    #[serde(with = "int_str")]
    pub epoch_index: u64,
    pub signature: String,
}

impl AnyPayload for MsgSubmitSeed {
    const TYPE_URL: &'static str = "/inference.inference.MsgSubmitSeed";
    type Proto = inference_pb::MsgSubmitSeed;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)?;
        let ok = self.signature.len() == 128
            && self
                .signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !ok {
            return Err(invalid(
                &format!("{field}.signature"),
                "must be the lower-case hex of a 64-byte signature",
            ));
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgSubmitSeed {
            creator: self.creator.clone(),
            epoch_index: self.epoch_index,
            signature: self.signature.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            epoch_index: p.epoch_index,
            signature: p.signature,
        })
    }
}

/// `/inference.inference.MsgSubmitPocBatch`: one batch of PoC nonces and their distances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgSubmitPocBatch {
    pub creator: String,
    #[serde(with = "int_str")]
    pub poc_stage_start_block_height: i64,
    pub batch_id: String,
    #[serde(with = "int_str_vec")]
    pub nonces: Vec<i64>,
    pub dist: Vec<f64>,
    #[serde(default)]
    pub node_id: String,
}

impl AnyPayload for MsgSubmitPocBatch {
    const TYPE_URL: &'static str = "/inference.inference.MsgSubmitPocBatch";
    type Proto = inference_pb::MsgSubmitPocBatch;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)?;
        if self.nonces.len() != self.dist.len() {
            return Err(invalid(
                field,
                format!(
                    "{} nonces but {} distances",
                    self.nonces.len(),
                    self.dist.len()
                ),
            ));
        }
        finite(&format!("{field}.dist"), &self.dist)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgSubmitPocBatch {
            creator: self.creator.clone(),
            poc_stage_start_block_height: self.poc_stage_start_block_height,
            batch_id: self.batch_id.clone(),
            nonces: self.nonces.clone(),
            dist: self.dist.clone(),
            node_id: self.node_id.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            poc_stage_start_block_height: p.poc_stage_start_block_height,
            batch_id: p.batch_id,
            nonces: p.nonces,
            dist: p.dist,
            node_id: p.node_id,
        })
    }
}

/// `/inference.inference.MsgSubmitPocValidation` (launch PoC v1): a validator's verdict on one
/// participant's nonces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgSubmitPocValidation {
    pub creator: String,
    pub participant_address: String,
    #[serde(with = "int_str")]
    pub poc_stage_start_block_height: i64,
    #[serde(with = "int_str_vec")]
    pub nonces: Vec<i64>,
    pub dist: Vec<f64>,
    pub received_dist: Vec<f64>,
    pub r_target: f64,
    pub fraud_threshold: f64,
    #[serde(with = "int_str")]
    pub n_invalid: i64,
    pub probability_honest: f64,
    #[serde(default)]
    pub fraud_detected: bool,
}

impl AnyPayload for MsgSubmitPocValidation {
    const TYPE_URL: &'static str = "/inference.inference.MsgSubmitPocValidation";
    type Proto = inference_pb::MsgSubmitPocValidation;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)?;
        account(field, "participant_address", &self.participant_address)?;
        finite(&format!("{field}.dist"), &self.dist)?;
        finite(&format!("{field}.received_dist"), &self.received_dist)?;
        finite(
            field,
            &[self.r_target, self.fraud_threshold, self.probability_honest],
        )
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgSubmitPocValidation {
            creator: self.creator.clone(),
            participant_address: self.participant_address.clone(),
            poc_stage_start_block_height: self.poc_stage_start_block_height,
            nonces: self.nonces.clone(),
            dist: self.dist.clone(),
            received_dist: self.received_dist.clone(),
            r_target: self.r_target,
            fraud_threshold: self.fraud_threshold,
            n_invalid: self.n_invalid,
            probability_honest: self.probability_honest,
            fraud_detected: self.fraud_detected,
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            participant_address: p.participant_address,
            poc_stage_start_block_height: p.poc_stage_start_block_height,
            nonces: p.nonces,
            dist: p.dist,
            received_dist: p.received_dist,
            r_target: p.r_target,
            fraud_threshold: p.fraud_threshold,
            n_invalid: p.n_invalid,
            probability_honest: p.probability_honest,
            fraud_detected: p.fraud_detected,
        })
    }
}

// ---------------------------------------------------------------- inference: PoC v2

/// One model's commitment in a `MsgPoCV2StoreCommit`: the artifact count and sum-tree root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoCV2CommitEntry {
    pub model_id: String,
    pub count: u32,
    #[serde(with = "base64_bytes")]
    pub root_hash: Vec<u8>,
}

/// Artifacts attributed to one ML node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MLNodeWeight {
    pub node_id: String,
    pub weight: u32,
}

/// One model's per-node split in a `MsgMLNodeWeightDistribution`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MLNodeDistributionEntry {
    pub model_id: String,
    #[serde(default)]
    pub weights: Vec<MLNodeWeight>,
}

/// A validator's verdict on one (participant, model): `validated_weight` > 0 accepts, -1 rejects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoCValidationEntryV2 {
    pub participant_address: String,
    #[serde(with = "int_str")]
    pub validated_weight: i64,
    #[serde(default)]
    pub model_id: String,
}

fn root_hash(field: &str, root: &[u8]) -> Result<()> {
    if root.len() != 32 {
        return Err(invalid(
            field,
            format!("must be 32 bytes, got {}", root.len()),
        ));
    }
    Ok(())
}

fn weight_to_proto(w: &MLNodeWeight) -> inference_pb::MlNodeWeight {
    inference_pb::MlNodeWeight {
        node_id: w.node_id.clone(),
        weight: w.weight,
    }
}

fn weight_from_proto(w: inference_pb::MlNodeWeight) -> MLNodeWeight {
    MLNodeWeight {
        node_id: w.node_id,
        weight: w.weight,
    }
}

/// `/inference.inference.MsgPoCV2StoreCommit`: the participant's artifact-store commitments for a
/// PoC stage. `count`/`root_hash` are the deprecated single-model fields of v0.2.9-v0.2.11.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgPoCV2StoreCommit {
    pub creator: String,
    #[serde(with = "int_str")]
    pub poc_stage_start_block_height: i64,
    #[serde(default)]
    pub count: u32,
    #[serde(default, with = "base64_bytes")]
    pub root_hash: Vec<u8>,
    #[serde(default)]
    pub entries: Vec<PoCV2CommitEntry>,
}

impl AnyPayload for MsgPoCV2StoreCommit {
    const TYPE_URL: &'static str = "/inference.inference.MsgPoCV2StoreCommit";
    type Proto = inference_pb::MsgPoCv2StoreCommit;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)?;
        if self.entries.is_empty() && self.count == 0 {
            return Err(invalid(
                field,
                "needs entries (or the legacy count and root_hash)",
            ));
        }
        if !self.root_hash.is_empty() || self.count > 0 {
            root_hash(&format!("{field}.root_hash"), &self.root_hash)?;
        }
        for (i, e) in self.entries.iter().enumerate() {
            let at = format!("{field}.entries[{i}]");
            if e.model_id.is_empty() {
                return Err(invalid(&format!("{at}.model_id"), "must not be empty"));
            }
            if e.count == 0 {
                return Err(invalid(&format!("{at}.count"), "must be positive"));
            }
            root_hash(&format!("{at}.root_hash"), &e.root_hash)?;
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgPoCv2StoreCommit {
            creator: self.creator.clone(),
            poc_stage_start_block_height: self.poc_stage_start_block_height,
            count: self.count,
            root_hash: self.root_hash.clone(),
            entries: self
                .entries
                .iter()
                .map(|e| inference_pb::PoCv2CommitEntry {
                    model_id: e.model_id.clone(),
                    count: e.count,
                    root_hash: e.root_hash.clone(),
                })
                .collect(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            poc_stage_start_block_height: p.poc_stage_start_block_height,
            count: p.count,
            root_hash: p.root_hash,
            entries: p
                .entries
                .into_iter()
                .map(|e| PoCV2CommitEntry {
                    model_id: e.model_id,
                    count: e.count,
                    root_hash: e.root_hash,
                })
                .collect(),
        })
    }
}

/// `/inference.inference.MsgSubmitPocValidationsV2`: a validator's votes for a PoC stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgSubmitPocValidationsV2 {
    pub creator: String,
    #[serde(with = "int_str")]
    pub poc_stage_start_block_height: i64,
    #[serde(default)]
    pub validations: Vec<PoCValidationEntryV2>,
}

impl AnyPayload for MsgSubmitPocValidationsV2 {
    const TYPE_URL: &'static str = "/inference.inference.MsgSubmitPocValidationsV2";
    type Proto = inference_pb::MsgSubmitPocValidationsV2;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)?;
        for (i, v) in self.validations.iter().enumerate() {
            account(
                &format!("{field}.validations[{i}]"),
                "participant_address",
                &v.participant_address,
            )?;
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgSubmitPocValidationsV2 {
            creator: self.creator.clone(),
            poc_stage_start_block_height: self.poc_stage_start_block_height,
            validations: self
                .validations
                .iter()
                .map(|v| inference_pb::PoCValidationEntryV2 {
                    participant_address: v.participant_address.clone(),
                    validated_weight: v.validated_weight,
                    model_id: v.model_id.clone(),
                })
                .collect(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            poc_stage_start_block_height: p.poc_stage_start_block_height,
            validations: p
                .validations
                .into_iter()
                .map(|v| PoCValidationEntryV2 {
                    participant_address: v.participant_address,
                    validated_weight: v.validated_weight,
                    model_id: v.model_id,
                })
                .collect(),
        })
    }
}

/// `/inference.inference.MsgMLNodeWeightDistribution`: per-node artifact counts after generation.
/// `weights` is the deprecated single-model list of v0.2.9-v0.2.11.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgMLNodeWeightDistribution {
    pub creator: String,
    #[serde(with = "int_str")]
    pub poc_stage_start_block_height: i64,
    #[serde(default)]
    pub weights: Vec<MLNodeWeight>,
    #[serde(default)]
    pub entries: Vec<MLNodeDistributionEntry>,
}

impl AnyPayload for MsgMLNodeWeightDistribution {
    const TYPE_URL: &'static str = "/inference.inference.MsgMLNodeWeightDistribution";
    type Proto = inference_pb::MsgMlNodeWeightDistribution;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "creator", &self.creator)?;
        for (i, e) in self.entries.iter().enumerate() {
            if e.model_id.is_empty() {
                return Err(invalid(
                    &format!("{field}.entries[{i}].model_id"),
                    "must not be empty",
                ));
            }
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgMlNodeWeightDistribution {
            creator: self.creator.clone(),
            poc_stage_start_block_height: self.poc_stage_start_block_height,
            weights: self.weights.iter().map(weight_to_proto).collect(),
            entries: self
                .entries
                .iter()
                .map(|e| inference_pb::MlNodeDistributionEntry {
                    model_id: e.model_id.clone(),
                    weights: e.weights.iter().map(weight_to_proto).collect(),
                })
                .collect(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            creator: p.creator,
            poc_stage_start_block_height: p.poc_stage_start_block_height,
            weights: p.weights.into_iter().map(weight_from_proto).collect(),
            entries: p
                .entries
                .into_iter()
                .map(|e| MLNodeDistributionEntry {
                    model_id: e.model_id,
                    weights: e.weights.into_iter().map(weight_from_proto).collect(),
                })
                .collect(),
        })
    }
}

/// `/inference.inference.MsgUpdateParams` (a governance proposal's content). `params` is the
/// encoded `inference.inference.Params` with ALL fields set (base64 in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgUpdateInferenceParams {
    pub authority: String,
    #[serde(with = "base64_bytes")]
    pub params: Vec<u8>,
}

impl AnyPayload for MsgUpdateInferenceParams {
    const TYPE_URL: &'static str = "/inference.inference.MsgUpdateParams";
    type Proto = inference_pb::MsgUpdateParams;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "authority", &self.authority)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(inference_pb::MsgUpdateParams {
            authority: self.authority.clone(),
            params: self.params.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            authority: p.authority,
            params: p.params,
        })
    }
}

// ---------------------------------------------------------------- collateral

macro_rules! collateral_msg {
    ($(#[$doc:meta])* $name:ident, $url:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            pub participant: String,
            pub amount: Coin,
        }

        impl AnyPayload for $name {
            const TYPE_URL: &'static str = $url;
            type Proto = collateral_pb::$name;

            fn validate(&self, field: &str) -> Result<()> {
                account(field, "participant", &self.participant)?;
                positive_coins(field, "amount", std::slice::from_ref(&self.amount))
            }

            fn to_proto(&self) -> Result<Self::Proto> {
                Ok(collateral_pb::$name {
                    participant: self.participant.clone(),
                    amount: Some(self.amount.to_proto()),
                })
            }

            fn from_proto(p: Self::Proto) -> Result<Self> {
                Ok(Self {
                    participant: p.participant,
                    amount: coin_opt(p.amount),
                })
            }
        }
    };
}

collateral_msg!(
    /// `/inference.collateral.MsgDepositCollateral`
    MsgDepositCollateral,
    "/inference.collateral.MsgDepositCollateral"
);
collateral_msg!(
    /// `/inference.collateral.MsgWithdrawCollateral`
    MsgWithdrawCollateral,
    "/inference.collateral.MsgWithdrawCollateral"
);

// ---------------------------------------------------------------- authz

/// `/cosmos.authz.v1beta1.GenericAuthorization`: permits every message of one type URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenericAuthorization {
    pub msg: String,
}

impl AnyPayload for GenericAuthorization {
    const TYPE_URL: &'static str = "/cosmos.authz.v1beta1.GenericAuthorization";
    type Proto = authz_pb::GenericAuthorization;

    fn validate(&self, field: &str) -> Result<()> {
        if !self.msg.starts_with('/') {
            return Err(invalid(
                &format!("{field}.msg"),
                format!("{:?} is not a message type URL", self.msg),
            ));
        }
        Ok(())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(authz_pb::GenericAuthorization {
            msg: self.msg.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self { msg: p.msg })
    }
}

any_enum! {
    /// An authz authorization.
    Authorization { Generic(GenericAuthorization) }
}

/// An authz grant: what is authorized, until when (none: no expiry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub authorization: Authorization,
    #[serde(default)]
    pub expiration: Option<Timestamp>,
}

/// `/cosmos.authz.v1beta1.MsgGrant`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgGrant {
    pub granter: String,
    pub grantee: String,
    pub grant: Grant,
}

impl AnyPayload for MsgGrant {
    const TYPE_URL: &'static str = "/cosmos.authz.v1beta1.MsgGrant";
    type Proto = authz_pb::MsgGrant;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "granter", &self.granter)?;
        account(field, "grantee", &self.grantee)?;
        if let Some(ts) = &self.grant.expiration {
            ts.validate(&format!("{field}.grant.expiration"))?;
        }
        self.grant
            .authorization
            .validate(&format!("{field}.grant.authorization"))
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(authz_pb::MsgGrant {
            granter: self.granter.clone(),
            grantee: self.grantee.clone(),
            grant: Some(authz_pb::Grant {
                authorization: Some(self.grant.authorization.to_any("grant.authorization")?),
                expiration: self.grant.expiration.map(Timestamp::to_proto),
            }),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        let grant = p.grant.unwrap_or_default();
        let authorization = grant
            .authorization
            .ok_or_else(|| invalid(Self::TYPE_URL, "grant has no authorization"))?;
        Ok(Self {
            granter: p.granter,
            grantee: p.grantee,
            grant: Grant {
                authorization: Authorization::from_any(authorization)?,
                expiration: timestamp_opt(grant.expiration),
            },
        })
    }
}

/// `/cosmos.authz.v1beta1.MsgExec`: the grantee runs messages whose signer is the granter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgExec {
    pub grantee: String,
    pub msgs: Vec<Msg>,
}

impl AnyPayload for MsgExec {
    const TYPE_URL: &'static str = "/cosmos.authz.v1beta1.MsgExec";
    type Proto = authz_pb::MsgExec;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "grantee", &self.grantee)?;
        if self.msgs.is_empty() {
            return Err(invalid(
                &format!("{field}.msgs"),
                "needs at least one message",
            ));
        }
        self.msgs
            .iter()
            .enumerate()
            .try_for_each(|(i, m)| m.validate(&format!("{field}.msgs[{i}]")))
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(authz_pb::MsgExec {
            grantee: self.grantee.clone(),
            msgs: nested_any("msgs", &self.msgs)?,
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            grantee: p.grantee,
            msgs: nested_from_any(p.msgs)?,
        })
    }
}

/// `/cosmos.authz.v1beta1.MsgRevoke`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgRevoke {
    pub granter: String,
    pub grantee: String,
    pub msg_type_url: String,
}

impl AnyPayload for MsgRevoke {
    const TYPE_URL: &'static str = "/cosmos.authz.v1beta1.MsgRevoke";
    type Proto = authz_pb::MsgRevoke;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "granter", &self.granter)?;
        account(field, "grantee", &self.grantee)?;
        validate::non_empty(&format!("{field}.msg_type_url"), &self.msg_type_url)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(authz_pb::MsgRevoke {
            granter: self.granter.clone(),
            grantee: self.grantee.clone(),
            msg_type_url: self.msg_type_url.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            granter: p.granter,
            grantee: p.grantee,
            msg_type_url: p.msg_type_url,
        })
    }
}

// ---------------------------------------------------------------- feegrant

/// `/cosmos.feegrant.v1beta1.BasicAllowance`: fees up to `spend_limit` (empty: unlimited) until
/// `expiration` (none: no expiry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicAllowance {
    #[serde(default)]
    pub spend_limit: Vec<Coin>,
    #[serde(default)]
    pub expiration: Option<Timestamp>,
}

impl AnyPayload for BasicAllowance {
    const TYPE_URL: &'static str = "/cosmos.feegrant.v1beta1.BasicAllowance";
    type Proto = feegrant_pb::BasicAllowance;

    fn validate(&self, field: &str) -> Result<()> {
        if !self.spend_limit.is_empty() {
            positive_coins(field, "spend_limit", &self.spend_limit)?;
        }
        match &self.expiration {
            Some(ts) => ts.validate(&format!("{field}.expiration")),
            None => Ok(()),
        }
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(feegrant_pb::BasicAllowance {
            spend_limit: coin::to_proto_all(&self.spend_limit),
            expiration: self.expiration.map(Timestamp::to_proto),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            spend_limit: coin::from_proto_all(p.spend_limit),
            expiration: timestamp_opt(p.expiration),
        })
    }
}

any_enum! {
    /// A feegrant allowance.
    Allowance { Basic(BasicAllowance) }
}

/// `/cosmos.feegrant.v1beta1.MsgGrantAllowance`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgGrantAllowance {
    pub granter: String,
    pub grantee: String,
    pub allowance: Allowance,
}

impl AnyPayload for MsgGrantAllowance {
    const TYPE_URL: &'static str = "/cosmos.feegrant.v1beta1.MsgGrantAllowance";
    type Proto = feegrant_pb::MsgGrantAllowance;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "granter", &self.granter)?;
        account(field, "grantee", &self.grantee)?;
        self.allowance.validate(&format!("{field}.allowance"))
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(feegrant_pb::MsgGrantAllowance {
            granter: self.granter.clone(),
            grantee: self.grantee.clone(),
            allowance: Some(self.allowance.to_any("allowance")?),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        let allowance = p
            .allowance
            .ok_or_else(|| invalid(Self::TYPE_URL, "no allowance"))?;
        Ok(Self {
            granter: p.granter,
            grantee: p.grantee,
            allowance: Allowance::from_any(allowance)?,
        })
    }
}

/// `/cosmos.feegrant.v1beta1.MsgRevokeAllowance`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgRevokeAllowance {
    pub granter: String,
    pub grantee: String,
}

impl AnyPayload for MsgRevokeAllowance {
    const TYPE_URL: &'static str = "/cosmos.feegrant.v1beta1.MsgRevokeAllowance";
    type Proto = feegrant_pb::MsgRevokeAllowance;

    fn validate(&self, field: &str) -> Result<()> {
        account(field, "granter", &self.granter)?;
        account(field, "grantee", &self.grantee)
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        Ok(feegrant_pb::MsgRevokeAllowance {
            granter: self.granter.clone(),
            grantee: self.grantee.clone(),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        Ok(Self {
            granter: p.granter,
            grantee: p.grantee,
        })
    }
}

// ---------------------------------------------------------------- staking

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Description {
    #[serde(default)]
    pub moniker: String,
    #[serde(default)]
    pub identity: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub security_contact: String,
    #[serde(default)]
    pub details: String,
}

/// Commission rates as decimal text ("0.1" or "0.100000000000000000"); LegacyDec on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionRates {
    pub rate: String,
    pub max_rate: String,
    pub max_change_rate: String,
}

/// `/cosmos.staking.v1beta1.MsgCreateValidator` (what a gentx carries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgCreateValidator {
    pub description: Description,
    pub commission: CommissionRates,
    pub min_self_delegation: String,
    #[serde(default)]
    pub delegator_address: String,
    pub validator_address: String,
    pub pubkey: PubKey,
    pub value: Coin,
}

impl AnyPayload for MsgCreateValidator {
    const TYPE_URL: &'static str = "/cosmos.staking.v1beta1.MsgCreateValidator";
    type Proto = staking_pb::MsgCreateValidator;

    fn validate(&self, field: &str) -> Result<()> {
        validate::optional_address(
            &format!("{field}.delegator_address"),
            &self.delegator_address,
        )?;
        address(
            &format!("{field}.validator_address"),
            &self.validator_address,
            VALOPER_HRP,
        )?;
        coin::check_int(
            &format!("{field}.min_self_delegation"),
            &self.min_self_delegation,
        )?;
        self.pubkey.validate(&format!("{field}.pubkey"))?;
        self.value.validate(&format!("{field}.value"))?;
        self.to_proto().map(|_| ())
    }

    fn to_proto(&self) -> Result<Self::Proto> {
        let c = &self.commission;
        let d = &self.description;
        Ok(staking_pb::MsgCreateValidator {
            description: Some(staking_pb::Description {
                moniker: d.moniker.clone(),
                identity: d.identity.clone(),
                website: d.website.clone(),
                security_contact: d.security_contact.clone(),
                details: d.details.clone(),
            }),
            commission: Some(staking_pb::CommissionRates {
                rate: dec::to_wire("commission.rate", &c.rate)?,
                max_rate: dec::to_wire("commission.max_rate", &c.max_rate)?,
                max_change_rate: dec::to_wire("commission.max_change_rate", &c.max_change_rate)?,
            }),
            min_self_delegation: self.min_self_delegation.clone(),
            delegator_address: self.delegator_address.clone(),
            validator_address: self.validator_address.clone(),
            pubkey: Some(self.pubkey.to_any("pubkey")?),
            value: Some(self.value.to_proto()),
        })
    }

    fn from_proto(p: Self::Proto) -> Result<Self> {
        let d = p.description.unwrap_or_default();
        let c = p.commission.unwrap_or_default();
        let pubkey = p
            .pubkey
            .ok_or_else(|| invalid(Self::TYPE_URL, "no consensus pubkey"))?;
        Ok(Self {
            description: Description {
                moniker: d.moniker,
                identity: d.identity,
                website: d.website,
                security_contact: d.security_contact,
                details: d.details,
            },
            commission: CommissionRates {
                rate: dec::from_wire("commission.rate", &c.rate)?,
                max_rate: dec::from_wire("commission.max_rate", &c.max_rate)?,
                max_change_rate: dec::from_wire("commission.max_change_rate", &c.max_change_rate)?,
            },
            min_self_delegation: p.min_self_delegation,
            delegator_address: p.delegator_address,
            validator_address: p.validator_address,
            pubkey: PubKey::from_any(pubkey)?,
            value: coin_opt(p.value),
        })
    }
}

// ---------------------------------------------------------------- the message enum

any_enum! {
    /// A transaction message.
    Msg {
        Send(MsgSend),
        Vote(MsgVote),
        VoteWeighted(MsgVoteWeighted),
        VoteV1Beta1(MsgVoteV1Beta1),
        SubmitProposal(MsgSubmitProposal),
        Deposit(MsgDeposit),
        Unjail(MsgUnjail),
        SubmitNewParticipant(MsgSubmitNewParticipant),
        ClaimRewards(MsgClaimRewards),
        SubmitSeed(MsgSubmitSeed),
        SubmitPocBatch(MsgSubmitPocBatch),
        SubmitPocValidation(MsgSubmitPocValidation),
        PoCV2StoreCommit(MsgPoCV2StoreCommit),
        SubmitPocValidationsV2(MsgSubmitPocValidationsV2),
        MLNodeWeightDistribution(MsgMLNodeWeightDistribution),
        UpdateInferenceParams(MsgUpdateInferenceParams),
        DepositCollateral(MsgDepositCollateral),
        WithdrawCollateral(MsgWithdrawCollateral),
        Grant(MsgGrant),
        Exec(MsgExec),
        Revoke(MsgRevoke),
        GrantAllowance(MsgGrantAllowance),
        RevokeAllowance(MsgRevokeAllowance),
        CreateValidator(MsgCreateValidator),
    }
}

impl Msg {
    /// Wraps an already encoded message of any type.
    pub fn raw(type_url: impl Into<String>, value: Vec<u8>) -> Self {
        Msg::Other(RawAny {
            type_url: type_url.into(),
            value,
        })
    }

    /// The encoded Any (type URL and payload) after validation; `field` names it in errors.
    pub fn encode_any(&self, field: &str) -> Result<(String, Vec<u8>)> {
        let any = self.to_any(field)?;
        Ok((any.type_url, any.value))
    }

    /// Decodes an Any into a typed message (unknown types stay raw).
    pub fn decode_any(type_url: &str, value: &[u8]) -> Result<Self> {
        Self::from_any(crate::proto::Any {
            type_url: type_url.to_string(),
            value: value.to_vec(),
        })
    }
}
