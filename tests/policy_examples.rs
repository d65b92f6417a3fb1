//! The generated example repositories have a known ground truth: each service in mesh.yaml
//! declares its callers (and the ingress routes name the services the gateway calls). The
//! computed allowed edges between those workloads must be exactly the declared ones, all
//! over mTLS.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use meshwright::findings::Severity;
use meshwright::manifest::parse_documents;
use meshwright::policy::{Mtls, load};
use serde_json::Value;

const INGRESS: &str = "istio-ingress/istio-ingressgateway";

/// (cluster, caller, callee) edges and the ports a caller is limited to, from mesh.yaml.
struct Truth {
    workloads: BTreeSet<(String, String)>,
    edges: BTreeSet<(String, String, String)>,
    ports: Vec<((String, String, String), Vec<u64>)>,
}

fn truth(example: &str) -> Truth {
    let text = common::example_text(example);
    let intent = parse_documents(Path::new("mesh.yaml"), text.as_bytes()).unwrap()[0].to_json();
    let spec = &intent["spec"];
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let clusters: Vec<String> = list(&spec["clusters"])
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    let platform = spec["platform"]["namespace"].as_str().unwrap_or("platform");
    // service name → (namespace, clusters it runs on)
    let place = |service: &Value| -> (String, Vec<String>) {
        match service["tenant"].as_str() {
            None => (platform.to_string(), clusters.clone()),
            Some(tenant) => {
                let tenant = list(&spec["tenants"])
                    .into_iter()
                    .find(|t| t["name"] == tenant)
                    .expect("declared tenant");
                let namespace = tenant["namespace"]
                    .as_str()
                    .unwrap_or(tenant["name"].as_str().unwrap());
                let on = tenant["clusters"]
                    .as_array()
                    .map(|c| c.iter().map(|c| c.as_str().unwrap().to_string()).collect())
                    .unwrap_or_else(|| clusters.clone());
                (namespace.to_string(), on)
            }
        }
    };
    let services = list(&spec["services"]);
    let find = |name: &str| {
        let service = services
            .iter()
            .find(|s| s["name"] == name)
            .expect("declared");
        let (namespace, on) = place(service);
        (format!("{namespace}/{name}"), on)
    };
    let mut truth = Truth {
        workloads: BTreeSet::new(),
        edges: BTreeSet::new(),
        ports: Vec::new(),
    };
    for service in &services {
        let (to, on) = find(service["name"].as_str().unwrap());
        for cluster in &on {
            truth.workloads.insert((cluster.clone(), to.clone()));
        }
        for caller in list(&service["callers"]) {
            let (from, caller_on) = find(caller["service"].as_str().unwrap());
            for cluster in on.iter().filter(|c| caller_on.contains(c)) {
                let key = (cluster.clone(), from.clone(), to.clone());
                truth.edges.insert(key.clone());
                if let Some(ports) = caller["ports"].as_array() {
                    truth
                        .ports
                        .push((key, ports.iter().filter_map(Value::as_u64).collect()));
                }
            }
        }
    }
    for cluster in list(&spec["clusters"]) {
        let name = cluster["name"].as_str().unwrap().to_string();
        for route in list(&cluster["ingress"]["routes"]) {
            let (to, _) = find(route["service"].as_str().unwrap());
            truth.edges.insert((name.clone(), INGRESS.to_string(), to));
        }
        if cluster["ingress"].is_object() {
            truth.workloads.insert((name, INGRESS.to_string()));
        }
    }
    truth
}

fn intent_trust_domain(example: &str) -> String {
    let text = common::example_text(example);
    let intent = parse_documents(Path::new("mesh.yaml"), text.as_bytes()).unwrap()[0].to_json();
    intent["spec"]["trustDomain"].as_str().unwrap().to_string()
}

fn check(example: &str) {
    let truth = truth(example);
    let (_temp, repo) = common::init_example(example);
    let loaded = load(&[repo], None).expect("repo loads");
    let errors: Vec<_> = loaded
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let domain = intent_trust_domain(example);
    assert!(loaded.models.iter().all(|m| m.trust_domain == domain));
    let mut computed = BTreeSet::new();
    for model in &loaded.models {
        let matrix = model.matrix();
        let workloads = model.workloads();
        for edge in matrix.edges() {
            let from = workloads[edge.from as usize].id();
            let to = workloads[edge.to as usize].id();
            let key = (model.cluster.clone(), from, to);
            // The ingress gateway takes traffic from anyone on its listener ports by design.
            let declared = key.2 != INGRESS
                && truth.workloads.contains(&(key.0.clone(), key.2.clone()))
                && truth.workloads.contains(&(key.0.clone(), key.1.clone()));
            if !declared || !edge.allowed {
                continue;
            }
            assert_eq!(edge.mtls, Mtls::Mtls, "{key:?} is not mTLS");
            assert!(!matrix.decision(edge).conditional, "{key:?} is conditional");
            if let Some((_, ports)) = truth.ports.iter().find(|(k, _)| k == &key) {
                let port = edge
                    .port
                    .expect("a caller limited to ports gets per-port edges");
                assert!(
                    ports.contains(&u64::from(port)),
                    "{key:?} allowed on {port}"
                );
            }
            computed.insert(key);
        }
    }
    let missing: Vec<_> = truth.edges.difference(&computed).collect();
    let extra: Vec<_> = computed.difference(&truth.edges).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "declared but not allowed: {missing:#?}\nallowed but not declared: {extra:#?}"
    );
    assert!(!truth.edges.is_empty());
}

#[test]
fn edge_example_allows_exactly_the_declared_callers() {
    check("edge");
}

#[test]
fn saas_example_allows_exactly_the_declared_callers() {
    check("saas");
}

/// `partial_matrix` evaluates only some edges, which must come out as in the full matrix.
#[test]
fn a_partial_matrix_holds_exactly_the_full_matrix_edges_it_selects() {
    let (_temp, repo) = common::init_example("saas");
    let loaded = load(&[repo], None).expect("repo loads");
    let key = |e: &meshwright::policy::Edge| (e.from, e.to, e.port, e.allowed, e.mtls);
    for model in &loaded.models {
        let count = model.workloads().len();
        let callers: Vec<bool> = (0..count).map(|i| i % 3 == 0).collect();
        let callees: Vec<bool> = (0..count).map(|i| i % 4 == 1).collect();
        let expected: Vec<_> = model
            .matrix()
            .edges()
            .filter(|e| callers[e.from as usize] || callees[e.to as usize])
            .map(key)
            .collect();
        let partial: Vec<_> = model
            .partial_matrix(&callers, &callees, &[])
            .edges()
            .map(key)
            .collect();
        assert!(!expected.is_empty(), "{}", model.cluster);
        assert_eq!(partial, expected, "{}", model.cluster);
    }
}
