//! `meshwright build` on broken or unsupported kustomizations: exit 2 and an error naming
//! the file and line to fix, never a panic and never silently ignored input.

mod common;

use std::path::Path;

use common::meshwright;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

/// Runs `meshwright build` on `root` and returns stderr, asserting exit code 2.
fn build_fails(root: &Path) -> String {
    let output = meshwright().arg("build").arg(root).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "nothing is printed on error");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn errors_name_the_file_and_line() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 8] = [
        (
            "missing",
            &[
                (
                    "kustomization.yaml",
                    "resources:\n  - app.yaml\n  - gone.yaml\n",
                ),
                ("app.yaml", "kind: ConfigMap\nmetadata: {name: a}\n"),
            ],
            "missing/kustomization.yaml:3:5: gone.yaml: no such file or directory",
        ),
        (
            "helm",
            &[(
                "kustomization.yaml",
                "resources: []\nhelmCharts:\n  - name: istiod\n",
            )],
            "helm/kustomization.yaml:3:3: `helmCharts`: Helm chart inflation is not supported",
        ),
        (
            "unknown",
            &[("kustomization.yaml", "resourcez: [a.yaml]\n")],
            "unknown/kustomization.yaml:1:12: unknown kustomization field `resourcez`",
        ),
        (
            "invalid-yaml",
            &[
                ("kustomization.yaml", "resources: [app.yaml]\n"),
                ("app.yaml", "kind: ConfigMap\nmetadata:\n  name: [a\n"),
            ],
            "invalid-yaml/app.yaml:",
        ),
        (
            "remote",
            &[(
                "kustomization.yaml",
                "resources:\n- https://github.com/acme/base?ref=v1\n",
            )],
            "remote/kustomization.yaml:2:3: https://github.com/acme/base?ref=v1: remote resources are not supported",
        ),
        (
            "escape/inner",
            &[
                ("kustomization.yaml", "resources: [../outside.yaml]\n"),
                ("../outside.yaml", "kind: ConfigMap\nmetadata: {name: x}\n"),
            ],
            "escape/inner/kustomization.yaml:1:13: ../outside.yaml: file is not in or below",
        ),
        (
            "not-yet",
            &[(
                "kustomization.yaml",
                "resources: []\nreplacements:\n- path: r.yaml\n",
            )],
            "not-yet/kustomization.yaml:3:3: `replacements` is not rendered by meshwright yet",
        ),
        (
            "nameless",
            &[
                ("kustomization.yaml", "resources: [a.yaml]\n"),
                ("a.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: {}\n"),
            ],
            "nameless/a.yaml:1:1: a resource needs `kind` and `metadata.name`",
        ),
    ];
    for (name, files, expected) in cases {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        write(&dir, files);
        let stderr = build_fails(&dir);
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn cycles_between_kustomizations_are_reported() {
    let temp = tempfile::tempdir().unwrap();
    write(
        temp.path(),
        &[
            ("a/kustomization.yaml", "resources: [../b]\n"),
            ("b/kustomization.yaml", "resources: [../a]\n"),
        ],
    );
    let stderr = build_fails(&temp.path().join("a"));
    assert!(stderr.contains("cycle between kustomizations"), "{stderr}");
    assert!(
        stderr.contains("/a -> ") && stderr.contains("/b -> "),
        "{stderr}"
    );
}

#[test]
fn a_directory_without_kustomization_is_a_usage_error() {
    let temp = tempfile::tempdir().unwrap();
    let stderr = build_fails(temp.path());
    assert!(stderr.contains("no kustomization.yaml"), "{stderr}");
    let stderr = build_fails(&temp.path().join("absent"));
    assert!(stderr.contains("not a directory"), "{stderr}");
}
