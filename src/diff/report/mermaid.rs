//! The changed call edges of a diff as a Mermaid `graph LR` (GitHub renders it in
//! comments): one subgraph per cluster, one arrow per caller → callee (and port) labelled
//! with what happened to it, red where the mesh got weaker, orange where a connection
//! breaks, dashed where a caller is newly denied, green where it got stronger.

use std::collections::BTreeMap;

use crate::diff::{PolicyChange, Risk};
use crate::policy::output::mermaid::{escape, node_declaration};

/// More arrows than this make the graph unreadable (and GitHub's renderer slow): the
/// riskiest edges are drawn, and the caller is told how many were left out.
pub const MAX_EDGES: usize = 100;

/// One arrow: every change of one caller → callee edge on one port.
struct Arrow<'a> {
    cluster: &'a str,
    from: &'a str,
    to: &'a str,
    port: Option<u16>,
    risks: Vec<Risk>,
}

impl Arrow<'_> {
    /// The riskiest change decides the arrow's look.
    fn risk(&self) -> Risk {
        self.risks.iter().copied().min().unwrap_or(Risk::Repairs)
    }

    fn label(&self) -> String {
        let risks: Vec<&str> = self.risks.iter().map(|r| r.as_str()).collect();
        match self.port {
            Some(port) => format!("{} :{port}", risks.join(", ")),
            None => risks.join(", "),
        }
    }
}

/// The graph (without the code fence), and how many arrows it leaves out.
pub fn graph(changes: &[PolicyChange]) -> (String, usize) {
    let mut arrows: BTreeMap<(&str, &str, &str, Option<u16>), Arrow> = BTreeMap::new();
    for change in changes {
        arrows
            .entry((&change.cluster, &change.from, &change.to, change.port))
            .or_insert_with(|| Arrow {
                cluster: &change.cluster,
                from: &change.from,
                to: &change.to,
                port: change.port,
                risks: Vec::new(),
            })
            .risks
            .push(change.risk);
    }
    let mut arrows: Vec<Arrow> = arrows.into_values().collect();
    arrows.sort_by_key(|a| a.risk());
    let left_out = arrows.len().saturating_sub(MAX_EDGES);
    arrows.truncate(MAX_EDGES);

    let mut nodes: BTreeMap<(&str, &str), String> = BTreeMap::new();
    for arrow in &arrows {
        for workload in [arrow.from, arrow.to] {
            let next = format!("n{}", nodes.len());
            nodes.entry((arrow.cluster, workload)).or_insert(next);
        }
    }
    let mut text = String::from("graph LR\n");
    let mut open: Option<&str> = None;
    let mut subgraphs = 0;
    for ((cluster, workload), node) in &nodes {
        if open != Some(cluster) {
            if open.is_some() {
                text.push_str("  end\n");
            }
            text.push_str(&format!(
                "  subgraph c{subgraphs}[\"{}\"]\n",
                escape(cluster)
            ));
            subgraphs += 1;
            open = Some(cluster);
        }
        text.push_str(&format!(
            "    {}\n",
            node_declaration(node, workload, &node_label(workload))
        ));
    }
    if open.is_some() {
        text.push_str("  end\n");
    }
    for arrow in &arrows {
        let from = &nodes[&(arrow.cluster, arrow.from)];
        let to = &nodes[&(arrow.cluster, arrow.to)];
        let line = if arrow.risk() == Risk::Closes {
            "-.->"
        } else {
            "-->"
        };
        text.push_str(&format!(
            "  {from} {line}|\"{}\"| {to}\n",
            escape(&arrow.label())
        ));
    }
    for (index, arrow) in arrows.iter().enumerate() {
        text.push_str(&format!("  linkStyle {index} {}\n", style(arrow.risk())));
    }
    (text, left_out)
}

/// A caller's or callee's label; `*` (any client, for a callee that stopped requiring mTLS)
/// spelled out. Callers from outside the repository get their own shapes.
fn node_label(workload: &str) -> String {
    if workload == "*" {
        "any client".to_string()
    } else {
        workload.to_string()
    }
}

fn style(risk: Risk) -> &'static str {
    match risk {
        Risk::Opens | Risk::Weakens => "stroke:#cf222e,stroke-width:2px",
        Risk::Breaks => "stroke:#bc4c00,stroke-width:2px",
        Risk::Closes => "stroke:#6e7781",
        Risk::Strengthens | Risk::Repairs => "stroke:#1a7f37",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::policy::EdgeState;
    use crate::policy::Mtls;

    fn change(cluster: &str, from: &str, to: &str, port: Option<u16>, risk: Risk) -> PolicyChange {
        let state = EdgeState {
            allowed: true,
            mtls: Mtls::Mtls,
        };
        PolicyChange {
            risk,
            cluster: cluster.into(),
            from: from.into(),
            to: to.into(),
            port,
            before: state,
            after: state,
            message: String::new(),
        }
    }

    #[test]
    fn one_arrow_per_edge_with_every_change_and_the_riskiest_style() {
        let changes = [
            change("central", "shop/web", "pay/api", Some(8080), Risk::Weakens),
            change("central", "shop/web", "pay/api", Some(8080), Risk::Opens),
            change("central", "shop/cart", "pay/api", None, Risk::Closes),
            change("edge-1", "*", "pay/api", None, Risk::Strengthens),
        ];
        let (text, left_out) = graph(&changes);
        assert_eq!(left_out, 0);
        assert_eq!(
            text,
            "graph LR\n\
             \x20 subgraph c0[\"central\"]\n\
             \x20   n1[\"pay/api\"]\n\
             \x20   n2[\"shop/cart\"]\n\
             \x20   n0[\"shop/web\"]\n\
             \x20 end\n\
             \x20 subgraph c1[\"edge-1\"]\n\
             \x20   n3[\"any client\"]\n\
             \x20   n4[\"pay/api\"]\n\
             \x20 end\n\
             \x20 n0 -->|\"weakens, opens :8080\"| n1\n\
             \x20 n2 -.->|\"closes\"| n1\n\
             \x20 n3 -->|\"strengthens\"| n4\n\
             \x20 linkStyle 0 stroke:#cf222e,stroke-width:2px\n\
             \x20 linkStyle 1 stroke:#6e7781\n\
             \x20 linkStyle 2 stroke:#1a7f37\n"
        );
    }

    #[test]
    fn the_riskiest_edges_are_kept_when_there_are_too_many() {
        let mut changes: Vec<PolicyChange> = (0..MAX_EDGES + 5)
            .map(|i| change("c", &format!("a/{i}"), "b/x", None, Risk::Closes))
            .collect();
        changes.push(change("c", "a/open", "b/x", None, Risk::Opens));
        let (text, left_out) = graph(&changes);
        assert_eq!(left_out, 6);
        assert!(text.contains("|\"opens\"|"), "{text}");
        assert_eq!(text.matches("linkStyle").count(), MAX_EDGES);
    }
}
