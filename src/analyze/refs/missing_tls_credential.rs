//! MW404: a Gateway terminating TLS with a `credentialName` no Secret provides.
//!
//! A Gateway server with `tls.mode` SIMPLE, MUTUAL or OPTIONAL_MUTUAL reads its certificate
//! from the Secret `credentialName` in the namespace of the gateway workload. This rule
//! assumes the gateway workload runs in the Gateway's own namespace (the usual layout) and
//! accepts a Secret, a cert-manager Certificate writing that `secretName`, an ExternalSecret
//! or a SealedSecret producing it. Without one the gateway has no certificate for the
//! server: its listener is not served and TLS handshakes on that port fail.

use crate::analyze::refs::{is_istio, is_placeholder, namespace_of, seq};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};
use crate::manifest::Node;

pub static RULE: Rule = Rule {
    code: &codes::MISSING_TLS_CREDENTIAL,
    check,
};

const TERMINATING: [&str; 3] = ["SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"];

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in cluster.objects.iter().filter(|o| is_istio(o, "Gateway")) {
        let namespace = namespace_of(object);
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
            if !provides_secret(cluster.objects, namespace, name) {
                findings.push(
                    Finding::new(
                        &codes::MISSING_TLS_CREDENTIAL,
                        format!(
                            "no Secret or cert-manager Certificate provides {namespace}/{name} \
                             (assuming the gateway workload runs in the Gateway's namespace); \
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
