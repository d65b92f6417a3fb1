//! Benchmark: `meshwright diff --cluster` of a generated repository's central cluster
//! against the test API server of `tests/apiserver` (HTTPS with client certificates on
//! loopback, objects in memory), run as the real binary: discovery, one paginated list per
//! kind, one server-side apply dry-run per object (eight in flight), normalization, drift
//! and the policy comparison. The server holds what the repository renders, plus one change
//! per tenant, so every comparison runs to the end.
//!
//! This measures meshwright's side; a real API server adds etcd reads and admission
//! webhooks to each dry-run. Run with `cargo bench --bench diff_live`;
//! MESHWRIGHT_BENCH_TENANTS scales it.

#[path = "../tests/apiserver/mod.rs"]
mod apiserver;
mod support;

use std::ffi::OsStr;

use serde_json::json;
use support::mesh_yaml;

const RUNS: usize = 3;

fn main() {
    let tenants = support::tenants(40);
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path();
    support::generate_repo(&mesh_yaml(tenants), repo);
    let state = meshwright::diff::State::load(repo, &meshwright::kustomize::Loader::new())
        .expect("renders");
    let server = apiserver::ApiServer::start();
    let mut objects = 0;
    for (key, nodes) in &state.objects {
        if key.cluster != "central" {
            continue;
        }
        let mut object = nodes[0].to_json();
        if key.kind == "Deployment" && key.name.ends_with("-svc0") {
            object["spec"]["replicas"] = json!(5);
        }
        server.insert(object);
        objects += 1;
    }
    let kubeconfig = server.kubeconfig();
    for (label, extra) in [
        ("with server-side dry-runs", &[][..]),
        (
            "normalized only (--no-server-dry-run)",
            &["--no-server-dry-run"][..],
        ),
    ] {
        let mut args = [
            "diff",
            "--cluster",
            "--repo-cluster",
            "central",
            "-o",
            "json",
        ]
        .map(OsStr::new)
        .to_vec();
        args.extend([OsStr::new("--kubeconfig"), kubeconfig.as_os_str()]);
        args.extend(extra.iter().map(OsStr::new));
        let (time, report) = support::runs::time_diff(RUNS, repo, &args);
        let summary = &report["summary"];
        println!(
            "meshwright diff --cluster, {label}: {tenants} tenants, {objects} live objects in central"
        );
        println!(
            "  {:.0} ms (median of {RUNS}, the binary, start-up included); {summary}",
            time.as_secs_f64() * 1e3
        );
    }
    let requests = server.requests();
    let count = |method: &str| requests.iter().filter(|r| r.method == method).count();
    println!(
        "  requests over all runs: {} GET (discovery and list pages), {} PATCH dry-runs, {} writes",
        count("GET"),
        count("PATCH"),
        server.writes()
    );
}
