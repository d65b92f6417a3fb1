//! The CRDs a repository carries validate its custom resources, and a kind with no schema
//! anywhere is an error only where meshwright knows the whole group (a typo), otherwise a
//! warning (a CRD the repository could not know).

mod common;

use common::{
    Graded as Found, graded as finding, graded_findings as found, validate_json, write_files,
};
use serde_json::Value;

const CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
"#;

const GOOD: &str = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a\n  namespace: n\nspec:\n  size: 3\n";
const BAD: &str = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: b\n  namespace: n\nspec:\n  size: 0\n  colour: red\n";

/// Validates a directory holding `files`: the exit code, `found`, and the report.
fn validate_files(files: &[(&str, &str)]) -> (i32, Vec<Found>, Value) {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    let (code, report) = validate_json(dir.path(), &[]);
    (code, found(&report), report)
}

#[test]
fn a_vendored_crd_validates_the_custom_resources_of_the_repository() {
    let (code, found, report) = validate_files(&[
        ("crds/widgets.yaml", CRD),
        ("good.yaml", GOOD),
        ("bad.yaml", BAD),
    ]);
    assert_eq!(code, 1, "{report:#}");
    let expected = vec![
        finding("MW101", "error", "bad.yaml", 7),
        finding("MW102", "error", "bad.yaml", 8),
    ];
    assert_eq!(found, expected, "{report:#}");
}

#[test]
fn a_crd_listed_by_a_kustomize_root_validates_the_resources_beside_it() {
    let (code, found, report) = validate_files(&[
        (
            "app/kustomization.yaml",
            "resources: [crd.yaml, bad.yaml]\n",
        ),
        ("app/crd.yaml", CRD),
        ("app/bad.yaml", BAD),
    ]);
    assert_eq!(code, 1, "{report:#}");
    let codes: Vec<String> = found.into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["MW101", "MW102"], "{report:#}");
}

#[test]
fn a_schema_dir_wins_over_the_crd_in_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let lenient = CRD.replace("              required: [size]\n", "");
    let lenient = lenient.replace(
        "{type: integer, minimum: 1}",
        "{type: integer}\n                colour: {type: string}",
    );
    write_files(dir.path(), &[("schema/widgets.yaml", &lenient)]);
    let schemas = dir.path().join("schemas");
    common::meshwright()
        .args(["schemas", "import"])
        .arg(dir.path().join("schema/widgets.yaml"))
        .arg("--out")
        .arg(&schemas)
        .assert()
        .success();
    let repo = dir.path().join("repo");
    write_files(&repo, &[("crds.yaml", CRD), ("bad.yaml", BAD)]);
    let (code, report) = validate_json(&repo, &["--schema-dir", schemas.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    assert!(found(&report).is_empty(), "{report:#}");
}

#[test]
fn a_kind_without_schema_is_an_error_only_where_meshwright_knows_the_whole_group() {
    let (code, found, report) = validate_files(&[
        // A CRD neither embedded nor in the repository: the repository cannot know it.
        (
            "third-party.yaml",
            "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: a\n  namespace: n\n",
        ),
        // A typo in an embedded Istio kind.
        (
            "typo.yaml",
            "apiVersion: networking.istio.io/v1\nkind: VirtualServce\nmetadata:\n  name: a\n  namespace: n\n",
        ),
        // A kind Kubernetes does not have in a group meshwright embeds whole.
        (
            "core.yaml",
            "apiVersion: apps/v1\nkind: Deploymint\nmetadata:\n  name: a\n  namespace: n\n",
        ),
    ]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        found,
        vec![
            finding("MW104", "error", "core.yaml", 2),
            finding("MW104", "warning", "third-party.yaml", 2),
            finding("MW104", "error", "typo.yaml", 2),
        ],
        "{report:#}"
    );
}

#[test]
fn a_crd_without_versions_is_reported_and_its_resources_are_not_validated() {
    let broken = CRD.replace("  versions:\n", "  versions: []\n  oldVersions:\n");
    let (code, found, report) = validate_files(&[("crds.yaml", &broken), ("good.yaml", GOOD)]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        found,
        vec![
            finding("MW102", "error", "crds.yaml", 10),
            finding("MW104", "warning", "good.yaml", 2),
        ],
        "{report:#}"
    );
}

#[test]
fn the_config_file_lists_schema_directories_relative_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    write_files(repo, &[("vendor/widgets.yaml", CRD), ("bad.yaml", BAD)]);
    common::meshwright()
        .args([
            "schemas",
            "import",
            "vendor/widgets.yaml",
            "--out",
            "schemas/vendor",
        ])
        .current_dir(repo)
        .assert()
        .success();
    std::fs::remove_file(repo.join("vendor/widgets.yaml")).unwrap();
    let (code, report) = validate_json(repo, &[]);
    assert_eq!(
        found(&report),
        vec![finding("MW104", "warning", "bad.yaml", 2)],
        "{report:#}"
    );
    assert_eq!(code, 0);
    write_files(
        repo,
        &[(".meshwright.yaml", "schemaDirs:\n  - schemas/vendor\n")],
    );
    let (code, report) = validate_json(repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    let codes: Vec<String> = found(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["MW101", "MW102"], "{report:#}");
    // A directory that is not there is a usage error at its line.
    write_files(
        repo,
        &[(
            ".meshwright.yaml",
            "ignore: [MW106]\nschemaDirs:\n  - nowhere\n",
        )],
    );
    let output = common::meshwright()
        .arg("validate")
        .current_dir(repo)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(".meshwright.yaml:3:5: schema directory `nowhere` does not exist"),
        "{stderr}"
    );
}

#[test]
fn the_cel_rules_of_a_repository_crd_are_evaluated_and_a_hostile_one_cannot_stall_the_run() {
    let ruled = CRD.replace(
        "                size: {type: integer, minimum: 1}\n",
        "                size: {type: integer, minimum: 1}
                max: {type: integer, default: 5}
                items: {type: array, items: {type: integer}}
              x-kubernetes-validations:
                - rule: self.size <= self.max
                  message: size must not exceed max (5 unless set)
                - rule: '!has(self.items) || self.items.all(a, self.items.all(b, self.items.all(c, self.items.all(d, a + b + c + d >= 0))))'
                  message: sums are positive
",
    );
    let many: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let hostile = format!(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: h\n  namespace: n\nspec:\n  size: 1\n  items: [{}]\n",
        many.join(", ")
    );
    let started = std::time::Instant::now();
    let (code, found, report) = validate_files(&[
        ("crds.yaml", &ruled),
        ("good.yaml", GOOD),
        (
            "big.yaml",
            &GOOD
                .replace("size: 3", "size: 7")
                .replace("name: a", "name: c"),
        ),
        ("hostile.yaml", &hostile),
    ]);
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        found,
        vec![
            finding("MW121", "error", "big.yaml", 6),
            finding("MW122", "warning", "hostile.yaml", 6),
        ],
        "{report:#}"
    );
}
