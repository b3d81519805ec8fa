//! `inference.collateral`: a participant's collateral. The amount is checked as coins that move
//! ([`super::bank`]).

include!(concat!(env!("OUT_DIR"), "/msg/collateral.rs"));
