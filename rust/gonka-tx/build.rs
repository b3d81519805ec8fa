//! Generates the prost types from `proto/` with protox, a pure-Rust protobuf compiler (no system protoc).

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "cosmos/base/v1beta1/coin.proto",
    "cosmos/crypto/secp256k1/keys.proto",
    "cosmos/crypto/ed25519/keys.proto",
    "cosmos/tx/signing/v1beta1/signing.proto",
    "cosmos/tx/v1beta1/tx.proto",
    "cosmos/bank/v1beta1/tx.proto",
    "cosmos/gov/v1/tx.proto",
    "cosmos/gov/v1beta1/tx.proto",
    "cosmos/slashing/v1beta1/tx.proto",
    "cosmos/authz/v1beta1/authz.proto",
    "cosmos/feegrant/v1beta1/feegrant.proto",
    "cosmos/staking/v1beta1/tx.proto",
    "inference/inference/tx.proto",
    "inference/collateral/tx.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("proto");
    let files: Vec<PathBuf> = PROTOS.iter().map(|p| root.join(p)).collect();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let descriptors = protox::compile(&files, [&root])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
