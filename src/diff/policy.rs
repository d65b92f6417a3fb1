//! Policy changes between two states: caller → callee edges of every cluster's effective
//! policy (`policy::Model::matrix`) that became allowed or denied, or whose mTLS mode
//! changed, each with a risk label saying whether the mesh got weaker or stronger.
//!
//! A callee whose server side stops requiring mTLS (a PeerAuthentication leaves `STRICT`)
//! is reported once, with `from` = `*`: mesh callers keep using mTLS, but anyone else may
//! now connect in plain text.
//!
//! Edges are matched by cluster, caller, callee and port; an edge whose port is split in
//! one state only is compared with the other state's any-port (`*`) edge. Edges of a
//! workload that exists in one state only are not reported: the object changes show it.

use std::collections::HashMap;

use serde::Serialize;

use crate::policy::{Loaded, Mtls};

/// How a change moves the mesh's security.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// A caller may now reach a callee it could not.
    Opens,
    /// A connection now carries plain text where it had mTLS.
    Weakens,
    /// A connection that worked now fails (client and server TLS settings disagree).
    Breaks,
    /// A caller can no longer reach a callee.
    Closes,
    /// A connection now has mTLS where it carried plain text.
    Strengthens,
    /// A broken connection works again.
    Repairs,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Opens => "opens",
            Risk::Weakens => "weakens",
            Risk::Breaks => "breaks",
            Risk::Closes => "closes",
            Risk::Strengthens => "strengthens",
            Risk::Repairs => "repairs",
        }
    }

    /// Whether the change makes the mesh less safe.
    pub fn is_weaker(self) -> bool {
        matches!(self, Risk::Opens | Risk::Weakens)
    }
}

/// An edge's state on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EdgeState {
    pub allowed: bool,
    #[serde(serialize_with = "mtls_name")]
    pub mtls: Mtls,
}

fn mtls_name<S: serde::Serializer>(mtls: &Mtls, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(mtls.as_str())
}

/// One changed edge.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyChange {
    pub risk: Risk,
    pub cluster: String,
    /// `<namespace>/<workload>`.
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub before: EdgeState,
    pub after: EdgeState,
    /// `weakens: billing/api now accepts plain text from shop/web`.
    pub message: String,
}

/// (cluster, caller, callee, port); names borrow from the models, so millions of edges
/// cost no string allocations.
type EdgeKey<'a> = (&'a str, &'a str, &'a str, Option<u16>);

/// Each model's workload names (`namespace/name`), indexed like its workloads.
fn names(loaded: &Loaded) -> Vec<Vec<String>> {
    loaded
        .models
        .iter()
        .map(|model| model.workloads().iter().map(|w| w.id()).collect())
        .collect()
}

/// Each state's edges, and each callee's server-side mode (keyed with `from` = `*`).
fn edges<'a>(
    loaded: &'a Loaded,
    names: &'a [Vec<String>],
) -> (
    HashMap<EdgeKey<'a>, EdgeState>,
    HashMap<EdgeKey<'a>, &'static str>,
) {
    let mut edges = HashMap::new();
    let mut servers = HashMap::new();
    for (model, names) in loaded.models.iter().zip(names) {
        let cluster = model.cluster.as_str();
        let matrix = model.matrix();
        for edge in matrix.edges() {
            let to = names[edge.to as usize].as_str();
            let mode = matrix.decision(edge).connection.server.mode.as_str();
            servers.insert((cluster, "*", to, edge.port), mode);
            edges.insert(
                (cluster, names[edge.from as usize].as_str(), to, edge.port),
                EdgeState {
                    allowed: edge.allowed,
                    mtls: edge.mtls,
                },
            );
        }
    }
    (edges, servers)
}

/// A value of `map` at `key`, or at the same key's any-port entry.
fn find<T: Copy>(map: &HashMap<EdgeKey, T>, key: &EdgeKey) -> Option<T> {
    map.get(key).copied().or_else(|| {
        let (cluster, from, to, _) = *key;
        map.get(&(cluster, from, to, None)).copied()
    })
}

/// The keys of both maps whose value is known on both sides and differs, once each: a port
/// split in one state only is reported at the port-specific key.
fn differing_keys<'a, T: Copy + PartialEq>(
    before: &HashMap<EdgeKey<'a>, T>,
    after: &HashMap<EdgeKey<'a>, T>,
) -> Vec<(EdgeKey<'a>, T, T)> {
    let only_after = after.keys().filter(|key| !before.contains_key(*key));
    before
        .keys()
        .chain(only_after)
        .filter(|key| key.3.is_some() || before.contains_key(*key) == after.contains_key(*key))
        .filter_map(|key| Some((*key, find(before, key)?, find(after, key)?)))
        .filter(|(_, old, new)| old != new)
        .collect()
}

/// Every edge whose decision or mTLS mode differs between `base` and `head`.
pub fn changes(base: &Loaded, head: &Loaded) -> Vec<PolicyChange> {
    let (base_names, head_names) = (names(base), names(head));
    let (before, servers_before) = edges(base, &base_names);
    let (after, servers_after) = edges(head, &head_names);
    let mut changes = Vec::new();
    for (key, old_mode, new_mode) in differing_keys(&servers_before, &servers_after) {
        let (strict_before, strict_after) = (old_mode == "STRICT", new_mode == "STRICT");
        if strict_before == strict_after {
            continue;
        }
        let (cluster, from, to, port) = key;
        let (cluster, from, to) = (cluster.to_string(), from.to_string(), to.to_string());
        let on = port.map_or_else(String::new, |p| format!(" on port {p}"));
        let (risk, what) = if strict_before {
            (
                Risk::Weakens,
                format!("{to} now accepts plain text{on} (peer authentication {new_mode})"),
            )
        } else {
            (Risk::Strengthens, format!("{to} now requires mTLS{on}"))
        };
        // The edges' own modes are not known here: report the callee's side.
        let state = |mode: &str| EdgeState {
            allowed: true,
            mtls: if mode == "STRICT" {
                Mtls::Mtls
            } else {
                Mtls::Plaintext
            },
        };
        changes.push(PolicyChange {
            risk,
            cluster,
            from,
            to,
            port,
            before: state(old_mode),
            after: state(new_mode),
            message: format!("{}: {what}", risk.as_str()),
        });
    }
    for (key, old, new) in differing_keys(&before, &after) {
        let (cluster, from, to, port) = key;
        let (cluster, from, to) = (cluster.to_string(), from.to_string(), to.to_string());
        let on = port.map_or_else(String::new, |p| format!(" on port {p}"));
        let mut push = |risk: Risk, what: String| {
            changes.push(PolicyChange {
                risk,
                cluster: cluster.clone(),
                from: from.clone(),
                to: to.clone(),
                port,
                before: old,
                after: new,
                message: format!("{}: {what}", risk.as_str()),
            });
        };
        match (old.allowed, new.allowed) {
            (false, true) => push(Risk::Opens, format!("{from} → {to} allowed{on}")),
            (true, false) => push(Risk::Closes, format!("{from} → {to} denied{on}")),
            _ => {}
        }
        if old.mtls != new.mtls {
            let (risk, what) = match (old.mtls, new.mtls) {
                (_, Mtls::Plaintext) => (
                    Risk::Weakens,
                    format!("{from} → {to}{on} now sends plain text"),
                ),
                (_, Mtls::Broken) => (
                    Risk::Breaks,
                    format!("{from} → {to}{on} no longer connects (TLS settings disagree)"),
                ),
                (Mtls::Plaintext, Mtls::Mtls) => (
                    Risk::Strengthens,
                    format!("{from} → {to}{on} now uses mTLS"),
                ),
                (_, Mtls::Mtls) => (
                    Risk::Repairs,
                    format!("{from} → {to}{on} connects with mTLS again"),
                ),
            };
            push(risk, what);
        }
    }
    changes.sort_by(|a, b| {
        (&a.cluster, &a.to, &a.from, a.port, a.risk)
            .cmp(&(&b.cluster, &b.to, &b.from, b.port, b.risk))
    });
    changes
}
