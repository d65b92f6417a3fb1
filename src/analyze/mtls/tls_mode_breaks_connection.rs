//! MW204: a DestinationRule whose TLS mode makes connections to a STRICT workload fail.
//!
//! A caller's sidecar originates what its DestinationRule says: `DISABLE` sends plaintext,
//! `SIMPLE` and `MUTUAL` send TLS with certificates that are not Istio's. A server whose
//! effective PeerAuthentication mode is STRICT accepts only Istio mutual TLS, so every such
//! connection is reset. The policy model marks these connections `broken`; the finding
//! points at the `tls.mode` (top level or the `portLevelSettings` entry) that decided, and
//! names the servers, their policies and the callers that fail.

use std::collections::{BTreeMap, HashMap};

use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};
use crate::manifest::Node;
use crate::policy::client::ClientTls;
use crate::policy::peer::PeerMode;
use crate::policy::workload::port_number;
use crate::policy::{CalleePort, Mtls};

use super::{deepest, enumerate, object};

pub static RULE: Rule = Rule {
    code: &codes::TLS_MODE_BREAKS_CONNECTION,
    check,
};

/// The callers and servers that fail through one `tls.mode` value.
#[derive(Default)]
struct Broken {
    callers: Vec<String>,
    /// `<server>:<port>` and the policy that makes it STRICT.
    servers: Vec<String>,
    policies: Vec<String>,
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    let matrix = model.matrix();
    // (rule, Service port set at port level or `None` for the rule's `tls`) → what breaks.
    let mut broken: BTreeMap<(usize, Option<u16>), Broken> = BTreeMap::new();
    let mut ports: HashMap<usize, Vec<CalleePort>> = HashMap::new();
    for edge in matrix.edges() {
        if edge.mtls != Mtls::Broken {
            continue;
        }
        let connection = matrix.decision(edge).connection;
        let (Some(rule), Some(tls)) = (connection.destination_rule, connection.client_tls) else {
            continue;
        };
        if tls == ClientTls::IstioMutual || connection.server.mode != PeerMode::Strict {
            continue;
        }
        let callee = edge.to as usize;
        let server = &model.workloads()[callee];
        let callee_ports = ports
            .entry(callee)
            .or_insert_with(|| model.callee_ports(callee));
        for port in callee_ports.iter() {
            if edge.port.is_some() && edge.port != port.port {
                continue;
            }
            let Some((_, service_port)) = port.service else {
                continue;
            };
            let dr = &model.client.rules[rule];
            if dr.tls_for(Some(service_port)) != Some(tls) {
                continue;
            }
            let level = dr
                .port_tls
                .iter()
                .any(|(p, _)| *p == service_port)
                .then_some(service_port);
            let entry = broken.entry((rule, level)).or_default();
            push(
                &mut entry.callers,
                model.workloads()[edge.from as usize].id(),
            );
            let target = port.port.map_or(String::new(), |p| format!(":{p}"));
            push(&mut entry.servers, format!("{}{target}", server.id()));
            if let Some(policy) = connection.server.policy {
                let id = model.peer.policies[policy].id();
                push(&mut entry.policies, format!("PeerAuthentication {id}"));
            }
        }
    }
    broken
        .into_iter()
        .filter_map(|((rule, level), what)| {
            let dr = &model.client.rules[rule];
            let object = object(cluster, "DestinationRule", &dr.namespace, &dr.name)?;
            let node = tls_mode_node(object, level);
            let tls = dr.tls_for(level)?;
            let sends = match tls {
                ClientTls::Disable => "plaintext",
                _ => "TLS that is not Istio mutual TLS",
            };
            Some(
                Finding::new(
                    &codes::TLS_MODE_BREAKS_CONNECTION,
                    format!(
                        "DestinationRule {} sets tls.mode {tls} for {}{}: callers send {sends} \
                         to {}, which {} makes STRICT, so connections from {} fail",
                        dr.id(),
                        dr.host,
                        level.map_or(String::new(), |p| format!(" port {p}")),
                        enumerate(&what.servers),
                        enumerate(&what.policies),
                        enumerate(&what.callers),
                    ),
                    Some(node.origin.clone()),
                )
                .on(object),
            )
        })
        .collect()
}

fn push(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The `tls.mode` value a Service port's TLS comes from: its `portLevelSettings` entry, or
/// the rule's `trafficPolicy.tls`.
fn tls_mode_node(object: &Node, port: Option<u16>) -> &Node {
    let policy = deepest(object, &["spec", "trafficPolicy"]);
    let entry = port.and_then(|port| {
        policy
            .get("portLevelSettings")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .find(|s| s.at(&["port", "number"]).and_then(port_number) == Some(port))
    });
    deepest(entry.unwrap_or(policy), &["tls", "mode"])
}
