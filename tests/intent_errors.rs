//! Broken mesh.yaml inputs: each is reported at the file:line:column to edit, exits 2, and
//! nothing is written.

mod common;

use common::{example_text, locate, meshwright, snapshot};
use predicates::str::contains;

/// Writes `mesh` into a fresh directory, runs generate, and checks exit 2, the message
/// and that the directory still holds only mesh.yaml.
fn rejects(mesh: &str, expected: &[&str]) {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("mesh.yaml"), mesh).unwrap();
    let mut assert = meshwright()
        .arg("generate")
        .arg(temp.path())
        .assert()
        .code(2);
    for text in expected {
        assert = assert.stderr(contains(*text));
    }
    let files = snapshot(temp.path());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["mesh.yaml"],
        "nothing may be written"
    );
}

/// Replaces the first `from` by `to` in the edge example; returns the text and the
/// `mesh.yaml:line:col: error:` prefix of `marker` inside the replacement.
fn mutate_at(from: &str, to: &str, marker: &str) -> (String, String) {
    let original = example_text("edge");
    let start = original
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in the example"));
    let text = original.replacen(from, to, 1);
    let offset = start + to.find(marker).expect("marker inside replacement");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (text, format!("mesh.yaml:{line}:{column}: error:"))
}

/// Like `mutate_at`, pointing at the start of the replacement.
fn mutate(from: &str, to: &str) -> (String, String) {
    mutate_at(from, to, to)
}

#[test]
fn wrong_enum_value() {
    let (text, at) = mutate_at("    mode: STRICT\n", "    mode: STRICTT\n", "STRICTT");
    rejects(
        &text,
        &[&at, "unknown variant `STRICTT`", "STRICT, PERMISSIVE"],
    );
}

#[test]
fn misspelled_field() {
    let (text, at) = mutate("workloadCertTTL: 24h", "workloadCertTtl: 24h");
    rejects(&text, &[&at, "unknown field `workloadCertTtl`"]);
}

#[test]
fn workload_cert_ttl_beyond_go_range() {
    let huge = "99999999999999999999999999999999999999999h1ns2160h";
    let (text, at) = mutate_at(
        "workloadCertTTL: 24h",
        &format!("workloadCertTTL: {huge}"),
        huge,
    );
    rejects(&text, &[&at, "invalid duration: out of range"]);
}

#[test]
fn misspelled_nested_field() {
    let (text, at) = mutate("perTryTimeout: 1s", "perTryTimout: 1s");
    rejects(&text, &[&at, "unknown field `perTryTimout`"]);
}

#[test]
fn wrong_type() {
    let (text, at) = mutate_at("replicas: 3", "replicas: three", "three");
    rejects(&text, &[&at, "expected a whole number"]);
}

#[test]
fn caller_naming_no_service() {
    let (text, at) = mutate_at(
        "        - service: cart\n",
        "        - service: kart\n",
        "kart",
    );
    rejects(
        &text,
        &[&at, "caller \"kart\" is not declared in spec.services"],
    );
}

#[test]
fn duplicate_service_name() {
    let (text, at) = mutate_at("    - name: payments\n", "    - name: cart\n", "cart");
    rejects(
        &text,
        &[&at, "duplicate service \"cart\" (first declared at"],
    );
}

#[test]
fn name_that_is_not_a_dns_label() {
    let (text, at) = mutate_at(
        "    - name: storefront\n",
        "    - name: Store_Front\n",
        "Store_Front",
    );
    rejects(&text, &[&at, "\"Store_Front\" is not a DNS-1123 label"]);
}

#[test]
fn unknown_cluster_in_tenant() {
    let (text, at) = mutate_at("clusters: [central]", "clusters: [centrl]", "centrl");
    rejects(&text, &[&at, "cluster \"centrl\" is not declared"]);
}

#[test]
fn permissive_without_a_named_migration() {
    let (text, at) = mutate_at("    mode: STRICT\n", "    mode: PERMISSIVE\n", "PERMISSIVE");
    rejects(&text, &[&at, "named migration"]);
}

#[test]
fn renew_before_not_shorter_than_duration() {
    let (text, at) = mutate_at(
        "      duration: 8760h\n      renewBefore: 720h",
        "      duration: 8760h\n      renewBefore: 9000h",
        "9000h",
    );
    rejects(
        &text,
        &[&at, "renewBefore must be shorter than its duration"],
    );
}

#[test]
fn invalid_http_method_and_path() {
    let (text, at) = mutate_at(
        "methods: [GET, POST, DELETE]",
        "methods: [GET, FETCH]",
        "FETCH",
    );
    rejects(&text, &[&at, "\"FETCH\" is not an HTTP method"]);
    let (text, at) = mutate_at(
        "paths: [\"/cart/*\"]",
        "paths: [\"/cart/*/items\"]",
        "\"/cart/*/items\"",
    );
    rejects(&text, &[&at, "not valid for Istio authorization"]);
}

#[test]
fn route_to_a_service_not_on_that_cluster() {
    let text = example_text("edge").replace(
        "          - prefix: /shop/\n            service: storefront\n            timeout: 5s",
        "          - prefix: /pay/\n            service: payments\n            timeout: 5s",
    );
    let (line, column) = locate(&text, "service: payments");
    let at = format!("mesh.yaml:{line}:{}: error:", column + "service: ".len());
    rejects(&text, &[&at, "does not run on cluster \"edge-eu\""]);
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let text = example_text("edge")
        .replacen("        - service: cart\n", "        - service: kart\n", 1)
        .replacen("    - name: storefront\n", "    - name: Storefront\n", 1);
    rejects(
        &text,
        &[
            "\"kart\" is not declared",
            "\"Storefront\" is not a DNS-1123 label",
        ],
    );
}

#[test]
fn duplicate_key() {
    let text = example_text("edge").replacen("kind: Mesh\n", "kind: Mesh\nkind: Mesh\n", 1);
    let (line, _) = locate(&text, "kind: Mesh\nkind");
    rejects(
        &text,
        &[&format!("mesh.yaml:{}:", line + 1), "duplicate key `kind`"],
    );
}

#[test]
fn invalid_yaml_syntax() {
    let text = format!("{}  extra: [unclosed\n", example_text("edge"));
    rejects(&text, &["mesh.yaml:", "error:"]);
}

#[test]
fn binary_file() {
    rejects("apiVersion: \0\0\0", &["mesh.yaml:1:13: error:", "binary"]);
}

#[test]
fn alias_bomb_is_refused_quickly() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 0..9 {
        let previous = (b'a' + level) as char;
        let name = (b'b' + level) as char;
        bomb.push_str(&format!(
            "{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
        ));
    }
    rejects(&bomb, &["mesh.yaml:", "error:"]);
}

#[test]
fn huge_file() {
    let text = format!("# {}\n", "x".repeat(5 * 1024 * 1024));
    rejects(&text, &["mesh.yaml: error:", "at most"]);
}

#[test]
fn missing_mesh_yaml() {
    let temp = tempfile::tempdir().unwrap();
    meshwright()
        .arg("generate")
        .arg(temp.path())
        .assert()
        .code(2)
        .stderr(contains("mesh.yaml: error: cannot read"));
}
