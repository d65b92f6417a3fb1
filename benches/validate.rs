//! Benchmark: `meshwright validate` over 1,000, 10,000 and 50,000 documents — a realistic
//! mix of Kubernetes workloads, Istio policy and cert-manager objects, written both as files
//! of 20 documents and as one file — run as the real binary, so process start-up and schema
//! loading count.
//!
//! Prints wall time, documents per second and the process's peak memory (from
//! `/usr/bin/time -v`). Run with `cargo bench --bench validate`; set
//! MESHWRIGHT_BENCH_DOCUMENTS to a comma-separated list of sizes to change them, and
//! MESHWRIGHT_BENCH_BASELINE to the binary of another build (e.g. an earlier commit's) to
//! run it on the same corpus, alternating with this build's runs, and print both.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::median;

const DOCUMENTS_PER_FILE: usize = 20;
const RUNS: usize = 7;

/// Document `index` of the mix: one of ten object kinds, in a namespace of 10 services.
fn document(index: usize) -> String {
    let ns = format!("team-{}", index / 100);
    let name = format!("svc-{}", index % 100 / 10);
    match index % 10 {
        0 => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app: {name}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n      annotations:\n        proxy.istio.io/config: '{{\"holdApplicationUntilProxyStarts\": true}}'\n    spec:\n      serviceAccountName: {name}\n      containers:\n        - name: app\n          image: ghcr.io/example/{name}:1.4.2\n          ports:\n            - name: http\n              containerPort: 8080\n          env:\n            - name: LOG_LEVEL\n              value: info\n          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n            limits:\n              memory: 256Mi\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n            periodSeconds: 5\n"
        ),
        1 => format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector:\n    app: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n      appProtocol: http\n"
        ),
        2 => format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
        ),
        3 => format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-settings\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: checkout,search\n"
        ),
        4 => format!(
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector:\n    matchLabels:\n      app: {name}\n  mtls:\n    mode: STRICT\n"
        ),
        5 => format!(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector:\n    matchLabels:\n      app: {name}\n  action: ALLOW\n  rules:\n    - from:\n        - source:\n            principals: [\"cluster.local/ns/{ns}/sa/svc-0\"]\n      to:\n        - operation:\n            methods: [GET, POST]\n            paths: [\"/api/*\"]\n"
        ),
        6 => format!(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  host: {name}.{ns}.svc.cluster.local\n  trafficPolicy:\n    tls:\n      mode: ISTIO_MUTUAL\n    connectionPool:\n      tcp:\n        maxConnections: 100\n    outlierDetection:\n      consecutive5xxErrors: 5\n      interval: 10s\n      baseEjectionTime: 30s\n"
        ),
        7 => format!(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  hosts:\n    - {name}.{ns}.svc.cluster.local\n  http:\n    - route:\n        - destination:\n            host: {name}.{ns}.svc.cluster.local\n            port:\n              number: 80\n      timeout: 5s\n      retries:\n        attempts: 3\n        perTryTimeout: 2s\n        retryOn: 5xx,reset\n"
        ),
        8 => format!(
            "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: {name}-tls\n  namespace: {ns}\nspec:\n  secretName: {name}-tls\n  duration: 2160h\n  renewBefore: 360h\n  dnsNames:\n    - {name}.example.com\n  privateKey:\n    algorithm: ECDSA\n    size: 256\n  issuerRef:\n    name: {name}-ca\n    kind: Issuer\n    group: cert-manager.io\n"
        ),
        _ => format!(
            "apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata:\n  name: {name}-ca\n  namespace: {ns}\nspec:\n  selfSigned: {{}}\n"
        ),
    }
}

/// Writes `documents` documents into `dir`, `per_file` to a file.
fn write_corpus(dir: &Path, documents: usize, per_file: usize) {
    for file in 0..documents.div_ceil(per_file) {
        let mut text = String::new();
        let first = file * per_file;
        for index in first..(first + per_file).min(documents) {
            let _ = write!(text, "---\n{}", document(index));
        }
        std::fs::write(dir.join(format!("manifests-{file:05}.yaml")), text).expect("write");
    }
}

/// One run of the binary under `/usr/bin/time -v`: wall time and peak memory in MiB.
fn validate_once(binary: &str, dir: &Path) -> (Duration, f64) {
    let start = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(binary)
        .args(["validate", "--output", "json"])
        .arg(dir)
        .output()
        .expect("/usr/bin/time runs meshwright");
    let elapsed = start.elapsed();
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("validate prints JSON");
    assert_eq!(
        report["summary"]["errors"], 0,
        "the corpus is valid: {report:#}"
    );
    let peak_kib = String::from_utf8_lossy(&output.stderr)
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    (elapsed, peak_kib / 1024.0)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("MESHWRIGHT_BENCH_DOCUMENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 50_000]);
    let current = env!("CARGO_BIN_EXE_meshwright").to_string();
    let baseline = std::env::var("MESHWRIGHT_BENCH_BASELINE").ok();
    let binaries: Vec<&str> = std::iter::once(current.as_str())
        .chain(baseline.as_deref())
        .collect();
    println!("meshwright validate, median of {RUNS} runs (start-up included)");
    for documents in sizes {
        for (layout, per_file) in [("files of 20", DOCUMENTS_PER_FILE), ("one file", documents)] {
            let dir = tempfile::tempdir().expect("tempdir");
            write_corpus(dir.path(), documents, per_file);
            // Runs alternate between the binaries, so a slower moment hits both alike.
            let mut runs: Vec<Vec<(Duration, f64)>> = vec![Vec::new(); binaries.len()];
            for _ in 0..RUNS {
                for (binary, runs) in binaries.iter().zip(&mut runs) {
                    runs.push(validate_once(binary, dir.path()));
                }
            }
            for (binary, runs) in binaries.iter().zip(runs) {
                let peak = runs.iter().map(|r| r.1).fold(0.0, f64::max);
                let wall = median(runs.into_iter().map(|r| r.0).collect());
                let who = if *binary == current {
                    "this build"
                } else {
                    "baseline"
                };
                println!(
                    "{documents:>7} documents, {layout:<11}  {who:<10}  {:>8.1} ms  {:>9.0} documents/s  peak memory {peak:>6.1} MiB",
                    wall.as_secs_f64() * 1e3,
                    documents as f64 / wall.as_secs_f64()
                );
            }
        }
    }
}
