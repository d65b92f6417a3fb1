//! AuthorizationPolicy: which policies apply to a workload, and whether some request of a
//! caller can pass them.
//!
//! Istio evaluates CUSTOM, then DENY, then ALLOW: a matching DENY denies; with no ALLOW
//! policy everything else is allowed; with ALLOW policies a request must match one. A
//! policy without rules matches nothing (an ALLOW `spec: {}` allows nothing); a rule `{}`
//! matches everything. Within a rule `from`, `to` and `when` are ANDed, entries of a list
//! ORed, fields of a source or operation ANDed, values of a field ORed.
//!
//! Offline, a caller is known only by its identity (principal, namespace: present only
//! over mTLS) and the port it calls; request attributes (methods, paths, hosts) are free,
//! so an ALLOW operation can always be satisfied by some request, and a DENY operation
//! with request attributes denies only part of the requests (it blocks the caller when it
//! covers every request an ALLOW lets through). `when`, `ipBlocks`, `remoteIpBlocks` and
//! `requestPrincipals` are unknown: they "may match", which makes the result conditional.
//! CUSTOM policies are decided by an external authorizer: a matching one makes the result
//! conditional. Policies with `targetRef(s)` bind to gateways or waypoints, not sidecars,
//! and are skipped.

use crate::manifest::Node;
use crate::policy::cluster::{DEFAULT_TRUST_DOMAIN, ROOT_NAMESPACE};
use crate::policy::workload::{Labels, Workload, matches_labels, scalar};

/// An AuthorizationPolicy action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
    Custom,
    Audit,
}

/// Three-valued match: offline some attributes cannot be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    No,
    Maybe,
    Yes,
}

impl Match {
    fn and(self, other: Match) -> Match {
        self.min(other)
    }
    fn from_bool(b: bool) -> Match {
        if b { Match::Yes } else { Match::No }
    }
}

/// A list of values and whether it is negated (`notX`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    pub values: Option<Vec<String>>,
    pub not: Option<Vec<String>>,
}

impl Values {
    fn read(node: &Node, key: &str, not_key: &str) -> Values {
        let list = |k: &str| {
            node.get(k)
                .and_then(Node::as_seq)
                .map(|items| items.iter().filter_map(scalar).collect::<Vec<String>>())
        };
        Values {
            values: list(key),
            not: list(not_key),
        }
    }

    fn is_set(&self) -> bool {
        self.values.is_some() || self.not.is_some()
    }

    /// Whether `value` (absent: the attribute is empty, e.g. no peer identity) matches.
    fn matches(&self, value: Option<&str>) -> bool {
        let hit = |patterns: &[String]| {
            value.is_some_and(|v| !v.is_empty() && patterns.iter().any(|p| pattern_matches(p, v)))
        };
        self.values.as_deref().is_none_or(hit) && !self.not.as_deref().is_some_and(hit)
    }
}

/// Istio string matching: exact, prefix `abc*`, suffix `*abc`, or `*` (any non-empty).
pub fn pattern_matches(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        return !value.is_empty();
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return value.starts_with(prefix);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return value.ends_with(suffix);
    }
    pattern == value
}

/// Whether every value `allowed` can take is matched by `deny` (both Istio patterns).
fn pattern_covers(deny: &str, allowed: &str) -> bool {
    if deny == "*" {
        return true;
    }
    if let Some(prefix) = deny.strip_suffix('*') {
        return match allowed.strip_suffix('*') {
            Some(inner) => inner.starts_with(prefix),
            None => !allowed.starts_with('*') && allowed.starts_with(prefix),
        };
    }
    if let Some(suffix) = deny.strip_prefix('*') {
        return match allowed.strip_prefix('*') {
            Some(inner) => inner.ends_with(suffix),
            None => !allowed.ends_with('*') && allowed.ends_with(suffix),
        };
    }
    deny == allowed
}

/// `rule.from[].source`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    pub principals: Values,
    pub namespaces: Values,
    /// ipBlocks, remoteIpBlocks, requestPrincipals (or their negations) are set.
    pub unknown: bool,
}

/// `rule.to[].operation`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Operation {
    pub methods: Values,
    pub paths: Values,
    pub hosts: Values,
    pub ports: Values,
}

impl Operation {
    /// Whether request attributes (not the port) restrict the operation.
    fn restricts_requests(&self) -> bool {
        self.methods.is_set() || self.paths.is_set() || self.hosts.is_set()
    }

    /// Whether every request `allowed` lets through is matched by this (deny) operation.
    /// Negated fields are not reasoned about (a deny with them never covers).
    fn covers(&self, allowed: Option<&Operation>) -> bool {
        fn dims(o: &Operation) -> [&Values; 3] {
            [&o.methods, &o.paths, &o.hosts]
        }
        let deny = dims(self);
        let allow = allowed.map(dims);
        deny.iter().enumerate().all(|(i, d)| {
            if d.not.is_some() {
                return false;
            }
            let Some(deny_values) = d.values.as_ref() else {
                return true;
            };
            match allow.as_ref().and_then(|a| a[i].values.as_ref()) {
                Some(allow_values) => allow_values
                    .iter()
                    .all(|a| deny_values.iter().any(|d| pattern_covers(d, a))),
                None => deny_values.iter().any(|d| d == "*"),
            }
        })
    }
}

/// One rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rule {
    /// Empty: any source.
    pub from: Vec<Source>,
    /// Empty: any operation.
    pub to: Vec<Operation>,
    /// `when` conditions are present.
    pub when: bool,
}

/// One AuthorizationPolicy.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationPolicy {
    pub namespace: String,
    pub name: String,
    pub action: Action,
    pub selector: Option<Labels>,
    pub rules: Vec<Rule>,
    /// Bound by `targetRef`/`targetRefs` (gateways, waypoints): not applied to sidecars.
    pub targeted: bool,
}

impl AuthorizationPolicy {
    pub fn read(object: &Node) -> Option<AuthorizationPolicy> {
        if object.str_at(&["kind"]) != Some("AuthorizationPolicy") {
            return None;
        }
        let spec = object.get("spec");
        let get = |key: &str| spec.and_then(|s| s.get(key));
        let action = match get("action").and_then(Node::as_str) {
            Some("DENY") => Action::Deny,
            Some("CUSTOM") => Action::Custom,
            Some("AUDIT") => Action::Audit,
            _ => Action::Allow,
        };
        let selector = get("selector")
            .and_then(|s| s.get("matchLabels"))
            .and_then(Node::as_map)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|(k, v)| scalar(v).map(|v| (k.clone(), v)))
                    .collect::<Labels>()
            })
            .filter(|l| !l.is_empty());
        let rules = get("rules")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(read_rule)
            .collect();
        Some(AuthorizationPolicy {
            namespace: object
                .str_at(&["metadata", "namespace"])
                .unwrap_or("default")
                .to_string(),
            name: object.str_at(&["metadata", "name"])?.to_string(),
            action,
            selector,
            rules,
            targeted: get("targetRef").is_some() || get("targetRefs").is_some(),
        })
    }

    /// `<namespace>/<name>`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// In authorization policy `cluster.local` in a principal "is a pointer that points to
    /// the current trust domain" and its aliases (Istio's trust domain migration docs), and a
    /// principal of an alias (`meshConfig.trustDomainAliases`) matches the current trust
    /// domain: rewrites such principals to `trust_domain`.
    pub fn resolve_trust_domain(&mut self, trust_domain: &str, aliases: &[String]) {
        let prefixes: Vec<String> = std::iter::once(DEFAULT_TRUST_DOMAIN)
            .chain(aliases.iter().map(String::as_str))
            .filter(|d| *d != trust_domain)
            .map(|d| format!("{d}/"))
            .collect();
        if prefixes.is_empty() {
            return;
        }
        for source in self.rules.iter_mut().flat_map(|r| r.from.iter_mut()) {
            let lists = [&mut source.principals.values, &mut source.principals.not];
            for principal in lists.into_iter().flatten().flatten() {
                if let Some(rest) = prefixes
                    .iter()
                    .find_map(|p| principal.strip_prefix(p.as_str()))
                {
                    *principal = format!("{trust_domain}/{rest}");
                }
            }
        }
    }

    /// Whether the policy applies to `workload`'s sidecar.
    pub fn applies_to(&self, workload: &Workload) -> bool {
        if self.targeted {
            return false;
        }
        let in_scope = self.namespace == workload.namespace || self.namespace == ROOT_NAMESPACE;
        in_scope
            && self
                .selector
                .as_ref()
                .is_none_or(|s| matches_labels(s, &workload.labels))
    }
}

fn read_rule(rule: &Node) -> Rule {
    let items = |key: &str, inner: &str| -> Vec<Node> {
        rule.get(key)
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|n| {
                n.get(inner)
                    .cloned()
                    .unwrap_or_else(|| Node::empty_map(n.origin.clone()))
            })
            .collect()
    };
    let from = items("from", "source")
        .iter()
        .map(|s| Source {
            principals: Values::read(s, "principals", "notPrincipals"),
            namespaces: Values::read(s, "namespaces", "notNamespaces"),
            unknown: [
                "ipBlocks",
                "notIpBlocks",
                "remoteIpBlocks",
                "notRemoteIpBlocks",
                "requestPrincipals",
                "notRequestPrincipals",
            ]
            .iter()
            .any(|k| s.get(k).is_some()),
        })
        .collect();
    let to = items("to", "operation")
        .iter()
        .map(|o| Operation {
            methods: Values::read(o, "methods", "notMethods"),
            paths: Values::read(o, "paths", "notPaths"),
            hosts: Values::read(o, "hosts", "notHosts"),
            ports: Values::read(o, "ports", "notPorts"),
        })
        .collect();
    let when = rule
        .get("when")
        .and_then(Node::as_seq)
        .is_some_and(|w| !w.is_empty());
    Rule { from, to, when }
}

/// Who calls: identity fields are `None` without mTLS (a plaintext caller has none).
#[derive(Debug, Clone, Copy)]
pub struct Peer<'a> {
    pub principal: Option<&'a str>,
    pub namespace: Option<&'a str>,
    /// The workload port called (`None` when unknown).
    pub port: Option<u16>,
}

impl Source {
    fn matches(&self, peer: &Peer) -> Match {
        let known = Match::from_bool(
            self.principals.matches(peer.principal) && self.namespaces.matches(peer.namespace),
        );
        if self.unknown {
            known.and(Match::Maybe)
        } else {
            known
        }
    }
}

fn port_matches(ports: &Values, port: Option<u16>) -> Match {
    if !ports.is_set() {
        return Match::Yes;
    }
    match port {
        Some(p) => Match::from_bool(ports.matches(Some(&p.to_string()))),
        None => Match::Maybe,
    }
}

/// The operations of `rule` that `peer` can reach, with how surely (`None` op: any).
fn reachable<'r>(rule: &'r Rule, peer: &Peer) -> Vec<(Match, Option<&'r Operation>)> {
    let source = if rule.from.is_empty() {
        Match::Yes
    } else {
        rule.from
            .iter()
            .map(|s| s.matches(peer))
            .max()
            .unwrap_or(Match::No)
    };
    let source = if rule.when {
        source.and(Match::Maybe)
    } else {
        source
    };
    if source == Match::No {
        return Vec::new();
    }
    if rule.to.is_empty() {
        return vec![(source, None)];
    }
    rule.to
        .iter()
        .map(|op| (source.and(port_matches(&op.ports, peer.port)), Some(op)))
        .filter(|(m, _)| *m != Match::No)
        .collect()
}

/// The outcome of authorization for one caller and port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Verdict {
    pub allowed: bool,
    /// The outcome depends on something unknown offline (`when`, IP blocks, JWTs, CUSTOM).
    pub conditional: bool,
    /// Indices of the policies that decided.
    pub policies: Vec<usize>,
}

/// Evaluates the policies `applicable` (indices into `policies`) for `peer`.
pub fn evaluate(policies: &[AuthorizationPolicy], applicable: &[usize], peer: &Peer) -> Verdict {
    let mut verdict = Verdict::default();
    let mut denies: Vec<(usize, &Operation)> = Vec::new();
    let mut full_deny: Option<usize> = None;
    let mut allow_exists = false;
    let mut allow_ops: Vec<(usize, Match, Option<&Operation>)> = Vec::new();
    for &index in applicable {
        let policy = &policies[index];
        match policy.action {
            Action::Audit => {}
            Action::Custom => {
                if policy.rules.iter().any(|r| !reachable(r, peer).is_empty()) {
                    verdict.conditional = true;
                    verdict.policies.push(index);
                }
            }
            Action::Deny => {
                for rule in &policy.rules {
                    for (sure, op) in reachable(rule, peer) {
                        let restricts = op.is_some_and(Operation::restricts_requests);
                        if sure == Match::Yes && !restricts {
                            full_deny.get_or_insert(index);
                        } else if sure == Match::Yes {
                            denies.push((index, op.expect("restricts implies an operation")));
                        } else {
                            verdict.conditional = true;
                            if !verdict.policies.contains(&index) {
                                verdict.policies.push(index);
                            }
                        }
                    }
                }
            }
            Action::Allow => {
                allow_exists = true;
                for rule in &policy.rules {
                    for (sure, op) in reachable(rule, peer) {
                        allow_ops.push((index, sure, op));
                    }
                }
            }
        }
    }
    if let Some(index) = full_deny {
        verdict
            .policies
            .retain(|p| policies[*p].action == Action::Custom);
        verdict.policies.push(index);
        verdict.allowed = false;
        return verdict;
    }
    if !allow_exists {
        allow_ops.push((usize::MAX, Match::Yes, None));
    }
    let mut passing = allow_ops
        .iter()
        .filter(|(_, _, op)| !denies.iter().any(|(_, d)| d.covers(*op)))
        .peekable();
    if passing.peek().is_none() {
        verdict.allowed = false;
        if allow_ops.is_empty() {
            // No ALLOW policy matches: the ALLOW policies present decided.
            let mut allows: Vec<usize> = applicable
                .iter()
                .copied()
                .filter(|i| policies[*i].action == Action::Allow)
                .collect();
            verdict.policies.append(&mut allows);
        } else {
            verdict.policies.extend(denies.iter().map(|(i, _)| *i));
        }
    } else {
        verdict.allowed = true;
        let mut sure = false;
        for (index, m, _) in passing {
            sure |= *m == Match::Yes;
            if *index != usize::MAX {
                verdict.policies.push(*index);
            }
        }
        if !sure {
            verdict.conditional = true;
        }
        // DENY policies that cut some requests also shaped what passes.
        verdict.policies.extend(denies.iter().map(|(i, _)| *i));
    }
    verdict.policies.sort_unstable();
    verdict.policies.dedup();
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exact_prefix_suffix_and_presence() {
        assert!(pattern_matches("*", "x"));
        assert!(!pattern_matches("*", ""));
        assert!(pattern_matches("/api/*", "/api/v1"));
        assert!(!pattern_matches("/api/*", "/apx"));
        assert!(pattern_matches("*.json", "/a.json"));
        assert!(pattern_matches("GET", "GET"));
        assert!(!pattern_matches("GET", "POST"));
    }

    #[test]
    fn coverage_of_one_pattern_by_another() {
        assert!(pattern_covers("*", "/x"));
        assert!(pattern_covers("/a/*", "/a/b"));
        assert!(pattern_covers("/a/*", "/a/b/*"));
        assert!(!pattern_covers("/a/b/*", "/a/*"));
        assert!(!pattern_covers("/a/*", "*.json"));
        assert!(pattern_covers("*.json", "/x.json"));
        assert!(pattern_covers("*.json", "*/x.json"));
        assert!(!pattern_covers("*.json", "/x/*"));
        assert!(pattern_covers("/x", "/x"));
        assert!(!pattern_covers("/x", "/x*"));
    }
}
