//! MW302: a principal whose trust domain this cluster does not answer to.
//!
//! Istio compares principals with the caller's SPIFFE identity, whose trust domain is the
//! cluster's (`meshConfig.trustDomain`). A principal of `cluster.local` points at the
//! current trust domain, and one of a `trustDomainAliases` entry is accepted for it; any
//! other trust domain is never carried by a caller, so the value never matches.

use super::{authorization_policies, local_trust_domains, principals, split_principal};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};

/// `trust-domain-mismatch`
pub static CODE: Code = Code {
    code: "MW302",
    name: "trust-domain-mismatch",
    severity: Severity::Error,
    help: "use the cluster's trust domain (or cluster.local), or add the domain to meshConfig.trustDomainAliases",
    docs: r#"## What it does
Checks that the trust domain of every principal is the cluster's trust domain
(`meshConfig.trustDomain`), one of its `trustDomainAliases`, or `cluster.local`, which Istio
points at the current trust domain.

## Why is this bad?
Callers present SPIFFE identities of the cluster's trust domain only; a principal of any
other domain never matches, so the callers it names are denied.

## Example
```yaml
# istiod: meshConfig.trustDomain: prod.example.com
spec:
  rules:
    - from:
        - source:
            principals: ["staging.example.com/ns/shop/sa/frontend"]
```

## Use instead
```yaml
spec:
  rules:
    - from:
        - source:
            principals: ["prod.example.com/ns/shop/sa/frontend"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

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
                    &CODE,
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
