//! MW306: an operation method that is not an HTTP method as Istio matches it.
//!
//! `to.operation.methods` (and `notMethods`) are compared case-sensitively with the
//! request's method: `get` never matches a GET, and `FETCH` matches nothing. In an ALLOW
//! policy the operation then allows nothing; in a DENY policy it denies nothing.

use super::{authorization_policies, object_id, rules, values};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};
use crate::manifest::Node;

pub static RULE: Rule = Rule {
    code: &codes::INVALID_HTTP_METHOD,
    check,
};

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

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for policy in authorization_policies(cluster.objects) {
        let methods = rules(policy)
            .iter()
            .flat_map(operations)
            .flat_map(|o| values(o, "methods").chain(values(o, "notMethods")));
        for (node, method) in methods {
            // `*` and prefix/suffix patterns are Istio patterns, not methods.
            if method.contains('*') || METHODS.contains(&method) {
                continue;
            }
            let hint = METHODS
                .iter()
                .find(|m| m.eq_ignore_ascii_case(method))
                .map_or_else(
                    || format!("valid methods are {}", METHODS.join(", ")),
                    |m| format!("methods match case-sensitively, write `{m}`"),
                );
            findings.push(
                Finding::new(
                    &codes::INVALID_HTTP_METHOD,
                    format!(
                        "`{method}` in AuthorizationPolicy {} is not an HTTP method and matches no \
                         request ({hint})",
                        object_id(policy)
                    ),
                    Some(node.origin.clone()),
                )
                .on(policy),
            );
        }
    }
    findings
}
