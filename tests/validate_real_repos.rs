//! `meshwright validate` on Flux's example repositories (tests/fixtures/real): every
//! finding is a real problem of the repository as committed, and nothing else is reported.

mod common;

use std::path::Path;

use common::{Graded, graded as finding, graded_findings, validate_json};

/// The exit code and every finding of validating `repo`.
fn found(repo: &str) -> (i32, Vec<Graded>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real")
        .join(repo);
    let (code, report) = validate_json(&dir, &[]);
    (code, graded_findings(&report))
}

/// The committed `gotk-components.yaml` is the placeholder `flux bootstrap` overwrites, so
/// the flux-system patches meant for the controllers match nothing (kustomize renders them
/// silently; a warning each). `ArtifactGenerator` is a Flux CRD newer than the embedded
/// toolkit and not in the repository: a warning, not an error.
#[test]
fn flux2_kustomize_helm_example_has_only_warnings() {
    let (code, findings) = found("flux2-kustomize-helm-example");
    let mut expected = Vec::new();
    for cluster in ["production", "staging"] {
        expected.push(finding(
            "MW104",
            "warning",
            &format!("clusters/{cluster}/artifacts.yaml"),
            3,
        ));
        expected.push(finding(
            "MW118",
            "warning",
            &format!("clusters/{cluster}/flux-system/kustomization.yaml"),
            17,
        ));
    }
    assert_eq!(findings, expected);
    assert_eq!(code, 0);
}

/// Besides the flux-system patches and Kyverno's ClusterPolicy (a third-party CRD), the
/// Kyverno source is an `OCIRepository` of `source.toolkit.fluxcd.io/v1beta2`, which the
/// current source-controller no longer serves: a real error.
#[test]
fn flux2_multi_tenancy_has_one_error_an_unserved_api_version() {
    let (code, findings) = found("flux2-multi-tenancy");
    let mut expected = Vec::new();
    for cluster in ["production", "staging"] {
        let file = format!("clusters/{cluster}/flux-system/kustomization.yaml");
        for line in [11, 18, 25, 32] {
            expected.push(finding("MW118", "warning", &file, line));
        }
    }
    expected.push(finding(
        "MW107",
        "error",
        "infrastructure/kyverno/source.yaml",
        1,
    ));
    for policy in ["verify-flux-images", "verify-git-repositories"] {
        expected.push(finding(
            "MW104",
            "warning",
            &format!("infrastructure/kyverno-policies/{policy}.yaml"),
            2,
        ));
    }
    assert_eq!(findings, expected);
    assert_eq!(code, 1);
}
