//! `--output dot`: a Graphviz digraph with one cluster subgraph per cluster; allowed edges
//! solid (mTLS green, plaintext orange), broken connections dashed red. Workloads are boxes,
//! callers outside the repository ellipses (identities, namespaces), a hexagon (any
//! authenticated peer), a red octagon (plaintext clients) and a double circle (the internet).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Edges, NodeKind, drawn, label, node_kind};
use crate::policy::Mtls;

pub fn write(clusters: &[Edges], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "digraph mesh {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [shape=box];")?;
    let mut subgraphs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in drawn(clusters) {
        let nodes = subgraphs.entry(row.cluster).or_default();
        for id in [row.from, row.to] {
            if !nodes.contains(&id) {
                nodes.push(id);
            }
        }
    }
    for (index, (cluster, nodes)) in subgraphs.iter().enumerate() {
        writeln!(out, "  subgraph cluster_{index} {{")?;
        writeln!(out, "    label={};", quote(cluster))?;
        for node in nodes {
            let shape = match node_kind(node) {
                NodeKind::Workload => "",
                NodeKind::Outside => ", shape=ellipse",
                NodeKind::AnyAuthenticated => ", shape=hexagon",
                NodeKind::Unauthenticated => ", shape=octagon, color=red",
                NodeKind::Internet => ", shape=doublecircle",
            };
            writeln!(
                out,
                "    {} [label={}{shape}];",
                quote(&format!("{cluster}:{node}")),
                quote(node)
            )?;
        }
        writeln!(out, "  }}")?;
    }
    for row in drawn(clusters) {
        let style = match (row.allowed, row.mtls) {
            (true, Mtls::Mtls) => "color=darkgreen",
            (true, _) => "color=orange",
            (false, _) => "color=red, style=dashed",
        };
        writeln!(
            out,
            "  {} -> {} [label={}, {style}];",
            quote(&format!("{}:{}", row.cluster, row.from)),
            quote(&format!("{}:{}", row.cluster, row.to)),
            quote(&label(&row)),
        )?;
    }
    writeln!(out, "}}")
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
