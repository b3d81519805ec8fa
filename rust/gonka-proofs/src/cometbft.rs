//! CometBFT blocks as the RPC serves them (`/commit`, `/validators`), and the checks that bind a
//! header to a validator set and a commit: header hash, validator-set hash, > 2/3 of the set's
//! voting power signing the block id (the predicates of `tendermint-light-client-verifier`, with
//! every signature verified as [`crate::signatures`] does).

use serde_json::Value;
pub use tendermint::block::Header;
use tendermint::block::{Commit, Height};
use tendermint::validator::{Info, Set as ValidatorSet};
use tendermint_light_client_verifier::errors::VerificationErrorDetail as Detail;
use tendermint_light_client_verifier::types::{SignedHeader, UntrustedBlockState};
use tendermint_light_client_verifier::Verdict;

use crate::error::{from_json, Kind, ProofError, Result};

/// The gonka mainnet chain id.
pub const MAINNET_CHAIN_ID: &str = "gonka-mainnet";

/// CometBFT's cap on total voting power (`MaxTotalVotingPower`).
const MAX_TOTAL_VOTING_POWER: u64 = (i64::MAX / 8) as u64;
/// More validators than any CometBFT set holds; larger inputs are refused early.
const MAX_VALIDATORS: usize = 10_000;

/// Unwraps a JSON-RPC envelope (`{"jsonrpc", "id", "result"}`) if present.
pub fn rpc_result(value: &Value) -> &Value {
    match value.get("result") {
        Some(result) if value.get("jsonrpc").is_some() || value.get("id").is_some() => result,
        _ => value,
    }
}

/// A header and the commit that should sign it, as served (not yet checked against each other).
#[derive(Debug, Clone)]
pub struct BlockCommit {
    pub header: Header,
    pub commit: Commit,
}

/// Reads `/commit?height=h` (`{"signed_header": {"header", "commit"}, "canonical"}`, with or
/// without the JSON-RPC envelope) or a bare `{"header", "commit"}`.
pub fn parse_signed_header(value: &Value) -> Result<BlockCommit> {
    let result = rpc_result(value);
    let signed = result.get("signed_header").unwrap_or(result);
    let header = signed.get("header").ok_or_else(|| {
        ProofError::malformed("header.decode", "no \"header\" in the commit response")
    })?;
    let commit = signed.get("commit").ok_or_else(|| {
        ProofError::malformed("commit.decode", "no \"commit\" in the commit response")
    })?;
    let header: Header = from_json(header, "header.decode", "header")?;
    let commit: Commit = from_json(commit, "commit.decode", "commit")?;
    Ok(BlockCommit { header, commit })
}

/// Reads a validator set from `/validators?height=h` pages (each with or without the JSON-RPC
/// envelope) or from objects with a `validators` list. The pages must be of one height (and of
/// `height` when given), together hold `total` validators, once each, and each address must be
/// its key's.
pub fn parse_validators(pages: &[Value], height: Option<u64>) -> Result<ValidatorSet> {
    let mut validators: Vec<Info> = Vec::new();
    let mut total: Option<u64> = None;
    let mut page_height: Option<u64> = None;
    for (number, page) in pages.iter().enumerate() {
        let page = rpc_result(page);
        let list = page
            .get("validators")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                ProofError::malformed(
                    "validators.decode",
                    format!("page {} has no \"validators\" list", number + 1),
                )
            })?;
        if validators.len() + list.len() > MAX_VALIDATORS {
            return Err(ProofError::malformed(
                "validators.decode",
                format!("more than {MAX_VALIDATORS} validators"),
            ));
        }
        for item in list {
            let info: Info = from_json(item, "validators.decode", "validator")?;
            check_address(&info)?;
            validators.push(info);
        }
        if let Some(h) = json_u64(page.get("block_height"), "block_height")? {
            match page_height {
                Some(seen) if seen != h => {
                    return Err(ProofError::new(
                        Kind::ValidatorSetMismatch,
                        "validators.height",
                        format!("validator pages are of heights {seen} and {h}"),
                    ))
                }
                _ => page_height = Some(h),
            }
        }
        if let Some(t) = json_u64(page.get("total"), "total")? {
            if total.is_some_and(|seen| seen != t) {
                return Err(ProofError::new(
                    Kind::ValidatorSetMismatch,
                    "validators.incomplete",
                    "validator pages disagree on the total",
                ));
            }
            total = Some(t);
        }
    }
    if let (Some(expected), Some(found)) = (height, page_height) {
        if expected != found {
            return Err(ProofError::new(
                Kind::ValidatorSetMismatch,
                "validators.height",
                format!("asked for the validators of height {expected}, got height {found}"),
            ));
        }
    }
    if let Some(total) = total {
        if total != validators.len() as u64 {
            return Err(ProofError::new(
                Kind::ValidatorSetMismatch,
                "validators.incomplete",
                format!(
                    "the set has {total} validators, the pages hold {} (fetch every page)",
                    validators.len()
                ),
            ));
        }
    }
    validator_set(validators)
}

/// Builds a set after checking addresses, duplicates and the total power.
pub fn validator_set(validators: Vec<Info>) -> Result<ValidatorSet> {
    if validators.is_empty() {
        return Err(ProofError::new(
            Kind::ValidatorSetMismatch,
            "validators.empty",
            "the validator set is empty",
        ));
    }
    let mut power: u64 = 0;
    let mut seen = std::collections::HashSet::new();
    for info in &validators {
        check_address(info)?;
        if !seen.insert(info.address) {
            return Err(ProofError::new(
                Kind::ValidatorSetMismatch,
                "validators.duplicate",
                format!("validator {} is listed twice", info.address),
            ));
        }
        power = power.saturating_add(info.power.value());
    }
    if power > MAX_TOTAL_VOTING_POWER {
        return Err(ProofError::new(
            Kind::ValidatorSetMismatch,
            "validators.power",
            format!("total voting power {power} exceeds CometBFT's maximum"),
        ));
    }
    Ok(ValidatorSet::new(validators, None))
}

fn check_address(info: &Info) -> Result<()> {
    let derived = tendermint::account::Id::from(info.pub_key);
    if derived != info.address {
        return Err(ProofError::mismatch(
            Kind::ValidatorSetMismatch,
            "validators.address",
            "a validator's address is not its key's",
            derived.as_bytes(),
            info.address.as_bytes(),
        ));
    }
    Ok(())
}

/// A JSON integer given as a number or a decimal string (both shapes occur).
pub(crate) fn json_u64(value: Option<&Value>, what: &str) -> Result<Option<u64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
            ProofError::malformed("json", format!("{what} is not a non-negative integer: {n}"))
        }),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|_| {
            ProofError::malformed(
                "json",
                format!("{what} is not a non-negative integer: {s:?}"),
            )
        }),
        Some(other) => Err(ProofError::malformed(
            "json",
            format!("{what} is not an integer: {other}"),
        )),
    }
}

/// Maps a light-client verifier failure onto the step it reports.
pub(crate) fn verdict_error(detail: &Detail) -> ProofError {
    match detail {
        Detail::InvalidValidatorSet(e) => ProofError::mismatch(
            Kind::ValidatorSetMismatch,
            "validators.hash",
            "the validator set does not hash to the header's validators_hash",
            e.header_validators_hash.as_bytes(),
            e.validators_hash.as_bytes(),
        ),
        Detail::InvalidNextValidatorSet(e) => ProofError::mismatch(
            Kind::Trust,
            "trust.next_validators",
            "the header's validators are not the trusted header's next validators",
            e.next_validators_hash.as_bytes(),
            e.header_next_validators_hash.as_bytes(),
        ),
        Detail::InvalidCommitValue(e) => ProofError::mismatch(
            Kind::HeaderMismatch,
            "commit.block_id",
            "the commit signs another block than this header",
            e.commit_hash.as_bytes(),
            e.header_hash.as_bytes(),
        ),
        Detail::InvalidSignature(e) => ProofError::new(
            Kind::InvalidCommit,
            "commit.signature",
            format!(
                "the signature of validator {} does not verify",
                e.validator.address
            ),
        )
        .with_bytes(None, Some(&e.signature)),
        Detail::InsufficientSignersOverlap(e) => ProofError::new(
            Kind::InsufficientVotingPower,
            "commit.power",
            format!(
                "valid signatures carry {} of {} voting power, more than 2/3 is needed",
                e.tally.tallied, e.tally.total
            ),
        ),
        Detail::NotEnoughTrust(e) => ProofError::new(
            Kind::Trust,
            "trust.level",
            format!(
                "the trusted validators signing carry {} of {} voting power, below the trust level {}",
                e.tally.tallied, e.tally.total, e.tally.trust_threshold
            ),
        ),
        Detail::NotWithinTrustPeriod(e) => ProofError::new(
            Kind::Trust,
            "trust.period",
            format!(
                "the trusted header expired at {} (now {}); use a newer trust anchor",
                e.expires_at, e.now
            ),
        ),
        Detail::HeaderFromTheFuture(e) => ProofError::new(
            Kind::Trust,
            "trust.future",
            format!(
                "the header time {} is ahead of now {} by more than {:?}",
                e.header_time, e.now, e.max_clock_drift
            ),
        ),
        Detail::NonMonotonicBftTime(e) => ProofError::new(
            Kind::Trust,
            "trust.time",
            format!(
                "the header time {} is not after the trusted header's {}",
                e.header_bft_time, e.trusted_header_bft_time
            ),
        ),
        Detail::NonIncreasingHeight(e) => ProofError::new(
            Kind::Trust,
            "trust.height",
            format!("height {} is not above the trusted height {}", e.got, e.expected),
        ),
        Detail::ChainIdMismatch(e) => ProofError::new(
            Kind::HeaderMismatch,
            "header.chain_id",
            format!("chain id {:?}, expected {:?}", e.got, e.expected),
        ),
        Detail::DuplicateValidator(e) => ProofError::new(
            Kind::InvalidCommit,
            "commit.duplicate",
            format!("validator {} signed twice", e.address),
        ),
        Detail::FaultySigner(e) => ProofError::new(
            Kind::InvalidCommit,
            "commit.signer",
            format!("signer {} is not in the validator set", e.signer),
        ),
        Detail::MismatchPreCommitLength(e) => ProofError::new(
            Kind::InvalidCommit,
            "commit.signatures",
            format!(
                "the commit has {} signature slots for {} validators",
                e.pre_commit_length, e.validator_length
            ),
        ),
        Detail::NoSignatureForCommit(_) | Detail::MissingSignature(_) => ProofError::new(
            Kind::InvalidCommit,
            "commit.signatures",
            "the commit has no signatures",
        ),
        other => ProofError::new(Kind::InvalidCommit, "commit", format!("{other}")),
    }
}

/// A header whose commit carries > 2/3 of the voting power of a validator set that hashes to
/// the header's `validators_hash`.
#[derive(Debug, Clone)]
pub struct VerifiedHeader {
    pub signed_header: SignedHeader,
    pub validators: ValidatorSet,
}

impl VerifiedHeader {
    pub fn header(&self) -> &Header {
        &self.signed_header.header
    }

    pub fn height(&self) -> u64 {
        self.header().height.value()
    }

    pub fn hash(&self) -> Vec<u8> {
        self.header().hash().as_bytes().to_vec()
    }

    pub fn app_hash(&self) -> &[u8] {
        self.header().app_hash.as_bytes()
    }
}

/// The checks made before any signature: chain id, height, commit height, validator-set hash and
/// the commit's block id against the header hash. Returns the signed header.
pub fn check_block(
    block: &BlockCommit,
    validators: &ValidatorSet,
    chain_id: &str,
    height: Option<u64>,
) -> Result<SignedHeader> {
    let header = &block.header;
    if header.chain_id.as_str() != chain_id {
        return Err(ProofError::mismatch(
            Kind::HeaderMismatch,
            "header.chain_id",
            "the header is of another chain",
            chain_id.as_bytes(),
            header.chain_id.as_str().as_bytes(),
        ));
    }
    if let Some(expected) = height {
        if header.height.value() != expected {
            return Err(ProofError::mismatch(
                Kind::HeaderMismatch,
                "header.height",
                &format!(
                    "asked for height {expected}, the header is of height {}",
                    header.height
                ),
                &expected.to_be_bytes(),
                &header.height.value().to_be_bytes(),
            ));
        }
    }
    if block.commit.height != header.height {
        return Err(ProofError::new(
            Kind::InvalidCommit,
            "commit.height",
            format!(
                "the commit is for height {}, the header of height {}",
                block.commit.height, header.height
            ),
        ));
    }
    let set_hash = validators.hash();
    if set_hash != header.validators_hash {
        return Err(ProofError::mismatch(
            Kind::ValidatorSetMismatch,
            "validators.hash",
            "the validator set does not hash to the header's validators_hash",
            header.validators_hash.as_bytes(),
            set_hash.as_bytes(),
        ));
    }
    let header_hash = header.hash();
    if block.commit.block_id.hash != header_hash {
        return Err(ProofError::mismatch(
            Kind::HeaderMismatch,
            "commit.block_id",
            "the commit signs another block than this header",
            block.commit.block_id.hash.as_bytes(),
            header_hash.as_bytes(),
        ));
    }
    SignedHeader::new(block.header.clone(), block.commit.clone())
        .map_err(|e| ProofError::new(Kind::InvalidCommit, "commit.height", format!("{e}")))
}

/// Verifies that `block`'s commit carries > 2/3 of `validators`' power for this header of
/// `chain_id` (and `height`, when given). No trust anchor is involved: the caller vouches for
/// the validator set (see [`crate::light`] for linking it to one).
pub fn verify_commit(
    block: &BlockCommit,
    validators: ValidatorSet,
    chain_id: &str,
    height: Option<u64>,
) -> Result<VerifiedHeader> {
    let signed_header = check_block(block, &validators, chain_id, height)?;
    let verifier = crate::signatures::verifier();
    let untrusted = UntrustedBlockState {
        signed_header: &signed_header,
        validators: &validators,
        next_validators: None,
    };
    for verdict in [
        verifier.verify_validator_sets(&untrusted),
        verifier.verify_commit(&untrusted),
    ] {
        match verdict {
            Verdict::Success => {}
            Verdict::NotEnoughTrust(tally) => {
                return Err(ProofError::new(
                    Kind::InsufficientVotingPower,
                    "commit.power",
                    format!(
                        "valid signatures carry {} of {} voting power, more than 2/3 is needed",
                        tally.tallied, tally.total
                    ),
                ))
            }
            Verdict::Invalid(detail) => return Err(verdict_error(&detail)),
        }
    }
    Ok(VerifiedHeader {
        signed_header,
        validators,
    })
}

/// One precommit of a block: the vote a validator signs (`CanonicalVote`, type precommit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precommit {
    pub chain_id: String,
    pub height: u64,
    pub round: u32,
    pub block_hash: Vec<u8>,
    pub part_set_total: u32,
    pub part_set_hash: Vec<u8>,
    pub timestamp: tendermint::Time,
}

impl Precommit {
    /// The bytes the validator signs: length-prefixed `CanonicalVote` with the chain id.
    pub fn sign_bytes(&self) -> Result<Vec<u8>> {
        use tendermint::block::{parts, Id, Round};
        use tendermint::hash::{Algorithm, Hash};
        let hash = |bytes: &[u8], what: &str| {
            Hash::from_bytes(Algorithm::Sha256, bytes)
                .map_err(|e| ProofError::malformed("commit.decode", format!("{what}: {e}")))
        };
        let part_set_header = parts::Header::new(
            self.part_set_total,
            hash(&self.part_set_hash, "part set hash")?,
        )
        .map_err(|e| ProofError::malformed("commit.decode", format!("part set header: {e}")))?;
        let chain_id = tendermint::chain::Id::try_from(self.chain_id.as_str())
            .map_err(|e| ProofError::malformed("commit.decode", format!("chain id: {e}")))?;
        let round = Round::try_from(self.round)
            .map_err(|e| ProofError::malformed("commit.decode", format!("round: {e}")))?;
        let vote = tendermint::Vote {
            vote_type: tendermint::vote::Type::Precommit,
            height: height_of(self.height)?,
            round,
            block_id: Some(Id {
                hash: hash(&self.block_hash, "block hash")?,
                part_set_header,
            }),
            timestamp: Some(self.timestamp),
            validator_address: tendermint::account::Id::new([0; 20]),
            validator_index: tendermint::vote::ValidatorIndex::try_from(0u32)
                .expect("index 0 is valid"),
            signature: None,
            extension: Vec::new(),
            extension_signature: None,
        };
        Ok(vote.into_signable_vec(chain_id))
    }

    /// Checks `signature` over the sign bytes with an ed25519 consensus key (ZIP 215 rules).
    pub fn verify(&self, public_key: &[u8], signature: &[u8]) -> Result<()> {
        let key: [u8; 32] = public_key
            .try_into()
            .map_err(|_| ProofError::malformed("commit.decode", "a consensus key is 32 bytes"))?;
        let key = ed25519_consensus::VerificationKey::try_from(key).map_err(|_| {
            ProofError::malformed("commit.decode", "the consensus key is not a curve point")
        })?;
        let signature: [u8; 64] = signature.try_into().map_err(|_| {
            ProofError::new(
                Kind::InvalidCommit,
                "commit.signature",
                "a signature is 64 bytes",
            )
        })?;
        key.verify(
            &ed25519_consensus::Signature::from(signature),
            &self.sign_bytes()?,
        )
        .map_err(|_| {
            ProofError::new(
                Kind::InvalidCommit,
                "commit.signature",
                "the precommit signature does not verify",
            )
            .with_bytes(None, Some(&signature))
        })
    }
}

/// A height as CometBFT's type (refusing values above `i64::MAX`).
pub(crate) fn height_of(value: u64) -> Result<Height> {
    Height::try_from(value)
        .map_err(|_| ProofError::malformed("json", format!("height {value} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rpc_envelope_is_optional() {
        let inner = json!({"validators": []});
        let wrapped = json!({"jsonrpc": "2.0", "id": -1, "result": inner.clone()});
        assert_eq!(rpc_result(&wrapped), &inner);
        assert_eq!(rpc_result(&inner), &inner);
    }

    #[test]
    fn integers_come_as_numbers_or_strings() {
        assert_eq!(json_u64(Some(&json!(7)), "x").unwrap(), Some(7));
        assert_eq!(json_u64(Some(&json!("7")), "x").unwrap(), Some(7));
        assert_eq!(json_u64(None, "x").unwrap(), None);
        assert!(json_u64(Some(&json!("-1")), "x").is_err());
        assert!(json_u64(Some(&json!([1])), "x").is_err());
    }

    #[test]
    fn empty_or_incomplete_sets_are_refused() {
        assert_eq!(
            parse_validators(&[json!({"validators": []})], None)
                .unwrap_err()
                .step,
            "validators.empty"
        );
        let page = json!({"block_height": "5", "validators": [{
            "address": "6B7F0FAB31B58F61B2E9A3A86DD2D2B1D7D3F9A2",
            "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "OPwcpfQYOoWDuHKYivRVq5jxrELH0moP5qdznvj3Dps="},
            "voting_power": "1", "proposer_priority": "0"}], "count": "1", "total": "2"});
        // The address above is not the key's; fix it before testing the page count.
        let err = parse_validators(std::slice::from_ref(&page), None).unwrap_err();
        assert_eq!(err.step, "validators.address");
        let mut fixed = page;
        fixed["validators"][0]["address"] = json!("139ECB529EDB0BCDF45C583D4DC2FDC95F66B1E8");
        assert_eq!(
            parse_validators(std::slice::from_ref(&fixed), None)
                .unwrap_err()
                .step,
            "validators.incomplete"
        );
        fixed["total"] = json!("1");
        assert_eq!(
            parse_validators(std::slice::from_ref(&fixed), Some(5))
                .unwrap()
                .validators()
                .len(),
            1
        );
        assert_eq!(
            parse_validators(&[fixed], Some(6)).unwrap_err().step,
            "validators.height"
        );
    }
}
