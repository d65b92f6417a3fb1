//! Rebuild when embedded data changes: `include_dir!` cannot tell cargo itself.
fn main() {
    println!("cargo:rerun-if-changed=blueprints");
    println!("cargo:rerun-if-changed=schemas");
}
