//! The commit meshwright is built from: the git checkout's `HEAD`, or for a crate from the
//! package registry the commit `cargo package` recorded in `.cargo_vcs_info.json`;
//! `unknown` otherwise (a source archive, or a directory inside someone else's repository).

use std::path::Path;
use std::process::Command;

/// Hex digits shown, as `git log --oneline` would with many objects.
const SHORT: usize = 12;

/// The short commit of `manifest_dir`, telling cargo which git files to watch.
pub fn describe(manifest_dir: &Path) -> String {
    packaged_commit(manifest_dir)
        .or_else(|| checkout_commit(manifest_dir))
        .map(|sha| sha.chars().take(SHORT).collect())
        .unwrap_or_else(|| "unknown".to_string())
}

/// `git.sha1` of `.cargo_vcs_info.json`, which `cargo package` writes into the crate.
fn packaged_commit(manifest_dir: &Path) -> Option<String> {
    let info = manifest_dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&info).ok()?;
    println!("cargo:rerun-if-changed={}", info.display());
    let (_, rest) = text.split_once("\"sha1\"")?;
    let sha: String = rest
        .trim_start_matches([':', ' ', '"'])
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (!sha.is_empty()).then_some(sha)
}

/// `HEAD` of the git checkout whose top level is `manifest_dir` (not of a repository the
/// directory merely sits in, such as an unpacked crate under `target/`).
fn checkout_commit(manifest_dir: &Path) -> Option<String> {
    let top_level = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top_level).canonicalize().ok()? != manifest_dir.canonicalize().ok()? {
        return None;
    }
    for watched in ["HEAD", "packed-refs"] {
        watch(manifest_dir, watched);
    }
    if let Some(branch) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch(manifest_dir, &branch);
    }
    git(manifest_dir, &["rev-parse", "HEAD"])
}

/// Reruns the build script when the git file `name` (such as `HEAD`) changes.
fn watch(manifest_dir: &Path, name: &str) {
    if let Some(path) = git(
        manifest_dir,
        &["rev-parse", "--path-format=absolute", "--git-path", name],
    ) && Path::new(&path).exists()
    {
        println!("cargo:rerun-if-changed={path}");
    }
}

/// The trimmed standard output of a successful `git` run in `dir`.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}
