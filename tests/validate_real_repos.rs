//! `meshwright validate` on Flux's example repositories (tests/fixtures/real): every
//! finding is a real problem of the repository as committed, and nothing else is reported.

mod common;

use std::path::Path;

use common::validate_json;

/// A finding's code, severity, file and line.
type Found = (String, String, String, u64);

fn finding(code: &str, severity: &str, file: &str, line: u64) -> Found {
    (code.into(), severity.into(), file.into(), line)
}

/// The exit code and every finding of validating `repo`.
fn found(repo: &str) -> (i32, Vec<Found>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real")
        .join(repo);
    let (code, report) = validate_json(&dir, &[]);
    let findings = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (code, findings)
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
