//! Output formats of `meshwright policy`: one file per format, all fed the same rows.
//!
//! These print the policy matrix, not findings (findings go through `report`).

pub mod dot;
pub mod json;
pub mod mermaid;
pub mod table;

use std::io::{self, Write};

use crate::policy::outsiders::Outsider;
use crate::policy::{Matrix, Model, Mtls};

/// How to print the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// `{"edges":[...]}` for scripts (the documented contract).
    Json,
    /// A Mermaid `graph LR` (renders in GitHub comments).
    Mermaid,
    /// Graphviz dot.
    Dot,
}

/// One printable edge, borrowing its text from the [`Edges`] it comes from: rows are made
/// while printing, never all held, so memory grows with workloads and policies, not with
/// the edges between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    /// The callee's cluster.
    pub cluster: &'a str,
    /// The caller's cluster (the callee's, for calls inside a cluster and outsiders).
    pub from_cluster: &'a str,
    /// `<namespace>/<workload>`, or an outsider's id (`policy::outsiders`).
    pub from: &'a str,
    pub to: &'a str,
    pub port: Option<u16>,
    pub allowed: bool,
    pub mtls: Mtls,
    pub policies: &'a [String],
    pub conditional: bool,
    /// The server's effective PeerAuthentication mode.
    pub server_mode: &'static str,
    pub peer_authentication: Option<&'a str>,
    pub destination_rule: Option<&'a str>,
    /// The DestinationRule TLS mode used, if any (else auto mTLS).
    pub client_tls: Option<&'static str>,
}

/// One cluster's matrix with the names its rows print, each made once: a caller's id per
/// workload and outsider, the policy names per shared decision.
pub struct Edges {
    cluster: String,
    matrix: Matrix,
    callers: Vec<String>,
    decisions: Vec<DecisionNames>,
    allowed_only: bool,
}

struct DecisionNames {
    policies: Vec<String>,
    peer_authentication: Option<String>,
    destination_rule: Option<String>,
}

impl Edges {
    /// The edges of `model`'s matrix (made with `outsiders`), optionally only allowed ones.
    pub fn new(model: &Model, matrix: Matrix, outsiders: &[Outsider], allowed_only: bool) -> Edges {
        let decisions = matrix
            .decisions
            .iter()
            .map(|decision| {
                let connection = &decision.connection;
                DecisionNames {
                    policies: model.policy_names(decision),
                    peer_authentication: connection
                        .server
                        .policy
                        .map(|p| model.peer.policies[p].id()),
                    destination_rule: connection
                        .destination_rule
                        .map(|r| model.client.rules[r].id()),
                }
            })
            .collect();
        Edges {
            cluster: model.cluster.clone(),
            callers: model
                .workloads()
                .iter()
                .map(|w| w.id())
                .chain(outsiders.iter().map(|o| o.id.clone()))
                .collect(),
            matrix,
            decisions,
            allowed_only,
        }
    }

    /// The rows, in the matrix's order (caller, callee, port).
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.matrix
            .edges()
            .filter(|e| e.allowed || !self.allowed_only)
            .map(|edge| {
                let decision = self.matrix.decision(edge);
                let names = &self.decisions[edge.decision as usize];
                Row {
                    cluster: &self.cluster,
                    from_cluster: &self.cluster,
                    from: &self.callers[edge.from as usize],
                    to: &self.callers[edge.to as usize],
                    port: edge.port,
                    allowed: edge.allowed,
                    mtls: edge.mtls,
                    policies: &names.policies,
                    conditional: decision.conditional,
                    server_mode: decision.connection.server.mode.as_str(),
                    peer_authentication: names.peer_authentication.as_deref(),
                    destination_rule: names.destination_rule.as_deref(),
                    client_tls: decision.connection.client_tls.map(|t| t.as_str()),
                }
            })
    }
}

/// Every row of `clusters`, in order; writers walk it once or twice (column widths, graph
/// nodes) instead of holding the rows.
fn all_rows(clusters: &[Edges]) -> impl Iterator<Item = Row<'_>> {
    clusters.iter().flat_map(Edges::rows)
}

/// Prints the rows of `clusters` in `format`.
pub fn write(format: Format, clusters: &[Edges], out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table::write(clusters, out),
        Format::Json => json::write(clusters, out),
        Format::Mermaid => mermaid::write(clusters, out),
        Format::Dot => dot::write(clusters, out),
    }
}

/// The edge label used by the graph formats: the mode, and the port when per port.
fn label(row: &Row) -> String {
    let mode = match row.mtls {
        Mtls::Mtls => "mTLS",
        Mtls::Plaintext => "plaintext",
        Mtls::Broken => "broken",
    };
    let mut label = match row.port {
        Some(port) => format!("{mode} :{port}"),
        None => mode.to_string(),
    };
    if row.conditional {
        label.push_str(" (conditional)");
    }
    label
}

/// What kind of caller a graph node is, so graphs draw outsiders apart from workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Workload,
    /// `identity:…` or `namespace:…`: identities outside the repository.
    Outside,
    AnyAuthenticated,
    Unauthenticated,
    Internet,
}

fn node_kind(id: &str) -> NodeKind {
    if id == "any-authenticated" {
        NodeKind::AnyAuthenticated
    } else if id == "unauthenticated" {
        NodeKind::Unauthenticated
    } else if id.starts_with("internet:") {
        NodeKind::Internet
    } else if Outsider::is_symbolic(id) {
        NodeKind::Outside
    } else {
        NodeKind::Workload
    }
}

/// The rows a graph draws: allowed edges, and broken connections.
fn drawn(clusters: &[Edges]) -> impl Iterator<Item = Row<'_>> {
    all_rows(clusters).filter(|r| r.allowed || r.mtls == Mtls::Broken)
}
