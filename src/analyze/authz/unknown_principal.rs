//! MW301: an AuthorizationPolicy principal or namespace naming an identity the repository
//! does not declare.
//!
//! A principal `<trust-domain>/ns/<ns>/sa/<sa>` stands for the pods running as that
//! ServiceAccount; `source.namespaces` for the pods of a namespace. Identities are mesh-wide
//! in a multi-cluster mesh, so every cluster of the repository counts: a ServiceAccount
//! object, a workload running as the account, or `default` in a namespace the repository
//! declares (a Namespace object or any object in it). Wildcard principals are left to MW305;
//! namespace patterns (`prefix*`, `*suffix`) and `notNamespaces` must match some namespace;
//! `notPrincipals` may name identities from outside on purpose.
//!
//! A finding is an error where the repository owns the namespace's workloads, or the name is
//! a near miss of a declared namespace; otherwise a warning, since the identity may be
//! installed from elsewhere (a gateway chart, an operator).

use std::collections::BTreeSet;

use super::{authorization_policies, rules, sources, split_principal, values};
use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::schema::validate::did_you_mean;

/// `unknown-principal`
pub static CODE: Code = Code {
    code: "MW301",
    name: "unknown-principal",
    severity: Severity::Error,
    help: "name a ServiceAccount (or namespace) the repository declares, or add it",
    docs: r#"## What it does
Checks every AuthorizationPolicy principal `<trust-domain>/ns/<namespace>/sa/<account>`
and every `source.namespaces` and `notNamespaces` value (a name, or a `prefix*`/`*suffix`
pattern) against the identities the repository declares, in any of its clusters
(identities are mesh-wide): ServiceAccount objects, the accounts workloads run as, and the
implicit `default` account of every declared namespace. It is an error where the repository
holds the namespace's workloads or the name is a near miss of a declared namespace, and a
warning otherwise (the identity may be installed from elsewhere, e.g. a gateway chart's
ServiceAccount). `notPrincipals` is not checked: a negation may name identities from
outside on purpose.

`istioctl analyze` reports a namespace or pattern that matches no namespace as IST0101
(ReferencedResourceNotFound); it does not check principals.

## Why is this bad?
No pod carries the identity, so the rule never matches: the caller the policy meant to
allow is denied (usually a typo, or an account renamed on one side only).

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontnd"]
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders
  namespace: shop
spec:
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontend"]
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

/// The namespaces and ServiceAccounts the whole repository declares.
#[derive(Default)]
struct Identities {
    namespaces: BTreeSet<String>,
    /// Namespaces whose workloads or ServiceAccounts the repository holds.
    owned: BTreeSet<String>,
    accounts: BTreeSet<(String, String)>,
}

impl Identities {
    fn of(repo: &Repo) -> Identities {
        let mut identities = Identities::default();
        for cluster in repo.clusters {
            for object in cluster.objects {
                let namespace = object.str_at(&["metadata", "namespace"]);
                let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
                match object.str_at(&["kind"]) {
                    Some("Namespace") => {
                        identities.namespaces.insert(name.to_string());
                    }
                    Some("ServiceAccount") => {
                        let namespace = namespace.unwrap_or("default").to_string();
                        identities.owned.insert(namespace.clone());
                        identities.accounts.insert((namespace, name.to_string()));
                    }
                    _ => {}
                }
                if let Some(namespace) = namespace {
                    identities.namespaces.insert(namespace.to_string());
                }
            }
            for workload in cluster.model.workloads() {
                identities.owned.insert(workload.namespace.clone());
                identities
                    .accounts
                    .insert((workload.namespace.clone(), workload.service_account.clone()));
            }
        }
        identities
    }

    /// The declared namespace `namespace` is likely a typo of.
    fn namespace_like(&self, namespace: &str) -> Option<String> {
        let known: Vec<String> = self.namespaces.iter().cloned().collect();
        did_you_mean(namespace, &known).filter(|n| n != namespace)
    }

    /// The account of `namespace` that `account` is likely a typo of.
    fn account_like(&self, namespace: &str, account: &str) -> Option<String> {
        let known: Vec<String> = self
            .accounts
            .iter()
            .filter(|(n, _)| n == namespace)
            .map(|(_, a)| a.clone())
            .collect();
        did_you_mean(account, &known)
    }

    fn has_account(&self, namespace: &str, account: &str) -> bool {
        (account == "default" && self.namespaces.contains(namespace))
            || self
                .accounts
                .contains(&(namespace.to_string(), account.to_string()))
    }
}

/// A finding; a warning when the identity may exist outside the repository.
fn unknown(policy: &Node, node: &Node, message: String, sure: bool) -> Finding {
    let mut finding = Finding::new(&CODE, message, Some(node.origin.clone())).on(policy);
    if !sure {
        finding.severity = Severity::Warning;
    }
    finding
}

fn check(repo: &Repo) -> Vec<Finding> {
    let mut policies = repo
        .clusters
        .iter()
        .flat_map(|c| authorization_policies(c.objects))
        .peekable();
    if !repo.clusters.iter().all(|c| c.complete) || policies.peek().is_none() {
        return Vec::new();
    }
    // Identities are mesh-wide: built once from every cluster.
    let identities = Identities::of(repo);
    let mut findings = Vec::new();
    for policy in policies {
        let principals = rules(policy)
            .iter()
            .flat_map(sources)
            .flat_map(|s| values(s, "principals"));
        for (node, principal) in principals {
            let Some((_, namespace, account)) =
                split_principal(principal).filter(|_| !principal.contains('*'))
            else {
                continue;
            };
            if identities.has_account(namespace, account) {
                continue;
            }
            // Sure only where the repository owns the namespace's workloads, or the
            // namespace is a near miss of one it declares; otherwise the account may be
            // installed from elsewhere (a gateway chart, an operator).
            let (why, sure) = if identities.owned.contains(namespace) {
                let hint = identities
                    .account_like(namespace, account)
                    .map(|a| format!(" (did you mean {a}?)"))
                    .unwrap_or_default();
                (
                    format!("namespace {namespace} declares no ServiceAccount {account}{hint}"),
                    true,
                )
            } else if let Some(like) = identities.namespace_like(namespace) {
                (
                    format!(
                        "no cluster of the repository declares namespace {namespace} (did you \
                         mean {like}?)"
                    ),
                    true,
                )
            } else {
                (
                    format!("the repository holds no workload of namespace {namespace}"),
                    false,
                )
            };
            let outcome = if sure {
                "no workload carries this identity, so the rule never matches"
            } else {
                "unless it is deployed from elsewhere, no workload carries this identity and the \
                 rule never matches"
            };
            findings.push(unknown(
                policy,
                node,
                format!(
                    "principal `{principal}` names ServiceAccount {namespace}/{account}, but \
                     {why}: {outcome}"
                ),
                sure,
            ));
        }
        for field in ["namespaces", "notNamespaces"] {
            let written = rules(policy)
                .iter()
                .flat_map(sources)
                .flat_map(|s| values(s, field));
            for (node, namespace) in written {
                if let Some(finding) =
                    unknown_namespace(&identities, policy, node, namespace, field)
                {
                    findings.push(finding);
                }
            }
        }
    }
    findings
}

/// A finding for a `namespaces` or `notNamespaces` value (a name, or a `prefix*` / `*suffix`
/// pattern) that matches no namespace of the repository. A name that is a near miss of a
/// declared namespace is an error; the rest are warnings, since the namespace may be
/// deployed from elsewhere (and an exclusion that excludes nothing does no harm by itself).
fn unknown_namespace(
    identities: &Identities,
    policy: &Node,
    node: &Node,
    namespace: &str,
    field: &str,
) -> Option<Finding> {
    if identities
        .namespaces
        .iter()
        .any(|known| crate::policy::authz::pattern_matches(namespace, known))
    {
        return None;
    }
    let pattern = namespace.contains('*');
    let like = (!pattern)
        .then(|| identities.namespace_like(namespace))
        .flatten();
    let (what, effect) = match (pattern, field) {
        (true, "namespaces") => ("matches no namespace", "this source never matches"),
        (true, _) => ("matches no namespace", "this exclusion excludes nothing"),
        (false, "namespaces") => (
            "is declared by no cluster of the repository",
            "no workload calls from it and this source never matches",
        ),
        (false, _) => (
            "is declared by no cluster of the repository",
            "this exclusion excludes nothing",
        ),
    };
    let message = match &like {
        Some(like) => format!("{field} `{namespace}` {what} (did you mean {like}?): {effect}"),
        None => format!(
            "{field} `{namespace}` {what} of the repository: unless it is deployed from \
             elsewhere, {effect}"
        ),
    };
    Some(unknown(policy, node, message, like.is_some()))
}
