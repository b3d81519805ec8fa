//! `google.protobuf.Timestamp`, written in JSON as RFC 3339 UTC with 0, 3, 6 or 9 fraction digits.

use std::fmt;

use chrono::{DateTime, SecondsFormat};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::proto;
use crate::validate::invalid;
use gonka_core::Result;

/// Seconds of 0001-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the range proto3 allows.
const MIN_SECONDS: i64 = -62_135_596_800;
const MAX_SECONDS: i64 = 253_402_300_799;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub seconds: i64,
    pub nanos: i32,
}

impl Timestamp {
    pub fn new(seconds: i64, nanos: i32) -> Result<Self> {
        let ts = Self { seconds, nanos };
        ts.validate("timestamp")?;
        Ok(ts)
    }

    /// Nanoseconds since the Unix epoch.
    pub fn from_unix_nanos(nanos: i128) -> Result<Self> {
        let seconds = i64::try_from(nanos.div_euclid(1_000_000_000))
            .map_err(|_| invalid("timestamp", "out of range"))?;
        Self::new(seconds, nanos.rem_euclid(1_000_000_000) as i32)
    }

    pub fn unix_nanos(&self) -> i128 {
        i128::from(self.seconds) * 1_000_000_000 + i128::from(self.nanos)
    }

    /// `validate` without building an error.
    pub fn is_valid(&self) -> bool {
        (0..1_000_000_000).contains(&self.nanos)
            && (MIN_SECONDS..=MAX_SECONDS).contains(&self.seconds)
    }

    pub fn validate(&self, field: &str) -> Result<()> {
        if !(0..1_000_000_000).contains(&self.nanos) {
            return Err(invalid(
                field,
                format!("nanos {} not in 0..1e9", self.nanos),
            ));
        }
        if !(MIN_SECONDS..=MAX_SECONDS).contains(&self.seconds) {
            return Err(invalid(
                field,
                format!("seconds {} outside years 1..9999", self.seconds),
            ));
        }
        Ok(())
    }

    pub fn parse_rfc3339(text: &str) -> Result<Self> {
        let dt = DateTime::parse_from_rfc3339(text)
            .map_err(|e| invalid("timestamp", format!("{text:?} is not RFC 3339: {e}")))?;
        Self::new(dt.timestamp(), dt.timestamp_subsec_nanos() as i32)
    }

    pub(crate) fn to_proto(self) -> proto::Timestamp {
        proto::Timestamp {
            seconds: self.seconds,
            nanos: self.nanos,
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match DateTime::from_timestamp(self.seconds, self.nanos as u32) {
            Some(dt) => f.write_str(&dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            None => write!(f, "<invalid timestamp {}s {}ns>", self.seconds, self.nanos),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse_rfc3339(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip_keeps_nanoseconds() {
        let ts = Timestamp::parse_rfc3339("2026-08-22T06:31:44.143457Z").unwrap();
        assert_eq!(
            ts,
            Timestamp {
                seconds: 1_787_380_304,
                nanos: 143_457_000
            }
        );
        assert_eq!(ts.to_string(), "2026-08-22T06:31:44.143457Z");
        let ns = Timestamp::new(1_760_000_060, 5).unwrap();
        assert_eq!(ns.to_string(), "2025-10-09T08:54:20.000000005Z");
        assert_eq!(Timestamp::parse_rfc3339(&ns.to_string()).unwrap(), ns);
        assert_eq!(Timestamp::from_unix_nanos(ns.unix_nanos()).unwrap(), ns);
    }

    #[test]
    fn rejects_out_of_range() {
        assert!(Timestamp::new(0, -1).is_err());
        assert!(Timestamp::new(0, 1_000_000_000).is_err());
        assert!(Timestamp::new(MAX_SECONDS + 1, 0).is_err());
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
    }
}
