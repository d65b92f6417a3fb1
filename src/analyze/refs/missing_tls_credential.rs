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

use crate::analyze::gateway::Gateways;
use crate::analyze::refs::{is_placeholder, namespace_of, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};
use crate::manifest::Node;

pub static RULE: Rule = Rule {
    code: &codes::MISSING_TLS_CREDENTIAL,
    check,
};

const TERMINATING: [&str; 3] = ["SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"];

fn check(cluster: &Cluster) -> Vec<Finding> {
    let gateways = Gateways::read(cluster);
    let mut findings = Vec::new();
    for (index, object) in gateways.objects.iter().enumerate() {
        let Some((namespaces, assumed)) = gateways.credential_namespaces(index) else {
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
                        &codes::MISSING_TLS_CREDENTIAL,
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
