//! One error type for every verification: which step failed, what kind of failure it is, and the
//! bytes involved (what the step expected and what it found), so a caller can show or log them.

use std::fmt;

/// The family of a failure; each maps onto one Python exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An input could not be decoded (JSON, protobuf, hex, base64) or has the wrong shape.
    Malformed,
    /// An ICS23 proof does not prove the key/value under its root.
    Membership,
    /// The proof or the value is for another epoch than the one requested.
    EpochMismatch,
    /// The proven app hash is not the authenticated header's.
    AppHashMismatch,
    /// The header is not the one asked for (chain id, height) or not the block the commit signs.
    HeaderMismatch,
    /// A validator set does not hash to the header's, or is inconsistent in itself.
    ValidatorSetMismatch,
    /// The commit's signatures are invalid or do not belong to the set.
    InvalidCommit,
    /// The valid signatures carry no more than 2/3 of the set's voting power.
    InsufficientVotingPower,
    /// The light client cannot move its trust to the header (period expired, too little
    /// overlap with the trusted set, not a successor).
    Trust,
    /// An RFC 6962 inclusion proof (transactions, headers) does not reach its root.
    Inclusion,
    /// A sparse Merkle sum tree or MMR proof does not verify.
    SumTree,
}

/// A failed verification step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofError {
    pub kind: Kind,
    /// A stable identifier of the failing step, such as `"iavl.root"` or `"commit.power"`.
    pub step: &'static str,
    pub message: String,
    /// What the step expected (a root, a key, a hash), when bytes are involved.
    pub expected: Option<Vec<u8>>,
    /// What the step found instead.
    pub actual: Option<Vec<u8>>,
}

impl ProofError {
    pub fn new(kind: Kind, step: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            step,
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    /// A mismatch of two byte strings; both are shown in hex in the message.
    pub fn mismatch(
        kind: Kind,
        step: &'static str,
        what: &str,
        expected: &[u8],
        actual: &[u8],
    ) -> Self {
        Self {
            kind,
            step,
            message: format!(
                "{what}: expected {}, got {}",
                hex::encode_upper(expected),
                hex::encode_upper(actual)
            ),
            expected: Some(expected.to_vec()),
            actual: Some(actual.to_vec()),
        }
    }

    pub fn malformed(step: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Malformed, step, message)
    }

    /// Attaches the bytes involved to an error built by `new`.
    pub fn with_bytes(mut self, expected: Option<&[u8]>, actual: Option<&[u8]>) -> Self {
        self.expected = expected.map(<[u8]>::to_vec);
        self.actual = actual.map(<[u8]>::to_vec);
        self
    }
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.step, self.message)
    }
}

impl std::error::Error for ProofError {}

pub type Result<T> = std::result::Result<T, ProofError>;

/// Shows at most `limit` bytes of `data` in hex, marking a cut.
pub(crate) fn hex_prefix(data: &[u8], limit: usize) -> String {
    if data.len() <= limit {
        hex::encode_upper(data)
    } else {
        format!(
            "{}... ({} bytes)",
            hex::encode_upper(&data[..limit]),
            data.len()
        )
    }
}

/// Deserializes untrusted JSON into a type of another crate. A panic inside that crate's decoder
/// (some assert on odd input in debug builds) becomes a `Malformed` error at `step`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    step: &'static str,
    what: &str,
) -> Result<T> {
    let decoded = std::panic::catch_unwind(|| serde_json::from_value::<T>(value.clone()));
    match decoded {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(e)) => Err(ProofError::malformed(step, format!("bad {what}: {e}"))),
        Err(_) => Err(ProofError::malformed(
            step,
            format!("bad {what}: its decoder rejected it"),
        )),
    }
}
