//! `cosmos.gov`: the weights of a weighted vote.

use crate::dec;
use crate::value::{invalid_at, Message, Path, Value};
use gonka_core::Result;

include!(concat!(env!("OUT_DIR"), "/msg/gov.rs"));

/// 1 as a LegacyDec on the wire.
const ONE: u128 = 1_000_000_000_000_000_000;

/// Weighted vote options (`VOTE_WEIGHTS`): at least one, each weight in (0, 1], the weights summing to 1.
pub(crate) fn vote_weights(path: &Path<'_>, options: &[Value]) -> Result<()> {
    if options.is_empty() {
        return Err(invalid_at(path, "needs at least one option"));
    }
    let mut total: u128 = 0;
    for (i, option) in options.iter().enumerate() {
        let weight = match option {
            Value::Message(m) => weight_of(m),
            _ => "",
        };
        let at = path.index(i);
        let at = at.field("weight");
        let scaled = dec::to_wire(&at.to_string(), weight)?;
        let value: u128 = scaled
            .parse()
            .map_err(|_| invalid_at(&at, format!("{weight:?} must be in (0, 1]")))?;
        if value == 0 {
            return Err(invalid_at(&at, "must be positive"));
        }
        total = total.saturating_add(value);
    }
    if total != ONE {
        return Err(invalid_at(path, "the weights must sum to 1"));
    }
    Ok(())
}

fn weight_of(option: &Message) -> &str {
    match option.get("weight") {
        Some(Value::String(weight)) => weight,
        _ => "",
    }
}
