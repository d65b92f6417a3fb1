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

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n";

#[test]
fn patch_errors_name_the_file_and_line() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 16] = [
        (
            "missing-file",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatches:\n  - path: gone.yaml\n",
            )],
            "missing-file/kustomization.yaml:3:11: patch file gone.yaml: no such file",
        ),
        (
            "invalid-file",
            &[
                (
                    "kustomization.yaml",
                    "resources: [app.yaml]\npatches:\n  - path: bad.yaml\n",
                ),
                ("bad.yaml", "kind: Deployment\nspec: [a\n"),
            ],
            "invalid-file/bad.yaml:",
        ),
        (
            "invalid-inline",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatches:\n  - patch: |\n      kind: Deployment\n      spec:\n        replicas: [1\n",
            )],
            "invalid-inline/kustomization.yaml:6:19: inline patch is not valid YAML",
        ),
        (
            "no-object",
            &[
                (
                    "kustomization.yaml",
                    "resources: [app.yaml]\npatches:\n  - path: patch.yaml\n",
                ),
                (
                    "patch.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wbe\nspec:\n  replicas: 2\n",
                ),
            ],
            "no-object/kustomization.yaml:3:11: no object matches the strategic-merge patch for apps/v1 Deployment wbe",
        ),
        (
            "empty-target",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatches:\n  - target:\n      kind: Deployment\n      name: api-.*\n    patch: |\n      - op: remove\n        path: /spec/replicas\n",
            )],
            "empty-target/kustomization.yaml:4:7: the patch target matches no object",
        ),
        (
            "json-missing-path",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatches:\n  - target: {kind: Deployment}\n    patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 3\n",
            )],
            "json-missing-path/kustomization.yaml:5:9: JSON patch `replace` /spec/replicas: no value at `replicas`",
        ),
        (
            "json-test",
            &[
                (
                    "kustomization.yaml",
                    "resources: [app.yaml]\npatches:\n  - target: {kind: Deployment}\n    path: ops.yaml\n",
                ),
                (
                    "ops.yaml",
                    "- op: add\n  path: /spec/replicas\n  value: 2\n- op: test\n  path: /spec/template/spec/containers/0/image\n  value: web:2\n",
                ),
            ],
            "json-test/ops.yaml:4:3: JSON patch `test` /spec/template/spec/containers/0/image: test failed",
        ),
        (
            "json-without-target",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatches:\n  - patch: '[{\"op\": \"remove\", \"path\": \"/spec\"}]'\n",
            )],
            "json-without-target/kustomization.yaml:3:12: a JSON 6902 patch needs a `target`",
        ),
        (
            "option",
            &[
                (
                    "kustomization.yaml",
                    "resources: [app.yaml]\npatches:\n  - path: p.yaml\n    options:\n      allowNamespaceChange: true\n",
                ),
                ("p.yaml", "kind: Deployment\nmetadata: {name: web}\n"),
            ],
            "option/kustomization.yaml:5:29: patch option `allowNamespaceChange` is not supported",
        ),
        (
            "retain-keys",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatchesStrategicMerge:\n  - |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      $retainKeys: [template]\n",
            )],
            "retain-keys/kustomization.yaml:8:20: `$retainKeys`: this strategic merge directive is not supported",
        ),
        (
            "nameless-patch",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatches:\n  - target: {kind: Deployment}\n    patch: |\n      spec:\n        replicas: 2\n",
            )],
            "nameless-patch/kustomization.yaml:5:7: a strategic-merge patch needs `kind` and `metadata.name`",
        ),
        (
            "empty-patch",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatches:\n  - patch: \"# nothing yet\"\n",
            )],
            "empty-patch/kustomization.yaml:3:12: the patch is empty",
        ),
        (
            "port-protocol-on-one-side",
            &[
                (
                    "kustomization.yaml",
                    "resources: [app.yaml]\npatches:\n  - path: ports.yaml\n",
                ),
                (
                    "ports.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        ports:\n        - {containerPort: 80, protocol: TCP}\n",
                ),
                (
                    "app.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        ports:\n        - containerPort: 80\n",
                ),
            ],
            "port-protocol-on-one-side/ports.yaml:10:11: this element is matched by `containerPort` and `protocol` but sets only some of them",
        ),
        (
            "replace-marker-in-crd-list",
            &[
                (
                    "kustomization.yaml",
                    "resources: [app.yaml, dr.yaml]\npatches:\n  - path: subsets.yaml\n",
                ),
                (
                    "dr.yaml",
                    "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: web}\nspec:\n  subsets: [{name: v1}]\n",
                ),
                (
                    "subsets.yaml",
                    "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: web}\nspec:\n  subsets:\n  - $patch: replace\n  - name: v2\n",
                ),
            ],
            "replace-marker-in-crd-list/subsets.yaml:6:5: `$patch: replace` in `spec.subsets`",
        ),
        (
            "patch-outside/inner",
            &[
                (
                    "kustomization.yaml",
                    "resources: [app.yaml]\npatches:\n  - path: ../shared.yaml\n",
                ),
                (
                    "../shared.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
                ),
            ],
            "patch-outside/inner/kustomization.yaml:3:11: patch file ../shared.yaml is not in or below",
        ),
        (
            "legacy-json-file",
            &[(
                "kustomization.yaml",
                "resources: [app.yaml]\npatchesJson6902:\n  - target: {group: apps, version: v1, kind: Deployment, name: web}\n    path: missing.yaml\n",
            )],
            "legacy-json-file/kustomization.yaml:4:11: patch file missing.yaml: no such file",
        ),
    ];
    for (name, files, expected) in cases {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        write(&dir, &[("app.yaml", DEPLOYMENT)]);
        write(&dir, files);
        let stderr = build_fails(&dir);
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in:\n{stderr}"
        );
    }
}
