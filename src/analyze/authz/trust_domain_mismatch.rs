//! MW302: a principal whose trust domain this cluster does not answer to.
//!
//! Istio compares principals with the caller's SPIFFE identity, whose trust domain is the
//! cluster's (`meshConfig.trustDomain`). A principal of `cluster.local` points at the
//! current trust domain, and one of a `trustDomainAliases` entry is accepted for it; any
//! other trust domain is never carried by a caller, so the value never matches.

use super::{authorization_policies, local_trust_domains, principals, split_principal};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};

pub static RULE: Rule = Rule {
    code: &codes::TRUST_DOMAIN_MISMATCH,
    check,
};

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    let mut findings = Vec::new();
    for policy in authorization_policies(cluster.objects) {
        for (node, principal) in principals(policy) {
            let Some((domain, _, _)) = split_principal(principal) else {
                continue;
            };
            if domain.contains('*') || local_trust_domains(model).any(|d| d == domain) {
                continue;
            }
            let hint = if domain.starts_with("spiffe://") {
                " (Istio principals are written without `spiffe://`)"
            } else {
                ""
            };
            findings.push(
                Finding::new(
                    &codes::TRUST_DOMAIN_MISMATCH,
                    format!(
                        "principal `{principal}` is in trust domain {domain}, but cluster {} \
                         issues identities in {} (aliases: {}): no caller presents it, so the \
                         rule never matches{hint}",
                        model.cluster,
                        model.trust_domain,
                        if model.trust_domain_aliases.is_empty() {
                            "none".to_string()
                        } else {
                            model.trust_domain_aliases.join(", ")
                        }
                    ),
                    Some(node.origin.clone()),
                )
                .on(policy),
            );
        }
    }
    findings
}
