//! Validating rendered kustomize roots: findings point at the line a person edits. MW401:
//! an overlay that moves objects with `namespace` and `namePrefix` leaves the mesh
//! references kustomize does not rewrite pointing at old identities, reported at the line
//! of the reference in the base; errors a patch introduces are reported at the patch line.

mod common;

use std::path::Path;

use common::{Found, findings_of, validate_json};

fn findings(root: &str) -> Vec<Found> {
    findings_of(&validate_json(Path::new(env!("CARGO_MANIFEST_DIR")), &[root]).1)
}

#[test]
fn references_left_behind_by_an_overlay_point_at_the_base_line() {
    let base = "tests/fixtures/dangling/base";
    let expected = [
        (format!("{base}/certificates.yaml"), 19, 11), // issuerRef: shop-ca, now eu-shop-ca
        (format!("{base}/policy.yaml"), 14, 26),       // principal ns/shop/sa/frontend
        (format!("{base}/policy.yaml"), 16, 26),       // source.namespaces: shop
        (format!("{base}/routing.yaml"), 23, 14),      // gateways: shop/public
    ];
    let found = findings("tests/fixtures/dangling/overlay");
    let dangling: Vec<(String, u64, u64)> = found
        .iter()
        .filter(|f| f.0 == "MW401")
        .map(|f| (f.1.clone(), f.2, f.3))
        .collect();
    assert_eq!(dangling, expected, "{found:?}");
}

#[test]
fn the_base_on_its_own_has_no_dangling_reference() {
    let found = findings("tests/fixtures/dangling/base");
    assert!(found.iter().all(|f| f.0 != "MW401"), "{found:?}");
}

#[test]
fn errors_a_patch_introduces_point_at_the_patch() {
    let overlay = "tests/fixtures/patched/overlay";
    let found: Vec<Found> = findings(overlay);
    let expected = [
        ("MW101", format!("{overlay}/kustomization.yaml"), 7, 16), // inline JSON patch value
        ("MW112", format!("{overlay}/kustomization.yaml"), 16, 19), // inline SMP duration
        ("MW101", format!("{overlay}/web-patch.yaml"), 12, 30),    // containerPort: http
        ("MW102", format!("{overlay}/web-patch.yaml"), 14, 13),    // resources.limit (at its key)
    ];
    let expected: Vec<Found> = expected
        .into_iter()
        .map(|(code, file, line, column)| (code.to_string(), file, line, column))
        .collect();
    assert_eq!(found, expected);
    assert!(findings("tests/fixtures/patched/base").is_empty());
}

/// `meshwright build ROOT`, ROOT relative to the repository.
fn build(root: &str) -> std::process::Output {
    common::meshwright()
        .args(["build", root])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

#[test]
fn a_patch_whose_target_matches_nothing_renders_with_a_warning_at_the_target() {
    let root = "tests/fixtures/patch-no-match";
    let expected: Vec<Found> = vec![(
        "MW118".to_string(),
        format!("{root}/kustomization.yaml"),
        4,
        5,
    )];
    assert_eq!(findings(root), expected);
    let output = build(root);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("replicas: 1"),
        "the object renders unpatched"
    );
    assert!(
        stderr.contains("kustomization.yaml:4:5: the patch target matches no object"),
        "{stderr}"
    );
}

#[test]
fn a_patch_port_kustomize_ignores_renders_unpatched_with_a_warning_at_the_element() {
    let root = "tests/fixtures/patch-element-ignored";
    let expected: Vec<Found> = vec![("MW119".to_string(), format!("{root}/port.yaml"), 8, 7)];
    assert_eq!(findings(root), expected);
    let output = build(root);
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("targetPort: 8080"),
        "the port renders unpatched, as kubectl kustomize renders it"
    );
}
