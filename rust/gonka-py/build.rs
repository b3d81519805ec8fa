//! Records how the native module was built, for `gonka version`: the target triple, the rustc release and the
//! cargo profile. Cargo tells these to build scripts only, so they are passed on as compile-time variables.

use std::env;
use std::process::Command;

fn cargo_var(name: &str) -> String {
    env::var(name).unwrap_or_else(|_| panic!("cargo sets {name} for build scripts"))
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let rustc = Command::new(cargo_var("RUSTC"))
        .arg("--version")
        .output()
        .expect("the rustc that cargo named runs");
    assert!(rustc.status.success(), "rustc --version failed");
    let rustc_version = String::from_utf8(rustc.stdout).expect("rustc --version prints UTF-8");
    // PROFILE is "release" for profiles based on release and "debug" for the others; the optimisation level
    // tells a `--profile dev` wheel from a release one.
    let (profile, opt_level) = (cargo_var("PROFILE"), cargo_var("OPT_LEVEL"));
    println!("cargo:rustc-env=GONKA_BUILD_TARGET={}", cargo_var("TARGET"));
    println!("cargo:rustc-env=GONKA_BUILD_RUSTC={}", rustc_version.trim());
    println!("cargo:rustc-env=GONKA_BUILD_PROFILE={profile} (opt-level {opt_level})");
}
