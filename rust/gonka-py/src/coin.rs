//! `Coin`, native: checked once when it is made, and read by the encoders without a round trip
//! through Python attributes. `gonka.tx.Coin` subclasses it to add parsing and the JSON form.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString, PyTuple};

use gonka_core::Error;
use gonka_tx::Coin;

use crate::errors::{guard, to_py};

/// An amount of one denomination, checked against the SDK's denom pattern and `0 <= amount < 2^256`.
#[pyclass(module = "gonka._native", name = "Coin", frozen, subclass)]
pub struct PyCoin {
    coin: Coin,
    // The int as given, so `amount` returns it without a conversion.
    amount: Py<PyInt>,
}

impl PyCoin {
    pub fn coin(&self) -> &Coin {
        &self.coin
    }
}

fn amount_text(amount: &Bound<'_, PyInt>) -> PyResult<String> {
    // Most amounts fit in 64 bits; larger ones (up to 2^256) go through Python's own str().
    match amount.extract::<u64>() {
        Ok(small) => Ok(small.to_string()),
        Err(_) => Ok(amount.str()?.to_str()?.to_owned()),
    }
}

#[pymethods]
impl PyCoin {
    #[new]
    fn new(denom: &Bound<'_, PyAny>, amount: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let int = match amount.downcast::<PyInt>() {
                Ok(int) if !amount.is_instance_of::<PyBool>() => int,
                _ => {
                    return Err(to_py(Error::InvalidInput(format!(
                        "coin amount must be an int, got {}",
                        amount.repr()?
                    ))))
                }
            };
            let Ok(denom) = denom.downcast::<PyString>() else {
                return Err(to_py(Error::InvalidInput(format!(
                    "coin denom must be a str, got {}",
                    denom.get_type().name()?
                ))));
            };
            let coin = Coin {
                denom: denom.to_str()?.to_owned(),
                amount: amount_text(int)?,
            };
            coin.validate("coin").map_err(to_py)?;
            Ok(Self {
                coin,
                amount: int.clone().unbind(),
            })
        })
    }

    #[getter]
    fn denom(&self) -> &str {
        &self.coin.denom
    }

    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> Bound<'py, PyInt> {
        self.amount.bind(py).clone()
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let coin = &slf.get().coin;
        Ok(format!(
            "{}(denom={}, amount={})",
            slf.get_type().qualname()?,
            PyString::new(slf.py(), &coin.denom).repr()?,
            coin.amount
        ))
    }

    fn __richcmp__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        // Like a dataclass: equal only to a coin of the same class with the same fields.
        let same = match other.downcast::<PyCoin>() {
            Ok(other) if other.get_type().is(slf.get_type()) => other.get().coin == slf.get().coin,
            _ => return Ok(py.NotImplemented()),
        };
        Ok(match op {
            CompareOp::Eq => PyBool::new(py, same).to_owned().into_any().unbind(),
            CompareOp::Ne => PyBool::new(py, !same).to_owned().into_any().unbind(),
            _ => py.NotImplemented(),
        })
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.coin.denom.hash(&mut hasher);
        self.coin.amount.hash(&mut hasher);
        hasher.finish()
    }

    /// Pickling and copying rebuild the coin from its fields.
    fn __getnewargs__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            [
                PyString::new(py, &self.coin.denom).into_any(),
                self.amount.bind(py).clone().into_any(),
            ],
        )
    }
}

/// The coins of a Python sequence, each checked to be a `Coin`; errors name `field[i]`.
pub fn coins_of(field: &str, coins: &Bound<'_, PyAny>) -> PyResult<Vec<Coin>> {
    let mut out = Vec::new();
    for (i, item) in coins.try_iter()?.enumerate() {
        let item = item?;
        match item.downcast::<PyCoin>() {
            Ok(coin) => out.push(coin.get().coin().clone()),
            Err(_) => {
                return Err(to_py(Error::InvalidInput(format!(
                    "{field}[{i}] must be a Coin, got {}",
                    item.repr()?
                ))))
            }
        }
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCoin>()
}
