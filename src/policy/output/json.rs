//! `--output json`: `{"edges":[{"cluster","from_cluster","from","to","port","allowed","mtls",
//! "policies",…}]}`.

use std::io::{self, Write};

use serde_json::json;

use super::{Edges, all_rows};

/// Writes `{"edges":[...]}` one edge at a time, byte for byte what serde_json's pretty
/// printer gives for the whole document.
pub fn write(clusters: &[Edges], out: &mut dyn Write) -> io::Result<()> {
    let mut rows = all_rows(clusters).peekable();
    if rows.peek().is_none() {
        return writeln!(out, "{{\n  \"edges\": []\n}}");
    }
    write!(out, "{{\n  \"edges\": [")?;
    for (index, r) in rows.enumerate() {
        let edge = json!({
            "cluster": r.cluster,
            "from_cluster": r.from_cluster,
            "from": r.from,
            "to": r.to,
            "port": r.port,
            "allowed": r.allowed,
            "mtls": r.mtls.as_str(),
            "policies": r.policies,
            "conditional": r.conditional,
            "serverMode": r.server_mode,
            "peerAuthentication": r.peer_authentication,
            "destinationRule": r.destination_rule,
            "clientTls": r.client_tls,
        });
        let text = serde_json::to_string_pretty(&edge)?;
        out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
        for (line_index, line) in text.lines().enumerate() {
            if line_index > 0 {
                out.write_all(b"\n")?;
            }
            write!(out, "    {line}")?;
        }
    }
    writeln!(out, "\n  ]\n}}")
}
