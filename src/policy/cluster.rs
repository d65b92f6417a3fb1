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

/// `read` applied to the mesh config a document carries, if it is istiod configuration:
/// Helm values (`meshConfig`), an IstioOperator (`spec.meshConfig`) or the `istio`
/// ConfigMap of the root namespace (its `mesh` text).
fn read_mesh_config<T>(document: &Node, read: impl Fn(&Node) -> Option<T>) -> Option<T> {
    if let Some(mesh_config) = document.get("meshConfig") {
        return read(mesh_config); // Helm values of istiod
    }
    match document.str_at(&["kind"])? {
        "IstioOperator" => read(document.at(&["spec", "meshConfig"])?),
        "ConfigMap"
            if document.str_at(&["metadata", "name"]) == Some("istio")
                && document.str_at(&["metadata", "namespace"]) == Some(ROOT_NAMESPACE) =>
        {
            let mesh = document.str_at(&["data", "mesh"])?;
            let parsed = crate::manifest::parse_documents(Path::new("mesh"), mesh.as_bytes());
            read(parsed.ok()?.first()?)
        }
        _ => None,
    }
}

/// The trust domain aliases (`meshConfig.trustDomainAliases`) a document configures.
pub fn trust_domain_aliases_of(document: &Node) -> Vec<String> {
    read_mesh_config(document, |mesh| {
        let aliases = mesh.get("trustDomainAliases")?.as_seq()?;
        Some(
            aliases
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
        )
    })
    .unwrap_or_default()
}

/// Whether a document is istiod configuration setting `outboundTrafficPolicy.mode:
/// REGISTRY_ONLY`.
pub fn is_registry_only(document: &Node) -> bool {
    read_mesh_config(document, |mesh| {
        (mesh.str_at(&["outboundTrafficPolicy", "mode"]) == Some("REGISTRY_ONLY")).then_some(())
    })
    .is_some()
}

/// Whether a document is istiod configuration under which sidecars give ServiceEntry hosts
/// without `addresses` an address of their own: DNS capture with auto-allocation
/// (`defaultConfig.proxyMetadata` `ISTIO_META_DNS_CAPTURE` and `ISTIO_META_DNS_AUTO_ALLOCATE`
/// or `PILOT_ENABLE_IP_AUTOALLOCATE` set to `"true"`), as Istio's analyzer reads it.
pub fn auto_allocates_addresses(document: &Node) -> bool {
    read_mesh_config(document, |mesh| {
        let metadata = mesh.at(&["defaultConfig", "proxyMetadata"])?;
        let on = |key: &str| metadata.str_at(&[key]) == Some("true");
        (on("ISTIO_META_DNS_CAPTURE")
            && (on("ISTIO_META_DNS_AUTO_ALLOCATE") || on("PILOT_ENABLE_IP_AUTOALLOCATE")))
        .then_some(())
    })
    .is_some()
}

/// Where istiod's configuration in a document keeps its environment, and the value it gives
/// one variable.
pub struct IstiodEnv<'a> {
    /// The environment (a map in Helm values, a `name`/`value` list elsewhere), or the node
    /// it would go under when there is none.
    pub at: &'a Node,
    /// The variable's value, when set.
    pub value: Option<&'a Node>,
}

/// Environment variable `name` of istiod, if `document` is istiod's configuration: its Helm
/// values (`pilot.env`), an IstioOperator (`spec.values.pilot.env`, then
/// `spec.components.pilot.k8s.env`), or istiod's Deployment (its `discovery` container, else
/// the first container of a Deployment labelled `app: istiod`).
pub fn istiod_env<'a>(document: &'a Node, name: &str) -> Option<IstiodEnv<'a>> {
    let in_list = |list: Option<&'a Node>| {
        list.and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .find(|e| e.str_at(&["name"]) == Some(name))
            .and_then(|e| e.get("value"))
    };
    match document.str_at(&["kind"]) {
        None => {
            let pilot = document.get("pilot")?; // Helm values of istiod
            let env = pilot.get("env");
            Some(IstiodEnv {
                at: env.unwrap_or(pilot),
                value: env.and_then(|e| e.get(name)),
            })
        }
        Some("IstioOperator") => {
            let values_env = document.at(&["spec", "values", "pilot", "env"]);
            let component_env = document.at(&["spec", "components", "pilot", "k8s", "env"]);
            Some(IstiodEnv {
                at: values_env
                    .or(component_env)
                    .or(document.get("spec"))
                    .unwrap_or(document),
                value: values_env
                    .and_then(|e| e.get(name))
                    .or_else(|| in_list(component_env)),
            })
        }
        Some("Deployment") => {
            let containers = document
                .at(&["spec", "template", "spec", "containers"])
                .and_then(Node::as_seq)
                .unwrap_or_default();
            let labelled = document.str_at(&["metadata", "labels", "app"]) == Some("istiod");
            let discovery = containers
                .iter()
                .find(|c| c.str_at(&["name"]) == Some("discovery"))
                .or(containers.first().filter(|_| labelled))?;
            let env = discovery.get("env");
            Some(IstiodEnv {
                at: env.unwrap_or(discovery),
                value: in_list(env),
            })
        }
        Some(_) => None,
    }
}

/// Whether a document is istiod configuration setting `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`
/// (a Gateway then selects gateway pods of its own namespace only).
pub fn scopes_gateways_to_namespace(document: &Node) -> bool {
    istiod_env(document, "PILOT_SCOPE_GATEWAY_TO_NAMESPACE")
        .and_then(|env| env.value)
        .and_then(crate::policy::workload::scalar)
        .is_some_and(|v| v == "true")
}

/// The trust domain a document configures, if it is istiod configuration.
pub fn trust_domain_of(document: &Node) -> Option<String> {
    read_mesh_config(document, |mesh| {
        mesh.str_at(&["trustDomain"])
            .filter(|domain| !domain.is_empty())
            .map(str::to_string)
    })
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

    #[test]
    fn address_auto_allocation_needs_dns_capture_too() {
        let values = |metadata: &str| {
            let text =
                format!("meshConfig:\n  defaultConfig:\n    proxyMetadata: {{{metadata}}}\n");
            auto_allocates_addresses(
                &crate::manifest::parse_documents(Path::new("v.yaml"), text.as_bytes()).unwrap()[0],
            )
        };
        assert!(values(
            r#"ISTIO_META_DNS_CAPTURE: "true", ISTIO_META_DNS_AUTO_ALLOCATE: "true""#
        ));
        assert!(values(
            r#"ISTIO_META_DNS_CAPTURE: "true", PILOT_ENABLE_IP_AUTOALLOCATE: "true""#
        ));
        assert!(!values(r#"ISTIO_META_DNS_AUTO_ALLOCATE: "true""#));
        assert!(!values(r#"ISTIO_META_DNS_CAPTURE: "true""#));
    }
}
