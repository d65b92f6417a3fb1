//! MW2xx: mutual TLS. Checks on the effective mTLS of a cluster — the mesh-wide default,
//! PeerAuthentications that accept plaintext or conflict, DestinationRules whose TLS mode
//! breaks connections to STRICT workloads, and identity-based authorization on ports that
//! accept plaintext. Effective modes come from the policy model (`policy::peer`,
//! `policy::client`, and `Model::evaluate` for the connections of the caller → callee pairs
//! a rule suspects, rather than a whole matrix); the helpers here only find the YAML to
//! point at.

pub mod conflicting_peer_authentication;
pub mod identity_rule_without_mtls;
pub mod no_mesh_wide_strict;
pub mod permissive_or_disabled_mtls;
pub mod tls_mode_breaks_connection;

use crate::analyze::Cluster;
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::peer::PeerAuthentication;

/// The rendered object `kind` `namespace/name` of the cluster (the first, as the model does).
fn object<'a>(cluster: &Cluster<'a>, kind: &str, namespace: &str, name: &str) -> Option<&'a Node> {
    cluster.lookups.index.get(kind, namespace, name)
}

/// The object of a PeerAuthentication of the model.
fn peer_object<'a>(cluster: &Cluster<'a>, policy: &PeerAuthentication) -> Option<&'a Node> {
    object(
        cluster,
        "PeerAuthentication",
        &policy.namespace,
        &policy.name,
    )
}

/// The deepest node along `path` below `object` (the object itself when none exists).
fn deepest<'a>(object: &'a Node, path: &[&str]) -> &'a Node {
    let mut node = object;
    for key in path {
        match node.get(key) {
            Some(next) => node = next,
            None => break,
        }
    }
    node
}

/// Whether a PeerAuthentication is mesh-wide (root namespace, no selector).
fn is_mesh_wide(policy: &PeerAuthentication) -> bool {
    policy.namespace == ROOT_NAMESPACE && policy.selector.is_none()
}

/// `a`, `a and b`, `a, b and c`, or the first three and `N more`.
fn enumerate(names: &[String]) -> String {
    const SHOWN: usize = 3;
    match names {
        [] => String::new(),
        [one] => one.clone(),
        _ if names.len() <= SHOWN => {
            let (last, rest) = names.split_last().expect("two or more");
            format!("{} and {last}", rest.join(", "))
        }
        _ => format!(
            "{} and {} more",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::enumerate;

    #[test]
    fn enumerations_stay_short() {
        let names = |n: usize| (1..=n).map(|i| format!("w{i}")).collect::<Vec<_>>();
        assert_eq!(enumerate(&names(1)), "w1");
        assert_eq!(enumerate(&names(2)), "w1 and w2");
        assert_eq!(enumerate(&names(3)), "w1, w2 and w3");
        assert_eq!(enumerate(&names(5)), "w1, w2, w3 and 2 more");
    }
}
