//! Output formats of `meshwright policy`: one file per format, all fed the same rows.
//!
//! These print the policy matrix, not findings (findings go through `report`).

pub mod dot;
pub mod json;
pub mod mermaid;
pub mod table;

use std::io::{self, Write};

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

/// One printable edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cluster: String,
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub allowed: bool,
    pub mtls: Mtls,
    pub policies: Vec<String>,
    pub conditional: bool,
    /// The server's effective PeerAuthentication mode.
    pub server_mode: &'static str,
    pub peer_authentication: Option<String>,
    pub destination_rule: Option<String>,
    /// The DestinationRule TLS mode used, if any (else auto mTLS).
    pub client_tls: Option<&'static str>,
}

/// The rows of one model's matrix, optionally only allowed edges.
pub fn rows(model: &Model, matrix: &Matrix, allowed_only: bool) -> Vec<Row> {
    let workloads = model.workloads();
    matrix
        .edges()
        .filter(|e| e.allowed || !allowed_only)
        .map(|edge| {
            let decision = matrix.decision(edge);
            let connection = &decision.connection;
            Row {
                cluster: model.cluster.clone(),
                from: workloads[edge.from as usize].id(),
                to: workloads[edge.to as usize].id(),
                port: edge.port,
                allowed: edge.allowed,
                mtls: edge.mtls,
                policies: model.policy_names(decision),
                conditional: decision.conditional,
                server_mode: connection.server.mode.as_str(),
                peer_authentication: connection
                    .server
                    .policy
                    .map(|p| model.peer.policies[p].id()),
                destination_rule: connection
                    .destination_rule
                    .map(|r| model.client.rules[r].id()),
                client_tls: connection.client_tls.map(|t| t.as_str()),
            }
        })
        .collect()
}

/// Prints `rows` in `format`.
pub fn write(format: Format, rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table::write(rows, out),
        Format::Json => json::write(rows, out),
        Format::Mermaid => mermaid::write(rows, out),
        Format::Dot => dot::write(rows, out),
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

/// The rows a graph draws: allowed edges, and broken connections.
fn drawn(rows: &[Row]) -> impl Iterator<Item = &Row> {
    rows.iter().filter(|r| r.allowed || r.mtls == Mtls::Broken)
}
