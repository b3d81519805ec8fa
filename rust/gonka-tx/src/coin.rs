//! `cosmos.base.v1beta1.Coin`: a denomination and a non-negative integer amount (`cosmos.Int`).

use serde::{Deserialize, Serialize};

use crate::proto::cosmos::base::v1beta1 as pb;
use crate::validate::invalid;
use gonka_core::Result;

/// 2^256 - 1: the largest `cosmos.Int` the SDK accepts.
const MAX_INT: &str =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coin {
    pub denom: String,
    /// Decimal integer text, without sign or leading zeros.
    pub amount: String,
}

impl Coin {
    pub fn new(denom: impl Into<String>, amount: u128) -> Self {
        Self {
            denom: denom.into(),
            amount: amount.to_string(),
        }
    }

    /// Checks the denom against the SDK's pattern `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}` and the amount
    /// against `0 <= amount < 2^256`.
    pub fn validate(&self, field: &str) -> Result<()> {
        if self.is_valid() {
            return Ok(());
        }
        check_denom(&format!("{field}.denom"), &self.denom)?;
        check_int(&format!("{field}.amount"), &self.amount)
    }

    /// `validate` without building error messages (the common case on the signing path).
    pub fn is_valid(&self) -> bool {
        denom_is_valid(&self.denom) && int_is_valid(&self.amount)
    }

    pub(crate) fn to_proto(&self) -> pb::Coin {
        pb::Coin {
            denom: self.denom.clone(),
            amount: self.amount.clone(),
        }
    }

    pub(crate) fn from_proto(coin: pb::Coin) -> Self {
        Self {
            denom: coin.denom,
            amount: coin.amount,
        }
    }
}

fn denom_is_valid(denom: &str) -> bool {
    let bytes = denom.as_bytes();
    (3..=128).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/:._-".contains(b))
}

/// [`check_int`] without building an error.
pub(crate) fn int_is_valid(amount: &str) -> bool {
    let digits = !amount.is_empty() && amount.bytes().all(|b| b.is_ascii_digit());
    let canonical = amount.len() == 1 || !amount.starts_with('0');
    let in_range =
        amount.len() < MAX_INT.len() || (amount.len() == MAX_INT.len() && amount <= MAX_INT);
    digits && canonical && in_range
}

pub fn check_denom(field: &str, denom: &str) -> Result<()> {
    if denom.is_empty() {
        return Err(invalid(field, "the denom must not be empty"));
    }
    if !denom_is_valid(denom) {
        return Err(invalid(
            field,
            format!("{denom:?} is not a valid denom (a letter, then 2-127 of [a-zA-Z0-9/:._-])"),
        ));
    }
    Ok(())
}

/// A non-negative `cosmos.Int`: plain decimal digits, no sign, no leading zeros, below 2^256.
pub fn check_int(field: &str, amount: &str) -> Result<()> {
    if int_is_valid(amount) {
        return Ok(());
    }
    if amount.starts_with('-') {
        return Err(invalid(
            field,
            format!("must not be negative, got {amount}"),
        ));
    }
    let digits = !amount.is_empty() && amount.bytes().all(|b| b.is_ascii_digit());
    if !digits || (amount.len() > 1 && amount.starts_with('0')) {
        return Err(invalid(
            field,
            format!("{amount:?} is not a non-negative decimal integer"),
        ));
    }
    Err(invalid(field, "exceeds the 256-bit integer range"))
}

pub(crate) fn validate_all(field: &str, coins: &[Coin]) -> Result<()> {
    coins
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_valid())
        .try_for_each(|(i, c)| c.validate(&format!("{field}[{i}]")))
}

pub(crate) fn to_proto_all(coins: &[Coin]) -> Vec<pb::Coin> {
    coins.iter().map(Coin::to_proto).collect()
}

pub(crate) fn from_proto_all(coins: Vec<pb::Coin>) -> Vec<Coin> {
    coins.into_iter().map(Coin::from_proto).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_chain_denoms_and_amounts() {
        Coin::new("ngonka", 0).validate("c").unwrap();
        Coin::new(
            "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
            5,
        )
        .validate("c")
        .unwrap();
        check_int("a", MAX_INT).unwrap();
    }

    #[test]
    fn rejects_bad_coins_naming_the_field() {
        let err = Coin::new("", 1).validate("fee[0]").unwrap_err().to_string();
        assert!(err.contains("fee[0].denom"), "{err}");
        for bad in ["-1", "", "01", "1.5", "1e3", " 1"] {
            assert!(check_int("a", bad).is_err(), "{bad}");
        }
        let too_big = format!("{MAX_INT}0");
        assert!(check_int("a", &too_big).is_err());
        assert!(check_int(
            "a",
            "115792089237316195423570985008687907853269984665640564039457584007913129639936"
        )
        .is_err());
        assert!(check_denom("d", "1abc").is_err());
        assert!(check_denom("d", "ab").is_err());
    }

    proptest::proptest! {
        #[test]
        fn fast_check_agrees_with_the_detailed_one(
            denom in "[a-zA-Z0-9/:._ -]{0,6}",
            amount in "-?[0-9]{0,3}|115792089237316195423570985008687907853269984665640564039457584007913129639935|115792089237316195423570985008687907853269984665640564039457584007913129639936|[0-9]{78}",
        ) {
            let coin = Coin { denom, amount };
            proptest::prop_assert_eq!(coin.is_valid(), coin.validate("c").is_ok());
        }
    }
}
