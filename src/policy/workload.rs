//! The workloads, Services and Namespaces of one cluster, read from rendered objects.
//!
//! A workload is a pod controller (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
//! CronJob) or a bare Pod, named `<namespace>/<name>`: its pod template's labels, service
//! account (`default` when unset), container ports, and whether it runs an Istio sidecar
//! (namespace `istio-injection=enabled` or `istio.io/rev`, overridden per pod by
//! `sidecar.istio.io/inject`; an `istio-proxy` container means it was injected already).
//! Host-network pods are never injected. A gateway (a proxy started as `router`, or injected
//! with the `gateway` template) runs a proxy but is not a sidecar in front of an application.

use std::collections::BTreeMap;

use crate::manifest::{Node, Origin};

/// Labels of a pod, a namespace, or a selector.
pub type Labels = BTreeMap<String, String>;

/// A pod controller or bare Pod.
#[derive(Debug, Clone)]
pub struct Workload {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// Pod template labels.
    pub labels: Labels,
    pub service_account: String,
    /// Container ports, with their names.
    pub container_ports: Vec<(Option<String>, u16)>,
    /// Whether the pods run an Istio proxy (a sidecar, or a gateway's own proxy): they hold
    /// a mesh identity and speak mTLS.
    pub sidecar: bool,
    /// Whether the proxy is a gateway's (started as `router`, or injected with the `gateway`
    /// template) rather than a sidecar in front of an application.
    pub gateway: bool,
    /// Where the controller is written (its `metadata.name`).
    pub origin: Origin,
}

impl Workload {
    /// `<namespace>/<name>`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A Kubernetes Service port; `target` is a number or a container port name.
#[derive(Debug, Clone)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Number(u16),
    Name(String),
}

/// A Service with a selector.
#[derive(Debug, Clone)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    pub selector: Labels,
    pub ports: Vec<ServicePort>,
}

impl Service {
    /// `<name>.<namespace>.svc.cluster.local`.
    pub fn host(&self) -> String {
        format!("{}.{}.svc.cluster.local", self.name, self.namespace)
    }

    /// Whether the Service sends traffic to `workload`.
    pub fn selects(&self, workload: &Workload) -> bool {
        self.namespace == workload.namespace
            && !self.selector.is_empty()
            && matches_labels(&self.selector, &workload.labels)
    }

    /// The workload port a Service port sends to, resolving named target ports.
    pub fn target_port(&self, port: &ServicePort, workload: &Workload) -> Option<u16> {
        match &port.target {
            Target::Number(n) => Some(*n),
            Target::Name(name) => workload
                .container_ports
                .iter()
                .find(|(n, _)| n.as_deref() == Some(name.as_str()))
                .map(|(_, p)| *p),
        }
    }
}

/// Whether every key of `selector` has the same value in `labels`.
pub fn matches_labels(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Everything of one cluster the policy model needs besides the policies.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    /// Namespace name → labels, for namespaces the repository declares.
    pub namespaces: BTreeMap<String, Labels>,
}

const CONTROLLERS: [&str; 6] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
];

impl Inventory {
    /// Reads workloads, Services and Namespaces from `objects` (duplicates keep the first).
    pub fn read(objects: &[Node]) -> Inventory {
        let mut inventory = Inventory::default();
        for object in objects {
            if object.str_at(&["kind"]) == Some("Namespace")
                && let Some(name) = object.str_at(&["metadata", "name"])
            {
                inventory
                    .namespaces
                    .entry(name.to_string())
                    .or_insert_with(|| labels(object.at(&["metadata", "labels"])));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for object in objects {
            let kind = object.str_at(&["kind"]).unwrap_or_default();
            let namespace = object
                .str_at(&["metadata", "namespace"])
                .unwrap_or("default");
            let Some(name) = object.str_at(&["metadata", "name"]) else {
                continue;
            };
            if !seen.insert((kind.to_string(), namespace.to_string(), name.to_string())) {
                continue;
            }
            if kind == "Service" {
                inventory.services.extend(service(object, namespace, name));
            }
            if let Some(pod) = pod_template(object) {
                let origin = object
                    .at(&["metadata", "name"])
                    .map_or_else(|| object.origin.clone(), |n| n.origin.clone());
                let workload = workload(kind, namespace, name, pod, origin, &inventory);
                inventory.workloads.push(workload);
            }
        }
        inventory
    }
}

/// The pod a workload object runs: a bare Pod itself, a controller's pod template.
pub fn pod_template(object: &Node) -> Option<&Node> {
    match object.str_at(&["kind"])? {
        "Pod" => Some(object),
        "CronJob" => object.at(&["spec", "jobTemplate", "spec", "template"]),
        kind if CONTROLLERS.contains(&kind) => object.at(&["spec", "template"]),
        _ => None,
    }
}

/// The labels (or annotations) of a metadata map, values as text; others are skipped.
pub(crate) fn labels(node: Option<&Node>) -> Labels {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| scalar(v).map(|v| (k.clone(), v)))
        .collect()
}

/// A scalar as text (labels and annotations are strings, but YAML may say `true`).
pub(crate) fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        crate::manifest::Value::String(s) => Some(s.clone()),
        crate::manifest::Value::Bool(b) => Some(b.to_string()),
        crate::manifest::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A port number written as a number or a string.
pub(crate) fn port_number(node: &Node) -> Option<u16> {
    scalar(node)?.parse().ok()
}

fn workload(
    kind: &str,
    namespace: &str,
    name: &str,
    pod: &Node,
    origin: Origin,
    inventory: &Inventory,
) -> Workload {
    let pod_labels = labels(pod.at(&["metadata", "labels"]));
    let annotations = labels(pod.at(&["metadata", "annotations"]));
    let spec = pod.get("spec");
    let service_account = spec
        .and_then(|s| {
            s.str_at(&["serviceAccountName"])
                .or(s.str_at(&["serviceAccount"]))
        })
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string();
    let containers = spec
        .and_then(|s| s.get("containers"))
        .and_then(Node::as_seq)
        .unwrap_or_default();
    let mut container_ports = Vec::new();
    let mut injected = false;
    let mut router = false;
    for container in containers {
        let proxy = container.str_at(&["name"]) == Some("istio-proxy");
        injected |= proxy && container.str_at(&["image"]) != Some("auto");
        router |= proxy && is_router(container);
        for port in container
            .get("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if let Some(number) = port.get("containerPort").and_then(port_number) {
                let name = port.str_at(&["name"]).map(str::to_string);
                container_ports.push((name, number));
            }
        }
    }
    let namespace_labels = inventory.namespaces.get(namespace);
    // Istio's injector skips host-network pods.
    let host_network =
        spec.and_then(|s| s.get("hostNetwork")).and_then(scalar) == Some("true".into());
    let gateway = router
        || annotations
            .get("inject.istio.io/templates")
            .is_some_and(|t| t.split(',').any(|t| t.trim() == "gateway"));
    let sidecar = injected
        || (!host_network && sidecar_injected(namespace_labels, &pod_labels, &annotations));
    Workload {
        kind: kind.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
        labels: pod_labels,
        service_account,
        container_ports,
        sidecar,
        gateway,
        origin,
    }
}

/// Whether an `istio-proxy` container runs as a gateway (`proxy router`, as Istio's gateway
/// charts start it).
fn is_router(container: &Node) -> bool {
    container
        .get("args")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|arg| arg.as_str() == Some("router"))
}

/// Istio's injection rules: a namespace labelled `istio-injection=disabled` never injects;
/// a pod's `sidecar.istio.io/inject` label (or legacy annotation) decides next; otherwise
/// the namespace's `istio-injection=enabled` or `istio.io/rev` label does.
pub fn sidecar_injected(namespace: Option<&Labels>, pod: &Labels, annotations: &Labels) -> bool {
    let ns_label = namespace.and_then(|l| l.get("istio-injection"));
    if ns_label.is_some_and(|v| v == "disabled") {
        return false;
    }
    let pod_choice = pod
        .get("sidecar.istio.io/inject")
        .or_else(|| annotations.get("sidecar.istio.io/inject"));
    match pod_choice.map(String::as_str) {
        Some("false") => false,
        Some("true") => true,
        _ => {
            ns_label.is_some_and(|v| v == "enabled")
                || namespace.is_some_and(|l| l.contains_key("istio.io/rev"))
                || pod.contains_key("istio.io/rev")
        }
    }
}

fn service(object: &Node, namespace: &str, name: &str) -> Option<Service> {
    let spec = object.get("spec")?;
    let selector = labels(spec.get("selector"));
    let ports = spec
        .get("ports")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let port = p.get("port").and_then(port_number)?;
            let target = match p.get("targetPort") {
                Some(t) => match port_number(t) {
                    Some(n) => Target::Number(n),
                    None => Target::Name(scalar(t)?),
                },
                None => Target::Number(port),
            };
            Some(ServicePort {
                name: p.str_at(&["name"]).map(str::to_string),
                port,
                target,
            })
        })
        .collect();
    Some(Service {
        namespace: namespace.to_string(),
        name: name.to_string(),
        selector,
        ports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, runs a proxy, is a gateway) of each workload.
    fn proxies(yaml: &str) -> Vec<(String, bool, bool)> {
        let objects =
            crate::manifest::parse_documents(std::path::Path::new("w.yaml"), yaml.as_bytes())
                .unwrap();
        Inventory::read(&objects)
            .workloads
            .iter()
            .map(|w| (w.name.clone(), w.sidecar, w.gateway))
            .collect()
    }

    #[test]
    fn gateways_run_a_proxy_but_no_sidecar_and_host_network_pods_neither() {
        let found = proxies(
            "apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: app:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: shop}
spec:
  template:
    metadata:
      annotations: {inject.istio.io/templates: gateway}
      labels: {sidecar.istio.io/inject: 'true'}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy-gateway, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: istio-proxy, image: istio/proxyv2:1.30.3, args: [proxy, router]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: shop}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: agent, image: agent:1}]
",
        );
        assert_eq!(
            found,
            [
                ("app".to_string(), true, false),
                ("ingress".to_string(), true, true),
                ("legacy-gateway".to_string(), true, true),
                ("node-agent".to_string(), false, false),
            ]
        );
    }
}
