//! MW404: a Gateway terminating TLS with a `credentialName` no Secret provides.
//!
//! A Gateway server with `tls.mode` SIMPLE, MUTUAL or OPTIONAL_MUTUAL reads its certificate
//! from the Secret `credentialName` in the namespace where the gateway workload runs (the
//! pods `spec.selector` selects, in any namespace), not the Gateway's. When the repository
//! holds that workload ([`crate::analyze::gateway::Gateways`] resolves it), the Secret must
//! be in its namespace; when the workload may run outside the repository (a gateway
//! installed by Helm), in the Gateway's namespace or one of Istio's usual gateway namespaces
//! (`istio-system`, `istio-ingress`); a selector that matches nothing is MW602's. A Secret,
//! a cert-manager Certificate writing that `secretName`, an ExternalSecret or a SealedSecret
//! producing it all count. Without one the gateway has no certificate for the server: its
//! listener is not served and TLS handshakes on that port fail.

use crate::analyze::refs::{is_placeholder, namespace_of, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

/// `missing-tls-credential`
pub static CODE: Code = Code {
    code: "MW404",
    name: "missing-tls-credential",
    severity: Severity::Error,
    help: "create the Secret (or a cert-manager Certificate with that secretName) in the gateway workload's namespace, or fix credentialName",
    docs: r#"## What it does
For every Gateway server terminating TLS (`tls.mode` SIMPLE, MUTUAL or OPTIONAL_MUTUAL),
checks that the cluster has the Secret its `credentialName` names: a Secret, a cert-manager
Certificate with that `secretName`, an ExternalSecret or a SealedSecret producing it, in
the namespace where the gateway workload runs. That is the namespace of the pods the
Gateway's `selector` selects when the repository holds them (any namespace, as Istio
matches); otherwise the Gateway's own namespace, `istio-system` or `istio-ingress`, where
Istio's installation guides run gateways.

`istioctl analyze` reports this as IST0101 (ReferencedResourceNotFound).

## Why is this bad?
The gateway reads its certificate from that Secret in its own namespace. Without it the
server has no certificate: Istio does not serve the listener and clients' TLS handshakes on
that port fail.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: istio-ingress
spec:
  selector:
    istio: ingressgateway
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["shop.example.com"]
      tls:
        mode: SIMPLE
        credentialName: shop-tls   # no such Secret in istio-ingress
```

## Use instead
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: shop-tls
  namespace: istio-ingress
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com]
  issuerRef:
    name: letsencrypt
    kind: ClusterIssuer
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

const TERMINATING: [&str; 3] = ["SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"];

fn check(cluster: &Cluster) -> Vec<Finding> {
    let gateways = &cluster.lookups.gateways;
    let mut findings = Vec::new();
    for (index, object) in gateways.objects.iter().enumerate() {
        let Some((namespaces, assumed)) = gateways.workload_namespaces(index) else {
            continue;
        };
        for server in seq(object.at(&["spec", "servers"])) {
            let Some(tls) = server.get("tls") else {
                continue;
            };
            if !tls
                .str_at(&["mode"])
                .is_some_and(|m| TERMINATING.contains(&m))
            {
                continue;
            }
            let Some(node) = tls.get("credentialName") else {
                continue;
            };
            let Some(name) = node
                .as_str()
                .filter(|n| !n.is_empty() && !n.contains('/') && !is_placeholder(n))
            else {
                continue;
            };
            if !namespaces
                .iter()
                .any(|namespace| provides_secret(cluster.objects, namespace, name))
            {
                let place = if assumed {
                    format!(
                        "in {} (the gateway workload is not in the repository, so those are the namespaces it may run in)",
                        namespaces.join(", ")
                    )
                } else {
                    format!(
                        "in {}, where the gateway workload this Gateway selects runs",
                        namespaces.join(", ")
                    )
                };
                findings.push(
                    Finding::new(
                        &CODE,
                        format!(
                            "no Secret or cert-manager Certificate provides {name} {place}; \
                             this server has no certificate and its TLS handshakes fail"
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

/// Whether some object of `objects` creates Secret `namespace/name`.
fn provides_secret(objects: &[Node], namespace: &str, name: &str) -> bool {
    objects
        .iter()
        .filter(|o| namespace_of(o) == namespace)
        .any(|o| {
            let written = match o.str_at(&["kind"]).unwrap_or_default() {
                "Secret" => o.str_at(&["metadata", "name"]),
                "Certificate" => o.str_at(&["spec", "secretName"]),
                "ExternalSecret" => o
                    .str_at(&["spec", "target", "name"])
                    .or(o.str_at(&["metadata", "name"])),
                "SealedSecret" => o
                    .str_at(&["spec", "template", "metadata", "name"])
                    .or(o.str_at(&["metadata", "name"])),
                _ => None,
            };
            written == Some(name)
        })
}
