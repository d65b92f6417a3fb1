//! Hostile and careless input to the kustomize renderer (issue 11): files outside the
//! repository are never read, and trees built to exhaust the stack or memory are refused
//! with the file and line, never a crash. Each case failed on the code before its fix.

mod common;

use std::path::Path;
use std::process::Command;

use common::{meshwright, validate_json, write_files};

/// `meshwright build DIR`: exit code, stdout, stderr.
fn build(dir: &Path) -> (Option<i32>, String, String) {
    let output = meshwright().arg("build").arg(dir).output().expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_kustomization_file_linked_from_outside_the_repository_is_never_read() {
    let temp = tempfile::tempdir().unwrap();
    let outside = temp.path().join("outside.yaml");
    std::fs::write(&outside, "resources: [TOP-SECRET-CONTENT.yaml]\n").unwrap();
    let repo = temp.path().join("repo");
    write_files(
        &repo,
        &[
            ("overlay/kustomization.yaml", "resources: [../base]\n"),
            (
                "base/cm.yaml",
                "kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n",
            ),
        ],
    );
    std::os::unix::fs::symlink(&outside, repo.join("base/kustomization.yaml")).unwrap();

    let kubectl = Command::new("kubectl")
        .args(["kustomize"])
        .arg(repo.join("overlay"))
        .output()
        .expect("kubectl runs");
    assert!(!kubectl.status.success(), "kubectl refuses this tree too");

    let (code, stdout, stderr) = build(&repo.join("overlay"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("load restrictions"), "{stderr}");
    assert!(!stderr.contains("TOP-SECRET-CONTENT"), "{stderr}");

    for format in ["json", "github", "markdown", "sarif", "human"] {
        let output = meshwright()
            .args(["validate", "--output", format])
            .arg(&repo)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(1), "{format}: {all}");
        assert!(!all.contains("TOP-SECRET-CONTENT"), "{format}: {all}");
    }
}

#[test]
fn the_same_base_twice_is_refused_like_kustomize_instead_of_growing_exponentially() {
    let temp = tempfile::tempdir().unwrap();
    let mut files = vec![(
        "l0/kustomization.yaml".to_string(),
        "resources: [cm.yaml]\n".to_string(),
    )];
    files.push((
        "l0/cm.yaml".to_string(),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n".to_string(),
    ));
    for level in 1..=24 {
        files.push((
            format!("l{level}/kustomization.yaml"),
            format!("resources:\n- ../l{0}\n- ../l{0}\n", level - 1),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_files(temp.path(), &files);

    let kubectl = Command::new("kubectl")
        .args(["kustomize"])
        .arg(temp.path().join("l1"))
        .output()
        .unwrap();
    let kubectl_error = String::from_utf8_lossy(&kubectl.stderr);
    assert!(
        kubectl_error.contains("already registered id"),
        "{kubectl_error}"
    );

    let (code, _, stderr) = build(&temp.path().join("l24"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("l1/kustomization.yaml:3:3: ../l0: may not add resource with an already registered id: v1 ConfigMap [noNs]/a"), "{stderr}");

    let (code, report) = validate_json(temp.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
}

#[test]
fn a_deep_chain_of_bases_is_a_finding_not_a_stack_overflow() {
    let temp = tempfile::tempdir().unwrap();
    let depth = 3_000;
    write_files(
        temp.path(),
        &[
            ("b0/kustomization.yaml", "resources: [cm.yaml]\n"),
            (
                "b0/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            ),
        ],
    );
    for level in 1..=depth {
        write_files(
            temp.path(),
            &[(
                &format!("b{level}/kustomization.yaml"),
                &format!("resources: [../b{}]\n", level - 1),
            )],
        );
    }
    let (code, _, stderr) = build(&temp.path().join(format!("b{depth}")));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("kustomization.yaml:1:13: kustomizations nest more than 100 levels"),
        "{stderr}"
    );

    let (code, report) = validate_json(temp.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let messages = report["findings"].to_string();
    assert!(messages.contains("nest more than 100 levels"), "{messages}");
}

#[test]
fn a_chain_within_the_depth_limit_renders_as_kubectl_does() {
    let temp = tempfile::tempdir().unwrap();
    write_files(
        temp.path(),
        &[
            ("b0/kustomization.yaml", "resources: [cm.yaml]\n"),
            (
                "b0/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            ),
        ],
    );
    for level in 1..=60 {
        write_files(
            temp.path(),
            &[(
                &format!("b{level}/kustomization.yaml"),
                &format!("resources: [../b{}]\nnamePrefix: p{level}-\n", level - 1),
            )],
        );
    }
    let root = temp.path().join("b60");
    let kubectl = Command::new("kubectl")
        .arg("kustomize")
        .arg(&root)
        .output()
        .unwrap();
    assert!(kubectl.status.success());
    let (code, stdout, stderr) = build(&root);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, String::from_utf8_lossy(&kubectl.stdout));
}

#[test]
fn kustomizations_in_a_cycle_are_an_error_finding_not_an_ok() {
    let temp = tempfile::tempdir().unwrap();
    write_files(
        temp.path(),
        &[
            ("x/kustomization.yaml", "resources: [../y, bad.yaml]\n"),
            (
                "x/bad.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: 7\n",
            ),
            ("y/kustomization.yaml", "resources: [../x]\n"),
            ("self/kustomization.yaml", "resources: [., cm.yaml]\n"),
            (
                "self/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
            ),
        ],
    );
    let (code, report) = validate_json(temp.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let cycles: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("cycle between kustomizations")
        })
        .collect();
    assert_eq!(cycles.len(), 2, "one finding per cycle: {report:#}");
    assert!(
        cycles.iter().all(|f| f["severity"] == "error"),
        "{report:#}"
    );
}

#[test]
fn a_revision_never_reads_beside_its_temporary_snapshot() {
    let temp = tempfile::tempdir().unwrap();
    let tmpdir = temp.path().join("tmp");
    let planted = |dir: &Path, value: &str| {
        write_files(
            dir,
            &[
                ("kustomization.yaml", "resources: [cm.yaml]\n"),
                (
                    "cm.yaml",
                    &format!(
                        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: shared}}\ndata: {{v: {value}}}\n"
                    ),
                ),
            ],
        )
    };
    // What a local user could plant where the snapshot's `../../outside` would lead, and the
    // real directory beside the checkout.
    planted(&tmpdir.join("outside"), "PLANTED-IN-TMP");
    planted(&temp.path().join("outside"), "BESIDE-THE-REPOSITORY");
    let git = common::git::Git::init(&temp.path().join("repo"));
    git.write("overlay/kustomization.yaml", "resources: [cm.yaml]\n");
    git.write(
        "overlay/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\ndata: {v: one}\n",
    );
    git.commit("base");
    git.write(
        "overlay/kustomization.yaml",
        "resources: [cm.yaml, ../../outside]\n",
    );
    git.commit("head");

    let output = meshwright()
        .args([
            "diff", "--base", "HEAD~1", "--head", "HEAD", "--output", "json",
        ])
        .current_dir(git.path())
        .env("TMPDIR", &tmpdir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stdout.contains("PLANTED") && !stderr.contains("PLANTED"),
        "{stdout}{stderr}"
    );
    assert!(
        !stdout.contains("BESIDE") && !stderr.contains("BESIDE"),
        "{stdout}{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["problems"]["head"], 1,
        "the head root failed to render: {report:#}"
    );

    // The working tree gives the same error in validate.
    let (code, report) = validate_json(git.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        report["findings"]
            .to_string()
            .contains("../../outside: directory is outside the Git repository"),
        "{report:#}"
    );
}

#[test]
fn json_patch_copies_that_double_an_object_hit_the_budget_at_the_operation() {
    let temp = tempfile::tempdir().unwrap();
    let mut patch = String::from("- {op: add, path: /data/a, value: {x: '0123456789abcdef'}}\n");
    for step in 0..40 {
        patch.push_str(&format!(
            "- {{op: copy, from: /data/a, path: /data/a/c{step}}}\n"
        ));
    }
    let mut kustomization =
        String::from("resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |-\n");
    for line in patch.lines() {
        kustomization.push_str(&format!("    {line}\n"));
    }
    write_files(
        temp.path(),
        &[
            ("kustomization.yaml", &kustomization),
            (
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {}\n",
            ),
        ],
    );
    let (code, _, stderr) = build(temp.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("JSON patch `copy`: the object grows past meshwright's budget of 64 MiB"),
        "{stderr}"
    );
    // The operation that breached it: the 21st copy (line 26) makes 2^21 copies of the value
    // and its keys, past 64 MiB.
    assert!(stderr.contains("kustomization.yaml:26:7:"), "{stderr}");
}

#[test]
fn a_replacement_creating_an_8000_segment_path_is_an_error_not_a_stack_overflow() {
    let temp = tempfile::tempdir().unwrap();
    let path = vec!["a"; 8000].join(".");
    write_files(
        temp.path(),
        &[
            (
                "kustomization.yaml",
                &format!(
                    "resources: [cm.yaml]\nreplacements:\n- source: {{kind: ConfigMap, fieldPath: metadata.name}}\n  targets:\n  - select: {{kind: ConfigMap}}\n    fieldPaths: [{path}]\n    options: {{create: true}}\n"
                ),
            ),
            (
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            ),
        ],
    );
    let (code, _, stderr) = build(temp.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("kustomization.yaml:6:") && stderr.contains("at most 64 segments"),
        "{stderr}"
    );
}

#[test]
fn a_fifo_named_on_the_command_line_is_a_finding_not_a_hang() {
    let temp = tempfile::tempdir().unwrap();
    let fifo = temp.path().join("pipe.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("meshwright"))
        .args(["validate", "--output", "json"])
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("validate blocked on the FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("not a regular file"), "{report}");
}

/// A one-cluster mesh.yaml with `tenants` tenants of 20 services, each called by one other.
fn many_tenants(tenants: usize) -> String {
    let mut text = String::from(
        "apiVersion: meshwright.dev/v1alpha1\nkind: Mesh\nmetadata:\n  name: many\nspec:\n  gitops:\n    engine: flux\n    repoURL: https://git.example.com/many.git\n  clusters:\n    - name: central\n      role: central\n  tenants:\n",
    );
    for tenant in 0..tenants {
        text.push_str(&format!("    - name: tenant-{tenant}\n"));
    }
    text.push_str("  services:\n");
    for tenant in 0..tenants {
        for service in 0..20 {
            text.push_str(&format!(
                "    - name: t{tenant}-s{service}\n      tenant: tenant-{tenant}\n      image: example/s:1\n      ports:\n        - port: 8080\n      callers:\n        - service: t{tenant}-s{}\n",
                (service + 1) % 20
            ));
        }
    }
    text
}

#[test]
fn policy_memory_grows_with_workloads_not_with_the_edges_between_them() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("mesh.yaml"), many_tenants(60)).unwrap();
    let generated = meshwright()
        .arg("generate")
        .arg(temp.path())
        .output()
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    // 1,200 workloads: 1.4 million caller -> callee edges. Holding a printable row per edge
    // took 1 GB here; the rows are now made while printing, from the compact matrix.
    let binary = assert_cmd::cargo::cargo_bin("meshwright");
    let output = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1000000; exec \"$0\" policy --output mermaid \"$1\"")
        .arg(&binary)
        .arg(temp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let graph = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        graph.matches(" -->|").count(),
        1_200,
        "one allowed edge per service"
    );
}
