//! References between mesh objects (MW402–MW407): routes, DestinationRules, gateway
//! certificates, Service ports and ServiceEntries that name something the cluster does not
//! have, or that Istio cannot use as written.
//!
//! The shared piece is [`Registry`]: the hosts a cluster's service registry holds
//! (Kubernetes Services and ServiceEntry hosts), the namespaces the repository writes
//! objects into, and Istio's short-name resolution. A reference into a namespace the
//! repository writes nothing to is not judged: its objects live outside the repository.
//! Neither are Services of Istio's root namespace, which Istio's own charts install.

pub mod destination_rule_unknown_host;
pub mod missing_tls_credential;
pub mod service_entry_needs_addresses;
pub mod tls_without_ca;
pub mod unclassified_service_port;
pub mod virtual_service_unknown_target;

use std::collections::BTreeSet;

use crate::kustomize::field_specs::is_cluster_scoped;
use crate::manifest::Node;
use crate::policy::client::host_specificity;
use crate::policy::{Model, ROOT_NAMESPACE};

/// The suffix of Kubernetes Service hosts.
const CLUSTER_SUFFIX: &str = ".svc.cluster.local";

/// The namespace of `object` (`default` when unset).
pub fn namespace_of(object: &Node) -> &str {
    object
        .str_at(&["metadata", "namespace"])
        .unwrap_or("default")
}

/// Whether `text` is a template placeholder (envsubst or Helm) rather than a name.
pub fn is_placeholder(text: &str) -> bool {
    text.contains('$') || text.contains("{{")
}

/// Whether `object` is of `kind` in Istio's `networking.istio.io` group.
pub fn is_istio(object: &Node, kind: &str) -> bool {
    object.str_at(&["kind"]) == Some(kind)
        && object
            .str_at(&["apiVersion"])
            .is_some_and(|v| v.starts_with("networking.istio.io/"))
}

/// The items of a sequence node (none when absent or not a sequence).
pub fn seq(node: Option<&Node>) -> impl Iterator<Item = &Node> {
    node.and_then(Node::as_seq).unwrap_or_default().iter()
}

/// The `destination` of every route and mirror of a VirtualService.
pub fn destinations(object: &Node) -> Vec<&Node> {
    let spec = object.get("spec");
    let mut found = Vec::new();
    for kind in ["http", "tcp", "tls"] {
        for route in seq(spec.and_then(|s| s.get(kind))) {
            found.extend(seq(route.get("route")).filter_map(|r| r.get("destination")));
            found.extend(route.get("mirror"));
            found.extend(seq(route.get("mirrors")).filter_map(|m| m.get("destination")));
        }
    }
    found
}

/// A host as Istio reads it in an object of `namespace`: a short name (`reviews`) is
/// `reviews.<namespace>.svc.cluster.local`; anything with a dot or a wildcard stays.
pub fn resolve(host: &str, namespace: &str) -> String {
    if host.contains('.') || host.contains('*') {
        host.to_string()
    } else {
        format!("{host}.{namespace}{CLUSTER_SUFFIX}")
    }
}

/// The namespace of a Kubernetes Service host (`name.<ns>.svc.cluster.local`), or `None`
/// for a host outside the cluster's domain.
pub fn cluster_namespace(host: &str) -> Option<&str> {
    let service = host.strip_suffix(CLUSTER_SUFFIX)?;
    service.rsplit_once('.').map(|(_, namespace)| namespace)
}

/// Whether `host` lies outside the mesh's Kubernetes domain (a ServiceEntry's business).
pub fn is_external(host: &str) -> bool {
    !host.ends_with(".cluster.local") && !host.ends_with(".svc") && host != "*"
}

/// Whether a host outside the mesh is left to MW601 (egress-host-without-service-entry):
/// with `REGISTRY_ONLY` a missing ServiceEntry is first an egress problem.
pub fn egress_owned(model: &Model, registry: &Registry, host: &str) -> bool {
    model.registry_only && registry.is_external(host)
}

/// The hosts of one cluster's service registry and the namespaces its objects live in.
pub struct Registry {
    hosts: BTreeSet<String>,
    namespaces: BTreeSet<String>,
}

impl Registry {
    pub fn read(objects: &[Node]) -> Registry {
        let mut hosts = BTreeSet::new();
        let mut namespaces = BTreeSet::new();
        for object in objects {
            let namespace = namespace_of(object);
            let kind = object.str_at(&["kind"]).unwrap_or_default();
            if !is_cluster_scoped(kind) {
                namespaces.insert(namespace.to_string());
            }
            match kind {
                "Namespace" => {
                    namespaces.extend(object.str_at(&["metadata", "name"]).map(str::to_string));
                }
                "Service" => {
                    if let Some(name) = object.str_at(&["metadata", "name"]) {
                        hosts.insert(resolve(name, namespace));
                    }
                }
                "ServiceEntry" => {
                    // Istio keeps a ServiceEntry's short hosts as written; count both spellings.
                    // A bare `*` is refused by the API server (MW116), so it covers nothing.
                    let hosts_of = seq(object.at(&["spec", "hosts"])).filter_map(Node::as_str);
                    for host in hosts_of.filter(|h| *h != "*") {
                        hosts.insert(host.to_string());
                        hosts.insert(resolve(host, namespace));
                    }
                }
                _ => {}
            }
        }
        Registry { hosts, namespaces }
    }

    /// Whether the registry holds `host` (already resolved): exactly, through a wildcard
    /// ServiceEntry host, or — for a wildcard `host` — any host it covers. `name.ns` and
    /// `name.ns.svc` stand for the Service `name.ns.svc.cluster.local`.
    pub fn knows(&self, host: &str) -> bool {
        let host = self.expanded(host);
        self.hosts.iter().any(|known| {
            host_specificity(known, &host).is_some() || host_specificity(&host, known).is_some()
        })
    }

    /// Whether `host` (already resolved) lies outside the cluster's domain, counting
    /// `name.ns` and `name.ns.svc` for a namespace the repository writes to as inside.
    pub fn is_external(&self, host: &str) -> bool {
        is_external(&self.expanded(host))
    }

    /// Whether the repository writes objects into `namespace`.
    pub fn has_namespace(&self, namespace: &str) -> bool {
        self.namespaces.contains(namespace)
    }

    /// Whether a missing `host` can be judged: outside the cluster's domain always (a
    /// ServiceEntry must declare it), inside only in namespaces the repository writes to,
    /// except Istio's root namespace, whose Services (istiod, gateways) Istio's charts
    /// install. Placeholders (`$HOST`, `{{ .host }}`) are not judged.
    pub fn judges(&self, host: &str) -> bool {
        let host = self.expanded(host);
        !is_placeholder(&host)
            && cluster_namespace(&host).map_or(is_external(&host), |ns| {
                ns != ROOT_NAMESPACE && self.has_namespace(ns)
            })
    }

    /// A host written in an object of `namespace`, as the registry names it: short names
    /// resolved ([`resolve`]), `name.ns` and `name.ns.svc` completed to the Service's host.
    pub fn resolve(&self, host: &str, namespace: &str) -> String {
        self.expanded(&resolve(host, namespace))
    }

    fn expanded(&self, host: &str) -> String {
        if host.ends_with(".svc") {
            return format!("{host}.cluster.local");
        }
        match host.split_once('.') {
            Some((_, namespace)) if self.has_namespace(namespace) => {
                format!("{host}{CLUSTER_SUFFIX}")
            }
            _ => host.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    #[test]
    fn registries_know_services_service_entries_and_their_wildcards() {
        let objects = parse_documents(
            std::path::Path::new("r.yaml"),
            b"apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: shop}\n---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: e, namespace: shop}\nspec:\n  hosts: [\"*.stripe.com\"]\n",
        )
        .unwrap();
        let registry = Registry::read(&objects);
        assert!(registry.knows("reviews.shop.svc.cluster.local"));
        assert!(registry.knows("reviews.shop"));
        assert!(registry.knows("reviews.shop.svc"));
        assert!(registry.knows("*.shop.svc.cluster.local"));
        assert!(registry.knows("api.stripe.com"));
        assert!(!registry.knows("ratings.shop.svc.cluster.local"));
        let with_star = parse_documents(
            std::path::Path::new("s.yaml"),
            b"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: all, namespace: shop}\nspec:\n  hosts: [\"*\"]\n",
        )
        .unwrap();
        let star = Registry::read(&[objects, with_star].concat());
        assert!(!star.knows("ratings.shop.svc.cluster.local"));
        assert!(!star.knows("api.example.com"));
        assert!(registry.judges("ratings.shop.svc.cluster.local"));
        assert!(!registry.judges("istiod.istio-system.svc.cluster.local"));
        assert!(registry.judges("api.example.com"));
        assert_eq!(resolve("reviews", "shop"), "reviews.shop.svc.cluster.local");
        assert_eq!(cluster_namespace("a.b.svc.cluster.local"), Some("b"));
    }
}
