//! MW407: a ServiceEntry whose resolution cannot work with what it declares.
//!
//! Following Istio's ServiceEntry validation: with `resolution: NONE` and no `addresses`, a
//! port serving TCP (or an unknown protocol: anything but HTTP, HTTP2, gRPC, HTTPS and TLS,
//! which Istio matches by Host header or SNI) cannot be told apart from any other traffic to
//! that port; with `resolution: STATIC` and neither `endpoints` nor a `workloadSelector`
//! there is nothing to send to; with `resolution: DNS` (or `DNS_ROUND_ROBIN`), a wildcard
//! host and no `endpoints` there is no name to resolve ("hosts must be FQDN if no endpoints
//! are provided").

use crate::analyze::refs::{is_istio, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

/// `service-entry-needs-addresses`
pub static CODE: Code = Code {
    code: "MW407",
    name: "service-entry-needs-addresses",
    severity: Severity::Error,
    help: "add addresses (NONE), endpoints (STATIC, or DNS with wildcard hosts), or change the resolution",
    docs: r#"## What it does
Checks a ServiceEntry's `resolution` against what it declares, as Istio's validation does:
`NONE` without `addresses` for a port serving TCP or an unknown protocol (anything but
HTTP, HTTP2, gRPC, HTTPS and TLS, which are matched by Host header or SNI); `STATIC`
without `endpoints` or a `workloadSelector`; `DNS` or `DNS_ROUND_ROBIN` with a wildcard host
and no `endpoints`.

`istioctl analyze` reports this as IST0134 (ServiceEntryAddressesRequired).

## Why is this bad?
Without an address, TCP traffic to the port cannot be told apart from other traffic to the
same port; STATIC without endpoints has nothing to send to; a wildcard cannot be resolved
by DNS (Istio rejects it: "hosts must be FQDN if no endpoints are provided").

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy-db
spec:
  hosts: [db.legacy.example]
  ports:
    - {number: 5432, name: tcp-postgres, protocol: TCP}
  resolution: NONE
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy-db
spec:
  hosts: [db.legacy.example]
  ports:
    - {number: 5432, name: tcp-postgres, protocol: TCP}
  resolution: DNS
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// Protocols Istio routes by Host header or SNI, without an address.
const NAMED: [&str; 6] = ["HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTPS", "TLS"];

fn check(cluster: &Cluster) -> Vec<Finding> {
    cluster
        .objects
        .iter()
        .filter(|o| is_istio(o, "ServiceEntry"))
        .filter_map(|object| {
            let spec = object.get("spec")?;
            let resolution = spec.get("resolution")?;
            let present = |key: &str| seq(spec.get(key)).next().is_some();
            let problem = match resolution.as_str()? {
                "NONE" if !present("addresses") => {
                    let ports: Vec<String> = seq(spec.get("ports"))
                        .filter(|p| !p.str_at(&["protocol"]).is_some_and(named))
                        .filter_map(|p| p.get("number").and_then(crate::policy::workload::scalar))
                        .collect();
                    (!ports.is_empty()).then(|| {
                        format!(
                            "resolution NONE without addresses, but port {} serves TCP (or an \
                             unknown protocol); Istio needs addresses to tell this traffic apart",
                            ports.join(", ")
                        )
                    })
                }
                "STATIC" if !present("endpoints") && spec.get("workloadSelector").is_none() => {
                    Some(
                        "resolution STATIC without endpoints or a workloadSelector; traffic to \
                         these hosts has nowhere to go"
                            .to_string(),
                    )
                }
                "DNS" | "DNS_ROUND_ROBIN" if !present("endpoints") => wildcard(spec).map(|h| {
                    format!(
                        "resolution DNS without endpoints, but host {h} is a wildcard that DNS \
                         cannot resolve; Istio rejects this ServiceEntry"
                    )
                }),
                _ => None,
            }?;
            Some(Finding::new(&CODE, problem, Some(resolution.origin.clone())).on(object))
        })
        .collect()
}

fn named(protocol: &str) -> bool {
    NAMED.iter().any(|p| p.eq_ignore_ascii_case(protocol))
}

fn wildcard(spec: &Node) -> Option<&str> {
    seq(spec.get("hosts"))
        .filter_map(Node::as_str)
        .find(|h| h.contains('*'))
}
