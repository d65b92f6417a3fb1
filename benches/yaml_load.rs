//! Benchmark: `parse_documents` over about 5 MB of multi-document Kubernetes YAML —
//! Deployments with nested pod specs, Services, Istio AuthorizationPolicies with lists of
//! strings, ConfigMaps with block scalars, quoted strings and numbers — in one text.
//!
//! The text is cut into files of 50 documents (serde-saphyr refused more than 1,024 documents
//! or 250,000 nodes in one file), each parsed with its own `parse_documents` call as
//! `validate` does. Prints the median wall time, the median CPU time of the thread (from
//! /proc/self/schedstat, steadier on a shared machine) and throughput in MB/s. Run with
//! `cargo bench --bench yaml_load`; set MESHWRIGHT_BENCH_MB to change the size.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use support::median;

const RUNS: usize = 7;
const DOCUMENTS_PER_FILE: usize = 50;

/// Document `index` of the mix: one of four object kinds.
fn document(text: &mut String, index: usize) {
    let ns = format!("team-{}", index / 40);
    let name = format!("svc-{}", index % 40 / 4);
    let _ = match index % 4 {
        0 => write!(
            text,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/version: \"1.4.{index}\"\n  annotations:\n    proxy.istio.io/config: '{{\"holdApplicationUntilProxyStarts\": true}}'\nspec:\n  replicas: 3\n  revisionHistoryLimit: 10\n  selector:\n    matchLabels:\n      app: {name}\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0\n  template:\n    metadata:\n      labels:\n        app: {name}\n        sidecar.istio.io/inject: \"true\"\n    spec:\n      serviceAccountName: {name}\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n        fsGroup: 10001\n      containers:\n        - name: app\n          image: ghcr.io/example/{name}:1.4.2\n          args: [\"--port=8080\", \"--log-format=json\"]\n          ports:\n            - name: http\n              containerPort: 8080\n              protocol: TCP\n            - name: metrics\n              containerPort: 9090\n          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: GOMAXPROCS\n              value: \"2\"\n            - name: POD_NAME\n              valueFrom:\n                fieldRef:\n                  fieldPath: metadata.name\n          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n            limits:\n              cpu: 1.5\n              memory: 256Mi\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n            initialDelaySeconds: 5\n            periodSeconds: 10\n          volumeMounts:\n            - name: config\n              mountPath: /etc/{name}\n              readOnly: true\n      volumes:\n        - name: config\n          configMap:\n            name: {name}-config\n            defaultMode: 0644\n"
        ),
        1 => write!(
            text,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app: {name}\nspec:\n  type: ClusterIP\n  selector:\n    app: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n      appProtocol: http\n    - name: grpc\n      port: 9000\n      targetPort: 9000\n"
        ),
        2 => write!(
            text,
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector:\n    matchLabels:\n      app: {name}\n  action: ALLOW\n  rules:\n    - from:\n        - source:\n            principals:\n              - cluster.local/ns/{ns}/sa/frontend\n              - cluster.local/ns/{ns}/sa/gateway\n              - \"cluster.local/ns/istio-system/sa/istio-ingressgateway\"\n            namespaces: [\"{ns}\", istio-system]\n      to:\n        - operation:\n            methods: [GET, POST, PUT]\n            paths: [\"/api/*\", \"/healthz\"]\n            ports: [\"8080\"]\n      when:\n        - key: request.headers[x-tenant]\n          values: ['{ns}']\n"
        ),
        _ => write!(
            text,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  MAX_CONNECTIONS: \"100\"\n  config.yaml: |\n    server:\n      port: 8080\n      timeout: 30s\n    upstreams:\n      - name: payments\n        url: http://payments.{ns}.svc.cluster.local\n    features: [checkout, search]\n  motd: >\n    Welcome to {name}, served from {ns}.\n    Folded lines join with spaces.\n"
        ),
    };
    text.push_str("---\n");
}

/// Files of `DOCUMENTS_PER_FILE` documents, `bytes` in all.
fn corpus(bytes: usize) -> Vec<String> {
    let mut files = Vec::new();
    let (mut total, mut index) = (0, 0);
    while total < bytes {
        let mut text = String::new();
        for _ in 0..DOCUMENTS_PER_FILE {
            document(&mut text, index);
            index += 1;
        }
        total += text.len();
        files.push(text);
    }
    files
}

/// Parses every file, returning the number of documents.
fn parse_all(files: &[String]) -> usize {
    files
        .iter()
        .map(|text| {
            meshwright::manifest::parse_documents(Path::new("bench.yaml"), text.as_bytes())
                .expect("the corpus parses")
                .len()
        })
        .sum()
}

/// CPU time this thread has run (0 where /proc/self/schedstat is missing).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    let nanos = stat.split_whitespace().next().and_then(|n| n.parse().ok());
    Duration::from_nanos(nanos.unwrap_or(0))
}

fn main() {
    let size: f64 = std::env::var("MESHWRIGHT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5.0);
    let files = corpus((size * 1e6) as usize);
    let bytes: usize = files.iter().map(String::len).sum();
    let documents = parse_all(&files);
    let (walls, cpus): (Vec<Duration>, Vec<Duration>) = (0..RUNS)
        .map(|_| {
            let (start, cpu_start) = (Instant::now(), cpu_time());
            parse_all(&files);
            (start.elapsed(), cpu_time().saturating_sub(cpu_start))
        })
        .unzip();
    let megabytes = bytes as f64 / 1e6;
    let (wall, cpu) = (median(walls), median(cpus));
    println!(
        "parse_documents: {megabytes:.2} MB, {documents} documents: median wall {:.1} ms \
         ({:.1} MB/s), median CPU {:.1} ms ({:.1} MB/s)",
        wall.as_secs_f64() * 1e3,
        megabytes / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e3,
        megabytes / cpu.as_secs_f64(),
    );
}
