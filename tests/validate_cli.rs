//! `meshwright validate` end to end: discovery of roots and loose files, findings that name
//! file:line, every output format, changed-file mode, exit codes and `explain`.

mod common;

use std::path::Path;

use common::{EXAMPLES, init_example, locate, meshwright, validate_json};
use serde_json::Value;

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
}

fn finding<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

#[test]
fn example_repositories_validate_without_errors_or_warnings() {
    for example in EXAMPLES {
        let (_temp, repo) = init_example(example);
        let (code, report) = validate_json(&repo, &[]);
        assert_eq!(code, 0, "{example}: {report:#}");
        assert_eq!(report["summary"]["errors"], 0, "{example}: {report:#}");
        assert_eq!(report["summary"]["warnings"], 0, "{example}: {report:#}");
        assert!(
            report["summary"]["objects"].as_u64().unwrap() > 20,
            "{example}: {report:#}"
        );
        // Only the istiod Helm values are noted as not being manifests.
        for note in report["findings"].as_array().unwrap() {
            assert_eq!(note["code"], "MW105", "{example}: {note:#}");
            assert!(
                note["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("istio/values.yaml")
            );
        }
    }
}

#[test]
fn a_declared_mtls_migration_is_a_visible_exception_and_forgetting_it_is_an_error() {
    let (_temp, repo) = init_example("saas");
    let intent = repo.join("mesh.yaml");
    let text = std::fs::read_to_string(&intent).unwrap();
    let migrating = text.replacen(
        "    mode: STRICT\n",
        "    mode: PERMISSIVE\n    migration: vm-cutover\n",
        1,
    );
    assert_ne!(text, migrating);
    std::fs::write(&intent, migrating).unwrap();
    let generate = meshwright()
        .current_dir(&repo)
        .args(["generate", "--force"])
        .output()
        .unwrap();
    assert!(generate.status.success(), "{generate:?}");
    let (code, report) = validate_json(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["warnings"], 0, "{report:#}");
    assert_eq!(report["summary"]["suppressed"], 2, "{report:#}");
    // The annotation is what hides the PERMISSIVE mesh-wide policy.
    let policy = repo.join("clusters/prod/mesh-mtls.yaml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replace("meshwright.dev/ignore: MW201", "note: none"),
    )
    .unwrap();
    let (code, report) = validate_json(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    let mw201 = finding(&report, "MW201");
    assert_eq!(mw201["file"], "clusters/prod/mesh-mtls.yaml", "{report:#}");
    assert_eq!(mw201["severity"], "error", "{report:#}");
}

#[test]
fn broken_files_are_findings_with_lines_and_the_rest_is_still_checked() {
    let (_temp, repo) = init_example("edge");
    let workloads = repo.join("tenants/retail/base/workloads.yaml");
    let text = std::fs::read_to_string(&workloads).unwrap();
    let broken = text.replacen("  name: ", "  name: [unclosed\n  name: ", 1);
    std::fs::write(&workloads, &broken).unwrap();
    std::fs::write(
        repo.join("extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\nkind: Service\nmetadata:\n  name: web\n",
    )
    .unwrap();
    std::fs::create_dir_all(repo.join("chart/templates")).unwrap();
    std::fs::write(
        repo.join("chart/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();

    let (code, report) = validate_json(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    let build = finding(&report, "MW108");
    assert_eq!(build["file"], "tenants/retail/base/workloads.yaml");
    let (line, _) = locate(&broken, "[unclosed");
    assert!(
        build["line"].as_u64().unwrap().abs_diff(line as u64) <= 1,
        "{build:#}"
    );
    let missing = finding(&report, "MW120");
    assert_eq!(
        (missing["file"].as_str(), missing["line"].as_u64()),
        (Some("extra.yaml"), Some(6))
    );
    assert_eq!(missing["object"]["kind"], "Service");
    let helm = finding(&report, "MW106");
    assert_eq!(
        (helm["file"].as_str(), helm["line"].as_u64()),
        (Some("chart/templates/cm.yaml"), Some(4))
    );
    // The clusters and the ledger tenant still rendered.
    assert!(report["summary"]["objects"].as_u64().unwrap() > 40);
    assert_eq!(report["summary"]["errors"], 4, "{report:#}"); // 3 retail roots + MW120
}

#[test]
fn changed_files_validate_only_the_roots_that_read_them() {
    let (_temp, repo) = init_example("edge");
    // A changed file's roots are searched in its Git repository.
    common::git::Git::init(&repo).commit("example");
    let count = |args: &[&str]| {
        validate_json(&repo, args).1["summary"]["objects"]
            .as_u64()
            .unwrap()
    };
    let documents = |root: &str| -> u64 {
        let output = meshwright()
            .arg("build")
            .arg(repo.join(root))
            .output()
            .unwrap();
        String::from_utf8(output.stdout)
            .unwrap()
            .matches("\napiVersion:")
            .count() as u64
            + 1
    };
    let retail: u64 = ["central", "edge-eu", "edge-us"]
        .iter()
        .map(|c| documents(&format!("tenants/retail/overlays/{c}")))
        .sum();
    assert_eq!(count(&["tenants/retail/base/workloads.yaml"]), retail);
    assert_eq!(
        count(&["tenants/retail/overlays/edge-eu/kustomization.yaml"]),
        documents("tenants/retail/overlays/edge-eu")
    );
    assert_eq!(count(&["README.md"]), 0);
    assert!(count(&[]) > retail);
}

#[test]
fn unreadable_paths_and_unknown_codes_are_usage_errors() {
    let temp = tempfile::tempdir().unwrap();
    meshwright()
        .current_dir(temp.path())
        .args(["validate", "does-not-exist"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does-not-exist"));
    meshwright()
        .current_dir(temp.path())
        .args(["validate", "--ignore", "MW999"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("MW999"));
}

#[test]
fn suppressed_findings_are_counted_not_shown() {
    let (_temp, repo) = init_example("batch");
    std::fs::remove_file(repo.join(".meshwright.yaml")).unwrap();
    let (_, report) = validate_json(&repo, &[]);
    assert!(codes(&report).iter().all(|c| c == "MW105") && !codes(&report).is_empty());
    let (code, report) = validate_json(&repo, &["--ignore", "mw105"]);
    assert_eq!(code, 0);
    assert!(codes(&report).is_empty(), "{report:#}");
    assert!(report["summary"]["suppressed"].as_u64().unwrap() >= 1);
}

fn broken_repo() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("svc.yaml"),
        "kind: Service\nmetadata:\n  name: \"web, api\"\n",
    )
    .unwrap();
    std::fs::write(temp.path().join("values.yaml"), "replicas: 3\n").unwrap();
    temp
}

fn validate_as(dir: &Path, format: &str) -> (i32, String) {
    let output = meshwright()
        .current_dir(dir)
        .args(["validate", "--output", format])
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn every_format_reports_the_same_findings_with_the_same_exit_code() {
    let temp = broken_repo();
    for format in ["human", "json", "sarif", "junit", "github", "markdown"] {
        let (code, text) = validate_as(temp.path(), format);
        assert_eq!(code, 1, "{format}: {text}");
        assert!(
            text.contains("MW120") && text.contains("MW105"),
            "{format}: {text}"
        );
    }
}

#[test]
fn human_output_shows_the_line_and_underlines_the_value() {
    let temp = broken_repo();
    let (_, text) = validate_as(temp.path(), "human");
    assert!(
        text.contains("error[MW120]: `apiVersion` is missing"),
        "{text}"
    );
    assert!(text.contains("--> svc.yaml:1:1"), "{text}");
    assert!(text.contains("1 | kind: Service"), "{text}");
    assert!(text.contains("= object: Service web"), "{text}");
    assert!(
        text.contains("failed: 2 files, 0 objects: 1 error, 0 warnings, 1 note"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "NO_COLOR is set: {text}");
}

#[test]
fn github_output_is_escaped_workflow_commands() {
    let temp = broken_repo();
    let (_, text) = validate_as(temp.path(), "github");
    let error = text
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect("an error line");
    assert!(
        error.starts_with("::error file=svc.yaml,line=1,col=1,title=MW120 missing-type-meta::`apiVersion` is missing (Service web, api)%0Ahelp: "),
        "{error}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("::notice file=values.yaml,line=1,col=1,"))
    );
}

#[test]
fn markdown_output_is_a_comment_section_with_errors_first() {
    let temp = broken_repo();
    let (_, text) = validate_as(temp.path(), "markdown");
    assert!(
        text.starts_with("### meshwright validate: ❌ 1 error(s), 0 warning(s)\n\n2 file(s), 0 object(s) checked; 1 note(s).\n"),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 3, "{text}");
    // The error first, its comma and the message's backticks kept inside the table.
    assert_eq!(
        rows[1],
        "| ❌ | MW120 | `svc.yaml:1:1` | `apiVersion` is missing |"
    );
    assert!(
        rows[2].starts_with("| ℹ️ | MW105 | `values.yaml:1:1` | "),
        "{text}"
    );
}

#[test]
fn junit_output_counts_failures() {
    let temp = broken_repo();
    let (_, text) = validate_as(temp.path(), "junit");
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"meshwright validate\" tests=\"3\" failures=\"1\""), "{text}");
    assert_eq!(text.matches("<testcase ").count(), 3);
    assert_eq!(text.matches("<failure ").count(), 1);
    assert!(text.contains("name=\"MW120 svc.yaml:1:1\""), "{text}");
}

#[test]
fn explain_prints_a_codes_documentation() {
    meshwright()
        .args(["explain", "mw108"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "# MW108 kustomize-build-failed (error)",
        ))
        .stdout(predicates::str::contains("## Use instead"));
    meshwright()
        .arg("explain")
        .assert()
        .success()
        .stdout(predicates::str::contains("MW100  invalid-yaml"));
    meshwright().args(["explain", "MW0"]).assert().code(2);
}

#[test]
fn config_file_and_annotations_suppress_by_path_and_object() {
    let temp = broken_repo();
    std::fs::write(
        temp.path().join("other.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {}\n",
    )
    .unwrap();
    std::fs::write(
        temp.path().join(".meshwright.yaml"),
        "ignore:\n  - code: mw120\n    paths: [\"svc.yaml\"]\n  - MW105\n",
    )
    .unwrap();
    let (code, report) = validate_json(temp.path(), &[]);
    assert_eq!(
        code, 1,
        "other.yaml is not covered by the path rule: {report:#}"
    );
    assert_eq!(codes(&report), ["MW120"]);
    assert_eq!(report["findings"][0]["file"], "other.yaml");
    assert_eq!(report["summary"]["suppressed"], 2);

    std::fs::write(
        temp.path().join("other.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    meshwright.dev/ignore: \"mw102\"\ndatta: {}\n",
    )
    .unwrap();
    let (code, report) = validate_json(temp.path(), &[]);
    assert_eq!(
        code, 0,
        "the unknown field is ignored on this object: {report:#}"
    );
    assert_eq!(report["summary"]["suppressed"], 3);
}

#[test]
fn the_config_is_found_above_the_validated_path_up_to_the_git_root() {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    let deploy = repo.join("deploy");
    std::fs::create_dir_all(deploy.join("istio")).unwrap();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(deploy.join("istio/values.yaml"), "replicas: 3\n").unwrap();
    // Beyond the Git root: never read.
    std::fs::write(temp.path().join(".meshwright.yaml"), "ignore: [MW105]\n").unwrap();
    let (_, report) = validate_json(&repo, &["deploy"]);
    assert_eq!(codes(&report), ["MW105"], "{report:#}");
    // The repository's config, its globs relative to its own directory.
    std::fs::write(
        deploy.join(".meshwright.yaml"),
        "ignore:\n  - code: MW105\n    paths: [\"istio/*.yaml\"]\n",
    )
    .unwrap();
    for (dir, path) in [
        (&repo, "deploy"),
        (&repo, "deploy/istio/values.yaml"),
        (&deploy, "."),
    ] {
        let (code, report) = validate_json(dir, &[path]);
        assert_eq!(code, 0);
        assert_eq!(report["summary"]["suppressed"], 1, "{path}: {report:#}");
        assert!(codes(&report).is_empty(), "{path}: {report:#}");
    }
}

#[test]
fn a_broken_config_file_is_a_usage_error_naming_its_line() {
    let temp = broken_repo();
    std::fs::write(
        temp.path().join(".meshwright.yaml"),
        "ignore:\n  - code: MW105\n    path: [\"a\"]\n",
    )
    .unwrap();
    meshwright()
        .current_dir(temp.path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(".meshwright.yaml:3:"))
        .stderr(predicates::str::contains("unknown field `path`"));
}

#[test]
fn hostile_files_are_findings_and_never_stop_the_run() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    std::fs::write(
        dir.join("binary.yaml"),
        [0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff],
    )
    .unwrap();
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (i, previous) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
        let name = ["b", "c", "d", "e", "f", "g", "h", "i"][i];
        bomb.push_str(&format!(
            "{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
        ));
    }
    std::fs::write(dir.join("bomb.yaml"), bomb).unwrap();
    std::fs::write(
        dir.join("deep.yaml"),
        format!("{}1{}\n", "[".repeat(5000), "]".repeat(5000)),
    )
    .unwrap();
    let huge = std::fs::File::create(dir.join("huge.yaml")).unwrap();
    huge.set_len(17 * 1024 * 1024).unwrap();
    std::fs::write(
        dir.join("good.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
    )
    .unwrap();

    let (code, report) = validate_json(dir, &[]);
    assert_eq!(code, 1, "{report:#}");
    let by_file = |file: &str| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["file"] == file)
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect()
    };
    for file in ["binary.yaml", "bomb.yaml", "deep.yaml", "huge.yaml"] {
        let found = by_file(file);
        assert!(
            found.len() == 1 && found[0].starts_with("MW100"),
            "{file}: {found:?}"
        );
    }
    assert!(by_file("huge.yaml")[0].contains("bytes"));
    assert_eq!(
        report["summary"]["objects"], 1,
        "good.yaml is still checked"
    );
}

#[test]
fn a_duration_beyond_go_range_is_a_finding_not_a_wrapped_value() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("cert.yaml"),
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\n  namespace: web\n\
         spec:\n  secretName: web-tls\n  duration: 99999999999999999999999999999999999999999h1ns2160h\n\
         \x20 issuerRef:\n    name: ca\n    kind: ClusterIssuer\n  dnsNames: [web]\n",
    )
    .unwrap();
    let (code, report) = validate_json(temp.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let duration = finding(&report, "MW112");
    assert_eq!(
        (duration["file"].as_str(), duration["line"].as_u64()),
        (Some("cert.yaml"), Some(8)),
        "{duration:#}"
    );
    let message = duration["message"].as_str().unwrap();
    assert!(message.contains("out of range"), "{message}");
}

/// `kustomize build` output and Helm bundles are one big file: 10,000 documents validate
/// like 500 files of 20, and a mistake in the last one is found at its line.
#[test]
fn a_file_of_ten_thousand_documents_validates_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n  namespace: n\ndata:\n  k: v\n"
        ));
    }
    text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\n  namespace: n\ndata: [oops]\n");
    std::fs::write(dir.path().join("all.yaml"), &text).unwrap();
    let (code, report) = validate_json(dir.path(), &["all.yaml"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["summary"]["objects"], 10_001, "{report:#}");
    assert_eq!(codes(&report), ["MW101"], "{report:#}");
    assert_eq!(report["findings"][0]["line"], 80_007, "{report:#}");
}

/// A changed file's roots are searched in its Git repository (outside any, its own
/// directory), never in the whole current directory: from a parent directory holding other
/// trees, nothing of those is read.
#[test]
fn a_changed_files_roots_are_searched_in_its_repository_not_the_working_directory() {
    let temp = tempfile::tempdir().unwrap();
    let broken_elsewhere = (
        "elsewhere/kustomization.yaml",
        "resources: [missing.yaml]\n",
    );
    let repo_files = [
        ("repo/base/kustomization.yaml", "resources: [app.yaml]\n"),
        (
            "repo/base/app.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: n\n",
        ),
        (
            "repo/overlay/kustomization.yaml",
            "resources: [../base]\nnamePrefix: x-\n",
        ),
        broken_elsewhere,
        (
            "loose/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n",
        ),
        (
            "loose/deeper/kustomization.yaml",
            "resources: [missing.yaml]\n",
        ),
    ];
    common::write_files(temp.path(), &repo_files);
    common::git::Git::init(&temp.path().join("repo")).commit("repo");
    let (code, report) = validate_json(temp.path(), &["repo/base/app.yaml"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["objects"], 1, "{report:#}");
    // Outside any repository: the file's own directory, not the broken tree below it.
    let (code, report) = validate_json(temp.path(), &["loose/cm.yaml"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["objects"], 1, "{report:#}");
}

/// JSON manifests are read like YAML; a named file that is not a manifest is an error,
/// unless it is known not to be one, and walked JSON that is not a manifest is passed over.
#[test]
fn json_manifests_are_read_and_named_non_manifests_are_errors() {
    let temp = tempfile::tempdir().unwrap();
    common::write_files(
        temp.path(),
        &[
            (
                "cm.json",
                "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\", \"namespace\": \"n\"}, \"data\": [1]}",
            ),
            (
                "package.json",
                "{\"name\": \"site\", \"version\": \"1.0.0\"}",
            ),
            ("notes.yaml", "key: value\n"),
            ("values.yaml", "replicaCount: 2\n"),
            (".github/workflows/ci.yaml", "on: push\njobs: {}\n"),
        ],
    );
    let (code, report) = validate_json(temp.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let found: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("MW101", "cm.json"),
            ("MW105", "notes.yaml"),
            ("MW105", "values.yaml")
        ],
        "{report:#}"
    );
    for (file, code) in [
        ("notes.yaml", "MW120"),
        ("package.json", "MW120"),
        ("values.yaml", "MW105"),
        (".github/workflows/ci.yaml", "MW105"),
    ] {
        let (_, report) = validate_json(temp.path(), &[file]);
        assert_eq!(codes(&report), [code], "{file}: {report:#}");
    }
}

#[test]
fn one_run_writes_several_reports_each_the_same_as_its_own_run() {
    let dir = tempfile::tempdir().unwrap();
    common::write_files(
        dir.path(),
        &[(
            "bad.yaml",
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: shop\nspec:\n  mtls:\n    mode: STRICTT\n",
        )],
    );
    let run = |args: &[&str]| {
        let output = meshwright()
            .current_dir(dir.path())
            .arg("validate")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        output.stdout
    };
    // Reports go outside the validated directory, which would read a JSON report.
    let out = tempfile::tempdir().unwrap();
    let target = |format: &str, name: &str| format!("{format}={}", out.path().join(name).display());
    let (markdown, json) = (target("markdown", "out.md"), target("json", "out.json"));
    let github = run(&["-o", "github", "-o", &markdown, "-o", &json]);
    assert_eq!(github, run(&["-o", "github"]));
    let written = |name: &str| std::fs::read(out.path().join(name)).unwrap();
    assert_eq!(written("out.md"), run(&["-o", "markdown"]));
    assert_eq!(written("out.json"), run(&["-o", "json"]));
    // A report that cannot be written is a usage error naming the file.
    meshwright()
        .current_dir(dir.path())
        .args(["validate", "-o", "json=missing/out.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing/out.json"));
}
