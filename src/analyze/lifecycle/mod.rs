//! Workload lifecycle analyzers (MW7xx): batch workloads in the mesh, whose pods must start
//! after their proxy, end when their job does, and hold a valid workload certificate while
//! they run.
//!
//! They share the mesh-wide proxy settings of istiod's configuration (Helm values or an
//! IstioOperator) and each Job's or CronJob's pod template and proxy configuration.

pub mod job_outlives_workload_certificate;
pub mod job_without_sidecar_exit;

use crate::analyze::Repo;
use crate::manifest::{Node, Value, parse_documents};
use crate::policy::workload::Workload;
use crate::schema::admission;

/// Istio's default workload certificate lifetime, 24h.
const DEFAULT_WORKLOAD_CERT_TTL: f64 = 24.0 * 3600.0;

/// A Job or CronJob whose pods run an Istio sidecar.
pub struct Job<'a> {
    pub object: &'a Node,
    /// Its pod template.
    pub pod: &'a Node,
    /// The pod template's `proxy.istio.io/config`, parsed.
    pub proxy_config: Option<Node>,
}

impl Job<'_> {
    pub fn annotation(&self, key: &str) -> Option<&Node> {
        self.pod.at(&["metadata", "annotations", key])
    }
}

/// The Jobs and CronJobs of cluster `cluster` that get a sidecar.
pub fn injected_jobs<'a>(repo: &Repo<'a>, cluster: usize) -> Vec<Job<'a>> {
    let cluster = &repo.clusters[cluster];
    cluster
        .model
        .inventory
        .workloads
        .iter()
        .filter(|w| w.sidecar && matches!(w.kind.as_str(), "Job" | "CronJob"))
        .filter_map(|w| {
            let object = cluster.objects.iter().find(|o| is(o, w))?;
            let pod = if w.kind == "CronJob" {
                object.at(&["spec", "jobTemplate", "spec", "template"])?
            } else {
                object.at(&["spec", "template"])?
            };
            let proxy_config = pod
                .at(&["metadata", "annotations", "proxy.istio.io/config"])
                .and_then(Node::as_str)
                .and_then(|text| {
                    parse_documents(&pod.origin.file, text.as_bytes())
                        .ok()?
                        .into_iter()
                        .next()
                });
            Some(Job {
                object,
                pod,
                proxy_config,
            })
        })
        .collect()
}

fn is(object: &Node, workload: &Workload) -> bool {
    object.str_at(&["kind"]) == Some(&workload.kind)
        && object.str_at(&["metadata", "name"]) == Some(&workload.name)
        && object
            .str_at(&["metadata", "namespace"])
            .unwrap_or("default")
            == workload.namespace
}

/// Whether a YAML value means true (`true` or `"true"`).
pub fn truthy(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The mesh-wide proxy settings istiod's configuration in the cluster gives.
#[derive(Default)]
pub struct MeshSettings<'a> {
    /// `meshConfig.defaultConfig.holdApplicationUntilProxyStarts`.
    pub hold: bool,
    /// `ENABLE_NATIVE_SIDECARS` in istiod's environment.
    pub native: bool,
    /// The workload certificate TTL setting (`SECRET_TTL` proxy metadata, else istiod's
    /// `DEFAULT_WORKLOAD_CERT_TTL`), if configured.
    pub ttl: Option<&'a Node>,
}

impl MeshSettings<'_> {
    /// Workload certificate lifetime in seconds.
    pub fn ttl_seconds(&self) -> f64 {
        self.ttl
            .and_then(Node::as_str)
            .and_then(admission::duration_seconds)
            .unwrap_or(DEFAULT_WORKLOAD_CERT_TTL)
    }
}

/// The settings of cluster `cluster`, from its Helm values and IstioOperators.
pub fn mesh_settings<'a>(repo: &Repo<'a>, cluster: usize) -> MeshSettings<'a> {
    let mut settings = MeshSettings::default();
    let operators = repo.clusters[cluster]
        .objects
        .iter()
        .filter(|o| o.str_at(&["kind"]) == Some("IstioOperator"))
        .filter_map(|o| Some((o.at(&["spec"])?, o.at(&["spec", "values"])?)));
    let documents = repo.values[cluster].iter().map(|v| (v, v)).chain(operators);
    for (mesh, values) in documents {
        let default_config = mesh.at(&["meshConfig", "defaultConfig"]);
        let env = values.at(&["pilot", "env"]);
        settings.hold |=
            truthy(default_config.and_then(|c| c.get("holdApplicationUntilProxyStarts")));
        settings.native |= truthy(env.and_then(|e| e.get("ENABLE_NATIVE_SIDECARS")));
        settings.ttl = settings
            .ttl
            .or(default_config.and_then(|c| c.at(&["proxyMetadata", "SECRET_TTL"])))
            .or(env.and_then(|e| e.get("DEFAULT_WORKLOAD_CERT_TTL")));
    }
    settings
}
