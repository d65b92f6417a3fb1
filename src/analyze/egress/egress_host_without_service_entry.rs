//! MW601: an external host the repository's workloads call that no ServiceEntry declares,
//! in a cluster whose istiod runs with `outboundTrafficPolicy.mode: REGISTRY_ONLY`.
//!
//! With `REGISTRY_ONLY` a sidecar forwards only to hosts in the service registry; calls to
//! anything else end at the BlackHole cluster (HTTP 502, or a reset TCP connection). The
//! hosts the repository shows being called are VirtualService route destinations and
//! DestinationRule hosts outside the cluster's domain, and `http(s)://host` values of
//! environment variables named `*_URL` or `*_HOST` in the pod templates of sidecar-injected
//! workloads. Hosts that are IP addresses, single labels or in the cluster's domain are
//! not egress. The fix is a ServiceEntry declaring the host.

use crate::analyze::refs::{Registry, destinations, is_istio, is_placeholder, namespace_of, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

/// `egress-host-without-service-entry`
pub static CODE: Code = Code {
    code: "MW601",
    name: "egress-host-without-service-entry",
    severity: Severity::Error,
    help: "declare the host in a ServiceEntry (location MESH_EXTERNAL, resolution DNS)",
    docs: r#"## What it does
When istiod's configuration sets `meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY`
(Helm values, an IstioOperator or the `istio` ConfigMap), finds hosts outside the cluster's
domain that the repository shows being called — VirtualService route and mirror
destinations, DestinationRule hosts, and `http(s)://host` values of environment variables
named `*_URL` or `*_HOST` in pod templates of sidecar-injected workloads — that no
ServiceEntry declares.

## Why is this bad?
With `REGISTRY_ONLY`, sidecars forward only to hosts in the service registry: calls to any
other host go to the BlackHole cluster and fail with 502 or a reset connection, only at
runtime.

## Example
```yaml
# clusters/central/istio/values.yaml: meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY
env:
  - name: PAYMENTS_URL
    value: https://api.stripe.com/v1
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: stripe
spec:
  hosts: [api.stripe.com]
  location: MESH_EXTERNAL
  ports:
    - {number: 443, name: tls, protocol: TLS}
  resolution: DNS
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.model.registry_only {
        return Vec::new();
    }
    let registry = &cluster.lookups.registry;
    let mut findings = Vec::new();
    for object in cluster.objects {
        for (node, host) in called_hosts(cluster, registry, object) {
            let unknown = registry.is_external(&host)
                && !host.contains('*')
                && !is_placeholder(&host)
                && !registry.knows(&host);
            if unknown {
                findings.push(
                    Finding::new(
                        &CODE,
                        format!(
                            "no ServiceEntry declares {host}, and istiod runs with \
                             outboundTrafficPolicy REGISTRY_ONLY: sidecars send calls to it \
                             to the BlackHole cluster (502 or reset)"
                        ),
                        Some(node.origin.clone()),
                    )
                    .on(object),
                );
            }
        }
    }
    findings
}

/// The hosts `object` shows workloads calling, with the node naming each.
fn called_hosts<'a>(
    cluster: &Cluster,
    registry: &Registry,
    object: &'a Node,
) -> Vec<(&'a Node, String)> {
    let namespace = namespace_of(object);
    let mut found = Vec::new();
    let kind = object.str_at(&["kind"]).unwrap_or_default();
    if is_istio(object, "VirtualService") {
        for node in destinations(object)
            .into_iter()
            .filter_map(|d| d.get("host"))
        {
            found.extend(
                node.as_str()
                    .map(|h| (node, registry.resolve(h, namespace))),
            );
        }
    } else if is_istio(object, "DestinationRule") {
        if let Some(node) = object.at(&["spec", "host"]) {
            found.extend(
                node.as_str()
                    .map(|h| (node, registry.resolve(h, namespace))),
            );
        }
    } else if let Some(name) = object.str_at(&["metadata", "name"]) {
        let injected = cluster
            .model
            .inventory
            .workloads
            .iter()
            .any(|w| w.sidecar && w.kind == kind && w.namespace == namespace && w.name == name);
        if injected {
            for env in environment(object) {
                let named = env
                    .str_at(&["name"])
                    .is_some_and(|n| n.ends_with("_URL") || n.ends_with("_HOST"));
                if let Some(value) = env.get("value").filter(|_| named)
                    && let Some(host) = value.as_str().and_then(url_host)
                {
                    found.push((value, host.to_string()));
                }
            }
        }
    }
    found
}

/// The `env` entries of every container of a workload's pod template.
fn environment(object: &Node) -> Vec<&Node> {
    let pod = match object.str_at(&["kind"]) {
        Some("Pod") => Some(object),
        Some("CronJob") => object.at(&["spec", "jobTemplate", "spec", "template"]),
        _ => object.at(&["spec", "template"]),
    };
    let spec = pod.and_then(|p| p.get("spec"));
    ["initContainers", "containers"]
        .into_iter()
        .flat_map(|key| seq(spec.and_then(|s| s.get(key))))
        .flat_map(|container| seq(container.get("env")))
        .collect()
}

/// Public suffixes a two-label host must end in to count as external: `redis.cache` is more
/// likely a Service in a namespace the repository does not write to than a public name.
const PUBLIC_SUFFIXES: [&str; 12] = [
    "com", "net", "org", "io", "dev", "cloud", "ai", "co", "app", "eu", "de", "uk",
];

/// The host of an `http://` or `https://` URL, when it is a public-looking DNS name.
fn url_host(value: &str) -> Option<&str> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = authority.split(':').next()?;
    let public = match host.split('.').count() {
        0 | 1 => false,
        2 => host
            .rsplit('.')
            .next()
            .is_some_and(|tld| PUBLIC_SUFFIXES.contains(&tld)),
        _ => true,
    };
    let plausible = public
        && !host.ends_with('.')
        && !host.contains("$(")
        && !host.chars().all(|c| c.is_ascii_digit() || c == '.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    plausible.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn url_hosts_are_dns_names() {
        assert_eq!(
            url_host("https://api.stripe.com/v1"),
            Some("api.stripe.com")
        );
        assert_eq!(
            url_host("http://u:p@db.example.com:5432"),
            Some("db.example.com")
        );
        assert_eq!(url_host("https://10.0.0.1/x"), None);
        assert_eq!(url_host("https://$(HOST)/x"), None);
        assert_eq!(url_host("https://localhost:8080"), None);
        assert_eq!(url_host("api.stripe.com"), None);
        assert_eq!(url_host("http://redis.cache:6379"), None);
        assert_eq!(url_host("https://example.com"), Some("example.com"));
    }
}
