//! `--output mermaid`: a `graph LR` with one subgraph per cluster; allowed edges are solid
//! and labelled with their mode (mTLS or plaintext), broken connections dashed. Workloads
//! are boxes; callers outside the repository are stadiums (identities, namespaces), a
//! hexagon (any authenticated peer), a flag (plaintext clients) and a circle (the internet).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Edges, NodeKind, drawn, label, node_kind};
use crate::policy::Mtls;

pub fn write(clusters: &[Edges], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "graph LR")?;
    let mut nodes: BTreeMap<(&str, &str), String> = BTreeMap::new();
    for row in drawn(clusters) {
        for id in [row.from, row.to] {
            let next = format!("n{}", nodes.len());
            nodes.entry((row.cluster, id)).or_insert(next);
        }
    }
    let mut subgraphs: BTreeMap<&str, Vec<(&str, &String)>> = BTreeMap::new();
    for ((cluster, id), node) in &nodes {
        subgraphs.entry(cluster).or_default().push((id, node));
    }
    for (index, (cluster, members)) in subgraphs.iter().enumerate() {
        writeln!(out, "  subgraph c{index}[\"{}\"]", escape(cluster))?;
        for (id, node) in members {
            writeln!(out, "    {}", node_declaration(node, id, id))?;
        }
        writeln!(out, "  end")?;
    }
    for row in drawn(clusters) {
        let from = &nodes[&(row.cluster, row.from)];
        let to = &nodes[&(row.cluster, row.to)];
        let arrow = if row.mtls == Mtls::Broken && !row.allowed {
            "-.->"
        } else {
            "-->"
        };
        writeln!(out, "  {from} {arrow}|\"{}\"| {to}", escape(&label(&row)))?;
    }
    Ok(())
}

/// The declaration of Mermaid node `node` for caller or callee `id`, shown as `label`, in
/// the shape of its kind.
pub fn node_declaration(node: &str, id: &str, label: &str) -> String {
    let (open, close) = match node_kind(id) {
        NodeKind::Workload => ("[", "]"),
        NodeKind::Outside => ("([", "])"),
        NodeKind::AnyAuthenticated => ("{{", "}}"),
        NodeKind::Unauthenticated => (">", "]"),
        NodeKind::Internet => ("((", "))"),
    };
    format!("{node}{open}\"{}\"{close}", escape(label))
}

/// Mermaid labels are quoted; a quote inside is written as an entity.
pub fn escape(text: &str) -> String {
    text.replace('"', "#quot;")
}
