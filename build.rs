//! Build-time facts: rebuild when embedded data changes (`include_dir!` cannot tell cargo
//! itself), and write `$OUT_DIR/build_info.rs` with what `meshwright --version` reports —
//! the git commit and the upstream version of every embedded schema family.

#[path = "build/git_commit.rs"]
mod git_commit;
#[path = "build/schema_versions.rs"]
mod schema_versions;

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=blueprints");
    println!("cargo:rerun-if-changed=schemas");
    println!("cargo:rerun-if-changed={}", schema_versions::PROVENANCE);
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let commit = git_commit::describe(&manifest_dir);
    let families = schema_versions::read(&manifest_dir).unwrap_or_else(|message| {
        panic!(
            "{}: {message}",
            manifest_dir.join(schema_versions::PROVENANCE).display()
        )
    });
    let mut long_version = format!(
        "{}\ncommit {commit}\nembedded schemas:",
        std::env::var("CARGO_PKG_VERSION").expect("cargo sets it")
    );
    let width = families
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0);
    for (label, version) in &families {
        long_version.push_str(&format!("\n  {label:width$}  {version}"));
    }
    let out = Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets it")).join("build_info.rs");
    let source = format!(
        "/// What `meshwright --version` prints after the program name.\n\
         pub const LONG_VERSION: &str = {long_version:?};\n"
    );
    std::fs::write(&out, source).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
