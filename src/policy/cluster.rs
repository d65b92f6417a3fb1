//! Which cluster an input belongs to, and each cluster's trust domain.
//!
//! A kustomize root or loose file belongs to the cluster named by the directory after the
//! last `clusters/` or `overlays/` in its path inside the repository (the nearest directory
//! with `.git` or `mesh.yaml`) (`tenants/retail/overlays/edge-eu` →
//! `edge-eu`, `clusters/central` → `central`), else to `default`. The trust domain comes
//! from istiod's Helm values (`meshConfig.trustDomain`), an IstioOperator
//! (`spec.meshConfig.trustDomain`) or the `istio` ConfigMap's `mesh` text, else
//! `cluster.local`.

use std::path::{Component, Path};

use crate::manifest::Node;

/// The cluster every input without a `clusters/` or `overlays/` directory belongs to.
pub const DEFAULT_CLUSTER: &str = "default";
/// Istio's default trust domain.
pub const DEFAULT_TRUST_DOMAIN: &str = "cluster.local";
/// Istio's root namespace (mesh-wide policies live here).
pub const ROOT_NAMESPACE: &str = "istio-system";

/// The cluster `path` (a kustomize root directory, or a file) belongs to.
pub fn cluster_of(path: &Path, is_file: bool) -> String {
    let dir = if is_file {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    let parts: Vec<&str> = dir
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect();
    parts
        .windows(2)
        .rev()
        .find(|pair| pair[0] == "clusters" || pair[0] == "overlays")
        .map_or_else(|| DEFAULT_CLUSTER.to_string(), |pair| pair[1].to_string())
}

/// The trust domain aliases (`meshConfig.trustDomainAliases`) a document configures.
pub fn trust_domain_aliases_of(document: &Node) -> Vec<String> {
    let list = document
        .at(&["meshConfig", "trustDomainAliases"])
        .or_else(|| {
            (document.str_at(&["kind"]) == Some("IstioOperator"))
                .then(|| document.at(&["spec", "meshConfig", "trustDomainAliases"]))
                .flatten()
        });
    list.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

/// Whether a document is istiod configuration setting `outboundTrafficPolicy.mode:
/// REGISTRY_ONLY` (Helm values, an IstioOperator, or the `istio` ConfigMap's `mesh` text).
pub fn is_registry_only(document: &Node) -> bool {
    let mode = |mesh_config: Option<&Node>| {
        mesh_config.and_then(|m| m.str_at(&["outboundTrafficPolicy", "mode"]))
            == Some("REGISTRY_ONLY")
    };
    if mode(document.get("meshConfig")) {
        return true; // Helm values of istiod
    }
    match document.str_at(&["kind"]) {
        Some("IstioOperator") => mode(document.at(&["spec", "meshConfig"])),
        Some("ConfigMap")
            if document.str_at(&["metadata", "name"]) == Some("istio")
                && document.str_at(&["metadata", "namespace"]) == Some(ROOT_NAMESPACE) =>
        {
            let Some(mesh) = document.str_at(&["data", "mesh"]) else {
                return false;
            };
            crate::manifest::parse_documents(Path::new("mesh"), mesh.as_bytes())
                .ok()
                .and_then(|d| d.into_iter().next())
                .is_some_and(|m| mode(Some(&m)))
        }
        _ => false,
    }
}

/// Whether a document is istiod configuration setting `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`
/// (a Gateway then selects gateway pods of its own namespace only): istiod's Helm values
/// (`pilot.env`), an IstioOperator (`spec.values.pilot.env` or
/// `spec.components.pilot.k8s.env`), or the `discovery` container of istiod's Deployment.
pub fn scopes_gateways_to_namespace(document: &Node) -> bool {
    const VARIABLE: &str = "PILOT_SCOPE_GATEWAY_TO_NAMESPACE";
    let truthy = |node: Option<&Node>| {
        node.and_then(crate::policy::workload::scalar)
            .is_some_and(|v| v == "true")
    };
    let in_list = |list: Option<&Node>| {
        list.and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .any(|e| e.str_at(&["name"]) == Some(VARIABLE) && truthy(e.get("value")))
    };
    match document.str_at(&["kind"]) {
        None => truthy(document.at(&["pilot", "env", VARIABLE])), // Helm values of istiod
        Some("IstioOperator") => {
            truthy(document.at(&["spec", "values", "pilot", "env", VARIABLE]))
                || in_list(document.at(&["spec", "components", "pilot", "k8s", "env"]))
        }
        Some("Deployment") => document
            .at(&["spec", "template", "spec", "containers"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter(|c| c.str_at(&["name"]) == Some("discovery"))
            .any(|c| in_list(c.get("env"))),
        Some(_) => false,
    }
}

/// The trust domain a document configures, if it is istiod configuration.
pub fn trust_domain_of(document: &Node) -> Option<String> {
    if let Some(domain) = document.str_at(&["meshConfig", "trustDomain"]) {
        return Some(domain.to_string()); // Helm values of istiod
    }
    match document.str_at(&["kind"])? {
        "IstioOperator" => document
            .str_at(&["spec", "meshConfig", "trustDomain"])
            .map(str::to_string),
        "ConfigMap"
            if document.str_at(&["metadata", "name"]) == Some("istio")
                && document.str_at(&["metadata", "namespace"]) == Some(ROOT_NAMESPACE) =>
        {
            let mesh = document.str_at(&["data", "mesh"])?;
            mesh.lines().find_map(|line| {
                let value = line.trim().strip_prefix("trustDomain:")?.trim();
                let value = value.trim_matches(|c| c == '"' || c == '\'');
                (!value.is_empty()).then(|| value.to_string())
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_come_from_the_directory_after_clusters_or_overlays() {
        let of = |p: &str| cluster_of(Path::new(p), false);
        assert_eq!(of("/r/tenants/retail/overlays/edge-eu"), "edge-eu");
        assert_eq!(of("/r/clusters/central"), "central");
        assert_eq!(of("/r/platform/base"), "default");
        assert_eq!(
            cluster_of(Path::new("/r/clusters/edge-us/istio/values.yaml"), true),
            "edge-us"
        );
        assert_eq!(cluster_of(Path::new("/r/clusters/x.yaml"), true), "default");
    }

    #[test]
    fn gateway_scoping_comes_from_istiod_env() {
        let parse = |text: &str| {
            crate::manifest::parse_documents(Path::new("v.yaml"), text.as_bytes()).unwrap()[0]
                .clone()
        };
        let scoped = |text: &str| scopes_gateways_to_namespace(&parse(text));
        assert!(scoped(
            "pilot:\n  env:\n    PILOT_SCOPE_GATEWAY_TO_NAMESPACE: true\n"
        ));
        assert!(!scoped(
            "pilot:\n  env:\n    PILOT_SCOPE_GATEWAY_TO_NAMESPACE: \"false\"\n"
        ));
        assert!(scoped(
            "kind: IstioOperator\nspec:\n  components:\n    pilot:\n      k8s:\n        env:\n          - {name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: \"true\"}\n"
        ));
        assert!(scoped(
            "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: discovery\n          env: [{name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: \"true\"}]\n"
        ));
        assert!(!scoped("kind: ConfigMap\ndata: {}\n"));
    }

    #[test]
    fn trust_domains_come_from_helm_values_and_the_mesh_config_map() {
        let parse = |text: &str| {
            crate::manifest::parse_documents(Path::new("v.yaml"), text.as_bytes()).unwrap()[0]
                .clone()
        };
        let values =
            parse("meshConfig:\n  trustDomain: acme.internal\n  trustDomainAliases: [old]\n");
        assert_eq!(trust_domain_of(&values).as_deref(), Some("acme.internal"));
        assert_eq!(trust_domain_aliases_of(&values), ["old"]);
        assert!(!is_registry_only(&values));
        assert!(is_registry_only(&parse(
            "meshConfig:\n  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n"
        )));
        let config_map = parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    accessLogFile: /dev/stdout\n    trustDomain: \"corp.example\"\n",
        );
        assert_eq!(
            trust_domain_of(&config_map).as_deref(),
            Some("corp.example")
        );
        assert!(is_registry_only(&parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n"
        )));
    }
}
