//! MW305: an ALLOW rule that admits every caller with a mesh identity, or every caller.
//!
//! A principal `*` (or a pattern that leaves the namespace open, like `cluster.local/*` or
//! `*/sa/default`), a namespace `*` or a rule without `from` turn an allow-list into
//! allow-all (an empty source or `from: []` is MW115's). Sources narrowed by another field
//! (namespaces, IP blocks, request principals) and rules with `when` conditions are left
//! alone, as are policies for gateways (their callers are the internet, on purpose).

use super::{
    authorization_policies, is_allow, is_gateway, is_targeted, object_id, rules, sources, values,
};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;

/// `wildcard-principal`
pub static CODE: Code = Code {
    code: "MW305",
    name: "wildcard-principal",
    severity: Severity::Warning,
    help: "name the callers' principals (`<trust-domain>/ns/<ns>/sa/<account>`) instead",
    docs: r#"## What it does
Finds ALLOW rules that admit every caller with a mesh identity or every caller: a principal
`*` or a pattern that leaves the namespace open (`cluster.local/*`, `*/sa/default`), a
namespace `*`, or a rule without `from` (an empty source is MW115). Sources narrowed by
another field, rules with `when` conditions and gateway policies are not reported.

## Why is this bad?
The allow-list allows everyone: any workload of any namespace or tenant may call the
selected workloads, which defeats the deny-by-default policy.

## Example
```yaml
spec:
  selector:
    matchLabels:
      app: orders
  rules:
    - from:
        - source:
            principals: ["*"]
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: orders
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/shop/sa/frontend"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// Whether a principal pattern matches principals of any namespace.
fn broad_principal(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return !suffix.contains("/ns/");
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => prefix
            .split_once("/ns/")
            .is_none_or(|(_, rest)| !rest.contains('/')),
        None => false,
    }
}

/// Fields of a source that narrow who may call besides the principal.
const NARROWING: [&str; 5] = [
    "namespaces",
    "ipBlocks",
    "remoteIpBlocks",
    "requestPrincipals",
    "notRequestPrincipals",
];

/// Whether a policy selects gateway pods.
fn for_gateway(policy: &Node) -> bool {
    let labels = policy
        .at(&["spec", "selector", "matchLabels"])
        .and_then(Node::as_map)
        .unwrap_or_default();
    is_gateway(
        labels
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))),
    )
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    let policies = authorization_policies(cluster.objects)
        .filter(|p| is_allow(p) && !is_targeted(p) && !for_gateway(p));
    for policy in policies {
        let mut finding = |node: &Node, what: String| {
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "{what} in ALLOW policy {}: every workload of the mesh may call the \
                         workloads it selects",
                        object_id(policy)
                    ),
                    Some(node.origin.clone()),
                )
                .on(policy),
            );
        };
        for rule in rules(policy).iter().filter(|r| r.get("when").is_none()) {
            if rule.get("from").is_none() {
                finding(
                    rule,
                    "this rule has no `from`, so it admits any caller".into(),
                );
                continue;
            }
            for source in sources(rule) {
                let narrowed = |field: &str| {
                    NARROWING
                        .iter()
                        .filter(|k| **k != field)
                        .any(|k| source.get(k).is_some())
                };
                if !narrowed("principals") {
                    for (node, principal) in values(source, "principals") {
                        if broad_principal(principal) {
                            finding(
                                node,
                                format!("principal `{principal}` matches every namespace"),
                            );
                        }
                    }
                }
                if !narrowed("namespaces") && source.get("principals").is_none() {
                    for (node, namespace) in values(source, "namespaces") {
                        if namespace == "*" {
                            finding(node, "namespace `*` matches every namespace".into());
                        }
                    }
                }
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::broad_principal;

    #[test]
    fn broad_principals_leave_the_namespace_open() {
        for broad in ["*", "cluster.local/*", "cluster.local/ns/*", "*/sa/default"] {
            assert!(broad_principal(broad), "{broad}");
        }
        for narrow in [
            "cluster.local/ns/shop/sa/web",
            "cluster.local/ns/shop/*",
            "cluster.local/ns/shop/sa/*",
            "*/ns/shop/sa/web",
        ] {
            assert!(!broad_principal(narrow), "{narrow}");
        }
    }
}
