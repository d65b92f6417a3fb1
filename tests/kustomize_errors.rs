//! `meshwright build` on broken or unsupported kustomizations: exit 2 and an error naming
//! the file and line to fix, never a panic and never silently ignored input.

mod common;

use std::path::Path;

use common::{meshwright, write_files};

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
            "helm/kustomization.yaml:2:1: `helmCharts`: Helm chart inflation is not supported",
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
            "missing-patch",
            &[(
                "kustomization.yaml",
                "resources: []\npatchesJson6902:\n- path: p.yaml\n",
            )],
            "missing-patch/kustomization.yaml:3:9: patch file p.yaml: no such file",
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
    assert_cases(&cases);
}

#[test]
fn plugins_other_than_builtins_are_refused_at_their_line() {
    let cases: [Case; 3] = [
        (
            "exec",
            &[
                ("kustomization.yaml", "transformers: [renderer.yaml]\n"),
                (
                    "renderer.yaml",
                    "apiVersion: team.example.com/v1\nkind: ChartRenderer\nmetadata: {name: r}\n",
                ),
            ],
            "exec/renderer.yaml:2:7: `ChartRenderer` (team.example.com/v1) is an exec, Go or KRM function plugin",
        ),
        (
            "unknown-builtin",
            &[(
                "kustomization.yaml",
                "transformers:\n- |-\n  apiVersion: builtin\n  kind: SortOrderTransformer\n  metadata: {name: s}\n",
            )],
            "unknown-builtin/kustomization.yaml:4:9: `SortOrderTransformer` is not one of kustomize's builtin plugins",
        ),
        (
            "wrong-role",
            &[(
                "kustomization.yaml",
                "generators:\n- |-\n  apiVersion: builtin\n  kind: PrefixTransformer\n  metadata: {name: p}\n",
            )],
            "wrong-role/kustomization.yaml:4:9: builtin `PrefixTransformer` is not a generator",
        ),
    ];
    assert_cases(&cases);
}

#[test]
fn cycles_between_kustomizations_are_reported() {
    let temp = tempfile::tempdir().unwrap();
    write_files(
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
    let cases: [Case; 14] = [
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
                    "resources: [app.yaml]\npatches:\n  - path: ../outside.yaml\n",
                ),
                (
                    "../outside.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
                ),
            ],
            "patch-outside/inner/kustomization.yaml:3:11: patch file ../outside.yaml: file is not in or below",
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
    assert_cases_with(&cases, &[("app.yaml", DEPLOYMENT)]);
}

/// Each case: a kustomization directory's files and text the error must contain.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

fn assert_cases(cases: &[Case]) {
    assert_cases_with(cases, &[]);
}

/// Like `assert_cases`, with `common` files written into every case's directory first.
fn assert_cases_with(cases: &[Case], common: &[(&str, &str)]) {
    let temp = tempfile::tempdir().unwrap();
    for (name, files, expected) in cases {
        let dir = temp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        write_files(&dir, common);
        write_files(&dir, files);
        let stderr = build_fails(&dir);
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn generator_errors_name_the_file_and_line() {
    assert_cases(&[
        (
            "nameless",
            &[(
                "kustomization.yaml",
                "configMapGenerator:\n- literals: [a=1]\n",
            )],
            "nameless/kustomization.yaml:2:3: configMapGenerator: an entry needs `name`",
        ),
        (
            "literal",
            &[(
                "kustomization.yaml",
                "configMapGenerator:\n- name: c\n  literals:\n  - a=1\n  - novalue\n",
            )],
            "literal/kustomization.yaml:5:5: configMapGenerator: a literal must be KEY=VALUE",
        ),
        (
            "missing-file",
            &[(
                "kustomization.yaml",
                "configMapGenerator:\n- name: c\n  files: [gone.txt]\n",
            )],
            "missing-file/kustomization.yaml:3:11: configMapGenerator: gone.txt: no such file",
        ),
        (
            "escape/inner",
            &[
                (
                    "kustomization.yaml",
                    "secretGenerator:\n- name: s\n  files: [../key.pem]\n",
                ),
                ("../key.pem", "secret"),
            ],
            "escape/inner/kustomization.yaml:3:11: secretGenerator: ../key.pem: file is not in or below",
        ),
        (
            "merge-nothing",
            &[(
                "kustomization.yaml",
                "configMapGenerator:\n- name: c\n  behavior: merge\n  literals: [a=1]\n",
            )],
            "merge-nothing/kustomization.yaml:3:13: configMapGenerator: `behavior: merge` needs a ConfigMap named `c`",
        ),
        (
            "env-file",
            &[
                (
                    "kustomization.yaml",
                    "configMapGenerator:\n- name: c\n  envs: [app.env]\n",
                ),
                ("app.env", "# settings\nA=1\nBAD KEY=2\n"),
            ],
            "env-file/app.env:3:1: configMapGenerator: env file: `BAD KEY` is not a valid variable name",
        ),
        (
            "misspelt",
            &[(
                "kustomization.yaml",
                "configMapGenerator:\n- name: c\n  literal: [a=1]\n",
            )],
            "misspelt/kustomization.yaml:3:12: configMapGenerator: unknown field `literal`",
        ),
        (
            "twice",
            &[(
                "kustomization.yaml",
                "configMapGenerator:\n- name: c\n  literals: [a=1, a=2]\n",
            )],
            "twice/kustomization.yaml:3:19: configMapGenerator: key `a` is given twice",
        ),
    ]);
}

#[test]
fn secret_values_never_appear_in_errors() {
    let temp = tempfile::tempdir().unwrap();
    write_files(
        temp.path(),
        &[
            (
                "literal/kustomization.yaml",
                "secretGenerator:\n- name: s\n  literals: ['bad key=hunter2-literal']\n",
            ),
            (
                "env/kustomization.yaml",
                "secretGenerator:\n- name: s\n  envs: [s.env]\n",
            ),
            ("env/s.env", "A=1\nhunter2 env token\n"),
        ],
    );
    for (case, secret) in [("literal", "hunter2-literal"), ("env", "hunter2")] {
        let stderr = build_fails(&temp.path().join(case));
        assert!(stderr.contains("is not a valid"), "{stderr}");
        assert!(!stderr.contains(secret), "{case}: secret printed: {stderr}");
    }
}

#[test]
fn replacement_errors_name_the_file_and_line() {
    let objects = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n";
    let kustomization =
        |replacements: &str| format!("resources: [o.yaml]\nreplacements:\n{replacements}");
    let missing_source = kustomization("- source: {kind: Secret, name: a}\n  targets: []\n");
    let several = kustomization("- source:\n    kind: ConfigMap\n  targets: []\n");
    let no_field =
        kustomization("- source:\n    name: a\n    fieldPath: data.gone\n  targets: []\n");
    let no_target_field = kustomization(
        "- source: {name: a, fieldPath: data.k}\n  targets:\n  - select: {name: b}\n    fieldPaths:\n    - data.k\n",
    );
    let bad_syntax = kustomization(
        "- source: {name: a, fieldPath: data.k}\n  targets:\n  - select: {name: b}\n    fieldPaths: ['data.[k']\n",
    );
    let mismatch = kustomization(
        "- source: {name: a, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.replicas]\n",
    );
    let deployment = format!(
        "{objects}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec: {{replicas: 1}}\n"
    );
    let misspelt = kustomization(
        "- source: {name: a, fieldpath: data.k}\n  targets:\n  - select: {name: b}\n",
    );
    let cases: [Case; 8] = [
        (
            "misspelt",
            &[("kustomization.yaml", &misspelt), ("o.yaml", objects)],
            "misspelt/kustomization.yaml:3:32: replacements: selector: unknown field `fieldpath`",
        ),
        (
            "mismatch",
            &[("kustomization.yaml", &mismatch), ("o.yaml", &deployment)],
            "mismatch/kustomization.yaml:6:18: replacements: the target field is an integer; the value does not read as an integer",
        ),
        (
            "missing-source",
            &[("kustomization.yaml", &missing_source), ("o.yaml", objects)],
            "missing-source/kustomization.yaml:3:11: replacements: the source selects no object",
        ),
        (
            "several",
            &[("kustomization.yaml", &several), ("o.yaml", objects)],
            "several/kustomization.yaml:3:3: replacements: the source selects 2 objects: ConfigMap/a, ConfigMap/b",
        ),
        (
            "no-field",
            &[("kustomization.yaml", &no_field), ("o.yaml", objects)],
            "no-field/kustomization.yaml:5:16: replacements: field path `data.gone` is missing in the source ConfigMap/a",
        ),
        (
            "no-target-field",
            &[
                ("kustomization.yaml", &no_target_field),
                ("o.yaml", objects),
            ],
            "no-target-field/kustomization.yaml:7:7: replacements: field path `data.k` is missing in the target ConfigMap/b (set `options.create: true` to add it)",
        ),
        (
            "bad-syntax",
            &[("kustomization.yaml", &bad_syntax), ("o.yaml", objects)],
            "bad-syntax/kustomization.yaml:6:18: replacements: field path `data.[k`: `[k` has no closing `]`",
        ),
        (
            "in-file",
            &[
                (
                    "kustomization.yaml",
                    "resources: [o.yaml]\nreplacements:\n- path: r.yaml\n",
                ),
                (
                    "r.yaml",
                    "- source: {name: a}\n  targets:\n  - select: {kind: Gone}\n  - fieldPaths: [x]\n",
                ),
                ("o.yaml", objects),
            ],
            "in-file/r.yaml:4:5: replacements: a target needs `select`",
        ),
    ];
    assert_cases(&cases);
}

#[test]
fn what_kustomize_refuses_about_layout_and_replicas_is_refused() {
    assert_cases(&[
        (
            "two-files",
            &[
                ("kustomization.yaml", "resources: []\n"),
                ("kustomization.yml", "resources: []\n"),
            ],
            "found multiple kustomization files (kustomization.yaml, kustomization.yml)",
        ),
        (
            "kustomization-as-component",
            &[
                ("kustomization.yaml", "components:\n- c\n"),
                ("c/kustomization.yaml", "resources: []\n"),
            ],
            "kustomization-as-component/kustomization.yaml:2:3: c: expected kind 'Component' but got 'Kustomization'",
        ),
        (
            "component-as-resource",
            &[
                ("kustomization.yaml", "resources:\n- c\n"),
                (
                    "c/kustomization.yaml",
                    "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
                ),
            ],
            "component-as-resource/kustomization.yaml:2:3: c: expected kind != 'Component'",
        ),
        (
            "replicas-name-nothing",
            &[
                (
                    "kustomization.yaml",
                    "resources: [d.yaml]\nreplicas:\n- name: wbe\n  count: 2\n",
                ),
                (
                    "d.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
                ),
            ],
            "replicas-name-nothing/kustomization.yaml:3:3: replicas: no object named wbe has a field replicas are set in",
        ),
    ]);
}
