//! `audit --cluster`: the mesh health check platform teams otherwise run by hand — pods in
//! mesh namespaces running without a sidecar, cert-manager Certificates that are not ready
//! or expire within the window, PeerAuthentications that are not STRICT, and mTLS coverage
//! per namespace (pods with a sidecar whose effective PeerAuthentication mode is STRICT).
//!
//! A part of the audit whose input could not be read (forbidden, failed, or not served) is
//! not reported as clean: its [`Section`] says what is unknown and why ("unknown: pods not
//! read"), and so does a note, instead of counts of 0 and 0 % coverage.
//!
//! [`audit`] works on objects already read, so it is the same for any source; [`run`] reads
//! them from the cluster.

use std::collections::{BTreeMap, HashMap};
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

/// Namespaces of Kubernetes itself (`kube-system`, `kube-public`, ...) start with this; they
/// are left out of coverage.
const SYSTEM_NAMESPACE_PREFIX: &str = "kube-";

/// The kinds the audit reads: group, kind, and how a missing one is named.
const AUDITED: &[(&str, &str, &str)] = &[
    ("", "Namespace", "namespaces"),
    ("", "Pod", "pods"),
    (
        "security.istio.io",
        "PeerAuthentication",
        "PeerAuthentications",
    ),
    ("cert-manager.io", "Certificate", "Certificates"),
];

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

/// One part of the audit: what it found, or — when a kind it needs was not read — why it is
/// unknown. As JSON: the list, or the string `"unknown: <reason>"`.
#[derive(Debug, Clone)]
pub struct Section<T> {
    found: Vec<T>,
    unknown: Option<String>,
}

impl<T> Default for Section<T> {
    fn default() -> Section<T> {
        Section::from(Vec::new())
    }
}

impl<T> From<Vec<T>> for Section<T> {
    fn from(found: Vec<T>) -> Section<T> {
        Section {
            found,
            unknown: None,
        }
    }
}

impl<T> Section<T> {
    /// Why the section is unknown, if it is.
    pub fn unknown(&self) -> Option<&str> {
        self.unknown.as_deref()
    }
}

/// What was found (nothing, when unknown).
impl<T> std::ops::Deref for Section<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.found
    }
}

impl<'a, T> IntoIterator for &'a Section<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.found.iter()
    }
}

impl<T: Serialize> Serialize for Section<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.unknown {
            Some(reason) => serializer.serialize_str(&format!("unknown: {reason}")),
            None => self.found.serialize(serializer),
        }
    }
}

/// Everything the audit found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    pub context: String,
    /// The window certificates were checked against, and where it came from.
    pub expiry_window: String,
    pub pods_without_sidecar: Section<PodWithoutSidecar>,
    pub certificates: Section<CertificateProblem>,
    pub peer_authentications: Section<WeakPeerAuthentication>,
    pub coverage: Section<Coverage>,
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
    let wanted: Vec<WantedKind> = AUDITED
        .iter()
        .map(|(group, kind, _)| WantedKind::new(group, kind))
        .collect();
    let live = read::read(&connection, &wanted, &Namespaces::All, progress)
        .await
        .map_err(|e| connection.locate(e))?;
    let missing: BTreeMap<&str, &str> = AUDITED
        .iter()
        .filter(|(group, kind, _)| !live.complete(group, kind))
        .map(|(group, kind, _)| {
            let served = live
                .served
                .contains_key(&(group.to_string(), kind.to_string()));
            (*kind, if served { "not read" } else { "not served" })
        })
        .collect();
    let mut found = audit(&live.objects, &missing, Timestamp::now(), window);
    found.context = connection.context;
    // Kinds the cluster does not serve are in `missing`: their notes say what is unknown.
    found.unread = live.unread;
    Ok(found)
}

/// Audits `objects` (live JSON) as of `now`, flagging certificates expiring within `window`.
/// `missing` are the kinds (`Pod`, `Namespace`, `PeerAuthentication`, `Certificate`) that
/// were not read completely, with why (`not read`, `not served`): what depends on them is
/// unknown.
pub fn audit(
    objects: &[Value],
    missing: &BTreeMap<&str, &str>,
    now: Timestamp,
    window: SignedDuration,
) -> Audit {
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
    // Each workload is the pod of its namespace and name (the first, as the inventory keeps
    // it); a pod the inventory skipped (no name, a duplicate) has none.
    let mut by_identity: HashMap<(&str, &str), &Value> = HashMap::new();
    for pod in &pods {
        let text = |pointer: &str| pod.pointer(pointer).and_then(Value::as_str);
        if let Some(name) = text("/metadata/name") {
            let namespace = text("/metadata/namespace").unwrap_or("default");
            by_identity.entry((namespace, name)).or_insert(pod);
        }
    }
    let mut pods_without_sidecar = Vec::new();
    let mut coverage: BTreeMap<String, Coverage> = BTreeMap::new();
    for workload in inventory.workloads.iter().filter(|w| w.kind == "Pod") {
        let identity = (workload.namespace.as_str(), workload.name.as_str());
        let Some(pod) = by_identity.get(&identity) else {
            continue;
        };
        let namespace_labels = inventory.namespaces.get(&workload.namespace);
        let mesh = is_mesh_namespace(namespace_labels);
        let proxy = has_proxy(pod);
        let strict =
            proxy && peer.resolve(peer.for_workload(workload), None).mode == PeerMode::Strict;
        if !workload.namespace.starts_with(SYSTEM_NAMESPACE_PREFIX) {
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
            pods_without_sidecar.push(PodWithoutSidecar {
                namespace: workload.namespace.clone(),
                name: workload.name.clone(),
                reason: reason.to_string(),
            });
        }
    }
    let coverage: Vec<Coverage> = coverage
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
    let certificates: Vec<CertificateProblem> = of_kind("Certificate")
        .filter_map(|certificate| certificate_problem(certificate, now, window))
        .collect();
    let mut audit = Audit {
        pods_without_sidecar: pods_without_sidecar.into(),
        certificates: certificates.into(),
        peer_authentications: weak_peer_authentications(&peer).into(),
        coverage: coverage.into(),
        ..Audit::default()
    };
    let unknown = |kinds: &[&str]| {
        let reasons: Vec<String> = AUDITED
            .iter()
            .filter(|(_, kind, _)| kinds.contains(kind))
            .filter_map(|(_, kind, name)| missing.get(kind).map(|why| format!("{name} {why}")))
            .collect();
        (!reasons.is_empty()).then(|| reasons.join(", "))
    };
    let mesh_wide = peer
        .policies
        .iter()
        .any(|p| p.namespace == ROOT_NAMESPACE && p.selector.is_none());
    match unknown(&["PeerAuthentication"]) {
        Some(reason) => audit.notes.push(format!(
            "whether a mesh-wide PeerAuthentication exists in {ROOT_NAMESPACE} is unknown: \
             {reason}"
        )),
        None if !mesh_wide => audit.notes.push(format!(
            "no mesh-wide PeerAuthentication in {ROOT_NAMESPACE}: workloads without their own \
             policy accept plain text (Istio's default is PERMISSIVE)"
        )),
        None => {}
    }
    forget(
        &mut audit.pods_without_sidecar,
        "pods without a sidecar",
        unknown(&["Pod", "Namespace"]),
        &mut audit.notes,
    );
    forget(
        &mut audit.certificates,
        "certificates not ready or expiring",
        unknown(&["Certificate"]),
        &mut audit.notes,
    );
    forget(
        &mut audit.peer_authentications,
        "PeerAuthentications that are not STRICT",
        unknown(&["PeerAuthentication"]),
        &mut audit.notes,
    );
    forget(
        &mut audit.coverage,
        "mTLS coverage",
        unknown(&["Pod", "Namespace", "PeerAuthentication"]),
        &mut audit.notes,
    );
    audit
}

/// Makes `section` unknown for `reason` (when there is one), with a note naming it.
fn forget<T>(
    section: &mut Section<T>,
    what: &str,
    reason: Option<String>,
    notes: &mut Vec<String>,
) {
    if let Some(reason) = reason {
        notes.push(format!("{what}: unknown: {reason}"));
        section.found.clear();
        section.unknown = Some(reason);
    }
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
