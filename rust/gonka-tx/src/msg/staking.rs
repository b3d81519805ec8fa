//! `cosmos.staking`: validator creation (what a gentx carries). Its commission rates are LegacyDec fields and
//! its minimum self-delegation a cosmos.Int: both checks are value types' ([`crate::dec`], [`crate::coin`]).

include!(concat!(env!("OUT_DIR"), "/msg/staking.rs"));
