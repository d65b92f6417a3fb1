//! Benchmark: `meshwright diff` between two git revisions of a generated repository with
//! about 10,000 rendered documents, run as the real binary (start-up included): both
//! revisions read from git, every kustomize root rendered twice, objects matched and
//! diffed, and the policy edges compared.
//!
//! The second revision changes what a pull request typically changes: one caller removed
//! from a service in every tenant (policy edges closed) and one image bumped (objects
//! modified). Run with `cargo bench --bench diff`; MESHWRIGHT_BENCH_TENANTS scales it.

mod support;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use support::mesh_yaml;

const RUNS: usize = 5;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@meshwright.invalid")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@meshwright.invalid")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// The pull request: the first caller of every tenant's second service is dropped, and
/// the portal image is bumped.
fn changed(yaml: &str) -> String {
    yaml.replace(
        "        - service: t0-svc2\n          methods: [GET, POST]\n          paths: [\"/api/*\"]\n",
        "",
    )
    .replace("portal:1.0.0", "portal:1.1.0")
}

fn main() {
    let tenants = support::tenants(40);
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path();
    let before = mesh_yaml(tenants);
    support::generate_repo(&before, repo);
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    support::generate_repo(&changed(&before), repo);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "head"]);

    let args = [
        "diff", "--base", "HEAD~1", "--head", "HEAD", "--output", "json",
    ]
    .map(OsStr::new);
    let (time, report) = support::runs::time_diff(RUNS, repo, &args);
    let documents = Command::new(env!("CARGO_BIN_EXE_meshwright"))
        .current_dir(repo)
        .args(["validate", "--output", "json"])
        .output()
        .expect("meshwright runs");
    let summary: serde_json::Value =
        serde_json::from_slice(&documents.stdout).expect("validate prints JSON");
    println!(
        "meshwright diff HEAD~1..HEAD: {tenants} tenants, {} rendered documents per revision",
        summary["summary"]["objects"]
    );
    println!(
        "  {:.1} ms (median of {RUNS}, the binary, start-up included); {}",
        time.as_secs_f64() * 1e3,
        report["summary"]
    );
}
