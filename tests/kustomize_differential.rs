//! meshwright's native kustomize renderer against the real one: every fixture root under
//! tests/fixtures/kustomize and every root of every example repo must render to the same
//! documents, with the same values, in the same order, as `kubectl kustomize`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{EXAMPLES, init_example, kustomize_roots, meshwright};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kustomize")
}

fn parse_stream(text: &str) -> Vec<Value> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(text).expect("output parses");
    documents.into_iter().filter(|d| !d.is_null()).collect()
}

fn kubectl(root: &Path) -> Vec<Value> {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(root)
        .output()
        .expect("kubectl is the reference renderer; it must be on PATH");
    assert!(
        output.status.success(),
        "kubectl kustomize {} failed: {}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    parse_stream(&String::from_utf8(output.stdout).expect("UTF-8"))
}

fn ours(root: &Path) -> Vec<Value> {
    let objects = meshwright::kustomize::build(root)
        .unwrap_or_else(|e| panic!("meshwright cannot build {}: {e}", root.display()));
    parse_stream(&meshwright::kustomize::emit::to_yaml(&objects))
}

fn assert_same(root: &Path) {
    let expected = kubectl(root);
    let actual = ours(root);
    let names = |docs: &[Value]| -> Vec<String> {
        docs.iter()
            .map(|d| {
                format!(
                    "{}/{}",
                    d["kind"].as_str().unwrap_or("?"),
                    d["metadata"]["name"].as_str().unwrap_or("?")
                )
            })
            .collect()
    };
    assert_eq!(
        names(&actual),
        names(&expected),
        "{}: documents or order differ",
        root.display()
    );
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(
            a,
            e,
            "{}: {} differs\nours:    {a}\nkubectl: {e}",
            root.display(),
            names(std::slice::from_ref(e))[0]
        );
    }
}

/// The kustomize roots of the fixtures: a fixture is a root itself, or holds roots below.
fn fixture_roots() -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = kustomize_roots(&fixtures_dir())
        .into_iter()
        .chain(
            std::fs::read_dir(fixtures_dir())
                .expect("fixtures exist")
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("kustomization.yml").is_file()),
        )
        .filter(|root| {
            // Components are applied by a parent; they are not roots on their own.
            let text = std::fs::read_to_string(root.join("kustomization.yaml")).unwrap_or_default();
            !text.contains("kind: Component")
        })
        .collect();
    roots.sort();
    roots
}

#[test]
fn fixtures_render_like_kubectl_kustomize() {
    let roots = fixture_roots();
    assert!(roots.len() >= 40, "only {} fixture roots", roots.len());
    println!("{} fixture roots equal to kubectl kustomize", roots.len());
    for root in &roots {
        assert_same(root);
    }
}

#[test]
fn example_repositories_render_like_kubectl_kustomize() {
    for example in EXAMPLES {
        let (_temp, repo) = init_example(example);
        let roots = kustomize_roots(&repo);
        assert!(roots.len() > 3, "{example}: too few roots");
        for root in &roots {
            assert_same(root);
        }
    }
}

#[test]
fn the_build_command_prints_the_rendered_root() {
    let root = fixtures_dir().join("nested-overlay/overlays/prod");
    let output = meshwright().arg("build").arg(&root).output().expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = parse_stream(&String::from_utf8(output.stdout).expect("UTF-8"));
    assert_eq!(printed, kubectl(&root));
}
