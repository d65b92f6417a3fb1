//! kubeconform's own fixtures (yannh/kubeconform `fixtures/`, Apache-2.0, copied into
//! tests/fixtures/kubeconform) with the verdicts its `acceptance.bats` expects: meshwright
//! gives kubeconform's verdict, or a documented better one.

mod common;

use std::path::{Path, PathBuf};

use common::{meshwright, snapshot};

/// A copy of the fixtures outside any Git repository: a named file's roots are searched in
/// its repository, which for the fixtures in place is the whole of meshwright's.
fn fixtures() -> (tempfile::TempDir, PathBuf) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubeconform");
    let temp = tempfile::tempdir().unwrap();
    for (path, bytes) in snapshot(&source) {
        let target = temp.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let dir = temp.path().to_path_buf();
    (temp, dir)
}

/// (fixture, meshwright flags, kubeconform's exit code in acceptance.bats, ours, why ours
/// differs). kubeconform's `-strict` is meshwright's default; without it,
/// `--allow-unknown-fields`.
const VERDICTS: &[(&str, &[&str], i32, i32, &str)] = &[
    ("valid.yaml", &[], 0, 0, ""),
    ("folder", &[], 0, 0, ""),
    ("int_or_string.yaml", &[], 0, 0, ""),
    ("valid.json", &[], 0, 0, ""),
    ("generate_name.yaml", &[], 0, 0, ""),
    ("quantity.yaml", &[], 0, 0, ""),
    ("null_string.yaml", &[], 0, 0, ""),
    ("null_array.yaml", &[], 0, 0, ""),
    ("multi_valid.yaml", &[], 0, 0, ""),
    ("multi_invalid.yaml", &[], 1, 1, ""),
    ("invalid.yaml", &[], 1, 1, ""),
    ("blank.yaml", &[], 0, 0, ""),
    ("comment.yaml", &[], 0, 0, ""),
    ("missing_kind.yaml", &[], 1, 1, ""),
    ("missing_apiversion.yaml", &[], 1, 1, ""),
    ("missing_kind_value.yaml", &[], 1, 1, ""),
    (
        "test_crd.yaml",
        &[],
        1,
        0,
        "a custom resource whose CRD is neither embedded nor in the repository is a warning: \
         the repository cannot know its schema",
    ),
    ("test_crd.yaml", &["--ignore-missing-schemas"], 0, 0, ""),
    ("extra_property.yaml", &["--allow-unknown-fields"], 0, 0, ""),
    ("extra_property.yaml", &[], 1, 1, ""),
    ("duplicate_property.yaml", &[], 1, 1, ""),
    (
        "duplicate_property.yaml",
        &["--allow-unknown-fields"],
        0,
        1,
        "a duplicate key is invalid YAML whatever the strictness: kubectl refuses the file \
         (\"mapping key already defined\")",
    ),
    ("list_valid.yaml", &[], 0, 0, ""),
    ("list_invalid.yaml", &[], 1, 1, ""),
    ("list_empty_valid.yaml", &[], 0, 0, ""),
    ("multi_with_list.yaml", &[], 0, 0, ""),
    (
        "grafana-alert-rule-group-sample.yaml",
        &[],
        0,
        0,
        "kubeconform is given the CRD's schema; without it meshwright warns",
    ),
];

#[test]
fn kubeconform_fixtures_get_kubeconforms_verdict_or_a_documented_better_one() {
    let (_temp, fixtures) = fixtures();
    for (fixture, flags, kubeconform, ours, why) in VERDICTS {
        assert!(
            kubeconform == ours || !why.is_empty(),
            "{fixture}: a different verdict needs a reason"
        );
        let output = meshwright()
            .current_dir(&fixtures)
            .arg("validate")
            .args(*flags)
            .arg(fixture)
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(*ours),
            "{fixture} {flags:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The files found by walking the directory: valid JSON and YAML manifests are read, the
/// invalid ones found, and JSON that is not a manifest (none here) would be passed over.
#[test]
fn the_fixture_directory_is_walked_json_included() {
    let (_temp, fixtures) = fixtures();
    let (code, report) = common::validate_json(&fixtures, &[]);
    assert_eq!(code, 1, "{report:#}");
    let files: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            "duplicate_property.yaml",
            "extra_property.yaml",
            "invalid.yaml",
            "list_invalid.yaml",
            "missing_apiversion.yaml",
            "missing_kind_value.yaml",
            "multi_invalid.yaml",
        ],
        "{report:#}"
    );
    // valid.json is read: its objects are counted.
    let objects = report["summary"]["objects"].as_u64().unwrap();
    assert!(objects >= 20, "{report:#}");
}
