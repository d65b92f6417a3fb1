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

use crate::policy::{Loaded, Model, Mtls};

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

/// (cluster, caller, callee, port) of a differing edge, named for people.
type EdgeKey = (String, String, String, Option<u16>);

/// An edge between workloads numbered as in the head state's model; `CALLEE` as the caller
/// stands for a callee's server side.
type IndexKey = (u32, u32, Option<u16>);

/// The caller number that keys a callee's server-side mode.
const CALLEE: u32 = u32::MAX;

/// A model's edges and its callees' server-side modes, with workloads renumbered by
/// `number` (edges of workloads the other state lacks are left out).
fn indexed_edges(
    model: &Model,
    number: impl Fn(u32) -> Option<u32>,
) -> (
    HashMap<IndexKey, EdgeState>,
    HashMap<IndexKey, &'static str>,
) {
    let matrix = model.matrix();
    let mut edges = HashMap::with_capacity(matrix.len());
    let mut servers = HashMap::new();
    for edge in matrix.edges() {
        let (Some(from), Some(to)) = (number(edge.from), number(edge.to)) else {
            continue;
        };
        let mode = matrix.decision(edge).connection.server.mode.as_str();
        servers.insert((CALLEE, to, edge.port), mode);
        edges.insert(
            (from, to, edge.port),
            EdgeState {
                allowed: edge.allowed,
                mtls: edge.mtls,
            },
        );
    }
    (edges, servers)
}

/// A value of `map` at `key`, or at the same key's any-port entry.
fn find<T: Copy>(map: &HashMap<IndexKey, T>, key: &IndexKey) -> Option<T> {
    map.get(key)
        .copied()
        .or_else(|| map.get(&(key.0, key.1, None)).copied())
}

/// The keys of both maps whose value is known on both sides and differs, once each: a port
/// split in one state only is reported at the port-specific key.
fn differing<T: Copy + PartialEq>(
    before: &HashMap<IndexKey, T>,
    after: &HashMap<IndexKey, T>,
) -> Vec<(IndexKey, T, T)> {
    let only_after = after.keys().filter(|key| !before.contains_key(*key));
    before
        .keys()
        .chain(only_after)
        .filter(|key| key.2.is_some() || before.contains_key(*key) == after.contains_key(*key))
        .filter_map(|key| Some((*key, find(before, key)?, find(after, key)?)))
        .filter(|(_, old, new)| old != new)
        .collect()
}

/// A differing value: where, before, after.
type Difference<T> = (EdgeKey, T, T);

/// Per cluster present in both states, the server-side modes and the edges that differ,
/// keyed by names.
fn differences(
    base: &Loaded,
    head: &Loaded,
) -> (Vec<Difference<&'static str>>, Vec<Difference<EdgeState>>) {
    let mut servers = Vec::new();
    let mut edges = Vec::new();
    for head_model in &head.models {
        let Some(base_model) = base.models.iter().find(|m| m.cluster == head_model.cluster) else {
            continue;
        };
        let name =
            |model: &Model| -> Vec<String> { model.workloads().iter().map(|w| w.id()).collect() };
        let (base_names, head_names) = (name(base_model), name(head_model));
        let head_number: HashMap<&str, u32> = head_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();
        let (before, servers_before) = indexed_edges(base_model, |i| {
            head_number.get(base_names[i as usize].as_str()).copied()
        });
        let (after, servers_after) = indexed_edges(head_model, Some);
        let key = |(from, to, port): IndexKey| -> EdgeKey {
            let from = if from == CALLEE {
                "*".to_string()
            } else {
                head_names[from as usize].clone()
            };
            (
                head_model.cluster.clone(),
                from,
                head_names[to as usize].clone(),
                port,
            )
        };
        servers.extend(
            differing(&servers_before, &servers_after)
                .into_iter()
                .map(|(k, old, new)| (key(k), old, new)),
        );
        edges.extend(
            differing(&before, &after)
                .into_iter()
                .map(|(k, old, new)| (key(k), old, new)),
        );
    }
    (servers, edges)
}

/// Every edge whose decision or mTLS mode differs between `base` and `head`.
pub fn changes(base: &Loaded, head: &Loaded) -> Vec<PolicyChange> {
    let (server_differences, edge_differences) = differences(base, head);
    let mut changes = Vec::new();
    for (key, old_mode, new_mode) in server_differences {
        let (strict_before, strict_after) = (old_mode == "STRICT", new_mode == "STRICT");
        if strict_before == strict_after {
            continue;
        }
        let (cluster, from, to, port) = key;
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
    for (key, old, new) in edge_differences {
        let (cluster, from, to, port) = key;
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
