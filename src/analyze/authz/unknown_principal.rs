//! MW301: an AuthorizationPolicy principal or namespace naming an identity the repository
//! does not declare.
//!
//! A principal `<trust-domain>/ns/<ns>/sa/<sa>` stands for the pods running as that
//! ServiceAccount; `source.namespaces` for the pods of a namespace. Identities are mesh-wide
//! in a multi-cluster mesh, so every cluster of the repository counts: a ServiceAccount
//! object, a workload running as the account, or `default` in a namespace the repository
//! declares (a Namespace object or any object in it). Wildcard values are left to MW305;
//! negations (`notPrincipals`, `notNamespaces`) may name identities from outside on purpose.

use std::collections::BTreeSet;

use super::{authorization_policies, rules, sources, split_principal, values};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Finding, codes};
use crate::manifest::Node;
use crate::policy::workload::Inventory;

pub static RULE: Rule = Rule {
    code: &codes::UNKNOWN_PRINCIPAL,
    check,
};

/// The namespaces and ServiceAccounts the whole repository declares.
#[derive(Default)]
struct Identities {
    namespaces: BTreeSet<String>,
    accounts: BTreeSet<(String, String)>,
}

impl Identities {
    fn of(mesh: &[Vec<Node>]) -> Identities {
        let mut identities = Identities::default();
        for objects in mesh {
            for object in objects {
                let namespace = object.str_at(&["metadata", "namespace"]);
                let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
                match object.str_at(&["kind"]) {
                    Some("Namespace") => {
                        identities.namespaces.insert(name.to_string());
                    }
                    Some("ServiceAccount") => {
                        let namespace = namespace.unwrap_or("default").to_string();
                        identities.accounts.insert((namespace, name.to_string()));
                    }
                    _ => {}
                }
                if let Some(namespace) = namespace {
                    identities.namespaces.insert(namespace.to_string());
                }
            }
            for workload in Inventory::read(objects).workloads {
                identities
                    .accounts
                    .insert((workload.namespace, workload.service_account));
            }
        }
        identities
    }

    fn has_account(&self, namespace: &str, account: &str) -> bool {
        (account == "default" && self.namespaces.contains(namespace))
            || self
                .accounts
                .contains(&(namespace.to_string(), account.to_string()))
    }
}

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut policies = authorization_policies(cluster.objects).peekable();
    if !cluster.complete || policies.peek().is_none() {
        return Vec::new();
    }
    let identities = Identities::of(cluster.mesh);
    let mut findings = Vec::new();
    for policy in policies {
        let principals = rules(policy)
            .iter()
            .flat_map(sources)
            .flat_map(|s| values(s, "principals"));
        for (node, principal) in principals {
            let Some((_, namespace, account)) =
                split_principal(principal).filter(|_| !principal.contains('*'))
            else {
                continue;
            };
            if identities.has_account(namespace, account) {
                continue;
            }
            let why = if identities.namespaces.contains(namespace) {
                format!("namespace {namespace} declares no ServiceAccount {account}")
            } else {
                format!("no cluster of the repository declares namespace {namespace}")
            };
            findings.push(
                Finding::new(
                    &codes::UNKNOWN_PRINCIPAL,
                    format!(
                        "principal `{principal}` names ServiceAccount {namespace}/{account}, but \
                         {why}: no workload carries this identity, so the rule never matches"
                    ),
                    Some(node.origin.clone()),
                )
                .on(policy),
            );
        }
        let namespaces = rules(policy)
            .iter()
            .flat_map(sources)
            .flat_map(|s| values(s, "namespaces"));
        for (node, namespace) in namespaces {
            if namespace.contains('*') || identities.namespaces.contains(namespace) {
                continue;
            }
            findings.push(
                Finding::new(
                    &codes::UNKNOWN_PRINCIPAL,
                    format!(
                        "namespace `{namespace}` is declared by no cluster of the repository: no \
                         workload calls from it, so this source never matches"
                    ),
                    Some(node.origin.clone()),
                )
                .on(policy),
            );
        }
    }
    findings
}
