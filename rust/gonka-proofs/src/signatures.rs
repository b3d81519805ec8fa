//! Commit signatures, all of them: a light client may stop verifying once 2/3 of the power has
//! signed, which leaves the rest of a commit unchecked. Here every vote of a commit (for the block
//! or for nil) is verified, in one ed25519 batch (ZIP 215 rules, the same answers as one by one),
//! before any power is counted; a single bad signature rejects the commit, as CometBFT's full
//! `VerifyCommit` does.

use std::collections::HashSet;

use ed25519_consensus::{batch, Signature, VerificationKey, VerificationKeyBytes};
use rand_core::OsRng;
use rayon::prelude::*;
use tendermint::account;
use tendermint::block::CommitSig;
use tendermint::validator::{Info, Set as ValidatorSet};
use tendermint::vote::{Type as VoteType, ValidatorIndex, Vote};
use tendermint_light_client_verifier::errors::VerificationError;
use tendermint_light_client_verifier::operations::voting_power::{
    VotingPowerCalculator, VotingPowerTally,
};
use tendermint_light_client_verifier::operations::ProdCommitValidator;
use tendermint_light_client_verifier::predicates::ProdPredicates;
use tendermint_light_client_verifier::types::{SignedHeader, TrustThreshold};
use tendermint_light_client_verifier::PredicateVerifier;

/// The light-client verifier with every commit signature checked.
pub type Verifier = PredicateVerifier<ProdPredicates, FullCommit, ProdCommitValidator>;

pub fn verifier() -> Verifier {
    PredicateVerifier::new(ProdPredicates, FullCommit, ProdCommitValidator)
}

/// Counts voting power after verifying every signature of the commit.
#[derive(Debug, Clone, Copy, Default)]
pub struct FullCommit;

/// Batches smaller than this are not split further (splitting costs more than it saves).
const PER_BATCH_MIN: usize = 16;

struct SignedVote<'a> {
    validator: &'a Info,
    signature: [u8; 64],
    sign_bytes: Vec<u8>,
}

/// Verifies every non-absent vote of `header`'s commit with the keys of `signers` and returns
/// the addresses that voted for the block.
// The error type is the verifier crate's, as its trait requires.
#[allow(clippy::result_large_err)]
fn verified_block_votes(
    header: &SignedHeader,
    signers: &ValidatorSet,
) -> Result<HashSet<account::Id>, VerificationError> {
    let commit = &header.commit;
    let mut seen = HashSet::new();
    let mut for_block = HashSet::new();
    let mut votes = Vec::with_capacity(commit.signatures.len());
    for sig in &commit.signatures {
        let (address, timestamp, signature, block_id) = match sig {
            CommitSig::BlockIdFlagAbsent => continue,
            CommitSig::BlockIdFlagCommit {
                validator_address,
                timestamp,
                signature,
            } => (
                validator_address,
                timestamp,
                signature,
                Some(commit.block_id),
            ),
            CommitSig::BlockIdFlagNil {
                validator_address,
                timestamp,
                signature,
            } => (validator_address, timestamp, signature, None),
        };
        if !seen.insert(*address) {
            return Err(VerificationError::duplicate_validator(*address));
        }
        let validator = signers
            .validators()
            .iter()
            .find(|v| v.address == *address)
            .ok_or_else(|| VerificationError::faulty_signer(*address, signers.clone()))?;
        let signature: [u8; 64] = signature
            .as_ref()
            .and_then(|s| s.as_bytes().try_into().ok())
            .ok_or_else(VerificationError::missing_signature)?;
        let vote = Vote {
            vote_type: VoteType::Precommit,
            height: commit.height,
            round: commit.round,
            block_id,
            timestamp: Some(*timestamp),
            validator_address: *address,
            validator_index: ValidatorIndex::try_from(0u32).expect("index 0 is valid"),
            signature: None,
            extension: Vec::new(),
            extension_signature: None,
        };
        if block_id.is_some() {
            for_block.insert(*address);
        }
        votes.push(SignedVote {
            validator,
            signature,
            sign_bytes: vote.into_signable_vec(header.header.chain_id.clone()),
        });
    }
    // Large commits are split into one batch per core.
    let chunk = votes
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(PER_BATCH_MIN);
    let all_valid = votes.par_chunks(chunk).all(|part| {
        let mut queue = batch::Verifier::new();
        for vote in part {
            let key = VerificationKeyBytes::from(key_bytes(vote.validator));
            queue.queue((key, Signature::from(vote.signature), &vote.sign_bytes));
        }
        queue.verify(OsRng).is_ok()
    });
    if !all_valid {
        // Name the first bad signature (a batch only says that one is).
        for vote in &votes {
            let valid = VerificationKey::try_from(key_bytes(vote.validator))
                .and_then(|key| key.verify(&Signature::from(vote.signature), &vote.sign_bytes));
            if valid.is_err() {
                return Err(VerificationError::invalid_signature(
                    vote.signature.to_vec(),
                    Box::new(vote.validator.clone()),
                    vote.sign_bytes.clone(),
                ));
            }
        }
    }
    Ok(for_block)
}

/// The validator's ed25519 key (the sets are ed25519-only; another key type fails to verify).
fn key_bytes(validator: &Info) -> [u8; 32] {
    validator.pub_key.to_bytes().try_into().unwrap_or([0u8; 32])
}

fn tally(
    for_block: &HashSet<account::Id>,
    set: &ValidatorSet,
    trust_threshold: TrustThreshold,
) -> VotingPowerTally {
    let total = set.total_voting_power().value();
    let tallied = set
        .validators()
        .iter()
        .filter(|v| for_block.contains(&v.address))
        .map(|v| v.power.value())
        .sum();
    VotingPowerTally {
        total,
        tallied,
        trust_threshold,
    }
}

impl VotingPowerCalculator for FullCommit {
    fn voting_power_in(
        &self,
        signed_header: &SignedHeader,
        validator_set: &ValidatorSet,
        trust_threshold: TrustThreshold,
    ) -> Result<VotingPowerTally, VerificationError> {
        let for_block = verified_block_votes(signed_header, validator_set)?;
        Ok(tally(&for_block, validator_set, trust_threshold))
    }

    /// `first_set` is the trusted set, `second_set` the header's own, whose keys verify the votes.
    fn voting_power_in_sets(
        &self,
        signed_header: &SignedHeader,
        first_set: (&ValidatorSet, TrustThreshold),
        second_set: (&ValidatorSet, TrustThreshold),
    ) -> Result<(VotingPowerTally, VotingPowerTally), VerificationError> {
        let for_block = verified_block_votes(signed_header, second_set.0)?;
        Ok((
            tally(&for_block, first_set.0, first_set.1),
            tally(&for_block, second_set.0, second_set.1),
        ))
    }
}
