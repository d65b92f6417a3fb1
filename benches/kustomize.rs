//! Benchmark: render every kustomize root of a generated 200-tenant repository, then every
//! case of kustomize's own conformance suite (tests/fixtures/krusty) that meshwright matches,
//! with meshwright and with `kubectl kustomize`, and print both times and the ratio.
//!
//! Three meshwright figures: in-process on one thread and on every core (what `validate`
//! does: files several roots read are parsed once), and one `meshwright build` process per
//! root (the same shape as the kubectl run: start-up included, nothing shared).
//! Run with `cargo bench --bench kustomize`; set MESHWRIGHT_BENCH_TENANTS to scale.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use meshwright::intent;
use meshwright::kustomize::{Loader, build_with, emit::to_yaml};
use meshwright::scaffold::{plan::Plan, render, write};
use rayon::prelude::*;
use support::{median, mesh_yaml, peak_rss_mib};

const RUNS: usize = 5;

fn generate_repo(tenants: usize, dir: &Path) {
    let yaml = mesh_yaml(tenants);
    let mesh = intent::parse(Path::new("mesh.yaml"), yaml.as_bytes()).expect("bench mesh is valid");
    let files = render::render(&mesh).expect("renders");
    write::apply(&Plan::compute(dir, &files).expect("plans")).expect("writes");
}

/// Every directory holding a kustomization that is not a component, sorted.
fn roots(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
                let text = std::fs::read_to_string(&path).expect("readable");
                if !text.contains("kind: Component") {
                    found.push(current.clone());
                }
            }
        }
    }
    found.sort();
    found
}

/// Renders every root in-process, sharing parsed files between roots as `validate` does;
/// returns the bytes printed, so no work is optimised away.
fn render_in_process(roots: &[PathBuf], parallel: bool) -> (Duration, usize) {
    let loader = Loader::new();
    let render_one =
        |root: &PathBuf| to_yaml(&build_with(root, &loader).expect("renders").objects).len();
    let start = Instant::now();
    let bytes = if parallel {
        roots.par_iter().map(render_one).sum()
    } else {
        roots.iter().map(render_one).sum()
    };
    (start.elapsed(), bytes)
}

/// Runs `program args… ROOT` once per root, sequentially; returns the bytes printed.
fn render_with_processes(program: &str, args: &[&str], roots: &[PathBuf]) -> (Duration, usize) {
    let start = Instant::now();
    let mut bytes = 0;
    for root in roots {
        let output = Command::new(program)
            .args(args)
            .arg(root)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            output.status.success(),
            "{program} failed on {}",
            root.display()
        );
        bytes += output.stdout.len();
    }
    (start.elapsed(), bytes)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The roots of the krusty cases kubectl renders and meshwright matches (not in
/// KNOWN_GAPS.tsv).
fn krusty_roots() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/krusty");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("krusty index");
    let gaps = read("KNOWN_GAPS.tsv");
    let gap_names: Vec<&str> = gaps.lines().filter_map(|l| l.split('\t').next()).collect();
    read("cases.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|fields| fields[2] == "renders" && !gap_names.contains(&fields[0]))
        .map(|fields| dir.join("cases").join(fields[0]).join(fields[1]))
        .collect()
}

fn main() {
    let tenants = support::tenants(200);
    let dir = tempfile::tempdir().expect("tempdir");
    generate_repo(tenants, dir.path());
    compare(
        &format!("kustomize roots of a generated {tenants}-tenant repository"),
        &roots(dir.path()),
    );
    println!();
    compare(
        "krusty cases (kustomize's own tests) meshwright matches",
        &krusty_roots(),
    );
}

/// Renders `roots` every way and prints the times side by side.
fn compare(corpus: &str, roots: &[PathBuf]) {
    println!("{corpus}: {} roots", roots.len());
    let roots = roots.to_vec();

    let single: Vec<(Duration, usize)> = (0..RUNS)
        .map(|_| render_in_process(&roots, false))
        .collect();
    let parallel: Vec<(Duration, usize)> =
        (0..RUNS).map(|_| render_in_process(&roots, true)).collect();
    let bytes = single[0].1;
    let single = median(single.into_iter().map(|r| r.0).collect());
    let parallel = median(parallel.into_iter().map(|r| r.0).collect());
    let (processes, process_bytes) =
        render_with_processes(env!("CARGO_BIN_EXE_meshwright"), &["build"], &roots);
    let (kubectl, kubectl_bytes) = render_with_processes("kubectl", &["kustomize"], &roots);
    assert_eq!(
        process_bytes, bytes,
        "the build command prints what the library renders"
    );

    let per_root = |d: Duration| ms(d) / roots.len() as f64;
    println!(
        "meshwright, in-process, 1 thread    {:>9.1} ms  ({:.2} ms/root, median of {RUNS})",
        ms(single),
        per_root(single)
    );
    println!(
        "meshwright, in-process, all cores   {:>9.1} ms  ({:.2} ms/root, median of {RUNS})",
        ms(parallel),
        per_root(parallel)
    );
    println!(
        "meshwright build, a process a root  {:>9.1} ms  ({:.2} ms/root)",
        ms(processes),
        per_root(processes)
    );
    println!(
        "kubectl kustomize, a process a root {:>9.1} ms  ({:.2} ms/root)",
        ms(kubectl),
        per_root(kubectl)
    );
    println!(
        "ratio kubectl / meshwright: {:.0}x (1 thread), {:.0}x (all cores), {:.1}x (process per root)",
        kubectl.as_secs_f64() / single.as_secs_f64(),
        kubectl.as_secs_f64() / parallel.as_secs_f64(),
        kubectl.as_secs_f64() / processes.as_secs_f64()
    );
    println!(
        "output: meshwright {} KiB, kubectl {} KiB; peak resident memory {:.1} MiB",
        bytes / 1024,
        kubectl_bytes / 1024,
        peak_rss_mib()
    );
}
