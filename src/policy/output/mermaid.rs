//! `--output mermaid`: a `graph LR` with one subgraph per cluster; allowed edges are solid
//! and labelled with their mode (mTLS or plaintext), broken connections dashed.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Edges, drawn, label};
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
            writeln!(out, "    {node}[\"{}\"]", escape(id))?;
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

fn escape(text: &str) -> String {
    text.replace('"', "#quot;")
}
