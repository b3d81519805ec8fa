//! Proof verification for the Gonka network, in pure Rust (`gonka-py` exposes it to Python as
//! `gonka.proofs`).
//!
//! - [`commitment`]: ICS23 existence and non-existence proofs (IAVL and Tendermint specs, plus
//!   the leaf rule Go's ics23 adds); [`proof_ops`]: the two-op chain to an app hash;
//! - [`participants`]: an epoch's participant set, bound to the requested epoch and proven under
//!   the app hash of an authenticated header;
//! - [`cometbft`], [`light`]: headers, validator sets, commits and the light client step from a
//!   trust anchor, with every commit signature verified ([`signatures`]); [`rfc6962`]: CometBFT's
//!   simple Merkle tree; [`tx`]: tx inclusion;
//! - [`smst`]: the PoC v2 sparse Merkle sum tree (build, proofs, verification); [`mmr`]: the
//!   legacy mountain range.
//!
//! Every failure is a [`ProofError`] naming the step that failed and the bytes involved.

pub mod cometbft;
pub mod commitment;
pub mod error;
pub mod light;
pub mod mmr;
pub mod participants;
pub mod proof_ops;
mod protowire;
pub mod rfc6962;
pub mod signatures;
pub mod smst;
pub mod tx;

pub use error::{Kind, ProofError, Result};
/// The CometBFT types of this crate's API.
pub use tendermint::{validator::Set as ValidatorSet, Time};

use serde_json::Value;

/// An epoch's participant set, verified down to validator signatures.
#[derive(Debug, Clone)]
pub struct VerifiedParticipants {
    pub proven: participants::ProvenParticipants,
    /// Header `H+1`, whose app hash commits to the set.
    pub header: cometbft::VerifiedHeader,
}

/// The participants flow in one call: the response's store proof for `epoch` (`None`: the epoch
/// its key names), then header `H+1` (`block`, signed by `validators`) verified from `trusted` at
/// time `now`, whose app hash must be the proof's.
pub fn verify_participants(
    epoch: Option<u64>,
    response: &Value,
    block: &cometbft::BlockCommit,
    validators: tendermint::validator::Set,
    trusted: &light::TrustedState,
    options: &light::Options,
    now: tendermint::Time,
) -> Result<VerifiedParticipants> {
    let proven = participants::prove_response(epoch, response)?;
    let header = trusted.verify(block, validators, Some(next_height(&proven)?), options, now)?;
    verify_participants_in_header(proven, header)
}

/// The height of the header that commits to a proven set: `created_at_block_height + 1`.
pub fn next_height(proven: &participants::ProvenParticipants) -> Result<u64> {
    u64::try_from(proven.set.created_at_block_height)
        .ok()
        .and_then(|h| h.checked_add(1))
        .ok_or_else(|| {
            ProofError::new(
                Kind::HeaderMismatch,
                "header.height",
                format!(
                    "the set's created_at_block_height {} is not a block height",
                    proven.set.created_at_block_height
                ),
            )
        })
}

/// Binds a proven set to an already verified header `H+1`.
pub fn verify_participants_in_header(
    proven: participants::ProvenParticipants,
    header: cometbft::VerifiedHeader,
) -> Result<VerifiedParticipants> {
    let expected = next_height(&proven)?;
    if header.height() != expected {
        return Err(ProofError::mismatch(
            Kind::HeaderMismatch,
            "header.height",
            &format!(
                "the set was written at block {}, so header {expected} commits to it, not {}",
                proven.set.created_at_block_height,
                header.height()
            ),
            &expected.to_be_bytes(),
            &header.height().to_be_bytes(),
        ));
    }
    proof_ops::check_app_hash(header.app_hash(), &proven.store.app_hash)?;
    Ok(VerifiedParticipants { proven, header })
}
