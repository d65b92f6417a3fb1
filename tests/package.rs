//! The crate `cargo package` makes for the package registry: the embedded schemas and
//! blueprints and everything the build reads are in, the test fixtures, benches and upstream
//! documents are out, and it is far below the registry's 10 MiB limit.

use std::path::{Path, PathBuf};
use std::process::Command;

/// crates.io refuses crates larger than 10 MiB; stay well below it.
const MOST_BYTES: u64 = 2 << 20;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo package ARGS` in this crate, offline, with its own target directory (the one
/// `cargo test` holds stays untouched); panics with cargo's output when it fails.
fn cargo_package(target_dir: &Path, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args(["package", "--allow-dirty", "--offline", "--target-dir"])
        .arg(target_dir)
        .args(args)
        .current_dir(manifest_dir())
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo package {args:?}:\n{stderr}");
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Every file under `dir` (relative to the manifest directory, `/`-separated).
fn files_under(dir: &str) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = vec![manifest_dir().join(dir)];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(manifest_dir()).expect("below");
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files
}

#[test]
fn the_packaged_crate_holds_what_the_build_needs_and_no_fixtures() {
    let target = tempfile::tempdir().expect("temp dir");
    let listed = cargo_package(target.path(), &["--list"]);
    let listed: Vec<&str> = listed.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "LICENSE",
        "README.md",
        "build.rs",
        "build/git_commit.rs",
        "build/schema_versions.rs",
        "upstream/README.md",
        "src/main.rs",
    ] {
        assert!(listed.contains(&needed), "{needed} is not packaged");
    }
    // include_dir! embeds these trees: every file must ship.
    for embedded in files_under("schemas")
        .iter()
        .chain(&files_under("blueprints"))
    {
        assert!(
            listed.contains(&embedded.as_str()),
            "{embedded} is not packaged"
        );
    }
    for listed in &listed {
        assert!(
            !listed.starts_with("tests/")
                && !listed.starts_with("benches/")
                && (!listed.starts_with("upstream/") || *listed == "upstream/README.md"),
            "{listed} is packaged"
        );
    }
}

#[test]
fn the_packaged_crate_is_far_below_the_registry_limit() {
    let target = tempfile::tempdir().expect("temp dir");
    cargo_package(target.path(), &["--no-verify"]);
    let crate_file = target.path().join(format!(
        "package/meshwright-{}.crate",
        env!("CARGO_PKG_VERSION")
    ));
    let bytes = std::fs::metadata(&crate_file)
        .unwrap_or_else(|e| panic!("{}: {e}", crate_file.display()))
        .len();
    assert!(bytes > 100_000, "{bytes} bytes: the schemas are missing");
    assert!(bytes < MOST_BYTES, "{bytes} bytes, limit {MOST_BYTES}");
}
