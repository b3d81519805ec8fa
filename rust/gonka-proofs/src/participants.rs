//! An epoch's participant set (`inference.inference.ActiveParticipants`) as the API node serves it
//! at `/v1/epochs/{epoch}/participants`, verified over its raw store bytes.
//!
//! The value is decoded leniently: the schema keeps growing, so fields this library does not know
//! are kept as raw bytes, and only the verified bytes are ever decoded.

use serde_json::Value;

use crate::error::{Kind, ProofError, Result};
use crate::proof_ops::{self, ProofOp, StoreProof};
use crate::protowire::{Field, Reader};

/// The module store that holds the participant sets.
pub const STORE: &[u8] = b"inference";

/// Values above this size are refused (the mainnet set is a few hundred KiB).
const MAX_VALUE_BYTES: usize = 64 << 20;

/// How the store key of an epoch's set is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLayout {
    /// `ActiveParticipants/value/` ‖ u64 big-endian epoch ‖ `/`.
    Current,
    /// `ActiveParticipants/` ‖ decimal epoch group id ‖ `/value/` (before the key migration).
    Legacy,
}

impl KeyLayout {
    pub fn name(self) -> &'static str {
        match self {
            KeyLayout::Current => "current",
            KeyLayout::Legacy => "legacy",
        }
    }
}

/// The store key of an epoch's participant set.
pub fn active_participants_key(epoch: u64) -> Vec<u8> {
    let mut key = b"ActiveParticipants/value/".to_vec();
    key.extend_from_slice(&epoch.to_be_bytes());
    key.push(b'/');
    key
}

/// The store key written before the key migration (epoch group id in decimal).
pub fn legacy_active_participants_key(epoch: u64) -> Vec<u8> {
    format!("ActiveParticipants/{epoch}/value/").into_bytes()
}

/// The epoch a participant-set key is for, and its layout.
pub fn epoch_of_key(key: &[u8]) -> Option<(u64, KeyLayout)> {
    if let Some(rest) = key.strip_prefix(b"ActiveParticipants/value/") {
        if rest.len() == 9 && rest[8] == b'/' {
            let epoch = u64::from_be_bytes(rest[..8].try_into().ok()?);
            return Some((epoch, KeyLayout::Current));
        }
        return None;
    }
    let digits = key
        .strip_prefix(b"ActiveParticipants/")?
        .strip_suffix(b"/value/")?;
    let text = std::str::from_utf8(digits).ok()?;
    // Only the canonical decimal form (no sign, no leading zeros) is a key the chain writes.
    if text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_digit())
        || text.len() > 1 && text.starts_with('0')
    {
        return None;
    }
    Some((text.parse().ok()?, KeyLayout::Legacy))
}

/// A field kept as it was encoded (tag included), so nothing of the proven value is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawField {
    pub number: u32,
    pub raw: Vec<u8>,
}

impl RawField {
    fn of(field: &Field<'_>) -> Self {
        Self {
            number: field.number,
            raw: field.raw.to_vec(),
        }
    }
}

/// One participant of an epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveParticipant {
    /// The participant's account address (`index`, `gonka1...`).
    pub address: String,
    /// Its ed25519 consensus key, base64.
    pub validator_key: String,
    pub weight: i64,
    pub inference_url: String,
    pub models: Vec<String>,
    /// `seed`, `ml_nodes`, `voting_powers` and any newer fields, as encoded.
    pub other_fields: Vec<RawField>,
}

/// The participant set of an epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveParticipants {
    pub participants: Vec<ActiveParticipant>,
    /// Deprecated; the epoch index for sets written under the legacy key.
    pub epoch_group_id: u64,
    pub poc_start_block_height: i64,
    pub effective_block_height: i64,
    /// `H`: the block whose state holds the set; header `H+1` commits to it.
    pub created_at_block_height: i64,
    pub epoch_id: u64,
    pub other_fields: Vec<RawField>,
}

fn decode_error(message: impl Into<String>) -> ProofError {
    ProofError::malformed(
        "participants.decode",
        format!("ActiveParticipants: {}", message.into()),
    )
}

fn decode_participant(data: &[u8]) -> std::result::Result<ActiveParticipant, String> {
    let mut out = ActiveParticipant::default();
    let mut reader = Reader::new(data);
    while let Some(field) = reader.next_field() {
        let field = field?;
        match field.number {
            1 => out.address = field.string("index")?,
            2 => out.validator_key = field.string("validator_key")?,
            3 => out.weight = field.varint("weight")? as i64,
            4 => out.inference_url = field.string("inference_url")?,
            5 => out.models.push(field.string("models")?),
            _ => out.other_fields.push(RawField::of(&field)),
        }
    }
    Ok(out)
}

/// Decodes `ActiveParticipants` bytes, keeping unknown fields.
pub fn decode_active_participants(data: &[u8]) -> Result<ActiveParticipants> {
    let mut out = ActiveParticipants::default();
    let mut reader = Reader::new(data);
    while let Some(field) = reader.next_field() {
        let field = field.map_err(decode_error)?;
        let value: std::result::Result<(), String> = (|| {
            match field.number {
                1 => {
                    let participant = decode_participant(field.bytes("participants")?)
                        .map_err(|e| format!("participant {}: {e}", out.participants.len()))?;
                    out.participants.push(participant);
                }
                2 => out.epoch_group_id = field.varint("epoch_group_id")?,
                3 => out.poc_start_block_height = field.varint("poc_start_block_height")? as i64,
                4 => out.effective_block_height = field.varint("effective_block_height")? as i64,
                5 => out.created_at_block_height = field.varint("created_at_block_height")? as i64,
                6 => out.epoch_id = field.varint("epoch_id")?,
                _ => out.other_fields.push(RawField::of(&field)),
            }
            Ok(())
        })();
        value.map_err(decode_error)?;
    }
    Ok(out)
}

/// A participant set whose bytes are proven under an app hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenParticipants {
    pub epoch: u64,
    pub layout: KeyLayout,
    /// The raw store value the proof covers.
    pub value: Vec<u8>,
    pub set: ActiveParticipants,
    pub store: StoreProof,
}

/// The parts of an API node response that the proof covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantsResponse {
    pub value: Vec<u8>,
    pub ops: Vec<ProofOp>,
}

/// Reads `active_participants_bytes` (hex) and `proof_ops` from an API node response.
pub fn parse_response(response: &Value) -> Result<ParticipantsResponse> {
    let text = response
        .get("active_participants_bytes")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ProofError::malformed(
                "participants.value",
                "the response has no \"active_participants_bytes\" string",
            )
        })?;
    if text.len() > 2 * MAX_VALUE_BYTES {
        return Err(ProofError::malformed(
            "participants.value",
            format!(
                "active_participants_bytes is {} hex digits, too large",
                text.len()
            ),
        ));
    }
    let value = hex::decode(text.trim()).map_err(|e| {
        ProofError::malformed(
            "participants.value",
            format!("active_participants_bytes is not hex: {e}"),
        )
    })?;
    if value.is_empty() {
        return Err(ProofError::malformed(
            "participants.value",
            "active_participants_bytes is empty (the node has no set for this epoch)",
        ));
    }
    let ops = proof_ops::parse_proof_ops(response)?;
    Ok(ParticipantsResponse { value, ops })
}

/// The epoch (and key layout) the IAVL op proves, checked against the requested epoch.
fn bind_epoch(requested: Option<u64>, ops: &[ProofOp]) -> Result<(u64, KeyLayout)> {
    let key = &ops[0].key;
    let found = epoch_of_key(key);
    match (requested, found) {
        (Some(epoch), Some((proven, layout))) if proven == epoch => Ok((epoch, layout)),
        (None, Some(found)) => Ok(found),
        (requested, _) => {
            let expected = active_participants_key(requested.unwrap_or_default());
            let what = match (requested, found) {
                (Some(epoch), Some((other, _))) => {
                    format!("asked for epoch {epoch}, the proof is for epoch {other}'s key")
                }
                (Some(epoch), None) => format!(
                    "asked for epoch {epoch}, the proof is for a key that is no participant set's"
                ),
                _ => "the proof is for a key that is no participant set's".to_string(),
            };
            Err(ProofError {
                kind: Kind::EpochMismatch,
                step: "epoch.key",
                message: format!("{what} ({})", String::from_utf8_lossy(key)),
                expected: requested.map(|_| expected),
                actual: Some(key.clone()),
            })
        }
    }
}

/// Checks a response's proof chain for `epoch` (`None`: whichever epoch the key names) and
/// returns the proven set with the app hash the proof computes. The caller must compare that
/// app hash with an authenticated header `H+1` (see [`verify_response`]).
pub fn prove_response(requested: Option<u64>, response: &Value) -> Result<ProvenParticipants> {
    let ParticipantsResponse { value, ops } = parse_response(response)?;
    proof_ops::check_shape(&ops)?;
    let (epoch, layout) = bind_epoch(requested, &ops)?;
    let key = ops[0].key.clone();
    let store = proof_ops::prove_store_value(&ops, STORE, &key, &value)?;
    let set = decode_active_participants(&value)?;
    let (field, recorded) = match layout {
        KeyLayout::Current => ("epoch_id", set.epoch_id),
        KeyLayout::Legacy => ("epoch_group_id", set.epoch_group_id),
    };
    if recorded != epoch {
        return Err(ProofError {
            kind: Kind::EpochMismatch,
            step: "epoch.id",
            message: format!("the proven set records {field} {recorded}, not epoch {epoch}"),
            expected: Some(epoch.to_be_bytes().to_vec()),
            actual: Some(recorded.to_be_bytes().to_vec()),
        });
    }
    Ok(ProvenParticipants {
        epoch,
        layout,
        value,
        set,
        store,
    })
}

/// [`prove_response`], then the proven app hash must equal `app_hash` (header `H+1`'s).
pub fn verify_response(
    requested: Option<u64>,
    response: &Value,
    app_hash: &[u8],
) -> Result<ProvenParticipants> {
    let proven = prove_response(requested, response)?;
    proof_ops::check_app_hash(app_hash, &proven.store.app_hash)?;
    Ok(proven)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_both_layouts() {
        let key = active_participants_key(1);
        assert_eq!(
            hex::encode(&key),
            "4163746976655061727469636970616e74732f76616c75652f00000000000000012f"
        );
        assert_eq!(key.len(), 34);
        assert_eq!(epoch_of_key(&key), Some((1, KeyLayout::Current)));
        assert_eq!(
            legacy_active_participants_key(12),
            b"ActiveParticipants/12/value/"
        );
        assert_eq!(
            epoch_of_key(b"ActiveParticipants/12/value/"),
            Some((12, KeyLayout::Legacy))
        );
        for bad in [
            &b"ActiveParticipants/012/value/"[..],
            b"ActiveParticipants//value/",
            b"ActiveParticipants/-1/value/",
            b"ActiveParticipants/value/\x00\x00\x00\x00\x00\x00\x00\x01",
            b"TokenomicsData/value/",
        ] {
            assert_eq!(epoch_of_key(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn lenient_decoding_keeps_unknown_fields() {
        // participant {index "a", weight -1, field 9 varint 7}, created_at 15, field 99 bytes
        let participant = [
            0x0a, 0x01, b'a', 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            0x48, 0x07,
        ];
        let mut data = vec![0x0a, participant.len() as u8];
        data.extend_from_slice(&participant);
        data.extend_from_slice(&[0x28, 0x0f, 0x9a, 0x06, 0x01, 0x55]);
        let set = decode_active_participants(&data).unwrap();
        assert_eq!(set.created_at_block_height, 15);
        assert_eq!(set.participants[0].address, "a");
        assert_eq!(set.participants[0].weight, -1);
        assert_eq!(set.participants[0].other_fields[0].raw, [0x48, 0x07]);
        assert_eq!(set.other_fields[0].number, 99);
        assert_eq!(set.other_fields[0].raw, [0x9a, 0x06, 0x01, 0x55]);
    }

    #[test]
    fn wrong_wire_types_for_known_fields_are_errors() {
        let err = decode_active_participants(&[0x28, 0x02, 0x00, 0x00]).unwrap_err();
        assert_eq!(err.step, "participants.decode");
        let err = decode_active_participants(&[0x0a, 0x02, 0x0a, 0x01, 0xff]).unwrap_err();
        assert!(err.message.contains("participant 0"), "{}", err.message);
    }
}
