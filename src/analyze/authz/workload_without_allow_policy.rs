//! MW304: a workload under strict mTLS that no ALLOW policy protects.
//!
//! Strict mTLS proves who a caller is; only an ALLOW AuthorizationPolicy (with a deny-all
//! `spec: {}` as the default) limits who may call. A workload with a sidecar and a port to
//! call, whose port runs STRICT, but to which no ALLOW policy applies (of its namespace or
//! the root namespace) accepts every caller of the mesh. Gateways (pods labelled
//! `istio: *gateway`) serve outside callers and are left alone.

use super::is_gateway;
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};
use crate::policy::authz::Action;
use crate::policy::peer::PeerMode;

pub static RULE: Rule = Rule {
    code: &codes::WORKLOAD_WITHOUT_ALLOW_POLICY,
    check,
};

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let model = cluster.model;
    let mut findings = Vec::new();
    for (index, workload) in model.workloads().iter().enumerate() {
        let labels = workload
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()));
        if !workload.sidecar || is_gateway(labels) {
            continue;
        }
        let ports = model.callee_ports(index);
        let levels = model.peer.for_workload(workload);
        let strict = ports.iter().any(|p| {
            p.port.is_some() && model.peer.resolve(levels, p.port).mode == PeerMode::Strict
        });
        let allow = model
            .applicable_policies(index)
            .into_iter()
            .any(|p| model.authorization[p].action == Action::Allow);
        if !strict || allow {
            continue;
        }
        let Some(object) = cluster.objects.iter().find(|o| {
            o.str_at(&["kind"]) == Some(workload.kind.as_str())
                && o.str_at(&["metadata", "name"]) == Some(workload.name.as_str())
                && o.str_at(&["metadata", "namespace"]).unwrap_or("default") == workload.namespace
        }) else {
            continue;
        };
        findings.push(
            Finding::new(
                &codes::WORKLOAD_WITHOUT_ALLOW_POLICY,
                format!(
                    "{} {} runs strict mTLS but no ALLOW AuthorizationPolicy applies to it: every \
                     workload of the mesh may call it",
                    workload.kind,
                    workload.id()
                ),
                Some(workload.origin.clone()),
            )
            .on(object),
        );
    }
    findings
}
