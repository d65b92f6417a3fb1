//! MW203: PeerAuthentications competing for the same scope.
//!
//! Istio applies one policy per level: of several mesh-wide policies (root namespace, no
//! selector), or several namespace-wide ones in a namespace, or several whose selectors
//! match the same workload, only the oldest (`creationTimestamp`) takes effect and the
//! others are silently ignored. Which one is oldest in a cluster depends on the order they
//! were applied; offline the model orders them by timestamp when written, else by name.
//! Each ignored policy is reported at its name, naming the one that wins.

use std::collections::BTreeMap;

use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::ROOT_NAMESPACE;
use crate::policy::peer::PeerAuthentication;
use crate::policy::workload::matches_labels;

use super::{deepest, enumerate, peer_object};

/// `conflicting-peer-authentication`
pub static CODE: Code = Code {
    code: "MW203",
    name: "conflicting-peer-authentication",
    severity: Severity::Error,
    help: "keep one PeerAuthentication per scope: merge or delete the others",
    docs: r#"## What it does
Reports PeerAuthentications that compete for the same scope: more than one mesh-wide policy
(root namespace, no selector), more than one namespace-wide policy (no selector) in a
namespace, or more than one policy whose selector matches the same workload. Each policy
Istio ignores is reported at its name, with the one that wins.

## Why is this bad?
Istio applies only the oldest policy of a scope (by `creationTimestamp`) and silently ignores
the others. Which mode holds depends on the order the policies were created, so a cluster
rebuilt from Git can end up with a different mode than the one running today.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: migration
  namespace: payments
spec:
  mtls:
    mode: PERMISSIVE
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: STRICT
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let policies = &cluster.model.peer.policies;
    // Ignored policy (index) → the winner and the scope they compete for.
    let mut ignored: BTreeMap<usize, (usize, Vec<String>)> = BTreeMap::new();
    let mut wide: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, policy) in policies.iter().enumerate() {
        if policy.selector.is_none() {
            wide.entry(&policy.namespace).or_default().push(index);
        }
    }
    for (namespace, indices) in &wide {
        let scope = if *namespace == ROOT_NAMESPACE {
            "the mesh-wide policy".to_string()
        } else {
            format!("the namespace-wide policy of {namespace}")
        };
        for &index in &indices[1..] {
            ignored.insert(index, (indices[0], vec![scope.clone()]));
        }
    }
    for workload in cluster.model.workloads() {
        let selecting: Vec<usize> = policies
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.namespace == workload.namespace
                    && p.selector
                        .as_ref()
                        .is_some_and(|s| matches_labels(s, &workload.labels))
            })
            .map(|(i, _)| i)
            .collect();
        for &index in selecting.iter().skip(1) {
            let entry = ignored
                .entry(index)
                .or_insert_with(|| (selecting[0], Vec::new()));
            if entry.0 == selecting[0] {
                entry.1.push(format!("{} {}", workload.kind, workload.id()));
            }
        }
    }
    ignored
        .into_iter()
        .filter_map(|(index, (winner, scopes))| {
            let policy = &policies[index];
            let object = peer_object(cluster, policy)?;
            let node = deepest(object, &["metadata", "name"]);
            let scope = if policy.selector.is_none() {
                scopes.join("")
            } else {
                format!("the policy of {}", enumerate(&scopes))
            };
            Some(
                Finding::new(
                    &CODE,
                    format!(
                        "PeerAuthentication {} competes with {} for {scope}{}: Istio applies \
                         only the oldest and silently ignores the others, so which mode holds \
                         depends on the order they were created",
                        policy.id(),
                        policies[winner].id(),
                        modes(policy, &policies[winner]),
                    ),
                    Some(node.origin.clone()),
                )
                .on(object),
            )
        })
        .collect()
}

/// ` (mode A here, B there)` when the competing policies disagree.
fn modes(policy: &PeerAuthentication, winner: &PeerAuthentication) -> String {
    if policy.mode != winner.mode {
        format!(" (mode {} here, {} there)", policy.mode, winner.mode)
    } else if policy.port_modes != winner.port_modes {
        " (their portLevelMtls differ)".to_string()
    } else {
        String::new()
    }
}
