//! MW205: an AuthorizationPolicy rule matching on caller identity (`principals`,
//! `notPrincipals`, `namespaces`, `notNamespaces`) where callers may come without mTLS.
//!
//! A caller's identity exists only over Istio mutual TLS; a plaintext caller has none, so
//! `principals`/`namespaces` never match it and `notPrincipals`/`notNamespaces` always do.
//! Two cases go wrong:
//! - the rule can be bypassed: a DENY on `principals`/`namespaces`, or an ALLOW on
//!   `notPrincipals`/`notNamespaces`, on a workload port whose effective PeerAuthentication
//!   mode is not STRICT — any caller, the named identities included, sending plaintext
//!   escapes the DENY or is let in by the ALLOW. Reported whenever such a port exists.
//! - named callers are refused: an ALLOW on `principals`/`namespaces`, or a DENY on
//!   `notPrincipals`/`notNamespaces`, names callers the policy model shows reaching the
//!   workload in plaintext (no sidecar, a DestinationRule with `DISABLE`, a DISABLE port):
//!   they are denied although the rule means to let them through. Reported only for such
//!   callers (a caller without sidecar only when the repository declares its Namespace,
//!   since injection is decided there), and not for patterns standing for every identity
//!   (`*`, `<trust-domain>/*`): refusing anonymous callers is what those rules are for (the
//!   deny-non-mTLS policy `notPrincipals: ["*"]` among them).
//!
//! Only sidecars enforce these policies, so only workloads with one are considered, and
//! only the ports a rule's `to.operation.ports` name when every operation names some.

use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::authz::{self, Action};
use crate::policy::peer::PeerMode;
use crate::policy::{Decision, Model, Mtls};

use super::{enumerate, object};

/// `identity-rule-without-mtls`
pub static CODE: Code = Code {
    code: "MW205",
    name: "identity-rule-without-mtls",
    severity: Severity::Error,
    help: "make the workload STRICT (PeerAuthentication) so every caller has an identity",
    docs: r#"## What it does
Checks AuthorizationPolicy rules that match on caller identity — `principals`,
`notPrincipals`, `namespaces`, `notNamespaces` — against the effective mTLS of the workloads
they apply to. A plaintext caller has no identity: `principals` and `namespaces` never match
it, `notPrincipals` and `notNamespaces` always do. Reported are:
- a `DENY` on `principals`/`namespaces`, or an `ALLOW` on `notPrincipals`/`notNamespaces`,
  applying to a workload port that is not STRICT: the rule can be bypassed by sending
  plaintext;
- an `ALLOW` on `principals`/`namespaces`, or a `DENY` on `notPrincipals`/`notNamespaces`,
  naming a caller that reaches the workload in plaintext (no sidecar, a DestinationRule with
  `DISABLE`, a port in mode `DISABLE`): that caller is denied although the rule means to let
  it through.

Refusing anonymous callers is what the second kind of rule is for, so the deny-non-mTLS
policy (`DENY` with `notPrincipals: ["*"]`) is not reported.

## Why is this bad?
The policy reads as "deny the batch service account" or "allow only the frontend", but the
identity it matches exists only over Istio mutual TLS. On a PERMISSIVE port the denied
workload gets through by sending plaintext; a caller without sidecar named in an allow-list
gets 403 `RBAC: access denied` although it is listed.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: PERMISSIVE
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-batch
  namespace: shop
spec:
  action: DENY
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/batch/sa/report"]
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-batch
  namespace: shop
spec:
  action: DENY
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/batch/sa/report"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// The identity fields of a source: (key, is a negation, principals rather than namespaces).
const FIELDS: [(&str, bool, bool); 4] = [
    ("principals", false, true),
    ("notPrincipals", true, true),
    ("namespaces", false, false),
    ("notNamespaces", true, false),
];

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    let mut findings = Vec::new();
    for policy in &model.authorization {
        let deny = match policy.action {
            Action::Allow => false,
            Action::Deny => true,
            Action::Custom | Action::Audit => continue,
        };
        let callees: Vec<usize> = model
            .workloads()
            .iter()
            .enumerate()
            .filter(|(_, w)| w.sidecar && policy.applies_to(w))
            .map(|(i, _)| i)
            .collect();
        if callees.is_empty() {
            continue;
        }
        let Some(object) = object(
            cluster,
            "AuthorizationPolicy",
            &policy.namespace,
            &policy.name,
        ) else {
            continue;
        };
        let scope = Scope {
            model,
            callees: &callees,
            deny,
        };
        let rules = object
            .at(&["spec", "rules"])
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for (rule, rule_node) in policy.rules.iter().zip(rules) {
            let ports = rule_ports(rule);
            let sources = rule_node
                .get("from")
                .and_then(Node::as_seq)
                .unwrap_or_default();
            for (source, source_node) in rule.from.iter().zip(sources) {
                for (key, negated, principals) in FIELDS {
                    let Some(node) = source_node.at(&["source", key]) else {
                        continue;
                    };
                    let values = if principals {
                        &source.principals
                    } else {
                        &source.namespaces
                    };
                    let patterns = if negated { &values.not } else { &values.values };
                    let field = Field {
                        key,
                        negated,
                        principals,
                        patterns: patterns.as_deref().unwrap_or_default(),
                        node,
                    };
                    for (node, message) in scope.messages(&field, ports.as_deref()) {
                        findings.push(
                            Finding::new(
                                &CODE,
                                format!("AuthorizationPolicy {} {message}", policy.id()),
                                Some(node.origin.clone()),
                            )
                            .on(object),
                        );
                    }
                }
            }
        }
    }
    findings
}

/// One policy: the workloads it applies to and its action.
struct Scope<'a> {
    model: &'a Model,
    callees: &'a [usize],
    deny: bool,
}

impl Scope<'_> {
    /// What is wrong with one identity field, at the node to edit.
    fn messages<'n>(&self, field: &Field<'n>, ports: Option<&[String]>) -> Vec<(&'n Node, String)> {
        if self.deny != field.negated {
            return bypass(self.model, self.callees, ports, field, self.deny)
                .map(|m| (field.node, m))
                .into_iter()
                .collect();
        }
        let items = field.node.as_seq().unwrap_or_default();
        refused(self.model, self.callees, ports, field, self.deny)
            .into_iter()
            .map(|(i, m)| {
                // The item written, when the list holds only scalars.
                let item = items.get(i).filter(|_| items.len() == field.patterns.len());
                (item.unwrap_or(field.node), m)
            })
            .collect()
    }
}

/// One identity field of a source.
struct Field<'a> {
    key: &'static str,
    negated: bool,
    principals: bool,
    patterns: &'a [String],
    node: &'a Node,
}

impl Field<'_> {
    fn noun(&self) -> &'static str {
        if self.principals {
            "principal"
        } else {
            "namespace"
        }
    }
}

/// The ports a rule is limited to, when every operation names ports.
fn rule_ports(rule: &authz::Rule) -> Option<Vec<String>> {
    if rule.to.is_empty() {
        return None;
    }
    let mut ports = Vec::new();
    for operation in &rule.to {
        ports.extend(operation.ports.values.clone()?);
    }
    Some(ports)
}

fn port_in(ports: Option<&[String]>, port: Option<u16>) -> bool {
    match (ports, port) {
        (Some(ports), Some(port)) => ports.iter().any(|p| *p == port.to_string()),
        _ => true,
    }
}

/// The ports of a callee (among `ports`) whose effective mode is not STRICT, with the mode.
fn plaintext_ports(
    model: &Model,
    callee: usize,
    ports: Option<&[String]>,
) -> Vec<(Option<u16>, PeerMode)> {
    let levels = model.peer.for_workload(&model.workloads()[callee]);
    model
        .callee_ports(callee)
        .into_iter()
        .filter(|p| port_in(ports, p.port))
        .map(|p| (p.port, model.peer.resolve(levels, p.port).mode))
        .filter(|(_, mode)| *mode != PeerMode::Strict)
        .collect()
}

/// A DENY on identities or an ALLOW on negated identities, on ports that accept plaintext.
fn bypass(
    model: &Model,
    callees: &[usize],
    ports: Option<&[String]>,
    field: &Field,
    deny: bool,
) -> Option<String> {
    let mut open = Vec::new();
    for &callee in callees {
        let workload = &model.workloads()[callee];
        for (port, mode) in plaintext_ports(model, callee, ports) {
            let port = port.map_or(String::new(), |p| format!(":{p}"));
            open.push(format!("{}{port} ({mode})", workload.id()));
        }
    }
    if open.is_empty() {
        return None;
    }
    let noun = field.noun();
    let accept = if open.len() == 1 { "accepts" } else { "accept" };
    let outcome = if deny {
        format!(
            "denies by `{}`, but {} {accept} plaintext: a plaintext caller has no {noun}, so \
             this rule never matches it and the callers it means to deny get through by \
             sending plaintext",
            field.key,
            enumerate(&open)
        )
    } else {
        format!(
            "allows by `{}`, but {} {accept} plaintext: a plaintext caller has no {noun}, so it \
             always matches `{}` and is allowed — the {noun}s excluded here included",
            field.key,
            enumerate(&open),
            field.key
        )
    };
    Some(outcome)
}

/// An ALLOW on identities or a DENY on negated identities: per pattern (index) naming
/// callers that arrive in plaintext, what happens to them.
fn refused(
    model: &Model,
    callees: &[usize],
    ports: Option<&[String]>,
    field: &Field,
    deny: bool,
) -> Vec<(usize, String)> {
    let mut refused: Vec<Vec<String>> = vec![Vec::new(); field.patterns.len()];
    let workloads = model.workloads();
    for &callee in callees {
        // Plaintext into a STRICT port is broken, not plaintext: only other ports matter.
        if plaintext_ports(model, callee, ports).is_empty() {
            continue;
        }
        for (index, caller) in workloads.iter().enumerate() {
            if index == callee
                || (!caller.sidecar && !model.inventory.namespaces.contains_key(&caller.namespace))
            {
                // Whether it runs a sidecar depends on a Namespace not in the repository.
                continue;
            }
            let identity = if field.principals {
                model.principal(caller)
            } else {
                caller.namespace.clone()
            };
            let named: Vec<usize> = (0..field.patterns.len())
                .filter(|&i| {
                    let pattern = &field.patterns[i];
                    !any_identity(model, pattern) && authz::pattern_matches(pattern, &identity)
                })
                .collect();
            if named.is_empty() {
                continue;
            }
            for (edge, decision) in model.evaluate(index, callee) {
                if edge.mtls != Mtls::Plaintext || !port_in(ports, edge.port) {
                    continue;
                }
                let port = edge.port.map_or(String::new(), |p| format!(":{p}"));
                let why = reason(&decision, caller.sidecar);
                let item = format!("{} → {}{port} ({why})", caller.id(), workloads[callee].id());
                for &i in &named {
                    if !refused[i].contains(&item) {
                        refused[i].push(item.clone());
                    }
                }
            }
        }
    }
    let (verb, outcome) = if deny {
        ("exempts", "they are not exempted and are denied")
    } else {
        ("allows", "the rule never matches them and they are denied")
    };
    refused
        .into_iter()
        .enumerate()
        .filter(|(_, callers)| !callers.is_empty())
        .map(|(i, callers)| {
            let noun = field.noun();
            let message = format!(
                "{verb} {noun} `{}` ({}), but the callers it names reach the workload in plaintext: {}; \
                 without mTLS they have no {noun}, so {outcome}",
                field.patterns[i],
                field.key,
                enumerate(&callers),
            );
            (i, message)
        })
        .collect()
}

/// Whether a pattern stands for every identity (`*`, or every principal of the trust
/// domain): such a rule is about having an identity at all, and refusing plaintext is its
/// purpose.
fn any_identity(model: &Model, pattern: &str) -> bool {
    pattern == "*" || pattern.strip_suffix("/*") == Some(model.trust_domain.as_str())
}

/// Why a connection is plaintext.
fn reason(decision: &Decision, caller_sidecar: bool) -> &'static str {
    let connection = decision.connection;
    if !caller_sidecar {
        "caller without sidecar"
    } else if connection.server.mode == PeerMode::Disable {
        "port in mode DISABLE"
    } else if connection.client_tls.is_some() {
        "DestinationRule without ISTIO_MUTUAL"
    } else {
        "plaintext"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;
    use crate::policy::authz::AuthorizationPolicy;

    fn model(yaml: &str) -> Model {
        let objects = parse_documents(std::path::Path::new("t.yaml"), yaml.as_bytes()).unwrap();
        Model::new("test", &objects, "example.org")
    }

    #[test]
    fn patterns_for_every_identity_name_no_caller() {
        let model = model("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
        assert!(any_identity(&model, "*"));
        assert!(any_identity(&model, "example.org/*"));
        assert!(!any_identity(&model, "example.org/ns/a/*"));
        assert!(!any_identity(&model, "cluster.local/ns/a/sa/b"));
    }

    #[test]
    fn a_rule_is_limited_to_ports_only_when_every_operation_names_some() {
        let policy = |operations: &str| {
            let yaml = format!(
                "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {{name: p}}\n\
                 spec:\n  rules:\n    - to: {operations}\n"
            );
            let objects = parse_documents(std::path::Path::new("t.yaml"), yaml.as_bytes()).unwrap();
            AuthorizationPolicy::read(&objects[0]).unwrap()
        };
        let limited = policy(r#"[{operation: {ports: ["8080"]}}, {operation: {ports: ["9090"]}}]"#);
        let ports = rule_ports(&limited.rules[0]);
        assert_eq!(
            ports.as_deref(),
            Some(&["8080".to_string(), "9090".to_string()][..])
        );
        assert!(!port_in(ports.as_deref(), Some(7070)));
        assert!(port_in(ports.as_deref(), Some(9090)));
        let open = policy(r#"[{operation: {ports: ["8080"]}}, {operation: {paths: ["/x"]}}]"#);
        assert_eq!(rule_ports(&open.rules[0]), None);
    }
}
