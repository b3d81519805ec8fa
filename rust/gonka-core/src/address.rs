//! Bech32 addresses (BIP 173 bech32, not bech32m) with the chain's human-readable prefixes.

use bech32::primitives::decode::{
    CharError, CheckedHrpstring, CheckedHrpstringError, ChecksumError, UncheckedHrpstringError,
};
use bech32::{Bech32, Hrp};

use crate::error::{Error, Result};

/// Account addresses (`gonka1...`).
pub const ACCOUNT_HRP: &str = "gonka";
/// Account public keys in bech32 form.
pub const ACCOUNT_PUB_HRP: &str = "gonkapub";
/// Validator operator addresses (`gonkavaloper1...`), same bytes as the operator's account.
pub const VALOPER_HRP: &str = "gonkavaloper";
/// Validator operator public keys in bech32 form.
pub const VALOPER_PUB_HRP: &str = "gonkavaloperpub";
/// Consensus (CometBFT validator) addresses (`gonkavalcons1...`).
pub const VALCONS_HRP: &str = "gonkavalcons";
/// Consensus public keys in bech32 form.
pub const VALCONS_PUB_HRP: &str = "gonkavalconspub";

/// BIP 173 limit on the length of a whole bech32 string; every chain address fits well within it.
pub const MAX_LENGTH: usize = 90;

/// Encodes `data` under `hrp` as a lowercase bech32 string.
pub fn encode(hrp: &str, data: &[u8]) -> Result<String> {
    let parsed = parse_hrp(hrp)?;
    let encoded = bech32::encode_lower::<Bech32>(parsed, data)
        .map_err(|err| Error::InvalidAddress(format!("cannot encode bech32 address: {err}")))?;
    if encoded.len() > MAX_LENGTH {
        return Err(Error::InvalidAddress(format!(
            "a bech32 address is at most {MAX_LENGTH} characters; {} data bytes under prefix {hrp:?} make {}",
            data.len(),
            encoded.len()
        )));
    }
    Ok(encoded)
}

/// Decodes a bech32 string into its (lowercase) prefix and data bytes.
pub fn decode(addr: &str) -> Result<(String, Vec<u8>)> {
    if addr.len() > MAX_LENGTH {
        return Err(Error::InvalidAddress(format!(
            "address is too long: {} characters, bech32 allows at most {MAX_LENGTH}",
            addr.len()
        )));
    }
    if !addr.contains('1') {
        return Err(Error::InvalidAddress(format!(
            "invalid bech32 address {addr:?}: no '1' separator between prefix and data"
        )));
    }
    let checked = CheckedHrpstring::new::<Bech32>(addr).map_err(|err| describe(addr, err))?;
    checked.validate_segwit_padding().map_err(|_| {
        Error::InvalidAddress(format!(
            "address {addr:?} has a wrong data length: its 5-bit groups do not form whole bytes"
        ))
    })?;
    let hrp = checked.hrp().to_lowercase();
    Ok((hrp, checked.byte_iter().collect()))
}

/// The bech32 data characters by value.
const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// The value of each ASCII data character (either case), or -1.
static CHARSET_VALUES: [i8; 128] = {
    let mut values = [-1i8; 128];
    let mut i = 0;
    while i < 32 {
        values[CHARSET[i] as usize] = i as i8;
        values[CHARSET[i].to_ascii_uppercase() as usize] = i as i8;
        i += 1;
    }
    values
};

/// The generator terms of the BCH checksum of BIP 173 that each value of its top 5 bits selects.
static POLYMOD_TERMS: [u32; 32] = {
    const GENERATOR: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut terms = [0u32; 32];
    let mut top = 0;
    while top < 32 {
        let mut i = 0;
        while i < 5 {
            if (top >> i) & 1 == 1 {
                terms[top] ^= GENERATOR[i];
            }
            i += 1;
        }
        top += 1;
    }
    terms
};

/// Two steps of the checksum at once, by the checksum's top 10 bits: the terms of the first step and those
/// the second step's top bits then select. Halves the chain of dependent lookups.
static POLYMOD_PAIR_TERMS: [u32; 1024] = {
    let mut terms = [0u32; 1024];
    let mut top = 0;
    while top < 1024 {
        let first = POLYMOD_TERMS[top >> 5];
        terms[top] =
            ((first & 0x01ff_ffff) << 5) ^ POLYMOD_TERMS[(top & 31) ^ (first >> 25) as usize];
        top += 1;
    }
    terms
};

/// The BCH checksum of BIP 173 over 5-bit values, two at a time.
fn polymod(values: &[u8]) -> u32 {
    let mut checksum: u32 = 1;
    let mut pairs = values.chunks_exact(2);
    for pair in &mut pairs {
        checksum = ((checksum & 0x000f_ffff) << 10)
            ^ (u32::from(pair[0]) << 5)
            ^ u32::from(pair[1])
            ^ POLYMOD_PAIR_TERMS[(checksum >> 20) as usize];
    }
    if let [last] = pairs.remainder() {
        checksum = ((checksum & 0x01ff_ffff) << 5)
            ^ u32::from(*last)
            ^ POLYMOD_TERMS[(checksum >> 25) as usize];
    }
    checksum
}

/// Whether `addr` is a valid bech32 address under `expected_hrp` (any case): exactly what [`decode`]
/// accepts (BIP 173 checksum, no mixed case, data padding as segwit requires) with that prefix, checked in
/// one pass without allocating. It runs for every address a message names; use [`decode_with_hrp`] to
/// learn what is wrong.
pub fn is_valid_with_hrp(addr: &str, expected_hrp: &str) -> bool {
    let bytes = addr.as_bytes();
    if bytes.len() > MAX_LENGTH {
        return false;
    }
    let Some(separator) = bytes.iter().rposition(|&b| b == b'1') else {
        return false;
    };
    let (hrp, data) = (&bytes[..separator], &bytes[separator + 1..]);
    if hrp.is_empty() || data.len() < 6 || !hrp.eq_ignore_ascii_case(expected_hrp.as_bytes()) {
        return false;
    }
    let (mut lower, mut upper) = (false, false);
    for &b in bytes {
        if !(33..=126).contains(&b) {
            return false;
        }
        lower |= b.is_ascii_lowercase();
        upper |= b.is_ascii_uppercase();
    }
    if lower && upper {
        return false;
    }
    // The checksum runs over the prefix expanded (high bits, a zero, low bits), then the data values.
    let mut values = [0u8; 2 * MAX_LENGTH];
    let mut n = 0;
    for &b in hrp {
        values[n] = b.to_ascii_lowercase() >> 5;
        n += 1;
    }
    n += 1;
    for &b in hrp {
        values[n] = b.to_ascii_lowercase() & 31;
        n += 1;
    }
    for &b in data {
        let value = CHARSET_VALUES[usize::from(b)];
        if value < 0 {
            return false;
        }
        values[n] = value as u8;
        n += 1;
    }
    if polymod(&values[..n]) != 1 {
        return false;
    }
    // The 5-bit groups before the checksum make whole bytes but for at most 4 zero bits.
    let groups = data.len() - 6;
    if groups == 0 {
        return true;
    }
    let padding = groups * 5 % 8;
    let last = CHARSET_VALUES[usize::from(data[groups - 1])] as u8;
    padding <= 4 && last & ((1u8 << padding) - 1) == 0
}

/// Decodes an address that must carry the prefix `expected_hrp`.
pub fn decode_with_hrp(addr: &str, expected_hrp: &str) -> Result<Vec<u8>> {
    decode_checked(addr, Some(expected_hrp), None).map(|(_, data)| data)
}

/// Decodes an address under `expected_hrp` whose data must be exactly `expected_len` bytes
/// (20 for keys, 32 for module and contract accounts).
pub fn decode_exact(addr: &str, expected_hrp: &str, expected_len: usize) -> Result<Vec<u8>> {
    decode_checked(addr, Some(expected_hrp), Some(expected_len)).map(|(_, data)| data)
}

/// Decodes an address, checking its prefix and data length when they are given.
pub fn decode_checked(
    addr: &str,
    expected_hrp: Option<&str>,
    expected_len: Option<usize>,
) -> Result<(String, Vec<u8>)> {
    let (hrp, data) = decode(addr)?;
    if let Some(expected) = expected_hrp {
        if hrp != expected.to_ascii_lowercase() {
            return Err(Error::InvalidAddress(format!(
                "wrong address prefix: expected {expected:?}, got {hrp:?} in {addr:?}"
            )));
        }
    }
    if let Some(expected) = expected_len {
        if data.len() != expected {
            return Err(Error::InvalidAddress(format!(
                "wrong address data length: expected {expected} bytes, got {} in {addr:?}",
                data.len()
            )));
        }
    }
    Ok((hrp, data))
}

/// The same address bytes under another prefix (e.g. `gonka...` -> `gonkavaloper...`).
pub fn convert_hrp(addr: &str, new_hrp: &str) -> Result<String> {
    let (_, data) = decode(addr)?;
    encode(new_hrp, &data)
}

fn parse_hrp(hrp: &str) -> Result<Hrp> {
    let parsed = Hrp::parse(hrp)
        .map_err(|err| Error::InvalidAddress(format!("invalid bech32 prefix {hrp:?}: {err}")))?;
    if hrp.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(Error::InvalidAddress(format!(
            "invalid bech32 prefix {hrp:?}: prefixes are lowercase"
        )));
    }
    Ok(parsed)
}

fn describe(addr: &str, err: CheckedHrpstringError) -> Error {
    let reason = match err {
        CheckedHrpstringError::Parse(UncheckedHrpstringError::Char(char_err)) => match char_err {
            CharError::MissingSeparator => "no '1' separator between prefix and data".to_string(),
            CharError::NothingAfterSeparator => "nothing after the '1' separator".to_string(),
            CharError::MixedCase => "mixed upper and lower case".to_string(),
            CharError::InvalidChar(c) => format!("invalid data character {c:?}"),
            other => other.to_string(),
        },
        CheckedHrpstringError::Parse(UncheckedHrpstringError::Hrp(hrp_err)) => {
            use bech32::primitives::hrp::Error as HrpError;
            match hrp_err {
                HrpError::Empty => "empty prefix before the '1' separator".to_string(),
                HrpError::MixedCase => "mixed upper and lower case".to_string(),
                other => format!("invalid prefix: {other}"),
            }
        }
        CheckedHrpstringError::Checksum(ChecksumError::InvalidResidue) => {
            "bad checksum (a character is mistyped, or this is not a bech32 string)".to_string()
        }
        CheckedHrpstringError::Checksum(ChecksumError::InvalidLength) => {
            "too short to hold a checksum".to_string()
        }
        CheckedHrpstringError::Checksum(ChecksumError::CodeLength(_)) => "too long".to_string(),
        other => other.to_string(),
    };
    Error::InvalidAddress(format!("invalid bech32 address {addr:?}: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTES: &str = "22ba50d35663eb58abdc263606e4dff0a0752614";
    const ACCOUNT: &str = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le";
    const VALOPER: &str = "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5";

    #[test]
    fn network_example_round_trips() {
        let data = hex::decode(BYTES).unwrap();
        assert_eq!(encode(ACCOUNT_HRP, &data).unwrap(), ACCOUNT);
        assert_eq!(encode(VALOPER_HRP, &data).unwrap(), VALOPER);
        assert_eq!(
            decode(ACCOUNT).unwrap(),
            ("gonka".to_string(), data.clone())
        );
        assert_eq!(convert_hrp(ACCOUNT, VALOPER_HRP).unwrap(), VALOPER);
        assert_eq!(convert_hrp(VALOPER, ACCOUNT_HRP).unwrap(), ACCOUNT);
        assert_eq!(decode(&ACCOUNT.to_uppercase()).unwrap().1, data);
    }

    fn message(addr: &str) -> String {
        decode(addr).unwrap_err().to_string()
    }

    #[test]
    fn errors_are_distinct() {
        assert!(message("gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5la").contains("bad checksum"));
        assert!(message("gonka1Y2a9p56kv044327uycmqdexl7zs82fs5ryv5le").contains("mixed"));
        assert!(message("gonkay2a9p56kv044327uycmqdexl7zs82fs5ryv5le").contains("separator"));
        assert!(message("gonka").contains("separator"));
        assert!(decode_with_hrp(ACCOUNT, VALOPER_HRP)
            .unwrap_err()
            .to_string()
            .contains("wrong address prefix"));
        assert!(decode_exact(ACCOUNT, ACCOUNT_HRP, 32)
            .unwrap_err()
            .to_string()
            .contains("wrong address data length"));
        assert_eq!(decode_exact(ACCOUNT, ACCOUNT_HRP, 20).unwrap().len(), 20);
    }

    #[test]
    fn bech32m_is_not_accepted() {
        // A BIP 350 (bech32m) test string: valid bech32m, so its bech32 checksum fails.
        assert!(message("a1lqfn3a").contains("bad checksum"));
    }

    #[test]
    fn uppercase_prefix_cannot_be_encoded() {
        assert!(encode("GONKA", &[1, 2, 3]).is_err());
        assert!(encode("", &[1, 2, 3]).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_validity_check_agrees_with_decoding(
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            hrp in proptest::sample::select(vec!["gonka", "gonkavaloper", "cosmos"]),
            expected in proptest::sample::select(vec!["gonka", "GONKA", "gonkavaloper"]),
            edits in proptest::collection::vec((0usize..200, proptest::char::range('0', 'z')), 0..3),
            upper in proptest::bool::ANY,
        ) {
            let mut addr = encode(hrp, &data).unwrap_or_default();
            if upper {
                addr = addr.to_uppercase();
            }
            let mut chars: Vec<char> = addr.chars().collect();
            for (at, c) in edits {
                if !chars.is_empty() {
                    let at = at % chars.len();
                    chars[at] = c;
                }
            }
            let addr: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(
                is_valid_with_hrp(&addr, expected),
                decode_with_hrp(&addr, expected).is_ok(),
                "{}", addr
            );
        }
    }
}
