//! MW204: a DestinationRule whose TLS mode makes connections to a STRICT workload fail.
//!
//! A caller's sidecar originates what its DestinationRule says: `DISABLE` sends plaintext,
//! `SIMPLE` and `MUTUAL` send TLS with certificates that are not Istio's. A server whose
//! effective PeerAuthentication mode is STRICT accepts only Istio mutual TLS, so every such
//! connection is reset. The policy model marks these connections `broken`: its
//! DestinationRule lookup finds the candidates and its edges confirm each caller, so no
//! full matrix is built. The finding points at the `tls.mode` (top level or the
//! `portLevelSettings` entry) that decided, and names the servers, their policies and the
//! callers that fail.

use std::collections::BTreeMap;

use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::Mtls;
use crate::policy::client::ClientTls;
use crate::policy::peer::PeerMode;
use crate::policy::workload::port_number;

use super::{deepest, enumerate, object};

/// `tls-mode-breaks-connection`
pub static CODE: Code = Code {
    code: "MW204",
    name: "tls-mode-breaks-connection",
    severity: Severity::Error,
    help: "use tls.mode ISTIO_MUTUAL (or remove tls to let auto mTLS choose) for in-mesh hosts",
    docs: r#"## What it does
Finds DestinationRules whose `tls.mode` (`DISABLE`, `SIMPLE` or `MUTUAL`, at the top level or
in a `portLevelSettings` entry) a caller's sidecar uses towards a workload whose effective
PeerAuthentication mode is `STRICT`. The finding names the servers, the policies that make
them STRICT, and the callers whose connections fail.

## Why is this bad?
A STRICT sidecar accepts only Istio mutual TLS. `DISABLE` sends plaintext, and `SIMPLE` or
`MUTUAL` send TLS with certificates that are not the mesh's, so every connection through the
rule is reset (`upstream connect error ... connection termination`, HTTP 503) — typically
right after someone turned the namespace STRICT.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
```

## Use instead
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// The callers and servers that fail through one `tls.mode` value.
#[derive(Default)]
struct Broken {
    callers: Vec<String>,
    /// `<server>:<port>`.
    servers: Vec<String>,
    /// The PeerAuthentications that make the servers STRICT.
    policies: Vec<String>,
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    let workloads = model.workloads();
    // Callers (with a sidecar, so a DestinationRule applies) by namespace.
    let mut callers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, workload) in workloads.iter().enumerate() {
        if workload.sidecar {
            callers.entry(&workload.namespace).or_default().push(index);
        }
    }
    // (rule, Service port set at port level or `None` for the rule's `tls`) → what breaks.
    let mut broken: BTreeMap<(usize, Option<u16>), Broken> = BTreeMap::new();
    for (callee, server) in workloads.iter().enumerate() {
        if !server.sidecar {
            continue;
        }
        let levels = model.peer.for_workload(server);
        for port in model.callee_ports(callee) {
            let Some((service, service_port)) = port.service else {
                continue;
            };
            if model.peer.resolve(levels, port.port).mode != PeerMode::Strict {
                continue;
            }
            let service = &model.inventory.services[service];
            for (namespace, members) in &callers {
                // Candidates from the rule lookup; the model's edges decide.
                let Some(rule) =
                    model
                        .client
                        .lookup(namespace, &service.namespace, &service.host())
                else {
                    continue;
                };
                let dr = &model.client.rules[rule];
                if !matches!(
                    dr.tls_for(Some(service_port)),
                    Some(ClientTls::Disable | ClientTls::Simple | ClientTls::Mutual)
                ) {
                    continue;
                }
                let level = dr
                    .port_tls
                    .iter()
                    .any(|(p, _)| *p == service_port)
                    .then_some(service_port);
                for &caller in members.iter().filter(|&&c| c != callee) {
                    let failing = model.evaluate(caller, callee).into_iter().find(|(e, d)| {
                        e.mtls == Mtls::Broken
                            && (e.port.is_none() || e.port == port.port)
                            && d.connection.destination_rule == Some(rule)
                    });
                    let Some((_, decision)) = failing else {
                        continue;
                    };
                    let entry = broken.entry((rule, level)).or_default();
                    push(&mut entry.callers, workloads[caller].id());
                    let target = port.port.map_or(String::new(), |p| format!(":{p}"));
                    push(&mut entry.servers, format!("{}{target}", server.id()));
                    if let Some(policy) = decision.connection.server.policy {
                        let id = model.peer.policies[policy].id();
                        push(&mut entry.policies, format!("PeerAuthentication {id}"));
                    }
                }
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
                    &CODE,
                    format!(
                        "DestinationRule {} sets tls.mode {tls} for {}{}: callers send {sends} \
                         to {}, which {} {} STRICT, so connections from {} fail",
                        dr.id(),
                        dr.host,
                        level.map_or(String::new(), |p| format!(" port {p}")),
                        enumerate(&what.servers),
                        enumerate(&what.policies),
                        if what.policies.len() == 1 {
                            "makes"
                        } else {
                            "make"
                        },
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
