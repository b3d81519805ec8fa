//! The light client step: from a trusted state (a trust anchor or a header verified before) to a
//! new header, sequential (the next height: its validators must be the trusted next validators)
//! or skipping (validators holding at least the trust level of the trusted set's power signed it),
//! within the trusting period. The checks are `tendermint-light-client-verifier`'s.
//!
//! Trust anchors: the mainnet genesis (validators from its gentxs) or a pinned `HEIGHT:HASH`
//! checkpoint whose header and next validators are fetched and checked against the hash.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Deserialize;
use tendermint::block::Height;
use tendermint::chain::Id as ChainId;
use tendermint::trust_threshold::TrustThresholdFraction;
use tendermint::validator::{Info, Set as ValidatorSet};
use tendermint::{PublicKey, Time};
use tendermint_light_client_verifier::options::Options as VerifierOptions;
use tendermint_light_client_verifier::types::{TrustedBlockState, UntrustedBlockState};
use tendermint_light_client_verifier::{Verdict, Verifier};

use crate::cometbft::{self, verdict_error, BlockCommit, VerifiedHeader};
use crate::error::{Kind, ProofError, Result};

/// The mainnet genesis: chain id, time and the gentx validators.
const MAINNET_GENESIS: &str = include_str!("../data/gonka-mainnet-genesis.json");

/// How far the light client trusts: the trust level of a skipping step, how long a trusted
/// header stays usable, and how far ahead of the local clock a header may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub trust_numerator: u64,
    pub trust_denominator: u64,
    pub trusting_period: Duration,
    pub clock_drift: Duration,
}

impl Default for Options {
    /// Trust level 1/3; 14 days, two thirds of the chain's 21-day unbonding time; 10 s drift.
    fn default() -> Self {
        Self {
            trust_numerator: 1,
            trust_denominator: 3,
            trusting_period: Duration::from_secs(14 * 24 * 3600),
            clock_drift: Duration::from_secs(10),
        }
    }
}

impl Options {
    fn verifier_options(&self) -> Result<VerifierOptions> {
        let trust_threshold =
            TrustThresholdFraction::new(self.trust_numerator, self.trust_denominator).map_err(
                |e| {
                    ProofError::new(
                        Kind::Trust,
                        "trust.options",
                        format!(
                            "trust level {}/{} is invalid (between 1/3 and 1): {e}",
                            self.trust_numerator, self.trust_denominator
                        ),
                    )
                },
            )?;
        Ok(VerifierOptions {
            trust_threshold,
            trusting_period: self.trusting_period,
            clock_drift: self.clock_drift,
        })
    }
}

/// What the light client trusts: a chain, a height and time, and the validators of the next
/// height (`header.next_validators_hash` for a header, the genesis set for a genesis anchor).
#[derive(Debug, Clone)]
pub struct TrustedState {
    pub chain_id: ChainId,
    pub height: Height,
    pub time: Time,
    /// The trusted header's hash; `None` for a genesis anchor (there is no header yet).
    pub header_hash: Option<Vec<u8>>,
    pub next_validators: ValidatorSet,
}

#[derive(Deserialize)]
struct GenesisDoc {
    chain_id: String,
    genesis_time: String,
    initial_height: u64,
    validators: Vec<GenesisValidator>,
}

#[derive(Deserialize)]
struct GenesisValidator {
    pub_key: String,
    power: u64,
}

fn anchor_error(message: impl Into<String>) -> ProofError {
    ProofError::new(Kind::Trust, "trust.anchor", message)
}

impl TrustedState {
    /// A genesis anchor: the validators that sign the first block (`initial_height`).
    pub fn genesis(
        chain_id: &str,
        genesis_time: Time,
        initial_height: u64,
        validators: &[([u8; 32], u64)],
    ) -> Result<Self> {
        let chain_id = ChainId::try_from(chain_id)
            .map_err(|e| anchor_error(format!("bad chain id {chain_id:?}: {e}")))?;
        if initial_height == 0 {
            return Err(anchor_error("the initial height is at least 1"));
        }
        let infos = validators
            .iter()
            .map(|(key, power)| {
                let pub_key = PublicKey::from_raw_ed25519(key)
                    .ok_or_else(|| anchor_error("a genesis validator key is not ed25519"))?;
                let power = (*power)
                    .try_into()
                    .map_err(|_| anchor_error("a genesis validator power is out of range"))?;
                Ok(Info::new(pub_key, power))
            })
            .collect::<Result<Vec<_>>>()?;
        let next_validators = cometbft::validator_set(infos)?;
        // The first block's time is the genesis time; the anchor sits just before it so that the
        // light client's "strictly later" rule admits that block.
        let time = genesis_time
            .checked_sub(Duration::from_nanos(1))
            .ok_or_else(|| anchor_error("the genesis time is out of range"))?;
        Ok(Self {
            chain_id,
            height: cometbft::height_of(initial_height - 1)?,
            time,
            header_hash: None,
            next_validators,
        })
    }

    /// The gonka mainnet genesis (`gonka-mainnet`, 2025-08-22, its 11 gentx validators).
    pub fn mainnet_genesis() -> Result<Self> {
        let doc: GenesisDoc = serde_json::from_str(MAINNET_GENESIS)
            .map_err(|e| anchor_error(format!("embedded genesis: {e}")))?;
        let time = Time::parse_from_rfc3339(&doc.genesis_time)
            .map_err(|e| anchor_error(format!("embedded genesis time: {e}")))?;
        let validators = doc
            .validators
            .iter()
            .map(|v| {
                let key: [u8; 32] = BASE64
                    .decode(&v.pub_key)
                    .ok()
                    .and_then(|k| k.try_into().ok())
                    .ok_or_else(|| anchor_error("embedded genesis key is not 32 bytes"))?;
                Ok((key, v.power))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::genesis(&doc.chain_id, time, doc.initial_height, &validators)
    }

    /// A pinned checkpoint: the header at `height` must hash to `hash`, and `next_validators`
    /// (the set of `height + 1`) to its `next_validators_hash`. The pin vouches for the header,
    /// so its commit signatures are not needed.
    pub fn from_checkpoint(
        height: u64,
        hash: &[u8],
        block: &BlockCommit,
        next_validators: ValidatorSet,
    ) -> Result<Self> {
        let header = &block.header;
        if header.height.value() != height {
            return Err(ProofError::mismatch(
                Kind::HeaderMismatch,
                "header.height",
                &format!(
                    "the checkpoint is at height {height}, the node sent height {}",
                    header.height
                ),
                &height.to_be_bytes(),
                &header.height.value().to_be_bytes(),
            ));
        }
        let header_hash = header.hash();
        if header_hash.as_bytes() != hash {
            return Err(ProofError::mismatch(
                Kind::Trust,
                "trust.checkpoint",
                &format!("the header at height {height} is not the pinned one"),
                hash,
                header_hash.as_bytes(),
            ));
        }
        Self::after(header, next_validators)
    }

    /// The state after verifying `verified`: trust moves to its header, with the set of the next
    /// height (which must hash to the header's `next_validators_hash`).
    pub fn from_verified(verified: &VerifiedHeader, next_validators: ValidatorSet) -> Result<Self> {
        Self::after(verified.header(), next_validators)
    }

    fn after(header: &tendermint::block::Header, next_validators: ValidatorSet) -> Result<Self> {
        let next_hash = next_validators.hash();
        if next_hash != header.next_validators_hash {
            return Err(ProofError::mismatch(
                Kind::ValidatorSetMismatch,
                "next_validators.hash",
                "the next validator set does not hash to the header's next_validators_hash",
                header.next_validators_hash.as_bytes(),
                next_hash.as_bytes(),
            ));
        }
        Ok(Self {
            chain_id: header.chain_id.clone(),
            height: header.height,
            time: header.time,
            header_hash: Some(header.hash().as_bytes().to_vec()),
            next_validators,
        })
    }

    /// Verifies `block` (signed by `validators`) from this state: the header checks of
    /// [`cometbft::check_block`] for this chain (and `height`, when given), then the light client
    /// step at time `now`. Only forward steps are possible; a header at the trusted height is
    /// accepted when it is the trusted header itself.
    pub fn verify(
        &self,
        block: &BlockCommit,
        validators: ValidatorSet,
        height: Option<u64>,
        options: &Options,
        now: Time,
    ) -> Result<VerifiedHeader> {
        let signed_header =
            cometbft::check_block(block, &validators, self.chain_id.as_str(), height)?;
        let target = signed_header.header.height;
        if target <= self.height {
            let same = self.header_hash.as_deref() == Some(signed_header.header.hash().as_bytes())
                && target == self.height;
            if !same {
                return Err(ProofError::new(
                    Kind::Trust,
                    "trust.height",
                    format!(
                        "height {target} is not above the trusted height {}; pin a checkpoint at or \
                         below it to verify older blocks",
                        self.height
                    ),
                ));
            }
            let verified = cometbft::verify_commit(
                block,
                validators,
                self.chain_id.as_str(),
                Some(target.value()),
            )?;
            return Ok(verified);
        }
        let verifier_options = options.verifier_options()?;
        let trusted = TrustedBlockState {
            chain_id: &self.chain_id,
            header_time: self.time,
            height: self.height,
            next_validators: &self.next_validators,
            next_validators_hash: self.next_validators.hash(),
        };
        let untrusted = UntrustedBlockState {
            signed_header: &signed_header,
            validators: &validators,
            next_validators: None,
        };
        match crate::signatures::verifier().verify_update_header(
            untrusted,
            trusted,
            &verifier_options,
            now,
        ) {
            Verdict::Success => Ok(VerifiedHeader {
                signed_header,
                validators,
            }),
            Verdict::NotEnoughTrust(tally) => Err(ProofError::new(
                Kind::Trust,
                "trust.level",
                format!(
                    "the trusted validators signing height {target} carry {} of {} voting power, \
                     below the trust level {} (verify an intermediate height first)",
                    tally.tallied, tally.total, tally.trust_threshold
                ),
            )),
            Verdict::Invalid(detail) => Err(verdict_error(&detail)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainnet_genesis_anchor_loads() {
        let state = TrustedState::mainnet_genesis().unwrap();
        assert_eq!(state.chain_id.as_str(), "gonka-mainnet");
        assert_eq!(state.height.value(), 0);
        assert_eq!(state.next_validators.validators().len(), 11);
        assert_eq!(state.next_validators.total_voting_power().value(), 11);
        assert!(state.header_hash.is_none());
        assert_eq!(
            state.time.checked_add(Duration::from_nanos(1)).unwrap(),
            Time::parse_from_rfc3339("2025-08-22T08:42:00.713839Z").unwrap()
        );
    }

    #[test]
    fn trust_levels_outside_one_third_to_one_are_refused() {
        let options = Options {
            trust_numerator: 1,
            trust_denominator: 4,
            ..Options::default()
        };
        assert_eq!(
            options.verifier_options().unwrap_err().step,
            "trust.options"
        );
    }
}
