//! `meshwright schemas import`: writes the layout `Registry::add_dir` reads, refuses bad
//! input with file:line and exit code 2, and leaves nothing behind when it fails.

mod common;

use std::path::Path;

use meshwright::manifest::parse_documents;
use meshwright::schema::{Options, Registry, Scope};

const CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: tenants.mesh.example.com
spec:
  group: mesh.example.com
  scope: Cluster
  names:
    kind: Tenant
    plural: tenants
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
            required: [owner]
            properties:
              owner:
                type: string
              tier:
                type: string
                enum: [gold, silver]
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema:
        type: object
"#;

#[test]
fn import_writes_a_schema_dir_the_registry_reads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tenant.yaml"), CRD).unwrap();
    let out = dir.path().join("schemas");
    common::meshwright()
        .arg("schemas")
        .arg("import")
        .arg(dir.path().join("tenant.yaml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("index.json").is_file());
    assert!(out.join("mesh.example.com/v1/tenant.json").is_file());
    assert!(!out.join("mesh.example.com/v1alpha1").exists());

    let mut registry = Registry::embedded();
    registry.add_dir(&out).unwrap();
    assert_eq!(
        registry.scope("mesh.example.com/v1", "Tenant"),
        Some(Scope::Cluster)
    );
    let object = "apiVersion: mesh.example.com/v1\nkind: Tenant\nmetadata:\n  name: retail\nspec:\n  owner: team-a\n  tier: platinum\n";
    let docs = parse_documents(Path::new("t.yaml"), object.as_bytes()).unwrap();
    let findings = registry.validate(&docs[0], &Options::default());
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].code.code, "MW101");
    let origin = findings[0].origin.as_ref().unwrap();
    assert_eq!((origin.line, origin.column), (7, 9));
    // The same schemas added from memory, as `validate` does for CRDs found in a repository.
    let output = meshwright::schema::import::import(&[(
        dir.path().join("tenant.yaml"),
        CRD.as_bytes().to_vec(),
    )])
    .unwrap();
    let mut in_memory = Registry::empty();
    in_memory.add_output(&output).unwrap();
    assert_eq!(in_memory.validate(&docs[0], &Options::default()).len(), 1);
    let unserved = object.replace("mesh.example.com/v1\n", "mesh.example.com/v1alpha1\n");
    let docs = parse_documents(Path::new("t.yaml"), unserved.as_bytes()).unwrap();
    let findings = registry.validate(&docs[0], &Options::default());
    assert_eq!(findings[0].code.code, "MW107", "{findings:?}");
}

#[test]
fn invalid_input_exits_2_with_file_and_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("tenant.yaml");
    std::fs::write(&good, CRD).unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\nkey: [unclosed\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let assert = common::meshwright()
        .args(["schemas", "import"])
        .arg(&good)
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("bad.yaml:"), "{stderr}");
    assert!(!out.exists(), "a failed import must not write anything");

    let not_crd = dir.path().join("cm.yaml");
    std::fs::write(
        &not_crd,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let assert = common::meshwright()
        .args(["schemas", "import"])
        .arg(&not_crd)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("cm.yaml:1:1"), "{stderr}");
    assert!(stderr.contains("CustomResourceDefinition"), "{stderr}");

    common::meshwright()
        .args(["schemas", "import"])
        .arg(dir.path().join("missing.yaml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists());
}

#[test]
fn group_names_cannot_escape_the_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    let crd = CRD.replace("group: mesh.example.com", "group: ../../escape");
    let input = dir.path().join("evil.yaml");
    std::fs::write(&input, crd).unwrap();
    let out = dir.path().join("a/b/out");
    common::meshwright()
        .args(["schemas", "import"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(!dir.path().join("escape").exists());
    assert!(!dir.path().join("a/escape").exists());
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("index.json")).unwrap()).unwrap();
    let file = index["kinds"][0]["file"].as_str().unwrap();
    assert!(
        Path::new(file)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_))),
        "{file}"
    );
    assert!(out.join(file).is_file());
}
