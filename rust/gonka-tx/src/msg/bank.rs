//! `cosmos.bank` (MsgSend) and every other message that moves coins: the sdk.Coins rules.

use crate::coin::Coin;
use crate::validate::invalid;
use crate::value::{invalid_at, Path};
use gonka_core::Result;

include!(concat!(env!("OUT_DIR"), "/msg/bank.rs"));

/// Coins that move (`POSITIVE_COINS`): at least one, each valid and positive, denoms sorted and unique.
/// A singular coin field (`listed` false) is checked as a list of one, named without an index.
pub(crate) fn positive_coins(path: &Path<'_>, coins: &[&Coin], listed: bool) -> Result<()> {
    let valid = !coins.is_empty()
        && coins.iter().all(|c| c.is_valid() && c.amount != "0")
        && coins.windows(2).all(|w| w[0].denom < w[1].denom);
    if valid {
        return Ok(()); // the path is only written out for an error
    }
    if coins.is_empty() {
        return Err(invalid_at(path, "needs at least one coin"));
    }
    let place = |i: usize| {
        if listed {
            path.index(i).to_string()
        } else {
            path.to_string()
        }
    };
    for (i, c) in coins.iter().enumerate() {
        c.validate(&place(i))?;
        if c.amount == "0" {
            return Err(invalid(&format!("{}.amount", place(i)), "must be positive"));
        }
    }
    Err(invalid_at(path, "denoms must be sorted and unique"))
}
