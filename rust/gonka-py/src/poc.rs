//! Bindings of the poc primitives: numpy-compatible streams and the protocol's batch streams.
//!
//! Batch functions write into caller-owned numpy arrays (possibly views of torch tensors) with
//! the GIL released; every argument is validated first and reported as `InvalidInput`.

use numpy::{
    Element as NumpyElement, PyArray1, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods,
    PyReadonlyArray1, PyReadwriteArrayDyn, PyUntypedArray, PyUntypedArrayMethods,
};
use std::sync::{Mutex, PoisonError};

use pyo3::prelude::*;

use gonka_poc::{seed, streams, Generator};

use crate::errors::{guard, InvalidInput};

pub(crate) fn to_py(err: gonka_poc::Error) -> PyErr {
    match err {
        gonka_poc::Error::InvalidInput(msg) => InvalidInput::new_err(msg),
    }
}

pub(crate) fn invalid(msg: impl Into<String>) -> PyErr {
    InvalidInput::new_err(msg.into())
}

/// A non-negative count or size argument.
pub(crate) fn count(what: &str, value: i64) -> PyResult<usize> {
    usize::try_from(value).map_err(|_| invalid(format!("{what} must be >= 0, got {value}")))
}

fn nonces_of(nonces: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<u64>> {
    let slice = nonces
        .as_slice()
        .map_err(|_| invalid("nonces must be a contiguous int64 array"))?;
    slice
        .iter()
        .map(|&n| u64::try_from(n).map_err(|_| invalid(format!("nonce must be >= 0, got {n}"))))
        .collect()
}

fn shape_text(shape: &[usize]) -> String {
    let items: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    if items.len() == 1 {
        format!("({},)", items[0])
    } else {
        format!("({})", items.join(", "))
    }
}

/// A validated, writable output array of one of the stream element types.
enum Out<'py> {
    F16(PyReadwriteArrayDyn<'py, u16>),
    F32(PyReadwriteArrayDyn<'py, f32>),
    F64(PyReadwriteArrayDyn<'py, f64>),
    I64(PyReadwriteArrayDyn<'py, i64>),
}

fn borrow_out<'py, T: NumpyElement>(
    array: &Bound<'py, PyAny>,
) -> PyResult<PyReadwriteArrayDyn<'py, T>> {
    let typed = array
        .downcast::<PyArrayDyn<T>>()
        .map_err(|_| invalid("out has an unexpected dtype"))?;
    typed
        .try_readwrite()
        .map_err(|_| invalid("out is not writeable (read-only or already in use)"))
}

/// Checks `out` (dtype among `dtypes`, exact `shape`, C-contiguous, aligned, native byte
/// order, writeable) and borrows it for writing.
fn writable_out<'py>(
    out: &Bound<'py, PyAny>,
    shape: &[usize],
    dtypes: &[&str],
) -> PyResult<Out<'py>> {
    let array = out
        .downcast::<PyUntypedArray>()
        .map_err(|_| invalid("out must be a numpy array"))?;
    let dtype = array.dtype();
    let name: String = dtype.getattr("name")?.extract()?;
    if !dtypes.contains(&name.as_str()) {
        return Err(invalid(format!(
            "out has dtype {name}, expected {}",
            dtypes.join(" or ")
        )));
    }
    if dtype.is_native_byteorder() == Some(false) {
        return Err(invalid("out must use the native byte order"));
    }
    if array.shape() != shape {
        return Err(invalid(format!(
            "out has shape {}, expected {}",
            shape_text(array.shape()),
            shape_text(shape)
        )));
    }
    if !array.is_c_contiguous() {
        return Err(invalid("out must be C-contiguous"));
    }
    let flags = out.getattr("flags")?;
    if !flags.getattr("aligned")?.extract::<bool>()? {
        return Err(invalid("out must be aligned"));
    }
    if !flags.getattr("writeable")?.extract::<bool>()? {
        return Err(invalid("out is read-only"));
    }
    Ok(match name.as_str() {
        "float16" => Out::F16(borrow_out(&out.call_method1("view", ("uint16",))?)?),
        "float32" => Out::F32(borrow_out(out)?),
        "float64" => Out::F64(borrow_out(out)?),
        _ => Out::I64(borrow_out(out)?),
    })
}

fn slice_of<'a, T: NumpyElement>(
    array: &'a mut PyReadwriteArrayDyn<'_, T>,
) -> PyResult<&'a mut [T]> {
    array
        .as_slice_mut()
        .map_err(|_| invalid("out must be C-contiguous"))
}

/// Runs a stream into a float output buffer with the GIL released.
fn fill_float(
    py: Python<'_>,
    out: Out<'_>,
    fill: impl Fn(FloatSlice<'_>) -> gonka_poc::Result<()> + Send + Sync,
) -> PyResult<()> {
    let result = match out {
        Out::F16(mut a) => {
            let s = slice_of(&mut a)?;
            py.allow_threads(|| fill(FloatSlice::F16(s)))
        }
        Out::F32(mut a) => {
            let s = slice_of(&mut a)?;
            py.allow_threads(|| fill(FloatSlice::F32(s)))
        }
        Out::F64(mut a) => {
            let s = slice_of(&mut a)?;
            py.allow_threads(|| fill(FloatSlice::F64(s)))
        }
        Out::I64(_) => Err(gonka_poc::Error::InvalidInput(
            "out must be a float array".into(),
        )),
    };
    result.map_err(to_py)
}

/// A float output buffer of one of the element types.
enum FloatSlice<'a> {
    F16(&'a mut [u16]),
    F32(&'a mut [f32]),
    F64(&'a mut [f64]),
}

/// Calls a generic fill on whichever element type the buffer holds.
macro_rules! on_float_slice {
    ($slice:expr, |$s:ident| $body:expr) => {
        match $slice {
            FloatSlice::F16($s) => $body,
            FloatSlice::F32($s) => $body,
            FloatSlice::F64($s) => $body,
        }
    };
}

/// The entropy words of `get_rng(seed, num_hashes)`.
#[pyfunction]
fn poc_seed_entropy(seed: &str, num_hashes: i64) -> PyResult<Vec<u32>> {
    guard(|| seed::seed_entropy(seed, count("num_hashes", num_hashes)?).map_err(to_py))
}

/// First 4 bytes (big-endian) of SHA-256(`{block_hash}_{name}`).
#[pyfunction]
fn poc_name_hash(block_hash: &str, name: &str) -> PyResult<u32> {
    guard(|| Ok(seed::name_hash(block_hash, name)))
}

/// numpy's `default_rng(SeedSequence(entropy))` stream seeded like the reference's `get_rng`.
///
/// The state sits behind a mutex so that calls from several Python threads (long draws release
/// the GIL) take turns instead of failing.
#[pyclass(name = "PocGenerator", module = "gonka._native", frozen)]
struct PyGenerator {
    inner: Mutex<Generator>,
}

impl PyGenerator {
    fn with<T>(&self, draw: impl FnOnce(&mut Generator) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        draw(&mut inner)
    }
}

#[pymethods]
impl PyGenerator {
    #[new]
    fn new(seed: &str, num_hashes: i64) -> PyResult<Self> {
        guard(|| {
            let inner =
                Generator::from_seed(seed, count("num_hashes", num_hashes)?).map_err(to_py)?;
            Ok(PyGenerator {
                inner: Mutex::new(inner),
            })
        })
    }

    fn next_u64(&self, py: Python<'_>) -> PyResult<u64> {
        guard(|| Ok(py.allow_threads(|| self.with(Generator::next_u64))))
    }

    fn next_u32(&self, py: Python<'_>) -> PyResult<u32> {
        guard(|| Ok(py.allow_threads(|| self.with(Generator::next_u32))))
    }

    fn next_double(&self, py: Python<'_>) -> PyResult<f64> {
        guard(|| Ok(py.allow_threads(|| self.with(Generator::next_double))))
    }

    fn standard_normal<'py>(&self, py: Python<'py>, n: i64) -> PyResult<Bound<'py, PyArray1<f64>>> {
        guard(|| {
            let n = count("n", n)?;
            let values = py.allow_threads(|| self.with(|g| g.standard_normal(n)));
            Ok(PyArray1::from_vec(py, values))
        })
    }

    fn normal<'py>(
        &self,
        py: Python<'py>,
        loc: f64,
        scale: f64,
        n: i64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        guard(|| {
            let n = count("n", n)?;
            let values = py.allow_threads(|| {
                let mut out = vec![0.0; n];
                self.with(|g| g.fill_normal(loc, scale, &mut out));
                out
            });
            Ok(PyArray1::from_vec(py, values))
        })
    }

    fn permutation<'py>(&self, py: Python<'py>, n: i64) -> PyResult<Bound<'py, PyArray1<i64>>> {
        guard(|| {
            let n = count("n", n)?;
            let values = py.allow_threads(|| self.with(|g| g.permutation(n)));
            Ok(PyArray1::from_vec(py, values))
        })
    }
}

/// Fills `out` [B, seq_len, dim] (float16/float32/float64) with the nonces' input embeddings.
#[pyfunction]
fn poc_inputs(
    py: Python<'_>,
    block_hash: &str,
    public_key: &str,
    nonces: PyReadonlyArray1<'_, i64>,
    seq_len: i64,
    dim: i64,
    out: &Bound<'_, PyAny>,
) -> PyResult<()> {
    guard(|| {
        let nonces = nonces_of(&nonces)?;
        let (seq_len, dim) = (count("seq_len", seq_len)?, count("dim", dim)?);
        let per_nonce = seq_len
            .checked_mul(dim)
            .ok_or_else(|| invalid("seq_len * dim overflows"))?;
        let out = writable_out(
            out,
            &[nonces.len(), seq_len, dim],
            &["float16", "float32", "float64"],
        )?;
        fill_float(py, out, |slice| {
            on_float_slice!(slice, |s| streams::inputs(
                block_hash, public_key, &nonces, per_nonce, s
            ))
        })
    })
}

/// Fills `out` int64 [B, vocab_size] with the nonces' output permutations.
#[pyfunction]
fn poc_permutations(
    py: Python<'_>,
    block_hash: &str,
    public_key: &str,
    nonces: PyReadonlyArray1<'_, i64>,
    vocab_size: i64,
    out: &Bound<'_, PyAny>,
) -> PyResult<()> {
    guard(|| {
        let nonces = nonces_of(&nonces)?;
        let vocab_size = count("vocab_size", vocab_size)?;
        let Out::I64(mut array) = writable_out(out, &[nonces.len(), vocab_size], &["int64"])?
        else {
            return Err(invalid("out must be an int64 array"));
        };
        let slice = slice_of(&mut array)?;
        py.allow_threads(|| {
            streams::permutations(block_hash, public_key, &nonces, vocab_size, slice)
        })
        .map_err(to_py)
    })
}

/// The block's target direction before normalization: float64 `standard_normal(vocab_size)`.
#[pyfunction]
fn poc_target_normals<'py>(
    py: Python<'py>,
    block_hash: &str,
    vocab_size: i64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    guard(|| {
        let vocab_size = count("vocab_size", vocab_size)?;
        let values = py
            .allow_threads(|| streams::target_normals(block_hash, vocab_size))
            .map_err(to_py)?;
        Ok(PyArray1::from_vec(py, values))
    })
}

/// Fills `out` [pool_size] (float16/float32/float64) with the block's weight pool.
#[pyfunction]
fn poc_weight_pool(py: Python<'_>, block_hash: &str, out: &Bound<'_, PyAny>) -> PyResult<()> {
    guard(|| {
        let len = out
            .downcast::<PyUntypedArray>()
            .map_err(|_| invalid("out must be a numpy array"))?
            .len();
        let out = writable_out(out, &[len], &["float16", "float32", "float64"])?;
        fill_float(py, out, |slice| {
            on_float_slice!(slice, |s| streams::weight_pool(block_hash, s))
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGenerator>()?;
    m.add_function(wrap_pyfunction!(poc_seed_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(poc_name_hash, m)?)?;
    m.add_function(wrap_pyfunction!(poc_inputs, m)?)?;
    m.add_function(wrap_pyfunction!(poc_permutations, m)?)?;
    m.add_function(wrap_pyfunction!(poc_target_normals, m)?)?;
    m.add_function(wrap_pyfunction!(poc_weight_pool, m)?)?;
    Ok(())
}
