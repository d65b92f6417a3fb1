//! `audit --cluster`: the mesh health check platform teams otherwise run by hand — pods in
//! mesh namespaces running without a sidecar, cert-manager Certificates that are not ready
//! or expire within the window, PeerAuthentications that are not STRICT, and mTLS coverage
//! per namespace (pods with a sidecar whose effective PeerAuthentication mode is STRICT).
//!
//! [`audit`] works on objects already read, so it is the same for any source; [`run`] reads
//! them from the cluster.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value;

use crate::manifest::{Node, Origin};
use crate::policy::ROOT_NAMESPACE;
use crate::policy::peer::{PeerAuthentication, PeerMode, PeerPolicies};
use crate::policy::workload::{Inventory, Labels, sidecar_injected};

use super::read::{self, Namespaces, Progress, Unread, WantedKind};
use super::{ClusterError, connect};

/// Namespaces of Kubernetes itself, left out of coverage.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// A pod in a mesh namespace without an Istio proxy.
#[derive(Debug, Clone, Serialize)]
pub struct PodWithoutSidecar {
    pub namespace: String,
    pub name: String,
    /// Why: opted out by label/annotation, or created before injection was enabled.
    pub reason: String,
}

/// A Certificate that is not ready or expires soon.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateProblem {
    pub namespace: String,
    pub name: String,
    pub ready: bool,
    /// `status.notAfter`, when the certificate has been issued.
    pub not_after: Option<String>,
    /// Whole days until `notAfter` (negative: expired).
    pub days_left: Option<i64>,
    pub message: String,
}

/// A PeerAuthentication that lets plain text in.
#[derive(Debug, Clone, Serialize)]
pub struct WeakPeerAuthentication {
    pub namespace: String,
    pub name: String,
    /// `PERMISSIVE`, `DISABLE`, or `port 8080: PERMISSIVE`.
    pub mode: String,
    /// `mesh`, `namespace` or `workload`.
    pub scope: String,
}

/// Coverage of one namespace.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub namespace: String,
    /// Whether the namespace asks for injection.
    pub mesh: bool,
    pub pods: usize,
    pub with_sidecar: usize,
    /// Pods with a sidecar whose effective mode is STRICT.
    pub strict: usize,
    pub percent: f64,
}

/// Everything the audit found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    pub context: String,
    /// The window certificates were checked against, and where it came from.
    pub expiry_window: String,
    pub pods_without_sidecar: Vec<PodWithoutSidecar>,
    pub certificates: Vec<CertificateProblem>,
    pub peer_authentications: Vec<WeakPeerAuthentication>,
    pub coverage: Vec<Coverage>,
    /// Remarks that are not problems of one object (no mesh-wide policy, ...).
    pub notes: Vec<String>,
    /// What could not be read: the audit is partial.
    pub unread: Vec<Unread>,
}

impl Audit {
    /// Whether anything needs attention (exit code 1).
    pub fn has_problems(&self) -> bool {
        !self.pods_without_sidecar.is_empty()
            || !self.certificates.is_empty()
            || !self.peer_authentications.is_empty()
    }
}

/// Reads what the audit needs from the cluster and audits it.
pub async fn run(
    target: &connect::Target,
    window: SignedDuration,
    progress: Progress<'_>,
) -> Result<Audit, ClusterError> {
    let connection = connect::connect(target).await?;
    let wanted = [
        WantedKind::new("", "Namespace"),
        WantedKind::new("", "Pod"),
        WantedKind::new("security.istio.io", "PeerAuthentication"),
        WantedKind::new("cert-manager.io", "Certificate"),
    ];
    let live = read::read(&connection, &wanted, &Namespaces::All, progress)
        .await
        .map_err(|e| connection.locate(e))?;
    let mut found = audit(&live.objects, Timestamp::now(), window);
    found.context = connection.context;
    found.unread = live.unread;
    for kind in live.unserved {
        found
            .notes
            .push(format!("{kind} is not served by the cluster: not audited"));
    }
    Ok(found)
}

/// Audits `objects` (live JSON) as of `now`, flagging certificates expiring within `window`.
pub fn audit(objects: &[Value], now: Timestamp, window: SignedDuration) -> Audit {
    let origin = Origin::new(Arc::from(Path::new("cluster")), 1, 1);
    let of_kind = |kind: &'static str| {
        objects
            .iter()
            .filter(move |o| o.get("kind").and_then(Value::as_str) == Some(kind))
    };
    let namespaces: Vec<Node> = of_kind("Namespace")
        .map(|o| Node::from_json(o, &origin))
        .collect();
    let peer_nodes: Vec<Node> = of_kind("PeerAuthentication")
        .map(|o| Node::from_json(o, &origin))
        .collect();
    let peer = PeerPolicies::new(
        peer_nodes
            .iter()
            .filter_map(PeerAuthentication::read)
            .collect(),
    );
    let pods: Vec<&Value> = of_kind("Pod").filter(|pod| is_running(pod)).collect();
    let inventory_input: Vec<Node> = namespaces
        .iter()
        .cloned()
        .chain(pods.iter().map(|pod| Node::from_json(pod, &origin)))
        .collect();
    let inventory = Inventory::read(&inventory_input);
    let mut audit = Audit::default();
    let mut coverage: BTreeMap<String, Coverage> = BTreeMap::new();
    // Live pods all have names and are unique per namespace: one workload per pod, in order.
    for (pod, workload) in pods.iter().zip(&inventory.workloads) {
        let namespace_labels = inventory.namespaces.get(&workload.namespace);
        let mesh = is_mesh_namespace(namespace_labels);
        let proxy = has_proxy(pod);
        let strict =
            proxy && peer.resolve(peer.for_workload(workload), None).mode == PeerMode::Strict;
        if !SYSTEM_NAMESPACES.contains(&workload.namespace.as_str()) {
            let entry = coverage
                .entry(workload.namespace.clone())
                .or_insert_with(|| Coverage {
                    namespace: workload.namespace.clone(),
                    mesh,
                    pods: 0,
                    with_sidecar: 0,
                    strict: 0,
                    percent: 0.0,
                });
            entry.pods += 1;
            entry.with_sidecar += usize::from(proxy);
            entry.strict += usize::from(strict);
        }
        if mesh && !proxy {
            let annotations = labels_at(pod, "/metadata/annotations");
            let reason = if sidecar_injected(namespace_labels, &workload.labels, &annotations) {
                "created without injection (before the namespace was labelled, or the \
                 injector was down): restart it"
            } else {
                "opted out of injection (sidecar.istio.io/inject: \"false\")"
            };
            audit.pods_without_sidecar.push(PodWithoutSidecar {
                namespace: workload.namespace.clone(),
                name: workload.name.clone(),
                reason: reason.to_string(),
            });
        }
    }
    audit.coverage = coverage
        .into_values()
        .map(|mut c| {
            c.percent = if c.pods == 0 {
                0.0
            } else {
                (c.strict as f64 * 1000.0 / c.pods as f64).round() / 10.0
            };
            c
        })
        .collect();
    audit.peer_authentications = weak_peer_authentications(&peer);
    if !peer
        .policies
        .iter()
        .any(|p| p.namespace == ROOT_NAMESPACE && p.selector.is_none())
    {
        audit.notes.push(format!(
            "no mesh-wide PeerAuthentication in {ROOT_NAMESPACE}: workloads without their own \
             policy accept plain text (Istio's default is PERMISSIVE)"
        ));
    }
    audit.certificates = of_kind("Certificate")
        .filter_map(|certificate| certificate_problem(certificate, now, window))
        .collect();
    audit
}

/// Pods that still run (completed Job pods are not part of the mesh any more).
fn is_running(pod: &Value) -> bool {
    !matches!(
        pod.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    )
}

/// Whether the pod runs an Istio proxy, as a container or as a native sidecar.
fn has_proxy(pod: &Value) -> bool {
    ["/spec/containers", "/spec/initContainers"]
        .iter()
        .filter_map(|pointer| pod.pointer(pointer).and_then(Value::as_array))
        .flatten()
        .any(|container| container.get("name").and_then(Value::as_str) == Some("istio-proxy"))
}

fn is_mesh_namespace(labels: Option<&Labels>) -> bool {
    labels.is_some_and(|labels| {
        labels.get("istio-injection").map(String::as_str) == Some("enabled")
            || (labels.contains_key("istio.io/rev")
                && labels.get("istio-injection").map(String::as_str) != Some("disabled"))
    })
}

fn labels_at(object: &Value, pointer: &str) -> Labels {
    object
        .pointer(pointer)
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// PeerAuthentications with a PERMISSIVE or DISABLE mode, by namespace and name.
fn weak_peer_authentications(peer: &PeerPolicies) -> Vec<WeakPeerAuthentication> {
    let weak = |mode: PeerMode| matches!(mode, PeerMode::Permissive | PeerMode::Disable);
    let mut found: Vec<WeakPeerAuthentication> = peer
        .policies
        .iter()
        .filter_map(|policy| {
            let mut modes: Vec<String> = Vec::new();
            if weak(policy.mode) {
                modes.push(policy.mode.as_str().to_string());
            }
            modes.extend(
                policy
                    .port_modes
                    .iter()
                    .filter(|(_, mode)| weak(*mode))
                    .map(|(port, mode)| format!("port {port}: {}", mode.as_str())),
            );
            let scope = if policy.selector.is_some() {
                "workload"
            } else if policy.namespace == ROOT_NAMESPACE {
                "mesh"
            } else {
                "namespace"
            };
            (!modes.is_empty()).then(|| WeakPeerAuthentication {
                namespace: policy.namespace.clone(),
                name: policy.name.clone(),
                mode: modes.join(", "),
                scope: scope.to_string(),
            })
        })
        .collect();
    found.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    found
}

/// The problem with a Certificate, if it has one.
fn certificate_problem(
    certificate: &Value,
    now: Timestamp,
    window: SignedDuration,
) -> Option<CertificateProblem> {
    let text = |pointer: &str| {
        certificate
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let ready_condition = certificate
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|conditions| {
            conditions
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        });
    let ready = ready_condition
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True");
    let not_after = certificate
        .pointer("/status/notAfter")
        .and_then(Value::as_str)
        .map(str::to_string);
    let expires: Option<Timestamp> = not_after.as_deref().and_then(|t| t.parse().ok());
    let days_left = expires.map(|t| t.duration_since(now).as_secs().div_euclid(86_400));
    let expiring = expires.is_some_and(|t| t.duration_since(now) < window);
    if ready && !expiring {
        return None;
    }
    let mut message = Vec::new();
    if !ready {
        let reason = ready_condition
            .map(|c| {
                let field = |name: &str| c.get(name).and_then(Value::as_str).unwrap_or_default();
                format!("{} {}", field("reason"), field("message"))
                    .trim()
                    .to_string()
            })
            .filter(|reason| !reason.is_empty())
            .unwrap_or_else(|| "no Ready condition yet".to_string());
        message.push(format!("not ready: {reason}"));
    }
    if let (true, Some(expires), Some(days)) = (expiring, expires, days_left) {
        message.push(if expires < now {
            format!("expired {} day(s) ago", -days)
        } else {
            format!("expires in {days} day(s)")
        });
    }
    Some(CertificateProblem {
        namespace: text("/metadata/namespace"),
        name: text("/metadata/name"),
        ready,
        not_after,
        days_left,
        message: message.join("; "),
    })
}
