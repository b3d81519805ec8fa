//! `cosmos.feegrant`: fee allowances. The spend limit is checked as coins that move ([`super::bank`]).

include!(concat!(env!("OUT_DIR"), "/msg/feegrant.rs"));
