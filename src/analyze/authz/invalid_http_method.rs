//! MW306: an operation method that is not an HTTP method as Istio matches it.
//!
//! `to.operation.methods` (and `notMethods`) are compared case-sensitively with the
//! request's method: `get` never matches a GET, and `FETCH` matches nothing. In an ALLOW
//! policy the operation then allows nothing; in a DENY policy it denies nothing.
//!
//! Methods are HTTP-only: on an operation whose `ports` are all plain TCP (Service ports
//! named `tcp` or `tcp-*`) for the workloads the policy applies to, Istio ignores an ALLOW
//! rule and widens a DENY rule to every connection.

use super::{authorization_policies, is_allow, object_id, rules, values};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::Model;
use crate::policy::workload::ServicePort;

/// `invalid-http-method`
pub static CODE: Code = Code {
    code: "MW306",
    name: "invalid-http-method",
    severity: Severity::Error,
    help: "write an upper-case HTTP method (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH); on TCP ports, drop `methods`",
    docs: r#"## What it does
Checks `to.operation.methods` and `notMethods` of AuthorizationPolicies: each must be an HTTP
method (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH) in upper case, or an
Istio pattern with `*`. Methods on an operation whose `ports` are all plain TCP (Service
ports named `tcp` or `tcp-*`) are reported too.

## Why is this bad?
Istio compares methods case-sensitively: `get` never matches, so an ALLOW operation allows
nothing (callers are denied) and a DENY operation denies nothing. TCP traffic has no
method: Istio ignores an ALLOW rule with methods on it, and drops the methods from a DENY
rule, which then denies every connection it otherwise matches.

## Example
```yaml
spec:
  rules:
    - to:
        - operation:
            methods: ["get"]
```

## Use instead
```yaml
spec:
  rules:
    - to:
        - operation:
            methods: ["GET"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

fn operations(rule: &Node) -> impl Iterator<Item = &Node> {
    rule.get("to")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.get("operation"))
}

/// Whether a Service port is plain TCP to Istio (protocol selection by port name).
fn tcp(port: &ServicePort) -> bool {
    port.name
        .as_deref()
        .is_some_and(|n| n == "tcp" || n.starts_with("tcp-"))
}

/// The ports `operation` lists, when every one is a plain TCP port of every workload the
/// policy applies to that serves it (and at least one serves it).
fn tcp_only(model: &Model, policy: Option<usize>, operation: &Node) -> Option<Vec<u16>> {
    let policy = &model.authorization[policy?];
    let listed: Vec<u16> = values(operation, "ports")
        .map(|(_, p)| p.parse().ok())
        .collect::<Option<_>>()?;
    if listed.is_empty() {
        return None;
    }
    let workloads: Vec<_> = model
        .workloads()
        .iter()
        .filter(|w| policy.applies_to(w))
        .collect();
    let all_tcp = !listed.is_empty()
        && listed.iter().all(|&number| {
            let serving: Vec<bool> = model
                .inventory
                .services
                .iter()
                .flat_map(|s| workloads.iter().map(move |w| (s, *w)))
                .filter(|(s, w)| s.selects(w))
                .flat_map(|(s, w)| {
                    s.ports
                        .iter()
                        .filter(move |p| s.target_port(p, w) == Some(number))
                        .map(tcp)
                })
                .collect();
            !serving.is_empty() && serving.iter().all(|t| *t)
        });
    all_tcp.then_some(listed)
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    let mut findings = Vec::new();
    let indexes: std::collections::HashMap<_, usize> = model
        .authorization
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id(), i))
        .collect();
    for policy in authorization_policies(cluster.objects) {
        let index = indexes.get(&object_id(policy)).copied();
        for operation in rules(policy).iter().flat_map(operations) {
            let tcp_ports = tcp_only(model, index, operation);
            let methods = values(operation, "methods").chain(values(operation, "notMethods"));
            for (node, method) in methods {
                // `*` and prefix/suffix patterns are Istio patterns, not methods.
                let valid = method.contains('*') || METHODS.contains(&method);
                let problem = match (&tcp_ports, valid) {
                    (_, false) => {
                        let hint = METHODS
                            .iter()
                            .find(|m| m.eq_ignore_ascii_case(method))
                            .map_or_else(
                                || format!("valid methods are {}", METHODS.join(", ")),
                                |m| format!("methods match case-sensitively, write `{m}`"),
                            );
                        format!("is not an HTTP method and matches no request ({hint})")
                    }
                    (Some(ports), true) => format!(
                        "applies to plain TCP port(s) {}, which carry no HTTP methods: {}",
                        ports
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        if is_allow(policy) {
                            "Istio ignores this ALLOW rule for TCP traffic, no connection matches it"
                        } else {
                            "Istio drops the methods from the rule for TCP traffic, so it matches \
                             every connection the rest of the rule matches"
                        }
                    ),
                    (None, true) => continue,
                };
                findings.push(
                    Finding::new(
                        &CODE,
                        format!(
                            "`{method}` in AuthorizationPolicy {} {problem}",
                            object_id(policy)
                        ),
                        Some(node.origin.clone()),
                    )
                    .on(policy),
                );
            }
        }
    }
    findings
}
