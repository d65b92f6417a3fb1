//! The `init` / `generate` contract: byte-stable output, `--check`, `--dry-run`, hand-edit
//! protection, removal of stale files, never touching foreign files, confinement to the
//! target directory.

mod common;

use common::{example_text, init_example, meshwright, snapshot};
use std::os::unix::fs::FileTypeExt;

use predicates::str::contains;

#[test]
fn same_mesh_gives_identical_bytes_and_regenerating_changes_nothing() {
    let (_a, first) = init_example("edge");
    let (_b, second) = init_example("edge");
    let first_files = snapshot(&first);
    assert!(first_files.len() > 20, "edge example generates a real repo");
    assert_eq!(
        first_files,
        snapshot(&second),
        "two runs must give identical bytes"
    );

    meshwright()
        .arg("generate")
        .arg(&first)
        .assert()
        .success()
        .stdout(contains("0 created, 0 updated, 0 removed"));
    assert_eq!(first_files, snapshot(&first));
    meshwright()
        .args(["generate", "--check"])
        .arg(&first)
        .assert()
        .code(0)
        .stdout(contains("up to date"));
}

#[test]
fn check_lists_differences_and_writes_nothing() {
    let (_t, repo) = init_example("edge");
    let mesh = example_text("edge").replace(
        "    - name: ledger\n      clusters: [central]\n",
        "    - name: ledger\n      clusters: [central]\n    - name: analytics\n",
    );
    std::fs::write(repo.join("mesh.yaml"), mesh).unwrap();
    let before = snapshot(&repo);
    meshwright()
        .args(["generate", "--check"])
        .arg(&repo)
        .assert()
        .code(1)
        .stdout(contains(
            "would create tenants/analytics/overlays/edge-eu/kustomization.yaml",
        ))
        .stderr(contains("not up to date"));
    meshwright()
        .args(["generate", "--dry-run"])
        .arg(&repo)
        .assert()
        .code(0)
        .stdout(contains(
            "would create tenants/analytics/overlays/central/kustomization.yaml",
        ));
    assert_eq!(
        before,
        snapshot(&repo),
        "--check and --dry-run write nothing"
    );
}

#[test]
fn hand_edits_are_refused_without_force_and_restored_with_it() {
    let (_t, repo) = init_example("edge");
    let generated = snapshot(&repo);
    let victim = generated
        .keys()
        .find(|p| {
            p.starts_with("clusters/central/")
                && p.ends_with(".yaml")
                && !p.ends_with("kustomization.yaml")
        })
        .expect("a generated cluster file")
        .clone();
    let edited = b"# edited by hand\n".to_vec();
    std::fs::write(repo.join(&victim), &edited).unwrap();
    let before = snapshot(&repo);

    meshwright()
        .arg("generate")
        .arg(&repo)
        .assert()
        .code(1)
        .stdout(contains(format!("would update {victim} (edited by hand)")))
        .stderr(contains("--force"));
    assert_eq!(before, snapshot(&repo), "a refused run writes nothing");

    meshwright()
        .args(["generate", "--force"])
        .arg(&repo)
        .assert()
        .success()
        .stdout(contains(format!("updated {victim}")));
    assert_eq!(
        generated,
        snapshot(&repo),
        "--force restores the generated file"
    );
}

#[test]
fn files_no_longer_generated_are_removed_and_foreign_files_kept() {
    let (_t, repo) = init_example("edge");
    let notes = repo.join("tenants/ledger/base/NOTES.md");
    std::fs::write(&notes, "team notes\n").unwrap();
    std::fs::write(repo.join("CODEOWNERS"), "* @platform\n").unwrap();
    let mesh = example_text("edge")
        .replace("    - name: ledger\n      clusters: [central]\n", "")
        .replace("      tenant: ledger\n", "      tenant: retail\n");
    std::fs::write(repo.join("mesh.yaml"), mesh).unwrap();

    meshwright()
        .arg("generate")
        .arg(&repo)
        .assert()
        .success()
        .stdout(contains(
            "removed tenants/ledger/overlays/central/kustomization.yaml",
        ));
    let after = snapshot(&repo);
    assert!(
        !after
            .keys()
            .any(|p| p.starts_with("tenants/ledger/overlays"))
    );
    assert!(
        !repo.join("tenants/ledger/overlays").exists(),
        "emptied directories are removed"
    );
    assert_eq!(after["tenants/ledger/base/NOTES.md"], b"team notes\n");
    assert_eq!(after["CODEOWNERS"], b"* @platform\n");
    assert!(
        !after["meshwright.lock"]
            .windows(14)
            .any(|w| w == b"tenants/ledger")
    );
}

#[test]
fn existing_foreign_file_in_the_way_blocks_init_entirely() {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    std::fs::create_dir_all(repo.join("clusters/central")).unwrap();
    std::fs::write(repo.join("clusters/central/kustomization.yaml"), "mine\n").unwrap();
    meshwright()
        .args(["init", "--example", "edge"])
        .arg(&repo)
        .assert()
        .code(1)
        .stdout(contains(
            "clusters/central/kustomization.yaml (not generated by meshwright)",
        ));
    let files = snapshot(&repo);
    assert_eq!(
        files.len(),
        1,
        "nothing else written, not even mesh.yaml: {:?}",
        files.keys()
    );
    assert_eq!(files["clusters/central/kustomization.yaml"], b"mine\n");
}

#[test]
fn init_refuses_to_overwrite_an_existing_mesh_yaml() {
    let (_t, repo) = init_example("saas");
    std::fs::write(repo.join("mesh.yaml"), "# mine\n").unwrap();
    meshwright()
        .args(["init", "--example", "edge"])
        .arg(&repo)
        .assert()
        .code(2)
        .stderr(contains("already exists"));
    assert_eq!(std::fs::read(repo.join("mesh.yaml")).unwrap(), b"# mine\n");
}

#[test]
fn a_symlink_inside_the_target_cannot_redirect_writes_outside() {
    let (temp, repo) = init_example("edge");
    let outside = temp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::remove_dir_all(repo.join("tenants")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("tenants")).unwrap();
    meshwright()
        .args(["generate", "--force"])
        .arg(&repo)
        .assert()
        .code(2)
        .stderr(contains("symbolic link"));
    assert!(
        snapshot(&outside).is_empty(),
        "nothing may be written through the link"
    );
}

#[test]
fn a_lock_naming_a_path_outside_the_repo_is_rejected() {
    let (temp, repo) = init_example("edge");
    let victim = temp.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let lock = r#"{"generator":"meshwright","files":{"../victim.txt":"sha256:00"}}"#;
    std::fs::write(repo.join("meshwright.lock"), lock).unwrap();
    meshwright()
        .arg("generate")
        .arg(&repo)
        .assert()
        .code(2)
        .stderr(contains("meshwright.lock"))
        .stderr(contains("outside the repository"));
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me\n");
}

#[test]
fn missing_directory_and_bad_flags_are_usage_errors() {
    meshwright()
        .args(["generate", "/nonexistent/meshwright-repo"])
        .assert()
        .code(2)
        .stderr(contains("not a directory"));
    meshwright()
        .args(["generate", "--frobnicate"])
        .assert()
        .code(2);
    meshwright()
        .args(["init", "--example", "nope", "x"])
        .assert()
        .code(2)
        .stderr(contains("possible values"));
}

/// Runs `meshwright ARGS` with a deadline, so a command that blocks (on a FIFO, say) fails
/// the test instead of hanging the suite.
fn run_with_deadline(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("meshwright"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn meshwright");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().expect("kill");
            panic!("meshwright {args:?} did not finish within 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn a_fifo_where_a_generated_file_or_the_lock_goes_is_refused_not_read() {
    let (_t, repo) = init_example("edge");
    let generated = snapshot(&repo);
    let victim = generated
        .keys()
        .find(|p| p.starts_with("clusters/central/") && p.ends_with(".yaml"))
        .expect("a generated cluster file")
        .clone();
    for relative in [victim.as_str(), "meshwright.lock"] {
        let path = repo.join(relative);
        let saved = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        for check in [true, false] {
            let mut args = vec![std::ffi::OsStr::new("generate")];
            if check {
                args.push("--check".as_ref());
            }
            args.push(repo.as_os_str());
            let output = run_with_deadline(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{relative}: {stderr}");
            assert!(stderr.contains(relative), "names the path: {stderr}");
            assert!(stderr.contains("not a regular file"), "{stderr}");
        }
        assert!(
            std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_fifo(),
            "the FIFO is left alone"
        );
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, saved).unwrap();
    }
}

#[test]
fn temporaries_left_by_a_killed_run_are_removed_and_similar_names_kept() {
    let (temp, repo) = init_example("edge");
    let generated = snapshot(&repo);
    let nested = generated
        .keys()
        .find(|p| p.starts_with("clusters/central/"))
        .expect("a generated cluster file");
    let nested_dir = repo.join(nested).parent().unwrap().to_path_buf();
    let stale = [
        repo.join(".meshwright-Ab3xY9.tmp"),
        nested_dir.join(".meshwright-q1W2e3.tmp"),
    ];
    let kept = [
        repo.join(".meshwright-notes.tmp"),
        repo.join(".meshwright-Ab3xY9.tmp.orig"),
        nested_dir.join("meshwright-q1W2e3.tmp"),
    ];
    for path in stale.iter().chain(&kept) {
        std::fs::write(path, "half-written").unwrap();
    }
    // A matching name that is a symbolic link is not followed, and not ours to remove.
    let outside = temp.path().join("outside.txt");
    std::fs::write(&outside, "keep me\n").unwrap();
    let link = repo.join(".meshwright-L1nk00.tmp");
    std::os::unix::fs::symlink(&outside, &link).unwrap();

    meshwright()
        .arg("generate")
        .arg(&repo)
        .assert()
        .success()
        .stdout(contains("0 created, 0 updated, 0 removed"));
    for path in &stale {
        assert!(!path.exists(), "{} must be removed", path.display());
    }
    for path in &kept {
        assert_eq!(std::fs::read(path).unwrap(), b"half-written", "{path:?}");
    }
    assert!(std::fs::symlink_metadata(&link).is_ok(), "the link is kept");
    assert_eq!(std::fs::read(&outside).unwrap(), b"keep me\n");
}
