//! The pre-commit integration, through the real `pre-commit` (from PyPI, installed into a
//! virtual environment under `target/` when it is not on PATH): a generated repository's
//! hooks, which install meshwright from its Python wheel (built here by maturin, served to
//! pip as from PyPI), block a commit with a broken manifest and show file:line, and let a
//! good commit through; the project's own `.pre-commit-hooks.yaml` works through
//! `pre-commit try-repo`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::init_example;

/// A `pre-commit` executable: the one on PATH, or one installed under target/test-tools
/// (once per test process: the tests run in parallel and must not build the venv twice).
fn pre_commit() -> PathBuf {
    static EXECUTABLE: OnceLock<PathBuf> = OnceLock::new();
    EXECUTABLE.get_or_init(|| python_tool("pre-commit")).clone()
}

fn test_tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools")
}

/// The PyPI command-line tool `package` (same name as its executable): the one on PATH, or
/// one installed into a virtual environment under target/test-tools.
fn python_tool(package: &str) -> PathBuf {
    if Command::new(package)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return PathBuf::from(package);
    }
    let venv = test_tools().join(package);
    let executable = venv.join("bin").join(package);
    if !executable.is_file() {
        let created = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status();
        assert!(created.is_ok_and(|s| s.success()), "python3 -m venv failed");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", package])
            .status();
        assert!(
            installed.is_ok_and(|s| s.success()),
            "pip install {package} failed"
        );
    }
    executable
}

/// A directory holding meshwright's Python wheel, built by maturin from pyproject.toml once
/// per test process: a debug build in its own target directory under target/test-tools, so
/// the binary the other tests run is never replaced (later runs are incremental).
fn wheel_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(build_wheel).clone()
}

fn build_wheel() -> PathBuf {
    let out = test_tools().join("wheels");
    let _ = std::fs::remove_dir_all(&out);
    let built = Command::new(python_tool("maturin"))
        .args(["build", "--quiet", "--profile", "dev", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", test_tools().join("wheel-target"))
        .status();
    assert!(built.is_ok_and(|s| s.success()), "maturin build failed");
    let wheels: Vec<String> = std::fs::read_dir(&out)
        .expect("wheel directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let prefix = format!("meshwright-{}-py3-none-", env!("CARGO_PKG_VERSION"));
    assert!(
        matches!(wheels.as_slice(), [wheel] if wheel.starts_with(&prefix) && wheel.ends_with(".whl")),
        "{wheels:?}"
    );
    out
}

/// A command in `dir` with meshwright on PATH and git and pre-commit kept inside `home`.
fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path, home: &Path) -> Command {
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_meshwright"))
        .parent()
        .expect("binary has a directory")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(binary_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH joins");
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", home)
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "meshwright tests")
        .env("GIT_AUTHOR_EMAIL", "tests@meshwright.invalid")
        .env("GIT_COMMITTER_NAME", "meshwright tests")
        .env("GIT_COMMITTER_EMAIL", "tests@meshwright.invalid")
        .env("NO_COLOR", "1");
    command
}

fn run(mut command: Command) -> Output {
    command.output().expect("runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> Output {
    let mut git = command("git", dir, home);
    git.args(args);
    run(git)
}

/// `git` in `dir` for a generated repository's hooks: meshwright is not on PATH, and pip
/// finds meshwright's wheel in `wheels`, as it would on PyPI.
fn git_with_wheel(dir: &Path, home: &Path, wheels: &Path, args: &[&str]) -> Output {
    let mut git = command("git", dir, home);
    git.args(args)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PIP_FIND_LINKS", wheels)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    run(git)
}

/// Whether a Python environment pre-commit made under `cache` holds a meshwright executable.
fn installed_by_pre_commit(cache: &Path) -> bool {
    let Ok(repositories) = std::fs::read_dir(cache) else {
        return false;
    };
    repositories
        .filter_map(Result::ok)
        .filter_map(|repository| std::fs::read_dir(repository.path()).ok())
        .flatten()
        .filter_map(Result::ok)
        .any(|env| {
            env.file_name().to_string_lossy().starts_with("py_env-")
                && env.path().join("bin/meshwright").is_file()
        })
}

#[test]
fn generated_hooks_block_a_broken_commit_and_pass_a_good_one() {
    let pre_commit = pre_commit();
    let wheels = wheel_dir();
    let (temp, repo) = init_example("edge");
    let config = std::fs::read_to_string(repo.join(".pre-commit-config.yaml")).unwrap();
    assert!(
        config.contains(&format!(
            "language: python\n        additional_dependencies: [\"meshwright=={}\"]",
            env!("CARGO_PKG_VERSION")
        )),
        "{config}"
    );
    let home = temp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    assert!(
        git(&repo, &home, &["init", "-q", "-b", "main"])
            .status
            .success()
    );
    let mut install = command(&pre_commit, &repo, &home);
    install.arg("install");
    let installed = run(install);
    assert!(installed.status.success(), "{}", text(&installed));

    let git = |dir: &Path, home: &Path, args: &[&str]| git_with_wheel(dir, home, &wheels, args);
    assert!(git(&repo, &home, &["add", "-A"]).status.success());
    let first = git(
        &repo,
        &home,
        &["commit", "-q", "-m", "generated repository"],
    );
    assert!(
        first.status.success(),
        "a clean repo commits: {}",
        text(&first)
    );
    assert!(
        text(&first).contains("meshwright validate"),
        "{}",
        text(&first)
    );
    // The hooks ran the wheel's binary, installed into pre-commit's environment.
    assert!(
        installed_by_pre_commit(&home.join("pre-commit-cache")),
        "no meshwright in pre-commit's environments"
    );

    // A broken manifest in a tenant base is blocked, naming the file and line.
    let workloads = repo.join("tenants/retail/base/namespace.yaml");
    let original = std::fs::read_to_string(&workloads).unwrap();
    std::fs::write(
        &workloads,
        original.replacen("kind: Namespace", "kind: Namespace\nkind: Namespace", 1),
    )
    .unwrap();
    assert!(git(&repo, &home, &["add", "-A"]).status.success());
    let blocked = git(&repo, &home, &["commit", "-q", "-m", "broken"]);
    let output = text(&blocked);
    assert!(
        !blocked.status.success(),
        "a broken manifest must block: {output}"
    );
    assert!(
        output.contains("tenants/retail/base/namespace.yaml:3:"),
        "the hook output names file:line: {output}"
    );
    assert!(output.contains("error[MW108]"), "{output}");

    // Fixing it lets the commit through.
    std::fs::write(&workloads, &original).unwrap();
    std::fs::write(
        repo.join("tenants/retail/base/notes.md"),
        "not a manifest\n",
    )
    .unwrap();
    assert!(git(&repo, &home, &["add", "-A"]).status.success());
    let fixed = git(&repo, &home, &["commit", "-q", "-m", "fixed"]);
    assert!(fixed.status.success(), "{}", text(&fixed));
}

#[test]
fn the_projects_hook_definitions_work_through_try_repo() {
    let pre_commit = pre_commit();
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let repo = temp.path().join("repo");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(
        repo.join("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {}\n",
    )
    .unwrap();
    assert!(
        git(&repo, &home, &["init", "-q", "-b", "main"])
            .status
            .success()
    );
    assert!(git(&repo, &home, &["add", "-A"]).status.success());
    let mut try_repo = command(&pre_commit, &repo, &home);
    try_repo
        .args(["try-repo"])
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(["meshwright-validate-system", "--all-files"]);
    let output = run(try_repo);
    let printed = text(&output);
    assert!(!output.status.success(), "{printed}");
    assert!(printed.contains("svc.yaml:3:"), "{printed}");
    assert!(printed.contains("`metadata.name` is missing"), "{printed}");
}
