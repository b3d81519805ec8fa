//! Compiles `proto/` with protox, a pure-Rust protobuf compiler (no system protoc), into:
//! - `descriptors.bin`: the descriptor set (with comments and the `gonka` options) the schema registry reads;
//! - the prost types of the transaction envelope (TxRaw, TxBody, AuthInfo, SignDoc);
//! - `msg/*.rs`: a Rust type for every message, interface and enum the options expose, by Cosmos module
//!   (build/codegen.rs).

use std::path::PathBuf;

#[path = "build/codegen.rs"]
mod codegen;
#[path = "src/schema/kinds.rs"]
#[allow(dead_code)]
mod kinds;
#[path = "src/schema/model.rs"]
#[allow(dead_code)]
mod model;

/// Every `.proto` file; adding a message to one of them (or a file to this list) is all a new message needs.
const PROTOS: &[&str] = &[
    "gonka/options.proto",
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

/// The envelope, which tx.rs builds with prost types.
const ENVELOPE: &[&str] = &[
    "cosmos/base/v1beta1/coin.proto",
    "cosmos/tx/signing/v1beta1/signing.proto",
    "cosmos/tx/v1beta1/tx.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("proto");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed={}", root.display());
    println!("cargo:rerun-if-changed=build/codegen.rs");
    println!("cargo:rerun-if-changed=src/schema/model.rs");
    println!("cargo:rerun-if-changed=src/schema/kinds.rs");
    println!("cargo:rerun-if-changed=src/msg");

    let mut compiler = protox::Compiler::new([&root])?;
    compiler.include_source_info(true).include_imports(true);
    compiler.open_files(PROTOS)?;
    std::fs::write(
        out.join("descriptors.bin"),
        compiler.encode_file_descriptor_set(),
    )?;

    let mut envelope = compiler.file_descriptor_set();
    // The well-known types stay: prost maps them to prost-types, but reads their descriptors.
    envelope
        .file
        .retain(|f| ENVELOPE.contains(&f.name()) || f.name().starts_with("google/protobuf/"));
    prost_build::Config::new().compile_fds(envelope)?;

    // Each module's types go where its file in src/msg/ includes them; a module without a file yet
    // (a new package) lands in other.rs, which src/msg/mod.rs includes.
    let model = model::Model::read(&compiler.descriptor_pool(), None)?;
    let (modules, interfaces) = codegen::rust(&model)?;
    let generated = out.join("msg");
    std::fs::create_dir_all(&generated)?;
    let mut other = String::new();
    for (module, code) in modules {
        if manifest
            .join("src/msg")
            .join(format!("{module}.rs"))
            .is_file()
        {
            std::fs::write(generated.join(format!("{module}.rs")), code)?;
        } else {
            other.push_str(&code);
        }
    }
    std::fs::write(generated.join("other.rs"), other)?;
    std::fs::write(generated.join("interfaces.rs"), interfaces)?;
    Ok(())
}
