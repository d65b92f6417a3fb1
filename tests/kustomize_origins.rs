//! Provenance through generators and replacements: a generated value points at the entry
//! (or env file line) that produced it, a replaced value at the source value a person edits.

use std::path::{Path, PathBuf};

use meshwright::manifest::Node;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kustomize")
        .join(name)
}

/// The object of `kind` named `name` in the build of `root`.
fn object(root: &str, kind: &str, name: &str) -> Node {
    meshwright::kustomize::build(&fixture(root))
        .expect("fixture builds")
        .into_iter()
        .find(|o| {
            o.str_at(&["kind"]) == Some(kind) && o.str_at(&["metadata", "name"]) == Some(name)
        })
        .unwrap_or_else(|| panic!("{root}: no {kind}/{name}"))
}

/// `file:line:column` of the node at `pointer`, with the file relative to the fixtures.
fn origin_at(object: &Node, pointer: &str) -> String {
    let node = object
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no {pointer}"));
    let file = node.origin.file.to_string_lossy().into_owned();
    let relative = file.split("fixtures/kustomize/").last().unwrap_or(&file);
    format!("{relative}:{}:{}", node.origin.line, node.origin.column)
}

#[test]
fn generated_keys_point_at_the_entry_that_produced_them() {
    let settings = object("gen-literals", "ConfigMap", "settings-chcbh6cd5h");
    assert_eq!(
        origin_at(&settings, ""),
        "gen-literals/kustomization.yaml:3:9"
    );
    assert_eq!(
        origin_at(&settings, "/data/LOG_LEVEL"),
        "gen-literals/kustomization.yaml:5:5"
    );
    assert_eq!(
        origin_at(&settings, "/data/PORT"),
        "gen-literals/kustomization.yaml:10:5"
    );
    let env = object("gen-files", "ConfigMap", "web-env-mf452m555m");
    assert_eq!(
        origin_at(&env, "/data/APP_NAME"),
        "gen-files/config/app.env:2:1"
    );
    assert_eq!(
        origin_at(&env, "/data/CRLF"),
        "gen-files/config/extra.env:2:1"
    );
    let files = object("gen-files", "ConfigMap", "web-files-mg7ch7ct6f");
    assert_eq!(
        origin_at(&files, "/data/settings.json"),
        "gen-files/kustomization.yaml:5:5"
    );
}

#[test]
fn replaced_values_point_at_the_source_value() {
    let web = object("replace-configmap-deployment", "Deployment", "web");
    assert_eq!(
        origin_at(&web, "/spec/replicas"),
        "replace-configmap-deployment/resources.yaml:7:13"
    );
    assert_eq!(
        origin_at(&web, "/spec/template/spec/containers/0/env/0/value"),
        "replace-configmap-deployment/resources.yaml:6:12"
    );
    let service = object("replace-istio", "VirtualService", "checkout");
    assert_eq!(
        origin_at(&service, "/spec/hosts/0"),
        "replace-istio/mesh.yaml:4:21"
    );
    // The principal's last splice took the namespace, which the kustomization sets.
    let policy = object(
        "replace-istio",
        "AuthorizationPolicy",
        "checkout-allow-frontend",
    );
    assert_eq!(
        origin_at(&policy, "/spec/rules/0/from/0/source/principals/0"),
        "replace-istio/kustomization.yaml:1:12"
    );
}
