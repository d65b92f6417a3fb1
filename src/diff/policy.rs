//! Policy changes between two states: caller → callee edges of every cluster's effective
//! policy (`policy::Model::matrix`) that became allowed or denied, or whose mTLS mode
//! changed, each with a risk label saying whether the mesh got weaker or stronger.
//!
//! A callee whose server side stops requiring mTLS (a PeerAuthentication leaves `STRICT`)
//! is reported once, with `from` = `*`: mesh callers keep using mTLS, but anyone else may
//! now connect in plain text. Its mode is compared per port, or once (no port) when every
//! port of the callee has the same mode in both states.
//!
//! Edges are matched by cluster, caller, callee and port; an edge whose port is split in
//! one state only is compared with the other state's any-port (`*`) edge. Edges of a
//! workload that exists in one state only are not reported: the object changes show it.
//!
//! Only edges that can differ are evaluated (see [`Inbound`]): those into callees whose
//! policy inputs changed and those from callers whose identity changed, so a pull request
//! that touches one service costs a column of the matrix, not the whole matrix twice.

use std::cmp::Ordering;

use serde::Serialize;

use crate::policy::outsiders::{self, Outsider};
use crate::policy::peer::PeerMode;
use crate::policy::workload::Workload;
use crate::policy::{Edge, Inbound, Loaded, Model, Mtls};

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
    /// `<namespace>/<workload>`, or an outsider (`identity:…`, `namespace:…`,
    /// `any-authenticated`, `unauthenticated`).
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub before: EdgeState,
    pub after: EdgeState,
    /// `weakens: billing/api now accepts plain text from shop/web`.
    pub message: String,
}

/// The workloads present in both models, as (base index, head index) pairs: both lists are
/// sorted by namespace and name, so one merge finds them.
fn common_workloads(base: &Model, head: &Model) -> Vec<(usize, usize)> {
    fn key(w: &Workload) -> (&str, &str) {
        (&w.namespace, &w.name)
    }
    let (old, new) = (base.workloads(), head.workloads());
    let (mut i, mut j) = (0, 0);
    let mut common = Vec::new();
    while i < old.len() && j < new.len() {
        match key(&old[i]).cmp(&key(&new[j])) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                common.push((i, j));
                i += 1;
                j += 1;
            }
        }
    }
    common
}

/// Values by port; `None` stands for every port.
type ByPort<T> = Vec<(Option<u16>, T)>;

/// Values keyed by port (`None`: every port alike) that differ between two states, matched
/// as the module doc says: a port split in one state only is compared with the other
/// state's any-port value.
fn port_differences<T: Copy + PartialEq>(
    before: &[(Option<u16>, T)],
    after: &[(Option<u16>, T)],
) -> Vec<(Option<u16>, T, T)> {
    let find = |side: &[(Option<u16>, T)], port: Option<u16>| {
        let at = |p: Option<u16>| side.iter().find(|(q, _)| *q == p).map(|(_, v)| *v);
        at(port).or_else(|| at(None))
    };
    let has = |side: &[(Option<u16>, T)], port: Option<u16>| side.iter().any(|(p, _)| *p == port);
    let only_after = after.iter().filter(|(port, _)| !has(before, *port));
    before
        .iter()
        .chain(only_after)
        .map(|(port, _)| *port)
        .filter(|port| port.is_some() || (has(after, None) && has(before, None)))
        .filter_map(|port| Some((port, find(before, port)?, find(after, port)?)))
        .filter(|(_, old, new)| old != new)
        .collect()
}

/// A callee's server-side mode per port, or once (`None`) when every port has the same.
fn server_modes(inbound: &Inbound) -> ByPort<PeerMode> {
    let modes: ByPort<PeerMode> = inbound.ports.iter().map(|p| (p.port, p.mode)).collect();
    match modes.first() {
        Some(&(_, first)) if modes.iter().all(|(_, mode)| *mode == first) => vec![(None, first)],
        _ => modes,
    }
}

/// A row's edges grouped by callee, each callee renumbered by `number` (callees it maps to
/// `None` left out), in the row's order.
fn by_callee(
    row: &[Edge],
    number: impl Fn(usize) -> Option<usize>,
) -> Vec<(usize, ByPort<EdgeState>)> {
    let mut groups: Vec<(usize, ByPort<EdgeState>)> = Vec::new();
    for edge in row {
        let Some(to) = number(edge.to as usize) else {
            continue;
        };
        let state = EdgeState {
            allowed: edge.allowed,
            mtls: edge.mtls,
        };
        match groups.last_mut() {
            Some((last, ports)) if *last == to => ports.push((edge.port, state)),
            _ => groups.push((to, vec![(edge.port, state)])),
        }
    }
    groups
}

/// The changes of one cluster present in both states.
///
/// Only what can differ is evaluated: edges into callees whose [`Inbound`] inputs differ,
/// and edges from callers whose identity (principal, sidecar) differs; every other edge
/// has equal inputs on both sides and so the same outcome. Each caller's rows are then
/// merge-joined by callee.
///
/// Outsiders (`policy::outsiders`) are the same callers on both sides — the union of what
/// either state's policies name — with the same identity, so their rows need evaluating
/// only into changed callees, like any caller whose identity did not change.
fn cluster_changes(
    base: &Model,
    head: &Model,
    outsiders: &[Outsider],
    changes: &mut Vec<PolicyChange>,
) {
    let common = common_workloads(base, head);
    let (base_inbound, head_inbound) = rayon::join(|| base.inbound(), || head.inbound());
    let sizes = (base.workloads().len(), head.workloads().len());
    // Each common workload's number in the other model.
    let mut head_number = vec![None; sizes.0];
    let mut base_number = vec![None; sizes.1];
    let mut callers = (
        vec![false; sizes.0 + outsiders.len()],
        vec![false; sizes.1 + outsiders.len()],
    );
    let mut callees = (vec![false; sizes.0], vec![false; sizes.1]);
    let name = |h: usize| head.workloads()[h].id();
    for &(b, h) in &common {
        head_number[b] = Some(h);
        base_number[h] = Some(b);
        let (old, new) = (&base.workloads()[b], &head.workloads()[h]);
        if base.principal(old) != head.principal(new) || old.sidecar != new.sidecar {
            callers.0[b] = true;
            callers.1[h] = true;
        }
        if base_inbound[b] != head_inbound[h] {
            callees.0[b] = true;
            callees.1[h] = true;
            let modes = (
                server_modes(&base_inbound[b]),
                server_modes(&head_inbound[h]),
            );
            for (port, old, new) in port_differences(&modes.0, &modes.1) {
                changes.extend(server_change(&head.cluster, name(h), port, old, new));
            }
        }
    }
    let (before, after) = rayon::join(
        || base.partial_matrix(&callers.0, &callees.0, outsiders),
        || head.partial_matrix(&callers.1, &callees.1, outsiders),
    );
    let rows = common.iter().map(|&(b, h)| (b, h, name(h))).chain(
        outsiders
            .iter()
            .enumerate()
            .map(|(k, o)| (sizes.0 + k, sizes.1 + k, o.id.clone())),
    );
    for (b, h, from) in rows {
        let old = by_callee(before.from(b), |to| head_number[to]);
        let new = by_callee(after.from(h), |to| base_number[to].map(|_| to));
        let mut old = old.iter().peekable();
        for (to, after_ports) in &new {
            while old.next_if(|(o, _)| o < to).is_some() {}
            let Some((_, before_ports)) = old.next_if(|(o, _)| o == to) else {
                continue;
            };
            for (port, old, new) in port_differences(before_ports, after_ports) {
                edge_changes(&head.cluster, &from, &name(*to), port, old, new, changes);
            }
        }
    }
}

/// The change of a callee's server side, if it starts or stops requiring mTLS.
fn server_change(
    cluster: &str,
    to: String,
    port: Option<u16>,
    old_mode: PeerMode,
    new_mode: PeerMode,
) -> Option<PolicyChange> {
    let (strict_before, strict_after) =
        (old_mode == PeerMode::Strict, new_mode == PeerMode::Strict);
    if strict_before == strict_after {
        return None;
    }
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
    let state = |strict: bool| EdgeState {
        allowed: true,
        mtls: if strict { Mtls::Mtls } else { Mtls::Plaintext },
    };
    Some(PolicyChange {
        risk,
        cluster: cluster.to_string(),
        from: "*".to_string(),
        to,
        port,
        before: state(strict_before),
        after: state(strict_after),
        message: format!("{}: {what}", risk.as_str()),
    })
}

/// The changes of one edge whose state differs: allowed or denied, and its mTLS mode.
fn edge_changes(
    cluster: &str,
    from: &str,
    to: &str,
    port: Option<u16>,
    old: EdgeState,
    new: EdgeState,
    changes: &mut Vec<PolicyChange>,
) {
    let on = port.map_or_else(String::new, |p| format!(" on port {p}"));
    let mut push = |risk: Risk, what: String| {
        changes.push(PolicyChange {
            risk,
            cluster: cluster.to_string(),
            from: from.to_string(),
            to: to.to_string(),
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
    // A plaintext client never has mTLS: what its connection became is the callee's
    // server-side change, reported once for the callee (`from` = `*`).
    if old.mtls != new.mtls && from != Outsider::unauthenticated().id {
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

/// Every edge whose decision or mTLS mode differs between `base` and `head`, and every
/// callee that starts or stops requiring mTLS, in the clusters present in both.
pub fn changes(base: &Loaded, head: &Loaded) -> Vec<PolicyChange> {
    let mut changes = Vec::new();
    let repositories = (
        outsiders::Repository::of(&base.models),
        outsiders::Repository::of(&head.models),
    );
    for head_model in &head.models {
        if let Some(base_model) = base.models.iter().find(|m| m.cluster == head_model.cluster) {
            let callers = outsiders::union(
                &outsiders::of(base_model, &repositories.0),
                &outsiders::of(head_model, &repositories.1),
            );
            cluster_changes(base_model, head_model, &callers, &mut changes);
        }
    }
    changes.sort_by(|a, b| {
        (&a.cluster, &a.to, &a.from, a.port, a.risk)
            .cmp(&(&b.cluster, &b.to, &b.from, b.port, b.risk))
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_split_in_one_state_only_are_compared_with_the_other_states_any_port_value() {
        let any = |v: u8| vec![(None, v)];
        assert_eq!(port_differences(&any(1), &any(2)), vec![(None, 1, 2)]);
        assert_eq!(port_differences(&any(1), &any(1)), vec![]);
        let split = vec![(Some(80), 1), (Some(90), 2)];
        assert_eq!(port_differences(&any(1), &split), vec![(Some(90), 1, 2)]);
        assert_eq!(port_differences(&split, &any(1)), vec![(Some(90), 2, 1)]);
        // A port only one state has, and no any-port value to compare it with: left out.
        let other = vec![(Some(90), 3), (Some(99), 4)];
        assert_eq!(port_differences(&split, &other), vec![(Some(90), 2, 3)]);
    }
}
