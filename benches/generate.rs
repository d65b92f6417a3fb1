//! Benchmark: generate a 200-tenant × 20-service mesh (4,000 services, 3 clusters).
//!
//! Prints wall time per stage (parse + validate, render, plan, write) for a fresh write and
//! for an up-to-date regeneration, and the process's peak resident memory.
//! Run with `cargo bench --bench generate`; set MESHWRIGHT_BENCH_TENANTS to scale.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use meshwright::intent;
use meshwright::scaffold::{plan::Plan, render, write};
use support::{SERVICES_PER_TENANT, median, mesh_yaml, peak_rss_mib};

const RUNS: usize = 5;

struct Stages {
    parse: Duration,
    render: Duration,
    plan: Duration,
    write: Duration,
    files: usize,
}

fn run_once(yaml: &str, dir: &Path) -> Stages {
    let t0 = Instant::now();
    let mesh = intent::parse(Path::new("mesh.yaml"), yaml.as_bytes()).expect("bench mesh is valid");
    let t1 = Instant::now();
    let files = render::render(&mesh).expect("renders");
    let t2 = Instant::now();
    let plan = Plan::compute(dir, &files).expect("plans");
    let t3 = Instant::now();
    write::apply(&plan).expect("writes");
    let t4 = Instant::now();
    Stages {
        parse: t1 - t0,
        render: t2 - t1,
        plan: t3 - t2,
        write: t4 - t3,
        files: files.len(),
    }
}

/// The filesystem's own cost for the same files: plain `fs::write`, no temp file, no rename.
fn plain_write(files: &[render::RenderedFile], dir: &Path) -> Duration {
    let start = Instant::now();
    for file in files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, &file.contents).expect("write");
    }
    start.elapsed()
}

fn report(label: &str, runs: &[Stages]) {
    let pick = |f: fn(&Stages) -> Duration| median(runs.iter().map(f).collect());
    let total = pick(|s| s.parse + s.render + s.plan + s.write);
    println!(
        "{label:<22} total {:>8.1} ms | parse+validate {:>7.1} ms | render {:>7.1} ms | plan {:>7.1} ms | write {:>7.1} ms | {} files",
        total.as_secs_f64() * 1e3,
        pick(|s| s.parse).as_secs_f64() * 1e3,
        pick(|s| s.render).as_secs_f64() * 1e3,
        pick(|s| s.plan).as_secs_f64() * 1e3,
        pick(|s| s.write).as_secs_f64() * 1e3,
        runs[0].files
    );
}

fn main() {
    let tenants = support::tenants(200);
    let yaml = mesh_yaml(tenants);
    println!(
        "meshwright generate: {tenants} tenants x {SERVICES_PER_TENANT} services, 3 clusters, mesh.yaml {} KiB, median of {RUNS} runs",
        yaml.len() / 1024
    );
    let mut fresh = Vec::new();
    let mut regenerate = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().expect("tempdir");
        fresh.push(run_once(&yaml, dir.path()));
        regenerate.push(run_once(&yaml, dir.path()));
    }
    let mesh = intent::parse(Path::new("mesh.yaml"), yaml.as_bytes()).expect("valid");
    let files = render::render(&mesh).expect("renders");
    let floor = median(
        (0..RUNS)
            .map(|_| plain_write(&files, tempfile::tempdir().expect("tempdir").path()))
            .collect(),
    );
    report("fresh repository", &fresh);
    report("up-to-date regenerate", &regenerate);
    println!(
        "filesystem floor       plain fs::write of the same {} files: {:.1} ms",
        files.len(),
        floor.as_secs_f64() * 1e3
    );
    println!("peak resident memory   {:.1} MiB", peak_rss_mib());
}
