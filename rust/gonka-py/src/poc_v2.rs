//! Bindings of the PoC v2 primitives (`gonka.poc.v2`).
//!
//! Streams write into caller-owned arrays (possibly views of torch tensors) with the GIL
//! released; every argument is checked first and reported as `InvalidInput`.

use numpy::{
    PyArray1, PyArray2, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyReadonlyArray1,
    PyReadonlyArray2, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;

use gonka_poc::v2::rng::{Bf16, NormalOut, F16};
use gonka_poc::v2::{artifact, rng, sampling};
use gonka_proofs::smst;

use crate::errors::guard;
use crate::poc::{count, invalid, to_py};

fn nonces_of<'a>(nonces: &'a PyReadonlyArray1<'_, i64>) -> PyResult<&'a [i64]> {
    nonces
        .as_slice()
        .map_err(|_| invalid("nonces must be a contiguous int64 array"))
}

/// `seed32(s)`: SHA-256's first four bytes, big-endian.
#[pyfunction]
fn pocv2_seed32(s: &str) -> u32 {
    rng::seed32(s)
}

/// The eight big-endian words of SHA-256(`s`) (the stronger RNG's segment seeds).
#[pyfunction]
fn pocv2_seed256(s: &str) -> Vec<u32> {
    rng::seed256(s).to_vec()
}

/// `mm(i, seed)` for `i` in `0..n`.
#[pyfunction]
fn pocv2_murmur<'py>(py: Python<'py>, seed: u32, n: i64) -> PyResult<Bound<'py, PyArray1<u32>>> {
    guard(|| {
        let n = count("n", n)?;
        if n > i32::MAX as usize {
            return Err(invalid("n must fit in int32"));
        }
        let values: Vec<u32> =
            py.allow_threads(|| (0..n as u32).map(|i| rng::mm(i, seed)).collect());
        Ok(PyArray1::from_vec(py, values))
    })
}

/// `uniform(seed, n)` (float32).
#[pyfunction]
fn pocv2_uniform<'py>(py: Python<'py>, seed: u32, n: i64) -> PyResult<Bound<'py, PyArray1<f32>>> {
    guard(|| {
        let n = count("n", n)?;
        let values = py.allow_threads(|| rng::uniform(seed, n)).map_err(to_py)?;
        Ok(PyArray1::from_vec(py, values))
    })
}

/// `normal(seed, n)` (float32).
#[pyfunction]
fn pocv2_normal<'py>(py: Python<'py>, seed: u32, n: i64) -> PyResult<Bound<'py, PyArray1<f32>>> {
    guard(|| {
        let n = count("n", n)?;
        let values = py.allow_threads(|| rng::normal(seed, n)).map_err(to_py)?;
        Ok(PyArray1::from_vec(py, values))
    })
}

/// Checks `out`'s shape, layout and writability; returns its dtype name.
fn check_out(out: &Bound<'_, PyAny>, shape: &[usize]) -> PyResult<String> {
    let array = out
        .downcast::<PyUntypedArray>()
        .map_err(|_| invalid("out must be a numpy array"))?;
    let name: String = array.dtype().getattr("name")?.extract()?;
    if array.dtype().is_native_byteorder() == Some(false) {
        return Err(invalid("out must use the native byte order"));
    }
    if array.shape() != shape {
        return Err(invalid(format!(
            "out has shape {:?}, expected {shape:?}",
            array.shape()
        )));
    }
    if !array.is_c_contiguous() {
        return Err(invalid("out must be C-contiguous"));
    }
    let flags = out.getattr("flags")?;
    if !flags.getattr("aligned")?.extract::<bool>()?
        || !flags.getattr("writeable")?.extract::<bool>()?
    {
        return Err(invalid("out must be aligned and writeable"));
    }
    Ok(name)
}

/// Runs `fill` on `out`'s data viewed as `[T]` with the GIL released.
fn fill<T: numpy::Element + Send, E: NormalOut>(
    py: Python<'_>,
    out: &Bound<'_, PyAny>,
    fill: impl FnOnce(&mut [E]) -> gonka_poc::Result<()> + Send,
) -> PyResult<()> {
    let typed = out
        .downcast::<PyArrayDyn<T>>()
        .map_err(|_| invalid("out has an unexpected dtype"))?;
    let mut array = typed
        .try_readwrite()
        .map_err(|_| invalid("out is already in use"))?;
    let slice = array
        .as_slice_mut()
        .map_err(|_| invalid("out must be C-contiguous"))?;
    assert_eq!(std::mem::size_of::<T>(), std::mem::size_of::<E>());
    // SAFETY: `E` is float32 or a `repr(transparent)` u16 wrapper, the same size and
    // alignment as `T` (checked above); every bit pattern is valid for both.
    let slice: &mut [E] =
        unsafe { std::slice::from_raw_parts_mut(slice.as_mut_ptr().cast::<E>(), slice.len()) };
    py.allow_threads(|| fill(slice)).map_err(to_py)
}

/// Inputs of `nonces` into `out` `[B, seq_len, hidden]`: float32, float16, or bfloat16 bits
/// in an int16/uint16 array (`bfloat16=True`).
#[pyfunction]
#[pyo3(signature = (block_hash, public_key, nonces, seq_len, hidden, out, *, stronger=false, bfloat16=false))]
#[allow(clippy::too_many_arguments)]
fn pocv2_inputs(
    py: Python<'_>,
    block_hash: &str,
    public_key: &str,
    nonces: PyReadonlyArray1<'_, i64>,
    seq_len: i64,
    hidden: i64,
    out: &Bound<'_, PyAny>,
    stronger: bool,
    bfloat16: bool,
) -> PyResult<()> {
    guard(|| {
        let nonces = nonces_of(&nonces)?;
        let shape = [
            nonces.len(),
            count("seq_len", seq_len)?,
            count("hidden", hidden)?,
        ];
        let dtype = check_out(out, &shape)?;
        let run = |s: &mut [_]| rng::inputs_into(block_hash, public_key, nonces, stronger, s);
        match (dtype.as_str(), bfloat16) {
            ("float32", false) => fill::<f32, f32>(py, out, |s| rng::inputs_into(block_hash, public_key, nonces, stronger, s)),
            ("float16", false) => {
                let bits = out.call_method1("view", ("uint16",))?;
                fill::<u16, F16>(py, &bits, |s| rng::inputs_into(block_hash, public_key, nonces, stronger, s))
            }
            ("uint16", true) => fill::<u16, Bf16>(py, out, run),
            ("int16", true) => {
                let bits = out.call_method1("view", ("uint16",))?;
                fill::<u16, Bf16>(py, &bits, |s| rng::inputs_into(block_hash, public_key, nonces, stronger, s))
            }
            _ => Err(invalid(format!(
                "out must be float32 or float16, or int16/uint16 with bfloat16=True; got {dtype} (bfloat16={bfloat16})"
            ))),
        }
    })
}

/// `pick` of each nonce in CUDA's order: int64 `[B, k]`.
#[pyfunction]
fn pocv2_pick<'py>(
    py: Python<'py>,
    block_hash: &str,
    public_key: &str,
    nonces: PyReadonlyArray1<'_, i64>,
    hidden: i64,
    k: i64,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    guard(|| {
        let nonces = nonces_of(&nonces)?;
        let (hidden, k) = (count("hidden", hidden)?, count("k", k)?);
        let mut out = vec![0u32; nonces.len() * k];
        py.allow_threads(|| {
            artifact::picks_into(block_hash, public_key, nonces, hidden, k, &mut out)
        })
        .map_err(to_py)?;
        let rows: Vec<Vec<i64>> = out
            .chunks(k.max(1))
            .map(|row| row.iter().map(|&i| i64::from(i)).collect())
            .collect();
        if nonces.is_empty() {
            return Ok(PyArray2::zeros(py, [0, k], false));
        }
        PyArray2::from_vec2(py, &rows).map_err(|e| invalid(e.to_string()))
    })
}

/// The unit vectors of a nonce's Haar chain: float32 `[k-1, k]`.
#[pyfunction]
fn pocv2_haar_vectors<'py>(
    py: Python<'py>,
    block_hash: &str,
    public_key: &str,
    nonce: i64,
    k: i64,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    guard(|| {
        let k = count("k", k)?;
        if k == 0 {
            return Err(invalid("k must be >= 1"));
        }
        let chain = artifact::haar_vectors(block_hash, public_key, nonce, k).map_err(to_py)?;
        if chain.is_empty() {
            return Ok(PyArray2::zeros(py, [0, k], false));
        }
        PyArray2::from_vec2(py, &chain).map_err(|e| invalid(e.to_string()))
    })
}

/// Artifacts from last hidden states float32 `[B, hidden]`: fp16 bits `[B, k]`.
#[pyfunction]
fn pocv2_artifacts<'py>(
    py: Python<'py>,
    block_hash: &str,
    public_key: &str,
    nonces: PyReadonlyArray1<'_, i64>,
    last_hidden: PyReadonlyArray2<'_, f32>,
    k: i64,
) -> PyResult<Bound<'py, PyArray2<u16>>> {
    guard(|| {
        let nonces = nonces_of(&nonces)?;
        let k = count("k", k)?;
        let shape = last_hidden.shape();
        if shape[0] != nonces.len() {
            return Err(invalid(format!(
                "last_hidden has {} rows for {} nonces",
                shape[0],
                nonces.len()
            )));
        }
        let hidden = last_hidden
            .as_slice()
            .map_err(|_| invalid("last_hidden must be C-contiguous"))?;
        let mut out = vec![0u16; nonces.len() * k];
        py.allow_threads(|| {
            artifact::artifacts_into(block_hash, public_key, nonces, hidden, k, &mut out)
        })
        .map_err(to_py)?;
        let array = PyArray1::from_vec(py, out);
        array
            .reshape([nonces.len(), k])
            .map_err(|e| invalid(e.to_string()))
    })
}

/// The validator's leaf sample of `0..count`.
#[pyfunction]
fn pocv2_sample_leaf_indices(seed_input: &str, count: u32, sample_size: i64) -> PyResult<Vec<u32>> {
    guard(|| {
        Ok(sampling::sample_leaf_indices(
            seed_input,
            count,
            crate::poc::count("sample_size", sample_size)?,
        ))
    })
}

/// Go's `rand.New(rand.NewSource(seed))`: `n` values of `Int63()`.
#[pyfunction]
fn pocv2_go_int63(seed: i64, n: i64) -> PyResult<Vec<i64>> {
    guard(|| {
        let mut source = gonka_poc::v2::gorand::Source::new(seed);
        Ok((0..count("n", n)?).map(|_| source.int63()).collect())
    })
}

/// The sparse Merkle sum tree of a set of artifacts (nonce as its u32 bit pattern, vector bytes).
#[pyclass(name = "PocV2SumTree", module = "gonka._native", frozen)]
struct PySumTree {
    inner: smst::SumTree,
}

type ProofTuple = (u32, u32, Vec<u8>, Vec<Vec<u8>>);
/// A proof as Python passes it in: bytes are borrowed, not converted element by element.
type ProofArg = (u32, u32, PyBackedBytes, Vec<PyBackedBytes>);
/// The same proof as slices for the verifier.
type BorrowedProof<'a> = (u32, u32, &'a [u8], Vec<&'a [u8]>);

fn proof_tuple(proof: smst::SumTreeProof) -> ProofTuple {
    (
        proof.dense_index,
        proof.nonce,
        proof.vector,
        proof.elements.iter().map(|e| e.to_vec()).collect(),
    )
}

#[pymethods]
impl PySumTree {
    #[new]
    fn new(py: Python<'_>, nonces: Vec<u32>, vectors: Vec<PyBackedBytes>) -> PyResult<Self> {
        guard(|| {
            if nonces.len() != vectors.len() {
                return Err(invalid(format!(
                    "{} nonces but {} vectors",
                    nonces.len(),
                    vectors.len()
                )));
            }
            let inner = py
                .allow_threads(|| {
                    smst::SumTree::build(nonces.iter().copied().zip(vectors.iter().map(|v| &v[..])))
                })
                .map_err(|e| invalid(e.to_string()))?;
            Ok(PySumTree { inner })
        })
    }

    #[getter]
    fn root(&self) -> Vec<u8> {
        self.inner.root().to_vec()
    }

    #[getter]
    fn count(&self) -> u32 {
        self.inner.count()
    }

    #[getter]
    fn depth(&self) -> u32 {
        self.inner.depth()
    }

    fn dense_index(&self, nonce: u32) -> Option<u32> {
        self.inner.dense_index(nonce)
    }

    /// `(dense_index, nonce, vector, elements)` of the leaf at `dense_index`, or None.
    fn proof_at(&self, dense_index: u32) -> PyResult<Option<ProofTuple>> {
        guard(|| Ok(self.inner.proof_at(dense_index).map(proof_tuple)))
    }

    /// The proof of `nonce`'s leaf, or None.
    fn proof(&self, nonce: u32) -> PyResult<Option<ProofTuple>> {
        guard(|| Ok(self.inner.proof(nonce).map(proof_tuple)))
    }
}

/// Verifies sum-tree proofs `(dense_index, nonce, vector, elements)` against one commitment:
/// per proof None (valid) or the reason it fails.
#[pyfunction]
fn pocv2_smst_verify(
    py: Python<'_>,
    root: PyBackedBytes,
    count: u32,
    proofs: Vec<ProofArg>,
) -> PyResult<Vec<Option<String>>> {
    guard(|| {
        let owned: Vec<BorrowedProof<'_>> = proofs
            .iter()
            .map(|(dense_index, nonce, vector, elements)| {
                (
                    *dense_index,
                    *nonce,
                    &vector[..],
                    elements.iter().map(|e| &e[..]).collect(),
                )
            })
            .collect();
        let results = py.allow_threads(|| {
            owned
                .iter()
                .map(|(dense_index, nonce, vector, elements)| {
                    smst::verify(&root, count, *dense_index, *nonce, vector, elements)
                })
                .collect::<Vec<_>>()
        });
        Ok(results
            .into_iter()
            .map(|r| r.err().map(|e| e.to_string()))
            .collect())
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySumTree>()?;
    m.add_function(wrap_pyfunction!(pocv2_smst_verify, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_seed32, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_seed256, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_murmur, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_uniform, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_normal, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_inputs, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_pick, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_haar_vectors, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_artifacts, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_sample_leaf_indices, m)?)?;
    m.add_function(wrap_pyfunction!(pocv2_go_int63, m)?)?;
    Ok(())
}
