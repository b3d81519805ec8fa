//! `cosmos.slashing`: unjailing a validator. Its one check, a validator operator address, is an annotation.

include!(concat!(env!("OUT_DIR"), "/msg/slashing.rs"));
