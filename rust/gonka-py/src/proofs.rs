//! Bindings of `gonka-proofs`: ICS23 store proofs, participant sets, CometBFT commits and the
//! light client, RFC 6962 and tx inclusion, the PoC v2 sum tree and the legacy MMR. Python wraps
//! them in `gonka.proofs`.
//!
//! JSON inputs are node answers as `str`, `bytes` or already-parsed objects. Failures raise the
//! `ProofError` subclass of their kind, with `step`, `expected` and `actual` set.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use numpy::{PyArray1, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pythonize::depythonize;
use serde_json::Value;

use gonka_proofs::cometbft::{self, Precommit, VerifiedHeader};
use gonka_proofs::commitment::{self, Spec};
use gonka_proofs::light::{Options, TrustedState};
use gonka_proofs::participants::{self, ActiveParticipants, ProvenParticipants};
use gonka_proofs::{mmr, proof_ops, rfc6962, smst, tx, Time};

use crate::errors::{guard, proof_to_py, InvalidInput};

fn invalid(message: impl Into<String>) -> PyErr {
    InvalidInput::new_err(message.into())
}

/// Runs a verification, raising its failure as the matching `ProofError` subclass.
fn proof<T>(py: Python<'_>, result: gonka_proofs::Result<T>) -> PyResult<T> {
    result.map_err(|e| proof_to_py(py, e))
}

/// A JSON document given as text, bytes or parsed Python objects.
fn json_of(doc: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let parsed = if let Ok(text) = doc.downcast::<PyString>() {
        serde_json::from_str(text.to_str()?).map_err(|e| e.to_string())
    } else if let Ok(bytes) = doc.downcast::<PyBytes>() {
        serde_json::from_slice(bytes.as_bytes()).map_err(|e| e.to_string())
    } else {
        depythonize::<Value>(doc).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| {
        proof_to_py(
            doc.py(),
            gonka_proofs::ProofError::malformed("json", format!("{what} is not JSON: {e}")),
        )
    })
}

/// One JSON document, or a list or tuple of them (the pages of `/validators`).
fn json_list(docs: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Value>> {
    if let Ok(list) = docs.downcast::<PyList>() {
        return list.iter().map(|doc| json_of(&doc, what)).collect();
    }
    if let Ok(tuple) = docs.downcast::<PyTuple>() {
        return tuple.iter().map(|doc| json_of(&doc, what)).collect();
    }
    Ok(vec![json_of(docs, what)?])
}

fn spec_of(name: &str) -> PyResult<Spec> {
    match name {
        "iavl" | "ics23:iavl" => Ok(Spec::Iavl),
        "tendermint" | "simple" | "ics23:simple" => Ok(Spec::Tendermint),
        other => Err(invalid(format!(
            "spec must be \"iavl\" or \"tendermint\", got {other:?}"
        ))),
    }
}

fn time_of(now_ns: Option<i64>) -> PyResult<Time> {
    match now_ns {
        None => Ok(Time::now()),
        Some(ns) => Time::from_unix_timestamp(
            ns.div_euclid(1_000_000_000),
            ns.rem_euclid(1_000_000_000) as u32,
        )
        .map_err(|e| invalid(format!("now is out of range: {e}"))),
    }
}

fn seconds(value: f64, what: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        invalid(format!(
            "{what} must be a non-negative number of seconds, got {value}"
        ))
    })
}

fn options_of(
    trusting_period: f64,
    trust_level: (u64, u64),
    clock_drift: f64,
) -> PyResult<Options> {
    Ok(Options {
        trust_numerator: trust_level.0,
        trust_denominator: trust_level.1,
        trusting_period: seconds(trusting_period, "trusting_period")?,
        clock_drift: seconds(clock_drift, "clock_drift")?,
    })
}

fn bytes<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, data)
}

/// Borrowed views of Python bytes objects (no copy; they stay alive while borrowed).
fn slices<'a>(items: &'a [Bound<'_, PyBytes>]) -> Vec<&'a [u8]> {
    items.iter().map(|b| b.as_bytes()).collect()
}

// --- ICS23 and store proofs ---

/// Verifies an ICS23 existence proof of `key = value` under `root` (`spec`: "iavl" or
/// "tendermint").
#[pyfunction]
fn proofs_verify_membership(
    py: Python<'_>,
    spec: &str,
    proof_bytes: &[u8],
    root: &[u8],
    key: &[u8],
    value: &[u8],
) -> PyResult<()> {
    guard(|| {
        let spec = spec_of(spec)?;
        proof(
            py,
            commitment::verify_membership(spec, proof_bytes, root, key, value),
        )
    })
}

/// Verifies an ICS23 non-existence proof of `key` under `root`.
#[pyfunction]
fn proofs_verify_non_membership(
    py: Python<'_>,
    spec: &str,
    proof_bytes: &[u8],
    root: &[u8],
    key: &[u8],
) -> PyResult<()> {
    guard(|| {
        let spec = spec_of(spec)?;
        proof(
            py,
            commitment::verify_non_membership(spec, proof_bytes, root, key),
        )
    })
}

/// One proof op: type, key, data.
type OpTriple<'py> = (String, Bound<'py, PyBytes>, Bound<'py, PyBytes>);

/// The proof ops of an API node (`proof_ops`) or CometBFT `abci_query` (`proofOps`) answer, as
/// (type, key, data) triples.
#[pyfunction]
fn proofs_parse_proof_ops<'py>(
    py: Python<'py>,
    doc: &Bound<'py, PyAny>,
) -> PyResult<Vec<OpTriple<'py>>> {
    guard(|| {
        let value = json_of(doc, "proof ops")?;
        let ops = proof(py, proof_ops::parse_proof_ops(&value))?;
        Ok(ops
            .into_iter()
            .map(|op| (op.op_type, bytes(py, &op.key), bytes(py, &op.data)))
            .collect())
    })
}

/// The two-op chain for `store`/`key` = `value`: returns (store root, app hash, IAVL leaf
/// version). With `app_hash`, the proven app hash must equal it.
#[pyfunction]
#[pyo3(signature = (doc, store, key, value, app_hash = None))]
fn proofs_verify_store_value<'py>(
    py: Python<'py>,
    doc: &Bound<'py, PyAny>,
    store: &[u8],
    key: &[u8],
    value: &[u8],
    app_hash: Option<&[u8]>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, Option<i64>)> {
    guard(|| {
        let doc = json_of(doc, "proof ops")?;
        let ops = proof(py, proof_ops::parse_proof_ops(&doc))?;
        let proven = match app_hash {
            Some(app_hash) => proof_ops::verify_store_value(&ops, app_hash, store, key, value),
            None => proof_ops::prove_store_value(&ops, store, key, value),
        };
        let proven = proof(py, proven)?;
        Ok((
            bytes(py, &proven.store_root),
            bytes(py, &proven.app_hash),
            proven.leaf_version,
        ))
    })
}

// --- participants ---

#[pyfunction]
fn proofs_active_participants_key<'py>(py: Python<'py>, epoch: u64) -> Bound<'py, PyBytes> {
    bytes(py, &participants::active_participants_key(epoch))
}

#[pyfunction]
fn proofs_legacy_active_participants_key<'py>(py: Python<'py>, epoch: u64) -> Bound<'py, PyBytes> {
    bytes(py, &participants::legacy_active_participants_key(epoch))
}

fn raw_fields<'py>(
    py: Python<'py>,
    fields: &[participants::RawField],
) -> Vec<(u32, Bound<'py, PyBytes>)> {
    fields
        .iter()
        .map(|f| (f.number, bytes(py, &f.raw)))
        .collect()
}

fn set_to_py<'py>(py: Python<'py>, set: &ActiveParticipants) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let list = PyList::empty(py);
    for p in &set.participants {
        let item = PyDict::new(py);
        item.set_item("address", &p.address)?;
        item.set_item("validator_key", &p.validator_key)?;
        item.set_item("weight", p.weight)?;
        item.set_item("inference_url", &p.inference_url)?;
        item.set_item("models", &p.models)?;
        item.set_item("other_fields", raw_fields(py, &p.other_fields))?;
        list.append(item)?;
    }
    out.set_item("participants", list)?;
    out.set_item("epoch_id", set.epoch_id)?;
    out.set_item("epoch_group_id", set.epoch_group_id)?;
    out.set_item("poc_start_block_height", set.poc_start_block_height)?;
    out.set_item("effective_block_height", set.effective_block_height)?;
    out.set_item("created_at_block_height", set.created_at_block_height)?;
    out.set_item("other_fields", raw_fields(py, &set.other_fields))?;
    Ok(out)
}

/// Decodes `ActiveParticipants` bytes leniently (unknown fields kept as raw bytes).
#[pyfunction]
fn proofs_decode_active_participants<'py>(
    py: Python<'py>,
    data: &[u8],
) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let set = proof(py, participants::decode_active_participants(data))?;
        set_to_py(py, &set)
    })
}

fn proven_to_py<'py>(py: Python<'py>, proven: &ProvenParticipants) -> PyResult<Bound<'py, PyDict>> {
    let out = set_to_py(py, &proven.set)?;
    out.set_item("epoch", proven.epoch)?;
    out.set_item("key_layout", proven.layout.name())?;
    out.set_item("key", bytes(py, &proven.store.key))?;
    out.set_item("value", bytes(py, &proven.value))?;
    out.set_item("store_root", bytes(py, &proven.store.store_root))?;
    out.set_item("app_hash", bytes(py, &proven.store.app_hash))?;
    out.set_item("leaf_version", proven.store.leaf_version)?;
    Ok(out)
}

/// Checks a `/v1/epochs/{epoch}/participants` answer's proof chain and epoch binding (`epoch`
/// None: the epoch its key names) and returns the proven set with the app hash it proves. The
/// app hash still has to be matched with an authenticated header.
#[pyfunction]
#[pyo3(signature = (epoch, response))]
fn proofs_prove_participants<'py>(
    py: Python<'py>,
    epoch: Option<u64>,
    response: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let response = json_of(response, "participants response")?;
        let proven = proof(py, participants::prove_response(epoch, &response))?;
        proven_to_py(py, &proven)
    })
}

/// The participants flow in one call: proof chain and epoch binding, header `H+1` verified from
/// `trusted` (light client step) with `validators` (every `/validators` page), app hash match.
#[pyfunction]
#[pyo3(signature = (epoch, response, commit, validators, trusted, *, now_ns = None,
    trusting_period = 1_209_600.0, trust_level = (1, 3), clock_drift = 10.0))]
#[allow(clippy::too_many_arguments)]
fn proofs_verify_participants<'py>(
    py: Python<'py>,
    epoch: Option<u64>,
    response: &Bound<'py, PyAny>,
    commit: &Bound<'py, PyAny>,
    validators: &Bound<'py, PyAny>,
    trusted: &PyTrustedState,
    now_ns: Option<i64>,
    trusting_period: f64,
    trust_level: (u64, u64),
    clock_drift: f64,
) -> PyResult<(Bound<'py, PyDict>, PyVerifiedHeader)> {
    guard(|| {
        let response = json_of(response, "participants response")?;
        let commit = json_of(commit, "commit")?;
        let pages = json_list(validators, "validators")?;
        let options = options_of(trusting_period, trust_level, clock_drift)?;
        let now = time_of(now_ns)?;
        let verified = py.allow_threads(|| {
            let block = cometbft::parse_signed_header(&commit)?;
            let set = cometbft::parse_validators(&pages, Some(block.header.height.value()))?;
            gonka_proofs::verify_participants(
                epoch,
                &response,
                &block,
                set,
                &trusted.inner,
                &options,
                now,
            )
        });
        let verified = proof(py, verified)?;
        let out = proven_to_py(py, &verified.proven)?;
        Ok((
            out,
            PyVerifiedHeader {
                inner: verified.header,
            },
        ))
    })
}

/// Binds a participants answer to an already verified header `H+1`.
#[pyfunction]
fn proofs_verify_participants_in_header<'py>(
    py: Python<'py>,
    epoch: Option<u64>,
    response: &Bound<'py, PyAny>,
    header: &PyVerifiedHeader,
) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let response = json_of(response, "participants response")?;
        let proven = proof(py, participants::prove_response(epoch, &response))?;
        let verified = proof(
            py,
            gonka_proofs::verify_participants_in_header(proven, header.inner.clone()),
        )?;
        proven_to_py(py, &verified.proven)
    })
}

// --- CometBFT ---

/// A header whose commit carries > 2/3 of the voting power of a set hashing to its
/// `validators_hash`.
#[pyclass(module = "gonka.proofs", name = "VerifiedHeader", frozen)]
pub struct PyVerifiedHeader {
    inner: VerifiedHeader,
}

#[pymethods]
impl PyVerifiedHeader {
    #[getter]
    fn height(&self) -> u64 {
        self.inner.height()
    }

    #[getter]
    fn hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.hash())
    }

    #[getter]
    fn chain_id(&self) -> String {
        self.inner.header().chain_id.to_string()
    }

    /// The header time, RFC 3339.
    #[getter]
    fn time(&self) -> String {
        self.inner.header().time.to_rfc3339()
    }

    #[getter]
    fn app_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.app_hash())
    }

    #[getter]
    fn data_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let hash = self.inner.header().data_hash;
        bytes(py, hash.as_ref().map(|h| h.as_bytes()).unwrap_or_default())
    }

    #[getter]
    fn validators_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.header().validators_hash.as_bytes())
    }

    #[getter]
    fn next_validators_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.header().next_validators_hash.as_bytes())
    }

    /// The total voting power of the set that signed it.
    #[getter]
    fn total_voting_power(&self) -> u64 {
        self.inner.validators.total_voting_power().value()
    }

    fn __repr__(&self) -> String {
        format!(
            "VerifiedHeader(chain_id={:?}, height={}, hash={})",
            self.chain_id(),
            self.height(),
            hex::encode_upper(self.inner.hash())
        )
    }
}

/// Verifies a `/commit` answer against its validator set (`validators`: every `/validators`
/// page): header of `chain_id` (and `height`), set hash, block id, > 2/3 of the power signed.
/// No trust anchor is involved; see `TrustedState.verify` for that.
#[pyfunction]
#[pyo3(signature = (commit, validators, chain_id, height = None))]
fn proofs_verify_commit(
    py: Python<'_>,
    commit: &Bound<'_, PyAny>,
    validators: &Bound<'_, PyAny>,
    chain_id: &str,
    height: Option<u64>,
) -> PyResult<PyVerifiedHeader> {
    guard(|| {
        let commit = json_of(commit, "commit")?;
        let pages = json_list(validators, "validators")?;
        let verified = py.allow_threads(|| {
            let block = cometbft::parse_signed_header(&commit)?;
            let set = cometbft::parse_validators(&pages, Some(block.header.height.value()))?;
            cometbft::verify_commit(&block, set, chain_id, height)
        });
        Ok(PyVerifiedHeader {
            inner: proof(py, verified)?,
        })
    })
}

/// The hash of a header in CometBFT RPC JSON.
#[pyfunction]
fn proofs_header_hash<'py>(
    py: Python<'py>,
    header: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        let header = json_of(header, "header")?;
        let header: cometbft::Header = serde_json::from_value(header).map_err(|e| {
            proof_to_py(
                py,
                gonka_proofs::ProofError::malformed("header.decode", format!("bad header: {e}")),
            )
        })?;
        Ok(bytes(py, header.hash().as_bytes()))
    })
}

/// The hash of a validator set given as `/validators` pages (or `{"validators": [...]}`).
#[pyfunction]
fn proofs_validator_set_hash<'py>(
    py: Python<'py>,
    validators: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        let pages = json_list(validators, "validators")?;
        let set = proof(py, cometbft::parse_validators(&pages, None))?;
        Ok(bytes(py, set.hash().as_bytes()))
    })
}

fn precommit(
    chain_id: &str,
    height: u64,
    round: u32,
    block_hash: &[u8],
    part_set_total: u32,
    part_set_hash: &[u8],
    timestamp: &str,
) -> gonka_proofs::Result<Precommit> {
    let timestamp = Time::parse_from_rfc3339(timestamp).map_err(|e| {
        gonka_proofs::ProofError::malformed("commit.decode", format!("bad timestamp: {e}"))
    })?;
    Ok(Precommit {
        chain_id: chain_id.to_string(),
        height,
        round,
        block_hash: block_hash.to_vec(),
        part_set_total,
        part_set_hash: part_set_hash.to_vec(),
        timestamp,
    })
}

/// The bytes a validator signs for a precommit (CanonicalVote).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn proofs_precommit_sign_bytes<'py>(
    py: Python<'py>,
    chain_id: &str,
    height: u64,
    round: u32,
    block_hash: &[u8],
    part_set_total: u32,
    part_set_hash: &[u8],
    timestamp: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        let vote = proof(
            py,
            precommit(
                chain_id,
                height,
                round,
                block_hash,
                part_set_total,
                part_set_hash,
                timestamp,
            ),
        )?;
        Ok(bytes(py, &proof(py, vote.sign_bytes())?))
    })
}

/// Verifies one precommit signature with an ed25519 consensus key.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn proofs_verify_precommit(
    py: Python<'_>,
    chain_id: &str,
    height: u64,
    round: u32,
    block_hash: &[u8],
    part_set_total: u32,
    part_set_hash: &[u8],
    timestamp: &str,
    public_key: &[u8],
    signature: &[u8],
) -> PyResult<()> {
    guard(|| {
        let vote = proof(
            py,
            precommit(
                chain_id,
                height,
                round,
                block_hash,
                part_set_total,
                part_set_hash,
                timestamp,
            ),
        )?;
        proof(py, vote.verify(public_key, signature))
    })
}

/// What the light client trusts: a chain, height, time and the next height's validators.
#[pyclass(module = "gonka.proofs", name = "TrustedState", frozen)]
pub struct PyTrustedState {
    inner: TrustedState,
}

#[pymethods]
impl PyTrustedState {
    /// The gonka-mainnet genesis: its 11 gentx validators sign block 1.
    #[staticmethod]
    fn mainnet_genesis(py: Python<'_>) -> PyResult<Self> {
        guard(|| {
            Ok(Self {
                inner: proof(py, TrustedState::mainnet_genesis())?,
            })
        })
    }

    /// A genesis anchor: `validators` are (ed25519 key, voting power) pairs.
    #[staticmethod]
    #[pyo3(signature = (chain_id, genesis_time, validators, initial_height = 1))]
    fn genesis(
        py: Python<'_>,
        chain_id: &str,
        genesis_time: &str,
        validators: Vec<(Vec<u8>, u64)>,
        initial_height: u64,
    ) -> PyResult<Self> {
        guard(|| {
            let time = Time::parse_from_rfc3339(genesis_time)
                .map_err(|e| invalid(format!("genesis_time is not RFC 3339: {e}")))?;
            let keys = validators
                .iter()
                .map(|(key, power)| {
                    let key: [u8; 32] = key
                        .as_slice()
                        .try_into()
                        .map_err(|_| invalid("a validator key is 32 bytes"))?;
                    Ok((key, *power))
                })
                .collect::<PyResult<Vec<_>>>()?;
            Ok(Self {
                inner: proof(
                    py,
                    TrustedState::genesis(chain_id, time, initial_height, &keys),
                )?,
            })
        })
    }

    /// A pinned checkpoint: `commit` (the `/commit` answer at `height`) must hash to `hash`, and
    /// `next_validators` (every `/validators` page of `height + 1`) to its next_validators_hash.
    #[staticmethod]
    fn from_checkpoint(
        py: Python<'_>,
        height: u64,
        hash: &[u8],
        commit: &Bound<'_, PyAny>,
        next_validators: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        guard(|| {
            let commit = json_of(commit, "commit")?;
            let pages = json_list(next_validators, "validators")?;
            let state = (|| {
                let block = cometbft::parse_signed_header(&commit)?;
                let next = cometbft::parse_validators(&pages, Some(height + 1))?;
                TrustedState::from_checkpoint(height, hash, &block, next)
            })();
            Ok(Self {
                inner: proof(py, state)?,
            })
        })
    }

    /// Verifies `commit` (signed by `validators`, every `/validators` page of its height) from
    /// this state at `now_ns` (default: the clock): the light client step, sequential or
    /// skipping. `height` pins the height asked for.
    #[pyo3(signature = (commit, validators, *, height = None, now_ns = None,
        trusting_period = 1_209_600.0, trust_level = (1, 3), clock_drift = 10.0))]
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        py: Python<'_>,
        commit: &Bound<'_, PyAny>,
        validators: &Bound<'_, PyAny>,
        height: Option<u64>,
        now_ns: Option<i64>,
        trusting_period: f64,
        trust_level: (u64, u64),
        clock_drift: f64,
    ) -> PyResult<PyVerifiedHeader> {
        guard(|| {
            let commit = json_of(commit, "commit")?;
            let pages = json_list(validators, "validators")?;
            let options = options_of(trusting_period, trust_level, clock_drift)?;
            let now = time_of(now_ns)?;
            let verified = py.allow_threads(|| {
                let block = cometbft::parse_signed_header(&commit)?;
                let set = cometbft::parse_validators(&pages, Some(block.header.height.value()))?;
                self.inner.verify(&block, set, height, &options, now)
            });
            Ok(PyVerifiedHeader {
                inner: proof(py, verified)?,
            })
        })
    }

    /// The state after `header`: trust moves to it, with `next_validators` (every page of the
    /// next height), which must hash to its next_validators_hash.
    fn advance(
        &self,
        py: Python<'_>,
        header: &PyVerifiedHeader,
        next_validators: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        guard(|| {
            let pages = json_list(next_validators, "validators")?;
            let state = (|| {
                let next = cometbft::parse_validators(&pages, Some(header.inner.height() + 1))?;
                TrustedState::from_verified(&header.inner, next)
            })();
            Ok(Self {
                inner: proof(py, state)?,
            })
        })
    }

    #[getter]
    fn chain_id(&self) -> String {
        self.inner.chain_id.to_string()
    }

    #[getter]
    fn height(&self) -> u64 {
        self.inner.height.value()
    }

    /// The trusted time, RFC 3339.
    #[getter]
    fn time(&self) -> String {
        self.inner.time.to_rfc3339()
    }

    /// The trusted header's hash (None for a genesis anchor).
    #[getter]
    fn header_hash<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.header_hash.as_deref().map(|h| bytes(py, h))
    }

    #[getter]
    fn next_validators_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.next_validators.hash().as_bytes())
    }

    fn __repr__(&self) -> String {
        format!(
            "TrustedState(chain_id={:?}, height={}, time={:?})",
            self.chain_id(),
            self.height(),
            self.time()
        )
    }
}

// --- RFC 6962 and transactions ---

/// The RFC 6962 root of `items` (CometBFT's simple Merkle tree).
#[pyfunction]
fn proofs_merkle_root<'py>(
    py: Python<'py>,
    items: Vec<Bound<'py, PyBytes>>,
) -> Bound<'py, PyBytes> {
    bytes(py, &rfc6962::root(&slices(&items)))
}

/// The root of `items` and an inclusion proof (total, index, leaf hash, aunts) for each.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn proofs_merkle_proofs<'py>(
    py: Python<'py>,
    items: Vec<Bound<'py, PyBytes>>,
) -> (
    Bound<'py, PyBytes>,
    Vec<(u64, u64, Bound<'py, PyBytes>, Vec<Bound<'py, PyBytes>>)>,
) {
    let (root, proofs) = rfc6962::proofs(&slices(&items));
    let proofs = proofs
        .iter()
        .map(|p| {
            (
                p.total,
                p.index,
                bytes(py, &p.leaf_hash),
                p.aunts.iter().map(|a| bytes(py, a)).collect(),
            )
        })
        .collect();
    (bytes(py, &root), proofs)
}

/// Verifies an RFC 6962 inclusion proof of `item` under `root`.
#[pyfunction]
fn proofs_verify_inclusion(
    py: Python<'_>,
    root: &[u8],
    item: &[u8],
    total: u64,
    index: u64,
    leaf_hash: &[u8],
    aunts: Vec<Bound<'_, PyBytes>>,
) -> PyResult<()> {
    guard(|| {
        let hash32 = |b: &[u8], what: &str| -> PyResult<[u8; 32]> {
            b.try_into()
                .map_err(|_| invalid(format!("{what} is 32 bytes")))
        };
        let inclusion = rfc6962::InclusionProof {
            total,
            index,
            leaf_hash: hash32(leaf_hash, "leaf_hash")?,
            aunts: aunts
                .iter()
                .map(|a| hash32(a.as_bytes(), "an aunt"))
                .collect::<PyResult<Vec<_>>>()?,
        };
        proof(py, inclusion.verify(root, item))
    })
}

/// Checks a `/tx?hash=…&prove=true` answer (and, with `header`, that its root is the header's
/// data_hash): returns (hash, height, index, tx bytes, data_hash).
#[pyfunction]
#[pyo3(signature = (response, expected_hash = None, header = None))]
#[allow(clippy::type_complexity)]
fn proofs_verify_tx<'py>(
    py: Python<'py>,
    response: &Bound<'py, PyAny>,
    expected_hash: Option<&[u8]>,
    header: Option<&PyVerifiedHeader>,
) -> PyResult<(
    Bound<'py, PyBytes>,
    u64,
    u64,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
)> {
    guard(|| {
        let response = json_of(response, "tx answer")?;
        let proven = match header {
            Some(header) => tx::verify_in_header(&response, expected_hash, &header.inner),
            None => tx::prove(&response, expected_hash),
        };
        let proven = proof(py, proven)?;
        Ok((
            bytes(py, &proven.hash),
            proven.height,
            proven.index,
            bytes(py, &proven.tx),
            bytes(py, &proven.data_hash),
        ))
    })
}

// --- PoC v2 sum tree and MMR ---

/// A nonce in the protocol's 32 bits: an int32 (negative ones as their two's complement) or a
/// uint32.
fn nonce_of(value: i64) -> PyResult<u32> {
    if (-(1i64 << 31)..(1i64 << 32)).contains(&value) {
        Ok(value as u32)
    } else {
        Err(invalid(format!(
            "nonce {value} does not fit 32 bits (int32 or uint32)"
        )))
    }
}

/// The proof of one artifact in a sum tree: where it is (dense index, nonce), what it is (vector
/// bytes) and the sibling elements from the root down (36 bytes each).
#[pyclass(module = "gonka.proofs", name = "SumTreeProof", frozen, eq)]
#[derive(PartialEq)]
pub struct PySumTreeProof {
    dense_index: u32,
    nonce: u32,
    vector: Vec<u8>,
    elements: Vec<Vec<u8>>,
}

impl PySumTreeProof {
    fn of(proof: smst::SumTreeProof) -> Self {
        Self {
            dense_index: proof.dense_index,
            nonce: proof.nonce,
            vector: proof.vector,
            elements: proof.elements.iter().map(|e| e.to_vec()).collect(),
        }
    }

    fn as_ref(&self) -> smst::ProofRef<'_> {
        smst::ProofRef {
            dense_index: self.dense_index,
            nonce: self.nonce,
            vector: &self.vector,
            elements: &self.elements,
        }
    }
}

fn json_u32(value: Option<&Value>, what: &str) -> PyResult<u32> {
    let number = match value {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| invalid(format!("{what} is missing or not an integer")))?;
    nonce_of(number)
}

#[pymethods]
impl PySumTreeProof {
    /// A proof from its parts; elements need not be 36 bytes here (verification says so).
    #[new]
    fn new(
        dense_index: i64,
        nonce: i64,
        vector: &[u8],
        elements: Vec<Bound<'_, PyBytes>>,
    ) -> PyResult<Self> {
        let dense_index = u32::try_from(dense_index)
            .map_err(|_| invalid(format!("dense_index {dense_index} is not a u32")))?;
        Ok(Self {
            dense_index,
            nonce: nonce_of(nonce)?,
            vector: vector.to_vec(),
            elements: elements.iter().map(|e| e.as_bytes().to_vec()).collect(),
        })
    }

    /// A proof from the API node's JSON: `{"leaf_index", "nonce_value", "vector_bytes" (base64),
    /// "proof": [base64, ...]}` (integers as numbers or strings).
    #[staticmethod]
    fn from_json(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let value = json_of(doc, "sum tree proof")?;
            let b64 = |v: &Value, what: &str| -> PyResult<Vec<u8>> {
                let text = v
                    .as_str()
                    .ok_or_else(|| invalid(format!("{what} is not a string")))?;
                BASE64
                    .decode(text)
                    .map_err(|_| invalid(format!("{what} is not base64")))
            };
            let elements = value
                .get("proof")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid("\"proof\" is not a list"))?;
            if elements.len() > smst::MAX_DEPTH as usize {
                return Err(invalid(format!(
                    "the proof has {} elements; a tree is at most {} deep",
                    elements.len(),
                    smst::MAX_DEPTH
                )));
            }
            Ok(Self {
                dense_index: json_u32(value.get("leaf_index"), "leaf_index")?,
                nonce: json_u32(value.get("nonce_value"), "nonce_value")?,
                vector: b64(
                    value.get("vector_bytes").unwrap_or(&Value::Null),
                    "vector_bytes",
                )?,
                elements: elements
                    .iter()
                    .map(|e| b64(e, "a proof element"))
                    .collect::<PyResult<_>>()?,
            })
        })
    }

    /// The API node's JSON form (nonce as int32, the protocol's type).
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("leaf_index", self.dense_index)?;
        out.set_item("nonce_value", self.nonce as i32)?;
        out.set_item("vector_bytes", BASE64.encode(&self.vector))?;
        out.set_item(
            "proof",
            self.elements
                .iter()
                .map(|e| BASE64.encode(e))
                .collect::<Vec<_>>(),
        )?;
        Ok(out)
    }

    #[getter]
    fn dense_index(&self) -> u32 {
        self.dense_index
    }

    /// The nonce's 32 bits as an unsigned integer.
    #[getter]
    fn nonce(&self) -> u32 {
        self.nonce
    }

    #[getter]
    fn vector<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.vector)
    }

    #[getter]
    fn elements<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.elements.iter().map(|e| bytes(py, e)).collect()
    }

    /// Verifies against a commitment (root, count); raises SumTreeError naming the failed check.
    fn verify(&self, py: Python<'_>, root: &[u8], count: u32) -> PyResult<()> {
        guard(|| {
            let p = self.as_ref();
            proof(
                py,
                smst::verify(root, count, p.dense_index, p.nonce, p.vector, p.elements),
            )
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "SumTreeProof(dense_index={}, nonce={}, vector={} bytes, elements={})",
            self.dense_index,
            self.nonce,
            self.vector.len(),
            self.elements.len()
        )
    }
}

/// Nonces from a 1-D integer array (any integer dtype) or a sequence of ints.
fn nonces_of(nonces: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    if let Ok(array) = nonces.downcast::<PyUntypedArray>() {
        if array.ndim() != 1 {
            return Err(invalid("nonces must be a 1-D array"));
        }
        let numpy = nonces.py().import("numpy")?;
        let as_i64 = numpy.call_method1("ascontiguousarray", (nonces, "int64"))?;
        let as_i64: PyReadonlyArray1<'_, i64> = as_i64.extract()?;
        return as_i64
            .as_slice()
            .map_err(|_| invalid("nonces must be contiguous"))?
            .iter()
            .map(|n| nonce_of(*n))
            .collect();
    }
    let list: Vec<i64> = nonces
        .extract()
        .map_err(|_| invalid("nonces must be a sequence of ints or a 1-D integer array"))?;
    list.into_iter().map(nonce_of).collect()
}

/// A 2-D array seen as rows of bytes (a C-contiguous uint8 view of the same memory layout).
fn vectors_as_rows<'py>(vectors: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let array = vectors.downcast::<PyUntypedArray>()?;
    if array.ndim() != 2 {
        return Err(invalid("a vectors array must be 2-D (one vector per row)"));
    }
    let numpy = vectors.py().import("numpy")?;
    let contiguous = numpy.call_method1("ascontiguousarray", (vectors,))?;
    contiguous.call_method1("view", ("uint8",))
}

/// Runs `work` without the GIL, on a pool of `threads` threads when given (else rayon's global one).
fn in_pool<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    match threads {
        None => Ok(py.allow_threads(work)),
        Some(0) => Err(invalid("threads must be at least 1")),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| invalid(format!("cannot start {n} threads: {e}")))?;
            Ok(py.allow_threads(|| pool.install(work)))
        }
    }
}

/// A built sparse Merkle sum tree over (nonce, vector) artifacts.
#[pyclass(module = "gonka.proofs", name = "SumTree", frozen)]
pub struct PySumTree {
    inner: smst::SumTree,
}

fn tree_error(py: Python<'_>, result: gonka_proofs::Result<smst::SumTree>) -> PyResult<PySumTree> {
    Ok(PySumTree {
        inner: proof(py, result)?,
    })
}

#[pymethods]
impl PySumTree {
    /// Builds the tree of `nonces[i]` → `vectors[i]`. `nonces`: a sequence or 1-D integer array
    /// (int32 nonces; negative ones count as their two's complement). `vectors`: a list of bytes,
    /// or a 2-D array with one vector per row (any dtype, e.g. float16; its bytes are the vector).
    /// A nonce may appear once. Large trees are hashed on all cores, or on `threads` of them.
    #[new]
    #[pyo3(signature = (nonces, vectors, *, threads = None))]
    fn new(
        py: Python<'_>,
        nonces: &Bound<'_, PyAny>,
        vectors: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        guard(|| {
            let nonces = nonces_of(nonces)?;
            if vectors.downcast::<PyUntypedArray>().is_ok() {
                let rows = vectors_as_rows(vectors)?;
                let rows: PyReadonlyArray2<'_, u8> = rows.extract()?;
                let (count, width) = (rows.shape()[0], rows.shape()[1]);
                if count != nonces.len() {
                    return Err(invalid(format!(
                        "{} nonces but {count} vectors",
                        nonces.len()
                    )));
                }
                let flat = rows
                    .as_slice()
                    .map_err(|_| invalid("vectors must be C-contiguous"))?;
                return tree_error(
                    py,
                    in_pool(py, threads, || {
                        smst::SumTree::build(
                            nonces
                                .iter()
                                .enumerate()
                                .map(|(i, n)| (*n, &flat[i * width..(i + 1) * width])),
                        )
                    })?,
                );
            }
            let list: Vec<Bound<'_, PyBytes>> = vectors
                .extract()
                .map_err(|_| invalid("vectors must be a list of bytes or a 2-D array"))?;
            let list = slices(&list);
            if list.len() != nonces.len() {
                return Err(invalid(format!(
                    "{} nonces but {} vectors",
                    nonces.len(),
                    list.len()
                )));
            }
            tree_error(
                py,
                in_pool(py, threads, || {
                    smst::SumTree::build(nonces.iter().zip(&list).map(|(n, v)| (*n, *v)))
                })?,
            )
        })
    }

    /// Builds the tree of `(nonce, vector)` pairs.
    #[staticmethod]
    fn from_artifacts(py: Python<'_>, artifacts: Vec<(i64, Bound<'_, PyBytes>)>) -> PyResult<Self> {
        guard(|| {
            let artifacts = artifacts
                .iter()
                .map(|(n, v)| Ok((nonce_of(*n)?, v.as_bytes())))
                .collect::<PyResult<Vec<_>>>()?;
            tree_error(
                py,
                py.allow_threads(|| smst::SumTree::build(artifacts.iter().copied())),
            )
        })
    }

    #[getter]
    fn root<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.root())
    }

    #[getter]
    fn count(&self) -> u32 {
        self.inner.count()
    }

    #[getter]
    fn depth(&self) -> u32 {
        self.inner.depth()
    }

    /// The nonces in dense-index order (ascending, as uint32).
    fn nonces<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        PyArray1::from_slice(py, self.inner.nonces())
    }

    /// The dense index of `nonce`, or None if absent.
    fn dense_index(&self, nonce: i64) -> PyResult<Option<u32>> {
        Ok(self.inner.dense_index(nonce_of(nonce)?))
    }

    /// The vector of the artifact at `dense_index`.
    fn vector<'py>(&self, py: Python<'py>, dense_index: u32) -> PyResult<Bound<'py, PyBytes>> {
        self.inner
            .vector(dense_index)
            .map(|v| bytes(py, v))
            .ok_or_else(|| invalid(format!("no artifact at dense index {dense_index}")))
    }

    /// The proof of the artifact with `nonce`.
    fn proof(&self, nonce: i64) -> PyResult<PySumTreeProof> {
        let nonce = nonce_of(nonce)?;
        guard(|| {
            self.inner
                .proof(nonce)
                .map(PySumTreeProof::of)
                .ok_or_else(|| invalid(format!("nonce {nonce} is not in the tree")))
        })
    }

    /// The proof of the artifact at `dense_index`.
    fn proof_at(&self, dense_index: u32) -> PyResult<PySumTreeProof> {
        guard(|| {
            self.inner
                .proof_at(dense_index)
                .map(PySumTreeProof::of)
                .ok_or_else(|| {
                    invalid(format!(
                        "dense index {dense_index} is not below the count {}",
                        self.inner.count()
                    ))
                })
        })
    }

    /// The proofs of the artifacts at `dense_indices` (built without the GIL).
    fn proofs_at(&self, py: Python<'_>, dense_indices: Vec<u32>) -> PyResult<Vec<PySumTreeProof>> {
        guard(|| {
            if let Some(bad) = dense_indices.iter().find(|&&i| i >= self.inner.count()) {
                return Err(invalid(format!(
                    "dense index {bad} is not below the count {}",
                    self.inner.count()
                )));
            }
            let proofs = py.allow_threads(|| {
                dense_indices
                    .iter()
                    .filter_map(|&i| self.inner.proof_at(i))
                    .collect::<Vec<_>>()
            });
            Ok(proofs.into_iter().map(PySumTreeProof::of).collect())
        })
    }

    fn __len__(&self) -> usize {
        self.inner.count() as usize
    }

    fn __repr__(&self) -> String {
        format!(
            "SumTree(count={}, depth={}, root={})",
            self.inner.count(),
            self.inner.depth(),
            hex::encode(self.inner.root())
        )
    }
}

/// Verifies one artifact proof from its parts against (root, count).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn proofs_sum_tree_verify(
    py: Python<'_>,
    root: &[u8],
    count: u32,
    dense_index: u32,
    nonce: i64,
    vector: &[u8],
    elements: Vec<Bound<'_, PyBytes>>,
) -> PyResult<()> {
    guard(|| {
        let nonce = nonce_of(nonce)?;
        proof(
            py,
            smst::verify(root, count, dense_index, nonce, vector, &slices(&elements)),
        )
    })
}

/// Verifies many proofs against one commitment without the GIL; one entry per proof: None when
/// it verifies, else the `SumTreeError` it fails with.
#[pyfunction]
fn proofs_sum_tree_verify_batch(
    py: Python<'_>,
    root: &[u8],
    count: u32,
    proofs: Vec<PyRef<'_, PySumTreeProof>>,
) -> PyResult<Vec<Option<PyObject>>> {
    guard(|| {
        let refs: Vec<smst::ProofRef<'_>> = proofs.iter().map(|p| p.as_ref()).collect();
        let results = py.allow_threads(|| smst::verify_batch(root, count, &refs));
        Ok(results
            .into_iter()
            .map(|r| {
                r.err()
                    .map(|e| proof_to_py(py, e).into_value(py).into_any())
            })
            .collect())
    })
}

/// The empty-tree hash of `height` (0..=32).
#[pyfunction]
fn proofs_sum_tree_empty_hash<'py>(
    py: Python<'py>,
    height: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    smst::empty_hashes()
        .get(height)
        .map(|h| bytes(py, h))
        .ok_or_else(|| invalid(format!("height {height} is above 32")))
}

/// The root of a legacy MMR over `leaves` (leaf bytes, in insertion order).
#[pyfunction]
fn proofs_mmr_root<'py>(
    py: Python<'py>,
    leaves: Vec<Bound<'py, PyBytes>>,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        let range = proof(py, mmr::Mmr::build(&slices(&leaves)))?;
        Ok(bytes(py, &range.root()))
    })
}

/// The MMR proof of leaf `index`.
#[pyfunction]
fn proofs_mmr_proof<'py>(
    py: Python<'py>,
    leaves: Vec<Bound<'py, PyBytes>>,
    index: u64,
) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    guard(|| {
        let range = proof(py, mmr::Mmr::build(&slices(&leaves)))?;
        let proof = range.proof(index).ok_or_else(|| {
            invalid(format!(
                "leaf {index} is not below the count {}",
                leaves.len()
            ))
        })?;
        Ok(proof.iter().map(|h| bytes(py, h)).collect())
    })
}

/// Verifies an MMR proof of `leaf` at `index` of `count` leaves under `root`.
#[pyfunction]
fn proofs_mmr_verify(
    py: Python<'_>,
    root: &[u8],
    count: u64,
    index: u64,
    leaf: &[u8],
    proof_elements: Vec<Bound<'_, PyBytes>>,
) -> PyResult<()> {
    guard(|| {
        proof(
            py,
            mmr::verify(root, count, index, leaf, &slices(&proof_elements)),
        )
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyVerifiedHeader>()?;
    m.add_class::<PyTrustedState>()?;
    m.add_class::<PySumTree>()?;
    m.add_class::<PySumTreeProof>()?;
    m.add_function(wrap_pyfunction!(proofs_verify_membership, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_non_membership, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_parse_proof_ops, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_store_value, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_active_participants_key, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_legacy_active_participants_key, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_decode_active_participants, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_prove_participants, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_participants, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_participants_in_header, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_commit, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_header_hash, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_validator_set_hash, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_precommit_sign_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_precommit, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_merkle_root, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_merkle_proofs, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_inclusion, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_verify_tx, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_sum_tree_verify, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_sum_tree_verify_batch, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_sum_tree_empty_hash, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_mmr_root, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_mmr_proof, m)?)?;
    m.add_function(wrap_pyfunction!(proofs_mmr_verify, m)?)?;
    Ok(())
}
