//! `LegacyDec`: the SDK's fixed-point decimal with 18 fraction digits. Fields declared with the
//! gogoproto customtype `LegacyDec` (staking commission rates, ...) carry on the wire the decimal
//! scaled by 10^18 as an integer string; their JSON form is the decimal text with 18 digits.

use crate::validate::invalid;
use gonka_core::Result;

const PRECISION: usize = 18;

/// "0.1" -> "100000000000000000" (the wire form). Accepts an optional sign, an integer part and up
/// to 18 fraction digits.
pub fn to_wire(field: &str, text: &str) -> Result<String> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() || !digits_only(int_part) || !digits_only(frac_part) {
        return Err(invalid(field, format!("{text:?} is not a decimal number")));
    }
    if frac_part.len() > PRECISION {
        return Err(invalid(
            field,
            format!("{text:?} has more than {PRECISION} fraction digits"),
        ));
    }
    let scaled = format!("{int_part}{frac_part:0<PRECISION$}");
    let trimmed = scaled.trim_start_matches('0');
    Ok(match (trimmed.is_empty(), negative) {
        (true, _) => "0".to_string(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.to_string(),
    })
}

/// Whether [`to_wire`] takes the text (without building an error).
pub fn is_valid(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !int_part.is_empty()
        && digits_only(int_part)
        && digits_only(frac_part)
        && frac_part.len() <= PRECISION
}

/// "100000000000000000" -> "0.100000000000000000" (the JSON form).
pub fn from_wire(field: &str, wire: &str) -> Result<String> {
    let (negative, digits) = match wire.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, wire),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            field,
            format!("{wire:?} is not a LegacyDec integer"),
        ));
    }
    let padded = format!("{digits:0>width$}", width = PRECISION + 1);
    let (int_part, frac_part) = padded.split_at(padded.len() - PRECISION);
    let sign = if negative { "-" } else { "" };
    Ok(format!("{sign}{int_part}.{frac_part}"))
}

/// The canonical JSON text of a decimal: 18 fraction digits.
pub fn normalize(field: &str, text: &str) -> Result<String> {
    from_wire(field, &to_wire(field, text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_by_ten_to_the_eighteen() {
        assert_eq!(
            to_wire("r", "0.100000000000000000").unwrap(),
            "100000000000000000"
        );
        assert_eq!(to_wire("r", "0.01").unwrap(), "10000000000000000");
        assert_eq!(to_wire("r", "1").unwrap(), "1000000000000000000");
        assert_eq!(to_wire("r", "0").unwrap(), "0");
        assert_eq!(
            from_wire("r", "10000000000000000").unwrap(),
            "0.010000000000000000"
        );
        assert_eq!(
            from_wire("r", "1000000000000000000").unwrap(),
            "1.000000000000000000"
        );
        assert_eq!(normalize("r", "0.2").unwrap(), "0.200000000000000000");
    }

    #[test]
    fn rejects_non_decimals() {
        for bad in ["", ".1", "abc", "0.1234567890123456789", "1e-3", "+1"] {
            assert!(to_wire("r", bad).is_err(), "{bad}");
            assert!(!is_valid(bad), "{bad}");
        }
        assert!(is_valid("0.1") && is_valid("-2") && is_valid("1.000000000000000000"));
        assert!(from_wire("r", "1.5").is_err());
    }
}
