//! MW303: a workload selector that selects no workload.
//!
//! AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry and WasmPlugin
//! select workloads by `selector.matchLabels`, a Sidecar by `workloadSelector.labels`, among
//! the pods of their namespace (of every namespace, in the root namespace). A selector no
//! workload of the cluster matches makes the policy do nothing — usually a typo, or a label
//! that changed on the Deployment but not on the policy. A namespace the repository holds no
//! workloads of is left alone: its pods are deployed from elsewhere (for the root namespace,
//! gateways installed outside the repository), and so is a selector of the pods Istio
//! deploys for a Gateway API gateway.

use super::object_id;
use crate::analyze::selectors::{
    GATEWAY_NAME_LABEL, selector_labels, workload_selector, workloads_by_namespace,
};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};
use crate::policy::ROOT_NAMESPACE;
use crate::policy::workload::matches_labels;

pub static RULE: Rule = Rule {
    code: &codes::SELECTOR_MATCHES_NOTHING,
    check,
};

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let workloads = cluster.model.workloads();
    let by_namespace = workloads_by_namespace(workloads);
    let mut findings = Vec::new();
    for object in cluster.objects {
        let Some(node) = workload_selector(object) else {
            continue;
        };
        let labels = selector_labels(node);
        if labels.contains_key(GATEWAY_NAME_LABEL) {
            continue; // the pods of a Gateway API gateway, deployed by Istio (MW620)
        }
        let namespace = object
            .str_at(&["metadata", "namespace"])
            .unwrap_or("default");
        let root = namespace == ROOT_NAMESPACE;
        let Some(local) = by_namespace.get(namespace) else {
            continue; // the repo describes no workload of this namespace
        };
        let matches = if root {
            workloads.iter().any(|w| matches_labels(&labels, &w.labels))
        } else {
            local.iter().any(|w| matches_labels(&labels, &w.labels))
        };
        if matches {
            continue;
        }
        let selected = labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        // No cluster name: a base rendered into several clusters is reported once.
        let scope = if root {
            "any namespace".to_string()
        } else {
            format!("namespace {namespace}")
        };
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        findings.push(
            Finding::new(
                &codes::SELECTOR_MATCHES_NOTHING,
                format!(
                    "{kind} {} selects pods labelled {selected}, but no workload in {scope} has \
                     these labels: the {kind} applies to nothing",
                    object_id(object),
                ),
                Some(node.origin.clone()),
            )
            .on(object),
        );
    }
    findings
}
