//! `meshwright policy` end to end: every output format, filters, and exit codes.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use predicates::prelude::*;

fn repo() -> &'static PathBuf {
    static REPO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &REPO.get_or_init(|| common::init_example("edge")).1
}

fn policy(args: &[&str]) -> assert_cmd::assert::Assert {
    common::meshwright()
        .arg("policy")
        .arg(repo())
        .args(args)
        .assert()
}

#[test]
fn table_lists_edges_with_policies() {
    policy(&["--cluster", "edge-eu"])
        .success()
        .stdout(predicate::str::starts_with("CLUSTER  FROM"))
        .stdout(predicate::str::is_match(r"edge-eu\s+retail/storefront\s+retail/cart\s+\*\s+yes\s+mtls\s+retail/cart\n").unwrap())
        .stdout(predicate::str::is_match(r"edge-eu\s+retail/cart\s+retail/storefront\s+\*\s+no\s+mtls\s+retail/allow-nothing,retail/storefront-from-ingress\n").unwrap())
        .stdout(predicate::str::contains("central").not());
}

#[test]
fn json_follows_the_contract() {
    let output = policy(&["-o", "json", "--allowed-only"])
        .success()
        .get_output()
        .stdout
        .clone();
    let value: serde_json::Value = serde_json::from_slice(&output).expect("JSON");
    let edges = value["edges"].as_array().expect("edges list");
    assert!(!edges.is_empty());
    for edge in edges {
        for key in [
            "cluster", "from", "to", "port", "allowed", "mtls", "policies",
        ] {
            assert!(edge.get(key).is_some(), "{key} missing in {edge}");
        }
        assert_eq!(edge["allowed"], true);
    }
    assert!(edges.iter().any(|e| e["cluster"] == "central"
        && e["from"] == "retail/cart"
        && e["to"] == "ledger/payments"
        && e["port"].is_null()
        && e["mtls"] == "mtls"
        && e["policies"] == serde_json::json!(["ledger/payments"])));
}

#[test]
fn mermaid_is_a_graph_with_labelled_edges() {
    policy(&["-o", "mermaid", "--cluster", "central"])
        .success()
        .stdout(predicate::str::starts_with("graph LR\n"))
        .stdout(predicate::str::contains("subgraph c0[\"central\"]"))
        .stdout(predicate::str::contains("[\"retail/cart\"]"))
        .stdout(predicate::str::is_match(r#"n\d+ -->\|"mTLS"\| n\d+"#).unwrap());
}

#[test]
fn dot_is_a_digraph() {
    policy(&["-o", "dot", "--cluster", "central"])
        .success()
        .stdout(predicate::str::starts_with("digraph mesh {"))
        .stdout(predicate::str::contains(
            "\"central:retail/cart\" -> \"central:ledger/payments\" [label=\"mTLS\", color=darkgreen];",
        ))
        .stdout(predicate::str::ends_with("}\n"));
}

#[test]
fn unknown_cluster_and_unreadable_path_exit_2() {
    policy(&["--cluster", "nowhere"])
        .code(2)
        .stderr(predicate::str::contains("no cluster \"nowhere\""));
    common::meshwright()
        .args(["policy", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn help_has_examples() {
    common::meshwright()
        .args(["policy", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("--allowed-only"));
}

#[test]
fn trust_domain_flag_overrides_the_repository() {
    // The edge example's policies name acme.internal principals: under another trust domain
    // no principal matches, so only edges without principal rules stay allowed.
    let output = policy(&[
        "-o",
        "json",
        "--allowed-only",
        "--trust-domain",
        "other.example",
    ])
    .success()
    .get_output()
    .stdout
    .clone();
    let value: serde_json::Value = serde_json::from_slice(&output).expect("JSON");
    let edges = value["edges"].as_array().expect("edges");
    // No workload reaches retail/cart; the acme.internal principals its policy names are
    // identities from outside this trust domain now.
    let callers: Vec<&str> = edges
        .iter()
        .filter(|e| e["to"] == "retail/cart")
        .map(|e| e["from"].as_str().unwrap())
        .collect();
    assert_eq!(
        callers, ["identity:acme.internal/ns/retail/sa/storefront"; 3],
        "one per cluster running retail/cart"
    );
    assert!(
        edges
            .iter()
            .any(|e| e["to"] == "istio-ingress/istio-ingressgateway")
    );
}

#[test]
fn a_checkout_under_a_clusters_directory_keeps_its_cluster_names() {
    let temp = tempfile::tempdir().expect("tempdir");
    let repo = temp.path().join("clusters/checkout");
    common::meshwright()
        .args(["init", "--example", "saas"])
        .arg(&repo)
        .assert()
        .success();
    std::fs::create_dir_all(repo.join("extra")).expect("mkdir");
    std::fs::write(
        repo.join("extra/job.yaml"),
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: tools}\nspec: {template: {spec: {containers: [{name: c}]}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: tools}\nspec: {containers: [{name: c}]}\n",
    )
    .expect("write");
    common::meshwright()
        .arg("policy")
        .arg(&repo)
        .args(["--cluster", "prod", "--allowed-only"])
        .assert()
        .success()
        .stdout(predicate::str::contains("prod     platform/billing"));
    // A manifest outside clusters/ and overlays/ belongs to `default`, not to `checkout`.
    common::meshwright()
        .arg("policy")
        .arg(&repo)
        .args(["--cluster", "default"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tools/once"))
        .stdout(predicate::str::contains("tools/debug"));
}
