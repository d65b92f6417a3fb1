//! MW612: several VirtualServices bound to the mesh gateway claim the same host for a
//! namespace that sees them all.
//!
//! As Istio's `virtualservice.ConflictingMeshGatewayHostsAnalyzer`: a VirtualService applies
//! to sidecars (the `mesh` gateway) when `gateways` is empty or names `mesh`; its hosts are
//! resolved in its namespace and it is seen by the namespaces of its `exportTo`. Two such
//! VirtualServices writing the same host conflict where both are seen. Unlike Istio, hosts
//! that merely overlap (`*.d` and `*.productpage.d`) do not conflict: each is its own
//! virtual host and the more specific one wins.

use std::collections::{BTreeMap, BTreeSet};

use crate::analyze::refs::{namespace_of, resolve, seq};
use crate::analyze::routing::virtual_services;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::client::ExportTo;

/// `conflicting-mesh-hosts`
pub static CODE: Code = Code {
    code: "MW612",
    name: "conflicting-mesh-hosts",
    severity: Severity::Error,
    help: "merge the VirtualServices for this host into one, or narrow their exportTo so no namespace sees both",
    docs: r#"## What it does
Reports a host that several VirtualServices bound to the mesh gateway (no `gateways`, or
`mesh` among them) declare in `hosts`, when some namespace sees them all (their
`exportTo`, by default every namespace). Short hosts are resolved in each
VirtualService's namespace, so `ratings` in `foo` and `ratings.foo.svc.cluster.local`
elsewhere are the same host.

`istioctl analyze` reports this as IST0109 (ConflictingMeshGatewayVirtualServiceHosts).

## Why is this bad?
A sidecar builds one virtual host per host: it keeps the routes of one VirtualService
and drops the others', depending on creation order. Which routes apply changes when the
objects are recreated.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
  namespace: foo
spec:
  hosts: [ratings]
  http:
  - route:
    - destination: {host: ratings, subset: v1}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings-canary
  namespace: bar
spec:
  hosts: [ratings.foo.svc.cluster.local]
  http:
  - route:
    - destination: {host: ratings.foo.svc.cluster.local, subset: v2}
```

## Use instead
One VirtualService `foo/ratings` holding both routes (for instance a `match` for the canary
before the default route).
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// One host of a mesh-bound VirtualService.
struct Claim<'a> {
    object: &'a Node,
    node: &'a Node,
    export_to: ExportTo,
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut by_host: BTreeMap<String, Vec<Claim>> = BTreeMap::new();
    for object in virtual_services(cluster.objects).filter(|o| binds_mesh(o)) {
        let namespace = namespace_of(object);
        let export_to = ExportTo::of_spec(object.get("spec"), namespace);
        for node in seq(object.at(&["spec", "hosts"])) {
            if let Some(host) = node.as_str() {
                by_host
                    .entry(resolve(host, namespace))
                    .or_default()
                    .push(Claim {
                        object,
                        node,
                        export_to: export_to.clone(),
                    });
            }
        }
    }
    let mut findings = Vec::new();
    for (host, claims) in &by_host {
        for claim in claims {
            let own = identity(claim.object);
            let others: BTreeSet<String> = claims
                .iter()
                .filter(|other| claim.export_to.overlaps(&other.export_to))
                .map(|other| identity(other.object))
                .filter(|other| *other != own)
                .collect();
            if !others.is_empty() {
                let message = format!(
                    "host {host} is also declared for the mesh by VirtualService {}, seen by \
                     the same namespaces; sidecars apply only one of them",
                    Vec::from_iter(others).join(", ")
                );
                findings.push(
                    Finding::new(&CODE, message, Some(claim.node.origin.clone())).on(claim.object),
                );
            }
        }
    }
    findings
}

/// Whether a VirtualService applies to sidecars: no `gateways`, or `mesh` among them.
fn binds_mesh(object: &Node) -> bool {
    let mut gateways = seq(object.at(&["spec", "gateways"])).peekable();
    gateways.peek().is_none() || gateways.any(|g| g.as_str() == Some("mesh"))
}

fn identity(object: &Node) -> String {
    let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
    format!("{}/{name}", namespace_of(object))
}
