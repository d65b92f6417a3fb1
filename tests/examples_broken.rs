//! The generated repositories analyze clean, and breaking one thing in a copy — a caller's
//! principal, a PeerAuthentication, an issuerRef — produces the expected finding at the
//! line that was broken, and nothing else new.

mod common;

use std::path::Path;

use common::{Found, findings_of, init_example, locate, validate_json};

fn findings(repo: &Path) -> Vec<Found> {
    findings_of(&validate_json(repo, &[]).1)
}

/// Replaces `from` by `to` in `file` of a fresh edge repository and returns the findings
/// and the 1-based line and column where `to` now stands.
fn break_edge(file: &str, from: &str, to: &str) -> (Vec<Found>, (u64, u64)) {
    let (temp, repo) = init_example("edge");
    assert!(findings(&repo).is_empty(), "the example starts clean");
    let path = repo.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} holds {from:?}");
    let broken = text.replacen(from, to, 1);
    std::fs::write(&path, &broken).unwrap();
    let (line, column) = locate(&broken, to);
    let found = findings(&repo);
    drop(temp);
    (found, (line as u64, column as u64))
}

fn assert_only(found: &[Found], code: &str, file: &str, at: (u64, u64)) {
    let expected = vec![(code.to_string(), file.to_string(), at.0, at.1)];
    assert_eq!(found, expected.as_slice());
}

#[test]
fn a_caller_naming_an_undeclared_service_account() {
    let file = "tenants/retail/base/authorization.yaml";
    let (found, (line, column)) = break_edge(
        file,
        "acme.internal/ns/retail/sa/storefront",
        "acme.internal/ns/retail/sa/storefrnt",
    );
    assert_only(&found, "MW301", file, (line, column));
}

#[test]
fn a_namespace_peer_authentication_weakened_to_permissive() {
    let file = "tenants/retail/base/mtls.yaml";
    let (found, (line, column)) = break_edge(file, "mode: STRICT", "mode: PERMISSIVE");
    assert!(
        found.contains(&("MW202".to_string(), file.to_string(), line, column + 6)),
        "{found:?}"
    );
}

#[test]
fn an_issuer_ref_naming_no_issuer() {
    let file = "clusters/central/ca.yaml";
    let (found, (line, column)) = break_edge(
        file,
        "kind: ClusterIssuer\n    name: acme-root-ca",
        "kind: ClusterIssuer\n    name: acme-rot-ca",
    );
    // `to` starts at `kind:`; the name is on the next line, indented like it.
    assert!(
        found.contains(&("MW501".to_string(), file.to_string(), line + 1, column + 6)),
        "{found:?}"
    );
}
