//! Benchmark: the effective policy matrix of a synthetic cluster with 2,000 workloads and
//! about 2,000 policies, shaped like a real strict-mTLS repository: 100 namespaces, each with
//! an allow-nothing policy and a STRICT PeerAuthentication, one ALLOW per service naming
//! three callers by principal (with methods and paths), DENY policies in some namespaces,
//! workload PeerAuthentication overrides with port-level settings, and DestinationRules.
//! Prints the time to read the model and to compute every caller → callee edge, and the
//! peak memory (VmHWM). Goal: the matrix under one second.
//! Run with `cargo bench --bench policy`; set MESHWRIGHT_BENCH_WORKLOADS to scale.

mod support;

use std::path::Path;
use std::time::Instant;

use meshwright::manifest::parse_documents;
use meshwright::policy::Model;
use support::{median, peak_rss_mib};

const PER_NAMESPACE: usize = 20;
const RUNS: usize = 3;

fn manifests(workloads: usize) -> (String, usize) {
    let namespaces = workloads.div_ceil(PER_NAMESPACE);
    let mut text = String::new();
    let mut policies = 0;
    let doc = |text: &mut String, body: String| {
        text.push_str("---\n");
        text.push_str(&body);
    };
    doc(&mut text, "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n".into());
    doc(&mut text, "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: default, namespace: istio-system}\nspec: {host: \"*.local\", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}\n".into());
    for n in 0..namespaces {
        let ns = format!("ns{n}");
        doc(
            &mut text,
            format!(
                "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{istio-injection: enabled}}}}\n"
            ),
        );
        doc(
            &mut text,
            format!(
                "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: allow-nothing, namespace: {ns}}}\nspec: {{}}\n"
            ),
        );
        doc(
            &mut text,
            format!(
                "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: default, namespace: {ns}}}\nspec: {{mtls: {{mode: STRICT}}}}\n"
            ),
        );
        policies += 2;
        if n % 3 == 0 {
            doc(
                &mut text,
                format!(
                    "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: deny-legacy, namespace: {ns}}}\nspec: {{action: DENY, rules: [{{from: [{{source: {{namespaces: [ns{}]}}}}]}}, {{to: [{{operation: {{paths: [\"/admin/*\"]}}}}]}}]}}\n",
                    (n + 7) % namespaces
                ),
            );
            policies += 1;
        }
        if n % 10 == 0 {
            doc(
                &mut text,
                format!(
                    "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: metrics-plain, namespace: {ns}}}\nspec: {{host: \"*.{ns}.svc.cluster.local\", trafficPolicy: {{portLevelSettings: [{{port: {{number: 9090}}, tls: {{mode: DISABLE}}}}]}}}}\n"
                ),
            );
            policies += 1;
        }
        for s in 0..PER_NAMESPACE {
            let index = n * PER_NAMESPACE + s;
            if index >= workloads {
                break;
            }
            let name = format!("svc{s}");
            doc(
                &mut text,
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}, tier: t{}}}}}\n    spec:\n      serviceAccountName: {name}\n      containers: [{{name: app, image: example/app:1, ports: [{{containerPort: 8080, name: http}}, {{containerPort: 9090, name: metrics}}]}}]\n",
                    s % 4
                ),
            );
            doc(
                &mut text,
                format!(
                    "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{name: http, port: 80, targetPort: http}}, {{name: metrics, port: 9090, targetPort: 9090}}]\n"
                ),
            );
            let callers: Vec<String> = [(n, s + 1), (n + 1, s), (n + 13, s + 5)]
                .iter()
                .map(|(cn, cs)| {
                    format!(
                        "\"cluster.local/ns/ns{}/sa/svc{}\"",
                        cn % namespaces,
                        cs % PER_NAMESPACE
                    )
                })
                .collect();
            if s % 8 == 0 {
                doc(
                    &mut text,
                    format!(
                        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{selector: {{matchLabels: {{app: {name}}}}}, mtls: {{mode: UNSET}}, portLevelMtls: {{9090: {{mode: PERMISSIVE}}}}}}\n"
                    ),
                );
                policies += 1;
            }
            if s % 4 == 3 {
                continue; // a quarter of the services have no ALLOW of their own: allow-nothing holds
            }
            doc(
                &mut text,
                format!(
                    "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  action: ALLOW\n  rules:\n    - from: [{{source: {{principals: [{}]}}}}]\n      to: [{{operation: {{methods: [GET, POST], paths: [\"/api/*\"], ports: [\"8080\"]}}}}]\n    - from: [{{source: {{namespaces: [monitoring, ns{}]}}}}]\n      to: [{{operation: {{ports: [\"9090\"]}}}}]\n",
                    callers.join(", "),
                    n
                ),
            );
            policies += 1;
        }
    }
    (text, policies)
}

fn main() {
    let workloads: usize = std::env::var("MESHWRIGHT_BENCH_WORKLOADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let (text, policies) = manifests(workloads);
    let start = Instant::now();
    // One file holds at most 1,024 documents (the loader's budget): parse in files of 500.
    let documents: Vec<&str> = text.split("---\n").filter(|d| !d.is_empty()).collect();
    let objects: Vec<_> = documents
        .chunks(500)
        .enumerate()
        .flat_map(|(i, chunk)| {
            let file = format!("bench-{i}.yaml");
            parse_documents(Path::new(&file), chunk.join("---\n").as_bytes()).expect("valid YAML")
        })
        .collect();
    let parse = start.elapsed();
    let mut builds = Vec::new();
    let mut matrices = Vec::new();
    let mut summary = (0, 0, 0);
    for _ in 0..RUNS {
        let start = Instant::now();
        let model = Model::new("bench", &objects, "cluster.local");
        builds.push(start.elapsed());
        let start = Instant::now();
        let matrix = model.matrix();
        matrices.push(start.elapsed());
        summary = (
            model.workloads().len(),
            matrix.len(),
            matrix.edges().filter(|e| e.allowed).count(),
        );
    }
    let (count, edges, allowed) = summary;
    println!(
        "policy: {count} workloads, {policies} policies, {} objects ({:.1} MiB of YAML, parsed in {:.0?})",
        objects.len(),
        text.len() as f64 / 1_048_576.0,
        parse
    );
    println!(
        "  model {:.0?}, matrix {:.0?} (median of {RUNS}): {edges} edges, {allowed} allowed",
        median(builds),
        median(matrices)
    );
    println!("  peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
}
