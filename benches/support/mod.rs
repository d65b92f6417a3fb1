//! What the benchmarks share: the synthetic many-tenant mesh.yaml, medians and peak memory.

#![allow(dead_code)] // each bench uses a different subset

pub mod runs;

use std::fmt::Write as _;
use std::time::Duration;

pub const SERVICES_PER_TENANT: usize = 20;

/// Tenants to generate: `MESHWRIGHT_BENCH_TENANTS`, or `default`.
pub fn tenants(default: usize) -> usize {
    std::env::var("MESHWRIGHT_BENCH_TENANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A mesh.yaml with `tenants` tenants of 20 services each, three clusters.
pub fn mesh_yaml(tenants: usize) -> String {
    let mut text = String::from(
        "apiVersion: meshwright.dev/v1alpha1\nkind: Mesh\nmetadata:\n  name: bench\nspec:\n  \
         trustDomain: bench.internal\n  gitops:\n    engine: flux\n    repoURL: https://git.example.com/bench.git\n  \
         clusters:\n    - name: central\n      role: central\n      eastWestHost: eastwest.bench.example\n",
    );
    for edge in ["edge-a", "edge-b"] {
        let _ = write!(
            text,
            "    - name: {edge}\n      role: edge\n      ingress:\n        host: {edge}.bench.example\n        routes:\n          - prefix: /\n            service: portal\n"
        );
    }
    text.push_str("  tenants:\n");
    for t in 0..tenants {
        let _ = writeln!(text, "    - name: tenant-{t}");
    }
    text.push_str("  services:\n    - name: portal\n      image: ghcr.io/bench/portal:1.0.0\n      ports:\n        - port: 8080\n");
    for t in 0..tenants {
        for s in 0..SERVICES_PER_TENANT {
            let _ = write!(
                text,
                "    - name: t{t}-svc{s}\n      tenant: tenant-{t}\n      image: ghcr.io/bench/svc:1.0.{s}\n      ports:\n        - port: 8080\n      callers:\n"
            );
            for caller in [(s + 1) % SERVICES_PER_TENANT, (s + 2) % SERVICES_PER_TENANT] {
                let _ = write!(
                    text,
                    "        - service: t{t}-svc{caller}\n          methods: [GET, POST]\n          paths: [\"/api/*\"]\n"
                );
            }
            text.push_str("        - service: portal\n");
        }
    }
    text
}

/// The process's peak resident memory (VmHWM).
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Writes the repository `meshwright generate` makes from `yaml` into `dir`, with its
/// mesh.yaml.
pub fn generate_repo(yaml: &str, dir: &std::path::Path) {
    use meshwright::scaffold::{plan::Plan, render, write};
    let mesh = meshwright::intent::parse(std::path::Path::new("mesh.yaml"), yaml.as_bytes())
        .expect("bench mesh is valid");
    let files = render::render(&mesh).expect("renders");
    write::apply(&Plan::compute(dir, &files).expect("plans")).expect("writes");
    std::fs::write(dir.join("mesh.yaml"), yaml).expect("mesh.yaml");
}
