//! Gateway API's own CRD test suite (`tests/crd/crd_test.go` at v1.6.1, copied under
//! `tests/fixtures/gateway-api/`): the API server accepts every standard example and refuses
//! every invalid example; `meshwright validate` must give the same verdicts offline. Most
//! invalid examples are refused by CRD CEL rules and list types, so this is the peer's test
//! of those.

mod common;

use std::path::{Path, PathBuf};

use common::{graded_findings, validate_json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gateway-api")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    out.sort();
}

#[test]
fn every_standard_example_is_accepted() {
    let (code, report) = validate_json(&fixtures().join("examples/standard"), &[]);
    let found = graded_findings(&report);
    assert_eq!(found, Vec::new(), "{report:#}");
    assert_eq!(code, 0);
    assert!(
        report["summary"]["objects"].as_u64().unwrap() >= 100,
        "{report:#}"
    );
}

#[test]
fn every_invalid_example_is_refused_by_a_schema_rule() {
    let mut files = Vec::new();
    yaml_files(
        &fixtures().join("hack/invalid-examples/standard"),
        &mut files,
    );
    assert_eq!(files.len(), 32);
    let mut accepted = Vec::new();
    for file in &files {
        // Alone in a directory, as the suite applies each file alone.
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(file, dir.path().join("example.yaml")).unwrap();
        let (code, report) = validate_json(dir.path(), &[]);
        let refused = graded_findings(&report).iter().any(|f| {
            f.1 == "error" && ["MW101", "MW102", "MW103", "MW121"].contains(&f.0.as_str())
        });
        if code != 1 || !refused {
            accepted.push(format!("{}: {report:#}", file.display()));
        }
    }
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
}
