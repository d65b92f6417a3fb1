//! Client-side TLS: which DestinationRule a caller uses for a Service host and port, and
//! the TLS mode it sets.
//!
//! Istio looks a DestinationRule up in the client's namespace, then the Service's
//! namespace, then the root namespace, among rules exported to the client (`exportTo`:
//! `*` or unset everyone, `.` the rule's own namespace, `~` nobody, or namespace names);
//! within a namespace the most specific host wins (exact over wildcard, longer wildcard
//! over shorter). Short hosts (`reviews`) are resolved in the rule's namespace.
//! `portLevelSettings` override the rule's `tls` for a Service port. A rule without `tls`
//! leaves the choice to auto mTLS. Subsets are not considered (they depend on routing).

use std::collections::HashMap;
use std::fmt;

use crate::manifest::Node;
use crate::policy::cluster::ROOT_NAMESPACE;
use crate::policy::workload::port_number;

/// A DestinationRule `tls.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientTls {
    Disable,
    Simple,
    Mutual,
    IstioMutual,
}

impl ClientTls {
    pub fn parse(text: &str) -> Option<ClientTls> {
        match text {
            "DISABLE" => Some(ClientTls::Disable),
            "SIMPLE" => Some(ClientTls::Simple),
            "MUTUAL" => Some(ClientTls::Mutual),
            "ISTIO_MUTUAL" => Some(ClientTls::IstioMutual),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClientTls::Disable => "DISABLE",
            ClientTls::Simple => "SIMPLE",
            ClientTls::Mutual => "MUTUAL",
            ClientTls::IstioMutual => "ISTIO_MUTUAL",
        }
    }
}

impl fmt::Display for ClientTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which namespaces see an object (`exportTo` of a DestinationRule, ServiceEntry or
/// VirtualService, the `networking.istio.io/exportTo` annotation of a Service): `*` or
/// nothing written is everyone, `.` the object's own namespace, `~` nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTo {
    All,
    Namespaces(Vec<String>),
}

impl ExportTo {
    /// The namespaces `names` (as written in an object of `namespace`) export to.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>, namespace: &str) -> ExportTo {
        let names: Vec<String> = names
            .into_iter()
            .filter(|n| !n.is_empty())
            .map(|n| if n == "." { namespace } else { n }.to_string())
            .collect();
        if names.is_empty() || names.iter().any(|n| n == "*") {
            ExportTo::All
        } else {
            ExportTo::Namespaces(names)
        }
    }

    /// The `exportTo` list of an object's `spec` in `namespace`.
    pub fn of_spec(spec: Option<&Node>, namespace: &str) -> ExportTo {
        let items = spec.and_then(|s| s.get("exportTo")).and_then(Node::as_seq);
        ExportTo::parse(
            items.unwrap_or_default().iter().filter_map(Node::as_str),
            namespace,
        )
    }

    /// Whether an object exported so is visible in `namespace`.
    pub fn visible_to(&self, namespace: &str) -> bool {
        match self {
            ExportTo::All => true,
            ExportTo::Namespaces(names) => names.iter().any(|n| n == namespace),
        }
    }

    /// Whether some namespace sees both objects exported so and objects exported as `other`.
    pub fn overlaps(&self, other: &ExportTo) -> bool {
        match (self, other) {
            (ExportTo::All, ExportTo::All) => true,
            (ExportTo::Namespaces(names), _) | (_, ExportTo::Namespaces(names)) => names
                .iter()
                .any(|n| n != "~" && self.visible_to(n) && other.visible_to(n)),
        }
    }
}

/// One DestinationRule.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationRule {
    pub namespace: String,
    pub name: String,
    /// The host as written, resolved to an FQDN when short.
    pub host: String,
    pub export_to: ExportTo,
    pub tls: Option<ClientTls>,
    /// Service port → TLS mode.
    pub port_tls: Vec<(u16, ClientTls)>,
}

impl DestinationRule {
    pub fn read(object: &Node) -> Option<DestinationRule> {
        if object.str_at(&["kind"]) != Some("DestinationRule") {
            return None;
        }
        let namespace = object
            .str_at(&["metadata", "namespace"])
            .unwrap_or("default")
            .to_string();
        let spec = object.get("spec")?;
        let host = spec.str_at(&["host"])?;
        let host = if host.contains('.') || host.contains('*') {
            host.to_string()
        } else {
            format!("{host}.{namespace}.svc.cluster.local")
        };
        let export_to = ExportTo::of_spec(Some(spec), &namespace);
        let policy = spec.get("trafficPolicy");
        let tls = policy
            .and_then(|p| p.str_at(&["tls", "mode"]))
            .and_then(ClientTls::parse);
        let port_tls = policy
            .and_then(|p| p.get("portLevelSettings"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| {
                let port = s.at(&["port", "number"]).and_then(port_number)?;
                let tls = ClientTls::parse(s.str_at(&["tls", "mode"])?)?;
                Some((port, tls))
            })
            .collect();
        Some(DestinationRule {
            name: object.str_at(&["metadata", "name"])?.to_string(),
            namespace,
            host,
            export_to,
            tls,
            port_tls,
        })
    }

    /// `<namespace>/<name>`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    fn visible_to(&self, namespace: &str) -> bool {
        self.export_to.visible_to(namespace)
    }

    /// How specifically the rule's host matches `host`: `None` when it does not.
    fn specificity(&self, host: &str) -> Option<usize> {
        host_specificity(&self.host, host)
    }

    /// The TLS mode for a Service port.
    pub fn tls_for(&self, port: Option<u16>) -> Option<ClientTls> {
        port.and_then(|p| self.port_tls.iter().find(|(n, _)| *n == p).map(|(_, t)| *t))
            .or(self.tls)
    }
}

/// How specifically `pattern` (a host, `*`, or `*.suffix`) matches `host`.
pub fn host_specificity(pattern: &str, host: &str) -> Option<usize> {
    if pattern == host {
        return Some(usize::MAX);
    }
    let suffix = pattern.strip_prefix('*')?;
    host.ends_with(suffix).then_some(suffix.len())
}

/// The DestinationRules of one cluster.
#[derive(Debug, Default, Clone)]
pub struct ClientPolicies {
    pub rules: Vec<DestinationRule>,
    /// Namespace → indices of its rules.
    by_namespace: HashMap<String, Vec<usize>>,
    /// Host → indices of the rules naming exactly that host.
    by_host: HashMap<String, Vec<usize>>,
    /// Indices of the rules whose host is a wildcard.
    wildcards: Vec<usize>,
}

impl ClientPolicies {
    pub fn new(rules: Vec<DestinationRule>) -> ClientPolicies {
        let mut by_namespace: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
        let mut wildcards = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            by_namespace
                .entry(rule.namespace.clone())
                .or_default()
                .push(index);
            if rule.host.starts_with('*') {
                wildcards.push(index);
            } else {
                by_host.entry(rule.host.clone()).or_default().push(index);
            }
        }
        ClientPolicies {
            rules,
            by_namespace,
            by_host,
            wildcards,
        }
    }

    /// The rules whose host matches `host`, in order: every rule
    /// [`ClientPolicies::lookup`] may pick for it, whatever the client's namespace.
    pub fn candidates(&self, host: &str) -> Vec<&DestinationRule> {
        let mut indices: Vec<usize> = self
            .by_host
            .get(host)
            .into_iter()
            .flatten()
            .copied()
            .chain(
                self.wildcards
                    .iter()
                    .copied()
                    .filter(|&i| self.rules[i].specificity(host).is_some()),
            )
            .collect();
        indices.sort_unstable();
        indices.into_iter().map(|i| &self.rules[i]).collect()
    }

    /// The rule a client in `client_namespace` uses for `host` (a Service in
    /// `service_namespace`).
    pub fn lookup(
        &self,
        client_namespace: &str,
        service_namespace: &str,
        host: &str,
    ) -> Option<usize> {
        for namespace in [client_namespace, service_namespace, ROOT_NAMESPACE] {
            let Some(indices) = self.by_namespace.get(namespace) else {
                continue;
            };
            let best = indices
                .iter()
                .map(|&i| (i, &self.rules[i]))
                .filter(|(_, r)| r.visible_to(client_namespace))
                .filter_map(|(i, r)| r.specificity(host).map(|s| (s, std::cmp::Reverse(i))))
                .max()
                .map(|(_, std::cmp::Reverse(i))| i);
            if best.is_some() {
                return best;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_share_a_namespace_only_when_one_sees_both() {
        let only = |names: &[&str]| ExportTo::parse(names.iter().copied(), "foo");
        assert!(ExportTo::All.overlaps(&ExportTo::All));
        assert!(only(&["."]).overlaps(&ExportTo::All));
        assert!(ExportTo::All.overlaps(&only(&["bar"])));
        assert!(!only(&["."]).overlaps(&only(&["bar"])));
        assert!(!only(&["~"]).overlaps(&ExportTo::All));
    }

    #[test]
    fn exact_hosts_beat_longer_wildcards_beat_shorter_ones() {
        let host = "a.b.svc.cluster.local";
        let exact = host_specificity(host, host).unwrap();
        let namespace = host_specificity("*.b.svc.cluster.local", host).unwrap();
        let mesh = host_specificity("*.local", host).unwrap();
        let any = host_specificity("*", host).unwrap();
        assert!(exact > namespace && namespace > mesh && mesh > any);
        assert_eq!(host_specificity("*.c.svc.cluster.local", host), None);
        assert_eq!(host_specificity("x.b.svc.cluster.local", host), None);
    }
}
