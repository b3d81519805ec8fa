//! Hash functions.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::guard;

#[pyfunction]
fn sha256<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| Ok(PyBytes::new(py, &gonka_core::hash::sha256(data))))
}

#[pyfunction]
fn ripemd160<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| Ok(PyBytes::new(py, &gonka_core::hash::ripemd160(data))))
}

#[pyfunction]
fn hash160<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| Ok(PyBytes::new(py, &gonka_core::hash::hash160(data))))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sha256, m)?)?;
    m.add_function(wrap_pyfunction!(ripemd160, m)?)?;
    m.add_function(wrap_pyfunction!(hash160, m)?)?;
    m.add_function(wrap_pyfunction!(crate::errors::_panic_for_test, m)?)?;
    Ok(())
}
