//! One error type for the core crate; each variant maps onto a Python exception class.

use thiserror::Error as ThisError;

#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum Error {
    #[error("{0}")]
    InvalidMnemonic(String),
    #[error("{0}")]
    InvalidAddress(String),
    #[error("{0}")]
    InvalidKey(String),
    #[error("{0}")]
    InvalidSignature(String),
    #[error("{0}")]
    InvalidInput(String),
}

pub type Result<T> = std::result::Result<T, Error>;
