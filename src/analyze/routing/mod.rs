//! VirtualService routing (MW610–MW619): gateway bindings whose hosts the gateway does not
//! serve, references to Istio's internal gateways, several VirtualServices claiming one
//! host in the mesh, destinations that need a port, and match rules that can never apply.
//!
//! Shared here: the VirtualServices of a cluster, the gateways each one binds, and which
//! route rules and matches earlier ones hide ([`shadowed`]).

pub mod conflicting_mesh_hosts;
pub mod destination_port_required;
pub mod ineffective_match;
pub mod internal_gateway_reference;
pub mod unreachable_route_rule;
pub mod virtual_service_host_not_in_gateway;

use crate::analyze::refs::{is_istio, seq};
use crate::manifest::Node;
use crate::manifest::references::{Target, references};

/// The VirtualServices among `objects`.
pub fn virtual_services(objects: &[Node]) -> impl Iterator<Item = &Node> {
    objects.iter().filter(|o| is_istio(o, "VirtualService"))
}

/// One `gateways` entry of a VirtualService other than `mesh`.
pub struct Binding<'a> {
    /// The entry as written.
    pub node: &'a Node,
    pub namespace: String,
    pub name: String,
}

/// The gateways a VirtualService binds, besides `mesh`.
pub fn bindings(virtual_service: &Node) -> Vec<Binding<'_>> {
    references(virtual_service)
        .into_iter()
        .filter_map(|reference| match reference.target {
            Target::Gateway { namespace, name } => Some(Binding {
                node: reference.node,
                namespace,
                name,
            }),
            _ => None,
        })
        .collect()
}

/// A route rule or match of a VirtualService that earlier ones hide: Envoy takes the first
/// rule whose match a request satisfies, so what an earlier match already takes never gets
/// further.
pub enum Shadowed<'a> {
    /// A rule no request reaches: an earlier rule has no `match` (it takes every request),
    /// or each of its matches is covered by a match of an earlier rule.
    Rule {
        node: &'a Node,
        label: String,
        reason: String,
    },
    /// A match covered by an earlier match (of an earlier rule or the same one).
    Match {
        node: &'a Node,
        label: String,
        by: String,
    },
}

/// The rules and matches of `virtual_service`'s `http`, `tcp` and `tls` routes that earlier
/// ones hide, in order.
pub fn shadowed(virtual_service: &Node) -> Vec<Shadowed<'_>> {
    let mut found = Vec::new();
    for kind in ["http", "tcp", "tls"] {
        let mut earlier: Vec<(&Node, String)> = Vec::new();
        let mut catch_all: Option<String> = None;
        for (index, rule) in seq(virtual_service.at(&["spec", kind])).enumerate() {
            let label = match rule.str_at(&["name"]) {
                Some(name) => format!("{kind} rule {name:?}"),
                None => format!("{kind}[{index}]"),
            };
            if let Some(first) = &catch_all {
                found.push(Shadowed::Rule {
                    node: rule,
                    label,
                    reason: format!("{first} before it has no match and takes every request"),
                });
                continue;
            }
            let matches: Vec<&Node> = seq(rule.get("match")).collect();
            if matches.is_empty() {
                catch_all = Some(label);
                continue;
            }
            let mut this_rule: Vec<(&Node, String)> = Vec::new();
            let mut covered_by_earlier_rules = 0;
            for (position, candidate) in matches.iter().copied().enumerate() {
                let match_label = match candidate.str_at(&["name"]) {
                    Some(name) => format!("{label} match {name:?}"),
                    None => format!("{label} match[{position}]"),
                };
                let by_earlier_rule = earlier.iter().find(|(m, _)| covers(m, candidate));
                covered_by_earlier_rules += usize::from(by_earlier_rule.is_some());
                let by = by_earlier_rule
                    .or_else(|| this_rule.iter().find(|(m, _)| covers(m, candidate)));
                if let Some((_, by)) = by {
                    found.push(Shadowed::Match {
                        node: candidate,
                        label: match_label.clone(),
                        by: by.clone(),
                    });
                }
                this_rule.push((candidate, match_label));
            }
            if covered_by_earlier_rules == matches.len() {
                found.push(Shadowed::Rule {
                    node: rule,
                    label,
                    reason: "earlier rules take every request its matches select".to_string(),
                });
            }
            earlier.extend(this_rule);
        }
    }
    found
}

/// Whether every request `later` (a match of a route rule) selects is selected by `earlier`:
/// each condition `earlier` sets, `later` sets at least as narrowly. A `prefix` string match
/// covers a longer prefix or an exact value it starts; maps of conditions (`headers`,
/// `queryParams`, `sourceLabels`) cover a map with at least their entries, each covered;
/// anything else must be equal. `name` and `statPrefix` do not select requests.
fn covers(earlier: &Node, later: &Node) -> bool {
    let Some(conditions) = earlier.as_map() else {
        return earlier.to_json() == later.to_json();
    };
    let ignores_case = |m: &Node| {
        m.get("ignoreUriCase")
            .map_or(serde_json::Value::Bool(false), Node::to_json)
    };
    if ignores_case(earlier) != ignores_case(later) {
        return false;
    }
    conditions.iter().all(|(key, condition)| {
        let Some(narrower) = later.get(key) else {
            return matches!(key.as_str(), "name" | "statPrefix");
        };
        match key.as_str() {
            "name" | "statPrefix" | "ignoreUriCase" => true,
            "uri" | "scheme" | "method" | "authority" => string_match_covers(condition, narrower),
            "headers" | "queryParams" => condition.as_map().is_some_and(|entries| {
                entries.iter().all(|(name, value)| {
                    narrower
                        .get(name)
                        .is_some_and(|other| string_match_covers(value, other))
                })
            }),
            "sourceLabels" => condition.as_map().is_some_and(|labels| {
                labels.iter().all(|(name, value)| {
                    narrower
                        .get(name)
                        .is_some_and(|other| other.to_json() == value.to_json())
                })
            }),
            _ => condition.to_json() == narrower.to_json(),
        }
    })
}

/// Whether the string match `earlier` (`exact`, `prefix` or `regex`) accepts every value
/// `later` accepts.
fn string_match_covers(earlier: &Node, later: &Node) -> bool {
    if earlier.to_json() == later.to_json() {
        return true;
    }
    match (single_string_match(earlier), single_string_match(later)) {
        (Some(("prefix", prefix)), Some(("prefix" | "exact", value))) => value.starts_with(prefix),
        _ => false,
    }
}

/// The one `kind: value` of a string match (`prefix: /api`), if it has exactly one.
fn single_string_match(string_match: &Node) -> Option<(&str, &str)> {
    match string_match.as_map()? {
        [(kind, value)] => Some((kind.as_str(), value.as_str()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn node(yaml: &str) -> Node {
        parse_documents(std::path::Path::new("m.yaml"), yaml.as_bytes())
            .unwrap()
            .remove(0)
    }

    #[test]
    fn broader_matches_cover_narrower_ones() {
        let covers = |a: &str, b: &str| covers(&node(a), &node(b));
        assert!(covers(
            "uri: {prefix: /api}",
            "uri: {prefix: /api/v2}\nmethod: {exact: GET}"
        ));
        assert!(covers("uri: {prefix: /}", "uri: {exact: /}"));
        assert!(covers("name: a\nport: 80", "name: b\nport: 80"));
        assert!(covers(
            "headers: {x: {exact: a}}",
            "headers: {x: {exact: a}, y: {prefix: b}}"
        ));
        assert!(!covers("uri: {prefix: /api/v2}", "uri: {prefix: /api}"));
        assert!(!covers("uri: {exact: /}", "uri: {prefix: /}"));
        assert!(!covers("uri: {regex: /a.*}", "uri: {prefix: /a}"));
        assert!(!covers(
            "uri: {prefix: /a}",
            "uri: {prefix: /a/b}\nignoreUriCase: true"
        ));
        assert!(!covers("headers: {x: {exact: a}}", "uri: {prefix: /}"));
    }

    #[test]
    fn rules_after_a_catch_all_and_fully_covered_rules_are_shadowed() {
        let virtual_service = node(
            "spec:\n  http:\n  - match: [{uri: {prefix: /a}}]\n  - name: covered\n    match: [{uri: {prefix: /a/b}}, {uri: {prefix: /a/c}}]\n  - match: [{uri: {prefix: /a/d}}, {uri: {prefix: /z}}]\n  - route: []\n  - route: []\n",
        );
        let rules: Vec<String> = shadowed(&virtual_service)
            .into_iter()
            .filter_map(|s| match s {
                Shadowed::Rule { label, .. } => Some(label),
                Shadowed::Match { .. } => None,
            })
            .collect();
        assert_eq!(rules, ["http rule \"covered\"", "http[4]"]);
    }
}
