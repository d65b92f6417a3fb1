//! Helpers shared by the integration tests: running the binary, reading examples, and
//! snapshotting directories.

#![allow(dead_code)] // each test crate uses a different subset

pub mod git;
pub mod rendered;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const EXAMPLES: [&str; 4] = ["saas", "edge", "batch", "lowcode"];

pub fn meshwright() -> Command {
    let mut command = Command::cargo_bin("meshwright").expect("binary is built");
    command.env("NO_COLOR", "1");
    command
}

/// Writes `files` (path relative to `dir`, text) under `dir`, creating directories.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
}

/// Runs `command`, asserts its exit code, and returns its stdout as text.
pub fn stdout_with_code(command: &mut Command, code: i32) -> String {
    let output = command.assert().code(code).get_output().stdout.clone();
    String::from_utf8(output).expect("utf-8")
}

pub fn example_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("blueprints/examples")
        .join(format!("{name}.yaml"));
    std::fs::read_to_string(path).expect("example exists")
}

/// Every regular file under `dir` (relative path → bytes).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files);
    files
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let file_type = entry.file_type().expect("file type");
        if file_type.is_dir() {
            collect(root, &path, files);
        } else if file_type.is_file() {
            let relative = path.strip_prefix(root).expect("under root");
            files.insert(
                relative.to_string_lossy().into_owned(),
                std::fs::read(&path).expect("readable"),
            );
        }
    }
}

/// Runs `meshwright init --example NAME` into a fresh temporary directory.
pub fn init_example(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("tempdir");
    let repo = temp.path().join("repo");
    meshwright()
        .args(["init", "--example", name])
        .arg(&repo)
        .assert()
        .success();
    (temp, repo)
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
pub fn locate(text: &str, needle: &str) -> (usize, usize) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Every directory under `root` holding a kustomization.yaml, sorted.
pub fn kustomize_roots(root: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = snapshot(root)
        .keys()
        .filter(|p| p.ends_with("kustomization.yaml"))
        .map(|p| root.join(p).parent().expect("has parent").to_path_buf())
        .collect();
    roots.sort();
    roots
}

/// A finding's code, severity, file and line.
pub type Graded = (String, String, String, u64);

/// Every finding of a JSON report, as `Graded`.
pub fn graded_findings(report: &serde_json::Value) -> Vec<Graded> {
    each_finding(report, |f| {
        (
            f["code"].as_str().expect("code").to_string(),
            f["severity"].as_str().expect("severity").to_string(),
            f["file"].as_str().expect("file").to_string(),
            f["line"].as_u64().expect("line"),
        )
    })
}

/// `read` of every finding of a JSON report, in report order.
fn each_finding<T>(report: &serde_json::Value, read: impl Fn(&serde_json::Value) -> T) -> Vec<T> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(read)
        .collect()
}

pub fn graded(code: &str, severity: &str, file: &str, line: u64) -> Graded {
    (code.into(), severity.into(), file.into(), line)
}

/// Runs `meshwright validate --output json ARGS` in `dir`: exit code and the parsed report.
pub fn validate_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let output = meshwright()
        .current_dir(dir)
        .args(["validate", "--output", "json"])
        .args(args)
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("exited"), json)
}

/// A finding of a JSON report as (code, file, line, column).
pub type Found = (String, String, u64, u64);

/// The findings of a JSON report, in report order.
pub fn findings_of(report: &serde_json::Value) -> Vec<Found> {
    each_finding(report, |f| {
        (
            f["code"].as_str().expect("code").to_string(),
            f["file"].as_str().expect("file").to_string(),
            f["line"].as_u64().expect("line"),
            f["column"].as_u64().expect("column"),
        )
    })
}
