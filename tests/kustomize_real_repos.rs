//! Real repositories nobody here wrote (tests/fixtures/real: Flux's example repositories):
//! every kustomize root in them, the standard `flux-system` root included, must print
//! through `meshwright build` exactly the bytes `kubectl kustomize` prints.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{kustomize_roots, meshwright};

fn repositories() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut repos: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/fixtures/real exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    repos.sort();
    repos
}

#[test]
fn every_root_of_flux_example_repositories_renders_byte_for_byte_like_kubectl() {
    let repos = repositories();
    assert_eq!(repos.len(), 2, "{repos:?}");
    let mut checked = 0;
    for repo in &repos {
        let roots = kustomize_roots(repo);
        assert!(
            roots.iter().any(|root| root.ends_with("flux-system")),
            "{}: no flux-system root",
            repo.display()
        );
        for root in roots {
            let expected = Command::new("kubectl")
                .arg("kustomize")
                .arg(&root)
                .output()
                .expect("kubectl is the reference renderer; it must be on PATH");
            assert!(
                expected.status.success(),
                "kubectl refuses {}",
                root.display()
            );
            let actual = meshwright().arg("build").arg(&root).output().expect("runs");
            assert!(
                actual.status.success(),
                "meshwright refuses {}: {}",
                root.display(),
                String::from_utf8_lossy(&actual.stderr)
            );
            assert!(
                expected.stdout == actual.stdout,
                "{}: meshwright build prints other bytes than kubectl kustomize",
                root.display()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 14, "every root of both repositories is compared");
}
