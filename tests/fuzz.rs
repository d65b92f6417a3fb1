//! A seeded mutation fuzzer over the project's own fixtures and a generated example
//! repository: each case copies a tree, damages one of its files in a way real edits and
//! hostile pull requests do (cut, duplicated or swapped lines, flipped bytes, multi-byte
//! text, YAML anchors, aliases, deep nesting, paths out of the tree, huge values), and runs
//! `build`, `validate`, `policy` and `diff` on it. Each must exit with a documented code (0,
//! 1 or 2), never panic, abort, hang or grow past a memory bound.
//!
//! `cargo test` runs a short deterministic pass. A longer one:
//! `MESHWRIGHT_FUZZ_CASES=5000 MESHWRIGHT_FUZZ_SEED=7 cargo test --release --test fuzz`.
//! Inputs that once crashed meshwright are kept in `tests/fixtures/fuzz/` and run on every
//! pass.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The memory one run may use (virtual address space, KiB).
const MEMORY_LIMIT_KIB: u64 = 3 * 1024 * 1024;
/// How long one run may take.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// xorshift64*: a small, seeded generator, so a failing case is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Text a mutation may insert: what broke meshwright before, and YAML's sharp edges.
const SPLICES: &[&str] = &[
    "€€€€€€€ ",
    "äöü",
    "*alias",
    "&anchor ",
    "<<: *base\n",
    "{{ .Values.x }}",
    ": [",
    "- ../../..\n",
    "- .\n",
    "resources: [.]\n",
    "\t",
    "kind: SecretList\n",
    "kind: secret\n",
    "99999999999999999999999999999999999999999h1ns2160h",
    "\u{FFFE}",
    "@team",
    "|",
    "`",
    "%",
    "0x",
    "~",
    "null",
    "- {op: copy, from: /data, path: /data/x}\n",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let at = rng.below(lines.len());
    match rng.below(8) {
        0 => {
            lines.remove(at);
        }
        1 => {
            let line = lines[at].clone();
            lines.insert(at, line);
        }
        2 => {
            let other = rng.below(lines.len());
            lines.swap(at, other);
        }
        3 => {
            let splice = SPLICES[rng.below(SPLICES.len())];
            let line = &mut lines[at];
            let mut cut = rng.below(line.len() + 1);
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.insert_str(cut, splice);
        }
        4 => {
            let depth = 1 + rng.below(3000);
            lines.insert(
                at,
                format!("deep: {}{}", "[".repeat(depth), "]".repeat(depth)),
            );
        }
        5 => {
            let indent = " ".repeat(rng.below(6));
            lines[at] = format!("{indent}{}", lines[at].trim_start());
        }
        6 => lines[at] = format!("{}: {}", lines[at].trim(), "x".repeat(rng.below(100_000))),
        _ => {
            let mut bytes = lines[at].clone().into_bytes();
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            lines[at] = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != ".git" {
                yaml_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    out.sort();
}

/// Runs meshwright with `args` in `dir` under the memory and time bounds; says why when it
/// crashes, hangs or exits with an undocumented code.
fn run_bounded(dir: &Path, args: &[&str]) -> Result<(), String> {
    let binary = assert_cmd::cargo::cargo_bin("meshwright");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KIB}; exec \"$0\" \"$@\""))
        .arg(&binary)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().ok();
            return Err(format!("meshwright {args:?} ran over {TIME_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).ok();
    if matches!(status.code(), Some(0..=2)) && !stderr.contains("panicked") {
        Ok(())
    } else {
        Err(format!("meshwright {args:?} exited {status:?}: {stderr}"))
    }
}

/// The directories of `tests/fixtures/<folder>`, sorted.
fn fixture_dirs(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The trees a case starts from: every kustomize fixture root and a generated example.
fn seeds(scratch: &Path) -> Vec<PathBuf> {
    let mut roots = fixture_dirs("kustomize");
    let example = scratch.join("example");
    let status = common::meshwright()
        .args(["init", "--example", "batch"])
        .arg(&example)
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    common::git::Git::init(&example).commit("example");
    roots.push(example);
    roots
}

/// Runs every command on `tree` (a repository when it has `.git`).
fn exercise(tree: &Path) -> Result<(), String> {
    run_bounded(tree, &["validate", "--output", "json", "."])?;
    run_bounded(tree, &["build", "."])?;
    run_bounded(tree, &["policy", "--output", "json", "."])?;
    if tree.join(".git").exists() {
        run_bounded(tree, &["diff", "--base", "HEAD", "--output", "markdown"])?;
    }
    Ok(())
}

#[test]
fn mutated_inputs_never_crash_hang_or_exhaust_memory() {
    let cases: usize = std::env::var("MESHWRIGHT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let seed: u64 = std::env::var("MESHWRIGHT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let scratch = tempfile::tempdir().unwrap();
    let seeds = seeds(scratch.path());
    let mut rng = Rng(seed | 1);
    for case in 0..cases {
        let seed_tree = &seeds[rng.below(seeds.len())];
        let tree = scratch.path().join(format!("case-{case}"));
        copy_tree(seed_tree, &tree);
        let mut files = Vec::new();
        yaml_files(&tree, &mut files);
        let file = &files[rng.below(files.len())];
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let mutations = 1 + rng.below(3);
        let mut mutated = text;
        for _ in 0..mutations {
            mutated = mutate(&mutated, &mut rng);
        }
        std::fs::write(file, &mutated).unwrap();
        let label = format!(
            "case {case} (seed {seed}): {} from {}",
            file.strip_prefix(&tree).unwrap().display(),
            seed_tree.display()
        );
        if let Err(why) = exercise(&tree) {
            // Kept for a look and for the regression corpus.
            let kept =
                Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-case-{seed}-{case}"));
            std::fs::remove_dir_all(&kept).ok();
            copy_tree(&tree, &kept);
            panic!("{label}: {why}\nthe tree is kept in {}", kept.display());
        }
        std::fs::remove_dir_all(&tree).ok();
    }
}

#[test]
fn inputs_that_once_crashed_meshwright_stay_fixed() {
    let cases = fixture_dirs("fuzz");
    assert!(!cases.is_empty());
    for case in cases {
        if let Err(why) = exercise(&case) {
            panic!("{}: {why}", case.display());
        }
    }
}
