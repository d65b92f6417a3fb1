//! meshwright's GitHub Action (`.github/actions/meshwright`) and the workflow `generate`
//! writes, run step by step as the Actions runner runs them (tests/actions_runner) against
//! a pull request in a real git repository and GitHub's comment API on loopback
//! (tests/github_api): one comment, updated on later pushes, found on any page; the job's
//! status by `fail-on`; annotations; read-only tokens; shallow history; the token never
//! printed.

mod actions_runner;
mod common;
mod github_api;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use actions_runner::{Run, Runner, read_yaml};
use common::git::{Git, committed_example};
use common::init_example;
use github_api::{GitHub, PULL_REQUEST, REPOSITORY};

const TOKEN: &str = "ghs_test0123456789secret";
const MARKER: &str = "<!-- meshwright:pull-request -->";

fn action_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/actions/meshwright")
}

/// The `edge` example on main, and a pull request branch `feature` that lets retail accept
/// plain text.
fn pull_request() -> (tempfile::TempDir, Git) {
    let (temp, git) = committed_example("edge");
    git.branch("feature", |g| {
        let mtls = "tenants/retail/base/mtls.yaml";
        g.write(mtls, &g.read(mtls).replace("STRICT", "PERMISSIVE"));
    });
    (temp, git)
}

/// A runner for a `pull_request` event of `feature` into `main`, meshwright on PATH.
fn runner(git: &Git, github: &GitHub, path: &str) -> Runner {
    let mut runner = Runner::new(git.path());
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_meshwright"))
        .parent()
        .expect("binary dir")
        .display()
        .to_string();
    runner
        .env
        .insert("PATH".into(), format!("{binary_dir}:{path}"));
    for (name, value) in [
        ("HOME", runner.temp.path().display().to_string()),
        ("NO_COLOR", "1".into()),
        ("GITHUB_API_URL", github.url.clone()),
        ("GITHUB_REPOSITORY", REPOSITORY.into()),
        ("GITHUB_EVENT_NAME", "pull_request".into()),
    ] {
        runner.env.insert(name.into(), value);
    }
    for (name, value) in [
        ("github.token", TOKEN.to_string()),
        ("github.event.pull_request.number", PULL_REQUEST.to_string()),
        ("github.event.pull_request.base.sha", git.rev("main")),
        ("github.event.pull_request.head.sha", git.rev("feature")),
        ("runner.os", "Linux".into()),
        ("runner.arch", "X64".into()),
    ] {
        runner.context.insert(name.into(), value);
    }
    runner
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_default()
}

fn run(git: &Git, github: &GitHub, with: &[(&str, &str)]) -> Run {
    let with: BTreeMap<String, String> = with
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let run = runner(git, github, &system_path()).run_action(&action_dir(), &with);
    assert_no_token(&run);
    run
}

fn assert_no_token(run: &Run) {
    for text in [&run.stdout, &run.stderr, &run.summary] {
        assert!(!text.contains(TOKEN), "the token was printed:\n{text}");
    }
}

/// The one comment meshwright posted.
fn our_comment(github: &GitHub) -> github_api::Comment {
    let ours: Vec<_> = github
        .comments()
        .into_iter()
        .filter(|c| c.body.starts_with(MARKER))
        .collect();
    assert_eq!(ours.len(), 1, "{ours:#?}");
    ours[0].clone()
}

fn show(run: &Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}\n--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

#[test]
fn the_action_posts_one_comment_and_updates_it_on_the_next_push() {
    let (_temp, git) = pull_request();
    let github = GitHub::start(TOKEN);
    let first = run(&git, &github, &[]);
    assert_eq!(first.code, 0, "{}", show(&first));
    let comment = our_comment(&github);
    for part in [
        "### meshwright validate: ✅ no errors or warnings",
        "✅ Generated files match `mesh.yaml`.",
        "### meshwright diff `",
        "| **weakens** ⚠️ | central | weakens: retail/cart now accepts plain text (peer authentication PERMISSIVE) |",
        "```mermaid\n",
    ] {
        assert!(
            comment.body.contains(part),
            "{part:?} in:\n{}",
            comment.body
        );
    }
    // The job summary holds the same report; the outputs say what happened.
    assert_eq!(first.summary, comment.body);
    assert_eq!(first.outputs["errors"], "0");
    assert_eq!(first.outputs["differences"], "true");
    assert!(first.outputs["weaker"].parse::<u32>().expect("a count") >= 3);
    assert_eq!(
        first.outputs["comment-url"],
        format!(
            "https://github.com/{REPOSITORY}/pull/{PULL_REQUEST}#issuecomment-{}",
            comment.id
        )
    );
    // The cache step is keyed by the action's source.
    let (uses, with) = &first.skipped[0];
    assert!(uses.starts_with("actions/cache@"));
    assert!(
        with["key"].starts_with("meshwright-Linux-X64-") && with["key"].len() > 30,
        "{with:?}"
    );

    // The next push puts STRICT back: the same comment now says so, and nothing else is posted.
    git.run(&["checkout", "-q", "feature"]);
    let mtls = "tenants/retail/base/mtls.yaml";
    git.write(mtls, &git.read(mtls).replace("PERMISSIVE", "STRICT"));
    git.commit("strict again");
    git.run(&["checkout", "-q", "main"]);
    let second = run(&git, &github, &[]);
    assert_eq!(second.code, 0, "{}", show(&second));
    let updated = our_comment(&github);
    assert_eq!(updated.id, comment.id);
    assert!(updated.body.contains("No differences."), "{}", updated.body);
    assert_eq!(second.outputs["differences"], "false");
    let methods: Vec<String> = github
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["POST", "PATCH"]);
}

#[test]
fn the_earlier_comment_is_found_on_a_later_page() {
    let (_temp, git) = pull_request();
    let github = GitHub::start(TOKEN);
    for n in 0..130 {
        if n == 5 {
            // A remark that quotes the report is not the report.
            github.add_comment(&format!("> {MARKER}\n> an old report\nwhy?"));
        } else if n == 120 {
            github.add_comment(&format!("{MARKER}\nan old report"));
        } else {
            github.add_comment(&format!("review remark {n}"));
        }
    }
    let run = run(&git, &github, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));
    assert_eq!(github.comments().len(), 130);
    assert!(our_comment(&github).body.contains("weakens"));
    let targets: Vec<String> = github.requests().iter().map(|r| r.target.clone()).collect();
    let list = format!("/repos/{REPOSITORY}/issues/{PULL_REQUEST}/comments");
    assert!(
        targets.contains(&format!("{list}?per_page=100&page=2")),
        "{targets:?}"
    );
    // Found on page 2: page 3 is not read.
    assert!(
        !targets.iter().any(|t| t.ends_with("page=3")),
        "{targets:?}"
    );
    assert!(github.comments()[5].body.ends_with("why?"));
}

#[test]
fn fail_on_decides_the_job_status() {
    let (_temp, git) = pull_request();
    // A broken manifest on the branch: an error with its file and line.
    git.run(&["checkout", "-q", "feature"]);
    let workloads = "tenants/retail/base/workloads.yaml";
    git.write(
        workloads,
        &git.read(workloads).replace("replicas: 2", "replicas: two"),
    );
    git.commit("typo");
    let github = GitHub::start(TOKEN);
    let failed = run(&git, &github, &[]);
    assert_eq!(failed.code, 1, "{}", show(&failed));
    assert!(
        failed
            .stdout
            .contains("::error file=tenants/retail/base/workloads.yaml,line="),
        "{}",
        show(&failed)
    );
    assert_eq!(failed.outputs["errors"], "1");
    let body = our_comment(&github).body;
    assert!(
        body.contains("### meshwright validate: ❌ 1 error(s)"),
        "{body}"
    );
    assert!(
        body.contains("| ❌ | MW101 | `tenants/retail/base/workloads.yaml:"),
        "{body}"
    );
    // The edit was by hand: generate --check says so.
    assert!(
        body.contains("❌ **Generated files differ from `mesh.yaml`**"),
        "{body}"
    );

    let reported = run(&git, &github, &[("fail-on", "never")]);
    assert_eq!(reported.code, 0, "{}", show(&reported));

    // Without the typo, only the weakening is left: `weaker` fails on it, `error` does not.
    git.run(&["checkout", "-q", "feature"]);
    git.run(&["revert", "--no-edit", "HEAD"]);
    git.run(&["checkout", "-q", "main"]);
    let strict = run(&git, &github, &[("fail-on", "weaker")]);
    assert_eq!(strict.code, 1, "{}", show(&strict));
    let lenient = run(&git, &github, &[]);
    assert_eq!(lenient.code, 0, "{}", show(&lenient));

    let wrong = run(&git, &github, &[("fail-on", "sometimes")]);
    assert_eq!(wrong.code, 2);
    assert!(
        wrong
            .stdout
            .contains("fail-on must be error, weaker or never")
    );
}

#[test]
fn a_read_only_token_warns_and_keeps_the_report_in_the_summary() {
    let (_temp, git) = pull_request();
    let github = GitHub::start(TOKEN);
    github.state().read_only = true;
    let run = run(&git, &github, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));
    assert!(
        run.stdout
            .contains("::warning title=meshwright::could not post")
    );
    assert!(
        run.stderr
            .contains("403 Resource not accessible by integration"),
        "{}",
        show(&run)
    );
    assert!(run.summary.contains("weakens"));
    assert_eq!(run.outputs["comment-url"], "");
    assert!(github.comments().is_empty());
}

#[test]
fn a_base_missing_from_the_clone_says_to_fetch_the_history() {
    let (_temp, git) = pull_request();
    let github = GitHub::start(TOKEN);
    let mut runner = runner(&git, &github, &system_path());
    runner.context.insert(
        "github.event.pull_request.base.sha".into(),
        "0123456789abcdef0123456789abcdef01234567".into(),
    );
    let run = runner.run_action(&action_dir(), &BTreeMap::new());
    assert_eq!(run.code, 1, "{}", show(&run));
    assert!(
        run.stdout
            .contains("use actions/checkout with fetch-depth: 0"),
        "{}",
        show(&run)
    );
    assert!(
        our_comment(&github)
            .body
            .contains("❌ `meshwright diff` failed: ")
    );
}

#[test]
fn without_meshwright_or_cargo_the_install_step_says_what_to_do() {
    let (_temp, git) = pull_request();
    let github = GitHub::start(TOKEN);
    // git, jq, curl and the shell, but neither meshwright nor cargo.
    let tools = tempfile::tempdir().expect("temp dir");
    for tool in [
        "bash",
        "git",
        "find",
        "sort",
        "xargs",
        "sha256sum",
        "cut",
        "cat",
        "env",
    ] {
        let found = which(tool);
        std::os::unix::fs::symlink(found, tools.path().join(tool)).expect("symlink");
    }
    let mut runner = runner(&git, &github, "");
    runner
        .env
        .insert("PATH".into(), tools.path().display().to_string());
    let run = runner.run_action(&action_dir(), &BTreeMap::new());
    assert_eq!(run.code, 1, "{}", show(&run));
    assert!(
        run.stdout.contains(
            "::error title=meshwright::meshwright is not on PATH and cargo is missing to build it"
        ),
        "{}",
        show(&run)
    );
    assert!(github.comments().is_empty());
}

fn which(tool: &str) -> PathBuf {
    std::env::split_paths(&system_path())
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{tool} on PATH"))
}

#[test]
fn the_generated_workflow_runs_the_action_on_pull_requests() {
    let (_temp, git) = pull_request();
    let workflow = read_yaml(&git.path().join(".github/workflows/meshwright.yml"));
    assert_eq!(workflow["on"]["pull_request"]["branches"][0], "main");
    assert_eq!(workflow["permissions"]["pull-requests"], "write");
    let action = format!(
        "{}/.github/actions/meshwright@v{}",
        env!("CARGO_PKG_REPOSITORY").trim_start_matches("https://github.com/"),
        env!("CARGO_PKG_VERSION")
    );
    let github = GitHub::start(TOKEN);
    let run = runner(&git, &github, &system_path()).run_job(
        &workflow,
        "meshwright",
        &action,
        &action_dir(),
    );
    assert_no_token(&run);
    assert_eq!(run.code, 0, "{}", show(&run));
    // Checked out with the history the diff needs.
    let (checkout, with) = &run.skipped[0];
    assert!(checkout.starts_with("actions/checkout@"));
    assert_eq!(with["fetch-depth"], "0");
    assert!(our_comment(&github).body.contains("weakens"));
}

#[test]
fn repositories_below_the_git_root_or_without_checks_get_no_workflow() {
    let temp = tempfile::tempdir().expect("temp dir");
    let example = common::example_text("lowcode");
    for (name, gitops) in [
        ("below", "    path: deploy/mesh\n"),
        ("none", "    path: .\n    pullRequestChecks: none\n"),
    ] {
        let dir = temp.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("mesh.yaml"),
            example.replace("    path: .\n", gitops),
        )
        .expect("write");
        common::meshwright()
            .arg("generate")
            .arg(&dir)
            .assert()
            .success();
        assert!(!dir.join(".github").exists(), "{name}");
        let readme = std::fs::read_to_string(dir.join("README.md")).expect("README");
        assert!(
            readme.contains("## Checks on every pull request"),
            "{readme}"
        );
    }
    let readme = std::fs::read_to_string(temp.path().join("below/README.md")).expect("README");
    assert!(readme.contains("with: {path: ./deploy/mesh/}"), "{readme}");
}

/// `action-validator` (npm, checks against SchemaStore's schemas for GitHub actions and
/// workflows), installed under target/test-tools when missing.
fn action_validator() -> PathBuf {
    const PACKAGES: [&str; 2] = [
        "@action-validator/core@0.6.0",
        "@action-validator/cli@0.6.0",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/action-validator");
    let executable = dir.join("node_modules/.bin/action-validator");
    if !executable.is_file() {
        std::fs::create_dir_all(&dir).expect("mkdir");
        let installed = std::process::Command::new("npm")
            .args(["install", "--silent", "--no-save", "--prefix"])
            .arg(&dir)
            .args(PACKAGES)
            .status()
            .expect("npm runs");
        assert!(installed.success(), "npm install {PACKAGES:?} failed");
    }
    executable
}

fn validates(validator: &Path, file: &Path) -> std::process::Output {
    std::process::Command::new(validator)
        .arg(file)
        .output()
        .expect("action-validator runs")
}

#[test]
fn the_action_and_the_workflows_pass_github_schemas() {
    let validator = action_validator();
    let (temp, dir) = init_example("edge");
    let files = [
        action_dir().join("action.yml"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/ci.yml"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml"),
        dir.join(".github/workflows/meshwright.yml"),
    ];
    for file in &files {
        let output = validates(&validator, file);
        assert!(
            output.status.success(),
            "{}: {}{}",
            file.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The validator does reject what GitHub rejects: a composite run step without a shell.
    let action = std::fs::read_to_string(&files[0]).expect("action.yml");
    let broken = temp.path().join("action.yml");
    std::fs::write(&broken, action.replace("      shell: bash\n", "")).expect("write");
    let output = validates(&validator, &broken);
    assert!(!output.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("/runs/steps/0/shell"), "{said}");
}
