//! MW405: a Service port of a sidecar-injected workload whose protocol Istio cannot tell.
//!
//! Istio takes a Service port's protocol from `appProtocol`, else from the port name's
//! prefix (`http`, `http2`, `https`, `grpc`, `grpc-web`, `mongo`, `redis`, `mysql`, `tcp`,
//! `tls`, `udp`, alone or followed by `-suffix`). Any other port falls back to protocol
//! sniffing: server-first protocols stall, and when a connection is classified as TCP,
//! HTTP-level AuthorizationPolicy rules (methods, paths) never match it — ALLOW rules with
//! them deny the request, DENY rules with them let it through. UDP and SCTP ports, Services
//! selecting no injected workload, and gateways (`inject.istio.io/templates: gateway`) are
//! not checked.

use crate::analyze::refs::{namespace_of, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::{Workload, scalar};

/// `unclassified-service-port`
pub static CODE: Code = Code {
    code: "MW405",
    name: "unclassified-service-port",
    severity: Severity::Warning,
    help: "set appProtocol, or name the port <protocol>[-<suffix>] (http, http2, https, grpc, grpc-web, mongo, redis, mysql, tcp, tls, udp)",
    docs: r#"## What it does
Finds TCP ports of Services that select a sidecar-injected workload and whose protocol
Istio cannot tell: no `appProtocol`, and a name that is not a known protocol (`http`,
`http2`, `https`, `grpc`, `grpc-web`, `mongo`, `redis`, `mysql`, `tcp`, `tls`, `udp`)
alone or followed by `-<suffix>`.

`istioctl analyze` reports this as IST0118 (PortNameIsNotUnderNamingConvention).

## Why is this bad?
Istio falls back to protocol sniffing for such ports. Server-first protocols (databases,
SMTP) stall until the sniffing timeout, and a connection classified as plain TCP never
matches HTTP-level AuthorizationPolicy fields (methods, paths, headers): ALLOW rules using
them deny the request, DENY rules using them let it through.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  selector:
    app: reviews
  ports:
    - name: web
      port: 9080
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  selector:
    app: reviews
  ports:
    - name: http-web
      port: 9080
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

const PREFIXES: [&str; 11] = [
    "http", "http2", "https", "grpc", "grpc-web", "mongo", "redis", "mysql", "tcp", "tls", "udp",
];

/// Whether Istio derives a protocol from the port name `name`.
fn classified(name: &str) -> bool {
    PREFIXES.iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
    })
}

/// Whether `workload` runs Istio's gateway injection template (`inject.istio.io/templates:
/// gateway`): a gateway's listeners come from Gateway resources, not its Service's ports.
fn is_gateway(objects: &[Node], workload: &Workload) -> bool {
    objects
        .iter()
        .find(|o| {
            o.str_at(&["kind"]) == Some(workload.kind.as_str())
                && namespace_of(o) == workload.namespace
                && o.str_at(&["metadata", "name"]) == Some(workload.name.as_str())
        })
        .and_then(|o| {
            let pod = if workload.kind == "Pod" {
                Some(o)
            } else {
                o.at(&["spec", "template"])
            };
            pod?.str_at(&["metadata", "annotations", "inject.istio.io/templates"])
        })
        .is_some_and(|templates| templates.split(',').any(|t| t.trim() == "gateway"))
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let inventory = &cluster.model.inventory;
    let mut findings = Vec::new();
    for object in cluster.objects {
        if object.str_at(&["kind"]) != Some("Service") {
            continue;
        }
        let namespace = namespace_of(object);
        let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
        let Some(service) = inventory
            .services
            .iter()
            .find(|s| s.namespace == namespace && s.name == name)
        else {
            continue;
        };
        let Some(workload) = inventory
            .workloads
            .iter()
            .find(|w| w.sidecar && service.selects(w) && !is_gateway(cluster.objects, w))
        else {
            continue;
        };
        for port in seq(object.at(&["spec", "ports"])) {
            let transport = port.str_at(&["protocol"]).unwrap_or("TCP");
            if port.get("appProtocol").is_some() || transport != "TCP" {
                continue;
            }
            let port_name = port.str_at(&["name"]);
            if port_name.is_some_and(classified) {
                continue;
            }
            let at = port.get("name").or(port.get("port")).unwrap_or(port);
            let number = port.get("port").and_then(scalar).unwrap_or_default();
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "port {} of Service {namespace}/{name} (to injected {}) has no \
                         appProtocol and {}; Istio sniffs its protocol, and connections \
                         classified as TCP never match HTTP-level authorization rules",
                        number,
                        workload.id(),
                        port_name.map_or_else(
                            || "no name".to_string(),
                            |n| format!("a name without a protocol prefix ({n})")
                        ),
                    ),
                    Some(at.origin.clone()),
                )
                .on(object),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::classified;

    #[test]
    fn names_classify_by_prefix_and_dash() {
        assert!(classified("http"));
        assert!(classified("grpc-web"));
        assert!(classified("http-metrics"));
        assert!(classified("tcp-db"));
        assert!(!classified("metrics"));
        assert!(!classified("httpx"));
        assert!(!classified("web"));
    }
}
