//! Every analyzer against its fixtures: `tests/fixtures/analyze/<CODE>/fail` must produce
//! exactly the findings of that code its YAML comments announce (`# expect: CODE LINE:COL`
//! on any line, for the file it is in), and `.../pass` none of that code. Each fixture
//! directory is validated as a repository of its own (kustomize roots and loose files), and
//! every rule in the registries must have both fixtures and documentation. MW401
//! (`dangling_after_kustomize`, run while rendering kustomize roots) has its own fixtures,
//! `tests/fixtures/dangling`, checked by `tests/validate_kustomize.rs`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::meshwright;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analyze")
}

/// (file relative to `dir`, line, column) of every finding of `code` in `dir`.
fn found(dir: &Path, code: &str) -> BTreeSet<(String, u64, u64)> {
    let output = meshwright()
        .current_dir(dir)
        .args(["validate", "--output", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The `# expect: CODE LINE:COL` announcements of `code` in the YAML files below `dir`.
fn expected(dir: &Path, code: &str) -> BTreeSet<(String, u64, u64)> {
    let mut announced = BTreeSet::new();
    for file in yaml_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = file
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for line in text.lines() {
            let Some(rest) = line.split("# expect: ").nth(1) else {
                continue;
            };
            let mut words = rest.split_whitespace();
            if words.next() != Some(code) {
                continue;
            }
            let position = words.next().expect("LINE:COL after the code");
            let (l, c) = position.split_once(':').expect("LINE:COL");
            announced.insert((relative.clone(), l.parse().unwrap(), c.parse().unwrap()));
        }
    }
    announced
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(yaml_files(&path));
        } else if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_analyzer_reports_its_failing_fixture_and_not_its_passing_one() {
    let dangling = &meshwright::analyze::dangling_after_kustomize::CODE;
    for rule in meshwright::analyze::codes() {
        let code = rule.code;
        assert!(
            rule.docs.contains("## Use instead"),
            "{code}: documentation for `explain`"
        );
        if std::ptr::eq(rule, dangling) {
            continue;
        }
        let dir = fixtures().join(code);
        let (fail, pass) = (dir.join("fail"), dir.join("pass"));
        assert!(
            fail.is_dir() && pass.is_dir(),
            "{code}: needs fixtures in {}",
            dir.display()
        );
        let announced = expected(&fail, code);
        assert!(
            !announced.is_empty(),
            "{code}: the failing fixture announces no finding"
        );
        assert_eq!(found(&fail, code), announced, "{code}: failing fixture");
        assert_eq!(
            found(&pass, code),
            BTreeSet::new(),
            "{code}: passing fixture"
        );
    }
}

#[test]
fn every_fixture_directory_belongs_to_a_registered_rule() {
    let codes: BTreeSet<&str> = meshwright::analyze::codes().map(|c| c.code).collect();
    for entry in std::fs::read_dir(fixtures()).unwrap().flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            codes.contains(name.as_str()),
            "fixtures for unregistered {name}"
        );
    }
}
