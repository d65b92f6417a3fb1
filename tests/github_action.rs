//! meshwright's GitHub Action (`.github/actions/meshwright`) and the workflow `generate`
//! writes, run step by step as the Actions runner runs them (tests/actions_runner) against
//! a pull request in a real git repository and GitHub's comment API on loopback
//! (tests/github_api): one comment, updated on later pushes, found on any page; the job's
//! status by `fail-on`; annotations; read-only tokens; shallow history; the token never
//! printed. The install step against release downloads on the same loopback server: the
//! archive of the runner's platform, a checksum mismatch refused, the fallback to building
//! for a ref without a release.

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

/// Where the action is published (Cargo.toml's `repository`: the generated workflow's
/// `uses:` names it, which
/// `the_generated_workflow_installs_the_release_and_runs_the_action_on_pull_requests` checks).
const ACTION_REPOSITORY: &str = "meshwright/meshwright";

/// The tag of this version: the generated workflow's ref, and its release.
fn action_tag() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

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
        ("GITHUB_SERVER_URL", github.url.clone()),
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_ARCH", "X64".into()),
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
        ("github.action_repository", ACTION_REPOSITORY.into()),
        ("github.action_ref", action_tag()),
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

/// `PATH` without the directories that hold meshwright or cargo, behind `first`.
fn path_without_meshwright(first: &Path) -> String {
    let system = system_path();
    let kept = std::env::split_paths(&system)
        .filter(|dir| !dir.join("meshwright").exists() && !dir.join("cargo").exists());
    std::env::join_paths(std::iter::once(first.to_path_buf()).chain(kept))
        .expect("PATH")
        .to_string_lossy()
        .into_owned()
}

/// A runner on `os`/`arch` whose PATH has neither meshwright nor cargo, except what the
/// test puts in `tools`.
fn bare_runner(git: &Git, github: &GitHub, tools: &Path, (os, arch): (&str, &str)) -> Runner {
    let mut runner = runner(git, github, "");
    runner
        .env
        .insert("PATH".into(), path_without_meshwright(tools));
    runner.env.insert("RUNNER_OS".into(), os.into());
    runner.env.insert("RUNNER_ARCH".into(), arch.into());
    runner.context.insert("runner.os".into(), os.into());
    runner.context.insert("runner.arch".into(), arch.into());
    runner
}

/// An executable shell script at `path`.
fn write_script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A stand-in meshwright that names where it came from on `--version` and otherwise runs
/// the real binary, so the rest of the action works.
fn stand_in(origin: &str) -> String {
    format!(
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'meshwright {origin}'; exit 0; fi\nexec '{}' \"$@\"\n",
        env!("CARGO_BIN_EXE_meshwright")
    )
}

/// `meshwright-VERSION-TARGET.tar.gz` as the release workflow packs it, with a stand-in.
fn release_archive(target: &str) -> (String, Vec<u8>) {
    let name = format!("meshwright-{}-{target}", env!("CARGO_PKG_VERSION"));
    let staging = tempfile::tempdir().expect("temp dir");
    write_script(
        &staging.path().join(&name).join("meshwright"),
        &stand_in(&format!("release build for {target}")),
    );
    let archive = staging.path().join("archive.tar.gz");
    let packed = std::process::Command::new("tar")
        .arg("-C")
        .arg(staging.path())
        .arg("-czf")
        .arg(&archive)
        .arg(&name)
        .status()
        .expect("tar runs");
    assert!(packed.success());
    (
        format!("{name}.tar.gz"),
        std::fs::read(&archive).expect("archive"),
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Publishes a release of this version's tag with archives for `targets` and their
/// SHA256SUMS (with `sums` applied to its text, to corrupt it).
fn publish_release(github: &GitHub, targets: &[&str], sums: impl Fn(String) -> String) {
    let mut lines = String::new();
    for target in targets {
        let (name, bytes) = release_archive(target);
        lines.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
        github.publish(ACTION_REPOSITORY, &action_tag(), &name, &bytes);
    }
    github.publish(
        ACTION_REPOSITORY,
        &action_tag(),
        "SHA256SUMS",
        sums(lines).as_bytes(),
    );
}

/// The release files the install step downloaded.
fn downloads(github: &GitHub) -> Vec<String> {
    let prefix = format!("/{ACTION_REPOSITORY}/releases/download/{}/", action_tag());
    github
        .requests()
        .into_iter()
        .filter_map(|r| r.target.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

/// The binary the install step left in the action's cache directory, if any.
fn installed(runner: &Runner) -> Option<PathBuf> {
    let cache = runner.temp.path().join(".cache/meshwright-action");
    let key = std::fs::read_dir(&cache).ok()?.next()?.ok()?.path();
    Some(key.join("bin/meshwright")).filter(|p| p.exists())
}

#[test]
fn the_install_step_downloads_the_release_archive_of_the_runner_platform() {
    let (_temp, git) = pull_request();
    let platforms = [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
    ];
    for (os, arch, target) in platforms {
        let github = GitHub::start(TOKEN);
        publish_release(&github, &platforms.map(|(_, _, t)| t), |sums| sums);
        let tools = tempfile::tempdir().expect("temp dir");
        let runner = bare_runner(&git, &github, tools.path(), (os, arch));
        let run = runner.run_action(&action_dir(), &BTreeMap::new());
        assert_eq!(run.code, 0, "{os}/{arch}: {}", show(&run));
        assert!(
            run.stdout
                .contains(&format!("meshwright release build for {target}")),
            "{os}/{arch}: {}",
            show(&run)
        );
        let archive = format!("meshwright-{}-{target}.tar.gz", env!("CARGO_PKG_VERSION"));
        assert_eq!(downloads(&github), ["SHA256SUMS".to_string(), archive]);
        assert!(installed(&runner).is_some());
        assert!(our_comment(&github).body.contains("weakens"));
    }
}

#[test]
fn the_install_step_refuses_an_archive_that_does_not_match_its_checksum() {
    let (_temp, git) = pull_request();
    let github = GitHub::start(TOKEN);
    let target = "x86_64-unknown-linux-musl";
    publish_release(&github, &[target], |sums| {
        format!("{}{}", "0".repeat(64), &sums[64..])
    });
    let tools = tempfile::tempdir().expect("temp dir");
    let runner = bare_runner(&git, &github, tools.path(), ("Linux", "X64"));
    let run = runner.run_action(&action_dir(), &BTreeMap::new());
    assert_eq!(run.code, 1, "{}", show(&run));
    let archive = format!("meshwright-{}-{target}.tar.gz", env!("CARGO_PKG_VERSION"));
    assert!(
        run.stdout.contains(&format!(
            "::error title=meshwright::{archive} from {}/{ACTION_REPOSITORY}/releases/download/{} does not match its SHA256SUMS (expected {}",
            github.url,
            action_tag(),
            "0".repeat(64)
        )),
        "{}",
        show(&run)
    );
    assert!(run.stdout.contains("not installed"), "{}", show(&run));
    assert_eq!(installed(&runner), None);
    assert!(github.comments().is_empty());
}

#[test]
fn a_ref_without_a_release_for_the_platform_is_built_from_source() {
    let (_temp, git) = pull_request();
    // No release for the tag at all (a branch or a commit), and a release without this
    // runner's platform.
    for released in [&[][..], &["aarch64-apple-darwin"][..]] {
        let github = GitHub::start(TOKEN);
        if !released.is_empty() {
            publish_release(&github, released, |sums| sums);
        }
        let tools = tempfile::tempdir().expect("temp dir");
        let cargo_args = tools.path().join("cargo-args");
        write_script(
            &tools.path().join("cargo"),
            &format!(
                "#!/bin/sh\necho \"$@\" > '{}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\nmkdir -p \"$root/bin\"\ncat > \"$root/bin/meshwright\" <<'EOF'\n{}EOF\nchmod +x \"$root/bin/meshwright\"\n",
                cargo_args.display(),
                stand_in("built from source")
            ),
        );
        let runner = bare_runner(&git, &github, tools.path(), ("Linux", "X64"));
        let run = runner.run_action(&action_dir(), &BTreeMap::new());
        assert_eq!(run.code, 0, "{released:?}: {}", show(&run));
        assert!(
            run.stdout.contains(&format!(
                "no release of '{}' for Linux/X64: building meshwright from",
                action_tag()
            )),
            "{}",
            show(&run)
        );
        assert!(
            run.stdout.contains("meshwright built from source"),
            "{}",
            show(&run)
        );
        let args = std::fs::read_to_string(&cargo_args).expect("cargo ran");
        assert!(
            args.starts_with(&format!(
                "install --locked --quiet --path {} --root ",
                env!("CARGO_MANIFEST_DIR")
            )),
            "{args}"
        );
        assert_eq!(downloads(&github), ["SHA256SUMS"]);
        assert!(our_comment(&github).body.contains("weakens"));
    }
}

#[test]
fn without_meshwright_a_release_or_cargo_the_install_step_says_what_to_do() {
    let (_temp, git) = pull_request();
    let github = GitHub::start(TOKEN);
    let tools = tempfile::tempdir().expect("temp dir");
    let runner = bare_runner(&git, &github, tools.path(), ("Linux", "X64"));
    let run = runner.run_action(&action_dir(), &BTreeMap::new());
    assert_eq!(run.code, 1, "{}", show(&run));
    assert!(
        run.stdout.contains(&format!(
            "::error title=meshwright::meshwright is not on PATH, the action's ref '{}' has no release for Linux/X64, and cargo is missing to build it",
            action_tag()
        )),
        "{}",
        show(&run)
    );
    assert!(github.comments().is_empty());
}

#[test]
fn the_generated_workflow_installs_the_release_and_runs_the_action_on_pull_requests() {
    let (_temp, git) = pull_request();
    let workflow = read_yaml(&git.path().join(".github/workflows/meshwright.yml"));
    assert_eq!(workflow["on"]["pull_request"]["branches"][0], "main");
    assert_eq!(workflow["permissions"]["pull-requests"], "write");
    let action = format!(
        "{ACTION_REPOSITORY}/.github/actions/meshwright@{}",
        action_tag()
    );
    // A fresh GitHub-hosted runner: no meshwright, no cargo; the tag has a release.
    let github = GitHub::start(TOKEN);
    let target = "x86_64-unknown-linux-musl";
    publish_release(&github, &[target, "aarch64-apple-darwin"], |sums| sums);
    let tools = tempfile::tempdir().expect("temp dir");
    let run = bare_runner(&git, &github, tools.path(), ("Linux", "X64")).run_job(
        &workflow,
        "meshwright",
        &action,
        &action_dir(),
    );
    assert_no_token(&run);
    assert_eq!(run.code, 0, "{}", show(&run));
    assert!(
        run.stdout
            .contains(&format!("meshwright release build for {target}")),
        "{}",
        show(&run)
    );
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
